"""Small building blocks for hint detectors.

A detector is `detect(inputs, got, expected) -> bool` (see `spec.Hint`). It
looks at what the student returned and says whether it looks like one known
mistake. Detectors run on the grader side, on values decoded from the student
process, so `got` can be anything: a wrong shape, a list, None, an
`Unsupported` marker. Rules every detector here follows:

- never raise (an exception means "no"), never warn (the alternatives we
  recompute may overflow on purpose), stay cheap (NumPy on small inputs);
- never fire on a correct answer: a value close to `expected` is not a
  mistake, whatever else it also resembles.

Only NumPy here: the grader may have TensorFlow loaded, but a detector should
not need it.

The building blocks (`matches`, `scaled`, `any_of`, `float32_rounding`,
`local`, `predicate`) are data detectors: their `facts(inputs, expected)` is
plain data and their verdict is `student_side.hintdata.fires(facts, ...)`, so
the student kit ships the facts of the public cases and decides exactly as the
grader does, without the code that recomputes mistakes (with the mistake
switched off, that code would be the answer key).
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from autograder.student_side import hintdata
from autograder.student_side.hintdata import (  # noqa: F401  (the check tables' vocabulary)
    WARNINGS_KEY, as_float_array, close, close_nested, close_nonfinite, dtype_kind,
    nonfinite_where_finite, pick, shape_of, warned)

Detector = Callable[[dict, Any, Any], bool]


def safe(detect: Callable[[dict, Any, Any], Any]) -> Detector:
    """Wrap a detector so it returns a plain bool, swallows every exception
    and runs with floating-point warnings silenced."""
    @functools.wraps(detect)
    def wrapped(inputs, got, expected):
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. "Mean of empty slice" on odd values
                return bool(detect(inputs, got, expected))
        except Exception:  # a detector must never break the grading
            return False
    return wrapped


class DataDetector:
    """A detector in data form (see student_side/hintdata.py): `facts(inputs,
    expected)` is plain data, and the verdict is `hintdata.fires(facts, ...)`,
    exactly what the student kit computes from the same data. `local` maps the
    names of student-side predicates used by "local" facts to the functions."""

    def __init__(self, make_facts: Callable[[dict, Any], dict], local: dict | None = None):
        self._make_facts = make_facts
        self.local = dict(local or {})

    def facts(self, inputs: dict, expected) -> dict:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mistakes recomputed here may overflow on purpose
            return self._make_facts(inputs, expected)

    def __call__(self, inputs, got, expected) -> bool:
        try:
            facts = self.facts(inputs, expected)
        except Exception:
            return False
        return hintdata.fires(facts, got, expected, inputs, self.local.get)


def _wrong(alt, inputs):
    try:
        with np.errstate(all="ignore"):
            return alt(inputs)
    except Exception:
        return None


def matches(*alternatives: Callable[[dict], Any], part: int | None = None,
            rtol: float = 1e-6, atol: float = 1e-9, same: str = "close") -> DataDetector:
    """Detector: the student's value (or its element `part`) equals what one
    of `alternatives(inputs)` computes (the wrong answer of a known mistake)
    but not the expected value. An alternative may return None for "this
    mistake can't show on these inputs". `same` names the comparison with the
    wrong answer in `hintdata.SAME` ("close", "close_nonfinite", "close_nested").
    The alternatives run here, on the grader: the kit gets only their values
    on the public inputs."""
    if same not in hintdata.SAME:
        raise ValueError(f"unknown comparison {same!r}")
    return DataDetector(lambda inputs, expected: {
        "kind": "matches", "wrong": [_wrong(alt, inputs) for alt in alternatives],
        "part": part, "rtol": rtol, "atol": atol, "same": same})


def scaled(factors: Callable[[dict], Iterable[float]], parts: Sequence[int | None] = (None,),
           rtol: float = 1e-6, atol: float = 1e-9) -> DataDetector:
    """Detector: for some element in `parts`, the student's value is
    `c * expected` for one of `factors(inputs)` (e.g. a missing 1/N or 2),
    while not being the expected value itself. Factors equal to 1 are ignored
    so that a degenerate case (n_out = 1) can't accuse anyone."""
    return DataDetector(lambda inputs, expected: {
        "kind": "scaled", "factors": [float(c) for c in factors(inputs)], "parts": list(parts),
        "rtol": rtol, "atol": atol})


