"""`activations`' code that may leave the grader: a hint predicate that looks at
the student's value, the call's NumPy warnings and the input's range (no
answer). NumPy only, no engine imports (it ships in the student kit).
"""
from __future__ import annotations

import numpy as np

WARNINGS_KEY = "_warnings"  # as student_side/hintdata.WARNINGS_KEY


def sigmoid_overflow(inputs, got, expected) -> bool:
    """exp(-x) overflowed (warned, with x below -709), or NaN/inf where the
    sigmoid is finite on inputs beyond |x| = 709."""
    x = np.asarray(inputs["x"], dtype=np.float64)
    warned = any("overflow" in str(w) for w in inputs.get(WARNINGS_KEY) or ())
    if warned and np.min(x) < -709:
        return True
    g, e = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return (g.shape == e.shape and bool(np.any(~np.isfinite(g) & np.isfinite(e)))
            and np.max(np.abs(x)) > 709)
