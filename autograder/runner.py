"""The generic runner: an assignment's checks + a submission's cells -> test results.

It knows nothing about any particular function. For every case of every check
it makes the inputs (seeded), asks the sandboxed student process to call the
function, computes the TensorFlow reference in this process, compares, and
runs the check's hint detectors on a wrong answer. Anything that goes wrong on
the student's side becomes a failed test with a reason, never an exception here.
"""
from __future__ import annotations

import builtins
import copy
import time
from dataclasses import dataclass, field

from autograder import hints, seeds
from autograder.student_side import kinds
from autograder.student_side.compare import compare
from autograder.sandbox.launch import Limits, isolation_mode
from autograder.sandbox.session import CallResult, Session
from autograder.spec import Assignment, Case, Check, Partial, Rng


@dataclass
class TestResult:
    function: str
    label: str
    index: int
    hidden: bool
    max_score: float
    passed: bool = False
    fraction: float | None = None   # partial credit in [0, 1]; None = all or nothing
    feedback: str = ""          # what went wrong (empty when passed)
    hints: list = field(default_factory=list)   # messages of the hints that fired
    kind: str = kinds.PASSED    # see kinds.py
    preview: dict | None = None  # visible failures: small expected/got arrays for pictures
    seconds: float = 0.0        # grader-side wall time of this test
    metrics: dict = field(default_factory=dict)  # achieved metrics of a partial-credit test

    @property
    def score(self) -> float:
        if self.fraction is not None:
            return self.max_score * min(max(self.fraction, 0.0), 1.0)
        return self.max_score if self.passed else 0.0

    @property
    def name(self) -> str:
        return f"{self.function}: {self.label}"


@dataclass
class GradeReport:
    assignment: str
    student: str
    seed: int
    tests: list
    cell_problems: list
    output: str
    timings: dict
    isolation: str
    device: str = ""

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    @property
    def notable_cell_problems(self) -> list:
        """Cell failures worth a note: an unfinished exercise's demo cells raising
        NotImplementedError are expected and only clutter the feedback."""
        return [p for p in self.cell_problems if p.kind != "NotImplementedError"]

    def function_scores(self) -> dict:
        out: dict = {}
        for t in self.tests:
            got, total = out.get(t.function, (0.0, 0.0))
            out[t.function] = (got + t.score, total + t.max_score)
        return out


# Failures that cost the student process its life (or hung it): rerunning the
# same function on more cases would only burn time and restarts.
PROCESS_KILLERS = kinds.PROCESS_KILLERS


class StudentCallFailed(Exception):
    """Raised inside property checks when the student's call did not return."""

    def __init__(self, result: CallResult):
        super().__init__(result.message)
        self.result = result


def limits_for(assignment: Assignment) -> Limits:
    return Limits(memory_mb=assignment.memory_mb, cpu_seconds=int(assignment.time_budget * 2) + 30,
                  gpu=assignment.gpu)


def grade(assignment: Assignment, cells: list[str], student: str, seed: int,
          prepare=None) -> GradeReport:
    """Grade one submission. `prepare()` runs while the student process loads
    (the CLI imports TensorFlow there) and returns the device name."""
    t0 = time.perf_counter()
    forbidden = assignment.forbidden if assignment.numpy_only else ()
    session = Session(cells, limits_for(assignment), forbidden, assignment.time_budget)
    session.begin()
    t1 = time.perf_counter()
    device = prepare() if prepare else ""
    t2 = time.perf_counter()
    session.finish_loading()
    t3 = time.perf_counter()
    try:
        tests = _grade_all(assignment, session, seed)
    finally:
        session.close()
    t4 = time.perf_counter()
    timings = {"start_student_process": t1 - t0, "prepare_reference": t2 - t1,
               "wait_for_student_load": t3 - t2, "checks": t4 - t3, "total": t4 - t0,
               # where the student's side went (overlaps the above):
               "student_load": session.load_seconds, "student_calls": session.call_seconds}
    return GradeReport(assignment.id, student, seed, tests, session.cell_errors,
                       session.output(), timings, isolation_mode(), device)


