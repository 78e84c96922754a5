"""Is the student's value the expected one? Type first, then shape, dtype, values.

`compare` returns None when the value is right and otherwise a `Mismatch` with
a message. Messages for hidden cases say what kind of thing is wrong but no
shapes or numbers that would reveal the hidden inputs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .wire import Unsupported


def printable(text: str) -> str:
    """Text that encodes as UTF-8 (as autograder.names.printable: this module
    must run without the grader, in the student kit)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class Mismatch:
    message: str
    path: str = ""      # which part of the output, e.g. "dW" or "batch 2"
    got: object = None        # the offending arrays (visible cases only), for pictures
    expected: object = None

    def preview(self, limit: int = 16) -> dict | None:
        """A small, JSON-able picture of the offending arrays: the first 2-D
        slice of each (at most limit x limit), shapes and errors."""
        if not isinstance(self.got, np.ndarray) or not isinstance(self.expected, np.ndarray):
            return None
        out = {"part": self.path, "got_shape": list(self.got.shape),
               "expected_shape": list(self.expected.shape),
               "got": _slice2d(self.got, limit), "expected": _slice2d(self.expected, limit)}
        if self.got.shape == self.expected.shape and self.got.dtype.kind in "biuf":
            diff = np.abs(self.got.astype(float) - self.expected.astype(float))
            finite = diff[np.isfinite(diff)]
            out["max_abs_error"] = float(finite.max()) if finite.size else None
            scale = float(np.max(np.abs(self.expected))) if self.expected.size else 0.0
            out["max_rel_error"] = (out["max_abs_error"] / scale) if scale and finite.size else None
        return out


def _slice2d(arr: np.ndarray, limit: int) -> list:
    """NHWC images -> first image, first channel; anything -> its first 2-D slice."""
    a = np.asarray(arr, dtype=float) if arr.dtype.kind in "biuf" else np.zeros((1, 1))
    if a.size == 0:  # e.g. a (0, 3, 4, 1) batch: nothing to picture
        return []
    if a.ndim == 4:
        a = a[0, :, :, 0]
    while a.ndim > 2:
        a = a[0]
    if a.ndim < 2:
        a = a.reshape(1, -1)
    a = a[:limit, :limit]
    return [[None if not np.isfinite(v) else round(float(v), 6) for v in row] for row in a]


def _describe(value, hidden: bool = False) -> str:
    if isinstance(value, Unsupported):
        # The type's name is the student's to choose: on a hidden test it could carry the inputs.
        return "an object of a type that cannot be graded" if hidden else f"a {printable(value.type_name)} object"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    return f"a {type(value).__name__}"


def _kind_of(expected) -> str:
    """What a part of a structured expected value asks for."""
    if isinstance(expected, np.ndarray):
        return "array"
    if isinstance(expected, (list, tuple, dict)):
        return "list"
    if isinstance(expected, (int, np.integer)) and not isinstance(expected, bool):
        return "int"
    return "scalar"


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < 2 ** 1000   # 10**400 is an int, but no float can hold it
    if isinstance(value, (float, np.integer, np.floating)):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"


