"""The `backprop` references against NumPy written here from the definitions.

The layers' gradients come from GradientTape (vector-Jacobian products with
`dout`), the classifier's loss is checked against Keras's
CategoricalCrossentropy(from_logits=True) in float64 and its gradients against
hand-derived NumPy and against central differences; the test functions of
`numerical_gradient` are checked twice: the driver's NumPy formula against the
reference's TensorFlow twin (values), and the exact TF gradient against
central differences of the NumPy formula.
"""
from __future__ import annotations

import numpy as np
import pytest

from checks.student_side import backprop as driver
from reference_impl import backprop as rb

pytest.register_assert_rewrite("checktools")  # its assertions report like this file's
from checktools import (  # noqa: E402
    REFERENCE_RTOL as RTOL, assert_float64_close as assert_close, signature_test)


SIGNATURES = {
    rb.dense_forward: "(x, W, b)",
    rb.dense_backward: "(dout, cache)",
    rb.relu_forward: "(x)",
    rb.relu_backward: "(dout, cache)",
    rb.mlp_loss_and_grads: "(x, y_true, params)",
    rb.numerical_gradient: "(f, x, h=1e-05)",
}


test_signature_matches_curriculum = signature_test(SIGNATURES)


def _layer(seed, n=5, n_in=3, n_out=4):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out),
            rng.normal(size=(n, n_out)))


@pytest.mark.parametrize("shape", [(5, 3, 4), (1, 2, 2), (7, 1, 3)])
def test_dense_layer(shape):
    x, W, b, dout = _layer(0, *shape)
    out, cache = rb.dense_forward(x, W, b)
    assert_close(out, x @ W + b)
    dx, dW, db = rb.dense_backward(dout, cache)
    # dL/dx[n, i] = sum_o dout[n, o] W[i, o], dL/dW[i, o] = sum_n x[n, i] dout[n, o]
    assert_close(dx, np.einsum("no,io->ni", dout, W))
    assert_close(dW, np.einsum("ni,no->io", x, dout))
    assert_close(db, dout.sum(axis=0))
    assert_close(rb.driven("dense_forward", x=x, W=W, b=b), out)
    for got, want in zip(rb.driven("dense_backward", x=x, W=W, b=b, dout=dout), (dx, dW, db)):
        assert_close(got, want)


def test_relu_layer_and_its_zero_convention():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4, 2))
    x[0, 0, 0] = 0.0
    dout = rng.normal(size=x.shape)
    out, cache = rb.relu_forward(x)
    assert_close(out, np.where(x > 0, x, 0.0))
    dx = rb.relu_backward(dout, cache)
    assert_close(dx, np.where(x > 0, dout, 0.0))
    assert dx[0, 0, 0] == 0.0  # TF's ReLU gradient at exactly 0 (the checks never test it)
    assert_close(rb.driven("relu_backward", x=x, dout=dout), dx)
    big = np.array([-1e3, 1e3])
    assert_close(rb.relu_forward(big)[0], [0.0, 1e3])


def test_references_leave_their_inputs_alone():
    x, W, b, dout = _layer(2)
    copies = [a.copy() for a in (x, W, b, dout)]
    rb.dense_backward(dout, rb.dense_forward(x, W, b)[1])
    rb.relu_backward(dout, rb.relu_forward(dout + 0.5)[1])
    for a, c in zip((x, W, b, dout), copies):
        assert np.array_equal(a, c)


def _network(seed, n=6, n_in=4, n_hidden=5, n_classes=3, smoothing=0.0):
    rng = np.random.default_rng(seed)
    y = np.eye(n_classes)[rng.integers(n_classes, size=n)]
    y = (1 - smoothing) * y + smoothing / n_classes
    params = {"W1": rng.normal(size=(n_in, n_hidden)), "b1": 0.1 * rng.normal(size=n_hidden),
              "W2": rng.normal(size=(n_hidden, n_classes)), "b2": 0.1 * rng.normal(size=n_classes)}
    return rng.normal(size=(n, n_in)), y, params


