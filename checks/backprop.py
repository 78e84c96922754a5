"""Checks for `backprop`: layers with forward/backward passes, a two-layer
classifier's loss and gradients, and central-difference gradients.

How the functions are called:
- A layer's cache is the student's own (any object), so forward and backward
  passes go through the `backprop` driver (checks/student_side/backprop.py):
  a forward pass is graded on `out` only; a backward pass gets the cache that
  the student's own forward pass made in the same call. The reference does the
  same with the TensorFlow layers (`reference_impl.backprop:driven`).
- `numerical_gradient(f, x, h)` takes a callable, which can't cross the
  sandbox boundary: the driver builds f from a named test function and the
  arrays that define it, and the reference is the exact GradientTape gradient
  of that function (central differences agree with it to ~1e-9 at h = 1e-5).
- `mlp_loss_and_grads` is a plain call; its grads dict is compared key by key.

Shapes are chosen so that mistakes show: N != n_in != n_out (a transposed dW
has the wrong shape) except in one square case per layer (where `dout @ W`
runs and gives wrong numbers); ReLU inputs are continuous, so no entry is
exactly 0 (the value of the ReLU derivative there is a convention the
curriculum leaves open); the network's hidden pre-activations are about half
negative, so a missing ReLU gate changes the gradients.

The NumPy helpers below recompute what a *mistaken* implementation returns,
for the hint detectors; they never run in the student's process.
"""
from __future__ import annotations

import numpy as np

from autograder import hints
from checks.student_side import backprop as driver
from autograder.spec import Assignment, Case, Check, Hint

REF = "reference_impl.backprop:"
DRIVEN = REF + "driven"


# ---------------------------------------------------------------- inputs

def _dense_inputs(task, n, n_in, n_out):
    def make(rng):
        inputs = {"task": task, "x": rng.standard_normal((n, n_in)),
                  "W": rng.standard_normal((n_in, n_out)), "b": rng.standard_normal(n_out)}
        if task == "dense_backward":
            inputs["dout"] = rng.standard_normal((n, n_out))
        return inputs
    return make


def _relu_inputs(task, shape, scale=1.0, sign=None):
    """Continuous inputs (never exactly 0); sign +1 / -1 makes them all
    positive / all negative."""
    def make(rng):
        x = scale * rng.standard_normal(shape)
        if sign is not None:
            x = sign * (np.abs(x) + 0.1 * scale)
        inputs = {"task": task, "x": x}
        if task == "relu_backward":
            inputs["dout"] = rng.standard_normal(shape)
        return inputs
    return make


def _mlp_inputs(n, n_in, n_hidden, n_classes, smoothing=0.0, bias_shift=0.0, logit_scale=1.0):
    """He-scaled weights, one-hot targets (label-smoothed if asked); a negative
    bias_shift switches many hidden units off for most samples; logit_scale
    multiplies W2 and b2 (500: logits of order 1e3, where a softmax without
    the row maximum overflows and log(softmax) takes the log of 0)."""
    def make(rng):
        labels = rng.integers(n_classes, size=n)
        y = np.eye(n_classes)[labels]
        if smoothing:
            y = (1.0 - smoothing) * y + smoothing / n_classes
        params = {
            "W1": rng.standard_normal((n_in, n_hidden)) * np.sqrt(2.0 / n_in),
            "b1": 0.1 * rng.standard_normal(n_hidden) + bias_shift,
            "W2": rng.standard_normal((n_hidden, n_classes)) * np.sqrt(2.0 / n_hidden) * logit_scale,
            "b2": 0.1 * rng.standard_normal(n_classes) * logit_scale,
        }
        return {"x": rng.standard_normal((n, n_in)), "y_true": y, "params": params}
    return make


def _quadratic(rng, shape):
    n = int(np.prod(shape))
    # Not symmetric on purpose (the gradient is (A + A.T) u / 2 + c); the
    # diagonal near 3 makes a forward difference miss by about 1.5 h per entry.
    return {"A": rng.standard_normal((n, n)) + 3.0 * np.eye(n), "c": rng.standard_normal(n)}


def _tanh_regression(rng, shape):
    n_in, n_hidden = shape
    return {"X": rng.standard_normal((9, n_in)), "y": rng.standard_normal(9),
            "v": 3.0 * rng.standard_normal(n_hidden)}


def _softmax_cross_entropy(rng, shape):
    n, k = shape
    return {"y": np.eye(k)[rng.integers(k, size=n)]}


def _anharmonic_chain(rng, shape):
    return {"k": rng.uniform(0.5, 2.0, size=shape[0] - 1), "quartic": 0.8, "rest": 1.0}