def failed_report(assignment: Assignment, student: str, seed: int, kind: str, reason: str) -> GradeReport:
    """Every test failed for one reason (e.g. the file could not be read at all)."""
    tests = []
    for check in assignment.checks:
        for index, case in enumerate(check.cases):
            result = TestResult(check.function, case.label, index, case.hidden,
                                check.case_points(index))
            _fail(result, kind, reason)
            tests.append(result)
    return GradeReport(assignment.id, student, seed, tests, [], "", {"total": 0.0}, isolation_mode())


def _grade_all(assignment: Assignment, session: Session, seed: int) -> list[TestResult]:
    """Every visible case first, then every hidden one. What the student's code
    prints is kept only up to the first hidden call: printed arguments of a
    hidden call would otherwise reveal its inputs in the feedback."""
    results: dict[tuple[str, int], TestResult] = {}
    fatal: dict[str, TestResult] = {}  # a case that killed or hung the process, per function
    for hidden_pass in (False, True):
        if hidden_pass:
            session.freeze_output()
        for check in assignment.checks:
            for index, case in enumerate(check.cases):
                if case.hidden == hidden_pass:
                    results[check.function, index] = grade_case(check, index, case, session, seed, fatal)
    return [results[c.function, i] for c in assignment.checks for i in range(len(c.cases))]


def grade_case(check: Check, index: int, case: Case, session, seed: int,
               fatal: dict) -> TestResult:
    """One test. `session` is anything with `.names`, `.cell_errors`, `.forbidden`,
    `.limits.memory_mb` and `.call(function, kwargs, timeout, global_seed=None,
    driver=None) -> CallResult`: the sandboxed Session here, an in-kernel stand-in
    in the self-check. `fatal` maps functions to the test that killed their process."""
    result = TestResult(check.function, case.label, index, case.hidden,
                        check.case_points(index))
    start = time.perf_counter()
    if check.function not in session.names:
        _fail(result, kinds.MISSING, _missing_message(check.function, session))
    elif check.function in fatal:
        first = fatal[check.function]
        _fail(result, first.kind, f"not run: an earlier test of {check.function} failed with: "
              f"{first.feedback.splitlines()[0]}")
    else:
        inputs = case.make(Rng(seeds.case_seed(check.function, index, case.hidden, seed)).make())
        try:
            _run_case(check, case, inputs, session, result)
        except Exception as exc:  # whatever the student sent tripped the grader: fail closed,
            # costing this test only (not a process killer: the process is fine)
            _fail(result, kinds.WRONG, f"the answer of {check.function} could not be handled "
                  f"({type(exc).__name__})")
        if result.kind in PROCESS_KILLERS:
            fatal[check.function] = result
    result.seconds = time.perf_counter() - start
    return result


def _run_case(check: Check, case: Case, inputs: dict, session: Session, result: TestResult) -> None:
    if check.verify is not None:
        return _run_property_case(check, case, inputs, session, result)
    call = session.call(check.function, inputs, check.timeout, driver=check.driver)
    if not call.ok:
        return _fail(result, *_call_failure(check.function, call, session, case.hidden))
    try:
        expected = _expected(check, case, inputs)
    except Exception as exc:  # a grader bug: say so, never blame the student silently
        return _fail(result, kinds.GRADER_ERROR, f"internal grader error in the reference for "
                     f"{check.function} ({type(exc).__name__}: {exc}); please tell your instructor")
    try:
        mismatch = compare(call.value, expected, rtol=case.rtol or check.rtol,
                           atol=case.atol if case.atol is not None else check.atol,
                           hidden=case.hidden, returns=check.returns, names=check.outputs)
    except Exception as exc:  # e.g. an int too large for a float
        return _fail(result, kinds.WRONG, f"the returned value could not be compared with the expected "
                     f"one ({type(exc).__name__})")
    if call.mutated:
        return _fail(result, kinds.WRONG, _mutated_message(check.function, call.mutated, inputs))
    if check.warning_free and call.warnings:
        said = "" if case.hidden else ": " + "; ".join(call.warnings)
        _fail(result, kinds.WRONG, f"NumPy warned during the call{said}. The result must be "
              "computed without overflow, invalid operations or division by zero.")
        # Stability hints look at the warnings too (a naive sigmoid at -1000 is right but warns).
        result.hints = _fired_hints(check, {**inputs, hints.WARNINGS_KEY: list(call.warnings)},
                                    call.value, expected)
        return
    if mismatch is None:
        result.passed, result.kind = True, kinds.PASSED
        return
    _fail(result, kinds.WRONG, mismatch.message)
    result.preview = None if case.hidden else _preview(mismatch)
    result.hints = _fired_hints(check, inputs, call.value, expected)