def _numpy_network(x, y, p):
    pre = x @ p["W1"] + p["b1"]
    h = np.maximum(pre, 0)
    z = h @ p["W2"] + p["b2"]
    z = z - z.max(axis=1, keepdims=True)
    prob = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = np.mean(-np.sum(y * np.log(prob), axis=1))
    dz = (prob - y) / len(x)
    dpre = dz @ p["W2"].T * (pre > 0)
    return loss, {"W1": x.T @ dpre, "b1": dpre.sum(0), "W2": h.T @ dz, "b2": dz.sum(0)}


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_mlp_loss_and_grads(smoothing):
    import keras
    import tensorflow as tf

    x, y, params = _network(3, smoothing=smoothing)
    before = {k: v.copy() for k, v in params.items()}
    loss, grads = rb.mlp_loss_and_grads(x, y, params)
    assert type(loss) is float and list(grads) == ["W1", "b1", "W2", "b2"]
    want_loss, want_grads = _numpy_network(x, y, params)
    assert loss == pytest.approx(want_loss, rel=RTOL)
    for k in grads:
        assert_close(grads[k], want_grads[k])
        assert np.array_equal(params[k], before[k])
    # the loss is Keras's categorical cross-entropy from logits (float64 here)
    logits = np.maximum(x @ params["W1"] + params["b1"], 0) @ params["W2"] + params["b2"]
    keras_loss = keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")(
        tf.constant(y), tf.constant(logits))
    assert float(keras_loss) == pytest.approx(loss, rel=1e-12)
    # and central differences agree with the gradient
    for key in ("W1", "b2"):
        def f(value, key=key):
            return rb.mlp_loss_and_grads(x, y, {**params, key: value})[0]
        assert_close(rb.numerical_gradient(f, params[key]), grads[key], rtol=1e-7)


def _function_data(name, seed):
    rng = np.random.default_rng(seed)
    shape = {"quadratic": (2, 3), "tanh_regression": (3, 2), "softmax_cross_entropy": (4, 3),
             "anharmonic_chain": (6,)}[name]
    params = {"quadratic": lambda: {"A": rng.normal(size=(6, 6)), "c": rng.normal(size=6)},
              "tanh_regression": lambda: {"X": rng.normal(size=(5, 3)), "y": rng.normal(size=5),
                                          "v": rng.normal(size=2)},
              "softmax_cross_entropy": lambda: {"y": np.eye(3)[rng.integers(3, size=4)]},
              "anharmonic_chain": lambda: {"k": rng.uniform(0.5, 2, size=5), "quartic": 0.8,
                                           "rest": 1.0}}[name]()
    return rng.normal(size=shape), params


@pytest.mark.parametrize("name", sorted(driver.FUNCTIONS))
def test_driver_functions_and_their_tensorflow_twins_agree(name):
    assert set(driver.FUNCTIONS) == set(rb.TEST_FUNCTIONS)
    assert driver.FUNCTIONS[name][1] == rb.TEST_FUNCTIONS[name][1]
    x, params = _function_data(name, 4)
    f = driver.make_function(name, x.shape, **params)
    value, grad = rb.function_value_and_gradient(name, x, **params)
    assert f(x) == pytest.approx(value, rel=1e-13)
    assert_close(rb.driven("numerical_gradient", function=name, x=x, h=1e-5, **params), grad)
    # central differences of the NumPy formula converge to the exact TF gradient
    numeric = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = 1e-5
        numeric[idx] = (f(x + e) - f(x - e)) / 2e-5
    assert_close(numeric, grad, rtol=1e-8)


def test_numerical_gradient_reference():
    x, params = _function_data("tanh_regression", 5)
    f = driver.make_function("tanh_regression", x.shape, **params)
    before = x.copy()
    exact = rb.function_value_and_gradient("tanh_regression", x, **params)[1]
    for h in (1e-5, 1e-4):
        assert_close(rb.numerical_gradient(f, x, h), exact, rtol=1e-7)
    assert_close(rb.numerical_gradient(f, x), exact, rtol=1e-8)  # default h = 1e-5
    assert np.array_equal(x, before)
    # a quadratic: central differences are exact up to rounding, one-sided are not
    q = np.diag([1.0, 2.0, 3.0])
    grad = rb.numerical_gradient(lambda u: 0.5 * u @ q @ u, np.ones(3), h=1e-3)
    assert_close(grad, [1.0, 2.0, 3.0], rtol=1e-9)


def test_driven_rejects_an_unknown_task():
    with pytest.raises(ValueError):
        rb.driven("conv2d", x=np.zeros(2))
    with pytest.raises(ValueError):
        driver.run(lambda: None, "conv2d")
