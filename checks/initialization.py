"""Checks for `initialization`: Glorot/He initializers and `layer_variances`.

The four initializers return random weights, so they are graded by property
checks (`verify=`), not by comparison with Keras: shape (fan_in, fan_out),
floating dtype, finite values, the same seed gives the same weights and NumPy's
global random state plays no part (the `_global_seed` trick), and, on samples
of at least MIN_STAT_N weights, the statistics of the target distribution:

    Var = 2 / (fan_in + fan_out) (Glorot) or 2 / fan_in (He), mean 0;
    uniform: U(-L, L) with L = sqrt(3 Var);
    normal: plain N(0, Var), or Keras's truncated normal: stddev
            s = sqrt(Var) / 0.8796..., redrawn beyond 2 s (bound B = 2 s).

False failures. Every statistical bound below holds for a correct solution
with probability >= 1 - P_EACH (P_EACH = 1e-9), proved by a tail inequality
that needs no normal approximation (Hoeffding for bounded draws,
Laurent-Massart for chi-square sums). One grading runs at most 4 functions x
5 statistical cases x 2 such tests = 40 of them (the remaining checks fail a
correct solution with probability < 1e-70, see their comments), so by
Bonferroni a correct submission loses points with probability < 40 * 1e-9
= 4e-8 < 1e-6.

Power. Statistical cases have n >= MIN_STAT_N = 16384 draws and fans whose
ratio is far from 1 (>= 8 or <= 0.08), so the listed mistakes change the variance by at least 22 %
(0.774 for an uncorrected truncation; x2 or more for He with fan_out; 1/3
without the 3; x3 for the limit as std; ~Var for a forgotten sqrt), while the
widest acceptance band is +-13.2 % (truncated normal, n = 16384) and a wrong
sample's own variance estimate scatters by ~1 %: it lands inside the band with
probability far below 1e-20. tests/test_initialization_checks.py runs each
mistake on every statistical case.

`layer_variances` is deterministic given the weights and is compared with the
TensorFlow reference with a relative tolerance and no absolute floor: the
variances of exploding and vanishing networks span orders of magnitude.
"""
from __future__ import annotations

import math

import numpy as np

from autograder import hints
from checks.student_side import initialization as student_side
from checks.student_side.initialization import (  # noqa: F401  (the tests and hints use them)
    EDGE, LOG_TERM, MIN_STAT_N, P_EACH, TRUNC_BOUND, TRUNC_STD)
from autograder.spec import Assignment, Case, Check, DataVerify, Hint, Rng

REF = "reference_impl.initialization:"


def glorot_var(fan_in, fan_out) -> float:
    return 2.0 / (fan_in + fan_out)


def he_var(fan_in, fan_out) -> float:
    return 2.0 / fan_in


# ---------------------------------------------------------------- inputs

def _fans(fan_in, fan_out):
    """fan_in is an int or a (low, high) range drawn per student; fan_out also,
    or a function of fan_in."""
    def make(rng):
        fi = int(rng.integers(*fan_in)) if isinstance(fan_in, tuple) else fan_in
        if callable(fan_out):
            fo = int(fan_out(fi))
        else:
            fo = int(rng.integers(*fan_out)) if isinstance(fan_out, tuple) else fan_out
        return {"fan_in": fi, "fan_out": fo, "rng": Rng(int(rng.integers(2**31)))}
    return make


