"""The student kit's notebook API: check, check_all, nbgrader_check.

`check("f")` and `check_all()` return a `report.Report` (a table in Jupyter
and as text; `.passed`, `.failed`). They run the public cases only: the kit
holds no hidden cases, references or secret.

`nbgrader_check("f")` is for nbgrader's test cells. It shows the public
results and never raises (a student's Run All must not stop), except under
`nbgrader validate`, where a failing public test fails the cell. The hidden
cases run only when the instructor turns them on in nbgrader's configuration
(DLPHYS_NBGRADER_HIDDEN=1, see the README): then the instructor's package
(`autograder.selfcheck`) grades the cell. No file on the machine changes this.
"""
from __future__ import annotations

import difflib
import os

from . import kitcheck
from .kernel import ipython_shell as _ipython, user_namespace as _namespace

HIDDEN_ENV = "DLPHYS_NBGRADER_HIDDEN"
GRADING_ENV = "DLPHYS_GRADING"


def check(function: str, *, assignment: str | None = None, namespace: dict | None = None):
    """The public tests of one graded function (define it first) -> a Report."""
    ns = _namespace(namespace)
    return kitcheck.run(_assignment_for([function], assignment, ns), [function], ns)


def check_all(assignment: str | None = None, *, namespace: dict | None = None):
    """The public tests of every graded function of this notebook's assignment -> a Report."""
    ns = _namespace(namespace)
    chosen = _assignment_for(None, assignment, ns)
    return kitcheck.run(chosen, kitcheck.index()[chosen]["functions"], ns)


def nbgrader_check(function: str, *, assignment: str | None = None,
                   namespace: dict | None = None) -> None:
    if os.environ.get(GRADING_ENV) == "1":
        return None
    if os.environ.get(HIDDEN_ENV) == "1":
        try:
            from autograder.selfcheck import nbgrader_check as graded
        except ImportError:
            raise RuntimeError(f"{HIDDEN_ENV}=1 asks for the hidden tests, which need the "
                               "instructor's grader package installed") from None
        return graded(function, assignment=assignment, namespace=namespace)
    report = check(function, assignment=assignment, namespace=namespace)
    if os.environ.get("NBGRADER_VALIDATING") == "1" and not report.passed:
        raise AssertionError(report.failure_summary())
    _show(report)
    return None


def _show(report) -> None:
    shell = _ipython()
    if shell is not None:
        from IPython.display import display

        display(report)
    else:
        print(report.text())


def _assignment_for(functions, assignment, namespace) -> str:
    """The assignment given, or the one whose graded functions these are (ties
    broken by how many of its functions the notebook defines)."""
    known = kitcheck.index()
    if assignment is not None:
        if assignment not in known:
            raise ValueError(f"unknown assignment {assignment!r}; known: {', '.join(known)}")
        for f in functions or ():
            if f not in known[assignment]["functions"]:
                raise ValueError(f"{f!r} is not graded in {assignment}; its graded functions are "
                                 f"{', '.join(known[assignment]['functions'])}")
        return assignment
    candidates = [a for a, info in known.items() if all(f in info["functions"] for f in functions or ())]
    if functions and not candidates:
        graded = sorted({f for info in known.values() for f in info["functions"]})
        close = difflib.get_close_matches(functions[0], graded, n=3)
        raise ValueError(f"{functions[0]!r} is not a graded function"
                         + (f"; did you mean {' or '.join(map(repr, close))}?" if close else ""))

    def defined(a):
        return sum(callable(namespace.get(f)) for f in known[a]["functions"])
    if functions is None:
        candidates = [a for a in candidates if defined(a) > 0]
        if not candidates:
            raise ValueError("none of the graded functions is defined in this notebook yet: run "
                             "its cells first, or pass the assignment: check_all('<id>')")
    best = max(defined(a) for a in candidates)
    top = [a for a in candidates if defined(a) == best]
    if len(top) == 1:
        return top[0]
    raise ValueError(f"this could be assignment {' or '.join(top)}: pass assignment='...'")
