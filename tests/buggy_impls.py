"""NumPy implementations for testing the check tables: one correct version of
every graded function, and deliberately wrong ones that each make one known
mistake (the ones the hints are about).

Written independently of the NumPy helpers in checks/*.py
(loops over output positions here, over kernel taps there), so that a test
passing means two different implementations agree with the TF reference.
"""
from __future__ import annotations

from functools import partial

import numpy as np

# ============================================================ gradient_descent


def linear_model(x, W, b):
    return x @ W + b


def linear_model_output_transposed(x, W, b):
    return W.T @ x.T + b[:, None]


def linear_model_W_transposed(x, W, b):
    return x @ W.T + b  # only runs when W is square


def linear_model_no_bias(x, W, b):
    return x @ W


def mse_loss(y_pred, y_true):
    return float(np.mean((y_pred - y_true) ** 2))


def mse_loss_sum(y_pred, y_true):
    return float(np.sum((y_pred - y_true) ** 2))


def mse_loss_rows_only(y_pred, y_true):
    return float(np.mean(np.sum((y_pred - y_true) ** 2, axis=1)))


def mse_loss_not_scalar(y_pred, y_true):
    return np.mean((y_pred - y_true) ** 2, axis=0)


def mse_loss_half(y_pred, y_true):
    return 0.5 * float(np.mean((y_pred - y_true) ** 2))


def mse_loss_root(y_pred, y_true):
    return float(np.sqrt(np.mean((y_pred - y_true) ** 2)))


def _gradients(x, y_true, W, b, divide_by="all", factor=2.0, transpose_dW=False, db_mode="sum"):
    err = x @ W + b - y_true
    n, n_out = err.shape
    norm = {"all": n * n_out, "none": 1, "n_out": n_out, "N": n}[divide_by]
    dW = factor * (err.T @ x if transpose_dW else x.T @ err) / norm
    if db_mode == "sum":
        db = factor * err.sum(axis=0) / norm
    elif db_mode == "keepdims":
        db = factor * err.sum(axis=0, keepdims=True) / norm
    else:  # per sample, not summed
        db = factor * err / norm
    return dW, db


mse_gradients = partial(_gradients)
mse_gradients_sum = partial(_gradients, divide_by="none")
mse_gradients_missing_n = partial(_gradients, divide_by="n_out")
mse_gradients_rows_only = partial(_gradients, divide_by="N")
mse_gradients_no_two = partial(_gradients, factor=1.0)
mse_gradients_no_factor = partial(_gradients, divide_by="none", factor=1.0)   # neither 2 nor 1/(N n_out)
mse_gradients_sign = partial(_gradients, factor=-2.0)
mse_gradients_dW_transposed = partial(_gradients, transpose_dW=True)
mse_gradients_db_not_summed = partial(_gradients, db_mode="per_sample")
mse_gradients_db_keepdims = partial(_gradients, db_mode="keepdims")


def _gd(x, y_true, W, b, learning_rate, n_steps, grads=mse_gradients, loss=mse_loss,
        sign=-1.0, record_after=False, extra_loss=False):
    losses = []
    for _ in range(n_steps):
        if not record_after:
            losses.append(loss(linear_model(x, W, b), y_true))
        dW, db = grads(x, y_true, W, b)
        W = W + sign * learning_rate * dW
        b = b + sign * learning_rate * db
        if record_after:
            losses.append(loss(linear_model(x, W, b), y_true))
    if extra_loss:
        losses.append(loss(linear_model(x, W, b), y_true))
    return W, b, losses


gradient_descent = partial(_gd)
gradient_descent_sum = partial(_gd, grads=mse_gradients_sum)
gradient_descent_rows_only = partial(_gd, grads=mse_gradients_rows_only)
gradient_descent_no_two = partial(_gd, grads=mse_gradients_no_two)
gradient_descent_ascent = partial(_gd, sign=+1.0)
gradient_descent_loss_after = partial(_gd, record_after=True)
gradient_descent_loss_count = partial(_gd, extra_loss=True)
gradient_descent_loss_sum = partial(_gd, loss=mse_loss_sum)


