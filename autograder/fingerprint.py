"""The fingerprint of what decides a grade: a hash of the source files.

An assignment's grade depends on its check module, its reference module(s),
its driver(s) (all three in the course folder) and the engine's judging code (runner, compare, hints, spec,
the sandbox: session, wire, worker, ...). The fingerprint hashes exactly those
files, plus the project modules they import, so fixing a tolerance, a case or
a reference changes it (the gradebook regrades), and an unchanged grader keeps it
(the gradebook skips). Files are read, never imported: no TensorFlow here.
"""
from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]  # holds the engine, autograder/
COURSE_PACKAGES = ("checks", "reference_impl")  # found in the course folder
# The engine: the judging code every assignment shares. The sandbox folder is
# taken whole (the worker runs there as a script), but for the drivers of other assignments.
ENGINE = ("autograder/runner.py", "autograder/student_side/compare.py", "autograder/hints.py", "autograder/spec.py",
          "autograder/seeds.py", "autograder/submission.py", "autograder/sandbox",
          "autograder/student_side")


def _base(package: str) -> Path | None:
    from autograder import course

    if package == "autograder":
        return PROJECT
    return course.current().root if package in COURSE_PACKAGES else None


def _module_file(module: str) -> Path | None:
    """The engine's or the course's file of a dotted module name (None elsewhere)."""
    base = _base(module.split(".")[0])
    if base is None:
        return None
    base = base.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path) -> set[Path]:
    """The project modules a file imports (static: `import x.y`, `from x import y`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            # `from . import randomness` (student-side code imports relatively): files only
            base = path.parent
            for _ in range(node.level - 1):
                base = base.parent
            if node.module:
                base = base.joinpath(*node.module.split("."))
            for target in [base] + [base / alias.name for alias in node.names]:
                for hit in (target.with_suffix(".py"), target / "__init__.py"):
                    if hit.is_file():
                        found.add(hit)
        for name in names:
            parts = name.split(".")
            for end in range(1, len(parts) + 1):   # a package's __init__ runs too
                hit = _module_file(".".join(parts[:end]))
                if hit is not None:
                    found.add(hit)
    return found


def files(assignment) -> list[Path]:
    """Every file that decides `assignment`'s grades, sorted."""
    from autograder import course

    chosen = course.current()
    roots = {chosen.checks_dir / f"{assignment.id}.py"}
    for entry in ENGINE:
        path = PROJECT / entry
        if path.is_dir():
            roots |= {p for p in path.rglob("*.py") if p.parent.name != "drivers"}
        else:
            roots.add(path)
    drivers = chosen.drivers_dir
    roots.add(drivers / "__init__.py")
    for check in assignment.checks:
        if check.reference:
            roots.add(_module_file(check.reference.partition(":")[0]))
        if check.driver:
            roots.add(drivers / f"{check.driver}.py")
    seen: set[Path] = set()
    todo = [p for p in roots if p is not None and p.is_file()]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo += [p for p in _imports(path) if p not in seen]
    return sorted(seen)


@functools.lru_cache(maxsize=None)
def _of(course_root: Path, assignment_id: str) -> str:
    from autograder import course

    digest = hashlib.sha256()
    for path in files(course.get(assignment_id)):
        data = path.read_bytes()
        where = path.relative_to(PROJECT) if path.is_relative_to(PROJECT / "autograder") \
            else path.relative_to(course_root)
        digest.update(f"{where.as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def fingerprint(assignment_id: str) -> str:
    """sha256 hex of the files that decide `assignment_id`'s grades (cached per process)."""
    from autograder import course

    return _of(course.current().root, assignment_id)