_DEFINITIONS = {"quadratic": _quadratic, "tanh_regression": _tanh_regression,
                "softmax_cross_entropy": _softmax_cross_entropy,
                "anharmonic_chain": _anharmonic_chain}


def _ng_inputs(function, shape, h=None):
    def make(rng):
        params = _DEFINITIONS[function](rng, shape)
        if function == "anharmonic_chain":   # masses near their rest positions
            x = np.arange(shape[0]) * params["rest"] + 0.3 * rng.standard_normal(shape)
        elif function == "tanh_regression":  # weights of a small tanh layer
            x = 0.5 * rng.standard_normal(shape)
        else:
            x = rng.standard_normal(shape) * (2.0 if function == "softmax_cross_entropy" else 1.0)
        inputs = {"task": "numerical_gradient", "function": function, "x": x, **params}
        if h is not None:
            inputs["h"] = h
        return inputs
    return make


# ---------------------------------------------------------------- NumPy: mistakes

def _a(i, key):
    return np.asarray(i[key], dtype=np.float64)


def _only_if(condition, value_fn):
    """An alternative that only applies when `condition(inputs)` holds."""
    return lambda i: value_fn(i) if condition(i) else None


def _square(i):
    return np.shape(i["W"])[0] == np.shape(i["W"])[1]


def _n(i):
    return np.shape(i["x"])[0]


