"""The student kit's self-check: the public cases, shipped as data, judged in
the student's own kernel the way the grader judges them.

The kit (`grade kit`) holds, per assignment, `data/<id>.json`: for every
graded function its comparison settings, and for every public case the
inputs, the expected value (None for property checks), tolerances and the
hints' facts (student_side/hintdata.py). The comparison (compare.py), the
hint verdicts (hintdata.fires), the property checks and drivers (the course's
student-side modules) are the grader's own code, so every public case gets
the grader's pass/fail and hints. Nothing here computes an expected value.

Standard library and NumPy only; relative imports (this folder is
`dlphys_selfcheck.engine` inside the kit).
"""
from __future__ import annotations

import copy
import importlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import hintdata, kinds, wire
from .kitcall import call_student
from .compare import compare

# Kinds that say "nothing to look at yet": one row per function, not one per case.
NOT_STARTED = (kinds.NOT_IMPLEMENTED, kinds.MISSING)

_KIT = __package__.rpartition(".")[0]          # "dlphys_selfcheck" inside the kit
_DATA = Path(__file__).resolve().parent.parent / "data"
_loaded: dict = {}


# ---------------------------------------------------------------- data

def index() -> dict:
    """{assignment id: {"title", "functions"}} of every assignment in the kit."""
    return _json("index")


def assignment(assignment_id: str) -> dict:
    if assignment_id not in index():
        raise ValueError(f"unknown assignment {assignment_id!r}; this kit knows: "
                         f"{', '.join(index())}")
    return _json(assignment_id)


def _json(name: str):
    if name not in _loaded:
        _loaded[name] = json.loads((_DATA / f"{name}.json").read_text(encoding="utf-8"))
    return _loaded[name]


def course_module(assignment_id: str):
    """The course's student-side code of one assignment (drivers, property checks,
    hint predicates), shipped in the kit as `<kit>.course.<id>`."""
    return importlib.import_module(f"{_KIT}.course.{assignment_id}")


# ---------------------------------------------------------------- results

@dataclass
class CaseResult:
    function: str
    label: str
    index: int
    passed: bool = False
    kind: str = ""            # "passed", "wrong", "error", "missing", "not_implemented", "timeout", ...
    feedback: str = ""
    hints: list = field(default_factory=list)
    fraction: float = 0.0


def _fail(result: CaseResult, kind: str, feedback: str) -> None:
    result.passed, result.kind, result.feedback = False, kind, feedback


