"""The TensorFlow/Keras reference of `regularization` against independent NumPy.

The reference uses Keras's own regularizers, TF's stateless dropout and
Keras's EarlyStopping callback; here every one of them is compared with
plain NumPy written from the curriculum's definitions (and, for early
stopping, with hand-worked sequences).
"""
from __future__ import annotations

import numpy as np
import pytest

from reference_impl import regularization as ref


def _weights(seed, shapes=((4, 3), (3,), (3, 3, 2, 2), (7,))):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) * rng.uniform(0.1, 10.0) for s in shapes]


LAMS = [0.01, 1e-4, 0.3, 1.0, 0.0]


@pytest.mark.parametrize("lam", LAMS)
def test_l1_l2_penalties(lam):
    ws = _weights(int(lam * 1e4))
    before = [w.copy() for w in ws]
    l1, l2 = ref.l1_penalty(ws, lam), ref.l2_penalty(ws, lam)
    assert type(l1) is float and type(l2) is float
    np.testing.assert_allclose(l1, lam * sum(np.abs(w).sum() for w in ws), rtol=1e-13, atol=0)
    np.testing.assert_allclose(l2, lam * sum((w * w).sum() for w in ws), rtol=1e-13, atol=0)
    for w, w0 in zip(ws, before):
        np.testing.assert_array_equal(w, w0)


@pytest.mark.parametrize("l1,l2", [(0.01, 0.003), (0.0, 0.02), (0.05, 0.0), (1e-4, 0.7)])
def test_elastic_net(l1, l2):
    ws = _weights(3)
    want = l1 * sum(np.abs(w).sum() for w in ws) + l2 * sum((w * w).sum() for w in ws)
    np.testing.assert_allclose(ref.elastic_net_penalty(ws, l1, l2), want, rtol=1e-13, atol=0)


def test_keras_l2_has_no_half_and_its_factor_is_kept_in_float64():
    # Keras L2(lam) is lam * sum(w**2) (no 1/2). Left alone, Keras casts a
    # Python-float factor through float32 (0.01 -> 0.0099999998); the
    # reference hands it a float64 tensor, so it is exact.
    import keras
    import tensorflow as tf

    w = np.array([[3.0, -4.0]])
    plain = float(keras.regularizers.L2(0.01)(tf.Variable(w)))
    assert plain != 0.25 and abs(plain - 0.25) < 1e-8
    assert ref.l2_penalty([w], 0.01) == pytest.approx(0.25, rel=1e-15)
    assert ref.l1_penalty([w], 0.01) == pytest.approx(0.07, rel=1e-15)


def test_penalty_gradients():
    rng = np.random.default_rng(4)
    w = rng.normal(size=(3, 4, 2))
    w[0, 0, 0] = 0.0  # TF's gradient of |w| at 0 is 0, as np.sign
    for lam in (0.01, 0.5):
        w0 = w.copy()
        np.testing.assert_allclose(ref.l1_penalty_grad(w, lam), lam * np.sign(w), rtol=1e-15, atol=0)
        np.testing.assert_allclose(ref.l2_penalty_grad(w, lam), 2 * lam * w, rtol=1e-15, atol=0)
        np.testing.assert_array_equal(w, w0)
    assert ref.l1_penalty_grad(w, 0.1).dtype == np.float64


@pytest.mark.parametrize("as_bool", [False, True])
@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_backward(rate, as_bool):
    rng = np.random.default_rng(int(rate * 10))
    dout = rng.normal(size=(3, 4, 5))
    keep = rng.random(dout.shape) >= rate
    mask = keep if as_bool else keep.astype(float)
    got = ref.dropout_backward(dout, mask, rate)
    assert got.dtype == np.float64 and got.shape == dout.shape
    np.testing.assert_allclose(got, dout * keep / (1 - rate), rtol=1e-15, atol=0)


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.75])
def test_dropout_forward_is_inverted_dropout(rate):
    x = np.random.default_rng(1).normal(size=(100, 200)) + 1.0
    x0 = x.copy()
    out, mask = ref.dropout_forward(x, rate, np.random.default_rng(5))
    np.testing.assert_array_equal(x, x0)
    assert set(np.unique(mask)) <= {0.0, 1.0}
    np.testing.assert_allclose(out, x * mask / (1 - rate), rtol=1e-15, atol=0)
    assert abs(mask.mean() - (1 - rate)) < 6 * np.sqrt(rate * (1 - rate) / mask.size)
    again, mask2 = ref.dropout_forward(x, rate, np.random.default_rng(5))
    np.testing.assert_array_equal(mask, mask2)
    np.testing.assert_array_equal(out, again)
    other, mask3 = ref.dropout_forward(x, rate, np.random.default_rng(6))
    assert not np.array_equal(mask, mask3)


