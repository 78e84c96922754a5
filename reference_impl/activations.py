"""Reference for the `activations` assignment: activations, softmax, cross-entropy.

Everything runs in float64 with TensorFlow/Keras, so the reference is what the
lecture's Keras code computes, not a second hand-written formula:

- relu, sigmoid, tanh, softmax: `tf.nn.*` (softmax along the last axis);
- the derivatives: GradientTape of the activation (elementwise, so the gradient
  of the sum is the elementwise derivative; TF's relu gradient at 0 is 0, the
  curriculum leaves that point ungraded);
- categorical_crossentropy: `keras.losses.CategoricalCrossentropy()`, which
  renormalises the rows, clips p to [epsilon, 1 - epsilon] with Keras's
  epsilon 1e-7 and averages over the batch;
- softmax_cross_entropy: `CategoricalCrossentropy(from_logits=True)` (no
  clipping: `tf.nn.softmax_cross_entropy_with_logits`, stable for any logits)
  and its gradient from GradientTape, which is (softmax(z) - y) / N;
- one_hot: `tf.one_hot` in float64; accuracy: `keras.metrics.CategoricalAccuracy`.

Keras losses and metrics default to float32: they are built inside
`keras_float64()` (and the metric with dtype="float64") and fed float64
tensors, so no float32 step hides anywhere.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf
import keras

from autograder.reference import configure, keras_float64

configure()

from autograder.tensors import F64 as _F64, to_numpy as _np, to_tensor as _t  # noqa: E402


def _derivative(activation, x) -> np.ndarray:
    """Elementwise derivative of `activation` at x, from GradientTape."""
    x = _t(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = activation(x)
    return _np(tape.gradient(y, x))


# ---------------------------------------------------------------- activations

def relu(x):
    """max(x, 0) elementwise (tf.nn.relu)."""
    return _np(tf.nn.relu(_t(x)))


def sigmoid(x):
    """1 / (1 + exp(-x)) elementwise (tf.nn.sigmoid, stable for any x)."""
    return _np(tf.nn.sigmoid(_t(x)))


def tanh(x):
    """tanh(x) elementwise (tf.nn.tanh)."""
    return _np(tf.nn.tanh(_t(x)))


def relu_grad(x):
    """d relu / dx: 1 where x > 0, else 0 (TF's value at exactly 0 is 0)."""
    return _derivative(tf.nn.relu, x)


def sigmoid_grad(x):
    """d sigmoid / dx = s (1 - s) with s = sigmoid(x)."""
    return _derivative(tf.nn.sigmoid, x)


def tanh_grad(x):
    """d tanh / dx = 1 - tanh(x)**2."""
    return _derivative(tf.nn.tanh, x)


def softmax(z):
    """exp(z) / sum(exp(z)) along the last axis (tf.nn.softmax, stable)."""
    return _np(tf.nn.softmax(_t(z), axis=-1))


# ---------------------------------------------------------------- classification

def one_hot(labels, n_classes):
    """(N, n_classes) float64 array with a 1 in column labels[n] of row n."""
    labels = tf.constant(np.asarray(labels, dtype=np.int64))
    return _np(tf.one_hot(labels, int(n_classes), dtype=_F64))


def _cce(from_logits: bool):
    with keras_float64():
        return keras.losses.CategoricalCrossentropy(from_logits=from_logits)


def categorical_crossentropy(y_true, y_prob):
    """Keras CategoricalCrossentropy(): mean over the batch of
    -sum(y_true * log(clip(p, 1e-7, 1 - 1e-7))), as a Python float."""
    return float(_cce(False)(_t(y_true), _t(y_prob)))


def softmax_cross_entropy(y_true, logits):
    """(loss, dlogits): Keras CategoricalCrossentropy(from_logits=True) (mean
    over the batch) and its gradient with respect to the logits."""
    y_true, logits = _t(y_true), _t(logits)
    loss_fn = _cce(True)
    with tf.GradientTape() as tape:
        tape.watch(logits)
        loss = loss_fn(y_true, logits)
    return float(loss), _np(tape.gradient(loss, logits))


def accuracy(y_true, y_prob):
    """Fraction of rows whose argmax agree (Keras CategoricalAccuracy)."""
    metric = keras.metrics.CategoricalAccuracy(dtype="float64")
    metric.update_state(_t(y_true), _t(y_prob))
    return float(metric.result())
