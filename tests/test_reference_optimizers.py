"""The `optimizers` references against NumPy written from the definitions, and
against the Keras optimizers they claim to follow.

- SGD and SGD with momentum are Keras `SGD` exactly. Keras casts `momentum`
  through a float32 tensor, so with momentum 0.9 it is 1.8e-8 relative away;
  fed the float32-rounded momentum, the reference matches it bit for bit.
- The Keras form of Adagrad is Keras `Adagrad` bit for bit (with its
  accumulator set to ours instead of its default 0.1).
- The epsilon-hat form of Adam follows Keras `Adam` to ~1e-6 of the distance
  travelled; the rest is Keras's float32 betas in the bias correction (a NumPy
  emulation with those betas matches Keras to rounding). Algorithm 1 is far
  from Keras on small gradients: the forms really differ, so both are accepted
  explicitly (design.md, "Known traps").
- `reduce_lr_on_plateau` is Keras's own ReduceLROnPlateau callback driven
  epoch by epoch; here it reproduces sequences worked out by hand from the
  callback's rules (including its cooldown quirk) in exact float64.
"""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from reference_impl import optimizers as ro
from autograder.reference import keras_float64

pytest.register_assert_rewrite("checktools")  # its assertions report like this file's
from checktools import assert_float64_close as assert_close, signature_test  # noqa: E402


def f32(x):
    return float(np.float32(x))


SIGNATURES = {
    ro.sgd_step: "(param, grad, learning_rate)",
    ro.momentum_step: "(param, grad, velocity, learning_rate, momentum)",
    ro.adagrad_step: "(param, grad, accumulator, learning_rate, epsilon=1e-07)",
    ro.adam_step: "(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-07)",
    ro.reduce_lr_on_plateau: "(val_losses, learning_rate, factor=0.1, patience=10, min_delta=0.0001, "
                             "cooldown=0, min_lr=0.0)",
}


test_signature_matches_curriculum = signature_test(SIGNATURES)


def test_every_form_has_the_curriculum_signature():
    for task, forms in ro.FORMS.items():
        assert getattr(ro, task) in forms.values()
        for form in forms.values():
            assert inspect.signature(form) == inspect.signature(getattr(ro, task))


def _data(seed, shape=(3, 4), scale=1.0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape), scale * rng.normal(size=(12,) + shape),
            0.1 * scale * rng.normal(size=shape), scale ** 2 * rng.uniform(0.5, 1.5, size=shape))


# ------------------------------------------------------------------ definitions

@pytest.mark.parametrize("scale", [1.0, 1e-6])
def test_steps_follow_their_definitions(scale):
    p, grads, s1, s2 = _data(0, scale=scale)
    for g in grads[:3]:
        assert_close(ro.sgd_step(p, g, 0.1), p - 0.1 * g)
        v = 0.9 * s1 - 0.05 * g
        got = ro.momentum_step(p, g, s1, 0.05, 0.9)
        assert_close(got[0], p + v) and assert_close(got[1], v)
        acc = s2 + g ** 2
        for fn, den in [(ro.adagrad_step, np.sqrt(acc) + 1e-7),
                        (ro.adagrad_step_keras, np.sqrt(acc + 1e-7))]:
            new_p, new_acc = fn(p, g, s2, 0.1)
            assert_close(new_p, p - 0.1 * g / den)
            assert_close(new_acc, acc)
        for t in (1, 2, 57):
            m = 0.9 * s1 + 0.1 * g
            v = 0.999 * s2 + 0.001 * g ** 2
            m_hat, v_hat = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)
            alg1 = p - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-7)
            eps_hat = p - 0.01 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m / (np.sqrt(v) + 1e-7)
            for fn, want in [(ro.adam_step, alg1), (ro.adam_step_epsilon_hat, eps_hat)]:
                new_p, new_m, new_v = fn(p, g, s1, s2, t, 0.01)
                assert_close(new_p, want)
                assert_close(new_m, m)
                assert_close(new_v, v)


