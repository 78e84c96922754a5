"""Reference for the `regularization` assignment (splits, weight penalties,
dropout, early stopping).

Everything runs in float64. The penalties are Keras's own regularizers
(`keras.regularizers.L1`, `L2`, `L1L2`) applied to float64 `tf.Variable`s and
their gradients come from `GradientTape`; dropout is TensorFlow's
`stateless_dropout`; early stopping drives `keras.callbacks.EarlyStopping`
epoch by epoch. Keras L2 has no factor 1/2: `L2(lam)(w) = lam * sum(w**2)`.

Two functions are random by design (`train_val_test_split`,
`dropout_forward`): their references return one valid answer drawn from
`rng`, and the grader checks properties instead of comparing with it.
"""
from __future__ import annotations

import types

import numpy as np
import tensorflow as tf
import keras

from autograder.reference import configure, keras_float64

configure()

from autograder.tensors import F64 as _F64, to_numpy as _np, to_tensor as _t  # noqa: E402


# ---------------------------------------------------------------- data split

def _split_sizes(n_samples: int, fractions) -> tuple[int, int, int]:
    """Sizes from rounded cumulative fractions: each is within 1 of f * n and
    together they are exactly n (rounding each fraction alone may not add up)."""
    f = np.asarray(fractions, dtype=np.float64)
    if f.shape != (3,) or np.any(f < 0) or not np.isclose(f.sum(), 1.0):
        raise ValueError(f"fractions must be three non-negative numbers summing to 1, got {fractions!r}")
    cuts = np.rint(np.cumsum(f)[:2] * n_samples).astype(np.int64)
    cuts = np.clip(cuts, 0, n_samples)
    return int(cuts[0]), int(cuts[1] - cuts[0]), int(n_samples - cuts[1])


def train_val_test_split(n_samples, fractions, rng):
    """(train_idx, val_idx, test_idx): disjoint random int64 arrays covering
    range(n_samples), each of size within 1 of f * n_samples.

    Random by design: graders check properties instead of comparing with
    this. All randomness comes from rng (one permutation)."""
    n = int(n_samples)
    n_train, n_val, _ = _split_sizes(n, fractions)
    order = rng.permutation(n).astype(np.int64)
    return order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]


# ---------------------------------------------------------------- penalties

def _penalty(regularizer, weights) -> float:
    """Sum of a Keras regularizer over a list of arrays, each a float64 Variable
    (as the kernels of a model's layers would be)."""
    total = tf.constant(0.0, _F64)
    for w in weights:
        total += regularizer(tf.Variable(_t(w)))
    return float(total)


def _regularizer(kind: str, **factors):
    """A Keras regularizer whose factors are exact float64 tensors.

    Keras keeps the factors as Python floats (L1 as a floatx tensor) and
    applies `ops.cast(factor, x.dtype)`; tf.cast makes a float32 tensor of a
    Python float first, so lam = 0.01 would act as 0.0099999998 even on
    float64 weights. The regularizer's own __call__ still does the work; we
    only hand it its factors already in float64."""
    regularizer = getattr(keras.regularizers, kind)(**{k: float(v) for k, v in factors.items()})
    for name, value in factors.items():
        setattr(regularizer, name, tf.constant(float(value), _F64))
    return regularizer


def l1_penalty(weights, lam):
    """lam * sum(|w|) over every array in the list `weights` (Keras L1)."""
    return _penalty(_regularizer("L1", l1=lam), weights)


def l2_penalty(weights, lam):
    """lam * sum(w**2) over every array in the list `weights` (Keras L2: no 1/2)."""
    return _penalty(_regularizer("L2", l2=lam), weights)


def elastic_net_penalty(weights, l1, l2):
    """l1 * sum(|w|) + l2 * sum(w**2) over the list `weights` (Keras L1L2)."""
    return _penalty(_regularizer("L1L2", l1=l1, l2=l2), weights)


def _penalty_grad(regularizer, w) -> np.ndarray:
    var = tf.Variable(_t(w))
    with tf.GradientTape() as tape:
        penalty = regularizer(var)
    return _np(tape.gradient(penalty, var))


def l1_penalty_grad(w, lam):
    """d/dw of lam * sum(|w|): lam * sign(w) (TF's gradient of |w| at 0 is 0)."""
    return _penalty_grad(_regularizer("L1", l1=lam), w)


def l2_penalty_grad(w, lam):
    """d/dw of lam * sum(w**2): 2 * lam * w."""
    return _penalty_grad(_regularizer("L2", l2=lam), w)


# ---------------------------------------------------------------- dropout

def dropout_forward(x, rate, rng, training=True):
    """Inverted dropout: (out, mask) with mask 1 (kept, probability 1 - rate)
    or 0 and out = x * mask / (1 - rate); (x, ones) when not training.

    Random by design: graders check properties instead of comparing with
    this. TensorFlow's stateless dropout, seeded from rng, draws the mask."""
    x = np.asarray(x, dtype=np.float64)
    if not training:
        return x.copy(), np.ones_like(x)
    rate = float(rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"rate must be in [0, 1), got {rate}")
    seed = [int(s) for s in rng.integers(0, 2**31 - 1, size=2)]
    # The same seed and shape draw the same uniforms: dropping a tensor of
    # ones reveals the mask that dropping x used.
    kept = tf.nn.experimental.stateless_dropout(tf.ones(x.shape, _F64), rate, seed=seed)
    mask = _np(tf.cast(kept != 0, _F64))
    out = _np(tf.nn.experimental.stateless_dropout(_t(x), rate, seed=seed))
    return out, mask


def dropout_backward(dout, mask, rate):
    """Gradient of out = x * mask / (1 - rate) with respect to x, contracted
    with dout: dout * mask / (1 - rate), from GradientTape."""
    x = tf.Variable(tf.zeros(np.shape(dout), _F64))  # the gradient does not depend on x
    keep = _t(np.asarray(mask, dtype=np.float64))
    rate = tf.constant(float(rate), _F64)
    with tf.GradientTape() as tape:
        out = x * keep / (1.0 - rate)
        contracted = tf.reduce_sum(out * _t(dout))
    return _np(tape.gradient(contracted, x))


# ---------------------------------------------------------------- early stopping

def early_stopping(val_losses, patience, min_delta=0.0):
    """(stop_epoch, best_epoch), 0-based, exactly as
    keras.callbacks.EarlyStopping(monitor="val_loss", patience, min_delta)
    decides: the callback sees one epoch's val_loss at a time through
    on_epoch_end until it sets model.stop_training. stop_epoch is the last
    epoch when it never stops; best_epoch is the callback's own record (the
    last epoch that beat the best so far by more than min_delta)."""
    losses = [float(v) for v in np.asarray(val_losses, dtype=np.float64).reshape(-1)]
    if not losses:
        raise ValueError("val_losses is empty")
    # Keras compares with keras.ops.less, which makes tensors of floatx:
    # under float32 two losses closer than ~1e-7 relative would tie.
    with keras_float64():
        callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=int(patience),
                                                 min_delta=float(min_delta))
        # A stand-in for the model: the callback only sets stop_training on it
        # (it has no `metrics`, so mode "auto" picks "min" from the name val_loss).
        model = types.SimpleNamespace(stop_training=False)
        callback.set_model(model)
        callback.on_train_begin()
        stop_epoch = len(losses) - 1
        for epoch, value in enumerate(losses):
            callback.on_epoch_end(epoch, {"val_loss": value})
            if model.stop_training:
                stop_epoch = epoch
                break
    return int(stop_epoch), int(callback.best_epoch)
