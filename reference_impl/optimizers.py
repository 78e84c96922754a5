"""Reference for the `optimizers` assignment: one update step of SGD, SGD with
momentum, Adagrad and Adam, in float64 TensorFlow ops.

Keras is the yardstick but not the reference itself (tests/test_reference_optimizers.py
proves each step against the Keras optimizer it names):

- `sgd_step` and `momentum_step` are exactly Keras `SGD(learning_rate, momentum)`
  (same operations in the same order: `v = v * mu - g * lr; param = param + v`).
- Adagrad: the curriculum's textbook form `g / (sqrt(acc) + eps)` is
  `adagrad_step`; Keras's `g / sqrt(acc + eps)` is `adagrad_step_keras`. Both
  are accepted. Keras also starts its accumulator at 0.1; here the caller
  passes the accumulator in.
- Adam: Kingma & Ba's Algorithm 1 (bias-corrected moments, eps added to
  sqrt(v_hat)) is `adam_step`; the "epsilon-hat" form Keras uses (bias
  correction folded into the step size, eps added to sqrt(v)) is
  `adam_step_epsilon_hat`. Both are accepted. Keras itself rounds the betas
  through float32 inside the bias correction (`ops.cast(0.9, float64)` goes
  through a float32 tensor), so in float64 it matches its own form only to
  about 1e-7 relative: that is why the forms are written out here.

Every function returns new NumPy arrays and leaves its inputs untouched.
"""
from __future__ import annotations

import tensorflow as tf

from autograder.reference import configure

configure()

from autograder.tensors import to_numpy as _np, to_tensor as _t  # noqa: E402


def _f(x) -> float:
    """A hyperparameter as a Python float: TF converts it to float64 exactly
    when it meets a float64 tensor (never through float32). Scalar factors
    such as 1 - beta1**t are Python float64 arithmetic."""
    return float(x)


def sgd_step(param, grad, learning_rate):
    """param - learning_rate * grad (Keras: variable.assign_sub(g * lr))."""
    return _np(_t(param) - _t(grad) * _f(learning_rate))


def momentum_step(param, grad, velocity, learning_rate, momentum):
    """(param, velocity), Keras SGD semantics: v = momentum * v - lr * g; param = param + v."""
    v = _t(velocity) * _f(momentum) - _t(grad) * _f(learning_rate)
    return _np(_t(param) + v), _np(v)


def _adagrad(param, grad, accumulator, learning_rate, epsilon, keras_form):
    g = _t(grad)
    acc = _t(accumulator) + tf.square(g)
    if keras_form:
        denominator = tf.sqrt(acc + _f(epsilon))
    else:
        denominator = tf.sqrt(acc) + _f(epsilon)
    return _np(_t(param) - _f(learning_rate) * g / denominator), _np(acc)


def adagrad_step(param, grad, accumulator, learning_rate, epsilon=1e-7):
    """(param, accumulator): acc += g**2; param -= lr * g / (sqrt(acc) + eps)."""
    return _adagrad(param, grad, accumulator, learning_rate, epsilon, keras_form=False)


def adagrad_step_keras(param, grad, accumulator, learning_rate, epsilon=1e-7):
    """(param, accumulator) as Keras Adagrad: param -= lr * g / sqrt(acc + eps)."""
    return _adagrad(param, grad, accumulator, learning_rate, epsilon, keras_form=True)


def _moments(grad, m, v, beta1, beta2):
    g = _t(grad)
    beta1, beta2 = _f(beta1), _f(beta2)
    return _t(m) * beta1 + g * (1.0 - beta1), _t(v) * beta2 + tf.square(g) * (1.0 - beta2)


def _corrections(t, beta1, beta2) -> tuple[float, float]:
    """(1 - beta1**t, 1 - beta2**t); t counts steps from 1."""
    t = float(t)
    if t < 1:
        raise ValueError(f"t counts steps from 1, got {t}")
    return 1.0 - _f(beta1) ** t, 1.0 - _f(beta2) ** t


def adam_step(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-7):
    """(param, m, v), Kingma & Ba Algorithm 1: m_hat = m / (1 - beta1**t),
    v_hat = v / (1 - beta2**t), param -= lr * m_hat / (sqrt(v_hat) + eps)."""
    c1, c2 = _corrections(t, beta1, beta2)
    m, v = _moments(grad, m, v, beta1, beta2)
    step = (m / c1) / (tf.sqrt(v / c2) + _f(epsilon))
    return _np(_t(param) - _f(learning_rate) * step), _np(m), _np(v)


def adam_step_epsilon_hat(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                          epsilon=1e-7):
    """(param, m, v) in Keras's form: alpha = lr * sqrt(1 - beta2**t) / (1 - beta1**t),
    param -= alpha * m / (sqrt(v) + eps)."""
    c1, c2 = _corrections(t, beta1, beta2)
    m, v = _moments(grad, m, v, beta1, beta2)
    alpha = _f(learning_rate) * c2 ** 0.5 / c1
    return _np(_t(param) - alpha * m / (tf.sqrt(v) + _f(epsilon))), _np(m), _np(v)


def reduce_lr_on_plateau(val_losses, learning_rate, factor=0.1, patience=10, min_delta=1e-4,
                         cooldown=0, min_lr=0.0):
    """The learning rate in effect during each epoch, as Keras's own
    `ReduceLROnPlateau(monitor="val_loss")` sets it: this drives the callback
    epoch by epoch on a model whose optimizer holds `learning_rate`.

    The optimizer is made under float64 floatx, so the learning rate variable
    holds `old_lr * factor` exactly as Python computes it (a float32 variable
    would round every rate). Keras compares losses through float32 tensors
    (`ops.less` on Python floats): the cases keep their losses away from
    float32 near-ties, and tests/test_reference_optimizers.py proves this
    reference against a float64 simulation on every case.
    """
    import warnings

    import keras

    from autograder.reference import keras_float64

    # Keras's convert_to_numpy warns about NumPy 2's copy keyword on every read.
    with keras_float64(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=float(learning_rate)),
                      loss="mse")
        callback = keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=float(factor), patience=int(patience),
            min_delta=float(min_delta), cooldown=int(cooldown), min_lr=float(min_lr))
        callback.set_model(model)
        callback.on_train_begin()
        rates = []
        for epoch, loss in enumerate(val_losses):
            rates.append(float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))
            callback.on_epoch_end(epoch, {"val_loss": float(loss)})
    return rates


# Every accepted form of each step, by the name feedback uses for it.
FORMS = {
    "sgd_step": {"SGD": sgd_step},
    "momentum_step": {"Keras SGD with momentum": momentum_step},
    "adagrad_step": {"sqrt(acc) + epsilon": adagrad_step,
                     "sqrt(acc + epsilon) (Keras)": adagrad_step_keras},
    "adam_step": {"Kingma & Ba Algorithm 1": adam_step,
                  "epsilon-hat form (Keras)": adam_step_epsilon_hat},
}
