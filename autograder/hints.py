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
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Iterable, Sequence

import numpy as np

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


def as_float_array(value) -> np.ndarray | None:
    """`value` as a float64 array, or None when it is not numeric data
    (ragged lists, None, strings, Unsupported markers, complex numbers)."""
    try:
        if isinstance(value, (str, bytes)) or value is None:
            return None
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            return None
        return arr.astype(np.float64)
    except Exception:
        return None


def close(a, b, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Shape-aware closeness that answers False instead of raising.

    Numbers and arrays must have the same shape (a (1,) array is not a
    scalar). Tuples/lists of arrays (e.g. (dW, db)) are compared element by
    element and must have the same length.
    """
    try:
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            if len(a) != len(b):
                return False
            if any(isinstance(v, (list, tuple, np.ndarray)) for v in (*a, *b)):
                return all(close(x, y, rtol, atol) for x, y in zip(a, b))
        x, y = as_float_array(a), as_float_array(b)
        if x is None or y is None or x.shape != y.shape:
            return False
        with np.errstate(all="ignore"):
            return bool(np.allclose(x, y, rtol=rtol, atol=atol))
    except Exception:
        return False


def pick(value, part: int | None):
    """Element `part` of a tuple/list result (None: the whole value)."""
    if part is None:
        return value
    if isinstance(value, (list, tuple)) and -len(value) <= part < len(value):
        return value[part]
    raise LookupError(part)


def matches(*alternatives: Callable[[dict], Any], part: int | None = None,
            rtol: float = 1e-6, atol: float = 1e-9, same=None) -> Detector:
    """Detector: the student's value (or its element `part`) equals what one
    of `alternatives(inputs)` computes (the wrong answer of a known mistake)
    but not the expected value. An alternative may return None for "this
    mistake can't show on these inputs". `same` compares with the wrong answer
    (default `close`)."""
    same = same or close

    @safe
    def detect(inputs, got, expected):
        g = pick(got, part)
        if close(g, pick(expected, part), rtol, atol):
            return False
        for alt in alternatives:
            try:
                with np.errstate(all="ignore"):
                    wrong = alt(inputs)
            except Exception:
                continue
            if wrong is not None and same(g, wrong, rtol, atol):
                return True
        return False
    return detect


def scaled(factors: Callable[[dict], Iterable[float]], parts: Sequence[int | None] = (None,),
           rtol: float = 1e-6, atol: float = 1e-9) -> Detector:
    """Detector: for some element in `parts`, the student's value is
    `c * expected` for one of `factors(inputs)` (e.g. a missing 1/N or 2),
    while not being the expected value itself. Factors equal to 1 are ignored
    so that a degenerate case (n_out = 1) can't accuse anyone."""
    @safe
    def detect(inputs, got, expected):
        cs = [float(c) for c in factors(inputs) if not np.isclose(float(c), 1.0)]
        for part in parts:
            g, e = pick(got, part), as_float_array(pick(expected, part))
            if e is None or close(g, e, rtol, atol) or not np.any(np.abs(e) > atol):
                continue  # right, or expected ~0 where every scale looks alike
            if any(close(g, c * e, rtol, atol) for c in cs):
                return True
        return False
    return detect


def any_of(*detectors: Detector) -> Detector:
    """Detector that fires when one of `detectors` does (e.g. the same
    mistake showing in dx or in dw)."""
    @safe
    def detect(inputs, got, expected):
        return any(d(inputs, got, expected) for d in detectors)
    return detect


def detector(fn: Callable[[dict, Any, Any], Any]) -> Detector:
    """Hand-written detector made safe (alias of `safe`, reads better at the
    definition site: `@hints.detector`)."""
    return safe(fn)


def shape_of(value) -> tuple | None:
    """Shape of a numeric value, or None."""
    arr = as_float_array(value)
    return None if arr is None else arr.shape


# ---------------------------------------------------------------- numerical stability
# Helpers for "stable"/"warning-free" functions (activations, softmax,
# cross-entropy), where a wrong answer is often NaN or inf rather than a
# wrong number.

# Key under which the runner may pass the NumPy warnings a call raised (a list
# of strings like "RuntimeWarning: overflow encountered in exp") to the
# detectors of a warning_free check. Detectors must work without it.
WARNINGS_KEY = "_warnings"


def warned(inputs: dict, *words: str) -> bool:
    """True when the recorded warnings of the call (inputs[WARNINGS_KEY], if
    the runner provides them) mention one of `words` (e.g. "overflow")."""
    try:
        recorded = inputs.get(WARNINGS_KEY) or ()
        return any(w in str(r) for r in recorded for w in words)
    except Exception:
        return False


def nonfinite_where_finite(got, expected, part: int | None = None) -> bool:
    """True when the student's value (or its element `part`) has NaN or inf
    entries where the expected value is finite (same shape required)."""
    try:
        g, e = as_float_array(pick(got, part)), as_float_array(pick(expected, part))
        if g is None or e is None or g.shape != e.shape:
            return False
        return bool(np.any(~np.isfinite(g) & np.isfinite(e)))
    except Exception:
        return False


def close_nonfinite(a, b, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Like `close`, but NaN equals NaN and inf equals inf of the same sign, so
    a broken formula's output (NaN in some rows) can be recognised."""
    try:
        x, y = as_float_array(a), as_float_array(b)
        if x is None or y is None or x.shape != y.shape:
            return False
        with np.errstate(all="ignore"):
            return bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True))
    except Exception:
        return False