def test_dropout_forward_at_inference():
    x = np.random.default_rng(2).normal(size=(4, 5))
    out, mask = ref.dropout_forward(x, 0.4, np.random.default_rng(0), training=False)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(mask, np.ones_like(x))
    assert out is not x


@pytest.mark.parametrize("n,fractions", [
    (100, (0.7, 0.15, 0.15)), (43, (0.6, 0.2, 0.2)), (7, (0.5, 0.25, 0.25)),
    (1000, (0.8, 0.1, 0.1)), (10, (1 / 3, 1 / 3, 1 / 3)), (5, (0.45, 0.45, 0.1)),
    (101, (0.7, 0.2, 0.1)),
])
def test_split(n, fractions):
    parts = ref.train_val_test_split(n, fractions, np.random.default_rng(n))
    assert isinstance(parts, tuple) and len(parts) == 3
    assert all(p.dtype.kind == "i" and p.ndim == 1 for p in parts)
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(n))
    for p, f in zip(parts, fractions):
        assert abs(len(p) - f * n) <= 1 + 1e-9
    again = ref.train_val_test_split(n, fractions, np.random.default_rng(n))
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))


def _np_early_stopping(losses, patience, min_delta=0.0):
    """Keras's rule written out: count the epochs since the last one that beat
    the best so far by more than min_delta; stop when the count reaches
    max(patience, 1)."""
    best, best_epoch = losses[0], 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < best - min_delta:
            best, best_epoch = losses[epoch], epoch
        elif epoch - best_epoch >= max(patience, 1):
            return epoch, best_epoch
    return len(losses) - 1, best_epoch


@pytest.mark.parametrize("losses,patience,min_delta,want", [
    ([0.9, 0.7, 0.75, 0.8, 0.6], 2, 0.0, (3, 1)),        # two bad epochs after the best
    ([0.9, 0.7, 0.75, 0.8, 0.6], 3, 0.0, (4, 4)),        # patience lasts: never stops
    ([0.9, 0.7, 0.75, 0.65], 0, 0.0, (2, 1)),            # patience 0 stops at the first bad epoch
    ([0.9, 0.7, 0.75, 0.65], 1, 0.0, (2, 1)),            # ... exactly as patience 1
    ([0.9, 0.7, 0.7, 0.7], 2, 0.0, (3, 1)),              # ties are no improvement
    ([0.9, 0.87, 0.84, 0.81], 2, 0.0705, (2, 0)),        # gains below min_delta don't count
    ([0.9, 0.87, 0.84, 0.81], 3, 0.0705, (3, 3)),        # ... until they add up to more
    ([0.4], 0, 0.0, (0, 0)),
])
def test_early_stopping_hand_worked(losses, patience, min_delta, want):
    assert ref.early_stopping(losses, patience, min_delta) == want
    assert _np_early_stopping(losses, patience, min_delta) == want


def test_early_stopping_random_sequences():
    rng = np.random.default_rng(11)
    for trial in range(150):
        n = int(rng.integers(1, 25))
        losses = np.round(np.cumsum(rng.normal(-0.01, 0.03, size=n)) + 1.0, 3)
        if trial % 3 == 0:
            losses = np.round(losses, 2)           # many exact ties
        patience = int(rng.integers(0, 6))
        min_delta = float(rng.choice([0.0, 0.0025, 0.0105]))
        got = ref.early_stopping(list(losses), patience, min_delta)
        assert all(type(v) is int for v in got)
        assert got == _np_early_stopping(list(losses), patience, min_delta), (losses, patience, min_delta)
    # a NumPy array works as well as a list
    assert ref.early_stopping(np.array([0.5, 0.4, 0.45, 0.46]), 2) == (3, 1)
