"""`grade kit`: build the student kit, a small wheel that self-checks without the grader.

The wheel `dlphys-selfcheck` (import package `dlphys_selfcheck`) holds:

  engine/   a copy of autograder/student_side/ (compare, wire, mutation, hint
            verdicts, the kit's runner and report), minus the sandbox's worker
  course/   a copy of the course's checks/student_side/ (drivers, property
            checks, hint predicates: code that checks, never answers)
  data/     per assignment the public cases as data: inputs, expected values,
            tolerances, hint facts (student_side/hintdata.py), hidden counts

What it never holds: check tables (checks/<id>.py), references, hidden-case
generators, the secret. A hint or property check the builder cannot express
as data or as student-side code is refused with a clear error, never shipped.
The expected values come from the same references `grade run` uses, so the
kit judges the public cases exactly as the grader does.
"""
from __future__ import annotations

import copy
import importlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import hints, seeds
from autograder.spec import Assignment, Check, DataVerify, Rng
from autograder.student_side import wire

DISTRIBUTION = "dlphys-selfcheck"
PACKAGE = "dlphys_selfcheck"
VERSION = "1.0.0"
ENGINE_DIR = Path(__file__).resolve().parent / "student_side"
# The sandbox's own process and its stand-ins: nothing the kit runs.
ENGINE_EXCLUDE = {"worker.py", "stubs", "__pycache__"}


class KitError(Exception):
    """A one-line reason the kit cannot be built (the CLI exits 2 with it)."""


# ---------------------------------------------------------------- data

def _student_side_module(assignment_id: str) -> str:
    return f"checks.student_side.{assignment_id}"


def _shippable(fn, assignment_id: str, what: str) -> str:
    """The name of `fn` in the assignment's student-side module, or KitError."""
    module = _student_side_module(assignment_id)
    name = getattr(fn, "__name__", "")
    try:
        shipped = importlib.import_module(module)
    except ImportError:
        shipped = None
    if shipped is None or getattr(shipped, name, None) is not fn:
        raise KitError(f"{assignment_id}: {what} is not in {module.replace('.', '/')}.py, so it "
                       "cannot ship to students; move it there (code that checks, never answers)")
    return name


def _encode(value, where: str):
    encoded = wire.encode(value)
    if "__unsupported__" in json.dumps(encoded):
        raise KitError(f"{where}: a value that cannot travel as data")
    return encoded


def check_data(assignment: Assignment, check: Check) -> dict:
    """One graded function: settings and its public cases as data."""
    where = f"{assignment.id}.{check.function}"
    for n, hint in enumerate(check.hints):
        if not isinstance(hint.detect, hints.DataDetector):
            raise KitError(f"{where}: hint {n + 1} ({hint.message[:50]!r}...) is hand-written code; "
                           "write it as data (hints.matches, scaled, any_of, predicate) or as a "
                           "student-side predicate (hints.local)")
        for name, fn in hint.detect.local.items():
            _shippable(fn, assignment.id, f"hint predicate {name} of {check.function}")
    # A property check may name what checks its public cases (`verify.public`).
    public_verify = getattr(check.verify, "public", check.verify)
    verify_fn = public_verify.check if isinstance(public_verify, DataVerify) else public_verify
    verify = _shippable(verify_fn, assignment.id, f"the property check of {check.function}") \
        if verify_fn is not None else None
    if check.driver is not None and check.driver != assignment.id:
        raise KitError(f"{where}: driver {check.driver!r} is not the assignment's own module")
    cases = []
    for index, case in enumerate(check.cases):
        if case.hidden or not case.in_kit:
            continue
        inputs = case.make(Rng(seeds.case_seed(check.function, index, False, 0)).make())
        expected = None if verify else _reference(check, inputs)
        facts = [hint.detect.facts(copy.deepcopy(inputs), expected) for hint in check.hints]
        verify_args = public_verify.make_args(dict(inputs)) \
            if isinstance(public_verify, DataVerify) else {}
        cases.append({"label": case.label, "index": index, "rtol": case.rtol, "atol": case.atol,
                      "verify_args": _encode(verify_args, f"{where} property-check data"),
                      "inputs": _encode(inputs, f"{where} inputs"),
                      "expected": _encode(expected, f"{where} expected value"),
                      "hints": [_encode(f, f"{where} hint facts") for f in facts]})
    return {"function": check.function, "returns": check.returns,
            "outputs": list(check.outputs) if check.outputs else None,
            "rtol": check.rtol, "atol": check.atol, "warning_free": check.warning_free,
            "timeout": check.timeout, "driver": check.driver, "verify": verify,
            "hints": [hint.message for hint in check.hints],
            "hidden": sum(c.hidden for c in check.cases),
            "grader_only": sum(not c.hidden and not c.in_kit for c in check.cases), "cases": cases}