def _mlp(i, grad_scale=None, loss_scale=None, sign=1.0, gate=True):
    """(loss, grads) of the classifier; grad_scale / loss_scale replace the
    1/N of the mean (e.g. 1 for a sum), sign flips the gradients, gate=False
    lets the gradient through the ReLU unchanged."""
    x, y, p = _a(i, "x"), _a(i, "y_true"), i["params"]
    W1, b1, W2, b2 = (np.asarray(p[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))
    n = x.shape[0]
    pre = x @ W1 + b1
    hidden = np.maximum(pre, 0.0)
    z = hidden @ W2 + b2
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -np.sum(y * log_p) * (1.0 / n if loss_scale is None else loss_scale)
    dz = sign * (np.exp(log_p) - y) * (1.0 / n if grad_scale is None else grad_scale)
    dpre = (dz @ W2.T) * ((pre > 0) if gate else 1.0)
    return loss, {"W1": x.T @ dpre, "b1": dpre.sum(axis=0), "W2": hidden.T @ dz,
                  "b2": dz.sum(axis=0)}


def _function_of(i):
    """The test function f the driver built for a numerical_gradient case."""
    params = {k: v for k, v in i.items() if k not in ("task", "function", "x", "h")}
    return driver.make_function(i["function"], np.shape(i["x"]), **params)


def _differences(i, kind):
    """Forward / backward differences, or all entries of x moved at once."""
    f, x, h = _function_of(i), _a(i, "x"), float(i.get("h", 1e-5))
    if kind == "all_at_once":
        return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = h
        grad[idx] = (f(x + step) - f(x)) / h if kind == "forward" else (f(x) - f(x - step)) / h
    return grad


# ---------------------------------------------------------------- hints: dense

DF_W_TRANSPOSED = Hint(
    "Your output equals x @ W.T + b. Keras stores dense weights as (n_in, n_out), so the "
    "layer computes x @ W + b without transposing W.",
    hints.matches(_only_if(_square, lambda i: _a(i, "x") @ _a(i, "W").T + _a(i, "b"))))

DF_NO_BIAS = Hint(
    "Your output equals x @ W without the bias: add b (it broadcasts over the rows).",
    hints.matches(lambda i: _a(i, "x") @ _a(i, "W")))

DF_ACTIVATION = Hint(
    "Your output equals relu(x @ W + b): dense_forward is only the affine map; the "
    "activation is a layer of its own (relu_forward) with its own backward pass.",
    hints.matches(lambda i: np.maximum(_a(i, "x") @ _a(i, "W") + _a(i, "b"), 0.0)))

DB_DW_TRANSPOSED = Hint(
    "Your dW is transposed: it must have W's shape (n_in, n_out), i.e. dW = x.T @ dout "
    "(not dout.T @ x).",
    hints.predicate("transformed", part=1, transform="transpose"))

DB_NOT_SUMMED = Hint(
    "Your db has one row per sample: b is shared by all N samples, so its gradient "
    "collects all of them, db = dout.sum(axis=0), shape (n_out,).",
    hints.local(driver.db_not_summed))

DB_BATCH_MEAN = Hint(
    "Your gradients are divided by the batch size N. The layer's output is not averaged, "
    "so dW and db are sums over the samples; any 1/N comes from the loss, through dout.",
    hints.scaled(lambda i: [1.0 / _n(i)], parts=(0, 1, 2)))

DB_DX_FORMULA = Hint(
    "Your dx is wrong: each x[n, i] feeds every output through W[i, :], so "
    "dx = dout @ W.T, shape (N, n_in) like x.",
    hints.matches(_only_if(_square, lambda i: _a(i, "dout") @ _a(i, "W")),
                  lambda i: _a(i, "W") @ _a(i, "dout").T,
                  lambda i: (_a(i, "dout") @ _a(i, "W").T).T, part=0))


# ---------------------------------------------------------------- hints: relu

RF_MASK = Hint(
    "You returned the mask x > 0 (zeros and ones) as the output: the ReLU's output is "
    "max(x, 0), the input itself where it is positive.",
    hints.matches(lambda i: (_a(i, "x") > 0).astype(float)))

RF_REDUCED = Hint(
    "np.max(x, 0) is the maximum along axis 0 (a reduction); the elementwise ReLU "
    "is np.maximum(x, 0).",
    hints.matches(lambda i: np.max(_a(i, "x"), axis=0)))

RB_NO_GATE = Hint(
    "Your dx equals dout: the ReLU must block the gradient where its input was negative. "
    "If you built the mask from the output, note that out >= 0 is always true: use out > 0.",
    hints.matches(lambda i: _a(i, "dout")))

RB_MASK_ONLY = Hint(
    "Your dx is the mask (x > 0) alone: multiply it with the upstream gradient, "
    "dx = dout * (x > 0).",
    hints.matches(lambda i: (_a(i, "x") > 0).astype(float)))

RB_TIMES_OUTPUT = Hint(
    "You multiplied dout by the ReLU's output max(x, 0); the backward pass needs its "
    "derivative, which is 1 where x > 0 and 0 elsewhere.",
    hints.matches(lambda i: _a(i, "dout") * np.maximum(_a(i, "x"), 0.0)))

RB_REVERSED = Hint(
    "Your mask is reversed: the gradient passes where x > 0 and is blocked where x < 0.",
    hints.matches(lambda i: _a(i, "dout") * (_a(i, "x") < 0)))


# ---------------------------------------------------------------- hints: mlp

_MLP_TOL = dict(rtol=1e-6, atol=1e-9)


def _grads_match(alternative):
    """Detector: the student's grads equal `alternative(inputs)[1]` but not the expected ones."""
    return hints.matches(lambda i: alternative(i)[1], part=1, same="close_nested", **_MLP_TOL)


def _loss_scaled(factor):
    return hints.scaled(lambda i: [factor(i)], parts=(0,), **_MLP_TOL)


MLP_GRADS_SUMMED = Hint(
    "Your gradients are N times too large: the loss is the *mean* over the batch, so the "
    "gradient at the logits is (softmax(z) - y_true) / N.",
    _grads_match(lambda i: _mlp(i, grad_scale=1.0)))

MLP_LOSS_SUMMED = Hint(
    "Your loss is N times too large: take the mean of the per-sample cross-entropies "
    "over the batch, not their sum.",
    _loss_scaled(lambda i: _n(i)))

MLP_ALL_ELEMENTS = Hint(
    "Your loss (or gradient) is divided by N * n_classes: average over the N samples "
    "only; each sample's cross-entropy is a sum over the classes.",
    hints.any_of(_loss_scaled(lambda i: 1.0 / np.shape(i["y_true"])[1]),
                 _grads_match(lambda i: _mlp(i, grad_scale=1.0 / np.size(i["y_true"])))))

MLP_SIGN = Hint(
    "Your gradients have the wrong sign: at the logits the gradient is "
    "(softmax(z) - y_true) / N, probabilities minus targets.",
    _grads_match(lambda i: _mlp(i, sign=-1.0)))

MLP_NO_GATE = Hint(
    "Your W1 and b1 gradients ignore the ReLU: on the way back, multiply the gradient "
    "at the hidden layer by (pre-activation > 0), as relu_backward does.",
    _grads_match(lambda i: _mlp(i, gate=False)))


_dw_transposed = hints.local(driver.mlp_dw_transposed)


MLP_DW_TRANSPOSED = Hint(
    "A weight gradient is transposed: grads['W1'] and grads['W2'] must have the shapes "
    "of W1 and W2, e.g. dW2 = hidden.T @ dz.",
    _dw_transposed)


_db_not_summed = hints.local(driver.mlp_db_not_summed)


MLP_DB_NOT_SUMMED = Hint(
    "A bias gradient has a row per sample: sum over the batch (axis 0) so that "
    "grads['b1'] and grads['b2'] have the shapes of b1 and b2.",
    _db_not_summed)


# ---------------------------------------------------------------- hints: numerical_gradient

NG_ONE_SIDED = Hint(
    "Your result matches a one-sided difference (f(x + h) - f(x)) / h, whose error is "
    "of order h. Use central differences (f(x + h) - f(x - h)) / (2 h): error of order h**2.",
    hints.matches(lambda i: _differences(i, "forward"), lambda i: _differences(i, "backward"),
                  rtol=1e-6, atol=1e-7))

NG_NO_TWO = Hint(
    "Your gradient is twice too large: the two points x + h and x - h are 2 h apart, "
    "so divide their difference by 2 * h.",
    hints.scaled(lambda i: [2.0], rtol=1e-6, atol=1e-7))

NG_ALL_AT_ONCE = Hint(
    "Every entry of your gradient is the same: you moved all entries of x at once. "
    "Perturb one entry at a time (x + h e_i) to get the partial derivative along i.",
    hints.matches(lambda i: _differences(i, "all_at_once"), rtol=1e-6, atol=1e-7))

NG_SHAPE = Hint(
    "Your gradient has the right numbers in the wrong shape: return an array shaped "
    "like x (e.g. build it with np.zeros_like(x) and fill it with np.ndindex).",
    hints.local(driver.gradient_reshaped))


# ---------------------------------------------------------------- the table

# numerical_gradient tolerances, per case, are absolute (the gradients are
# O(0.1..10)) and sit near the geometric mean of what central differences miss
# by (round-off ~1e-16 |f| / h plus truncation h**2 |f'''| / 6) and what a
# one-sided difference misses by (~h |f''| / 2): a margin of 20x or more on
# each side on every seed (tests/test_backprop_checks.py measures both).
_NG_TOL = dict(rtol=1e-9, atol=5e-8)

ASSIGNMENT = Assignment(
    id="backprop",
    title="Backpropagation by hand",
    checks=[
        Check(
            function="dense_forward", points=8, reference=DRIVEN, driver="backprop",
            cases=[
                Case("4 samples, 3 inputs -> 2 outputs", _dense_inputs("dense_forward", 4, 3, 2)),
                Case("square weights (3 -> 3), 5 samples", _dense_inputs("dense_forward", 5, 3, 3)),
                Case("hidden: a single sample", _dense_inputs("dense_forward", 1, 4, 2),
                     hidden=True),
                Case("hidden: many samples", _dense_inputs("dense_forward", 40, 5, 3), hidden=True),
                Case("hidden: more outputs than inputs", _dense_inputs("dense_forward", 6, 2, 5),
                     hidden=True),
            ],
            hints=[DF_W_TRANSPOSED, DF_NO_BIAS, DF_ACTIVATION],
        ),
        Check(
            function="dense_backward", points=20, reference=DRIVEN, driver="backprop",
            returns="tuple", outputs=("dx", "dW", "db"),
            cases=[
                Case("5 samples, 3 inputs -> 2 outputs", _dense_inputs("dense_backward", 5, 3, 2)),
                Case("square weights (4 -> 4), 6 samples",
                     _dense_inputs("dense_backward", 6, 4, 4)),
                Case("a single sample, 2 inputs -> 3 outputs",
                     _dense_inputs("dense_backward", 1, 2, 3)),
                Case("hidden: many samples", _dense_inputs("dense_backward", 50, 6, 3), hidden=True),
                Case("hidden: a single input feature", _dense_inputs("dense_backward", 7, 1, 3),
                     hidden=True),
                Case("hidden: more outputs than inputs", _dense_inputs("dense_backward", 4, 2, 5),
                     hidden=True),
                Case("hidden: square weights", _dense_inputs("dense_backward", 8, 3, 3),
                     hidden=True),
            ],
            hints=[DB_DW_TRANSPOSED, DB_NOT_SUMMED, DB_BATCH_MEAN, DB_DX_FORMULA],
        ),
        Check(
            function="relu_forward", points=6, reference=DRIVEN, driver="backprop",
            warning_free=True,
            cases=[
                Case("a (4, 5) batch", _relu_inputs("relu_forward", (4, 5))),
                Case("any shape: (2, 3, 4)", _relu_inputs("relu_forward", (2, 3, 4))),
                Case("hidden: inputs up to about 1e3 in size",
                     _relu_inputs("relu_forward", (6, 7), scale=300.0), hidden=True),
                Case("hidden: all negative", _relu_inputs("relu_forward", (5, 3), sign=-1),
                     hidden=True),
                Case("hidden: a 1-D input", _relu_inputs("relu_forward", (9,)), hidden=True),
            ],
            hints=[RF_MASK, RF_REDUCED],
        ),
        Check(
            function="relu_backward", points=10, reference=DRIVEN, driver="backprop",
            cases=[
                Case("a (4, 5) batch", _relu_inputs("relu_backward", (4, 5))),
                Case("any shape: (2, 3, 4)", _relu_inputs("relu_backward", (2, 3, 4))),
                Case("hidden: all inputs positive", _relu_inputs("relu_backward", (5, 4), sign=1),
                     hidden=True),
                Case("hidden: all inputs negative", _relu_inputs("relu_backward", (3, 6), sign=-1),
                     hidden=True),
                Case("hidden: a larger batch", _relu_inputs("relu_backward", (30, 8)), hidden=True),
            ],
            hints=[RB_NO_GATE, RB_MASK_ONLY, RB_TIMES_OUTPUT, RB_REVERSED],
        ),
        Check(
            function="mlp_loss_and_grads", points=36, reference=REF + "mlp_loss_and_grads",
            returns="tuple", outputs=("loss", "grads"), **_MLP_TOL,
            cases=[
                Case("6 samples, 4 inputs -> 5 hidden -> 3 classes", _mlp_inputs(6, 4, 5, 3)),
                Case("a single sample, 3 -> 4 -> 2", _mlp_inputs(1, 3, 4, 2)),
                Case("8 samples, 2 -> 7 -> 4", _mlp_inputs(8, 2, 7, 4)),
                Case("large logits (of order 1e3): subtract the row maximum",
                     _mlp_inputs(5, 3, 6, 3, logit_scale=500.0)),
                Case("hidden: 20 samples, 5 -> 8 -> 3", _mlp_inputs(20, 5, 8, 3), hidden=True),
                Case("hidden: label-smoothed targets", _mlp_inputs(10, 4, 6, 5, smoothing=0.1),
                     hidden=True),
                Case("hidden: equal sizes everywhere (3 -> 3 -> 3, 3 samples)",
                     _mlp_inputs(3, 3, 3, 3), hidden=True),
                Case("hidden: many inactive hidden units", _mlp_inputs(12, 3, 10, 3, bias_shift=-1.0),
                     hidden=True),
                Case("hidden: large logits", _mlp_inputs(9, 4, 6, 4, logit_scale=500.0), hidden=True),
            ],
            hints=[MLP_GRADS_SUMMED, MLP_LOSS_SUMMED, MLP_ALL_ELEMENTS, MLP_SIGN, MLP_NO_GATE,
                   MLP_DW_TRANSPOSED, MLP_DB_NOT_SUMMED],
        ),
        Check(
            function="numerical_gradient", points=20, reference=DRIVEN, driver="backprop",
            timeout=20.0, **_NG_TOL,
            cases=[
                Case("a quadratic form in 5 variables, default h",
                     _ng_inputs("quadratic", (5,))),
                Case("MSE of a tanh layer w.r.t. its (3, 2) weight matrix, h = 1e-5",
                     _ng_inputs("tanh_regression", (3, 2), h=1e-5), atol=1e-7),
                Case("softmax cross-entropy w.r.t. (4, 3) logits, h = 1e-4",
                     _ng_inputs("softmax_cross_entropy", (4, 3), h=1e-4), atol=1e-8),
                Case("hidden: energy of an anharmonic chain of 7 masses",
                     _ng_inputs("anharmonic_chain", (7,)), hidden=True),
                Case("hidden: a quadratic form of a (3, 4) matrix",
                     _ng_inputs("quadratic", (3, 4), h=1e-5), hidden=True, atol=1e-7),
                Case("hidden: tanh layer (4, 3), default h",
                     _ng_inputs("tanh_regression", (4, 3)), hidden=True, atol=1.5e-7),
                Case("hidden: anharmonic chain with a coarse step h = 1e-3",
                     _ng_inputs("anharmonic_chain", (9,), h=1e-3), hidden=True, atol=4e-5),
                Case("hidden: softmax cross-entropy, 6 samples, 5 classes",
                     _ng_inputs("softmax_cross_entropy", (6, 5)), hidden=True, atol=4e-9),
            ],
            hints=[NG_ONE_SIDED, NG_NO_TWO, NG_ALL_AT_ONCE, NG_SHAPE],
        ),
    ],
)
