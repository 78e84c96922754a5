"""Checks for `gradient_descent`: linear regression trained by gradient descent.

Shapes are chosen so that mistakes show: n_out > 1 with N != n_out (so the
normalisation factors N, n_out and N*n_out are all different), n_in != n_out
(so a transposed W has the wrong shape) except in one case with square W
(so `x @ W.T` runs and gives wrong numbers). Learning rates are binary
fractions small enough to converge on standard-normal features.
"""
from __future__ import annotations

import numpy as np

from autograder import hints
from checks.student_side import gradient_descent as student_side
from autograder.spec import Assignment, Case, Check, Hint, Rng

REF = "reference_impl.gradient_descent:"


# ---------------------------------------------------------------- inputs

def _regression(rng, n, n_in, n_out, noise=0.1, zero_init=False):
    """x, y_true from a random linear map plus noise, and a starting W, b."""
    x = rng.standard_normal((n, n_in))
    y = x @ rng.standard_normal((n_in, n_out)) + rng.standard_normal(n_out) \
        + noise * rng.standard_normal((n, n_out))
    if zero_init:
        return {"x": x, "y_true": y, "W": np.zeros((n_in, n_out)), "b": np.zeros(n_out)}
    return {"x": x, "y_true": y, "W": 0.5 * rng.standard_normal((n_in, n_out)),
            "b": 0.5 * rng.standard_normal(n_out)}


def _linear_inputs(n, n_in, n_out):
    def make(rng):
        return {"x": rng.standard_normal((n, n_in)), "W": rng.standard_normal((n_in, n_out)),
                "b": rng.standard_normal(n_out)}
    return make


def _mse_inputs(n, n_out, scale=1.0):
    def make(rng):
        y_true = rng.standard_normal((n, n_out))
        return {"y_pred": y_true + scale * rng.standard_normal((n, n_out)), "y_true": y_true}
    return make


def _gradient_inputs(n, n_in, n_out, zero_init=False):
    def make(rng):
        return _regression(rng, n, n_in, n_out, zero_init=zero_init)
    return make


# Powers of two: exact in float32 too, so nothing depends on how a framework
# stores the learning rate. All converge: the MSE Hessian here has
# eigenvalues of about 2/n_out * (1 +- a few/sqrt(N)) < 4.
def _gd_inputs(n, n_in, n_out, learning_rate, n_steps):
    def make(rng):
        lr = learning_rate(rng) if callable(learning_rate) else learning_rate
        return {**_regression(rng, n, n_in, n_out), "learning_rate": float(lr),
                "n_steps": int(n_steps)}
    return make


def _minibatch_inputs(n_samples, batch_size):
    """n_samples / batch_size are ints or functions of rng (hidden cases)."""
    def make(rng):
        n = n_samples(rng) if callable(n_samples) else n_samples
        bs = batch_size(rng, n) if callable(batch_size) else batch_size
        return {"n_samples": int(n), "batch_size": int(bs),
                "rng": Rng(int(rng.integers(2**31)))}
    return make


def _uneven_batch(rng, n):
    # A batch size that does not divide n, so there is a short last batch.
    while True:
        bs = int(rng.integers(3, 17))
        if n % bs:
            return bs


# ---------------------------------------------------------------- NumPy
# What a student with a given misconception computes (for the detectors).

def _sizes(inputs):
    y = np.asarray(inputs["y_true"] if "y_true" in inputs else inputs["y_pred"])
    return y.shape[0], int(np.prod(y.shape[1:]))  # N, n_out


def _gd(inputs, lr_factor=1.0, record_after=False):
    x, y = np.asarray(inputs["x"]), np.asarray(inputs["y_true"])
    W, b = np.array(inputs["W"], dtype=float), np.array(inputs["b"], dtype=float)
    lr = lr_factor * inputs["learning_rate"]
    losses = []
    for _ in range(int(inputs["n_steps"])):
        err = x @ W + b - y
        if not record_after:
            losses.append(np.mean(err ** 2))
        scale = 2.0 / err.size
        W, b = W - lr * scale * (x.T @ err), b - lr * scale * err.sum(axis=0)
        if record_after:
            losses.append(np.mean((x @ W + b - y) ** 2))
    return W, b, np.array(losses)


