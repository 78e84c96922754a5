"""`initialization`'s code that may leave the grader: the statistical property
check of the four initializers and the hint predicates on the returned weights.
Target variances come from the grader as data; nothing here draws or computes
an initializer's weights. NumPy only (it ships in the student kit).
"""
from __future__ import annotations

import math

import numpy as np

from . import randomness


def _floats(value):
    try:
        arr = np.asarray(value)
        return arr.astype(np.float64) if arr.dtype.kind in "biuf" else None
    except Exception:
        return None


# ---------------------------------------------------------------- statistics

P_EACH = 1e-9                       # false-failure probability of one statistical test
LOG_TERM = math.log(2.0 / P_EACH)   # ~21.4: two-sided Hoeffding / chi-square exponent
MIN_STAT_N = 16384                  # statistics only on samples at least this large
TRUNC_STD = 0.87962566103423978     # std of a unit normal truncated to [-2, 2] (Keras)
TRUNC_BOUND = 2.0 / TRUNC_STD       # Keras's bound 2 s in units of sqrt(Var): ~2.2737
EDGE = 1e-9                         # relative slack on hard bounds (the limit's rounding)


def _stats_problems(w: np.ndarray, var: float, uniform: bool, edge: float = EDGE) -> list[str]:
    """Statistical problems of a sample w that should have mean 0 and variance var.

    The variance is reported first; the mean and the reach of the largest
    weight (both measured in units of the target's sqrt(Var)) are reported
    only when the variance is right or the asymmetry is blatant, because with
    a wrong scale they would only repeat the same mistake in confusing words.
    """
    n = w.size
    m1, m2, top = float(np.mean(w)), float(np.mean(w * w)), float(np.max(np.abs(w)))
    ratio = m2 / var
    std = math.sqrt(var)
    reach = None
    if uniform:
        limit = math.sqrt(3.0 * var)
        # Mean: draws in [-L, L]; Hoeffding P(|mean| >= t) <= 2 exp(-n t^2 / (2 L^2)),
        # so t = L sqrt(2 ln(2/P_EACH) / n) fails a correct sample w.p. <= P_EACH.
        mean_bound = limit * math.sqrt(2.0 * LOG_TERM / n)
        # Second moment: w^2 in [0, L^2]; Hoeffding P(|m2 - Var| >= t) <= 2 exp(-2 n t^2 / L^4),
        # so t = L^2 sqrt(ln(2/P_EACH) / (2 n)) (= 7.7 % of Var at n = 16384).
        low = high = limit ** 2 * math.sqrt(LOG_TERM / (2.0 * n)) / var
        # Reach: a correct U(-L, L) has every |w| < 0.99 L with probability
        # 0.99**n <= 0.99**16384 ~ 1e-71.
        if top < 0.99 * limit:
            reach = (f"the largest |w| is only {top / limit:.2g} of the limit sqrt(3 Var): "
                     "the weights do not fill [-limit, limit]")
    else:
        bound = TRUNC_BOUND * std
        # Mean: valid for both accepted families. Truncated draws lie in [-B, B]:
        # Hoeffding as above with B (t = B sqrt(2 ln(2/P_EACH)/n) ~ 14.9 sqrt(Var/n));
        # for a plain normal the mean is N(0, Var/n) and 14.9 standard errors are
        # exceeded with probability ~1e-49.
        mean_bound = bound * math.sqrt(2.0 * LOG_TERM / n)
        if top <= bound * (1 + edge):
            # Truncated branch. A correct *plain* normal lands here only if all n
            # draws have |z| <= 2.2737: probability 0.977**n <= e^-380.
            # Second moment: w^2 in [0, B^2], Hoeffding: t = B^2 sqrt(ln(2/P_EACH) / (2 n))
            # (= 13.2 % of Var at n = 16384).
            low = high = bound ** 2 * math.sqrt(LOG_TERM / (2.0 * n)) / var
            # Reach: Keras's truncated normal puts mass q = 0.0072 in (0.97 B, B],
            # so max|w| < 0.97 B has probability (1 - q)**n <= e^-118.
            if top < 0.97 * bound:
                reach = (f"the largest |w| is {top / std:.3g} sqrt(Var): a truncated normal as "
                         f"Keras draws it reaches 2 stddev = {TRUNC_BOUND:.4g} sqrt(Var) (stddev = "
                         f"sqrt(Var) / {TRUNC_STD:.4f}); a plain normal has no bound")
        else:
            # Plain branch: n m2 / Var ~ chi-square(n). Laurent & Massart (2000):
            # P(X - n >= 2 sqrt(n x) + 2 x) <= e^-x and P(n - X >= 2 sqrt(n x)) <= e^-x;
            # x = ln(2/P_EACH) makes both sides together <= P_EACH.
            low = 2.0 * math.sqrt(LOG_TERM / n)
            high = low + 2.0 * LOG_TERM / n
    variance_ok = 1.0 - low <= ratio <= 1.0 + high
    problems = []
    if not variance_ok:
        problems.append(f"the variance of your weights is {ratio:.3g} times the target "
                        "(Glorot: 2 / (fan_in + fan_out), He: 2 / fan_in)")
    # |mean| > sqrt(m2) / 2: lopsided whatever the scale (U(0, L) has |mean| = 0.87 sqrt(m2))
    if abs(m1) > mean_bound and (variance_ok or abs(m1) > 0.5 * math.sqrt(m2)):
        problems.append("the weights are not centred on 0: draw symmetrically around 0")
    if reach and (variance_ok or uniform):
        problems.append(reach)
    return problems


