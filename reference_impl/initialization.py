"""Reference for the `initialization` assignment: Glorot/He initializers and
the signal-propagation experiment `layer_variances`.

The initializers are Keras's own (`keras.initializers.GlorotUniform`,
`GlorotNormal`, `HeUniform`, `HeNormal`) in float64, seeded from the `rng`
argument, so the same Generator state gives the same weights and nothing
touches NumPy's global random state. Their output is random by design: the
grader checks statistical properties instead of comparing values
(checks/initialization.py), and these functions prove that
Keras itself passes those checks.

What Keras realises compared with the curriculum's targets (Var = 2 / (fan_in +
fan_out) for Glorot, 2 / fan_in for He; mean 0):

- Uniform: Keras draws U(-limit, limit) with limit = sqrt(3 Var), whose
  variance is limit**2 / 3 = Var exactly. Same target.
- Normal: Keras draws a *truncated* normal with stddev sigma = sqrt(Var) /
  0.87962566103423978 and re-draws every value beyond 2 sigma. The constant is
  the standard deviation of a unit normal truncated to [-2, 2], so the
  realised variance is Var again, and every |w| <= 2 sigma ~= 2.2737 sqrt(Var).
  A plain N(0, Var) has the same variance and no bound; the curriculum accepts
  both. (Truncating at 2 sqrt(Var) *without* the correction would realise only
  0.7737 Var.)

tests/test_reference_initialization.py draws large matrices from these
functions and checks exactly these numbers.

`layer_variances` is deterministic given the weights: `tf.linalg.matmul` and
the `tf.nn` activations, then `tf.math.reduce_variance` (population variance,
like np.var) of every layer's output.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf
import keras

from autograder.reference import configure

configure()

_F64 = tf.float64

# Standard deviation of a unit normal truncated to [-2, 2] (Keras's constant).
TRUNCATION_STD = 0.87962566103423978
TRUNCATION_SIGMAS = 2.0


def glorot_variance(fan_in, fan_out) -> float:
    return 2.0 / (int(fan_in) + int(fan_out))


def he_variance(fan_in, fan_out) -> float:
    return 2.0 / int(fan_in)


def _draw(initializer_class, fan_in, fan_out, rng) -> np.ndarray:
    """Keras initializer on shape (fan_in, fan_out), seeded from rng (one
    integer drawn from it), in float64."""
    seed = int(rng.integers(0, 2**31 - 1))
    init = initializer_class(seed=seed)
    weights = init(shape=(int(fan_in), int(fan_out)), dtype="float64")
    return np.array(weights, dtype=np.float64)


def glorot_uniform(fan_in, fan_out, rng):
    """U(-sqrt(3 Var), sqrt(3 Var)) with Var = 2 / (fan_in + fan_out)."""
    return _draw(keras.initializers.GlorotUniform, fan_in, fan_out, rng)


def glorot_normal(fan_in, fan_out, rng):
    """Keras's truncated normal with variance 2 / (fan_in + fan_out)."""
    return _draw(keras.initializers.GlorotNormal, fan_in, fan_out, rng)


def he_uniform(fan_in, fan_out, rng):
    """U(-sqrt(3 Var), sqrt(3 Var)) with Var = 2 / fan_in."""
    return _draw(keras.initializers.HeUniform, fan_in, fan_out, rng)


def he_normal(fan_in, fan_out, rng):
    """Keras's truncated normal with variance 2 / fan_in."""
    return _draw(keras.initializers.HeNormal, fan_in, fan_out, rng)


_ACTIVATIONS = {
    "relu": tf.nn.relu,
    "tanh": tf.nn.tanh,
    "sigmoid": tf.nn.sigmoid,
    "linear": tf.identity,
}


def layer_variances(x, weights, activation):
    """[np.var of each layer's output] for h = act(h @ W), W in weights (no bias)."""
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
    act = _ACTIVATIONS[activation]
    h = tf.constant(np.asarray(x, dtype=np.float64), _F64)
    variances = []
    for W in weights:
        h = act(tf.linalg.matmul(h, tf.constant(np.asarray(W, dtype=np.float64), _F64)))
        variances.append(float(tf.math.reduce_variance(h)))
    return variances