class _CallFailed(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind, self.message = kind, message


# ---------------------------------------------------------------- judging

def run_function(assignment_id: str, spec: dict, namespace: dict) -> list[CaseResult]:
    """Every public case of one graded function (`spec` from the data file)."""
    function = spec["function"]
    target = namespace.get(function)
    results, fatal = [], None
    for case in spec["cases"]:
        result = CaseResult(function, case["label"], case["index"])
        if not callable(target):
            _fail(result, kinds.MISSING, f"{function} is not defined yet: run the cell that defines "
                  "it first (and keep its name)")
        elif fatal is not None:  # as in the grader: after a call that ran too long, stop
            _fail(result, fatal.kind, f"not run: an earlier test of {function} failed with: "
                  f"{fatal.feedback.splitlines()[0]}")
        else:
            try:
                _run_case(assignment_id, spec, case, target, result)
            except Exception as exc:  # whatever the function returned tripped the check
                _fail(result, kinds.WRONG, f"the answer of {function} could not be handled "
                      f"({type(exc).__name__})")
            if result.kind == kinds.TIMEOUT:
                fatal = result
        results.append(result)
    return results


def _run_case(assignment_id: str, spec: dict, case: dict, target, result: CaseResult) -> None:
    inputs = wire.decode(case["inputs"])      # generators stay seeds (RngSpec) until the call
    module = course_module(assignment_id) if (spec.get("verify") or spec.get("driver")
                                               or _uses_local(spec)) else None
    driver = getattr(module, "run") if spec.get("driver") else None
    timeout = spec[kinds.TIMEOUT]

    def call(**kwargs):
        global_seed = kwargs.pop("_global_seed", None)
        outcome = call_student(target, kwargs, timeout=timeout, global_seed=global_seed,
                               driver=driver)
        if not outcome.ok:
            raise _CallFailed(*_call_failure(spec["function"], outcome))
        if outcome.mutated:
            raise _CallFailed(kinds.WRONG, _mutated_message(spec["function"], outcome.mutated, kwargs))
        return outcome

    local = (lambda name: getattr(module, name)) if module is not None else None
    if spec.get("verify"):
        return _run_property_case(spec, case, inputs, call, getattr(module, spec["verify"]),
                                  local, result)
    try:
        outcome = call(**copy.deepcopy(inputs))
    except _CallFailed as failed:
        return _fail(result, failed.kind, failed.message)
    expected = wire.decode(case["expected"])
    got = outcome.value
    mismatch = compare(got, expected, rtol=case.get("rtol") or spec["rtol"],
                       atol=case["atol"] if case.get("atol") is not None else spec["atol"],
                       hidden=False, returns=spec["returns"], names=spec.get("outputs"))
    if spec.get("warning_free") and outcome.warnings:
        _fail(result, kinds.WRONG, "NumPy warned during the call: " + "; ".join(outcome.warnings)
              + ". The result must be computed without overflow, invalid operations or "
              "division by zero.")
        result.hints = _fired(spec, case, {**inputs, hintdata.WARNINGS_KEY: list(outcome.warnings)},
                              got, expected, local)
        return
    if mismatch is None:
        result.passed, result.kind = True, kinds.PASSED
        return
    _fail(result, kinds.WRONG, mismatch.message)
    result.hints = _fired(spec, case, inputs, got, expected, local)


def _run_property_case(spec, case, inputs, call, verify, local, result) -> None:
    last = {}

    def value_call(**kwargs):
        outcome = call(**kwargs)
        last["value"] = outcome.value
        return outcome.value

    try:
        problems = verify(value_call, dict(inputs), **wire.decode(case.get("verify_args") or {}))
    except _CallFailed as failed:
        return _fail(result, failed.kind, failed.message)
    except Exception as exc:
        problems = [f"the returned value could not be checked ({type(exc).__name__}: {exc})"]
    if hasattr(problems, "fraction"):  # a Partial score (e.g. a physics metric)
        result.fraction = min(max(float(problems.fraction), 0.0), 1.0)
        result.passed = result.fraction >= 1.0
        result.kind = kinds.PASSED if result.passed else (kinds.PARTIAL if result.fraction > 0 else kinds.WRONG)
        result.feedback = problems.message
    elif not problems:
        result.passed, result.kind = True, kinds.PASSED
        return
    else:
        _fail(result, kinds.WRONG, "; ".join(str(p) for p in problems))
    if not result.passed and "value" in last:
        result.hints = _fired(spec, case, inputs, last["value"], None, local)


def _uses_local(spec: dict) -> bool:
    return any("local" in json.dumps(facts) for case in spec["cases"] for facts in case["hints"])


def _fired(spec, case, inputs, got, expected, local) -> list[str]:
    return [message for message, facts in zip(spec["hints"], case["hints"])
            if hintdata.fires(wire.decode(facts), got, expected, copy.deepcopy(inputs), local)]


def _call_failure(function: str, outcome) -> tuple[str, str]:
    if outcome.kind != kinds.EXCEPTION:
        return outcome.kind, outcome.message
    if outcome.error_type == "NotImplementedError":
        return kinds.NOT_IMPLEMENTED, (f"{function} is not implemented yet (it still raises "
                                   "NotImplementedError)")
    text = f"{function} raised {outcome.error_type}: {outcome.message}".rstrip(": ")
    if outcome.traceback:
        text += "\n" + outcome.traceback.rstrip()
    return kinds.ERROR, text


def _mutated_message(function: str, names, inputs: dict) -> str:
    named = [name for name in inputs if name in names]
    which = f"its input {', '.join(named)}" if named else "its inputs"
    return (f"{function} modified {which} in place; work on a copy "
            "(e.g. x = x.copy()) or build new arrays")


def run(assignment_id: str, functions: list[str], namespace: dict):
    """The public cases of `functions` -> a `report.Report`."""
    from .report import Report

    data = assignment(assignment_id)
    specs = {spec["function"]: spec for spec in data["functions"]}
    start = time.perf_counter()
    tests, hidden, grader_only = [], 0, 0
    for function in functions:
        tests += run_function(assignment_id, specs[function], namespace)
        hidden += specs[function]["hidden"]
        grader_only += specs[function].get("grader_only", 0)
    return Report(assignment_id, list(functions), tests, hidden, time.perf_counter() - start,
                  grader_only)