def _reference(check: Check, inputs: dict):
    """What `grade run` compares a public case with (runner._expected, uncached)."""
    from autograder import runner

    return check.reference_function()(**runner._for_reference(inputs))


def assignment_data(assignment: Assignment) -> dict:
    return {"id": assignment.id, "title": assignment.title,
            "functions": [check_data(assignment, check) for check in assignment.checks]}


# ---------------------------------------------------------------- the wheel

_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "{version}"
description = "Self-check for the course's notebooks: the public tests, no answers"
requires-python = ">=3.9"
dependencies = ["numpy"]

[project.optional-dependencies]
notebook = ["ipython"]

[tool.setuptools]
packages = {packages}
include-package-data = false

[tool.setuptools.package-data]
"{package}.data" = ["*.json"]
"""

_INIT = '''"""Self-check for {title}: the public tests of each exercise, in your own notebook.

    from {package} import check, check_all
    check("conv2d")      # the public tests of one function
    check_all()          # every graded function of the notebook's assignment

It holds the public test cases as data (inputs, expected values, hints) and
no answers: the graded tests run on the course's grader, on fresh inputs.
"""
from .engine.kit import check, check_all, nbgrader_check

__all__ = ["check", "check_all", "nbgrader_check"]
__version__ = "{version}"
'''

_MAIN = '''from .engine.notebook import main

raise SystemExit(main())
'''


def _copy_tree(source: Path, target: Path, exclude=frozenset({"__pycache__"})) -> None:
    target.mkdir(parents=True)
    for item in sorted(source.iterdir()):
        if item.name in exclude or item.name.startswith(".") or item.is_symlink():
            continue
        if item.is_dir():
            _copy_tree(item, target / item.name, exclude)
        elif item.suffix == ".py":
            shutil.copyfile(item, target / item.name)
    (target / "__init__.py").touch()


def course_student_side() -> Path:
    return Path(importlib.import_module("checks.student_side").__file__).resolve().parent


def write_source(root: Path, assignments: list[Assignment], title: str = "the course") -> Path:
    """The kit's source tree (pyproject.toml + package) under `root`."""
    package = root / PACKAGE
    _copy_tree(ENGINE_DIR, package / "engine", frozenset(ENGINE_EXCLUDE))
    _copy_tree(course_student_side(), package / "course")
    data = package / "data"
    data.mkdir()
    (data / "__init__.py").touch()
    index = {}
    for assignment in assignments:
        body = assignment_data(assignment)
        (data / f"{assignment.id}.json").write_text(json.dumps(body, separators=(",", ":")),
                                                    encoding="utf-8")
        index[assignment.id] = {"title": assignment.title,
                                "functions": [f["function"] for f in body["functions"]]}
    (data / "index.json").write_text(json.dumps(index, indent=1), encoding="utf-8")
    (package / "__init__.py").write_text(_INIT.format(title=title, package=PACKAGE, version=VERSION))
    (package / "__main__.py").write_text(_MAIN)
    packages = sorted(".".join(p.parent.relative_to(root).parts) for p in package.rglob("__init__.py"))
    (root / "pyproject.toml").write_text(_PYPROJECT.format(
        dist=DISTRIBUTION, version=VERSION, package=PACKAGE, packages=json.dumps(packages)))
    return root


def build(outdir: str | Path, assignments: list[Assignment], title: str = "the course") -> Path:
    """Build the kit wheel into `outdir` (offline: no build isolation) and return its path."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dlphys-kit-") as tmp:
        source = write_source(Path(tmp) / "src", assignments, title)
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                               "--no-index", "-q", "-w", str(Path(tmp) / "dist"), str(source)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            tail = [l for l in (done.stderr + done.stdout).splitlines() if "rror" in l][:1] or ["(no output)"]
            raise KitError(f"pip wheel failed: {tail[0]}")
        wheel, = (Path(tmp) / "dist").glob("*.whl")
        target = outdir / wheel.name
        shutil.copyfile(wheel, target)
    return target
