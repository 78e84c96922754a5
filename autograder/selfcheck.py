"""The in-notebook self-check: the grader's public tests, run in the student's own kernel.

    from autograder.selfcheck import check, check_all
    check("conv2d")     # the public tests of one function
    check_all()         # every graded function of this notebook's assignment

For each visible case it does what the grader does, with the same code: the
same inputs (public seeds, `seeds.case_seed(function, index, False, 0)`), the
same TensorFlow reference, comparison, in-place-mutation and warning checks
and the same hints (`runner.grade_case`). Only the call differs: the function
is taken from the notebook's namespace and called here, in the student's own
process (no sandbox: it is their kernel). Hidden cases are never generated;
the report only says how many there are.

`nbgrader_check(function)` is for nbgrader's autograder test cells. When the
instructor turns the hidden tests on (DLPHYS_NBGRADER_HIDDEN=1, set in
nbgrader_config.py) it runs every case with the course secret
($DLPHYS_GRADER_SECRET or the instructor's secret file), hidden ones seeded per
student exactly as `grade run` would, and raises AssertionError when one
fails. Otherwise it shows the public results and never raises: a secret file
that happens to exist on the machine changes nothing. The student kit's
nbgrader_check (dlphys_selfcheck) delegates here when the variable is set.

While a submission is graded (DLPHYS_GRADING=1; the sandbox also replaces this
module by a stub with the same three names) everything here does nothing.
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import difflib
import hashlib
import html
import importlib
import io
import os
import sys
import textwrap
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder import course, seeds
from autograder.student_side import kinds
from autograder.runner import TestResult, grade_case, limits_for
from autograder.student_side.kernel import ipython_shell as _ipython, user_namespace as _namespace
from autograder.student_side.kitcall import call_student
from autograder.sandbox.session import CallResult
from autograder.spec import Assignment, Check, resolve

__all__ = ["check", "check_all", "nbgrader_check"]

GRADING_ENV = "DLPHYS_GRADING"
# Hidden cases in nbgrader's test cells only when the instructor turns them on
# (nbgrader_config.py sets it, see the README); never because a secret file exists.
HIDDEN_ENV = "DLPHYS_NBGRADER_HIDDEN"
_PACKAGE_DIR = str(Path(__file__).resolve().parent)
# Kinds that say "nothing to look at yet": one row per function, not one per case.
_NOT_STARTED = kinds.NOT_STARTED


# ====================================================================== public API

def check(function: str, *, assignment: str | Assignment | None = None,
          namespace: dict | None = None) -> None:
    """Run the public tests of one graded function and show a pass/fail table.

    The function is looked up in the notebook (run its cell first). The
    assignment is found from the function's name; pass `assignment="id"` when
    the name is graded in several assignments.
    """
    if _grading():
        return None
    ns = _namespace(namespace)
    chosen = _assignment_for([function], assignment, ns)
    _show(run(chosen, [function], ns))
    return None


def check_all(assignment: str | Assignment | None = None, *, namespace: dict | None = None) -> None:
    """Run the public tests of every graded function of this notebook's assignment."""
    if _grading():
        return None
    ns = _namespace(namespace)
    chosen = _assignment_for(None, assignment, ns)
    _show(run(chosen, [c.function for c in chosen.checks], ns))
    return None


