"""NumPy implementations for testing the `initialization` check table: correct
versions (both accepted normal forms: plain and Keras-truncated) and
deliberately wrong ones that each make one known mistake.
"""
from __future__ import annotations

import numpy as np

TRUNC_STD = 0.87962566103423978


def _glorot(fan_in, fan_out):
    return 2.0 / (fan_in + fan_out)


def _he(fan_in, fan_out):
    return 2.0 / fan_in


def _uniform(var, fan_in, fan_out, rng):
    limit = np.sqrt(3.0 * var)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def _plain_normal(var, fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))


def _truncated_normal(var, fan_in, fan_out, rng, correct=True):
    """Keras's rule: stddev s = sqrt(Var) / 0.8796 (or sqrt(Var) uncorrected),
    redraw every value beyond 2 s."""
    s = np.sqrt(var) / (TRUNC_STD if correct else 1.0)
    w = rng.normal(0.0, s, size=(fan_in, fan_out))
    bad = np.abs(w) > 2 * s
    while bad.any():
        w[bad] = rng.normal(0.0, s, size=int(bad.sum()))
        bad = np.abs(w) > 2 * s
    return w


# ============================================================ correct

def glorot_uniform(fan_in, fan_out, rng):
    return _uniform(_glorot(fan_in, fan_out), fan_in, fan_out, rng)


def glorot_normal(fan_in, fan_out, rng):
    return _plain_normal(_glorot(fan_in, fan_out), fan_in, fan_out, rng)


def glorot_normal_truncated(fan_in, fan_out, rng):
    return _truncated_normal(_glorot(fan_in, fan_out), fan_in, fan_out, rng)


def he_uniform(fan_in, fan_out, rng):
    return _uniform(_he(fan_in, fan_out), fan_in, fan_out, rng)


def he_uniform_float32(fan_in, fan_out, rng):
    # the largest draws may round up past the float64 limit by half a float32 ulp
    w = _uniform(_he(fan_in, fan_out), fan_in, fan_out, rng).astype(np.float32)
    limit = np.float32(np.sqrt(3.0 * _he(fan_in, fan_out)))
    w[0, 0] = limit  # force the worst case: exactly the rounded limit
    return w


def he_normal(fan_in, fan_out, rng):
    return _truncated_normal(_he(fan_in, fan_out), fan_in, fan_out, rng)


def he_normal_plain(fan_in, fan_out, rng):
    return _plain_normal(_he(fan_in, fan_out), fan_in, fan_out, rng)


def he_normal_float32(fan_in, fan_out, rng):
    return he_normal(fan_in, fan_out, rng).astype(np.float32)


def _activate(h, activation):
    if activation == "relu":
        return np.maximum(h, 0.0)
    if activation == "tanh":
        return np.tanh(h)
    if activation == "sigmoid":
        return 1.0 / (1.0 + np.exp(-h))
    return h


def layer_variances(x, weights, activation):
    out, h = [], x
    for W in weights:
        h = _activate(h @ W, activation)
        out.append(float(np.var(h)))
    return out


# ============================================================ buggy initializers

def glorot_uniform_no_3(fan_in, fan_out, rng):
    limit = np.sqrt(_glorot(fan_in, fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def glorot_uniform_no_sqrt(fan_in, fan_out, rng):
    limit = 3.0 * _glorot(fan_in, fan_out)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def glorot_uniform_positive(fan_in, fan_out, rng):
    return rng.uniform(0.0, np.sqrt(3.0 * _glorot(fan_in, fan_out)), size=(fan_in, fan_out))


def glorot_uniform_fan_in_only(fan_in, fan_out, rng):
    return _uniform(1.0 / fan_in, fan_in, fan_out, rng)


def glorot_uniform_transposed(fan_in, fan_out, rng):
    return glorot_uniform(fan_out, fan_in, rng)


def glorot_uniform_global(fan_in, fan_out, rng):
    limit = np.sqrt(3.0 * _glorot(fan_in, fan_out))
    return np.random.uniform(-limit, limit, size=(fan_in, fan_out))


def glorot_uniform_unseeded(fan_in, fan_out, rng):
    return glorot_uniform(fan_in, fan_out, np.random.default_rng())


def glorot_uniform_int(fan_in, fan_out, rng):
    return np.zeros((fan_in, fan_out), dtype=int)


def glorot_normal_std_is_limit(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(3.0 * _glorot(fan_in, fan_out)), size=(fan_in, fan_out))


def glorot_normal_var_is_limit(fan_in, fan_out, rng):
    var = np.sqrt(3.0 * _glorot(fan_in, fan_out))
    return rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))


def glorot_normal_no_sqrt(fan_in, fan_out, rng):
    return rng.normal(0.0, _glorot(fan_in, fan_out), size=(fan_in, fan_out))


def glorot_normal_uncorrected(fan_in, fan_out, rng):
    return _truncated_normal(_glorot(fan_in, fan_out), fan_in, fan_out, rng, correct=False)


def glorot_normal_uniform(fan_in, fan_out, rng):
    return glorot_uniform(fan_in, fan_out, rng)


def glorot_normal_he(fan_in, fan_out, rng):
    return _plain_normal(_he(fan_in, fan_out), fan_in, fan_out, rng)


def glorot_normal_transposed(fan_in, fan_out, rng):
    return glorot_normal(fan_out, fan_in, rng)


def glorot_normal_global(fan_in, fan_out, rng):
    return np.random.normal(0.0, np.sqrt(_glorot(fan_in, fan_out)), size=(fan_in, fan_out))


def he_uniform_fan_out(fan_in, fan_out, rng):
    return _uniform(2.0 / fan_out, fan_in, fan_out, rng)


