"""The TensorFlow references against plain NumPy written here from the definitions.

Every NumPy counterpart below is a deliberately naive loop, independent of the
reference code, so a wrong TF argument (padding side, stride, dilation, kernel
flip, float32 somewhere) shows up as a mismatch. Tolerances are tight (1e-12
relative): a float32 step anywhere in a reference would fail them.
"""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reference_impl import convolution as conv
from autograder import reference as device
from reference_impl import gradient_descent as gd

pytest.register_assert_rewrite("checktools")  # its assertions report like this file's
# assert_close: shape and float64 dtype first, then values (atol scaled to the data)
from checktools import (  # noqa: E402
    REFERENCE_RTOL as RTOL, assert_float64_close as assert_close, signature_test)

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------
# contract: names, signatures, lazy import, device
# --------------------------------------------------------------------------

SIGNATURES = {
    gd.linear_model: "(x, W, b)",
    gd.mse_loss: "(y_pred, y_true)",
    gd.mse_gradients: "(x, y_true, W, b)",
    gd.gradient_descent: "(x, y_true, W, b, learning_rate, n_steps)",
    gd.minibatch_indices: "(n_samples, batch_size, rng)",
    conv.conv_output_size: "(n, kernel_size, stride=1, padding='valid', dilation=1)",
    conv.conv2d: "(x, w, b, stride=1, padding='valid', dilation=1)",
    conv.conv2d_param_count: "(kernel_size, in_channels, filters, use_bias=True)",
    conv.max_pool2d: "(x, pool_size=2, stride=None, padding='valid')",
    conv.avg_pool2d: "(x, pool_size=2, stride=None, padding='valid')",
    conv.global_avg_pool: "(x)",
    conv.global_max_pool: "(x)",
    conv.conv2d_backward: "(dout, x, w, stride=1, padding='valid')",
}


test_signature_matches_curriculum = signature_test(SIGNATURES)


def test_package_import_does_not_import_tensorflow():
    # The CLI's --help path imports the package; TF would cost seconds there.
    code = "import sys, reference_impl; assert 'tensorflow' not in sys.modules, 'TF imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_configure_is_idempotent_and_device_is_named():
    import keras
    import tensorflow as tf

    device.configure()
    device.configure()
    assert keras.config.floatx() == "float64"
    name = device.device_name()
    assert name == "CPU" or name.startswith("GPU:0"), name
    assert (name == "CPU") == (not tf.config.list_physical_devices("GPU"))


# --------------------------------------------------------------------------
# gradient_descent
# --------------------------------------------------------------------------

def _regression(seed, n=7, n_in=3, n_out=2):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, n_in)), rng.normal(size=(n, n_out)),
            rng.normal(size=(n_in, n_out)), rng.normal(size=n_out))


def _np_loss_and_grads(x, y, W, b):
    residual = x @ W + b - y
    loss = np.mean(residual**2)
    scale = 2.0 / residual.size  # d/dpred of the mean over every element
    return loss, scale * x.T @ residual, scale * residual.sum(axis=0)


def test_linear_model_and_mse_loss():
    x, y, W, b = _regression(0)
    assert_close(gd.linear_model(x=x, W=W, b=b), x @ W + b)
    loss = gd.mse_loss(y_pred=x @ W + b, y_true=y)
    assert type(loss) is float
    assert loss == pytest.approx(np.mean((x @ W + b - y) ** 2), rel=RTOL)


