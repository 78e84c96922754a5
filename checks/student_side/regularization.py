"""`regularization`'s code that may leave the grader: the property checks of
train_val_test_split and dropout_forward, and hint predicates that look at the
student's value (with the case's inputs and expected value) and compute no
answer. NumPy only, no engine imports (it ships in the student kit).
"""
from __future__ import annotations

import math

import numpy as np

from . import randomness


def _floats(value):
    """`value` as a float64 array, or None when it is not numeric data."""
    try:
        arr = np.asarray(value)
        return arr.astype(np.float64) if arr.dtype.kind in "biuf" else None
    except Exception:
        return None


# ---------------------------------------------------------------- split sizes

def _truncation_sizes(n, fractions):
    """What int() truncation gives: (int(f_train n), int(f_val n), rest)."""
    a, b = int(fractions[0] * n), int(fractions[1] * n)
    return a, b, n - a - b


def _truncation_fails(n, fractions) -> bool:
    """int() truncation puts the test set more than 1 away from f_test * n."""
    return abs(_truncation_sizes(n, fractions)[2] - fractions[2] * n) > 1 + 1e-6


def _valid_sizes(sizes, n, fractions) -> bool:
    return sum(sizes) == n and all(abs(s - f * n) <= 1 + 1e-9 for s, f in zip(sizes, fractions))


def _rounding_fails(n, fractions) -> bool:
    """Both classic rounding mistakes break the within-1 rule (or lose samples):
    all three sizes rounded one by one and cut from the permutation in turn
    (their sum may be short of n), and ceil for the first two sizes."""
    a, b, c = (int(np.round(f * n)) for f in fractions)
    one_by_one = (a, b, min(c, max(n - a - b, 0)))
    ca, cb = math.ceil(fractions[0] * n), math.ceil(fractions[1] * n)
    with_ceil = (ca, cb, n - ca - cb)
    return not _valid_sizes(one_by_one, n, fractions) and not _valid_sizes(with_ceil, n, fractions)


# ---------------------------------------------------------------- dropout hints

def _out_and_mask(i, got):
    """The student's (out, mask) as float arrays of x's shape (raises otherwise)."""
    out, mask = got
    x = np.asarray(i["x"], dtype=np.float64)
    out, mask = _floats(out), _floats(mask)
    if out is None or mask is None or out.shape != x.shape or mask.shape != x.shape:
        raise ValueError("not two arrays of x's shape")
    return x, out, mask


def _training(i):
    return bool(i.get("training", True))


def _same(a, b) -> bool:
    return bool(np.allclose(a, b, rtol=1e-12, atol=0.0))


def _rescaled_like(i, got, factor) -> bool:
    """out == x * mask * factor(rate), not the right x * mask / (1 - rate)."""
    if not _training(i):
        return False
    x, out, mask = _out_and_mask(i, got)
    rate = float(i["rate"])
    return (bool(np.any(mask)) and not _same(out, x * mask / (1.0 - rate))
            and _same(out, x * mask * factor(rate)))


def out_not_rescaled(inputs, got, expected) -> bool:
    return _rescaled_like(inputs, got, lambda rate: 1.0)


def out_multiplied(inputs, got, expected) -> bool:
    return _rescaled_like(inputs, got, lambda rate: 1.0 - rate)


def mask_inverted(i, got, exp):
    if not _training(i):
        return False
    x, out, mask = _out_and_mask(i, got)
    scale = 1.0 - float(i["rate"])
    return not _same(out, x * mask / scale) and _same(out, x * (1.0 - mask) / scale)


def _keep_bound(p, n):
    return _Z_KEEP * math.sqrt(p * (1.0 - p) / n)


def keep_swapped(i, got, exp):
    if not _training(i):
        return False
    _, _, mask = _out_and_mask(i, got)
    rate, kept = float(i["rate"]), float(np.mean(mask))
    return (abs(kept - rate) <= _keep_bound(rate, mask.size)
            and abs(kept - (1.0 - rate)) > _keep_bound(1.0 - rate, mask.size))


def active_at_inference(i, got, exp):
    if _training(i):
        return False
    x, out, mask = _out_and_mask(i, got)
    return not np.array_equal(out, x) or not np.all(mask == 1)



# ---------------------------------------------------------------- early stopping hints

def _pair(got):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise ValueError("not a pair")
    values = [float(v) for v in got]
    if not all(v.is_integer() for v in values):
        raise ValueError("not whole numbers")
    return int(values[0]), int(values[1])


def _n_epochs(i):
    return len(np.asarray(i["val_losses"]).reshape(-1))


def stop_off_by_one(i, got, exp) -> bool:
    return _pair(got)[1] == exp[1] and abs(_pair(got)[0] - exp[0]) == 1 and _pair(got)[0] < _n_epochs(i)


def one_based(i, got, exp) -> bool:
    return _pair(got) == (exp[0] + 1, exp[1] + 1)


