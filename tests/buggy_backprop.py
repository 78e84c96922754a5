"""NumPy implementations for testing the `backprop` check table: one correct
version of every graded function (as a student would write it, with its own
cache format) and deliberately wrong ones that each make one known mistake.

Written independently of the helpers in checks/backprop.py
(loops and einsum here where the table uses matrix products). The backward
passes are graded through the driver, which looks up the forward pass in the
backward function's module globals: the forward passes here are the correct
ones, except where a bug needs its own cache.
"""
from __future__ import annotations

from functools import partial

import numpy as np

# ============================================================ dense layer


def dense_forward(x, W, b):
    return np.einsum("ni,io->no", x, W) + b, {"x": x, "W": W}


def dense_forward_W_transposed(x, W, b):
    return x @ W.T + b, (x, W)  # only runs for square W


def dense_forward_no_bias(x, W, b):
    return x @ W, (x, W)


def dense_forward_with_relu(x, W, b):
    return np.maximum(x @ W + b, 0.0), (x, W)


def dense_forward_only_out(x, W, b):
    return x @ W + b


def _dense_backward(dout, cache, dW_T=False, db_mode="sum", batch_mean=False, dx_mode="ok"):
    x, W = cache["x"], cache["W"]
    n = x.shape[0]
    dx = {"ok": lambda: np.einsum("no,io->ni", dout, W),
          "W": lambda: dout @ W,                      # only runs for square W
          "transposed": lambda: W @ dout.T}[dx_mode]()
    dW = dout.T @ x if dW_T else np.einsum("ni,no->io", x, dout)
    db = {"sum": lambda: dout.sum(axis=0), "none": lambda: dout.copy(),
          "keepdims": lambda: dout.sum(axis=0, keepdims=True)}[db_mode]()
    if batch_mean:
        dx, dW, db = dx / n, dW / n, db / n
    return dx, dW, db


dense_backward = partial(_dense_backward)
dense_backward_dW_transposed = partial(_dense_backward, dW_T=True)
dense_backward_db_not_summed = partial(_dense_backward, db_mode="none")
dense_backward_db_keepdims = partial(_dense_backward, db_mode="keepdims")
dense_backward_batch_mean = partial(_dense_backward, batch_mean=True)
dense_backward_dx_with_W = partial(_dense_backward, dx_mode="W")
dense_backward_dx_transposed = partial(_dense_backward, dx_mode="transposed")

# ============================================================ ReLU


def relu_forward(x):
    out = np.where(x > 0, x, 0.0)
    return out, out  # this student caches the output, not the input


def relu_forward_mask(x):
    return (x > 0).astype(float), x


def relu_forward_reduced(x):
    return np.max(x, 0), x


def relu_forward_in_place(x):
    x[x < 0] = 0.0
    return x, x


def relu_backward(dout, cache):
    return dout * (cache > 0)


def relu_backward_output_mask_ge(dout, cache):
    return dout * (cache >= 0)  # cache is the output: always true


def relu_backward_mask_only(dout, cache):
    return (cache > 0).astype(float)


def relu_backward_times_output(dout, cache):
    return dout * cache


def relu_backward_reversed(dout, cache):
    return dout * (cache <= 0)


def relu_backward_in_place(dout, cache):
    dout[cache <= 0] = 0.0
    return dout


# ============================================================ the classifier


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _mlp(x, y_true, params, grad_norm="N", loss_norm="N", sign=1.0, gate=True,
         transpose_dW2=False, db_mode="sum", stable=True):
    n, k = y_true.shape
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    a1, cache1 = dense_forward(x, W1, b1)
    h, cache_r = relu_forward(a1)
    z, cache2 = dense_forward(h, W2, b2)
    shifted = z - z.max(axis=1, keepdims=True) if stable else z
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    p = np.exp(log_p)
    per_sample = -np.sum(y_true * log_p, axis=1)
    loss = float({"N": per_sample.mean(), "sum": per_sample.sum(),
                  "all": per_sample.sum() / (n * k)}[loss_norm])
    dz = sign * (p - y_true) / {"N": n, "sum": 1, "all": n * k}[grad_norm]
    dh, dW2, db2 = dense_backward(dz, cache2)
    da1 = relu_backward(dh, cache_r) if gate else dh
    _, dW1, db1 = dense_backward(da1, cache1)
    if transpose_dW2:
        dW2 = dW2.T
    if db_mode == "none":
        db1, db2 = da1, dz
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


mlp_loss_and_grads = partial(_mlp)
mlp_loss_and_grads_grads_summed = partial(_mlp, grad_norm="sum")
mlp_loss_and_grads_all_summed = partial(_mlp, grad_norm="sum", loss_norm="sum")
mlp_loss_and_grads_loss_summed = partial(_mlp, loss_norm="sum")
mlp_loss_and_grads_all_elements = partial(_mlp, grad_norm="all", loss_norm="all")
mlp_loss_and_grads_sign = partial(_mlp, sign=-1.0)
mlp_loss_and_grads_no_gate = partial(_mlp, gate=False)
mlp_loss_and_grads_dW_transposed = partial(_mlp, transpose_dW2=True)
mlp_loss_and_grads_db_not_summed = partial(_mlp, db_mode="none")
mlp_loss_and_grads_no_row_max = partial(_mlp, stable=False)   # inf/nan for logits ~1e3


def mlp_loss_and_grads_mutates_params(x, y_true, params):
    loss, grads = _mlp(x, y_true, params)
    params["W1"] -= 0.1 * grads["W1"]  # an SGD step on the caller's dict
    return loss, grads


# ============================================================ numerical gradient


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (f(plus) - f(minus)) / (2 * h)
    return grad


def numerical_gradient_forward(f, x, h=1e-5):
    grad = np.zeros_like(x)
    f0 = f(x)
    for idx in np.ndindex(x.shape):
        plus = x.copy()
        plus[idx] += h
        grad[idx] = (f(plus) - f0) / h
    return grad


def numerical_gradient_backward(f, x, h=1e-5):
    grad = np.zeros_like(x)
    f0 = f(x)
    for idx in np.ndindex(x.shape):
        minus = x.copy()
        minus[idx] -= h
        grad[idx] = (f0 - f(minus)) / h
    return grad


def numerical_gradient_no_two(f, x, h=1e-5):
    return 2.0 * numerical_gradient(f, x, h)


def numerical_gradient_all_at_once(f, x, h=1e-5):
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))


def numerical_gradient_flat(f, x, h=1e-5):
    return numerical_gradient(f, x, h).ravel()


def numerical_gradient_in_place_restore_by_subtraction(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        up = f(x)
        x[idx] -= 2 * h
        down = f(x)
        x[idx] += h          # x + h - 2h + h is not always x again in floating point
        grad[idx] = (up - down) / (2 * h)
    return grad


def numerical_gradient_in_place_no_restore(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        up = f(x)
        x[idx] -= 2 * h
        grad[idx] = (up - f(x)) / (2 * h)
    return grad


def numerical_gradient_flattens_for_f(f, x, h=1e-5):
    flat = x.ravel().copy()
    grad = np.zeros_like(flat)
    for i in range(flat.size):
        e = np.zeros_like(flat)
        e[i] = h
        grad[i] = (f(flat + e) - f(flat - e)) / (2 * h)
    return grad.reshape(x.shape)
