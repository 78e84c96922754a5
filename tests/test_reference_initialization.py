"""The `initialization` references: what Keras's initializers realise, compared
with the curriculum's targets, and layer_variances against plain NumPy loops.

Keras draws 10^6 weights per initializer here; the statistical tolerances are
several standard errors wide (the standard error of the sample variance of
10^6 draws is below 0.15 %), and the draws are seeded, so these tests are
deterministic.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from reference_impl import initialization as ref

pytest.register_assert_rewrite("checktools")  # its assertions report like this file's
from checktools import signature_test  # noqa: E402


SIGNATURES = {
    ref.glorot_uniform: "(fan_in, fan_out, rng)",
    ref.glorot_normal: "(fan_in, fan_out, rng)",
    ref.he_uniform: "(fan_in, fan_out, rng)",
    ref.he_normal: "(fan_in, fan_out, rng)",
    ref.layer_variances: "(x, weights, activation)",
}


test_signature_matches_curriculum = signature_test(SIGNATURES)


FAN_IN, FAN_OUT = 1000, 1000 // 4  # unequal fans: Glorot and He targets differ
BIG = (4000, 250)                    # 10^6 draws
TARGETS = {
    ref.glorot_uniform: ("uniform", 2.0 / (BIG[0] + BIG[1])),
    ref.glorot_normal: ("normal", 2.0 / (BIG[0] + BIG[1])),
    ref.he_uniform: ("uniform", 2.0 / BIG[0]),
    ref.he_normal: ("normal", 2.0 / BIG[0]),
}


@pytest.mark.parametrize("func", list(TARGETS), ids=lambda f: f.__name__)
def test_keras_realises_the_curriculum_variance(func):
    kind, var = TARGETS[func]
    w = func(*BIG, np.random.default_rng(11))
    assert isinstance(w, np.ndarray) and w.dtype == np.float64 and w.shape == BIG
    n = w.size
    m2 = float(np.mean(w ** 2))
    # standard error of m2/var: sqrt(0.8/n) (uniform), sqrt(2/n) (normal) -> < 0.15 %
    assert m2 / var == pytest.approx(1.0, abs=6 * math.sqrt(2.0 / n))
    assert abs(float(np.mean(w))) < 6 * math.sqrt(var / n)
    top = float(np.max(np.abs(w)))
    if kind == "uniform":
        limit = math.sqrt(3 * var)
        assert top <= limit and top > 0.9999 * limit   # U(-sqrt(3 Var), sqrt(3 Var)), filled
    else:
        # Keras's truncated normal: stddev sqrt(Var) / 0.8796..., nothing beyond 2 stddev
        bound = 2 * math.sqrt(var) / ref.TRUNCATION_STD
        assert top <= bound * (1 + 1e-12) and top > 0.999 * bound
        # a plain N(0, Var) would put 2.3 % of the draws beyond that bound
        assert math.erfc(bound / math.sqrt(2 * var)) == pytest.approx(0.023, abs=0.001)
        # truncating at 2 sqrt(Var) without the correction would give 0.7737 Var
        assert ref.TRUNCATION_STD ** 2 == pytest.approx(0.7737, abs=1e-4)
        # shape: the fraction within 1 stddev of a [-2, 2]-truncated unit normal is 0.6827/0.9545
        s = math.sqrt(var) / ref.TRUNCATION_STD
        assert np.mean(np.abs(w) <= s) == pytest.approx(0.6827 / 0.9545, abs=0.003)


@pytest.mark.parametrize("func", list(TARGETS), ids=lambda f: f.__name__)
def test_same_generator_state_same_weights_and_no_global_state(func):
    a = func(FAN_IN, FAN_OUT, np.random.default_rng(3))
    np.random.seed(1)
    b = func(FAN_IN, FAN_OUT, np.random.default_rng(3))
    np.random.seed(2)
    c = func(FAN_IN, FAN_OUT, np.random.default_rng(3))
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert not np.array_equal(a, func(FAN_IN, FAN_OUT, np.random.default_rng(4)))
    rng = np.random.default_rng(3)
    first, second = func(3, 5, rng), func(3, 5, rng)  # the generator advances
    assert first.shape == (3, 5) and not np.array_equal(first, second)


def test_glorot_and_he_targets():
    assert ref.glorot_variance(100, 300) == 2 / 400
    assert ref.he_variance(100, 300) == 2 / 100
    # Keras's constant is the std of a unit normal truncated to [-2, 2]
    z = np.linspace(-2, 2, 400001)
    p = np.exp(-z ** 2 / 2)
    assert math.sqrt(np.trapezoid(z ** 2 * p, z) / np.trapezoid(p, z)) == \
        pytest.approx(ref.TRUNCATION_STD, rel=1e-9)


def _np_layer_variances(x, weights, activation):
    """Loops over units, math-module activations."""
    f = {"relu": lambda v: max(v, 0.0), "tanh": math.tanh,
         "sigmoid": lambda v: 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v)),
         "linear": lambda v: v}[activation]
    h = [list(row) for row in x]
    out = []
    for W in weights:
        h = [[f(sum(row[i] * W[i, j] for i in range(W.shape[0]))) for j in range(W.shape[1])]
             for row in h]
        flat = [v for row in h for v in row]
        mean = sum(flat) / len(flat)
        out.append(sum((v - mean) ** 2 for v in flat) / len(flat))
    return out


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_layer_variances_against_loops(activation):
    rng = np.random.default_rng(7)
    widths = [6, 5, 7, 4]
    x = rng.normal(size=(9, widths[0]))
    weights = [rng.normal(size=(a, b)) / math.sqrt(a) for a, b in zip(widths, widths[1:])]
    before = [x.copy()] + [w.copy() for w in weights]
    got = ref.layer_variances(x, weights, activation)
    assert isinstance(got, list) and all(type(v) is float for v in got)
    np.testing.assert_allclose(got, _np_layer_variances(x, weights, activation), rtol=1e-12)
    for a, b in zip([x] + weights, before):
        np.testing.assert_array_equal(a, b)


def test_layer_variances_signal_propagation():
    # He scaling keeps a deep ReLU net's activations at a constant scale;
    # a factor 2 too small a variance halves them per layer.
    rng = np.random.default_rng(8)
    width, depth = 256, 20
    x = rng.normal(size=(512, width))
    he = [rng.normal(size=(width, width)) * math.sqrt(2 / width) for _ in range(depth)]
    small = [w / math.sqrt(2) for w in he]
    v_he, v_small = ref.layer_variances(x, he, "relu"), ref.layer_variances(x, small, "relu")
    assert 0.2 < v_he[-1] / v_he[0] < 5
    assert v_small[-1] / v_small[0] < 0.5 ** (depth - 1) * 5


def test_layer_variances_rejects_unknown_activation():
    with pytest.raises(ValueError):
        ref.layer_variances(np.ones((2, 2)), [np.eye(2)], "softplus")