def minibatch_indices(n_samples, batch_size, rng):
    order = rng.permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def minibatch_indices_not_shuffled(n_samples, batch_size, rng):
    order = np.arange(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def minibatch_indices_drops_last(n_samples, batch_size, rng):
    order = rng.permutation(n_samples)
    return [order[k * batch_size:(k + 1) * batch_size] for k in range(n_samples // batch_size)]


def minibatch_indices_global_state(n_samples, batch_size, rng):
    order = np.random.permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def minibatch_indices_unseeded(n_samples, batch_size, rng):
    order = np.random.default_rng().permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def minibatch_indices_own_generator(n_samples, batch_size, rng):
    return minibatch_indices(n_samples, batch_size, np.random.default_rng(42))


def minibatch_indices_np_seed(n_samples, batch_size, rng):
    np.random.seed(0)
    order = np.random.permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def minibatch_indices_replacement(n_samples, batch_size, rng):
    order = rng.integers(0, n_samples, n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def minibatch_indices_float(n_samples, batch_size, rng):
    order = rng.permutation(n_samples).astype(float)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


# ================================================================ convolution


def _same_pads(n, k_eff, stride, mode="tf"):
    if mode == "k_half":  # the stride-1, odd-kernel rule applied everywhere
        return k_eff // 2, k_eff // 2
    out = -(-n // stride)
    total = max((out - 1) * stride + k_eff - n, 0)
    if mode == "top_left":
        return total - total // 2, total // 2
    return total // 2, total - total // 2


def _pads(padding, n, k_eff, stride, mode="tf"):
    if padding == "valid":
        return 0, 0
    if padding == "same":
        return _same_pads(n, k_eff, stride, mode)
    return padding, padding


def conv_output_size(n, kernel_size, stride=1, padding="valid", dilation=1):
    k_eff = dilation * (kernel_size - 1) + 1
    if padding == "same":
        return -(-n // stride)
    p = 0 if padding == "valid" else padding
    return (n + 2 * p - k_eff) // stride + 1


def conv_output_size_no_dilation(n, kernel_size, stride=1, padding="valid", dilation=1):
    return conv_output_size(n, kernel_size, stride, padding, 1)


def conv_output_size_same_floor(n, kernel_size, stride=1, padding="valid", dilation=1):
    if padding == "same":
        return n // stride
    return conv_output_size(n, kernel_size, stride, padding, dilation)


def conv_output_size_same_as_valid(n, kernel_size, stride=1, padding="valid", dilation=1):
    return conv_output_size(n, kernel_size, stride, "valid" if padding == "same" else padding, dilation)


def conv_output_size_same_symmetric(n, kernel_size, stride=1, padding="valid", dilation=1):
    # "same" as a symmetric padding of 2 * (k_eff // 2): right for odd kernels only.
    k_eff = dilation * (kernel_size - 1) + 1
    if padding == "same":
        return (n + 2 * (k_eff // 2) - k_eff) // stride + 1
    return conv_output_size(n, kernel_size, stride, padding, dilation)


def conv_output_size_pad_once(n, kernel_size, stride=1, padding="valid", dilation=1):
    k_eff = dilation * (kernel_size - 1) + 1
    if padding == "same":
        return -(-n // stride)
    p = 0 if padding == "valid" else padding
    return (n + p - k_eff) // stride + 1


def _conv2d(x, w, b, stride=1, padding="valid", dilation=1, *, flip=False, same_mode="tf",
            bias=True, use_dilation=True):
    if flip:
        w = w[::-1, ::-1]
    d = dilation if use_dilation else 1
    n, h, wd, _ = x.shape
    kh, kw, _, c_out = w.shape
    keh, kew = d * (kh - 1) + 1, d * (kw - 1) + 1
    ph, pw = _pads(padding, h, keh, stride, same_mode), _pads(padding, wd, kew, stride, same_mode)
    xp = np.pad(x, ((0, 0), ph, pw, (0, 0)))
    ho, wo = (xp.shape[1] - keh) // stride + 1, (xp.shape[2] - kew) // stride + 1
    out = np.empty((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + keh:d, j * stride:j * stride + kew:d, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out + b if bias else out


conv2d = partial(_conv2d)
conv2d_flipped = partial(_conv2d, flip=True)
conv2d_same_top_left = partial(_conv2d, same_mode="top_left")
conv2d_same_k_half = partial(_conv2d, same_mode="k_half")
conv2d_no_bias = partial(_conv2d, bias=False)
conv2d_no_dilation = partial(_conv2d, use_dilation=False)


def conv2d_param_count(kernel_size, in_channels, filters, use_bias=True):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return kh * kw * in_channels * filters + (filters if use_bias else 0)


def conv2d_param_count_always_bias(kernel_size, in_channels, filters, use_bias=True):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return kh * kw * in_channels * filters + filters


def conv2d_param_count_no_in_channels(kernel_size, in_channels, filters, use_bias=True):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return kh * kw * filters + (filters if use_bias else 0)


def conv2d_param_count_int_kernel(kernel_size, in_channels, filters, use_bias=True):
    kh, kw = (kernel_size, 1) if isinstance(kernel_size, int) else kernel_size
    return kh * kw * in_channels * filters + (filters if use_bias else 0)


def _pool2d(x, pool_size=2, stride=None, padding="valid", *, op="max", default_stride=None,
            same_mode="tf", zero_pad=False, full_window=False):
    k = pool_size
    s = (default_stride or k) if stride is None else stride
    n, h, wd, c = x.shape
    (pt, _), (pl, _) = _pads(padding, h, k, s, same_mode), _pads(padding, wd, k, s, same_mode)
    ho, wo = conv_output_size(h, k, s, padding), conv_output_size(wd, k, s, padding)
    out = np.empty((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            r0, c0 = i * s - pt, j * s - pl  # window corner in unpadded coordinates
            r1, c1 = min(r0 + k, h), min(c0 + k, wd)
            window = x[:, max(r0, 0):r1, max(c0, 0):c1, :]
            clipped = window.shape[1] * window.shape[2] < k * k
            if op == "max":
                m = window.max(axis=(1, 2))
                out[:, i, j] = np.maximum(m, 0.0) if zero_pad and clipped else m
            else:
                count = k * k if full_window else window.shape[1] * window.shape[2]
                out[:, i, j] = window.sum(axis=(1, 2)) / count
    return out


max_pool2d = partial(_pool2d, op="max")
max_pool2d_stride_one = partial(_pool2d, op="max", default_stride=1)
max_pool2d_zero_pad = partial(_pool2d, op="max", zero_pad=True)
max_pool2d_same_top_left = partial(_pool2d, op="max", same_mode="top_left")
avg_pool2d = partial(_pool2d, op="avg")
avg_pool2d_stride_one = partial(_pool2d, op="avg", default_stride=1)
avg_pool2d_full_window = partial(_pool2d, op="avg", full_window=True)
avg_pool2d_same_top_left = partial(_pool2d, op="avg", same_mode="top_left")


def global_avg_pool(x):
    return x.mean(axis=(1, 2))


def global_avg_pool_nchw(x):
    return x.mean(axis=(2, 3))


def global_avg_pool_keepdims(x):
    return x.mean(axis=(1, 2), keepdims=True)


def global_avg_pool_all_but_batch(x):
    return x.mean(axis=(1, 2, 3))


def global_avg_pool_over_batch(x):
    return x.mean(axis=(0, 1, 2))


def global_max_pool(x):
    return x.max(axis=(1, 2))


def global_max_pool_nchw(x):
    return x.max(axis=(2, 3))


def global_max_pool_keepdims(x):
    return x.max(axis=(1, 2), keepdims=True)


def _conv2d_backward(dout, x, w, stride=1, padding="valid", *, db_mode="sum", scatter_stride=True,
                     read_stride=True, flip_dw=False, flip_dx=False, crop=True, batch_mean=False,
                     same_mode="tf"):
    n, h, wd, _ = x.shape
    kh, kw = w.shape[:2]
    ph, pw = _pads(padding, h, kh, stride, same_mode), _pads(padding, wd, kw, stride, same_mode)
    w_dx = w[::-1, ::-1] if flip_dx else w
    xp = np.pad(x, ((0, 0), ph, pw, (0, 0)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    ho, wo = dout.shape[1:3]
    for i in range(ho):
        for j in range(wo):
            r, c = i * stride, j * stride
            g = dout[:, i, j, :]                                      # (N, C_out)
            rr, cr = (r, c) if read_stride else (i, j)
            dw += np.tensordot(xp[:, rr:rr + kh, cr:cr + kw, :], g, axes=([0], [0]))
            rs, cs = (r, c) if scatter_stride else (i, j)
            dxp[:, rs:rs + kh, cs:cs + kw, :] += np.tensordot(g, w_dx, axes=([1], [3]))
    dx = dxp[:, ph[0]:ph[0] + h, pw[0]:pw[0] + wd] if crop else dxp
    db = {"sum": dout.sum(axis=(0, 1, 2)), "per_image": dout.sum(axis=(1, 2)),
          "mean": dout.mean(axis=(0, 1, 2))}[db_mode]
    if flip_dw:
        dw = dw[::-1, ::-1]
    if batch_mean:
        dw, db = dw / n, db / n
    return dx, dw, db


conv2d_backward = partial(_conv2d_backward)
conv2d_backward_db_per_image = partial(_conv2d_backward, db_mode="per_image")
conv2d_backward_db_mean = partial(_conv2d_backward, db_mode="mean")
conv2d_backward_dx_no_stride = partial(_conv2d_backward, scatter_stride=False)
conv2d_backward_dw_no_stride = partial(_conv2d_backward, read_stride=False)
conv2d_backward_dw_flipped = partial(_conv2d_backward, flip_dw=True)
conv2d_backward_dx_flipped = partial(_conv2d_backward, flip_dx=True)
conv2d_backward_no_crop = partial(_conv2d_backward, crop=False)
conv2d_backward_batch_mean = partial(_conv2d_backward, batch_mean=True)
conv2d_backward_same_top_left = partial(_conv2d_backward, same_mode="top_left")
