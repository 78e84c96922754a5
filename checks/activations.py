"""Checks for `activations`: activation functions, their derivatives, softmax,
one-hot labels, cross-entropy and accuracy.

Inputs are chosen so that mistakes show:
- stability cases put |x| up to 1e3 into relu, sigmoid, tanh, softmax and
  softmax_cross_entropy (warning_free: overflow, invalid and divide-by-zero
  warnings fail the test; underflow to 0 is fine, see design.md);
- derivative cases never contain exactly 0 (relu's derivative there is not
  graded) and stay at |x| <= 30, where even a naive sigmoid is warning-free
  (the curriculum asks stability of the activations, not of the derivatives);
- batches have N > 1 and N != n_classes (a sum instead of a mean, a missing
  1/N or a softmax along axis 0 all change the numbers), one square case
  keeps the wrong axis from hiding behind a shape error;
- probabilities have no ties, so argmax is unique in NumPy and TF alike.

Stability hints read the outputs (NaN/inf where the reference is finite). The
naive sigmoid at x = -1000 returns the right value and only warns; its hint
reads the warnings when the runner passes them (hints.WARNINGS_KEY).
"""
from __future__ import annotations

import numpy as np

from autograder import hints
from autograder.spec import Assignment, Case, Check, Hint
from checks.student_side import activations as student_side

REF = "reference_impl.activations:"
EPS = 1e-7  # Keras's epsilon: the clip of categorical_crossentropy


# ---------------------------------------------------------------- inputs

def _plant(rng, x, values):
    """Put `values` at random distinct positions of x (a copy), e.g. the
    extremes +-1000 that a uniform draw would never hit exactly."""
    x = np.array(x, dtype=np.float64)
    flat = x.reshape(-1)
    where = rng.choice(flat.size, size=min(len(values), flat.size), replace=False)
    flat[where] = values[:len(where)]
    return x


def _normal(shape, scale=2.0, zeros=0):
    """x ~ N(0, scale**2) of `shape`; `zeros` entries set to exactly 0."""
    def make(rng):
        x = scale * rng.standard_normal(shape)
        if zeros:
            x = _plant(rng, x, [0.0] * zeros)
        return {"x": x}
    return make


def _no_zero(shape, low, high):
    """Uniform in [low, high], nudged away from 0 (derivative cases)."""
    def make(rng):
        x = rng.uniform(low, high, size=shape)
        x[np.abs(x) < 1e-3] = 0.5
        return {"x": x}
    return make


def _large(shape, low=-1000.0, high=1000.0, extremes=(-1000.0, 1000.0, -750.0, 750.0), key="x"):
    """Stability inputs: uniform in [low, high] plus planted extremes."""
    def make(rng):
        x = rng.uniform(low, high, size=shape)
        return {key: _plant(rng, x, [e for e in extremes if low <= e <= high])}
    return make


def _logits(shape, scale=2.0, key="z"):
    def make(rng):
        return {key: scale * rng.standard_normal(shape)}
    return make


def _row_offsets(n, k):
    """Rows whose logits sit around very different offsets (+-900): subtracting
    one global max instead of each row's max underflows the low rows."""
    def make(rng):
        offsets = rng.choice([-900.0, -300.0, 0.0, 400.0, 900.0], size=(n, 1))
        offsets[0, 0], offsets[-1, 0] = 900.0, -900.0
        return {"z": offsets + 3.0 * rng.standard_normal((n, k))}
    return make


def _labels(n, k, skip_last=False):
    """Integer labels in range(k) (int64); skip_last: the largest class is absent."""
    def make(rng):
        nn = n(rng) if callable(n) else n
        kk = k(rng) if callable(k) else k
        labels = rng.integers(0, kk - 1 if skip_last else kk, size=nn)
        labels[0] = 0
        return {"labels": labels.astype(np.int64), "n_classes": int(kk)}
    return make


def _probabilities(rng, n, k, scale=1.5):
    """Rows of a softmax: positive, summing to 1, no ties."""
    z = scale * rng.standard_normal((n, k))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _targets(rng, n, k, soft=False):
    labels = rng.integers(0, k, size=n)
    y = np.eye(k)[labels]
    if soft:  # label smoothing: rows still sum to 1
        y = 0.9 * y + 0.1 / k
    return y