def he_uniform_no_3(fan_in, fan_out, rng):
    limit = np.sqrt(_he(fan_in, fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def he_uniform_no_sqrt(fan_in, fan_out, rng):
    limit = 3.0 * _he(fan_in, fan_out)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def he_uniform_positive(fan_in, fan_out, rng):
    return rng.uniform(0.0, np.sqrt(3.0 * _he(fan_in, fan_out)), size=(fan_in, fan_out))


def he_uniform_transposed(fan_in, fan_out, rng):
    return he_uniform(fan_out, fan_in, rng)


def he_uniform_global(fan_in, fan_out, rng):
    limit = np.sqrt(3.0 * _he(fan_in, fan_out))
    return np.random.uniform(-limit, limit, size=(fan_in, fan_out))


def he_normal_fan_out(fan_in, fan_out, rng):
    return _plain_normal(2.0 / fan_out, fan_in, fan_out, rng)


def he_normal_std_is_limit(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(3.0 * _he(fan_in, fan_out)), size=(fan_in, fan_out))


def he_normal_no_sqrt(fan_in, fan_out, rng):
    return rng.normal(0.0, _he(fan_in, fan_out), size=(fan_in, fan_out))


def he_normal_uncorrected(fan_in, fan_out, rng):
    return _truncated_normal(_he(fan_in, fan_out), fan_in, fan_out, rng, correct=False)


def he_normal_transposed(fan_in, fan_out, rng):
    return he_normal(fan_out, fan_in, rng)


def he_normal_global(fan_in, fan_out, rng):
    return np.random.normal(0.0, np.sqrt(_he(fan_in, fan_out)), size=(fan_in, fan_out))


def he_normal_unseeded(fan_in, fan_out, rng):
    return he_normal(fan_in, fan_out, np.random.default_rng())


# ============================================================ buggy layer_variances

def layer_variances_preactivation(x, weights, activation):
    out, h = [], x
    for W in weights:
        pre = h @ W
        out.append(float(np.var(pre)))
        h = _activate(pre, activation)
    return out


def layer_variances_with_input(x, weights, activation):
    return [float(np.var(x))] + layer_variances(x, weights, activation)


def layer_variances_input_first(x, weights, activation):
    return [float(np.var(x))] + layer_variances(x, weights, activation)[:-1]


def layer_variances_sigmoid_as_tanh(x, weights, activation):
    return layer_variances(x, weights, "tanh" if activation == "sigmoid" else activation)


def layer_variances_always_relu(x, weights, activation):
    return layer_variances(x, weights, "relu")


def layer_variances_std(x, weights, activation):
    return [float(np.sqrt(v)) for v in layer_variances(x, weights, activation)]


def layer_variances_per_unit(x, weights, activation):
    out, h = [], x
    for W in weights:
        h = _activate(h @ W, activation)
        out.append(float(np.mean(np.var(h, axis=0))))
    return out


def layer_variances_array(x, weights, activation):
    return np.array(layer_variances(x, weights, activation))


# ============================================================ rng ignored (must lose points)

def _own_generator(correct):
    """The mistake `rng = np.random.default_rng(42)` inside the function."""
    def wrong(fan_in, fan_out, rng):
        rng = np.random.default_rng(42)
        return correct(fan_in, fan_out, rng)
    wrong.__name__ = f"{correct.__name__}_own_generator"
    return wrong


def glorot_uniform_np_seed(fan_in, fan_out, rng):
    np.random.seed(0)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return np.random.uniform(-limit, limit, size=(fan_in, fan_out))


def glorot_normal_np_seed(fan_in, fan_out, rng):
    np.random.seed(0)
    return np.random.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def he_uniform_np_seed(fan_in, fan_out, rng):
    np.random.seed(0)
    limit = np.sqrt(6.0 / fan_in)
    return np.random.uniform(-limit, limit, size=(fan_in, fan_out))


def he_normal_np_seed(fan_in, fan_out, rng):
    np.random.seed(0)
    return np.random.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


glorot_uniform_own_generator = _own_generator(glorot_uniform)
glorot_normal_own_generator = _own_generator(glorot_normal)
he_uniform_own_generator = _own_generator(he_uniform)
he_normal_own_generator = _own_generator(he_normal)


# ============================================================ more variance mistakes (hints)

def glorot_uniform_half(fan_in, fan_out, rng):
    return _uniform(1.0 / (fan_in + fan_out), fan_in, fan_out, rng)


def glorot_normal_half(fan_in, fan_out, rng):
    return _plain_normal(1.0 / (fan_in + fan_out), fan_in, fan_out, rng)


def he_uniform_fan_average(fan_in, fan_out, rng):
    return _uniform(2.0 / ((fan_in + fan_out) / 2), fan_in, fan_out, rng)


def he_uniform_lecun(fan_in, fan_out, rng):
    return _uniform(1.0 / fan_in, fan_in, fan_out, rng)


def he_normal_fan_average(fan_in, fan_out, rng):
    return _plain_normal(2.0 / ((fan_in + fan_out) / 2), fan_in, fan_out, rng)


def he_normal_lecun(fan_in, fan_out, rng):
    return _plain_normal(1.0 / fan_in, fan_in, fan_out, rng)


def layer_variances_second_moment(x, weights, activation):
    out, h = [], x
    for W in weights:
        h = _activate(h @ W, activation)
        out.append(float(np.mean(h ** 2)))
    return out


def layer_variances_ddof(x, weights, activation):
    out, h = [], x
    for W in weights:
        h = _activate(h @ W, activation)
        out.append(float(np.var(h, ddof=1)))
    return out


def layer_variances_act_first(x, weights, activation):
    out, h = [], x
    for W in weights:
        h = _activate(h, activation) @ W
        out.append(float(np.var(h)))
    return out
