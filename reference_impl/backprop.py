"""Reference for the `backprop` assignment (layers with caches, a two-layer
classifier, numerical gradients).

Every gradient comes from `tf.GradientTape` in float64: a backward pass is the
tape's vector-Jacobian product with the upstream gradient `dout`
(`output_gradients=dout`), so nothing here is a hand-derived formula. The
cache of these references is `(x, W, b)` or `x`; a student's cache may be
anything, which is why the checks grade backward passes through the
`backprop` driver and `driven` below.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from autograder.reference import configure

configure()

from autograder.tensors import F64 as _F64, to_numpy as _np, to_tensor as _t  # noqa: E402

PARAM_KEYS = ("W1", "b1", "W2", "b2")


def _copy(a) -> np.ndarray:
    return np.array(a, dtype=np.float64)


# ---------------------------------------------------------------- layers

def _vjp(forward, inputs, dout):
    """Gradients of sum(dout * forward(*inputs)) w.r.t. every input."""
    inputs = [_t(a) for a in inputs]
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        out = forward(*inputs)
    grads = tape.gradient(out, inputs, output_gradients=_t(dout),
                          unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return [_np(g) for g in grads]


def _dense(x, W, b):
    return tf.matmul(x, W) + b


def dense_forward(x, W, b):
    """(out, cache): out = x @ W + b, shape (N, n_out); cache = copies of (x, W, b)."""
    return _np(_dense(_t(x), _t(W), _t(b))), (_copy(x), _copy(W), _copy(b))


def dense_backward(dout, cache):
    """(dx, dW, db) for the upstream gradient dout = dL/dout, shape (N, n_out)."""
    x, W, b = cache
    dx, dW, db = _vjp(_dense, (x, W, b), dout)
    return dx, dW, db


def relu_forward(x):
    """(out, cache): out = max(x, 0) elementwise; cache = a copy of x."""
    return _np(tf.nn.relu(_t(x))), _copy(x)


def relu_backward(dout, cache):
    """dx = dout where x > 0, else 0 (TensorFlow's ReLU gradient is 0 at x = 0)."""
    (dx,) = _vjp(tf.nn.relu, (cache,), dout)
    return dx


# ---------------------------------------------------------------- the classifier

def _mlp_loss(x, y_true, W1, b1, W2, b2):
    hidden = tf.nn.relu(_dense(x, W1, b1))
    logits = _dense(hidden, W2, b2)
    # Categorical cross-entropy of softmax(logits), mean over the batch, no clipping.
    return tf.reduce_mean(-tf.reduce_sum(y_true * tf.nn.log_softmax(logits, axis=-1), axis=-1))


def mlp_loss_and_grads(x, y_true, params):
    """(loss, grads) of dense(W1, b1) -> relu -> dense(W2, b2) -> softmax ->
    categorical cross-entropy (mean over the batch); grads has params' keys."""
    weights = [_t(params[k]) for k in PARAM_KEYS]
    with tf.GradientTape() as tape:
        tape.watch(weights)
        loss = _mlp_loss(_t(x), _t(y_true), *weights)
    grads = tape.gradient(loss, weights)
    return float(loss), {k: _np(g) for k, g in zip(PARAM_KEYS, grads)}


# ---------------------------------------------------------------- numerical gradient

def numerical_gradient(f, x, h=1e-5):
    """Central differences (f(x + h e_i) - f(x - h e_i)) / 2h for every entry
    of x; returns an array shaped like x. f is any scalar function of an
    array shaped like x (it is called with NumPy arrays)."""
    x = _t(x)
    flat = tf.reshape(x, [-1])
    n = int(flat.shape[0])
    h = float(h)
    grad = []
    for i in range(n):
        step = tf.one_hot(i, n, on_value=h, off_value=0.0, dtype=_F64)
        up = float(f(_np(tf.reshape(flat + step, x.shape))))
        down = float(f(_np(tf.reshape(flat - step, x.shape))))
        grad.append((up - down) / (2.0 * h))
    return _np(tf.reshape(tf.constant(grad, _F64), x.shape))


# TensorFlow twins of the test functions in checks/student_side/backprop.py.
def _quadratic(u, A, c):
    u = tf.reshape(u, [-1])
    return 0.5 * tf.tensordot(u, tf.linalg.matvec(A, u), 1) + tf.tensordot(c, u, 1)


def _tanh_regression(W, X, y, v):
    return tf.reduce_mean(tf.square(tf.linalg.matvec(tf.tanh(tf.matmul(X, W)), v) - y))


def _softmax_cross_entropy(z, y):
    return tf.reduce_mean(tf.reduce_logsumexp(z, axis=-1) - tf.reduce_sum(y * z, axis=-1))


def _anharmonic_chain(q, k, quartic, rest):
    d = q[1:] - q[:-1] - rest
    return tf.reduce_sum(0.5 * k * d ** 2 + 0.25 * quartic * d ** 4)


TEST_FUNCTIONS = {
    "quadratic": (_quadratic, ("A", "c")),
    "tanh_regression": (_tanh_regression, ("X", "y", "v")),
    "softmax_cross_entropy": (_softmax_cross_entropy, ("y",)),
    "anharmonic_chain": (_anharmonic_chain, ("k", "quartic", "rest")),
}


def function_value_and_gradient(function, x, **params):
    """(f(x), exact gradient) of a named test function, by GradientTape."""
    formula, names = TEST_FUNCTIONS[function]
    args = [_t(params[n]) for n in names]
    x = _t(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = formula(x, *args)
    return float(value), _np(tape.gradient(value, x))


# ---------------------------------------------------------------- what the driver returns

def driven(task, **data):
    """The value the `backprop` driver returns for `task`, computed here:
    `out` of a forward pass, the gradients of a backward pass fed by the
    forward pass's cache, or the exact gradient of the named test function
    (the target of central differences; `h` does not enter)."""
    if task == "dense_forward":
        return dense_forward(**data)[0]
    if task == "relu_forward":
        return relu_forward(**data)[0]
    if task in ("dense_backward", "relu_backward"):
        dout = data.pop("dout")
        forward, backward = ((dense_forward, dense_backward) if task == "dense_backward"
                             else (relu_forward, relu_backward))
        return backward(dout, forward(**data)[1])
    if task == "numerical_gradient":
        data.pop("h", None)
        return function_value_and_gradient(**data)[1]
    raise ValueError(f"unknown backprop task {task!r}")
