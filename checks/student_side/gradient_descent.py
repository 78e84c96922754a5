"""`gradient_descent`'s code that may leave the grader: hint predicates and the
minibatch property check. They look at the student's value (with the case's
inputs and expected value) and compute no answer, so the student kit ships
them. NumPy only, no engine imports (this folder runs in the grader, in the
sandbox and inside the kit).
"""
from __future__ import annotations

import numpy as np

from . import randomness

_GD_TOL = dict(rtol=1e-5, atol=1e-8)


def _close(a, b, rtol=1e-6, atol=1e-9) -> bool:
    """Same shape and allclose (as autograder.hints.close, for arrays and tuples of them)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y, rtol, atol) for x, y in zip(a, b))
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=atol))


def _sizes(inputs):
    y = np.asarray(inputs["y_true"] if "y_true" in inputs else inputs["y_pred"])
    return y.shape[0], int(np.prod(y.shape[1:]))  # N, n_out


def _concat(got):
    return np.concatenate([np.asarray(b).reshape(-1) for b in got])


# ---------------------------------------------------------------- hint predicates

def mse_not_scalar(inputs, got, expected) -> bool:
    return np.ndim(got) == 1 and bool(np.isclose(np.mean(np.asarray(got, dtype=float)), expected))


def dw_transposed(inputs, got, expected) -> bool:
    g = np.asarray(got[0], dtype=float)
    return g.shape == expected[0].T.shape != expected[0].shape and _close(g.T, expected[0])


def db_not_summed(inputs, got, expected) -> bool:
    g = np.asarray(got[1], dtype=float)
    return g.shape == np.shape(inputs["y_true"]) and _close(np.sum(g, axis=0), expected[1])


def db_keepdims(inputs, got, expected) -> bool:
    g = np.asarray(got[1], dtype=float)
    return g.shape == (1,) + expected[1].shape and _close(np.reshape(g, -1), expected[1])


def loss_count(inputs, got, expected) -> bool:
    return isinstance(got[2], (list, tuple, np.ndarray)) and len(got[2]) != int(inputs["n_steps"])


def losses_scaled(inputs, got, expected) -> bool:
    """W and b right, the losses a sum (x N, n_out, N * n_out) or halved."""
    if not _close(tuple(got[:2]), tuple(expected[:2]), **_GD_TOL):
        return False
    n, k = _sizes(inputs)
    g, e = np.asarray(got[2], dtype=float), np.asarray(expected[2], dtype=float)
    if _close(g, e, **_GD_TOL) or not np.any(np.abs(e) > _GD_TOL["atol"]):
        return False
    return any(_close(g, c * e, **_GD_TOL) for c in (n, k, n * k, 0.5) if not np.isclose(c, 1.0))


def batches_not_shuffled(inputs, got, expected) -> bool:
    return bool(np.array_equal(_concat(got), np.arange(inputs["n_samples"])))


def last_batch_dropped(inputs, got, expected) -> bool:
    n, bs = inputs["n_samples"], inputs["batch_size"]
    return n % bs != 0 and len(_concat(got)) == n - n % bs


def drawn_with_replacement(inputs, got, expected) -> bool:
    n = inputs["n_samples"]
    return len(_concat(got)) == n and len(np.unique(_concat(got))) < n


# ---------------------------------------------------------------- property check

def _batches_problems(out, n, bs) -> list[str]:
    """Problems with one result of minibatch_indices (empty: a valid epoch)."""
    if not isinstance(out, (list, tuple)):
        return [f"expected a list of 1-D integer arrays, got {type(out).__name__}"]
    problems = []
    arrays = []
    for k, batch in enumerate(out):
        arr = np.asarray(batch) if isinstance(batch, (np.ndarray, list, tuple)) else None
        if arr is None or arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            problems.append(f"batch {k} is not a 1-D integer array")
            return problems
        arrays.append(arr)
    if not arrays:
        return ["no batches returned"]
    # No numbers in the messages: hidden cases must not reveal n or batch_size.
    everything = np.concatenate(arrays).astype(np.int64)
    distinct = np.unique(everything)
    if len(distinct) < len(everything):
        problems.append("some indices appear more than once")
    if np.any((everything < 0) | (everything >= n)):
        problems.append("some indices are outside range(n_samples)")
    if np.count_nonzero((distinct >= 0) & (distinct < n)) < n:
        problems.append("some samples are missing: the batches together must be a "
                        "permutation of range(n_samples)")
    sizes = [len(a) for a in arrays]
    if any(s != bs for s in sizes[:-1]) or not 0 < sizes[-1] <= bs:
        problems.append("wrong batch sizes: every batch but the last must hold exactly "
                        "batch_size indices, the last between 1 and batch_size")
    return problems


def _same(a, b) -> bool:
    try:
        return len(a) == len(b) and all(np.array_equal(np.asarray(x), np.asarray(y))
                                        for x, y in zip(a, b))
    except Exception:
        return False


def verify_minibatches(call, inputs) -> list[str]:
    """Property check for minibatch_indices (its output is random by design).

    Calls with the same rng seed; `_global_seed` seeds np.random in the
    student's process first. The first two share the global seed, the third
    doesn't: all three must be identical, and rngs with other seeds must give
    other batches, because all randomness must come from `rng` (randomness.py).
    """
    n, bs = int(inputs["n_samples"]), int(inputs["batch_size"])
    first = call(**inputs, _global_seed=1)
    problems = _batches_problems(first, n, bs)
    if problems:
        return problems
    # Every case has n >= 20, so a correct shuffle returns the identity
    # order with probability 1/n! <= 1/20! ~ 4e-19 (< 1e-6 for any n >= 10).
    if np.array_equal(np.concatenate([np.asarray(b) for b in first]), np.arange(n)):
        problems.append("the indices are not shuffled (they come out as 0, 1, 2, ...)")
    # Other rng seeds must give other batches: two correct shuffles of n >= 20
    # coincide with probability 1/n! <= 4e-19.
    return problems or randomness.rng_problems(call, inputs, first, _same)