@pytest.mark.parametrize("shape", [(7, 3, 2), (1, 1, 1), (12, 5, 4)])
def test_mse_gradients_analytic_and_finite_differences(shape):
    x, y, W, b = _regression(1, *shape)
    dW, db = gd.mse_gradients(x=x, y_true=y, W=W, b=b)
    _, dW_np, db_np = _np_loss_and_grads(x, y, W, b)
    assert_close(dW, dW_np)
    assert_close(db, db_np)

    # Central differences: the loss is quadratic, so they are exact up to rounding.
    def numeric(param, other, which):
        grad = np.zeros_like(param)
        h = 1e-5
        for i in np.ndindex(param.shape):
            up, down = param.copy(), param.copy()
            up[i] += h
            down[i] -= h
            args_up = (up, other) if which == "W" else (other, up)
            args_down = (down, other) if which == "W" else (other, down)
            grad[i] = (_np_loss_and_grads(x, y, *args_up)[0]
                       - _np_loss_and_grads(x, y, *args_down)[0]) / (2 * h)
        return grad

    np.testing.assert_allclose(dW, numeric(W, b, "W"), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(db, numeric(b, W, "b"), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("learning_rate, n_steps", [(0.1, 25), (0.03, 7), (1, 3), (0.5, 0)])
def test_gradient_descent_equals_plain_steps(learning_rate, n_steps):
    x, y, W, b = _regression(2, n=9, n_in=4, n_out=3)
    before = [a.copy() for a in (x, y, W, b)]
    W_got, b_got, losses = gd.gradient_descent(
        x=x, y_true=y, W=W, b=b, learning_rate=learning_rate, n_steps=n_steps)

    W_np, b_np, losses_np = W.copy(), b.copy(), []
    for _ in range(n_steps):
        loss, dW, db = _np_loss_and_grads(x, y, W_np, b_np)
        losses_np.append(loss)  # loss *before* the update
        W_np, b_np = W_np - learning_rate * dW, b_np - learning_rate * db

    assert_close(W_got, W_np)
    assert_close(b_got, b_np)
    assert np.ndim(losses) == 1 and len(losses) == n_steps
    assert_close(np.asarray(losses), np.array(losses_np).reshape(-1))
    for a, a0 in zip((x, y, W, b), before):
        np.testing.assert_array_equal(a, a0)  # inputs untouched


@pytest.mark.parametrize("n_samples, batch_size", [(10, 3), (12, 4), (5, 8), (1, 1), (0, 3)])
def test_minibatch_indices_is_a_cut_permutation(n_samples, batch_size):
    batches = gd.minibatch_indices(n_samples=n_samples, batch_size=batch_size,
                                   rng=np.random.default_rng(3))
    assert isinstance(batches, list)
    assert len(batches) == math.ceil(n_samples / batch_size)
    for i, batch in enumerate(batches):
        assert batch.ndim == 1 and np.issubdtype(batch.dtype, np.integer)
        if i < len(batches) - 1:
            assert len(batch) == batch_size
        else:
            assert 1 <= len(batch) <= batch_size
    flat = np.concatenate(batches) if batches else np.array([], int)
    assert sorted(flat.tolist()) == list(range(n_samples))
    again = gd.minibatch_indices(n_samples=n_samples, batch_size=batch_size,
                                 rng=np.random.default_rng(3))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))


# --------------------------------------------------------------------------
# convolution: NumPy counterparts
# --------------------------------------------------------------------------