def _cce_inputs(n, k, soft=False, kind="smooth"):
    """kind: "smooth" (softmax rows), "extreme" (some exact 0 and 1 entries,
    including a confident wrong prediction), "tiny" (true class 1e-12),
    "certain" (every row one-hot on the true class: Keras still clips p = 1 to
    1 - 1e-7, so the loss is -log(1 - 1e-7), not 0)."""
    def make(rng):
        y = _targets(rng, n, k, soft)
        p = _probabilities(rng, n, k)
        true = np.argmax(y, axis=1)
        if kind == "certain":                          # every row certain and right: p = 1
            p = np.eye(k)[true]
        elif kind == "extreme":
            p[0] = np.eye(k)[true[0]]                 # certain and right: p = 1
            p[1] = np.eye(k)[(true[1] + 1) % k]       # certain and wrong: p(true) = 0
        elif kind == "tiny":
            for row in range(0, n, 2):
                p[row] = 0.0
                p[row, true[row]] = 1e-12
                p[row, (true[row] + 1) % k] = 1.0 - 1e-12
        if kind != "certain" and n >= 3:
            _plant_unlikely(p, true, n - 1 if (n - 1) % 2 or kind != "tiny" else n - 2)
        return {"y_true": y, "y_prob": p}
    return make


# One row per case whose true class has probability UNLIKELY: log(p + 1e-7)
# instead of Keras's clipping then errs by 1e-7 / 1e-4 = 1e-3 in that row, at
# least 2.5e-5 of the mean loss (N <= 40), 25 times the tolerance, whatever
# the other (random) rows are. Without it, that mistake's relative error sat
# near 1e-6 and passed or failed with the student's seed.
UNLIKELY = 1e-4


def _plant_unlikely(p, true, row):
    q = p[row].copy()
    q[true[row]] = 0.0
    p[row] = q / q.sum() * (1.0 - UNLIKELY)
    p[row, true[row]] = UNLIKELY


def _sce_inputs(n, k, scale=2.0, soft=False, large=False):
    def make(rng):
        y = _targets(rng, n, k, soft)
        if large:
            z = rng.uniform(-1000.0, 1000.0, size=(n, k))
            z[0] = -1000.0
            z[0, (np.argmax(y[0]) + 1) % k] = 1000.0  # true class e^-2000 below the best
        else:
            z = scale * rng.standard_normal((n, k))
        return {"y_true": y, "logits": z}
    return make


def _accuracy_mistakes(y, p):
    """What two classic mistakes compute: argmax over the batch axis, and
    "right" meaning p(true class) > 0.5."""
    true = np.argmax(y, axis=1)
    return (float(np.mean(np.argmax(p, axis=0) == np.argmax(y, axis=0))),
            float(np.mean(p[np.arange(len(true)), true] > 0.5)))


def _accuracy_inputs(n, k, all_right=False):
    """Redrawn (a few times at most) until both mistakes of _accuracy_mistakes
    give another answer than the right one, so they fail for every student
    (p(true) > 0.5 can't differ with two classes: that case only checks axis 0)."""
    def make(rng):
        for _ in range(1000):
            inputs = draw(rng)
            y, p = inputs["y_true"], inputs["y_prob"]
            right = float(np.mean(np.argmax(p, axis=1) == np.argmax(y, axis=1)))
            axis0, over_half = _accuracy_mistakes(y, p)
            if all_right or (axis0 != right and (k == 2 or over_half != right)):
                return inputs
        raise RuntimeError("no accuracy case telling the mistakes apart")

    def draw(rng):
        y = _targets(rng, n, k)
        p = _probabilities(rng, n, k)
        true = np.argmax(y, axis=1)
        if all_right:
            swap = np.argmax(p, axis=1)
            rows = np.arange(n)
            p[rows, swap], p[rows, true] = p[rows, true], p[rows, swap]
        else:
            # at least one right and one wrong row, so the fraction is in (0, 1)
            best = np.argmax(p[0])
            p[0, [best, true[0]]] = p[0, [true[0], best]]
            if np.argmax(p[1]) == true[1]:
                p[1, true[1]] = 0.0
                p[1] /= p[1].sum()
        return {"y_true": y, "y_prob": p}
    return make


