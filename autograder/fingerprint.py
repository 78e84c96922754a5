"""The fingerprint of what decides a grade: a hash of the source files.

An assignment's grade depends on its check module, its reference module(s),
its driver(s) and the engine's judging code (runner, compare, hints, spec,
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

PROJECT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograder", "reference_impl", "checks")
# The engine: the judging code every assignment shares. The sandbox folder is
# taken whole (the worker runs there as a script), but for the drivers of other assignments.
ENGINE = ("autograder/runner.py", "autograder/student_side/compare.py", "autograder/hints.py", "autograder/spec.py",
          "autograder/seeds.py", "autograder/submission.py", "autograder/sandbox",
          "autograder/student_side")


def _module_file(module: str) -> Path | None:
    """The project file of a dotted module name (None outside the project)."""
    if module.split(".")[0] not in PACKAGES:
        return None
    base = PROJECT.joinpath(*module.split("."))
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
    roots = {PROJECT / "checks" / f"{assignment.id}.py"}
    for entry in ENGINE:
        path = PROJECT / entry
        if path.is_dir():
            roots |= {p for p in path.rglob("*.py") if p.parent.name != "drivers"}
        else:
            roots.add(path)
    drivers = PROJECT / "checks" / "student_side"
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
def _of(assignment_id: str) -> str:
    from autograder import assignments

    digest = hashlib.sha256()
    for path in files(assignments.get(assignment_id)):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(PROJECT).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def fingerprint(assignment_id: str) -> str:
    """sha256 hex of the files that decide `assignment_id`'s grades (cached per process)."""
    return _of(assignment_id)
