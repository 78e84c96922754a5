"""Reference for the `gradient_descent` assignment (linear regression by GD).

Everything is computed in float64 with TensorFlow; gradients come from
GradientTape and the training loop uses Keras `SGD`, so the reference is what
the lecture's Keras code would do, not a second hand-written formula.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf
import keras

from autograder.reference import configure, keras_float64

configure()

from autograder.tensors import to_numpy as _np, to_tensor as _t  # noqa: E402


def _linear(x, W, b):
    return tf.matmul(x, W) + b


def _mse(y_pred, y_true):
    return tf.reduce_mean(tf.square(y_pred - y_true))


def linear_model(x, W, b):
    """(N, n_out) array `x @ W + b`."""
    return _np(_linear(_t(x), _t(W), _t(b)))


def mse_loss(y_pred, y_true):
    """Mean of (y_pred - y_true)**2 over all elements, as a Python float."""
    return float(_mse(_t(y_pred), _t(y_true)))


def mse_gradients(x, y_true, W, b):
    """(dW, db): gradient of mse_loss(linear_model(x, W, b), y_true)."""
    x, y_true, W, b = _t(x), _t(y_true), _t(W), _t(b)
    with tf.GradientTape() as tape:
        tape.watch([W, b])
        loss = _mse(_linear(x, W, b), y_true)
    dW, db = tape.gradient(loss, [W, b])
    return _np(dW), _np(db)


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    """Full-batch GD with Keras SGD: returns (W, b, losses), where losses[t]
    is the loss before update t (1-D float64 array of length n_steps)."""
    x, y_true = _t(x), _t(y_true)
    W_var = tf.Variable(_t(W))  # a Variable owns a copy: inputs stay untouched
    b_var = tf.Variable(_t(b))
    # Keras stores the learning rate in a floatx variable; in float32 0.1
    # would become 0.10000000149 and every step would be off by 1.5e-8.
    # SGD also insists on a Python float (an int learning rate is refused).
    with keras_float64():
        optimizer = keras.optimizers.SGD(learning_rate=float(learning_rate))
    losses = []
    for _ in range(int(n_steps)):
        with tf.GradientTape() as tape:
            loss = _mse(_linear(x, W_var, b_var), y_true)
        grads = tape.gradient(loss, [W_var, b_var])
        losses.append(float(loss))
        optimizer.apply_gradients(zip(grads, [W_var, b_var]))
    return _np(W_var), _np(b_var), np.array(losses, dtype=np.float64)


def minibatch_indices(n_samples, batch_size, rng):
    """One shuffled epoch: a permutation of range(n_samples) cut into
    consecutive batches of batch_size (only the last may be smaller).

    Random by design, so there is nothing for TF to compute; graders check
    properties instead of comparing with this. All randomness comes from rng.
    """
    n_samples, batch_size = int(n_samples), int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    order = rng.permutation(n_samples)
    return [order[start:start + batch_size] for start in range(0, n_samples, batch_size)]