def _init_cases():
    """The same shapes for every initializer. Statistical cases have n >= 16384
    and a fan ratio r = fan_in / fan_out >= 8 or <= 0.08, so that
    every listed mistake gives its own variance: He with fan_out changes it by
    r (never near 1 or 3 or 1/3, where it would look right or like a missing
    factor 3), and for Glorot r avoids 2, 1/2, 5, 1/5, where the limit used as
    std (3 Var) would equal 2/fan_out, 2/fan_in, 1/fan_out or 1/fan_in. The
    narrow-input case ties fan_out = 3 fan_in**2: then neither the forgotten
    sqrt (Var**2 ~ fan_in**-2 scale) meets 2/fan_out nor the limit used as the
    variance (sqrt(3 Var) ~ sqrt(6/fan_out)) meets 1/fan_in or 2/fan_in; and
    fan_in >= 23 keeps He's 3 Var**2 (uniform, no sqrt) away from Var/3 (no 3),
    which coincide at fan_in = 18.
    tests/test_initialization_checks.py checks that the variances of all
    hints stay >= 20 % apart on every statistical case."""
    return [
        Case("fan_in 512, fan_out 64", _fans(512, 64)),
        Case("fan_in 40, fan_out 500", _fans(40, 500)),
        Case("small layer 3 -> 5 (shape, bounds and seeding only)", _fans(3, 5)),
        Case("hidden: wide input, narrow output", _fans((500, 801), (40, 61)), hidden=True),
        Case("hidden: narrow input, wide output", _fans((23, 28), lambda fi: 3 * fi * fi),
             hidden=True),
        Case("hidden: a single output unit", _fans((20000, 30001), 1), hidden=True),
        Case("hidden: a small random layer", _fans((2, 10), (2, 10)), hidden=True),
    ]


# ---------------------------------------------------------------- hints: initializers
# Detectors see the last returned weights (expected is None). They only judge
# samples large enough for the statistics and fire when the sample variance is
# within 10 % of a mistaken target and not within 10 % of the right one.

# Two hints' mistaken variances closer than this can't be told apart by a
# sample (its variance estimate scatters by ~1 % at n >= 16384, so a 5 % gap is
# 5 of those): there neither hint fires. Farther apart, the nearest one wins.
TARGET_GAP = 0.05


def _apart(t, others, var) -> bool:
    """A mistaken variance t worth a hint: more than 25 % away from the right
    one and more than TARGET_GAP from every other hint's."""
    return not 0.8 < t / var < 1.25 and all(abs(math.log(t / u)) > TARGET_GAP for u in others)


def _variance_like(variance, wrong):
    """Detector: var(w) ~ one of wrong(fan_in, fan_out, Var), but not ~ Var,
    and nearer to it than to any other hint's target of the same check (its
    `rivals`, filled by _keep_apart); targets within TARGET_GAP of a rival are
    dropped case by case. So a sample of one mistake never gets the hint of
    another that happens to give a similar variance on these fans (1 / (fi +
    fo) and 1 / fi are 12 % apart when fi = 8 fo). detect.targets are the
    remaining ones (the tests check that they stay apart). The numbers are
    computed here per case and travel as data (student_side.variance_like)."""
    rivals: list = []

    def others(fi, fo, var):
        return [u for r in rivals for u in r(fi, fo, var) if u is not None]

    def targets(fi, fo, var):
        return [t for t in wrong(fi, fo, var) if t is not None and _apart(t, others(fi, fo, var), var)]

    def make_args(inputs):
        fi, fo = int(inputs["fan_in"]), int(inputs["fan_out"])
        var = variance(fi, fo)
        return {"var": var, "mine": targets(fi, fo, var), "others": others(fi, fo, var)}
    detect = hints.local(student_side.variance_like, make_args=make_args)
    detect.targets, detect.raw_targets, detect.rivals = targets, wrong, rivals
    return detect


def _keep_apart(hint_list):
    """Make every variance hint of one check aware of the others' targets."""
    for h in hint_list:
        if hasattr(h.detect, "rivals"):
            h.detect.rivals.extend(getattr(o.detect, "raw_targets", getattr(o.detect, "targets", None))
                                   for o in hint_list if o is not h and hasattr(o.detect, "targets"))
    return hint_list


def _transposed_hint():
    return Hint(
        "Your weights have shape (fan_out, fan_in). Keras stores dense weights as "
        "(fan_in, fan_out), so that x @ W maps a batch of inputs to outputs.",
        hints.local(student_side.weights_transposed))