def np_pads(n, k, stride, padding, dilation=1):
    """(before, after) zeros along one axis, from TF's documented rules."""
    k_eff = (k - 1) * dilation + 1
    if padding == "valid":
        return 0, 0
    if padding == "same":
        out = -(-n // stride)
        total = max((out - 1) * stride + k_eff - n, 0)
        return total // 2, total - total // 2  # odd extra one goes after
    return padding, padding


def np_conv2d(x, w, b, stride=1, padding="valid", dilation=1):
    N, H, W, _ = x.shape
    kh, kw, _, c_out = w.shape
    (top, bottom), (left, right) = (np_pads(H, kh, stride, padding, dilation),
                                    np_pads(W, kw, stride, padding, dilation))
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    Ho = (xp.shape[1] - (kh - 1) * dilation - 1) // stride + 1
    Wo = (xp.shape[2] - (kw - 1) * dilation - 1) // stride + 1
    out = np.zeros((N, Ho, Wo, c_out))
    for i in range(Ho):
        for j in range(Wo):
            for a in range(kh):
                for c in range(kw):
                    # cross-correlation: kernel tap (a, c) meets input at offset (a, c)
                    out[:, i, j, :] += xp[:, i * stride + a * dilation, j * stride + c * dilation, :] @ w[a, c]
    return out + b


def np_conv2d_backward(dout, x, w, stride=1, padding="valid"):
    N, H, W, _ = x.shape
    kh, kw, _, _ = w.shape
    (top, bottom), (left, right) = np_pads(H, kh, stride, padding), np_pads(W, kw, stride, padding)
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            for a in range(kh):
                for c in range(kw):
                    r, s = i * stride + a, j * stride + c
                    dxp[:, r, s, :] += dout[:, i, j, :] @ w[a, c].T
                    dw[a, c] += xp[:, r, s, :].T @ dout[:, i, j, :]
    dx = dxp[:, top:top + H, left:left + W, :]
    return dx, dw, dout.sum(axis=(0, 1, 2))


def np_pool(x, pool_size, stride, padding, reduce):
    """Pool over the real cells of each window (padding cells never count)."""
    stride = pool_size if stride is None else stride
    N, H, W, C = x.shape
    if padding == "valid":
        (top, _), (left, _) = (0, 0), (0, 0)
        Ho, Wo = (H - pool_size) // stride + 1, (W - pool_size) // stride + 1
    else:
        (top, _), (left, _) = np_pads(H, pool_size, stride, "same"), np_pads(W, pool_size, stride, "same")
        Ho, Wo = -(-H // stride), -(-W // stride)
    out = np.empty((N, Ho, Wo, C))
    for i in range(Ho):
        for j in range(Wo):
            r0, c0 = i * stride - top, j * stride - left
            window = x[:, max(r0, 0):r0 + pool_size, max(c0, 0):c0 + pool_size, :]
            out[:, i, j, :] = reduce(window.reshape(N, -1, C), axis=1)
    return out


# --------------------------------------------------------------------------
# convolution tests
# --------------------------------------------------------------------------

@pytest.mark.parametrize("padding", ["valid", "same", 0, 1, 2])
@pytest.mark.parametrize("dilation", [1, 2, 3])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_conv_output_size_matches_tf_rule(stride, dilation, padding):
    for n in (1, 2, 5, 6, 7, 10, 33):
        for k in (1, 2, 3, 4):
            before, after = np_pads(n, k, stride, padding, dilation)
            span = n + before + after - (k - 1) * dilation - 1
            if span < 0:
                # Kernel larger than the padded input: TF returns an empty
                # output or refuses; the reference says 0 or raises ValueError.
                try:
                    assert conv.conv_output_size(n=n, kernel_size=k, stride=stride,
                                                 padding=padding, dilation=dilation) == 0
                except ValueError:
                    pass
                continue
            got = conv.conv_output_size(n=n, kernel_size=k, stride=stride,
                                        padding=padding, dilation=dilation)
            assert type(got) is int
            assert got == span // stride + 1, (n, k, stride, padding, dilation)


CONV_CASES = [
    # (N, H, W, C_in, kh, kw, C_out, stride, padding, dilation)
    (2, 5, 7, 3, 3, 3, 4, 1, "valid", 1),
    (2, 6, 8, 3, 3, 2, 5, 2, "same", 1),   # even sizes, stride 2: pad goes bottom/right
    (1, 6, 6, 2, 2, 2, 3, 2, "same", 1),   # even kernel
    (3, 7, 5, 2, 4, 3, 1, 1, "same", 1),   # even kernel height, stride 1
    (2, 9, 11, 3, 3, 2, 4, 1, "valid", 2),
    (2, 9, 11, 3, 3, 3, 2, 1, "same", 2),
    (2, 9, 11, 3, 3, 2, 4, 2, "valid", 2),  # dilation with stride: explicit kernel dilation
    (2, 10, 8, 2, 3, 3, 3, 2, "same", 2),
    (1, 12, 9, 2, 2, 3, 2, 3, "valid", 3),
    (2, 5, 6, 3, 3, 3, 2, 1, 1, 1),          # int padding
    (2, 6, 7, 2, 3, 2, 4, 2, 2, 1),
    (1, 7, 8, 2, 2, 3, 3, 2, 1, 2),          # int padding, dilation and stride
    (2, 4, 5, 1, 1, 1, 3, 1, "valid", 1),    # 1x1 conv
]


@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_conv2d_against_loops(case):
    N, H, W, c_in, kh, kw, c_out, stride, padding, dilation = case
    rng = np.random.default_rng(CONV_CASES.index(case))
    x = rng.normal(size=(N, H, W, c_in))
    w = rng.normal(size=(kh, kw, c_in, c_out))
    b = rng.normal(size=c_out)
    before = x.copy(), w.copy(), b.copy()
    got = conv.conv2d(x=x, w=w, b=b, stride=stride, padding=padding, dilation=dilation)
    assert_close(got, np_conv2d(x, w, b, stride, padding, dilation))
    for a, a0 in zip((x, w, b), before):
        np.testing.assert_array_equal(a, a0)
    # Its spatial size is what conv_output_size says.
    assert got.shape[1:3] == (
        conv.conv_output_size(n=H, kernel_size=kh, stride=stride, padding=padding, dilation=dilation),
        conv.conv_output_size(n=W, kernel_size=kw, stride=stride, padding=padding, dilation=dilation))


def test_conv2d_is_cross_correlation_and_same_pads_bottom_right():
    # A kernel with one tap at its top-left copies the input shifted; a flipped
    # (true) convolution would shift the other way.
    x = np.arange(16, dtype=float).reshape(1, 4, 4, 1)
    w = np.zeros((2, 2, 1, 1))
    w[0, 0] = 1.0
    got = conv.conv2d(x=x, w=w, b=np.zeros(1), padding="same")
    # "same" with k=2 pads one row/column at the bottom/right only.
    assert_close(got, x)


def test_dilated_kernel_matches_native_tf_where_supported():
    import tensorflow as tf

    rng = np.random.default_rng(5)
    x, w = rng.normal(size=(2, 9, 10, 3)), rng.normal(size=(3, 2, 3, 4))
    explicit = conv._conv(tf.constant(x), conv._dilate_kernel(tf.constant(w), 3), 1, "SAME", 1)
    native = tf.nn.conv2d(x, w, 1, "SAME", dilations=3)
    assert_close(explicit.numpy(), native.numpy())


@pytest.mark.parametrize("kernel_size, in_channels, filters, use_bias, expected", [
    (3, 3, 2, True, 56),                 # the curriculum's example
    ((3, 5), 4, 7, True, 3 * 5 * 4 * 7 + 7),
    (1, 16, 8, False, 16 * 8),
    ((2, 1), 1, 1, True, 3),
])
def test_conv2d_param_count(kernel_size, in_channels, filters, use_bias, expected):
    got = conv.conv2d_param_count(kernel_size=kernel_size, in_channels=in_channels,
                                  filters=filters, use_bias=use_bias)
    assert type(got) is int and got == expected


POOL_CASES = [
    # (N, H, W, C, pool_size, stride, padding)
    (2, 6, 8, 3, 2, None, "valid"),
    (2, 7, 5, 3, 2, None, "valid"),   # odd sizes: last row/column dropped
    (2, 7, 5, 3, 2, None, "same"),    # odd sizes: partial windows bottom/right
    (1, 5, 5, 2, 3, 2, "same"),
    (2, 6, 9, 1, 3, 1, "same"),
    (1, 8, 7, 2, 3, 2, "valid"),
    (3, 4, 6, 2, 2, 3, "same"),       # stride larger than the window
    (1, 5, 4, 2, 4, 3, "same"),       # pads on both sides, odd extra at bottom
]


@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_pooling_against_loops(case):
    N, H, W, C, pool_size, stride, padding = case
    rng = np.random.default_rng(pool_size * 100 + H * 10 + W)
    x = rng.normal(size=(N, H, W, C)) - 3.0  # all negative: zero padding would leak into max
    x0 = x.copy()
    kwargs = dict(x=x, pool_size=pool_size, stride=stride, padding=padding)
    assert_close(conv.max_pool2d(**kwargs), np_pool(x, pool_size, stride, padding, np.max))
    assert_close(conv.avg_pool2d(**kwargs), np_pool(x, pool_size, stride, padding, np.mean))
    np.testing.assert_array_equal(x, x0)


def test_pooling_defaults_and_float64_precision():
    # Values that float32 can't hold: a float32 pooling would round them.
    x = 1.0 + np.arange(2 * 4 * 6 * 3).reshape(2, 4, 6, 3) * 1e-12
    assert_close(conv.max_pool2d(x=x), np_pool(x, 2, None, "valid", np.max))
    assert_close(conv.avg_pool2d(x=x), np_pool(x, 2, None, "valid", np.mean))


def test_pooling_rejects_int_padding():
    with pytest.raises(ValueError):
        conv.max_pool2d(x=np.zeros((1, 4, 4, 1)), padding=1)


def test_global_pools():
    x = np.random.default_rng(6).normal(size=(3, 5, 4, 2))
    assert_close(conv.global_avg_pool(x=x), x.mean(axis=(1, 2)))
    assert_close(conv.global_max_pool(x=x), x.max(axis=(1, 2)))


BACKWARD_CASES = [
    # (N, H, W, C_in, kh, kw, C_out, stride, padding)
    (2, 5, 7, 3, 3, 3, 4, 1, "valid"),
    (2, 6, 8, 3, 3, 2, 2, 2, "same"),
    (1, 7, 6, 2, 2, 2, 3, 2, "same"),
    (2, 7, 5, 2, 3, 3, 3, 2, "valid"),   # stride leaves the last row unused
    (2, 5, 6, 3, 3, 2, 2, 1, 1),
    (1, 6, 7, 2, 3, 3, 2, 2, 2),
]


@pytest.mark.parametrize("case", BACKWARD_CASES, ids=str)
def test_conv2d_backward_against_loops(case):
    N, H, W, c_in, kh, kw, c_out, stride, padding = case
    rng = np.random.default_rng(H * 100 + W * 10 + kh)
    x = rng.normal(size=(N, H, W, c_in))
    w = rng.normal(size=(kh, kw, c_in, c_out))
    out_shape = np_conv2d(x, w, np.zeros(c_out), stride, padding).shape
    dout = rng.normal(size=out_shape)
    got = conv.conv2d_backward(dout=dout, x=x, w=w, stride=stride, padding=padding)
    assert isinstance(got, tuple) and len(got) == 3
    for g, e in zip(got, np_conv2d_backward(dout, x, w, stride, padding)):
        assert_close(g, e)


def test_conv2d_backward_finite_differences():
    # Independent of the loop backward: differentiate the loop forward.
    rng = np.random.default_rng(7)
    x, w, b = rng.normal(size=(2, 5, 4, 2)), rng.normal(size=(3, 2, 2, 3)), rng.normal(size=3)
    stride, padding = 2, "same"
    dout = rng.normal(size=np_conv2d(x, w, b, stride, padding).shape)

    def numeric(f, a, h=1e-6):
        grad = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            up, down = a.copy(), a.copy()
            up[i] += h
            down[i] -= h
            grad[i] = (np.sum(dout * f(up)) - np.sum(dout * f(down))) / (2 * h)
        return grad

    dx, dw, db = conv.conv2d_backward(dout=dout, x=x, w=w, stride=stride, padding=padding)
    tol = dict(rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dx, numeric(lambda v: np_conv2d(v, w, b, stride, padding), x), **tol)
    np.testing.assert_allclose(dw, numeric(lambda v: np_conv2d(x, v, b, stride, padding), w), **tol)
    np.testing.assert_allclose(db, numeric(lambda v: np_conv2d(x, w, v, stride, padding), b), **tol)