def past_the_end(i, got, exp) -> bool:
    return _pair(got)[0] > _n_epochs(i) - 1 and _pair(got) != (exp[0] + 1, exp[1] + 1)


def global_minimum(i, got, exp, off_by_one=()) -> bool:
    """best_epoch is the minimum of the whole sequence (after the stop);
    `off_by_one`: the answers of an off-by-one stop (the grader's, as data)."""
    best = int(np.argmin(np.asarray(i["val_losses"])))
    return (_pair(got)[1] != exp[1] and _pair(got)[1] == best and best > exp[0]
            and list(_pair(got)) not in [list(a) for a in off_by_one])


# ================================================================ property checks

def _same_result(a, b) -> bool:
    try:
        return len(a) == len(b) and all(np.array_equal(np.asarray(x), np.asarray(y))
                                        for x, y in zip(a, b))
    except Exception:
        return False


def _rng_problems(call, inputs, first) -> list[str]:
    """Same rng seed -> same result, no global state, other seeds -> other
    results (randomness.py). Collisions of a correct function: a split of
    n >= 40 samples repeats with probability 1 / multinomial(n; sizes) < 1e-15
    (the bound of verify_split); a dropout mask of 20000 units with keep
    probability p repeats with probability (p^2 + (1-p)^2)^20000 < 1e-900."""
    return randomness.rng_problems(call, inputs, first, _same_result)


# ---------------------------------------------------------------- train_val_test_split

_SPLIT_NAMES = ("train_idx", "val_idx", "test_idx")


def _contiguous(a: np.ndarray) -> bool:
    return a.size == 0 or int(a.max()) - int(a.min()) + 1 == a.size


def _split_problems(out, n, fractions) -> list[str]:
    """Problems with one result of train_val_test_split (empty: a valid split).
    No numbers in the messages: hidden cases must not reveal n or the fractions."""
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        return ["expected a tuple (train_idx, val_idx, test_idx) of three 1-D integer arrays"]
    parts = []
    for name, part in zip(_SPLIT_NAMES, out):
        if not isinstance(part, np.ndarray) or part.ndim != 1 or part.dtype.kind not in "iu":
            return [f"{name} is not a 1-D NumPy array of integers"]
        parts.append(part.astype(np.int64))
    problems = []
    everything = np.concatenate(parts)
    if len(np.unique(everything)) < len(everything):
        problems.append("some indices appear more than once (within one set or in two sets): "
                        "the three sets must be disjoint")
    if np.any((everything < 0) | (everything >= n)):
        problems.append("some indices are outside range(n_samples)")
    if len(np.intersect1d(everything, np.arange(n))) < n:
        problems.append("some samples are in none of the three sets: together they must "
                        "cover range(n_samples)")
    for name, part, f in zip(_SPLIT_NAMES, parts, fractions):
        if abs(len(part) - f * n) > 1 + 1e-9:
            problems.append(f"{name} has the wrong size: each set must hold within one sample "
                            "of fraction * n_samples")
    if not problems and all(_contiguous(p) for p in parts):
        problems.append("the split is not random: each set is a contiguous block of indices "
                        "(shuffle, e.g. with rng.permutation, before cutting)")
    return problems


def verify_split(call, inputs) -> list[str]:
    """Property check for train_val_test_split (random by design).

    The "not random" problem would fail a correct (uniformly random) split with
    probability (number of ways to place three contiguous blocks, at most 3! = 6)
    / multinomial(n; n_train, n_val, n_test); every case has n >= 40, where this
    is at most 6 * 24! 8! 8! / 40! ~ 7e-15 (tests/test_regularization_checks.py
    computes the bound for every case).
    """
    n, fractions = int(inputs["n_samples"]), tuple(inputs["fractions"])
    first = call(**inputs, _global_seed=1)
    problems = _split_problems(first, n, fractions)
    return problems or _rng_problems(call, inputs, first)


def _split_parts(got):
    return [np.asarray(p).reshape(-1) for p in got]


def split_not_shuffled(i, got, exp) -> bool:
    return (len(got) == 3 and all(_contiguous(p) for p in _split_parts(got))
            and sum(p.size for p in _split_parts(got)) == i["n_samples"])


def split_truncated(i, got, exp) -> bool:
    return (len(got) == 3 and tuple(p.size for p in _split_parts(got))
            == _truncation_sizes(i["n_samples"], i["fractions"])
            and _truncation_fails(i["n_samples"], i["fractions"]))


def split_with_replacement(i, got, exp) -> bool:
    return (len(got) == 3 and len(np.unique(np.concatenate(_split_parts(got))))
            < sum(p.size for p in _split_parts(got)))


# ---------------------------------------------------------------- dropout_forward