# ---------------------------------------------------------------- hints

LM_OUTPUT_TRANSPOSED = Hint(
    "Your output is transposed: it has shape (n_out, N). Compute x @ W + b, "
    "which is (N, n_out) with one row per sample.",
    hints.matches(lambda i: (i["x"] @ i["W"] + i["b"]).T))

LM_W_TRANSPOSED = Hint(
    "Your result equals x @ W.T + b. Keras stores dense weights as (n_in, n_out), "
    "so the model is x @ W + b without transposing W.",
    hints.matches(lambda i: i["x"] @ i["W"].T + i["b"]))

LM_NO_BIAS = Hint(
    "Your output equals x @ W without the bias: add b (it broadcasts over the rows).",
    hints.matches(lambda i: i["x"] @ i["W"]))

MSE_SUM = Hint(
    "Your loss is the sum of the squared errors, N * n_out times too large: "
    "take the mean over all elements (np.mean).",
    hints.scaled(lambda i: [_sizes(i)[0] * _sizes(i)[1]]))

MSE_ROWS_ONLY = Hint(
    "Your loss averages over one axis only and sums over the other: "
    "the MSE is the mean over all N * n_out elements.",
    # mean over rows, sum over outputs (x n_out) or the other way round (x N;
    # only distinguishable from a plain sum when n_out > 1)
    hints.scaled(lambda i: [_sizes(i)[1]] + ([_sizes(i)[0]] if _sizes(i)[1] > 1 else [])))

MSE_NOT_SCALAR = Hint(
    "You returned one value per row or column; mse_loss must return a single "
    "number, the mean over all elements.",
    hints.local(student_side.mse_not_scalar))

MSE_HALF = Hint(
    "Your loss is half the expected value: this MSE has no factor 1/2 (as in Keras).",
    hints.scaled(lambda i: [0.5]))

MSE_ROOT = Hint(
    "You returned the root of the mean squared error (RMSE); leave out the square root.",
    hints.matches(lambda i: np.sqrt(np.mean((i["y_pred"] - i["y_true"]) ** 2))))

GRAD_SUM = Hint(
    "Your gradients are N * n_out times too large: the loss is a mean over all "
    "N * n_out errors, so both gradients carry a factor 2 / (N * n_out).",
    hints.scaled(lambda i: [_sizes(i)[0] * _sizes(i)[1]], parts=(0, 1)))

GRAD_MISSING_N = Hint(
    "Your gradients are N times too large: you divide by n_out but not by the "
    "number of samples N. The factor is 2 / (N * n_out).",
    # n_out = 2: N is also N * n_out / 2, the factor of GRAD_NO_FACTOR: say nothing
    hints.scaled(lambda i: [_sizes(i)[0]] if _sizes(i)[1] not in (1, 2) else [], parts=(0, 1)))

GRAD_NO_FACTOR = Hint(
    "Your gradients have no factor 2 / (N * n_out) at all: the derivative of the mean of "
    "(y - t)**2 over all N * n_out errors is 2 (y - t) / (N * n_out).",
    hints.scaled(lambda i: [_sizes(i)[0] * _sizes(i)[1] / 2.0] if _sizes(i)[1] != 2 else [],
                 parts=(0, 1)))

GRAD_ROWS_ONLY = Hint(
    "Your gradients are n_out times too large: you divide by N only, but the loss "
    "averages over all N * n_out elements, so divide by N * n_out.",
    hints.scaled(lambda i: [_sizes(i)[1]], parts=(0, 1)))

GRAD_NO_TWO = Hint(
    "Your gradients are half the expected ones: the derivative of (y - t)**2 is "
    "2 (y - t); keep the factor 2.",
    hints.scaled(lambda i: [0.5], parts=(0, 1)))

GRAD_SIGN = Hint(
    "Your gradients have the wrong sign. With err = x @ W + b - y_true (prediction "
    "minus target), dW = 2 * x.T @ err / (N * n_out) and db = 2 * err.sum(axis=0) / (N * n_out).",
    hints.scaled(lambda i: [-1.0], parts=(0, 1)))