def _no_sqrt_hint(variance, uniform):
    # normal: std = Var gives Var**2; uniform: limit = 3 Var gives (3 Var)**2 / 3
    return Hint(
        "The variance of your weights is of order Var**2: you used the variance where a standard "
        "deviation (or limit) belongs. Take the square root: std = sqrt(Var).",
        _variance_like(variance, (lambda fi, fo, v: [3 * v * v]) if uniform
                       else (lambda fi, fo, v: [v * v])))


def _uniform_no_3_hint(variance):
    return Hint(
        "Your weights have a third of the target variance: U(-a, a) has variance a**2 / 3, so "
        "the limit is a = sqrt(3 Var), not sqrt(Var) (Glorot: sqrt(6 / (fan_in + fan_out))).",
        _variance_like(variance, lambda fi, fo, v: [v / 3]))


def _all_positive_hint():
    return Hint(
        "All your weights are positive: draw from [-limit, limit], symmetric around 0.",
        hints.local(student_side.all_positive))


def _normal_scale_hint(variance):
    return Hint(
        "Your normal weights use the uniform limit sqrt(3 Var) as standard deviation or as "
        "variance. For the normal initializers the standard deviation is sqrt(Var).",
        _variance_like(variance, lambda fi, fo, v: [3 * v, math.sqrt(3 * v)]))


def _truncation_hint(variance):
    detect = hints.local(student_side.truncated_unscaled, make_args=lambda i: {
        "var": variance(int(i["fan_in"]), int(i["fan_out"]))})
    detect.targets = lambda fi, fo, v: [TRUNC_STD ** 2 * v]
    return Hint(
        "You truncate at 2 sqrt(Var) without correcting the scale, which leaves only 77 % of "
        "the variance. Keras draws with stddev sqrt(Var) / 0.8796 and truncates at 2 stddev.",
        detect)


HE_FAN_OUT_MESSAGE = ("Your variance matches 2 / fan_out. He initialization keeps the forward "
                      "signal's variance, which depends on the inputs of a unit: Var = 2 / fan_in.")

GLOROT_ONE_FAN_MESSAGE = ("Your variance uses only one fan (like He or LeCun). Glorot's compromise "
                          "between the forward and backward pass averages both: "
                          "Var = 2 / (fan_in + fan_out).")


def _he_fan_out_hint():
    return Hint(HE_FAN_OUT_MESSAGE, _variance_like(
        he_var, lambda fi, fo, v: [2.0 / fo] if not 0.8 < fi / fo < 1.25 else []))


def _glorot_one_fan_hint():
    # (with very unequal fans one of these is within 20 % of the right variance:
    # no mistake worth a hint there, and the check passes anyway)
    return Hint(GLOROT_ONE_FAN_MESSAGE, _variance_like(
        glorot_var, lambda fi, fo, v: [t for t in (2.0 / fi, 1.0 / fi, 2.0 / fo, 1.0 / fo)
                                       if not 0.8 < t / v < 1.25]))


def _glorot_half_hint():
    return Hint(
        "Your variance is 1 / (fan_in + fan_out), half of Glorot's: Var is 1 over the average "
        "fan, (fan_in + fan_out) / 2, so Var = 2 / (fan_in + fan_out).",
        _variance_like(glorot_var, lambda fi, fo, v: [v / 2]))


def _he_lecun_hint():
    return Hint(
        "Your variance is 1 / fan_in, LeCun's. He doubles it because a ReLU zeroes half of "
        "the signal: Var = 2 / fan_in.",
        _variance_like(he_var, lambda fi, fo, v: [v / 2]))


def _he_fan_average_hint():
    return Hint(
        "Your variance uses the average of both fans, like Glorot. He initialization uses "
        "fan_in only: Var = 2 / fan_in.",
        _variance_like(he_var, lambda fi, fo, v: [4.0 / (fi + fo), 2.0 / (fi + fo)]))


