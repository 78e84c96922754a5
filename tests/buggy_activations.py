"""NumPy implementations for testing the `activations` check table: one correct
version of every graded function and deliberately wrong ones that each make one
known mistake (the ones the hints are about).

Written independently of the detectors in checks/activations.py
(e.g. the stable sigmoid here splits by sign, log-softmax uses logaddexp), so a
passing test means two different implementations agree with the TF reference.
"""
from __future__ import annotations

import numpy as np

# ============================================================ correct


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def tanh(x):
    return np.tanh(x)


def relu_grad(x):
    return (x > 0).astype(float)


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh_grad(x):
    return 1.0 - np.tanh(x) ** 2


def softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def one_hot(labels, n_classes):
    out = np.zeros((len(labels), n_classes))
    out[np.arange(len(labels)), labels] = 1.0
    return out


def categorical_crossentropy(y_true, y_prob):
    p = np.clip(y_prob, 1e-7, 1 - 1e-7)
    return float(np.mean(-np.sum(y_true * np.log(p), axis=-1)))


def _log_softmax(z):
    m = np.max(z, axis=-1, keepdims=True)
    lse = m[..., 0] + np.log(np.sum(np.exp(z - m), axis=-1))
    return z - lse[..., None]


def softmax_cross_entropy(y_true, logits):
    n = logits.shape[0]
    loss = float(np.mean(-np.sum(y_true * _log_softmax(logits), axis=-1)))
    return loss, (softmax(logits) - y_true) / n


def accuracy(y_true, y_prob):
    return float(np.mean(np.argmax(y_true, axis=-1) == np.argmax(y_prob, axis=-1)))


# ============================================================ buggy: activations


def relu_step(x):
    return (x > 0).astype(float)


def sigmoid_naive(x):
    return 1.0 / (1.0 + np.exp(-x))      # overflows (warning only) at x = -1000


def sigmoid_naive_ratio(x):
    return np.exp(x) / (1.0 + np.exp(x))  # inf / inf = nan at x = +1000


def sigmoid_sign(x):
    return 1.0 / (1.0 + np.exp(x))


def tanh_slide_typo(x):
    return (np.exp(2 * x) - 1) / (np.exp(-2 * x) + 1)


def tanh_exp_formula(x):
    return (np.exp(2 * x) - 1) / (np.exp(2 * x) + 1)   # right formula, nan at |x| ~ 1000


def relu_grad_is_relu(x):
    return np.maximum(x, 0.0)


def relu_grad_bool(x):
    return x > 0


def sigmoid_grad_on_x(x):
    return x * (1 - x)


def tanh_grad_on_x(x):
    return 1 - x ** 2


def tanh_grad_no_square(x):
    return 1 - np.tanh(x)