def matches_nonfinite(*alternatives: Callable[[dict], Any], part: int | None = None,
                      rtol: float = 1e-6, atol: float = 1e-9) -> Detector:
    """Detector: like `matches`, but the comparison treats NaN/inf entries as
    equal when they sit in the same places (a naive formula that overflows)."""
    return matches(*alternatives, part=part, rtol=rtol, atol=atol, same=close_nonfinite)


def dtype_kind(value) -> str | None:
    """NumPy dtype kind of an array value ("f", "i", "b", ...), None otherwise."""
    return value.dtype.kind if isinstance(value, np.ndarray) else None


def close_nested(a, b, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """`close` that also walks dicts (same keys, e.g. a dict of gradients) and
    tuples/lists that hold dicts; answers False instead of raising."""
    try:
        if isinstance(a, dict) or isinstance(b, dict):
            return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                    and all(close_nested(a[k], b[k], rtol, atol) for k in a))
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) \
                and any(isinstance(v, dict) for v in (*a, *b)):
            return len(a) == len(b) and all(close_nested(x, y, rtol, atol) for x, y in zip(a, b))
        return close(a, b, rtol, atol)
    except Exception:
        return False


# ---------------------------------------------------------------- float32 rounding
# The course requires float64 (NumPy's default): answers are compared to 1e-6
# relative, and float32 keeps only about 7 significant digits.

FLOAT32_MESSAGE = ("Your values match the expected ones only to float32 precision: somewhere a "
                   "float32 step (dtype=np.float32, np.float32(...), a float32 copy of the input) "
                   "rounds them. Compute in float64, NumPy's default, as the notebook asks.")


def float32_rounding(part: int | None = None, rtol: float = 1e-4) -> Detector:
    """Detector: the student's value (or its element `part`) is wrong at the
    check's tolerance but within `rtol` of the expected one, and it carries
    float32's mark: a float32 dtype, or every entry exactly representable in
    float32 (values computed in float64 practically never are)."""
    @safe
    def detect(inputs, got, expected):
        g, e = pick(got, part), pick(expected, part)
        x, y = as_float_array(g), as_float_array(e)
        if x is None or y is None or x.shape != y.shape or close(x, y):
            return False
        scale = float(np.max(np.abs(y))) if y.size else 0.0
        if not np.allclose(x, y, rtol=rtol, atol=rtol * scale * 1e-3 + 1e-300):
            return False
        if isinstance(g, np.ndarray) and g.dtype == np.float32:
            return True
        return bool(np.array_equal(x, x.astype(np.float32).astype(np.float64)))
    return detect