def compare(got, expected, *, rtol: float, atol: float, hidden: bool, returns: str = "array",
            names=None, path: str = "") -> Mismatch | None:
    """Dispatch on the structure of the expected value (returns says what was asked for)."""
    where = f"{path}: " if path else ""
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)):
            return Mismatch(f"{where}expected a tuple of {len(expected)} values, got {_describe(got, hidden)}", path)
        if len(got) != len(expected):
            return Mismatch(f"{where}expected a tuple of {len(expected)} values, got "
                            f"{'a different number' if hidden else len(got)}", path)
        labels = [names[i] if names and i < len(names) else f"element {i}" for i in range(len(expected))]
        return _parts_verdict([(label, compare(g, e, rtol=rtol, atol=atol, hidden=hidden,
                                               returns=_kind_of(e), path=label))
                               for label, g, e in zip(labels, got, expected)], got, expected,
                              rtol, atol, hidden)
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return Mismatch(f"{where}expected a dict with keys {sorted(expected)}, got {_describe(got, hidden)}", path)
        missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
        if missing or extra:
            unexpected = ("some keys that were not asked for" if extra else "none") if hidden else extra
            return Mismatch(f"{where}dict keys differ: missing {missing}, unexpected {unexpected}", path)
        keys = list(expected)
        verdicts = []
        for key in keys:
            label = f"{path}[{key!r}]" if path else key
            verdicts.append((label, compare(got[key], expected[key], rtol=rtol, atol=atol,
                                            hidden=hidden, returns=_kind_of(expected[key]),
                                            path=label)))
        return _parts_verdict(verdicts, [got[k] for k in keys], [expected[k] for k in keys],
                              rtol, atol, hidden)
    if isinstance(expected, list) and returns == "list":
        if not isinstance(got, (list, tuple)):
            return Mismatch(f"{where}expected a list, got {_describe(got, hidden)}", path)
        if len(got) != len(expected):
            return Mismatch(f"{where}expected a list of {len(expected)} items, got "
                            f"{'a different number' if hidden else len(got)}", path)
        for i, (g, e) in enumerate(zip(got, expected)):
            bad = compare(g, e, rtol=rtol, atol=atol, hidden=hidden, returns=_kind_of(e),
                          path=f"{path}[{i}]" if path else f"item {i}")
            if bad:
                return bad
        return None
    if returns in ("scalar", "int") or not isinstance(expected, np.ndarray):
        return _compare_scalar(got, expected, rtol, atol, hidden, returns, path)
    return _compare_array(got, expected, rtol, atol, hidden, path)


def _parts_verdict(verdicts, got_parts, expected_parts, rtol, atol, hidden) -> Mismatch | None:
    """One verdict for a structured value from its parts' verdicts: None when
    all are right; the part's own mismatch when one is wrong; otherwise the
    first wrong part's mismatch with a message naming every wrong part (and
    the right ones), plus "all off by the same factor" when that is so."""
    bad = [(label, m) for label, m in verdicts if m is not None]
    if not bad:
        return None
    if len(bad) == 1:
        return bad[0][1]
    first = bad[0][1]
    right = [label for label, m in verdicts if m is None]
    factor = _common_factor(got_parts, expected_parts, rtol, atol) if not right else None
    lines = [m.message if m.message.startswith(f"{label}:") else f"{label}: {m.message}"
             for label, m in bad]
    head = f"{len(bad)} of {len(verdicts)} parts are wrong"
    if factor is not None:
        head += ", all by the same factor" + ("" if hidden else
                                              f": each is {factor:.6g} times the expected value")
    if right:
        head += f" ({', '.join(right)} right)"
    return Mismatch(head + ". " + "; ".join(lines), first.path, first.got, first.expected)


def _common_factor(got_parts, expected_parts, rtol, atol) -> float | None:
    """c when every part (numbers or arrays, dicts/tuples flattened) is c times
    the expected one, c != 1; else None."""
    flat_g, flat_e = [], []

    def walk(g, e):
        if isinstance(e, dict):
            if not isinstance(g, dict) or g.keys() != e.keys():
                raise ValueError
            for k in e:
                walk(g[k], e[k])
        elif isinstance(e, (tuple, list)):
            if not isinstance(g, (tuple, list)) or len(g) != len(e):
                raise ValueError
            for gi, ei in zip(g, e):
                walk(gi, ei)
        else:
            ga, ea = np.asarray(g, dtype=np.float64), np.asarray(e, dtype=np.float64)
            if ga.shape != ea.shape:
                raise ValueError
            flat_g.append(ga.ravel())
            flat_e.append(ea.ravel())

    try:
        walk(list(got_parts), list(expected_parts))
        g, e = np.concatenate(flat_g), np.concatenate(flat_e)
        with np.errstate(all="ignore"):
            big = np.abs(e) > atol
            if not big.any() or not np.all(np.isfinite(g)):
                return None
            c = float(np.median(g[big] / e[big]))
            if not np.isfinite(c) or np.isclose(c, 1.0, rtol=rtol) or c == 0.0:
                return None
            return c if np.allclose(g, c * e, rtol=rtol, atol=atol) else None
    except (ValueError, TypeError):
        return None