def _run_property_case(check: Check, case: Case, inputs: dict, session: Session,
                       result: TestResult) -> None:
    last = {}

    def call(**kwargs):
        global_seed = kwargs.pop("_global_seed", None)
        outcome = session.call(check.function, kwargs, check.timeout, global_seed=global_seed,
                               driver=check.driver)
        if not outcome.ok:
            raise StudentCallFailed(outcome)
        if outcome.mutated:
            raise StudentCallFailed(CallResult(False, kind=kinds.WRONG, message=_mutated_message(
                check.function, outcome.mutated, kwargs)))
        last["value"] = outcome.value
        return outcome.value

    try:
        problems = check.verify(call, dict(inputs))
    except StudentCallFailed as failed:
        return _fail(result, *_call_failure(check.function, failed.result, session, case.hidden))
    except Exception as exc:  # a value shaped so oddly that the property check tripped on it
        detail = type(exc).__name__ if case.hidden else f"{type(exc).__name__}: {exc}"
        problems = [f"the returned value could not be checked ({detail})"]
    if isinstance(problems, Partial):
        result.fraction = min(max(float(problems.fraction), 0.0), 1.0)
        result.passed = result.fraction >= 1.0
        result.kind = kinds.PASSED if result.passed else (kinds.PARTIAL if result.fraction > 0 else kinds.WRONG)
        result.feedback = problems.message
        result.metrics = {str(k): float(v) for k, v in dict(problems.metrics).items()}
        if not result.passed and "value" in last:
            result.hints = _fired_hints(check, inputs, last["value"], None)
        return
    if not problems:
        result.passed, result.kind = True, kinds.PASSED
        return
    _fail(result, kinds.WRONG, "; ".join(str(p) for p in problems))
    if "value" in last:
        result.hints = _fired_hints(check, inputs, last["value"], None)


# Visible cases have the same inputs for every student: a batch worker grading a
# class computes their reference once (batch.warm switches this on; the
# self-check keeps its own per-kernel cache). Keyed by the reference, the case's
# label and a digest of its inputs, so a changed table never reuses a stale value.
visible_cache: dict | None = None


def _expected(check: Check, case: Case, inputs: dict):
    if case.hidden or visible_cache is None:
        return check.reference_function()(**_for_reference(inputs))
    key = (check.reference, check.function, case.label, _digest(inputs))
    if key not in visible_cache:
        visible_cache[key] = check.reference_function()(**_for_reference(inputs))
    return copy.deepcopy(visible_cache[key])


def _digest(inputs: dict) -> str:
    import hashlib

    h = hashlib.sha256()

    def feed(value):
        if isinstance(value, Rng):
            h.update(f"rng{value.seed}".encode())
        elif hasattr(value, "tobytes") and hasattr(value, "dtype"):
            h.update(f"{value.dtype}{getattr(value, 'shape', ())}".encode() + value.tobytes())
        elif isinstance(value, dict):
            for key in sorted(value, key=str):
                h.update(repr(key).encode())
                feed(value[key])
        elif isinstance(value, (list, tuple)):
            h.update(f"{type(value).__name__}{len(value)}".encode())
            for item in value:
                feed(item)
        else:
            h.update(repr(value).encode())

    feed(inputs)
    return h.hexdigest()