# New hints go at the end (the tests refer to hints by their index).
GU_HINTS = _keep_apart([_uniform_no_3_hint(glorot_var), _glorot_one_fan_hint(),
                        _no_sqrt_hint(glorot_var, True), _all_positive_hint(), _transposed_hint(),
                        _glorot_half_hint()])
GN_HINTS = _keep_apart([_normal_scale_hint(glorot_var), _truncation_hint(glorot_var),
                        _glorot_one_fan_hint(), _no_sqrt_hint(glorot_var, False), _transposed_hint(),
                        _glorot_half_hint()])
HU_HINTS = _keep_apart([_uniform_no_3_hint(he_var), _he_fan_out_hint(), _no_sqrt_hint(he_var, True),
                        _all_positive_hint(), _transposed_hint(), _he_fan_average_hint(),
                        _he_lecun_hint()])
HN_HINTS = _keep_apart([_normal_scale_hint(he_var), _truncation_hint(he_var), _he_fan_out_hint(),
                        _no_sqrt_hint(he_var, False), _transposed_hint(), _he_fan_average_hint(),
                        _he_lecun_hint()])


# ---------------------------------------------------------------- layer_variances: inputs

def _network(widths, gain, activation, n=128):
    """x ~ N(0, 1) of shape (n, widths[0]); W_l ~ N(0, gain**2 / fan_in) of
    shape (widths[l], widths[l+1]). widths may be a function of rng."""
    def make(rng):
        ws = widths(rng) if callable(widths) else widths
        x = rng.standard_normal((n, ws[0]))
        weights = [gain * rng.standard_normal((a, b)) / math.sqrt(a) for a, b in zip(ws, ws[1:])]
        return {"x": x, "weights": weights, "activation": activation}
    return make


def _random_widths(n_layers):
    def widths(rng):
        return [int(w) for w in rng.integers(16, 80, size=n_layers + 1)]
    return widths


# ---------------------------------------------------------------- layer_variances: NumPy