def _same(a, b) -> bool:
    try:
        return np.array_equal(np.asarray(a), np.asarray(b))
    except Exception:
        return False


def verify_initializer(call, inputs, var: float, uniform: bool) -> list[str]:
    """Property check for one initializer; `var` is the target variance of these
    fans (Glorot 2 / (fan_in + fan_out), He 2 / fan_in: the grader's data)."""
    fan_in, fan_out = int(inputs["fan_in"]), int(inputs["fan_out"])
    first = call(**inputs, _global_seed=1)
    if not isinstance(first, np.ndarray):
        return [f"expected a NumPy array, got {type(first).__name__}"]
    if first.shape != (fan_in, fan_out):
        if first.shape == (fan_out, fan_in) and fan_in != fan_out:
            return ["the array is transposed: dense weights are (fan_in, fan_out)"]
        return ["wrong shape: dense weights are (fan_in, fan_out)"]
    if first.dtype.kind != "f":
        return [f"dtype {first.dtype}: weights must be floating point"]
    w = first.astype(np.float64)
    if not np.all(np.isfinite(w)):
        return ["some weights are NaN or infinite"]
    # float32 weights round the largest ones by up to 6e-8 relative
    edge = max(EDGE, 4.0 * float(np.finfo(first.dtype).eps))
    problems = []
    if uniform:
        limit = math.sqrt(3.0 * var)
        if np.max(np.abs(w)) > limit * (1 + edge):  # never for a correct solution
            problems.append("some weights lie outside [-sqrt(3 Var), sqrt(3 Var)]")
    if w.size >= MIN_STAT_N:
        problems += _stats_problems(w, var, uniform, edge)
    if problems:
        return problems
    # Other rng seeds must give other weights: two independent draws of at
    # least 4 continuous values coincide with probability < 2**-24**4 ~ 1e-29
    # (float32 weights; float64: far less).
    return randomness.rng_problems(call, inputs, first, _same)


# ---------------------------------------------------------------- hint predicates
# Detectors see the last returned weights (expected is None). They only judge
# samples large enough for the statistics and fire when the sample variance is
# within 10 % of a mistaken target and not within 10 % of the right one.

def _sample(inputs, got):
    w = _floats(got)
    fi, fo = int(inputs["fan_in"]), int(inputs["fan_out"])
    if w is None or w.shape != (fi, fo) or w.size < MIN_STAT_N or not np.all(np.isfinite(w)):
        return None
    return w, fi, fo


def variance_like(inputs, got, expected, var, mine=(), others=()) -> bool:
    """var(w) within 10 % of one of `mine` (a mistake's variance), not of `var`,
    and nearer to it than to every one of `others` (other hints' targets)."""
    s = _sample(inputs, got)
    if s is None:
        return False
    w = s[0]
    m2 = float(np.mean(w * w))
    if abs(m2 / var - 1) < 0.1:
        return False

    def distance(t):
        return abs(math.log(m2 / t))
    return any(abs(m2 / t - 1) < 0.1 and all(distance(t) < distance(u) for u in others)
               for t in mine)


def truncated_unscaled(inputs, got, expected, var) -> bool:
    """Truncated at 2 sqrt(Var) without Keras's rescaling: 77 % of the variance."""
    s = _sample(inputs, got)
    if s is None:
        return False
    w = s[0]
    m2 = float(np.mean(w * w))
    return (abs(m2 / (TRUNC_STD ** 2 * var) - 1) < 0.05
            and float(np.max(np.abs(w))) <= 2 * math.sqrt(var) * (1 + EDGE))


def weights_transposed(inputs, got, expected) -> bool:
    w = _floats(got)
    fi, fo = inputs["fan_in"], inputs["fan_out"]
    return w is not None and w.shape == (fo, fi) != (fi, fo)


def all_positive(inputs, got, expected) -> bool:
    s = _sample(inputs, got)
    return s is not None and float(np.min(s[0])) >= 0


def values_as_array(inputs, got, expected) -> bool:
    """layer_variances: the right values, as a NumPy array instead of a list."""
    e = np.asarray(expected, dtype=float)
    return (isinstance(got, np.ndarray) and got.ndim == 1 and got.shape == e.shape
            and bool(np.allclose(got.astype(float), e, rtol=1e-6, atol=1e-9)))
