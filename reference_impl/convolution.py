"""Reference for the `convolution` assignment (NHWC images, HWIO kernels).

All ops run in float64: tf.nn.conv2d, max_pool2d, avg_pool2d and their
gradients accept float64 on CPU. NumPy inputs are cast to tf.float64 first,
because tf.nn.max_pool2d and Keras would otherwise work in float32.

Padding: "valid", "same" (TensorFlow's rule: the odd extra row/column goes
bottom/right) or, for convolutions only, an int p = p zeros on each side.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf
import keras

from autograder.reference import configure

configure()

from autograder.tensors import F64 as _F64, to_numpy as _np, to_tensor as _t  # noqa: E402


def _tf_padding(padding, allow_int: bool):
    """Translate the curriculum's padding into tf.nn's `padding` argument."""
    if isinstance(padding, str):
        mode = padding.upper()
        if mode in ("VALID", "SAME"):
            return mode
    elif allow_int and isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
        p = int(padding)
        if p < 0:
            raise ValueError(f"padding must be >= 0, got {p}")
        # Explicit padding: p zeros above/below and left/right, none on N or C.
        return [[0, 0], [p, p], [p, p], [0, 0]]
    allowed = '"valid", "same" or an int' if allow_int else '"valid" or "same"'
    raise ValueError(f"padding must be {allowed}, got {padding!r}")


def _dilate_kernel(w: tf.Tensor, d: int) -> tf.Tensor:
    """Insert d-1 zero rows/columns between kernel taps: (kh, kw, I, O) ->
    ((kh-1)d+1, (kw-1)d+1, I, O). Convolving with it equals a dilated conv."""
    kh, kw, c_in, c_out = w.shape
    # Rows: append d-1 zero rows after each tap, flatten, drop the trailing zeros.
    w = tf.concat([w[:, None], tf.zeros((kh, d - 1, kw, c_in, c_out), w.dtype)], axis=1)
    w = tf.reshape(w, (kh * d, kw, c_in, c_out))[: (kh - 1) * d + 1]
    # Columns: the same along axis 1.
    rows = w.shape[0]
    w = tf.concat([w[:, :, None], tf.zeros((rows, kw, d - 1, c_in, c_out), w.dtype)], axis=2)
    return tf.reshape(w, (rows, kw * d, c_in, c_out))[:, : (kw - 1) * d + 1]


def _conv(x: tf.Tensor, w: tf.Tensor, stride: int, padding, dilation: int) -> tf.Tensor:
    """tf.nn.conv2d (cross-correlation, no kernel flip) with curriculum arguments."""
    stride, dilation = int(stride), int(dilation)
    if stride < 1 or dilation < 1:
        raise ValueError(f"stride and dilation must be >= 1, got {stride}, {dilation}")
    pad = _tf_padding(padding, allow_int=True)
    if dilation > 1 and stride > 1:
        # TF documents dilation > 1 with stride > 1 as unsupported (CPU
        # kernels refused it for a long time, and the CPU gradient of any
        # dilated conv still fails). An explicitly dilated kernel gives the
        # same result with plain ops everywhere; "same" padding is then
        # computed from the effective kernel size, exactly as TF's rule does.
        return tf.nn.conv2d(x, _dilate_kernel(w, dilation), stride, pad)
    return tf.nn.conv2d(x, w, stride, pad, dilations=dilation)


def conv_output_size(n, kernel_size, stride=1, padding="valid", dilation=1):
    """Output length along one axis, read off tf.nn.conv2d on a 1-channel
    zeros tensor of height n (so it is TF's rule by construction)."""
    n, kernel_size = int(n), int(kernel_size)
    x = tf.zeros((1, n, 1, 1), _F64)
    w = tf.zeros((kernel_size, 1, 1, 1), _F64)
    try:
        out = _conv(x, w, stride, padding, dilation)
    except tf.errors.InvalidArgumentError as err:
        # TF refuses a negative output size (kernel larger than padded input).
        raise ValueError(f"no valid output for n={n}, kernel_size={kernel_size}: {err.message}") from None
    return int(out.shape[1])


def conv2d(x, w, b, stride=1, padding="valid", dilation=1):
    """(N, H', W', C_out): tf.nn.conv2d(x, w) + b."""
    return _np(_conv(_t(x), _t(w), stride, padding, dilation) + _t(b))


def conv2d_param_count(kernel_size, in_channels, filters, use_bias=True):
    """Trainable parameters of a Keras Conv2D layer on in_channels channels."""
    if not isinstance(kernel_size, (int, np.integer)):
        kernel_size = tuple(int(k) for k in kernel_size)
    else:
        kernel_size = int(kernel_size)
    layer = keras.layers.Conv2D(int(filters), kernel_size, use_bias=bool(use_bias), dtype="float64")
    # Spatial size doesn't change the count, so leave it unknown.
    layer.build((None, None, None, int(in_channels)))
    return int(layer.count_params())


def _pool(op, x, pool_size, stride, padding):
    pool_size = int(pool_size)
    stride = pool_size if stride is None else int(stride)
    return _np(op(_t(x), pool_size, stride, _tf_padding(padding, allow_int=False)))


def max_pool2d(x, pool_size=2, stride=None, padding="valid"):
    """As tf.nn.max_pool2d; stride None means pool_size."""
    return _pool(tf.nn.max_pool2d, x, pool_size, stride, padding)


def avg_pool2d(x, pool_size=2, stride=None, padding="valid"):
    """As tf.nn.avg_pool2d; with "same" each window's mean is over its real
    (unpadded) cells only, which is what TF does."""
    return _pool(tf.nn.avg_pool2d, x, pool_size, stride, padding)


def global_avg_pool(x):
    """(N, C): mean over height and width."""
    return _np(tf.reduce_mean(_t(x), axis=[1, 2]))


def global_max_pool(x):
    """(N, C): maximum over height and width."""
    return _np(tf.reduce_max(_t(x), axis=[1, 2]))


def conv2d_backward(dout, x, w, stride=1, padding="valid"):
    """(dx, dw, db): gradients of sum(dout * conv2d(x, w, b)) w.r.t. x, w, b,
    i.e. backpropagation of the upstream gradient dout through conv2d."""
    x, w, dout = _t(x), _t(w), _t(dout)
    b = tf.zeros((w.shape[-1],), _F64)  # the bias value doesn't enter its gradient
    with tf.GradientTape() as tape:
        tape.watch([x, w, b])
        out = _conv(x, w, stride, padding, 1) + b
    if out.shape != dout.shape:
        raise ValueError(f"dout has shape {tuple(dout.shape)}, the conv output {tuple(out.shape)}")
    dx, dw, db = tape.gradient(out, [x, w, b], output_gradients=dout)
    return _np(dx), _np(dw), _np(db)
