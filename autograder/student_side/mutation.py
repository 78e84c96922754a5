"""Did a call modify its inputs in place? Shared by the sandbox worker and the
in-notebook self-check, so both judge mutation the same way.

NumPy only. Functions are bound at import, before student code runs, so
monkeypatching `copy.deepcopy` or `np.array_equal` later does not blind the
check (a student who patches this module itself can still; it is best effort,
like everything that runs in the student's process).
"""
from __future__ import annotations

from copy import deepcopy as _deepcopy

import numpy as np

_array_equal = np.array_equal
_ndarray = np.ndarray


def snapshot(kwargs: dict) -> dict:
    """Copies of the arguments a function could change in place."""
    return {k: _deepcopy(v) for k, v in kwargs.items() if isinstance(v, (_ndarray, list, dict))}


def mutated(before: dict, kwargs: dict) -> list[str]:
    """Names of the arguments that differ from their snapshot."""
    changed = []
    for key, old in before.items():
        try:
            same = _equal(old, kwargs[key])
        except Exception:
            same = False
        if not same:
            changed.append(key)
    return changed


def _equal(a, b) -> bool:
    if isinstance(a, _ndarray):
        return isinstance(b, _ndarray) and a.shape == b.shape and bool(_array_equal(a, b, equal_nan=True))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_equal, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return bool(a == b)