def any_of(*detectors: Detector) -> Detector:
    """Detector that fires when one of `detectors` does (e.g. the same
    mistake showing in dx or in dw). Of data detectors, a data detector."""
    if all(isinstance(d, DataDetector) for d in detectors):
        local = {name: fn for d in detectors for name, fn in d.local.items()}
        return DataDetector(lambda inputs, expected: {
            "kind": "any_of", "items": [d.facts(inputs, expected) for d in detectors]}, local)

    @safe
    def detect(inputs, got, expected):
        return any(d(inputs, got, expected) for d in detectors)
    return detect


def local(predicate: Callable[..., Any], make_args: Callable[[dict], dict] | None = None) -> DataDetector:
    """Detector from a predicate kept in the course's checks/student_side/<id>.py:
    it looks at the student's value (and the case's inputs or expected value)
    and computes no answer, so it may ship to students as code. `make_args(inputs)`
    (grader side) may hand it data, e.g. the outputs of a mistake on these inputs."""
    return DataDetector(lambda inputs, expected: {
        "kind": "local", "name": predicate.__name__,
        "args": make_args(inputs) if make_args else {}}, {predicate.__name__: predicate})


def predicate(name: str, make_args: Callable[[dict], dict] | None = None, **args) -> DataDetector:
    """Detector from a generic predicate of `hintdata.PREDICATES`, with fixed
    `args` and those `make_args(inputs)` derives from the case (e.g. a crop)."""
    if name not in hintdata.PREDICATES:
        raise ValueError(f"unknown predicate {name!r}")
    return DataDetector(lambda inputs, expected: {
        "kind": "predicate", "name": name,
        "args": {**args, **(make_args(inputs) if make_args else {})}})


def detector(fn: Callable[[dict, Any, Any], Any]) -> Detector:
    """Hand-written detector made safe (alias of `safe`, reads better at the
    definition site: `@hints.detector`). Grader-only: the student kit cannot
    ship it (`grade kit` refuses); prefer the data forms above or `local`."""
    return safe(fn)


# ---------------------------------------------------------------- numerical stability
# Helpers for "stable"/"warning-free" functions (activations, softmax,
# cross-entropy), where a wrong answer is often NaN or inf rather than a
# wrong number.

def matches_nonfinite(*alternatives: Callable[[dict], Any], part: int | None = None,
                      rtol: float = 1e-6, atol: float = 1e-9) -> Detector:
    """Detector: like `matches`, but the comparison treats NaN/inf entries as
    equal when they sit in the same places (a naive formula that overflows)."""
    return matches(*alternatives, part=part, rtol=rtol, atol=atol, same="close_nonfinite")


# ---------------------------------------------------------------- float32 rounding
# The course requires float64 (NumPy's default): answers are compared to 1e-6
# relative, and float32 keeps only about 7 significant digits.

FLOAT32_MESSAGE = ("Your values match the expected ones only to float32 precision: somewhere a "
                   "float32 step (dtype=np.float32, np.float32(...), a float32 copy of the input) "
                   "rounds them. Compute in float64, NumPy's default, as the notebook asks.")


def float32_rounding(part: int | None = None, rtol: float = 1e-4) -> DataDetector:
    """Detector: the student's value (or its element `part`) is wrong at the
    check's tolerance but within `rtol` of the expected one, and it carries
    float32's mark: a float32 dtype, or every entry exactly representable in
    float32 (values computed in float64 practically never are)."""
    return DataDetector(lambda inputs, expected: {"kind": "float32_rounding", "part": part,
                                                  "rtol": rtol})