def test_hyperparameters_are_used_and_inputs_untouched():
    p, grads, s1, s2 = _data(1)
    before = [a.copy() for a in (p, grads, s1, s2)]
    g = grads[0]
    a = ro.adam_step(p, g, s1, s2, 3, 0.02, beta1=0.8, beta2=0.99, epsilon=1e-3)
    m = 0.8 * s1 + 0.2 * g
    v = 0.99 * s2 + 0.01 * g ** 2
    assert_close(a[0], p - 0.02 * (m / (1 - 0.8 ** 3)) / (np.sqrt(v / (1 - 0.99 ** 3)) + 1e-3))
    b = ro.adagrad_step(p, g, s2, 0.1, epsilon=1e-3)
    assert_close(b[0], p - 0.1 * g / (np.sqrt(s2 + g ** 2) + 1e-3))
    for x, y in zip((p, grads, s1, s2), before):
        assert np.array_equal(x, y)


def test_t_counts_from_one():
    p, grads, s1, s2 = _data(2)
    with pytest.raises(ValueError, match="from 1"):
        ro.adam_step(p, grads[0], s1, s2, 0, 0.01)


# ------------------------------------------------------------------ Keras

def _keras_run(optimizer, p0, grads, assign):
    import tensorflow as tf

    var = tf.Variable(p0, dtype=tf.float64)
    optimizer.build([var])
    assign(optimizer)
    for g in grads:
        optimizer.apply_gradients([(tf.constant(g, tf.float64), var)])
    return np.array(var.numpy())


def test_sgd_and_momentum_are_keras_sgd():
    import keras

    p, grads, v0, _ = _data(3)
    with keras_float64():
        plain = keras.optimizers.SGD(learning_rate=0.05)
    want = p
    for g in grads:
        want = ro.sgd_step(want, g, 0.05)
    np.testing.assert_array_equal(_keras_run(plain, p, grads, lambda o: None), want)

    for momentum, exact in [(0.9, False), (0.5, True)]:
        with keras_float64():
            sgd = keras.optimizers.SGD(learning_rate=0.05, momentum=momentum)

        def start(o):
            o.momentums[0].assign(v0)
        got = _keras_run(sgd, p, grads, start)
        ours, ours_f32 = (p, v0), (p, v0)
        for g in grads:
            ours = ro.momentum_step(*ours[:1], g, ours[1], 0.05, momentum)
            ours_f32 = ro.momentum_step(*ours_f32[:1], g, ours_f32[1], 0.05, f32(momentum))
        np.testing.assert_array_equal(got, ours_f32[0])     # Keras = float32-rounded momentum
        if exact:
            np.testing.assert_array_equal(got, ours[0])     # 0.5 is exact in float32
        else:
            assert not np.array_equal(got, ours[0])
            assert np.max(np.abs(got - ours[0])) < 1e-5 * np.max(np.abs(got - p))


def test_keras_form_of_adagrad_is_keras_adagrad():
    import keras

    p, grads, _, acc0 = _data(4, scale=1e-3)
    with keras_float64():
        adagrad = keras.optimizers.Adagrad(learning_rate=0.1, epsilon=1e-7)

    def start(o):
        o._accumulators[0].assign(acc0)
    got = _keras_run(adagrad, p, grads, start)
    ours, textbook = (p, acc0), (p, acc0)
    for g in grads:
        ours = ro.adagrad_step_keras(ours[0], g, ours[1], 0.1)
        textbook = ro.adagrad_step(textbook[0], g, textbook[1], 0.1)
    np.testing.assert_array_equal(got, ours[0])
    assert np.max(np.abs(got - textbook[0])) > 1e-5  # the textbook form is another form


def _keras_adam_numpy(p, grads, m, v, t0, lr, b1=0.9, b2=0.999, eps=1e-7):
    """Keras Adam's arithmetic in NumPy: betas rounded through float32 in the
    bias correction, exact 1 - beta in the moment updates."""
    for k, g in enumerate(grads):
        t = t0 + k
        alpha = lr * np.sqrt(1 - f32(b2) ** t) / (1 - f32(b1) ** t)
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        p = p - m * alpha / (np.sqrt(v) + eps)
    return p