def softmax_naive(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_axis0(z):
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_whole_array(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def softmax_global_max(z):
    e = np.exp(z - np.max(z))
    return e / e.sum(axis=-1, keepdims=True)


# ============================================================ buggy: classification


def one_hot_int(labels, n_classes):
    out = np.zeros((len(labels), n_classes), dtype=int)
    out[np.arange(len(labels)), labels] = 1
    return out


def one_hot_bool(labels, n_classes):
    return np.asarray(labels)[:, None] == np.arange(n_classes)


def one_hot_from_labels(labels, n_classes):
    return np.eye(int(np.max(labels)) + 1)[labels]


def one_hot_transposed(labels, n_classes):
    return one_hot(labels, n_classes).T


def categorical_crossentropy_sum(y_true, y_prob):
    p = np.clip(y_prob, 1e-7, 1 - 1e-7)
    return float(np.sum(-y_true * np.log(p)))


def categorical_crossentropy_no_clip(y_true, y_prob):
    return float(np.mean(-np.sum(y_true * np.log(y_prob), axis=-1)))


def categorical_crossentropy_elementwise_mean(y_true, y_prob):
    p = np.clip(y_prob, 1e-7, 1 - 1e-7)
    return float(np.mean(-y_true * np.log(p)))


def categorical_crossentropy_swapped(y_true, y_prob):
    return categorical_crossentropy(y_prob, y_true)


def softmax_cross_entropy_sum(y_true, logits):
    loss, d = softmax_cross_entropy(y_true, logits)
    return loss * logits.shape[0], d


def softmax_cross_entropy_grad_no_n(y_true, logits):
    return softmax_cross_entropy(y_true, logits)[0], softmax(logits) - y_true


def softmax_cross_entropy_grad_sign(y_true, logits):
    loss, d = softmax_cross_entropy(y_true, logits)
    return loss, -d


def softmax_cross_entropy_log_of_softmax(y_true, logits):
    p = softmax(logits)                     # underflows to 0 -> log(0) = -inf
    loss = float(np.mean(-np.sum(y_true * np.log(p), axis=-1)))
    return loss, (p - y_true) / logits.shape[0]


def softmax_cross_entropy_clipped(y_true, logits):
    p = softmax(logits)
    return categorical_crossentropy(y_true, p), (p - y_true) / logits.shape[0]


def accuracy_elementwise(y_true, y_prob):
    return float(np.mean(np.round(y_prob) == y_true))


def accuracy_rounded_rows(y_true, y_prob):
    return float(np.mean(np.all(np.round(y_prob) == y_true, axis=-1)))


def accuracy_count(y_true, y_prob):
    return int(np.sum(np.argmax(y_true, axis=-1) == np.argmax(y_prob, axis=-1)))


def accuracy_percent(y_true, y_prob):
    return 100.0 * accuracy(y_true, y_prob)


# ============================================================ classic mistakes the public cases must show

def tanh_exp_2x_ratio(x):
    e = np.exp(2 * x)
    return (e - 1) / (e + 1)   # right formula, overflows for large x


def softmax_global_max_2d(z):
    e = np.exp(z - z.max())    # one max for the whole batch
    return e / e.sum(axis=-1, keepdims=True)


def categorical_crossentropy_clip_below(y_true, y_prob):
    return float(np.mean(-np.sum(y_true * np.log(np.maximum(y_prob, 1e-7)), axis=-1)))


def categorical_crossentropy_argmax_class(y_true, y_prob):
    p = np.clip(y_prob, 1e-7, 1 - 1e-7)
    rows = np.arange(len(y_true))
    return float(np.mean(-np.log(p[rows, np.argmax(y_true, axis=1)])))


def accuracy_argmax_axis0(y_true, y_prob):
    return float(np.mean(np.argmax(y_prob, axis=0) == np.argmax(y_true, axis=0)))


def accuracy_p_true_over_half(y_true, y_prob):
    rows = np.arange(len(y_true))
    return float(np.mean(y_prob[rows, np.argmax(y_true, axis=1)] > 0.5))


# ============================================================ near misses and more hinted mistakes

def tanh_exp_neg_formula(x):
    e = np.exp(-2 * x)
    return (1 - e) / (1 + e)   # right formula, nan at x ~ -1000


def tanh_no_sign(x):
    e = np.exp(-2 * np.abs(x))
    return (1 - e) / (1 + e)


def relu_grad_int(x):
    return (x > 0).astype(np.int64)


def accuracy_always_zero(y_true, y_prob):
    # compares the predicted class with the one-hot rows' *values* at the label's index
    return float(np.mean(np.argmax(y_prob, axis=1) == np.argmax(y_true, axis=1) + 100))


def softmax_min_shift(z):
    e = np.exp(z - z.min(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_mean_shift(z):
    e = np.exp(z - z.mean(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy_elementwise_mean(y_true, logits):
    n = logits.shape[0]
    loss = float(np.mean(-(y_true * _log_softmax(logits))))   # over all N * K entries
    return loss, (softmax(logits) - y_true) / n


def categorical_crossentropy_eps_in_log(y_true, y_prob):
    return float(np.mean(-np.sum(y_true * np.log(y_prob + 1e-7), axis=-1)))


# ============================================================ float32 internals (the course requires float64)

def _in_float32(fn):
    def wrong(**kwargs):
        return fn(**{k: v.astype(np.float32) if isinstance(v, np.ndarray) and v.dtype.kind == "f"
                     else v for k, v in kwargs.items()})
    wrong.__name__ = f"{fn.__name__}_float32"
    return wrong


def tanh_grad_float32(x):
    return _in_float32(tanh_grad)(x=x)


def softmax_float32(z):
    return _in_float32(softmax)(z=z)


def softmax_cross_entropy_float32(y_true, logits):
    return _in_float32(softmax_cross_entropy)(y_true=y_true, logits=logits)