GRAD_DW_TRANSPOSED = Hint(
    "Your dW is transposed: it must have W's shape (n_in, n_out), i.e. x.T @ err, not err.T @ x.",
    hints.local(student_side.dw_transposed))

GRAD_DB_NOT_SUMMED = Hint(
    "Your db has one row per sample: sum it over the batch (axis 0) so it has b's shape (n_out,).",
    hints.local(student_side.db_not_summed))

GRAD_DB_KEEPDIMS = Hint(
    "Your db has shape (1, n_out); return it with b's shape (n_out,) "
    "(sum over axis 0 without keepdims).",
    hints.local(student_side.db_keepdims))

_GD_TOL = dict(rtol=1e-5, atol=1e-8)

GD_NORMALISATION = Hint(
    "Your W and b follow gradient descent with a gradient too large by a constant "
    "factor (N, n_out or N * n_out): use the gradient of the mean, as in mse_gradients.",
    hints.matches(*(lambda i, f=f: _gd(i, lr_factor=f(*_sizes(i))) for f in
                    (lambda n, k: n, lambda n, k: k if k > 1 else None, lambda n, k: n * k)),
                  **_GD_TOL))

GD_NO_TWO = Hint(
    "Your parameters move half as far per step as they should: the MSE gradient "
    "has a factor 2.",
    hints.matches(lambda i: _gd(i, lr_factor=0.5), **_GD_TOL))

GD_ASCENT = Hint(
    "Your loss grows: that is gradient ascent. Update with W - learning_rate * dW "
    "(and the same for b).",
    hints.matches(lambda i: _gd(i, lr_factor=-1.0), **_GD_TOL))

GD_LOSS_AFTER = Hint(
    "Your losses are one step late: losses[t] is the loss *before* update t, so "
    "losses[0] is the loss of the initial W and b.",
    hints.matches(lambda i: _gd(i, record_after=True)[2], part=2, **_GD_TOL))

GD_LOSS_COUNT = Hint(
    "Your losses list has the wrong length: record exactly one loss per step "
    "(n_steps values), each before its update.",
    hints.local(student_side.loss_count))

GD_LOSS_SCALE = Hint(
    "Your W and b are right but your losses are scaled: record the mean squared "
    "error (mse_loss), not a sum.",
    hints.local(student_side.losses_scaled))


MB_NOT_SHUFFLED = Hint(
    "Your batches are in the original order 0, 1, 2, ...: shuffle first, "
    "e.g. order = rng.permutation(n_samples), then cut order into batches.",
    hints.local(student_side.batches_not_shuffled))

MB_LAST_DROPPED = Hint(
    "The last, shorter batch is missing: keep it, every sample must appear once "
    "per epoch (only the last batch may be smaller than batch_size).",
    hints.local(student_side.last_batch_dropped))

MB_REPLACEMENT = Hint(
    "Some indices appear twice: you drew them with replacement. Use a permutation "
    "(rng.permutation(n_samples)) so each sample appears exactly once.",
    hints.local(student_side.drawn_with_replacement))


# ---------------------------------------------------------------- property check

# ---------------------------------------------------------------- the table