def nbgrader_check(function: str, *, assignment: str | Assignment | None = None,
                   namespace: dict | None = None) -> None:
    """For nbgrader's autograder test cells.

    With the course secret: run every case (hidden ones seeded for the
    student) and raise AssertionError with a summary when one fails, so the
    cell scores zero in nbgrader. Without it: show the public results and
    never raise (a student's Run All must not stop at an unfinished exercise),
    except under `nbgrader validate` (the student asked for a verdict: a
    failing public test fails the cell there).
    """
    if _grading():
        return None
    ns = _namespace(namespace)
    chosen = _assignment_for([function], assignment, ns)
    secret = None
    if os.environ.get(HIDDEN_ENV) == "1":  # the instructor's nbgrader configuration asked
        secret = _course_secret()
        if secret is None:
            raise RuntimeError(f"{HIDDEN_ENV}=1 asks for the hidden tests, but there is no course "
                               f"secret (set {seeds.SECRET_ENV} or make the instructor's secret file)")
    if secret is None:
        report = run(chosen, [function], ns)
        if os.environ.get("NBGRADER_VALIDATING") == "1" and report.passed < report.total:
            raise AssertionError(report.failure_summary())
        _show(report)
        return None
    student = _nbgrader_student()
    report = run(chosen, [function], ns, seed=seeds.student_seed(secret, chosen.id, student),
                 hidden=True)
    if report.passed < report.total:
        raise AssertionError(report.failure_summary())
    visible = sum(not t.hidden for t in report.tests)
    print(f"{function}: all {report.total} tests passed ({visible} public, "
          f"{report.total - visible} hidden; student {student})")
    return None


# ====================================================================== running

@dataclass(repr=False)
class SelfCheckReport:
    assignment: str
    functions: list
    tests: list            # runner.TestResult, in check order
    hidden_not_run: int
    seconds: float

    @property
    def total(self) -> int:
        return len(self.tests)

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.tests)

    def text(self) -> str:
        return _render_text(self)

    def html(self) -> str:
        return _render_html(self)

    def failure_summary(self) -> str:
        """For nbgrader's feedback: what failed, with the hints (no title, no timing)."""
        failed = self.total - self.passed
        head = f"{', '.join(self.functions)}: {failed} of {self.total} tests failed"
        return "\n".join([head] + _text_rows(self, only_failed=True))

    # IPython picks the richest of these the front end can show.
    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return self.text()


def run(assignment: Assignment, functions: list[str], namespace: dict, *, seed: int = 0,
        hidden: bool = False) -> SelfCheckReport:
    """Judge `functions` from `namespace` on the assignment's visible cases (and,
    with hidden=True, its hidden cases seeded from the student seed `seed`)."""
    session = _InProcess(namespace, limits_for(assignment))
    tests, not_run = [], 0
    start = time.perf_counter()
    for function in functions:
        check = _with_cached_reference(assignment.check(function))
        fatal: dict = {}  # as in the grader: after a call that ran too long, the rest is not run
        for index, case in enumerate(check.cases):
            if case.hidden and not hidden:
                not_run += 1
                continue
            if not callable(namespace.get(function)):
                result = TestResult(function, case.label, index, case.hidden,
                                    check.case_points(index))
                _fail(result, kinds.MISSING, f"{function} is not defined yet: run the cell that "
                      "defines it first (and keep its name)")
            else:
                with _calm():
                    result = grade_case(check, index, case, session, seed, fatal)
            tests.append(result)
    return SelfCheckReport(assignment.id, list(functions), tests, not_run,
                           time.perf_counter() - start)


def _fail(result: TestResult, kind: str, feedback: str) -> None:
    result.passed, result.kind, result.feedback = False, kind, feedback


class _InProcess:
    """What the runner needs from a `sandbox.session.Session` (`names`,
    `cell_errors`, `limits`, and `call` returning a `CallResult`), for functions
    living in this process.

    Calls through `student_side.calling`, as the worker does; arguments and the
    returned value make the same round trip through `wire` (so the comparison
    sees exactly what the grader would see). NumPy's global state is restored
    afterwards: this is the student's own kernel.
    """

    def __init__(self, namespace: dict, limits):
        self.namespace, self.limits = namespace, limits
        self.cell_errors: list = []

    @property
    def names(self) -> list[str]:
        return [k for k, v in self.namespace.items() if callable(v)]

    def call(self, function: str, kwargs: dict, timeout: float, global_seed=None,
             driver: str | None = None) -> CallResult:
        target = self.namespace.get(function)
        if not callable(target):
            return CallResult(False, kind=kinds.EXCEPTION, error_type="NameError",
                              message=f"{function} is not defined")
        try:
            run_with = _driver(driver) if driver else None
        except ImportError as exc:
            return CallResult(False, kind=kinds.EXCEPTION, error_type=type(exc).__name__, message=str(exc))
        # The kit's call, as in a student's kernel: prints kept off the table, NumPy's
        # global state given back, a press of stop stops the check too.
        outcome = call_student(target, kwargs, timeout, global_seed=global_seed, driver=run_with)
        return CallResult(outcome.ok, value=outcome.value, kind=outcome.kind,
                          error_type=outcome.error_type, message=outcome.message,
                          traceback=outcome.traceback, mutated=outcome.mutated,
                          warnings=outcome.warnings)