@pytest.mark.parametrize("scale,t0", [(1.0, 1), (1e-7, 1), (1.0, 50), (1e-6, 50)])
def test_epsilon_hat_form_is_keras_adam_up_to_its_float32_betas(scale, t0):
    import keras

    p, grads, m0, v0 = _data(5, scale=scale)
    if t0 == 1:
        m0, v0 = np.zeros_like(p), np.zeros_like(p)
    with keras_float64():
        adam = keras.optimizers.Adam(learning_rate=0.01)

    def start(o):
        o.iterations.assign(t0 - 1)
        o._momentums[0].assign(m0)
        o._velocities[0].assign(v0)
    got = _keras_run(adam, p, grads, start)
    np.testing.assert_allclose(got, _keras_adam_numpy(p, grads, m0, v0, t0, 0.01), rtol=1e-13)

    eps_hat, alg1 = (p, m0, v0), (p, m0, v0)
    for k, g in enumerate(grads):
        eps_hat = ro.adam_step_epsilon_hat(*eps_hat[:1], g, *eps_hat[1:], t0 + k, 0.01)
        alg1 = ro.adam_step(*alg1[:1], g, *alg1[1:], t0 + k, 0.01)
    travelled = np.max(np.abs(got - p))
    assert np.max(np.abs(eps_hat[0] - got)) < 1e-5 * travelled
    if scale < 1e-5:  # where sqrt(v) ~ epsilon Algorithm 1 is another optimizer
        assert np.max(np.abs(alg1[0] - got)) > 1e-2 * travelled


# ------------------------------------------------------------------ reduce_lr_on_plateau

FLAT = np.array([1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7])


@pytest.mark.parametrize("settings,rates", [
    # patience 2: the rate drops after the 2nd, 4th, 6th epoch without improvement
    ({"patience": 2}, [0.1] * 5 + [0.05] * 2 + [0.025] * 2 + [0.0125]),
    # cooldown is decreased before it is tested: cooldown 1 changes nothing, 2 delays by one
    ({"patience": 2, "cooldown": 1}, [0.1] * 5 + [0.05] * 2 + [0.025] * 2 + [0.0125]),
    ({"patience": 2, "cooldown": 2}, [0.1] * 5 + [0.05] * 3 + [0.025] * 2),
    # min_lr: clamped, then kept
    ({"patience": 1, "min_lr": 0.03}, [0.1] * 4 + [0.05] + [0.03] * 5),
    # 0.8 - 0.7 = 0.1 is not more than min_delta 0.15: the third epoch already waits
    ({"patience": 1, "min_delta": 0.15}, [0.1] * 3 + [0.05, 0.025, 0.0125, 0.00625, 0.003125,
                                                      0.0015625, 0.00078125]),
])
def test_reduce_lr_on_plateau_follows_the_callback_rules(settings, rates):
    got = ro.reduce_lr_on_plateau(FLAT.copy(), 0.1, factor=0.5, **settings)
    assert got == rates and all(type(r) is float for r in got)


def test_reduce_lr_on_plateau_rates_are_float64_products():
    # A float32 learning-rate variable would round 0.1 * 0.3 ** k.
    got = ro.reduce_lr_on_plateau(np.ones(6), 0.1, factor=0.3, patience=1)
    want = [0.1, 0.1]
    for _ in range(4):
        want.append(want[-1] * 0.3)
    assert got == want and got[-1] != float(np.float32(got[-1]))


def test_reduce_lr_on_plateau_improvement_resets_the_wait():
    losses = np.array([4.0, 4.0, 4.0, 3.0, 3.0, 2.0, 2.0, 2.0])
    assert ro.reduce_lr_on_plateau(losses, 1.0, factor=0.5, patience=2) == \
        [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5]