# ---------------------------------------------------------------- NumPy
# What a student with a given misconception computes (for the detectors).

def _x(i):
    return np.asarray(i["x"], dtype=np.float64)


def _softmax(z, axis=-1, subtract="row"):
    """subtract: "row" (the max along axis), "global" (one max), "min" / "mean"
    (of each row: the wrong shift), None (naive)."""
    z = np.asarray(z, dtype=np.float64)
    if subtract == "row":
        z = z - np.max(z, axis=axis, keepdims=True)
    elif subtract == "global":
        z = z - np.max(z)
    elif subtract in ("min", "mean"):
        z = z - getattr(np, subtract)(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def _cce(y, p, clip=True, reduce="mean"):
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    if clip:
        p = np.clip(p, EPS, 1 - EPS)
    terms = -y * np.log(p)
    if reduce == "elements":
        return float(np.mean(terms))
    return float(np.mean(np.sum(terms, axis=-1)))


def _batch(i, key):
    return np.shape(i[key])[0]


def _only_if(condition, compute):
    """An alternative that applies only to some inputs (None otherwise)."""
    return lambda i: compute(i) if condition(i) else None


# ---------------------------------------------------------------- hints: activations

RELU_STEP = Hint(
    "Your relu returns 1 for positive inputs: that is its derivative (the step "
    "function). relu(x) = max(x, 0) keeps the positive values themselves.",
    hints.matches(lambda i: (_x(i) > 0).astype(float)))

SIGMOID_OVERFLOW = Hint(
    "exp(-x) overflows for x < -709 (and exp(x) for x > 709). Only ever exponentiate "
    "non-positive numbers: with e = exp(-|x|), sigmoid is 1/(1+e) for x >= 0 and e/(1+e) for x < 0.",
    hints.local(student_side.sigmoid_overflow))

SIGMOID_SIGN = Hint(
    "Your sigmoid is mirrored: you computed 1 / (1 + exp(x)) = sigmoid(-x). "
    "The sigmoid is 1 / (1 + exp(-x)), which goes to 1 for large positive x.",
    hints.matches(lambda i: 0.5 * (1 - np.tanh(_x(i) / 2))))

TANH_SLIDE_TYPO = Hint(
    "Your tanh follows (e^{2x} - 1) / (e^{-2x} + 1), a typo on the slides: the "
    "denominator is e^{2x} + 1. Simplest and stable: np.tanh(x).",
    hints.matches(lambda i: (np.exp(2 * _x(i)) - 1) / (np.exp(-2 * _x(i)) + 1)))

def _tanh_ratio(x, sign):
    """(e - 1) / (e + 1) with e = exp(sign * 2x): tanh(x) for sign +1, -tanh(x)
    turned around, (1 - e) / (1 + e), for sign -1; both overflow on one side."""
    e = np.exp(sign * 2.0 * x)
    return (e - 1.0) / (e + 1.0) if sign > 0 else (1.0 - e) / (1.0 + e)


TANH_OVERFLOW = Hint(
    "exp(2x) overflows for x > 354 and inf / inf gives NaN. Use np.tanh(x), or "
    "exponentiate only -2|x|: tanh(x) = sign(x) (1 - e) / (1 + e) with e = exp(-2|x|).",
    hints.matches_nonfinite(lambda i: _tanh_ratio(_x(i), 1.0)))

TANH_OVERFLOW_NEGATIVE = Hint(
    "exp(-2x) overflows for x < -354 and inf / inf gives NaN. Use np.tanh(x), or "
    "exponentiate only -2|x|: tanh(x) = sign(x) (1 - e) / (1 + e) with e = exp(-2|x|).",
    hints.matches_nonfinite(lambda i: _tanh_ratio(_x(i), -1.0)))

TANH_NO_SIGN = Hint(
    "Your tanh is right for x >= 0 but positive for x < 0: (1 - e) / (1 + e) with "
    "e = exp(-2|x|) is tanh(|x|); multiply it by np.sign(x).",
    hints.matches(lambda i: np.tanh(np.abs(_x(i)))))

RELU_GRAD_IS_RELU = Hint(
    "Your relu_grad returns relu(x) itself. The derivative of max(x, 0) is the "
    "step function: 1 where x > 0 and 0 where x < 0.",
    hints.matches(lambda i: np.maximum(_x(i), 0.0)))

RELU_GRAD_BOOL = Hint(
    "Your relu_grad has the right pattern but is a boolean array; return floats, "
    "e.g. (x > 0).astype(float), so it can multiply incoming gradients.",
    hints.predicate("dtype_close", kinds="b"))

RELU_GRAD_INT = Hint(
    "Your relu_grad has the right pattern but is an integer array; return floats, "
    "e.g. (x > 0).astype(float), as the derivative of a float function.",
    hints.predicate("dtype_close", kinds="iu"))

SIGMOID_GRAD_ON_X = Hint(
    "You computed s (1 - s) with s = x. The formula holds for s = sigmoid(x): "
    "evaluate the sigmoid first, then s * (1 - s).",
    hints.matches(lambda i: _x(i) * (1 - _x(i))))

SIGMOID_GRAD_IS_SIGMOID = Hint(
    "Your sigmoid_grad returns sigmoid(x) itself; the derivative is sigmoid(x) * (1 - sigmoid(x)).",
    hints.matches(lambda i: 0.5 * (1 + np.tanh(_x(i) / 2))))

TANH_GRAD_ON_X = Hint(
    "You computed 1 - x**2. The derivative is 1 - tanh(x)**2: apply tanh first.",
    hints.matches(lambda i: 1 - _x(i) ** 2))

TANH_GRAD_NO_SQUARE = Hint(
    "Your tanh_grad is 1 - tanh(x); the derivative is 1 - tanh(x)**2 (squared).",
    hints.matches(lambda i: 1 - np.tanh(_x(i))))


# ---------------------------------------------------------------- hints: softmax

def _z(i):
    return np.asarray(i["z"], dtype=np.float64)


SOFTMAX_OVERFLOW = Hint(
    "Your softmax exponentiates the raw logits: exp(1000) overflows to inf (NaN after "
    "dividing) and rows near -1000 give 0/0. Subtract each row's maximum first, "
    "z - z.max(axis=-1, keepdims=True): the result is the same, the numbers stay finite.",
    hints.matches_nonfinite(lambda i: _softmax(_z(i), subtract=None)))

SOFTMAX_GLOBAL_MAX = Hint(
    "You subtract one global maximum: rows far below it underflow to 0/0. "
    "Subtract the maximum of each row, z.max(axis=-1, keepdims=True).",
    hints.matches_nonfinite(lambda i: _softmax(_z(i), subtract="global")))

SOFTMAX_MIN_OR_MEAN = Hint(
    "You subtract the row minimum (or mean): the largest logit minus it can still be "
    "~2000, and exp overflows. Subtract each row's maximum, so every exponent is <= 0.",
    hints.matches_nonfinite(lambda i: _softmax(_z(i), subtract="min"),
                            lambda i: _softmax(_z(i), subtract="mean")))

SOFTMAX_WRONG_AXIS = Hint(
    "Your softmax normalises along the wrong axis: each row (the last axis, one "
    "entry per class) must sum to 1. Use axis=-1 with keepdims=True in max and sum.",
    hints.matches(_only_if(lambda i: _z(i).ndim >= 2, lambda i: _softmax(_z(i), axis=0)),
                  _only_if(lambda i: _z(i).ndim >= 3, lambda i: _softmax(_z(i), axis=-2)),
                  _only_if(lambda i: _z(i).ndim >= 2, lambda i: _softmax(_z(i), axis=None))))


# ---------------------------------------------------------------- hints: one_hot

def _eye_rows(i, k=None):
    labels = np.asarray(i["labels"])
    k = int(i["n_classes"]) if k is None else k
    return np.eye(k)[labels]


ONE_HOT_INT = Hint(
    "Your one-hot array has the right 0/1 pattern but an integer or boolean dtype; "
    "return floats (e.g. np.zeros((N, n_classes)) and set the ones), as Keras expects.",
    hints.predicate("dtype_close", kinds="biu"))

ONE_HOT_FROM_LABELS = Hint(
    "Your array has max(labels) + 1 columns: use n_classes, since a batch need not "
    "contain every class.",
    hints.matches(_only_if(lambda i: int(np.max(i["labels"])) + 1 != int(i["n_classes"]),
                           lambda i: _eye_rows(i, int(np.max(i["labels"])) + 1))))

ONE_HOT_TRANSPOSED = Hint(
    "Your one-hot array is transposed: shape (N, n_classes), one row per sample.",
    hints.matches(lambda i: _eye_rows(i).T))


# ---------------------------------------------------------------- hints: cross-entropy

def _yp(i):
    return np.asarray(i["y_true"], dtype=np.float64), np.asarray(i["y_prob"], dtype=np.float64)


CCE_SUM = Hint(
    "Your loss is N times too large: it is the sum over the batch. Keras averages "
    "the per-sample losses: mean over samples of -sum_k y_k log p_k.",
    hints.scaled(lambda i: [_batch(i, "y_true")]))

CCE_ELEMENTWISE_MEAN = Hint(
    "Your loss is n_classes times too small: you averaged over all N * n_classes "
    "entries. Sum over the classes of each sample, then average over the batch.",
    hints.scaled(lambda i: [1.0 / np.shape(i["y_true"])[-1]]))

CCE_NO_CLIP = Hint(
    "Without clipping, a predicted probability of 0 gives log(0) = -inf (and tiny ones "
    "huge losses). Clip p to [1e-7, 1 - 1e-7] before the log, as Keras does.",
    hints.any_of(hints.predicate("nonfinite_where_finite"),
                 hints.matches(lambda i: _cce(*_yp(i), clip=False))))

CCE_EPS_IN_LOG = Hint(
    "You take log(p + 1e-7): that shifts every probability, not only those near 0. "
    "Keras clips instead, p = np.clip(p, 1e-7, 1 - 1e-7), then takes log(p).",
    hints.matches(lambda i: float(np.mean(-np.sum(_yp(i)[0] * np.log(_yp(i)[1] + EPS), axis=-1)))))

CCE_SWAPPED = Hint(
    "Your loss takes the log of y_true: the arguments are (y_true, y_prob) and the loss "
    "is -sum(y_true * log(y_prob)).",
    hints.matches(lambda i: _cce(*_yp(i)[::-1])))


def _yz(i):
    return np.asarray(i["y_true"], dtype=np.float64), np.asarray(i["logits"], dtype=np.float64)


SCE_SUM = Hint(
    "Your loss is N times too large: average the per-sample losses over the batch "
    "(Keras's default reduction), don't sum them.",
    hints.scaled(lambda i: [_batch(i, "logits")], parts=(0,)))

SCE_ELEMENTWISE_MEAN = Hint(
    "Your loss is n_classes times too small: you averaged over all N * n_classes "
    "entries. Sum over the classes of each sample, then average over the batch.",
    hints.scaled(lambda i: [1.0 / np.shape(i["logits"])[-1]], parts=(0,)))

SCE_GRAD_NO_N = Hint(
    "Your dlogits is N times too large: the loss is a mean over the batch, so each "
    "sample's gradient softmax(z) - y carries a factor 1/N.",
    hints.scaled(lambda i: [_batch(i, "logits")], parts=(1,)))

SCE_GRAD_SIGN = Hint(
    "Your dlogits has the wrong sign: d loss / d z = (softmax(z) - y_true) / N "
    "(prediction minus target).",
    hints.scaled(lambda i: [-1.0], parts=(1,)))

SCE_UNSTABLE = Hint(
    "Your loss is NaN or inf: log(softmax(z)) is -inf when a probability underflows "
    "to 0. Compute the log-softmax directly: z - m - log(sum(exp(z - m))), m = row max.",
    hints.any_of(hints.predicate("nonfinite_where_finite", part=0),
                 hints.predicate("nonfinite_where_finite", part=1)))

SCE_CLIPPED = Hint(
    "Your loss equals the *clipped* cross-entropy of softmax(z). With from_logits=True "
    "Keras does not clip: an unlikely true class costs its full -log p; use the log-softmax.",
    hints.matches(lambda i: _cce(_yz(i)[0], _softmax(_yz(i)[1])), part=0))


# ---------------------------------------------------------------- hints: accuracy

def _unless_zero(alternative):
    def alt(i):
        value = alternative(i)
        return None if value == 0.0 else value
    return alt


ACC_ELEMENTWISE = Hint(
    "Your accuracy compares probabilities (or rounded probabilities) with the one-hot "
    "targets entry by entry. A prediction is the class with the largest probability: "
    "compare np.argmax(y_prob, axis=-1) with np.argmax(y_true, axis=-1).",
    # An alternative that gives 0 on a case says nothing (raw probabilities never
    # equal 0/1 targets): it is left out there, so a wrong 0.0 is not blamed on it.
    hints.matches(*(_unless_zero(alt) for alt in (
        lambda i: float(np.mean(np.round(_yp(i)[1]) == _yp(i)[0])),
        lambda i: float(np.mean(_yp(i)[1] == _yp(i)[0])),
        lambda i: float(np.mean((_yp(i)[1] > 0.5) == (_yp(i)[0] > 0.5))),
        lambda i: float(np.mean(np.all(np.round(_yp(i)[1]) == _yp(i)[0], axis=-1)))))))

ACC_COUNT = Hint(
    "You returned the number of correct rows; accuracy is the fraction (divide by N).",
    hints.scaled(lambda i: [_batch(i, "y_true")]))

ACC_PERCENT = Hint(
    "You returned a percentage; accuracy is a fraction between 0 and 1.",
    hints.scaled(lambda i: [100.0]))


# ---------------------------------------------------------------- float32 (the course requires float64)
# One Hint object per check (the tests forbid sharing), same message and detector.
def _float32_hint(*parts):
    return Hint(hints.FLOAT32_MESSAGE,
                hints.any_of(*(hints.float32_rounding(part=p) for p in parts)))


TANH_GRAD_FLOAT32 = _float32_hint(None)
SOFTMAX_FLOAT32 = _float32_hint(None)
SCE_FLOAT32 = _float32_hint(0, 1)


# ---------------------------------------------------------------- the table

ASSIGNMENT = Assignment(
    id="activations",
    title="Activation functions, softmax and cross-entropy",
    checks=[
        Check(
            function="relu", points=6, reference=REF + "relu", warning_free=True,
            cases=[
                Case("1-D array with both signs and exact zeros", _normal(9, zeros=2)),
                Case("(5, 4) batch", _normal((5, 4))),
                Case("hidden: 3-D array", _normal((2, 3, 4)), hidden=True),
                Case("hidden: |x| up to 1e3", _large((6, 5)), hidden=True),
                Case("hidden: only negative values", _large((4, 3), -50.0, -1e-3, ()), hidden=True),
            ],
            hints=[RELU_STEP],
        ),
        Check(
            function="sigmoid", points=9, reference=REF + "sigmoid", warning_free=True,
            cases=[
                Case("1-D array in [-6, 6]", _normal(8)),
                Case("(4, 3) batch", _normal((4, 3), scale=3.0)),
                Case("|x| up to 1e3, both signs (stability)", _large((5, 4))),
                Case("hidden: 3-D array", _normal((2, 2, 5)), hidden=True),
                Case("hidden: very negative values only", _large(12, -1000.0, -700.0, (-1000.0,)),
                     hidden=True),
                Case("hidden: very positive values only", _large(12, 700.0, 1000.0, (1000.0,)),
                     hidden=True),
                Case("hidden: |x| up to 1e3, larger batch", _large((20, 7)), hidden=True),
            ],
            hints=[SIGMOID_OVERFLOW, SIGMOID_SIGN],
        ),
        Check(
            function="tanh", points=8, reference=REF + "tanh", warning_free=True,
            cases=[
                Case("1-D array in [-3, 3]", _normal(7, scale=1.0)),
                Case("(3, 4) batch", _normal((3, 4), scale=1.5)),
                Case("|x| up to 1e3, both signs (stability)", _large((4, 5))),
                Case("hidden: 3-D array", _normal((2, 4, 3), scale=1.5), hidden=True),
                Case("hidden: |x| up to 1e3", _large((6, 4)), hidden=True),
                Case("hidden: large positive values", _large(10, 300.0, 1000.0, (1000.0,)),
                     hidden=True),
            ],
            hints=[TANH_SLIDE_TYPO, TANH_OVERFLOW, TANH_OVERFLOW_NEGATIVE, TANH_NO_SIGN],
        ),
        Check(
            function="relu_grad", points=6, reference=REF + "relu_grad",
            cases=[
                Case("1-D array with both signs", _no_zero(9, -3.0, 3.0)),
                Case("(4, 5) batch", _no_zero((4, 5), -2.0, 2.0)),
                Case("hidden: 3-D array", _no_zero((2, 3, 3), -5.0, 5.0), hidden=True),
                Case("hidden: |x| up to 30", _no_zero((6, 5), -30.0, 30.0), hidden=True),
                Case("hidden: positive values only", _no_zero(8, 0.01, 4.0), hidden=True),
            ],
            hints=[RELU_GRAD_IS_RELU, RELU_GRAD_BOOL, RELU_GRAD_INT],
        ),
        Check(
            function="sigmoid_grad", points=8, reference=REF + "sigmoid_grad",
            cases=[
                Case("1-D array in [-6, 6]", _no_zero(9, -6.0, 6.0)),
                Case("(3, 5) batch", _no_zero((3, 5), -4.0, 4.0)),
                Case("hidden: 3-D array", _no_zero((2, 3, 2), -5.0, 5.0), hidden=True),
                Case("hidden: |x| up to 30", _no_zero((5, 6), -30.0, 30.0), hidden=True),
                Case("hidden: values near 0", _no_zero(10, -0.5, 0.5), hidden=True),
            ],
            hints=[SIGMOID_GRAD_ON_X, SIGMOID_GRAD_IS_SIGMOID],
        ),
        Check(
            function="tanh_grad", points=6, reference=REF + "tanh_grad",
            cases=[
                Case("1-D array in [-3, 3]", _no_zero(9, -3.0, 3.0)),
                Case("(4, 3) batch", _no_zero((4, 3), -2.0, 2.0)),
                Case("hidden: 3-D array", _no_zero((3, 2, 2), -3.0, 3.0), hidden=True),
                Case("hidden: |x| up to 20", _no_zero((5, 4), -20.0, 20.0), hidden=True),
                Case("hidden: values near 0", _no_zero(10, -0.5, 0.5), hidden=True),
            ],
            hints=[TANH_GRAD_ON_X, TANH_GRAD_NO_SQUARE, TANH_GRAD_FLOAT32],
        ),
        Check(
            function="softmax", points=14, reference=REF + "softmax", warning_free=True,
            cases=[
                Case("(4, 3) batch of logits", _logits((4, 3))),
                Case("1-D vector of 5 logits", _logits(5)),
                Case("logits up to +-1e3 (stability)", _large((4, 5), key="z")),
                Case("rows at very different offsets (-900 to +900): subtract each row's own max",
                     _row_offsets(5, 3)),
                Case("hidden: 3-D array (softmax over the last axis)", _logits((2, 3, 4)), hidden=True),
                Case("hidden: square batch (N = n_classes)", _logits((4, 4), scale=3.0), hidden=True),
                Case("hidden: all logits near -1000", _large((5, 3), -1000.0, -990.0, (-1000.0,),
                                                             key="z"), hidden=True),
                Case("hidden: rows at very different offsets", _row_offsets(6, 4), hidden=True),
                Case("hidden: |z| up to 1e3, larger batch", _large((16, 10), key="z"), hidden=True),
            ],
            hints=[SOFTMAX_OVERFLOW, SOFTMAX_GLOBAL_MAX, SOFTMAX_MIN_OR_MEAN, SOFTMAX_WRONG_AXIS,
                   SOFTMAX_FLOAT32],
        ),
        Check(
            function="one_hot", points=6, reference=REF + "one_hot",
            cases=[
                Case("6 labels, 3 classes", _labels(6, 3)),
                Case("4 labels, 5 classes, the largest class absent", _labels(4, 5, skip_last=True)),
                Case("hidden: a single sample", _labels(1, 4), hidden=True),
                Case("hidden: many samples, 10 classes", _labels(50, 10), hidden=True),
                Case("hidden: the largest class absent",
                     _labels(lambda rng: int(rng.integers(5, 15)), lambda rng: int(rng.integers(4, 9)),
                             skip_last=True), hidden=True),
            ],
            hints=[ONE_HOT_INT, ONE_HOT_FROM_LABELS, ONE_HOT_TRANSPOSED],
        ),
        Check(
            function="categorical_crossentropy", points=11,
            reference=REF + "categorical_crossentropy", returns="scalar",
            cases=[
                Case("(5, 3) softmax predictions, one-hot targets", _cce_inputs(5, 3)),
                Case("some probabilities are exactly 0 and 1 (clipping)",
                     _cce_inputs(4, 3, kind="extreme")),
                Case("every prediction certain and right (p = 1 is clipped to 1 - 1e-7)",
                     _cce_inputs(4, 3, kind="certain")),
                Case("soft targets (label smoothing)", _cce_inputs(5, 3, soft=True)),
                Case("hidden: many samples, 6 classes", _cce_inputs(40, 6), hidden=True),
                Case("hidden: true-class probability 1e-12", _cce_inputs(6, 4, kind="tiny"), hidden=True),
                Case("hidden: soft targets (label smoothing)", _cce_inputs(7, 5, soft=True), hidden=True),
                Case("hidden: every prediction certain and right",
                     _cce_inputs(6, 4, kind="certain"), hidden=True),
            ],
            hints=[CCE_SUM, CCE_ELEMENTWISE_MEAN, CCE_NO_CLIP, CCE_SWAPPED, CCE_EPS_IN_LOG],
        ),
        Check(
            function="softmax_cross_entropy", points=18,
            reference=REF + "softmax_cross_entropy", returns="tuple", outputs=("loss", "dlogits"),
            warning_free=True,
            cases=[
                Case("(4, 3) logits, one-hot targets", _sce_inputs(4, 3)),
                Case("(6, 5) logits, one-hot targets", _sce_inputs(6, 5)),
                Case("logits up to +-1e3, a true class e^-2000 unlikely (stability)",
                     _sce_inputs(5, 4, large=True)),
                Case("hidden: many samples", _sce_inputs(30, 4), hidden=True),
                Case("hidden: soft targets", _sce_inputs(6, 3, soft=True), hidden=True),
                Case("hidden: |logits| up to 1e3, larger batch", _sce_inputs(12, 6, large=True),
                     hidden=True),
                Case("hidden: square batch, large logit scale", _sce_inputs(5, 5, scale=20.0),
                     hidden=True),
            ],
            hints=[SCE_FLOAT32, SCE_SUM, SCE_ELEMENTWISE_MEAN, SCE_GRAD_NO_N, SCE_GRAD_SIGN, SCE_UNSTABLE, SCE_CLIPPED],
        ),
        Check(
            function="accuracy", points=8, reference=REF + "accuracy", returns="scalar",
            cases=[
                Case("6 samples, 3 classes", _accuracy_inputs(6, 3)),
                Case("8 samples, 4 classes", _accuracy_inputs(8, 4)),
                Case("hidden: many samples, 5 classes", _accuracy_inputs(60, 5), hidden=True),
                Case("hidden: two classes", _accuracy_inputs(9, 2), hidden=True),
                Case("hidden: every prediction right", _accuracy_inputs(7, 4, all_right=True),
                     hidden=True),
            ],
            hints=[ACC_ELEMENTWISE, ACC_COUNT, ACC_PERCENT],
        ),
    ],
)