def _driver(name: str):
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError("bad driver name")
    return importlib.import_module(f"checks.student_side.{name}").run


# ---------------------------------------------------------------- the reference, cached

_EXPECTED: dict = {}     # (reference, fingerprint of its inputs) -> expected value
_tf_ready = False


@dataclass(frozen=True)
class _CachedReferenceCheck(Check):
    """The same check, with a reference that remembers its answers: a case's
    inputs are the same on every call (public seeds), so TensorFlow runs once
    per case per kernel."""

    def reference_function(self):
        dotted = self.reference

        def expected(**kwargs):
            key = _fingerprint(dotted, kwargs)
            if key is not None and key in _EXPECTED:
                return copy.deepcopy(_EXPECTED[key])
            with _quiet():
                try:
                    if dotted.startswith("reference_impl."):
                        _prepare_tensorflow()
                    reference = resolve(dotted)
                except ModuleNotFoundError as exc:
                    raise ImportError(f"the self-check needs {exc.name} for the expected values "
                                      "(install the course package with its dependencies)") from None
                value = reference(**kwargs)
            if key is not None:
                _EXPECTED[key] = copy.deepcopy(value)
            return value
        return expected


def _with_cached_reference(check: Check) -> Check:
    if check.reference is None or check.verify is not None:
        return check
    return _CachedReferenceCheck(**{f.name: getattr(check, f.name) for f in dataclasses.fields(Check)})


def _prepare_tensorflow() -> None:
    """Import TensorFlow once per kernel, without changing the student's Keras
    floatx (the references pass float64 explicitly)."""
    global _tf_ready
    if _tf_ready:
        return
    if "tensorflow" not in sys.modules:
        print("(first self-check in this kernel: loading the TensorFlow reference, a few seconds...)",
              flush=True)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from autograder import reference as device

    device.configure(keras_floatx=None)
    _tf_ready = True


class _Unhashable(Exception):
    pass


def _fingerprint(dotted: str, kwargs: dict) -> str | None:
    digest = hashlib.sha256(dotted.encode())
    try:
        _feed(digest, kwargs)
    except (_Unhashable, TypeError):
        return None
    return digest.hexdigest()


