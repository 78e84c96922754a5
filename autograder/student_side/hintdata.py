"""Hints shipped as data, and the one function that says whether one fires.

A hint detector in data form has two halves. On the grader's side,
`facts(inputs, expected)` (autograder/hints.py) turns a case's inputs into
plain data: for "matches", the wrong outputs each known mistake gives on these
very inputs; for "scaled", the suspicious factors. Here, `fires(facts, got,
expected, inputs)` decides from that data and the student's value alone. The
grader's own detectors are `fires(facts(inputs, expected), ...)`, so the
grader and the student kit give the same hints by construction; nothing here
can compute a graded function's answer on new inputs.

Standard library and NumPy only: this file runs in the sandbox and in the kit.

Facts (all JSON/wire-encodable):
  {"kind": "matches", "wrong": [value or None, ...], "part", "rtol", "atol", "same"}
  {"kind": "scaled", "factors": [float, ...], "parts": [int or None, ...], "rtol", "atol"}
  {"kind": "any_of", "items": [facts, ...]}
  {"kind": "float32_rounding", "part", "rtol"}
  {"kind": "predicate", "name": <a name in PREDICATES>, "args": {...}}
  {"kind": "local", "name": <a function of the assignment's student-side module>}
"""
from __future__ import annotations

import warnings

import numpy as np

# Key under which the runner passes the NumPy warnings a call raised (a list
# of strings like "RuntimeWarning: overflow encountered in exp") to the
# detectors of a warning_free check. Detectors must work without it.
WARNINGS_KEY = "_warnings"


# ---------------------------------------------------------------- value helpers

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


SAME = {"close": close, "close_nonfinite": close_nonfinite, "close_nested": close_nested}


def pick(value, part: int | None):
    """Element `part` of a tuple/list result (None: the whole value)."""
    if part is None:
        return value
    if isinstance(value, (list, tuple)) and -len(value) <= part < len(value):
        return value[part]
    raise LookupError(part)


def shape_of(value) -> tuple | None:
    """Shape of a numeric value, or None."""
    arr = as_float_array(value)
    return None if arr is None else arr.shape


def dtype_kind(value) -> str | None:
    """NumPy dtype kind of an array value ("f", "i", "b", ...), None otherwise."""
    return value.dtype.kind if isinstance(value, np.ndarray) else None


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


# ---------------------------------------------------------------- the forms

def _matches(facts, got, expected, inputs, local) -> bool:
    part, rtol, atol = facts.get("part"), facts["rtol"], facts["atol"]
    same = SAME[facts.get("same", "close")]
    g = pick(got, part)
    right = close_nested if facts.get("same") == "close_nested" else close
    if right(g, pick(expected, part), rtol, atol):
        return False  # a right answer is never a mistake, whatever else it resembles
    return any(wrong is not None and same(g, wrong, rtol, atol) for wrong in facts["wrong"])


def _scaled(facts, got, expected, inputs, local) -> bool:
    rtol, atol = facts["rtol"], facts["atol"]
    cs = [float(c) for c in facts["factors"] if not np.isclose(float(c), 1.0)]
    for part in facts["parts"]:
        g, e = pick(got, part), as_float_array(pick(expected, part))
        if e is None or close(g, e, rtol, atol) or not np.any(np.abs(e) > atol):
            continue  # right, or expected ~0 where every scale looks alike
        if any(close(g, c * e, rtol, atol) for c in cs):
            return True
    return False


def _any_of(facts, got, expected, inputs, local) -> bool:
    return any(fires(item, got, expected, inputs, local) for item in facts["items"])


def _float32_rounding(facts, got, expected, inputs, local) -> bool:
    part, rtol = facts.get("part"), facts["rtol"]
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


def _predicate(facts, got, expected, inputs, local) -> bool:
    return PREDICATES[facts["name"]](got, expected, **facts.get("args", {}))


def _local(facts, got, expected, inputs, local) -> bool:
    if local is None:
        return False
    return local(facts["name"])(inputs if inputs is not None else {}, got, expected,
                                **facts.get("args", {}))


# ---------------------------------------------------------------- generic predicates
# On the student's value and the expected one; their arguments are plain data
# (the grader may derive them from a case's inputs: a crop, a shape).

def _wrong_and(got, expected, part, test) -> bool:
    g, e = pick(got, part), pick(expected, part)
    return not close(g, e) and bool(test(g, e))


_TRANSFORMS = {"flip_hw": lambda a: np.asarray(a)[::-1, ::-1],
               "transpose": lambda a: np.asarray(a).T}


def transformed(got, expected, part=None, transform="transpose") -> bool:
    """The value is wrong but equals the expected one flipped/transposed."""
    return _wrong_and(got, expected, part, lambda g, e: close(g, _TRANSFORMS[transform](e)))


def cropped(got, expected, part=None, pads=((0, 0), (0, 0))) -> bool:
    """The value has another shape, and cutting `pads` ((top, bottom), (left, right))
    off its axes 1 and 2 gives the expected value (an uncropped padded array)."""
    g, e = np.asarray(pick(got, part)), np.asarray(pick(expected, part))
    (top, _), (left, _) = pads
    return (shape_of(g) != np.shape(e) and g.ndim == 4
            and close(g[:, top:top + e.shape[1], left:left + e.shape[2]], e))


def shape_is(got, expected, part=None, shapes=(), unless_right=True) -> bool:
    """The value (or its element `part`) has one of `shapes` (and is not right)."""
    g = pick(got, part)
    if unless_right and close(g, pick(expected, part) if expected is not None else None):
        return False
    return shape_of(g) in [tuple(s) for s in shapes]


def dtype_close(got, expected, kinds="b") -> bool:
    """The right numbers in an array of the wrong kind (e.g. bool or int for floats)."""
    return dtype_kind(got) in tuple(kinds) and close(got, expected)


PREDICATES = {
    "dtype_close": dtype_close,
    "nonfinite_where_finite": lambda got, expected, part=None: nonfinite_where_finite(got, expected, part),
    "transformed": transformed,
    "cropped": cropped,
    "shape_is": shape_is,
}

FORMS = {"matches": _matches, "scaled": _scaled, "any_of": _any_of,
         "float32_rounding": _float32_rounding, "predicate": _predicate, "local": _local}


def fires(facts, got, expected, inputs=None, local=None) -> bool:
    """Does the hint described by `facts` fire for the student's value `got`?

    `inputs` are the case's inputs (with WARNINGS_KEY when recorded), needed
    only by "local" predicates; `local(name)` returns such a predicate from the
    assignment's student-side module. Never raises, never warns."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return bool(FORMS[facts["kind"]](facts, got, expected, inputs, local))
    except Exception:  # a hint must never break the check
        return False