def _compare_scalar(got, expected, rtol, atol, hidden, returns, path):
    where = f"{path}: " if path else ""
    if isinstance(got, np.ndarray) and got.size == 1 and got.ndim > 0:
        return Mismatch(f"{where}expected a single number, got an array of shape {got.shape} "
                        "(use float(...) or .item())", path)
    if not _is_number(got):
        return Mismatch(f"{where}expected a number, got {_describe(got, hidden)}", path)
    if returns == "int":
        if not float(got).is_integer():
            return Mismatch(f"{where}expected a whole number" + ("" if hidden else f", got {float(got)!r}"), path)
        if int(got) != int(expected):
            return Mismatch(f"{where}wrong value" + ("" if hidden else
                                                     f": expected {int(expected)}, got {int(got)}"), path)
        return None
    g, e = float(got), float(expected)
    if not np.isfinite(g) and np.isfinite(e):
        return Mismatch(f"{where}the value is {g} (not finite)", path)
    if not np.isclose(g, e, rtol=rtol, atol=atol):
        if hidden:
            return Mismatch(f"{where}wrong value ({_how_far(_rel(g, e))})", path)
        return Mismatch(f"{where}wrong value: expected {e:.10g}, got {g:.10g} "
                        f"(relative error {_rel(g, e):.2g})", path)
    return None


def _rel(g, e) -> float:
    return abs(g - e) / max(abs(e), 1e-300)


def _how_far(relative_error: float) -> str:
    """A hidden test's error in a few fixed words: the exact size of an error is
    computed from the student's value, which could encode the hidden inputs."""
    if relative_error < 1e-3:
        return "close, but outside the tolerance"
    if relative_error < 0.1:
        return "off by less than 10%"
    return "far off"


def _compare_array(got, expected, rtol, atol, hidden, path):
    where = f"{path}: " if path else ""
    if isinstance(got, (list, tuple)):
        # A flat list of numbers is fine where a 1-D array is asked for (e.g. the
        # losses of gradient_descent: "a list or 1-D array"); anything else isn't.
        if expected.ndim == 1 and all(_is_number(v) for v in got):
            got = np.asarray([float(v) for v in got])
        else:
            return Mismatch(f"{where}expected a NumPy array, got a {type(got).__name__} "
                            "(wrap it with np.asarray)", path)
    if _is_number(got) and not isinstance(got, np.ndarray):
        got = np.asarray(got)
    if not isinstance(got, np.ndarray):
        return Mismatch(f"{where}expected a NumPy array, got {_describe(got, hidden)}", path)
    arrays = {} if hidden else {"got": got, "expected": expected}
    if got.shape != expected.shape:
        if hidden:
            detail = (f"{got.ndim} dimensions, expected {expected.ndim}" if got.ndim != expected.ndim
                      else "right number of dimensions, wrong sizes")
            return Mismatch(f"{where}the output has the wrong shape ({detail})", path)
        return Mismatch(f"{where}shape {got.shape}, expected {expected.shape}", path, **arrays)
    if expected.dtype.kind == "f" and got.dtype.kind not in "f":
        return Mismatch(f"{where}dtype {got.dtype}, expected floating point "
                        "(integer arithmetic or casting loses the fractions)", path)
    if expected.dtype.kind in "iu" and got.dtype.kind not in "iu":
        return Mismatch(f"{where}dtype {got.dtype}, expected integers", path)
    g = got.astype(np.float64) if got.dtype.kind != "c" else got
    e = expected.astype(np.float64)
    bad_finite = ~np.isfinite(g) & np.isfinite(e)
    if bad_finite.any():
        count = "some" if hidden else int(bad_finite.sum())
        return Mismatch(f"{where}{count} entries are NaN or infinite", path, **arrays)
    close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    err = np.where(close, 0.0, np.abs(g - e))
    worst = np.unravel_index(np.argmax(err), err.shape)
    n_bad = int((~close).sum())
    scale = float(np.max(np.abs(e))) or 1.0
    summary = (f"{n_bad} of {e.size} entries differ; max abs error {float(err[worst]):.3g} "
               f"({float(err[worst]) / scale:.2g} of the largest expected value)")
    if hidden:  # how many and how far are the student's to choose: fixed words only
        return Mismatch(f"{where}the values differ from the expected ones (largest error, relative "
                        f"to the largest expected value: {_how_far(float(err[worst]) / scale)})", path)
    idx = tuple(int(i) for i in worst)
    return Mismatch(f"{where}{summary}; worst at index {idx}: expected {float(e[worst]):.6g}, "
                    f"got {float(g[worst]):.6g}", path, **arrays)
