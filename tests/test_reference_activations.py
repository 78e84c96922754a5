"""The `activations` TensorFlow references against NumPy written here from the definitions.

The NumPy counterparts use math-module scalars or closed forms that differ
from both the reference and the check table's helpers (e.g. the sigmoid via
math.exp per element with Python floats, softmax via logsumexp by hand).
Tolerances are tight (1e-12 relative): a float32 step in a reference fails them.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from reference_impl import activations as ref

pytest.register_assert_rewrite("checktools")  # its assertions report like this file's
from checktools import REFERENCE_RTOL as RTOL, assert_float64_close, signature_test  # noqa: E402


def assert_close(got, expected, rtol=RTOL):
    """Shape and float64 dtype first, then values (atol scaled to the data, with
    no floor: (softmax - y) / N cancels where p is close to 1)."""
    assert_float64_close(got, expected, rtol, min_scale=None)


SIGNATURES = {
    ref.relu: "(x)", ref.sigmoid: "(x)", ref.tanh: "(x)",
    ref.relu_grad: "(x)", ref.sigmoid_grad: "(x)", ref.tanh_grad: "(x)",
    ref.softmax: "(z)",
    ref.one_hot: "(labels, n_classes)",
    ref.categorical_crossentropy: "(y_true, y_prob)",
    ref.softmax_cross_entropy: "(y_true, logits)",
    ref.accuracy: "(y_true, y_prob)",
}


test_signature_matches_curriculum = signature_test(SIGNATURES)


def _scalar_sigmoid(v: float) -> float:
    # math.exp of a non-positive number only: no overflow
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


_sig = np.vectorize(_scalar_sigmoid, otypes=[float])

SHAPES = [(7,), (3, 4), (2, 3, 2)]


@pytest.mark.parametrize("shape", SHAPES)
def test_activations_match_their_definitions(shape):
    x = np.random.default_rng(0).normal(scale=3.0, size=shape)
    x.flat[0] = 0.0
    assert_close(ref.relu(x), np.where(x > 0, x, 0.0))
    assert_close(ref.sigmoid(x), _sig(x))
    assert_close(ref.tanh(x), np.vectorize(math.tanh)(x))


def test_activations_are_finite_at_1e3():
    x = np.array([-1000.0, -750.0, -709.9, -30.0, 0.0, 30.0, 709.9, 750.0, 1000.0])
    for f in (ref.relu, ref.sigmoid, ref.tanh, ref.sigmoid_grad, ref.tanh_grad):
        assert np.all(np.isfinite(f(x))), f.__name__
    assert_close(ref.sigmoid(x), _sig(x))
    assert ref.sigmoid(x)[-1] == 1.0 and ref.tanh(x)[0] == -1.0


@pytest.mark.parametrize("shape", SHAPES)
def test_derivatives_match_closed_forms_and_finite_differences(shape):
    x = np.random.default_rng(1).uniform(-5, 5, size=shape)
    s = _sig(x)
    assert_close(ref.relu_grad(x), (x > 0).astype(float))
    assert_close(ref.sigmoid_grad(x), s * (1 - s))
    assert_close(ref.tanh_grad(x), 1 - np.tanh(x) ** 2)
    h = 1e-6
    for f, df in ((ref.sigmoid, ref.sigmoid_grad), (ref.tanh, ref.tanh_grad)):
        numeric = (f(x + h) - f(x - h)) / (2 * h)
        np.testing.assert_allclose(df(x), numeric, rtol=1e-7, atol=1e-9)


def test_relu_grad_at_zero_is_zero_in_tf():
    # not graded (the curriculum leaves it open); documented behaviour of the reference
    assert ref.relu_grad(np.array([0.0]))[0] == 0.0


def _np_softmax(z):
    lse = np.log(np.sum(np.exp(z - z.max(axis=-1, keepdims=True)), axis=-1, keepdims=True)) \
        + z.max(axis=-1, keepdims=True)
    return np.exp(z - lse)


@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 4), (3, 1)])
def test_softmax_along_the_last_axis(shape):
    z = np.random.default_rng(2).normal(scale=2.0, size=shape)
    p = ref.softmax(z)
    assert_close(p, _np_softmax(z))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-15)


def test_softmax_stable_at_1e3():
    z = np.array([[1000.0, -1000.0, 999.0], [-1000.0, -1000.0, -999.0], [0.0, 750.0, -750.0]])
    p = ref.softmax(z)
    assert np.all(np.isfinite(p))
    assert_close(p, _np_softmax(z))


def test_one_hot():
    labels = np.array([2, 0, 1, 2], dtype=np.int64)
    out = ref.one_hot(labels, 4)
    assert_close(out, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])


def _np_cce(y, p):
    total = 0.0
    for row_y, row_p in zip(y, p):
        total -= sum(t * math.log(min(max(q, 1e-7), 1 - 1e-7)) for t, q in zip(row_y, row_p))
    return total / len(y)


def test_categorical_crossentropy_is_keras_mean_with_clipping():
    rng = np.random.default_rng(3)
    y = np.eye(3)[[0, 1, 2, 1, 0]]
    p = _np_softmax(rng.normal(size=(5, 3)))
    p[0] = [1.0, 0.0, 0.0]        # right and certain: clipped to 1 - 1e-7
    p[1] = [1.0, 0.0, 0.0]        # wrong and certain: log(1e-7)
    p[2] = [0.5, 0.5 - 1e-12, 1e-12]
    loss = ref.categorical_crossentropy(y, p)
    assert type(loss) is float
    assert loss == pytest.approx(_np_cce(y, p), rel=RTOL)
    # soft targets (label smoothing) follow the same formula
    y_soft = 0.9 * y + 0.1 / 3
    assert ref.categorical_crossentropy(y_soft, p) == pytest.approx(_np_cce(y_soft, p), rel=RTOL)
    # without the clip the loss would be inf: the reference stays finite
    assert math.isfinite(loss) and loss > -math.log(1e-7) / 5


def test_categorical_crossentropy_rows_summing_to_one_are_not_renormalised_visibly():
    rng = np.random.default_rng(4)
    y = np.eye(4)[rng.integers(0, 4, 8)]
    p = _np_softmax(rng.normal(size=(8, 4)))
    assert ref.categorical_crossentropy(y, p) == pytest.approx(
        float(np.mean(-np.sum(y * np.log(p), axis=1))), rel=RTOL)


@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
def test_softmax_cross_entropy_loss_and_gradient(scale):
    rng = np.random.default_rng(5)
    n, k = 6, 4
    y = np.eye(k)[rng.integers(0, k, n)]
    z = scale * rng.normal(size=(n, k))
    loss, dz = ref.softmax_cross_entropy(y, z)
    assert type(loss) is float and math.isfinite(loss)
    log_p = z - (np.log(np.sum(np.exp(z - z.max(1, keepdims=True)), 1, keepdims=True))
                 + z.max(1, keepdims=True))
    assert loss == pytest.approx(float(np.mean(-np.sum(y * log_p, axis=1))), rel=RTOL)
    assert_close(dz, (_np_softmax(z) - y) / n)
    if scale == 1.0:  # finite differences of the NumPy loss
        def f(zz):
            lp = zz - np.log(np.sum(np.exp(zz), 1, keepdims=True))
            return float(np.mean(-np.sum(y * lp, axis=1)))
        h = 1e-6
        numeric = np.zeros_like(z)
        for idx in np.ndindex(z.shape):
            up, down = z.copy(), z.copy()
            up[idx] += h
            down[idx] -= h
            numeric[idx] = (f(up) - f(down)) / (2 * h)
        np.testing.assert_allclose(dz, numeric, rtol=1e-6, atol=1e-10)


def test_softmax_cross_entropy_is_not_clipped():
    # a true class e^-2000 below the best one costs 2000, not -log(1e-7)
    y = np.array([[1.0, 0.0]])
    z = np.array([[-1000.0, 1000.0]])
    loss, dz = ref.softmax_cross_entropy(y, z)
    assert loss == pytest.approx(2000.0, rel=RTOL)
    assert_close(dz, [[-1.0, 1.0]])


def test_accuracy_is_the_fraction_of_matching_argmax():
    y = np.eye(3)[[0, 1, 2, 0, 1]]
    p = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.2, 0.2, 0.6], [0.4, 0.35, 0.25],
                  [0.3, 0.45, 0.25]])
    acc = ref.accuracy(y, p)
    assert type(acc) is float
    assert acc == 4 / 5  # exact: float64 metric


def test_references_do_not_modify_inputs():
    rng = np.random.default_rng(6)
    y = np.eye(3)[[0, 2, 1]]
    z = rng.normal(size=(3, 3))
    p = _np_softmax(z)
    before = [a.copy() for a in (y, z, p)]
    ref.softmax(z)
    ref.categorical_crossentropy(y, p)
    ref.softmax_cross_entropy(y, z)
    ref.accuracy(y, p)
    for a, b in zip((y, z, p), before):
        np.testing.assert_array_equal(a, b)