def _fired_hints(check: Check, inputs: dict, got, expected) -> list[str]:
    fired = []
    for hint in check.hints:
        try:
            if hint.detect(copy.deepcopy(inputs), got, expected):
                fired.append(hint.message)
        except Exception:  # a detector must never cost the student a grade
            continue
    return fired


def _for_reference(inputs: dict) -> dict:
    """Copies for the reference, with generators rebuilt from their seeds."""
    return {k: (v.make() if isinstance(v, Rng) else copy.deepcopy(v)) for k, v in inputs.items()}


def _preview(mismatch):
    """The picture of a visible failure; an odd value only loses its picture."""
    try:
        return mismatch.preview()
    except Exception:
        return None


def _mutated_message(function: str, names, inputs: dict) -> str:
    # Only the names of real arguments: the student process says which ones
    # changed, and could say anything (e.g. a hidden input's value).
    named = [name for name in inputs if name in names]
    which = f"its input {', '.join(named)}" if named else "its inputs"
    return (f"{function} modified {which} in place; work on a copy "
            "(e.g. x = x.copy()) or build new arrays")


def _fail(result: TestResult, kind: str, feedback: str) -> None:
    result.passed, result.kind, result.feedback = False, kind, feedback


def _missing_message(function: str, session: Session) -> str:
    message = f"{function} is not defined in your notebook"
    broken = [p for p in session.cell_errors if p.kind not in ("NotImplementedError",)]
    if broken:
        first = broken[0]
        where = f"code cell {first.cell + 1}" if first.cell >= 0 else "the notebook"
        message += f" ({where} failed: {first.kind}: {first.message[:200]})"
    return message


def _call_failure(function: str, call: CallResult, session: Session,
                  hidden: bool = False) -> tuple[str, str]:
    """Kind and feedback for a call that did not return a value. For hidden
    cases only grader-made words are used: exception messages, tracebacks and
    exit codes are the student's to choose and could carry the hidden inputs."""
    if call.kind != kinds.EXCEPTION:
        if hidden and call.kind == kinds.CRASH:
            return call.kind, f"{function} crashed the student process on a hidden test"
        if hidden and call.kind == kinds.PROTOCOL:  # the reason may quote what the student sent
            return call.kind, f"{function} sent an answer that could not be read on a hidden test"
        return call.kind, call.message
    if call.error_type == "NotImplementedError":
        return kinds.NOT_IMPLEMENTED, f"{function} is not implemented yet (it still raises NotImplementedError)"
    if call.error_type == "ForbiddenModuleError":
        # Name the library only when it is one of ours: the report is the student's text.
        named = sorted({n.split(".")[0] for n in call.forbidden} & set(session.forbidden))
        which = f" ({', '.join(named)})" if named else ""
        return kinds.FORBIDDEN, (f"{function} uses a library that is not allowed in this assignment"
                             f"{which}: NumPy only")
    if call.error_type == "MemoryError":
        return kinds.MEMORY, (f"{function} ran out of memory (limit {session.limits.memory_mb} MB); "
                          "avoid building huge intermediate arrays")
    if hidden:
        name = call.error_type if call.error_type in _BUILTIN_EXCEPTIONS else "an exception"
        return kinds.ERROR, (f"{function} raised {name} on a hidden test (messages of hidden tests are "
                         "not shown; a visible test with the same situation shows the details)")
    text = f"{function} raised {call.error_type}: {call.message}".rstrip(": ")
    if call.traceback:
        text += "\n" + call.traceback.rstrip()
    return kinds.ERROR, text


_BUILTIN_EXCEPTIONS = {name for name, obj in vars(builtins).items()
                       if isinstance(obj, type) and issubclass(obj, BaseException)}