# False-failure arithmetic for a correct dropout (5 training cases per
# grading, 20000 cells each, two statistical tests per case = 10 tests):
# - keep rate: the number of kept cells is Binomial(n, 1 - rate); |kept/n -
#   (1 - rate)| > 6 sigma has normal tail probability 2e-9, and the exact
#   binomial tails (computed in the tests) are below 1e-8 for every case.
#   The mistake "keep with probability rate" is off by |1 - 2 rate| >= 0.2, at
#   least 57 such sigmas (sigma <= sqrt(0.25 / 20000) = 0.0035): it never passes.
# - mean: mean(out) - mean(x) = sum_i x_i (m_i / (1 - rate) - 1) / n has mean 0
#   and standard deviation sigma = sqrt(rate / (1 - rate) * sum x_i**2) / n.
#   The terms are skewed (rate 0.75: -1 or +3 times x_i), so the bound is 7
#   sigma; Bernstein's inequality puts its tail below 1e-8 for every case
#   (computed in the tests). Forgetting the rescaling moves the mean by
#   rate * mean(x) >= 0.08, more than 20 such sigmas.
# Bonferroni over the 10 tests: a correct solution fails a grading with
# probability < 10 * 1e-8 = 1e-7 < 1e-6.
_Z_KEEP = 6.0
_Z_MEAN = 7.0


def _dropout_problems(value, x, rate, training) -> list[str]:
    """Problems with one (out, mask) (empty: valid). No numbers in the messages."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return ["expected a tuple (out, mask) of two arrays"]
    for name, arr in zip(("out", "mask"), value):
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf":
            return [f"{name} is not a numeric NumPy array"]
        if arr.shape != x.shape:
            return [f"{name} does not have the shape of x"]
    out, mask = value
    if out.dtype.kind != "f":
        return ["out must be a floating-point array (like x)"]
    if not np.all(np.isfinite(out)):
        return ["out contains NaN or infinite values"]
    m = mask.astype(np.float64)
    if not np.all((m == 0) | (m == 1)):
        return ["mask must contain only 0 and 1 (or False and True)"]
    if not training:
        problems = []
        if not np.array_equal(out.astype(np.float64), x):
            problems.append("with training=False dropout is off: out must be x, unchanged "
                            "(nothing dropped, nothing scaled)")
        if not np.all(m == 1):
            problems.append("with training=False the mask must be all ones")
        return problems
    problems = []
    out = out.astype(np.float64)
    if not _same(out, x * m / (1.0 - rate)):
        problems.append("out is not x * mask / (1 - rate) for the mask you returned")
    n, p = m.size, 1.0 - rate
    if abs(float(m.mean()) - p) > _keep_bound(p, n):
        problems.append("the fraction of kept units (mask == 1) is far from 1 - rate: keep "
                        "each unit with probability 1 - rate (rate is the dropping probability)")
    sigma = math.sqrt(rate / (1.0 - rate) * float(np.sum(x ** 2))) / n
    if abs(float(out.mean()) - float(x.mean())) > _Z_MEAN * sigma:
        problems.append("the mean of out is far from the mean of x: inverted dropout keeps the "
                        "expected activation unchanged (E[out] = x), by dividing the kept units "
                        "by 1 - rate")
    return problems


def verify_dropout(call, inputs) -> list[str]:
    """Property check for dropout_forward (random by design): a valid mask and
    out = x * mask / (1 - rate), a keep rate and a mean consistent with
    inverted dropout (see the arithmetic above), same rng -> same result, no
    global state; with training=False exactly (x, ones)."""
    x, rate = np.asarray(inputs["x"], dtype=np.float64), float(inputs["rate"])
    training = _training(inputs)
    first = call(**inputs, _global_seed=1)
    problems = _dropout_problems(first, x, rate, training)
    if problems or not training:
        return problems
    return _rng_problems(call, inputs, first) or _fixed_count_problems(call, inputs, first)


# Units are dropped independently, so the number kept is Binomial(n, 1 - rate)
# and varies from call to call; dropping exactly round(rate * n) units keeps it
# fixed. A correct dropout gives the same count in all _COUNT_CALLS other calls
# as in the first with probability <= (max_k P(K = k))**_COUNT_CALLS; for the
# training cases (n = 20000, keep 0.25 ... 0.9) the largest pmf is 0.0094
# (keep 0.9), so <= 0.0094**4 = 7.8e-9 per case, 3.9e-8 for the 5 cases of a
# grading (computed exactly in tests/test_regularization_checks.py). With the
# 1e-7 above, a correct solution loses points with probability < 1.5e-7.
_COUNT_CALLS = 4


def _fixed_count_problems(call, inputs, first) -> list[str]:
    kept = int(np.count_nonzero(np.asarray(first[1])))
    for other in randomness.other_rngs(inputs, count=_COUNT_CALLS):
        value = call(**other, _global_seed=1)
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            return ["with another rng seed the result is not a tuple (out, mask)"]
        if int(np.count_nonzero(np.asarray(value[1]))) != kept:
            return []
    return ["the number of kept units is the same for every rng seed: drop each unit "
            "independently with probability rate (e.g. rng.random(x.shape) >= rate), "
            "rather than dropping exactly rate * n of them"]


# ================================================================ the table