_ACTS = {
    "relu": lambda h: np.maximum(h, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda h: 0.5 * (1.0 + np.tanh(0.5 * h)),
    "linear": lambda h: h,
}


def _propagate(inputs, activation=None, record="post", include_input=False, stat=np.var,
               act_first=False):
    """What a student with one misconception returns. record: "post" (the
    layer output) or "pre" (h @ W before the activation); act_first: each
    layer computes act(h) @ W instead of act(h @ W)."""
    act = _ACTS[activation or inputs["activation"]]
    h = np.asarray(inputs["x"], dtype=np.float64)
    out = [float(stat(h))] if include_input else []
    for W in inputs["weights"]:
        if act_first:
            h = pre = act(h) @ np.asarray(W, dtype=np.float64)
            out.append(float(stat(h)))
            continue
        pre = h @ np.asarray(W, dtype=np.float64)
        h = act(pre)
        out.append(float(stat(pre if record == "pre" else h)))
    return out


def _other_activations(i):
    return [a for a in _ACTS if a != i["activation"]]


LV_PREACTIVATION = Hint(
    "Your values are the variances of h @ W before the activation. Record np.var of each "
    "layer's output act(h @ W), the signal the next layer receives.",
    hints.matches(lambda i: _propagate(i, record="pre")))

LV_INPUT_INCLUDED = Hint(
    "Your list starts with the variance of the input x. Return one value per weight "
    "matrix: the variance of each layer's output, len(weights) values.",
    hints.matches(lambda i: _propagate(i, include_input=True),
                  lambda i: _propagate(i, include_input=True)[:-1]))

LV_WRONG_ACTIVATION = Hint(
    "Your variances match a different activation: map the names exactly, "
    "'relu' -> max(h, 0), 'tanh' -> tanh, 'sigmoid' -> 1 / (1 + exp(-h)), 'linear' -> h.",
    hints.matches(*(lambda i, k=k: _propagate(i, activation=_other_activations(i)[k])
                    for k in range(3))))

LV_STD = Hint(
    "You returned standard deviations; the task asks for variances (np.var).",
    hints.matches(lambda i: _propagate(i, stat=np.std)))

LV_PER_UNIT = Hint(
    "You averaged per-unit variances (np.var(h, axis=0).mean()). Take np.var over all "
    "entries of the layer output, batch and units together.",
    hints.matches(lambda i: _propagate(i, stat=lambda h: np.mean(np.var(h, axis=0)))))

LV_SECOND_MOMENT = Hint(
    "Your values are the mean of h**2, not the variance: np.var subtracts the mean first, "
    "which matters after a ReLU or sigmoid (their outputs are not centred).",
    hints.matches(lambda i: _propagate(i, stat=lambda h: np.mean(h * h))))

LV_DDOF = Hint(
    "You used the sample variance with ddof=1; the task asks for np.var with its "
    "default ddof=0 (divide by the number of entries).",
    hints.matches(lambda i: _propagate(i, stat=lambda h: np.var(h, ddof=1))))

LV_ACT_FIRST = Hint(
    "You apply the activation before the product, act(h) @ W. A dense layer with an "
    "activation computes act(h @ W): multiply first, then activate.",
    hints.matches(lambda i: _propagate(i, act_first=True)))

LV_ARRAY = Hint(
    "Your values are right but come as a NumPy array: return a Python list "
    "(e.g. build it with append, or call .tolist()).",
    hints.local(student_side.values_as_array))


# ---------------------------------------------------------------- the table

def _initializer_check(function, variance, uniform, points, hint_list):
    return Check(function=function, points=points, reference=REF + function, returns="array",
                 verify=DataVerify(student_side.verify_initializer, lambda inputs: {
                     "var": variance(int(inputs["fan_in"]), int(inputs["fan_out"])),
                     "uniform": uniform}),
                 cases=_init_cases(), hints=hint_list)


ASSIGNMENT = Assignment(
    id="initialization",
    title="Weight initialization and signal propagation",
    checks=[
        _initializer_check("glorot_uniform", glorot_var, True, 18, GU_HINTS),
        _initializer_check("glorot_normal", glorot_var, False, 18, GN_HINTS),
        _initializer_check("he_uniform", he_var, True, 18, HU_HINTS),
        _initializer_check("he_normal", he_var, False, 18, HN_HINTS),
        Check(
            function="layer_variances", points=28, reference=REF + "layer_variances",
            returns="list", rtol=1e-6, atol=0.0,
            cases=[
                Case("ReLU, 4 layers of width 64, He scaling", _network([64] * 5, math.sqrt(2), "relu")),
                Case("tanh, 3 layers, Glorot-like scaling", _network([32, 48, 48, 16], 1.0, "tanh")),
                Case("linear, 5 layers with too small weights (vanishing)",
                     _network([40] * 6, 0.5, "linear")),
                Case("sigmoid, 3 layers", _network([30, 40, 40, 20], 1.0, "sigmoid")),
                Case("hidden: sigmoid, 4 layers", _network([50, 60, 60, 60, 30], 1.0, "sigmoid"),
                     hidden=True),
                Case("hidden: ReLU with too large weights (exploding)",
                     _network([32] * 7, 2.5, "relu"), hidden=True),
                Case("hidden: a single tanh layer", _network([20, 30], 1.5, "tanh"), hidden=True),
                Case("hidden: ReLU, random widths", _network(_random_widths(5), math.sqrt(2), "relu"),
                     hidden=True),
                Case("hidden: linear, random widths", _network(_random_widths(4), 1.0, "linear"),
                     hidden=True),
            ],
            hints=[LV_PREACTIVATION, LV_INPUT_INCLUDED, LV_WRONG_ACTIVATION, LV_STD, LV_PER_UNIT,
                   LV_ARRAY, LV_SECOND_MOMENT, LV_DDOF, LV_ACT_FIRST],
        ),
    ],
)