ASSIGNMENT = Assignment(
    id="gradient_descent",
    title="Linear regression by gradient descent",
    checks=[
        Check(
            function="linear_model", points=10, reference=REF + "linear_model",
            cases=[
                Case("4 samples, 3 inputs -> 2 outputs", _linear_inputs(4, 3, 2)),
                Case("one output (n_out = 1), 5 samples", _linear_inputs(5, 2, 1)),
                Case("square weights (n_in = n_out = 3)", _linear_inputs(4, 3, 3)),
                Case("hidden: many samples, several outputs", _linear_inputs(40, 5, 3), hidden=True),
                Case("hidden: a single sample", _linear_inputs(1, 4, 2), hidden=True),
                Case("hidden: more outputs than inputs", _linear_inputs(7, 2, 5),
                     hidden=True),
                Case("hidden: square weights, larger batch", _linear_inputs(12, 4, 4), hidden=True),
            ],
            hints=[LM_OUTPUT_TRANSPOSED, LM_W_TRANSPOSED, LM_NO_BIAS],
        ),
        Check(
            function="mse_loss", points=10, reference=REF + "mse_loss", returns="scalar",
            cases=[
                Case("(4, 2) predictions and targets", _mse_inputs(4, 2)),
                Case("(6, 1): a single output column", _mse_inputs(6, 1)),
                Case("hidden: several outputs", _mse_inputs(9, 3), hidden=True),
                Case("hidden: many samples", _mse_inputs(200, 2), hidden=True),
                Case("hidden: predictions far from the targets", _mse_inputs(5, 4, scale=10.0),
                     hidden=True),
            ],
            hints=[MSE_SUM, MSE_ROWS_ONLY, MSE_NOT_SCALAR, MSE_HALF, MSE_ROOT],
        ),
        Check(
            function="mse_gradients", points=30, reference=REF + "mse_gradients",
            returns="tuple", outputs=("dW", "db"),
            cases=[
                Case("5 samples, 3 inputs -> 2 outputs", _gradient_inputs(5, 3, 2)),
                Case("one output, 4 samples, 2 inputs", _gradient_inputs(4, 2, 1)),
                Case("zero initial W and b, 3 outputs", _gradient_inputs(6, 2, 3, zero_init=True)),
                Case("hidden: 3 outputs, 7 samples", _gradient_inputs(7, 4, 3), hidden=True),
                Case("hidden: many samples", _gradient_inputs(50, 3, 2), hidden=True),
                Case("hidden: a single input feature", _gradient_inputs(8, 1, 2), hidden=True),
                Case("hidden: more outputs than inputs", _gradient_inputs(6, 2, 4), hidden=True),
            ],
            hints=[GRAD_SUM, GRAD_MISSING_N, GRAD_NO_FACTOR, GRAD_ROWS_ONLY, GRAD_NO_TWO, GRAD_SIGN,
                   GRAD_DW_TRANSPOSED, GRAD_DB_NOT_SUMMED, GRAD_DB_KEEPDIMS],
        ),
        Check(
            function="gradient_descent", points=30, reference=REF + "gradient_descent",
            returns="tuple", outputs=("W", "b", "losses"), **_GD_TOL,
            cases=[
                Case("1 output, 5 steps, learning rate 0.125", _gd_inputs(8, 2, 1, 0.125, 5)),
                Case("2 outputs, 20 steps, learning rate 0.0625", _gd_inputs(10, 3, 2, 0.0625, 20)),
                Case("hidden: 3 outputs, 30 steps", _gd_inputs(12, 2, 3, 0.25, 30), hidden=True),
                Case("hidden: a single step", _gd_inputs(6, 3, 2, 0.125, 1), hidden=True),
                Case("hidden: many samples, 10 steps", _gd_inputs(60, 4, 2, 0.125, 10), hidden=True),
                Case("hidden: random learning rate, 25 steps",
                     _gd_inputs(9, 2, 2, lambda rng: rng.choice([0.0625, 0.125, 0.1875, 0.25]), 25),
                     hidden=True),
            ],
            hints=[GD_NORMALISATION, GD_NO_TWO, GD_ASCENT, GD_LOSS_AFTER, GD_LOSS_COUNT,
                   GD_LOSS_SCALE],
        ),
        Check(
            function="minibatch_indices", points=20, reference=REF + "minibatch_indices",
            returns="list", verify=student_side.verify_minibatches,
            cases=[
                Case("103 samples, batch size 10 (last batch has 3)", _minibatch_inputs(103, 10)),
                Case("64 samples, batch size 16 (divides evenly)", _minibatch_inputs(64, 16)),
                Case("hidden: uneven last batch",
                     _minibatch_inputs(lambda rng: rng.integers(50, 200), _uneven_batch), hidden=True),
                Case("hidden: batch size 1", _minibatch_inputs(25, 1), hidden=True),
                Case("hidden: batch size larger than the data set", _minibatch_inputs(20, 32),
                     hidden=True),
                Case("hidden: a larger data set", _minibatch_inputs(1000, 64), hidden=True),
            ],
            hints=[MB_NOT_SHUFFLED, MB_LAST_DROPPED, MB_REPLACEMENT],
        ),
    ],
)
