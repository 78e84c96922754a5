"""A course is a folder: which one is in use, and its assignments.

A course folder is laid out like this repository (the bundled course):

    solutions/<id>.ipynb          the single source, with nbgrader markup
    exercises/<id>.ipynb          written by `grade release`
    checks/<id>.py                the check table: defines ASSIGNMENT (grader only)
    checks/_<name>.py             helpers that several check tables share (not assignments)
    checks/student_side/<id>.py   optional: drivers that run next to the student's code
    reference_impl/<id>.py        the TensorFlow references (grader only)
    course.toml                   optional: `title`, `assignments` (their order)

The folder's `checks` and `reference_impl` are imported as the packages of those
names, whatever else is on sys.path (references are named by dotted path,
"reference_impl.convolution:conv2d"). One course is in use per process: chosen
by `--course DIR`, else $DLPHYS_COURSE, else the bundled course. Processes the
grader starts (batch workers) are given the course root explicitly.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ENV = "DLPHYS_COURSE"
PACKAGES = ("checks", "reference_impl")  # the course's own import names


class CourseError(Exception):
    """The folder is not a course (one line for the user)."""


class UnknownAssignment(KeyError):
    pass


def bundled_root() -> Path:
    """The course that ships with the engine: the folder next to the installed package."""
    return Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Course:
    root: Path
    title: str
    ids: tuple[str, ...]

    @property
    def checks_dir(self) -> Path:
        return self.root / "checks"

    @property
    def drivers_dir(self) -> Path:
        """The assignment code that may leave the grader (mounted into the sandbox)."""
        return self.root / "checks" / "student_side"

    def get(self, assignment_id: str):
        if assignment_id not in self.ids:
            raise UnknownAssignment(assignment_id)
        return importlib.import_module(f"checks.{assignment_id}").ASSIGNMENT

    def all(self) -> list:
        return [self.get(a) for a in self.ids]

    def detect(self, filename: str, named: str | None) -> str | None:
        """The assignment a submission names: notebook metadata first, then the file
        name (`convolution.ipynb`, `alice_convolution.ipynb`, `convolution-v2.py`)."""
        if named in self.ids:
            return named
        stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
        hits = [a for a in self.ids if a in stem]
        return max(hits, key=len) if hits else None


def load(root: str | os.PathLike) -> Course:
    """Read the course folder at `root` (nothing is imported yet)."""
    root = Path(root).expanduser().resolve()
    if not (root / "checks").is_dir():
        raise CourseError(f"{root} is not a course folder: it has no checks/ folder")
    found = sorted(p.stem for p in (root / "checks").glob("*.py")
                   if p.stem.isidentifier() and not p.stem.startswith("_"))
    title, order = root.name, None
    if (root / "course.toml").is_file():
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib

        try:
            config = tomllib.loads((root / "course.toml").read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CourseError(f"{root / 'course.toml'}: {exc}") from None
        title = str(config.get("title", title))
        order = config.get("assignments")
        if order is not None and not (isinstance(order, list) and all(isinstance(a, str) for a in order)):
            raise CourseError(f"{root / 'course.toml'}: `assignments` must be a list of ids")
    # An id listed but without a check table yet is simply not offered.
    ids = [a for a in order if a in found] + [a for a in found if a not in order] if order else found
    return Course(root, title, tuple(ids))


_current: Course | None = None


def use(root: str | os.PathLike | None = None) -> Course:
    """Make the course at `root` (else $DLPHYS_COURSE, else the bundled one) the
    one in use: its `checks` and `reference_impl` folders become those packages."""
    global _current
    if root is None:
        root = os.environ.get(ENV) or bundled_root()
    course = load(root)
    if _current is None or _current.root != course.root:
        _install_packages(course.root)
    _current = course
    return course


def current() -> Course:
    return _current if _current is not None else use()


def _install_packages(root: Path) -> None:
    """Bind the names `checks` and `reference_impl` to this course's folders,
    forgetting any module another course (or sys.path) gave those names."""
    for name in PACKAGES:
        folder = root / name
        loaded = sys.modules.get(name)
        if loaded is not None and str(folder) in [str(Path(p).resolve()) for p in getattr(loaded, "__path__", [])]:
            continue  # already this course's (e.g. imported through sys.path)
        for other in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[other]
        init = folder / "__init__.py"
        if init.is_file():
            spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(folder)])
        else:  # a folder without __init__.py is a namespace package
            spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
            spec.submodule_search_locations = [str(folder)]
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        if spec.loader is not None:
            spec.loader.exec_module(module)
    importlib.invalidate_caches()


# The course in use, for callers that do not hold a Course.
def get(assignment_id: str):
    return current().get(assignment_id)


def ids() -> list[str]:
    return list(current().ids)


def all_assignments() -> list:
    return current().all()


def detect(filename: str, named: str | None) -> str | None:
    return current().detect(filename, named)