def _feed(digest, value) -> None:
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise _Unhashable
        digest.update(f"A{value.dtype.str}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, np.random.Generator):
        digest.update(f"G{value.bit_generator.state!r}".encode())
    elif isinstance(value, dict):
        digest.update(f"D{len(value)}".encode())
        for key in sorted(value):
            _feed(digest, key)
            _feed(digest, value[key])
    elif isinstance(value, (list, tuple)):
        digest.update(f"{type(value).__name__}{len(value)}".encode())
        for item in value:
            _feed(digest, item)
    elif value is None or isinstance(value, (bool, int, float, complex, str, np.generic)):
        digest.update(f"S{type(value).__name__}:{value!r}\0".encode())
    else:
        raise _Unhashable


# ---------------------------------------------------------------- quiet, calm

@contextlib.contextmanager
def _quiet():
    """Silence TensorFlow's chatter down to the file descriptor. Under nbgrader
    any stderr output in a test cell costs the cell its points, and TF's C++
    start-up messages ignore TF_CPP_MIN_LOG_LEVEL."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        saved = None
        try:
            sys.__stderr__ and sys.__stderr__.flush()
            saved = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        except (OSError, AttributeError, ValueError):
            saved = None
        try:
            yield
        finally:
            if saved is not None:
                os.dup2(saved, 2)
                os.close(saved)


@contextlib.contextmanager
def _calm():
    """The grader's own arithmetic (comparison, hint detectors on odd values)
    must not print warnings into the student's notebook."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


# ====================================================================== where things are

def _grading() -> bool:
    return os.environ.get(GRADING_ENV) == "1"


def _assignment_for(functions: list[str] | None, assignment, namespace: dict) -> Assignment:
    """The assignment to check: given, or the one whose graded functions these are
    (ties broken by how many of its functions the notebook defines)."""
    if isinstance(assignment, Assignment):
        chosen = assignment
    elif assignment is not None:
        try:
            chosen = course.get(assignment)
        except course.UnknownAssignment:
            raise ValueError(f"unknown assignment {assignment!r}; known: "
                             f"{', '.join(course.ids())}") from None
    else:
        chosen = None
    if chosen is not None:
        names = [c.function for c in chosen.checks]
        for f in functions or ():
            if f not in names:
                raise ValueError(f"{f!r} is not graded in {chosen.id}; its graded functions are "
                                 f"{', '.join(names)}")
        return chosen
    candidates = [a for a in course.all_assignments()
                  if all(f in {c.function for c in a.checks} for f in functions or ())]
    if functions and not candidates:
        graded = sorted({c.function for a in course.all_assignments() for c in a.checks})
        close = difflib.get_close_matches(functions[0], graded, n=3)
        raise ValueError(f"{functions[0]!r} is not a graded function"
                         + (f"; did you mean {' or '.join(map(repr, close))}?" if close else ""))

    def defined(a):
        return sum(callable(namespace.get(c.function)) for c in a.checks)
    if functions is None:
        candidates = [a for a in candidates if defined(a) > 0]
        if not candidates:
            raise ValueError("none of the graded functions is defined in this notebook yet: run "
                             "its cells first, or pass the assignment: check_all('<id>')")
    if len(candidates) == 1:
        return candidates[0]
    best = max(defined(a) for a in candidates)
    top = [a for a in candidates if defined(a) == best]
    if len(top) == 1:
        return top[0]
    raise ValueError(f"this could be assignment {' or '.join(a.id for a in top)}: "
                     f"pass assignment='...'")


def _course_secret() -> bytes | None:
    """The instructor's course secret, if this machine has it (never created here)."""
    if os.environ.get(seeds.SECRET_ENV):
        return os.environ[seeds.SECRET_ENV].encode()
    try:
        if seeds.DEFAULT_SECRET_FILE.is_file():
            return seeds.load_secret(seeds.DEFAULT_SECRET_FILE) or None
    except OSError:
        pass
    return None


def _nbgrader_student() -> str:
    """nbgrader autogrades in <autograded>/<student>/<assignment>/, with
    NBGRADER_EXECUTION=autograde set; anywhere else: "nbgrader"."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        name = Path.cwd().parent.name
        if name:
            return name
    return "nbgrader"


# ====================================================================== display

def _show(report: SelfCheckReport) -> None:
    if _ipython() is not None:
        from IPython.display import display

        display(report)
    else:
        print(report.text())


def _label(test: TestResult) -> str:
    prefix = "hidden: " if test.hidden and not test.label.startswith("hidden") else ""
    return prefix + test.label


def _first_line(text: str) -> str:
    return (text.strip().split("\n")[0] if text else "")[:400]


def _error_line(test: TestResult) -> str:
    """For an exception: where in the student's code, e.g. 'at line 12: out = x @ w'."""
    if test.kind != kinds.ERROR:
        return ""
    lines = test.feedback.splitlines()[1:]
    for i in range(len(lines) - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped.startswith("File ") and ", line " in stripped:
            number = stripped.split(", line ", 1)[1].split(",")[0]
            code = lines[i + 1].strip() if i + 1 < len(lines) else ""
            return f"at line {number}: {code}" if code else f"at line {number}"
    return ""


@dataclass
class _Row:
    ok: bool
    function: str
    label: str
    message: str = ""
    detail: str = ""
    hints: tuple = ()


def _rows(report: SelfCheckReport) -> list[_Row]:
    rows = []
    for function in report.functions:
        tests = [t for t in report.tests if t.function == function]
        if not tests:
            rows.append(_Row(True, function, "no public tests (graded on hidden tests only)"))
            continue
        if all(t.passed for t in tests):
            what = "public " if not any(t.hidden for t in tests) else ""
            rows.append(_Row(True, function, f"all {len(tests)} {what}tests passed" if len(tests) > 1
                             else f"its {what}test passed"))
            continue
        if len({t.kind for t in tests}) == 1 and tests[0].kind in _NOT_STARTED:
            rows.append(_Row(False, function, "", _first_line(tests[0].feedback)))
            continue
        seen: set = set()
        for t in tests:
            fresh = tuple(h for h in t.hints if h not in seen)
            seen.update(t.hints)
            rows.append(_Row(t.passed, function, _label(t), "" if t.passed else _first_line(t.feedback),
                             _error_line(t), fresh))
    return rows


def _footer(report: SelfCheckReport) -> str:
    kind = "public " if report.hidden_not_run or not any(t.hidden for t in report.tests) else ""
    text = f"{report.passed} of {report.total} {kind}tests passed"
    if report.hidden_not_run:
        text += (f" · {report.hidden_not_run} hidden test{'s' if report.hidden_not_run != 1 else ''} "
                 "not run here: the grader runs them on fresh inputs")
    return text + f" · {report.seconds:.1f} s"


def _title(report: SelfCheckReport) -> str:
    which = report.functions[0] if len(report.functions) == 1 else "all functions"
    return f"Self-check · {report.assignment} · {which}"


def _text_rows(report: SelfCheckReport, width: int = 100, only_failed: bool = False) -> list[str]:
    lines = []
    for row in _rows(report):
        if only_failed and row.ok:
            continue
        head = f"{'✓' if row.ok else '✗'} {row.function}"
        if row.label:
            head += f" · {row.label}"
        lines.append(head)
        for part in (row.message, row.detail):
            if part:
                lines.append(textwrap.fill(part, width, initial_indent="    ", subsequent_indent="    ",
                                           break_on_hyphens=False))
        for hint in row.hints:
            lines.append(textwrap.fill(f"hint: {hint}", width, initial_indent="    ",
                                       subsequent_indent="          ", break_on_hyphens=False))
    return lines


def _render_text(report: SelfCheckReport) -> str:
    return "\n".join([_title(report)] + _text_rows(report) + [_footer(report)])


_GREEN, _RED, _AMBER, _GREY = "#1a7f37", "#cf222e", "#9a6700", "#6e7781"


def _render_html(report: SelfCheckReport) -> str:
    esc = html.escape
    cell = "text-align:left;vertical-align:top;padding:2px 8px"
    out = [f'<div class="dlphys-selfcheck"><div style="font-weight:bold;margin-bottom:4px">'
           f"{esc(_title(report))}</div>", '<table style="border-collapse:collapse">']
    previous = None
    for row in _rows(report):
        name = row.function if row.function != previous else ""
        previous = row.function
        mark = (f'<span style="color:{_GREEN};font-weight:bold">✓</span>' if row.ok
                else f'<span style="color:{_RED};font-weight:bold">✗</span>')
        notes = []
        if row.message:
            notes.append(esc(row.message))
        if row.detail:
            notes.append(f'<span style="color:{_GREY}">{esc(row.detail)}</span>')
        notes += [f'<span style="color:{_AMBER}"><b>hint:</b> {esc(h)}</span>' for h in row.hints]
        out.append(f'<tr><td style="{cell}">{mark}</td><td style="{cell}"><code>{esc(name)}'
                   f'</code></td><td style="{cell}">{esc(row.label)}</td>'
                   f'<td style="{cell}">{"<br>".join(notes)}</td></tr>')
    out.append("</table>")
    out.append(f'<div style="color:{_GREY};margin-top:4px">{esc(_footer(report))}</div></div>')
    return "".join(out)
