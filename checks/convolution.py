"""Checks for `convolution`: convolution and pooling layers in NumPy (NHWC/HWIO).

Shapes are chosen so that the classic mistakes change the numbers: H != W,
C_in != C_out, batches > 1, stride 2 with "same" padding on even sizes and
even kernels (TensorFlow's extra padding row/column then goes bottom/right),
dilation 2, int padding. Stride and dilation are never combined (Keras
refuses that combination, so the course never teaches it).

The NumPy helpers below are not a solution key for students: they recompute
what a *mistaken* implementation returns, so that hint detectors can
recognise it. They never run in the student's process.
"""
from __future__ import annotations

import numpy as np

from autograder import hints
from autograder.spec import Assignment, Case, Check, Hint

REF = "reference_impl.convolution:"


# ---------------------------------------------------------------- geometry

def _pads(padding, n, k_eff, stride, same_rule="tf"):
    """(before, after) zeros along one axis. TF's "same" puts the odd extra
    one after; two common mistakes: putting it before ("before") and padding
    k_eff // 2 on both sides as for odd kernels at stride 1 ("half")."""
    if isinstance(padding, str) and padding.lower() == "valid":
        return 0, 0
    if isinstance(padding, str) and padding.lower() == "same":
        if same_rule == "half":
            return k_eff // 2, k_eff // 2
        total = max((-(-n // stride) - 1) * stride + k_eff - n, 0)
        small = total // 2
        return (total - small, small) if same_rule == "before" else (small, total - small)
    return int(padding), int(padding)


def _out_size(n, k, stride=1, padding="valid", dilation=1):
    """TensorFlow's output length along one axis."""
    k_eff = dilation * (k - 1) + 1
    before, after = _pads(padding, n, k_eff, stride)
    return (n + before + after - k_eff) // stride + 1


def _conv_args(i):
    return i.get("stride", 1), i.get("padding", "valid"), i.get("dilation", 1)


def _taps(a, r, c, stride, ho, wo):
    """a[:, r + stride * i, c + stride * j] for output positions i < ho, j < wo."""
    return a[:, r:r + stride * (ho - 1) + 1:stride, c:c + stride * (wo - 1) + 1:stride]


def _conv(x, w, stride=1, pads_h=(0, 0), pads_w=(0, 0), dilation=1):
    """Cross-correlation with explicit (before, after) padding per axis."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    xp = np.pad(x, ((0, 0), pads_h, pads_w, (0, 0)))
    kh, kw = w.shape[:2]
    ho = (xp.shape[1] - dilation * (kh - 1) - 1) // stride + 1
    wo = (xp.shape[2] - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((x.shape[0], ho, wo, w.shape[3]))
    for i in range(kh):
        for j in range(kw):
            out += _taps(xp, i * dilation, j * dilation, stride, ho, wo) @ w[i, j]
    return out


def _conv_like(i, w=None, bias=True, dilation=None, same_rule="tf"):
    """conv2d on the case inputs with one thing changed (a mistake)."""
    x, b = np.asarray(i["x"]), np.asarray(i["b"])
    w = np.asarray(i["w"]) if w is None else w
    stride, padding, d = _conv_args(i)
    d = d if dilation is None else dilation
    pads = [_pads(padding, n, d * (k - 1) + 1, stride, same_rule)
            for n, k in zip(x.shape[1:3], w.shape[:2])]
    out = _conv(x, w, stride, pads[0], pads[1], d)
    return out + b if bias else out


def _pool(x, k, stride, padding, op, same_rule="tf", pad_value=None, full_window=False):
    """Pooling with TF's geometry, optionally with a mistake: padded cells
    counted as `pad_value` (max) or in the divisor (avg), or the extra
    "same" padding put first."""
    x = np.asarray(x, float)
    stride = k if stride is None else stride
    ph, pw = (_pads(padding, n, k, stride, same_rule) for n in x.shape[1:3])
    fill = (-np.inf if op == "max" else 0.0) if pad_value is None else pad_value
    xp = np.pad(x, ((0, 0), ph, pw, (0, 0)), constant_values=fill)
    real = np.pad(np.ones(x.shape[1:3]), (ph, pw))
    ho, wo = (xp.shape[1] - k) // stride + 1, (xp.shape[2] - k) // stride + 1

    def windows(a):
        return np.stack([_taps(a, i, j, stride, ho, wo) for i in range(k) for j in range(k)])
    if op == "max":
        return windows(xp).max(axis=0)
    count = k * k if full_window else windows(real[None, :, :, None]).sum(axis=0)
    return windows(xp).sum(axis=0) / count


def _pool_like(i, op, **mistake):
    return _pool(i["x"], i.get("pool_size", 2), i.get("stride"), i.get("padding", "valid"), op,
                 **mistake)


def _backward(dout, x, w, stride, pads_h, pads_w, scatter_stride=None, read_stride=None):
    """(dx, dw) of a conv. A `scatter_stride` (dx) or `read_stride` (dw)
    other than stride is the mistake of pairing dout[i] with the input at
    position i instead of i * stride."""
    x, w, dout = (np.asarray(a, float) for a in (x, w, dout))
    scatter_stride = stride if scatter_stride is None else scatter_stride
    read_stride = stride if read_stride is None else read_stride
    xp = np.pad(x, ((0, 0), pads_h, pads_w, (0, 0)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    ho, wo = dout.shape[1:3]
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            dw[i, j] = np.einsum("nhwc,nhwk->ck", _taps(xp, i, j, read_stride, ho, wo), dout)
            _taps(dxp, i, j, scatter_stride, ho, wo)[...] += dout @ w[i, j].T
    return dxp[:, pads_h[0]:pads_h[0] + x.shape[1], pads_w[0]:pads_w[0] + x.shape[2]], dw


def _backward_like(i, **mistake):
    x, w = np.asarray(i["x"]), np.asarray(i["w"])
    stride, padding = i.get("stride", 1), i.get("padding", "valid")
    same_rule = mistake.pop("same_rule", "tf")
    ph, pw = (_pads(padding, n, k, stride, same_rule) for n, k in zip(x.shape[1:3], w.shape[:2]))
    return _backward(i["dout"], x, w, stride, ph, pw, **mistake)


def _only_if(condition, value_fn):
    """An alternative that only applies when `condition(inputs)` holds."""
    return lambda i: value_fn(i) if condition(i) else None


def _is_same(i):
    return str(i.get("padding", "valid")).lower() == "same"


# ---------------------------------------------------------------- inputs

def _size_case(n, kernel_size, **kwargs):
    return lambda rng: {"n": n, "kernel_size": kernel_size, **kwargs}


def _random_size_case(padding, stride=1, dilation=1, avoid_divisible=False, even_kernel=False):
    """Hidden: n and kernel drawn per student (with even_kernel: 2, 4 or 6, where
    TF's "same" pads one more zero after than before, so symmetric padding
    2 * (k // 2) gives one output too many)."""
    def make(rng):
        k = int(rng.choice([2, 4, 6])) if even_kernel else int(rng.integers(2, 6))
        while True:
            n = int(rng.integers(dilation * (k - 1) + 4, 40))
            if not (avoid_divisible and n % stride == 0):
                break
        pad = int(rng.integers(1, 4)) if padding == "int" else padding
        return {"n": n, "kernel_size": k, "stride": stride, "padding": pad, "dilation": dilation}
    return make


def _conv_case(x_shape, kh, kw, c_out, **kwargs):
    def make(rng):
        return {"x": rng.standard_normal(x_shape),
                "w": rng.standard_normal((kh, kw, x_shape[3], c_out)),
                "b": rng.standard_normal(c_out), **kwargs}
    return make


def _params_case(kernel_size=None, in_channels=None, filters=None, use_bias=None):
    """Fixed values, or drawn from rng when left None (hidden cases)."""
    def make(rng):
        k = kernel_size if kernel_size is not None else tuple(int(v) for v in rng.integers(1, 8, 2))
        if k == "int":
            k = int(rng.integers(2, 8))
        args = {"kernel_size": k,
                "in_channels": in_channels or int(rng.integers(2, 65)),
                "filters": filters or int(rng.integers(2, 129))}
        if use_bias is not None:
            args["use_bias"] = use_bias
        return args
    return make


def _pool_case(x_shape, negative=False, **kwargs):
    def make(rng):
        x = rng.standard_normal(x_shape)
        # All-negative inputs: a max pool that pads with zeros shows it.
        return {"x": -np.abs(x) - 0.5 if negative else x, **kwargs}
    return make


def _image_case(x_shape):
    return lambda rng: {"x": rng.standard_normal(x_shape)}


def _backward_case(x_shape, kh, kw, c_out, **kwargs):
    def make(rng):
        stride, padding = kwargs.get("stride", 1), kwargs.get("padding", "valid")
        ho = _out_size(x_shape[1], kh, stride, padding)
        wo = _out_size(x_shape[2], kw, stride, padding)
        return {"dout": rng.standard_normal((x_shape[0], ho, wo, c_out)),
                "x": rng.standard_normal(x_shape),
                "w": rng.standard_normal((kh, kw, x_shape[3], c_out)), **kwargs}
    return make


# ---------------------------------------------------------------- hints: sizes

def _size_alt(i, **change):
    args = {"stride": 1, "padding": "valid", "dilation": 1, **i, **change}
    return _out_size(args["n"], args["kernel_size"], args["stride"], args["padding"],
                     args["dilation"])


def _k_eff(i):
    return i.get("dilation", 1) * (i["kernel_size"] - 1) + 1


OUTSIZE_NO_DILATION = Hint(
    "Your size ignores the dilation. A dilated kernel spans k_eff = dilation * (k - 1) + 1 "
    "cells: use k_eff instead of k in the formula.",
    hints.matches(_only_if(lambda i: i.get("dilation", 1) > 1 and not _is_same(i),
                           lambda i: _size_alt(i, dilation=1))))

OUTSIZE_SAME = Hint(
    "Your 'same' size is off. TensorFlow's 'same' gives ceil(n / stride) outputs, whatever "
    "the kernel size and dilation: it pads as many zeros as that needs.",
    hints.matches(_only_if(_is_same, lambda i: i["n"] // i.get("stride", 1)),           # floor
                  _only_if(_is_same, lambda i: _size_alt(i, padding="valid")),          # no padding
                  _only_if(_is_same, lambda i: _size_alt(i, padding=_k_eff(i) // 2))))  # k//2 each side

OUTSIZE_PAD_ONCE = Hint(
    "An int padding p adds p zeros on *each* side: the padded length is n + 2p.",
    hints.matches(_only_if(lambda i: isinstance(i.get("padding"), int),
                           lambda i: (i["n"] + i["padding"] - _k_eff(i)) // i.get("stride", 1) + 1)))


# ---------------------------------------------------------------- hints: conv2d

CONV_FLIPPED = Hint(
    "Your output equals a true convolution (kernel flipped). TensorFlow's conv2d is a "
    "cross-correlation: do not flip w.",
    hints.matches(lambda i: _conv_like(i, w=np.asarray(i["w"])[::-1, ::-1])))

CONV_SAME_PLACEMENT = Hint(
    "Your 'same' padding puts the zeros in the wrong place. TensorFlow pads "
    "total = max((out - 1) * stride + k_eff - n, 0) per axis: total // 2 before "
    "(top/left) and the rest, the odd extra one, after (bottom/right).",
    hints.matches(_only_if(_is_same, lambda i: _conv_like(i, same_rule="before"))))

CONV_SAME_SYMMETRIC = Hint(
    "Your 'same' padding puts k_eff // 2 zeros on each side. That is TensorFlow's rule "
    "only for odd kernels at stride 1: an even kernel then gets one zero too many (one "
    "output too many). TensorFlow pads total = max((out - 1) * stride + k_eff - n, 0) per "
    "axis: total // 2 before, the rest after.",
    hints.matches(_only_if(_is_same, lambda i: _conv_like(i, same_rule="half"))))

CONV_NO_BIAS = Hint(
    "Your output matches the convolution without the bias: add b (one value per "
    "output channel) to every output position.",
    hints.matches(lambda i: _conv_like(i, bias=False)))

CONV_NO_DILATION = Hint(
    "Your output ignores the dilation: kernel tap (i, j) reads the input at offset "
    "(i * dilation, j * dilation) from the window's corner.",
    hints.matches(_only_if(lambda i: i.get("dilation", 1) > 1, lambda i: _conv_like(i, dilation=1))))


# ---------------------------------------------------------------- hints: param count

def _count(i, use_bias=None, in_channels=None, int_kernel_as_is=False):
    k = i["kernel_size"]
    if isinstance(k, int):
        kh, kw = (k, 1) if int_kernel_as_is else (k, k)
    else:
        kh, kw = k
    c_in = i["in_channels"] if in_channels is None else in_channels
    bias = i.get("use_bias", True) if use_bias is None else use_bias
    return kh * kw * c_in * i["filters"] + (i["filters"] if bias else 0)


PARAMS_BIAS = Hint(
    "Your count is off by the biases: a Conv2D layer has one bias per filter when "
    "use_bias=True and none when use_bias=False.",
    hints.matches(lambda i: _count(i, use_bias=not i.get("use_bias", True))))

PARAMS_NO_IN_CHANNELS = Hint(
    "Your count misses the input channels: each filter has kh * kw * in_channels "
    "weights (two 3x3 filters on an RGB image: 2 * 27 + 2 = 56).",
    hints.matches(lambda i: _count(i, in_channels=1)))

PARAMS_INT_KERNEL = Hint(
    "An int kernel_size k means a k x k kernel: it has k * k weights per input channel.",
    # (not when in_channels == k: then it is indistinguishable from forgetting the channels)
    hints.matches(_only_if(lambda i: isinstance(i["kernel_size"], int)
                           and i["kernel_size"] != i["in_channels"],
                           lambda i: _count(i, int_kernel_as_is=True))))


# ---------------------------------------------------------------- hints: pooling

def _stride_one_hint(op):
    return Hint(
        "Your output matches pooling with stride 1. When stride is None it defaults to "
        "pool_size, so the windows don't overlap.",
        hints.matches(_only_if(lambda i: i.get("stride") is None,
                               lambda i: _pool(i["x"], i.get("pool_size", 2), 1,
                                               i.get("padding", "valid"), op))))


def _pool_placement_hint(op):
    return Hint(
        "Your 'same' padding is on the wrong side: TensorFlow puts total // 2 padded "
        "cells before (top/left) and the odd extra one after (bottom/right).",
        hints.matches(_only_if(_is_same, lambda i: _pool_like(i, op, same_rule="before"))))


MAXPOOL_STRIDE_ONE = _stride_one_hint("max")
AVGPOOL_STRIDE_ONE = _stride_one_hint("avg")
MAXPOOL_SAME_PLACEMENT = _pool_placement_hint("max")
AVGPOOL_SAME_PLACEMENT = _pool_placement_hint("avg")

MAXPOOL_ZERO_PAD = Hint(
    "Your 'same' max pool treats padded cells as zeros, so windows of negative values "
    "return 0. Padded cells must never win: pad with -inf (or ignore them).",
    hints.matches(_only_if(_is_same, lambda i: _pool_like(i, "max", pad_value=0.0))))

AVGPOOL_FULL_WINDOW = Hint(
    "Your 'same' average pool divides by the full window size, counting padded cells. "
    "TensorFlow divides each window's sum by the number of real (unpadded) cells in it.",
    hints.matches(_only_if(_is_same, lambda i: _pool_like(i, "avg", full_window=True))))


def _global_hints(reduce):
    wrong_axes = [(2, 3), (1, 3), (1, 2, 3), (0, 1), (0, 1, 2), (1,), (2,), (3,), None]
    return (
        Hint("You pooled over the wrong axes. Images are NHWC: reduce over height and "
             "width, axis=(1, 2), to get one value per image and channel, shape (N, C).",
             hints.matches(*(lambda i, a=a: reduce(np.asarray(i["x"]), axis=a) for a in wrong_axes))),
        Hint("Your result has shape (N, 1, 1, C): drop the pooled axes "
             "(no keepdims) and return shape (N, C).",
             hints.matches(lambda i: reduce(np.asarray(i["x"]), axis=(1, 2), keepdims=True))),
    )


GLOBAL_AVG_WRONG_AXES, GLOBAL_AVG_KEEPDIMS = _global_hints(np.mean)
GLOBAL_MAX_WRONG_AXES, GLOBAL_MAX_KEEPDIMS = _global_hints(np.max)


# ---------------------------------------------------------------- hints: backward

def _n(i):
    return np.shape(i["x"])[0]


BWD_DB_NOT_SUMMED = Hint(
    "Your db is not summed over everything but the channels: every output position of "
    "every image adds to it, so db = dout.sum(axis=(0, 1, 2)), shape (C_out,).",
    hints.matches(*(lambda i, a=a: np.sum(np.asarray(i["dout"]), axis=a)
                    for a in [(1, 2), (0,), (0, 1), (1,), (2,), (3,)]),
                  lambda i: np.mean(np.asarray(i["dout"]), axis=(0, 1, 2)), part=2))

BWD_STRIDE = Hint(
    "Your gradient ignores the stride when it sends dout back: output (i, j) came from "
    "the input window starting at (i * stride, j * stride), so add there (in dx and dw).",
    hints.any_of(
        hints.matches(_only_if(lambda i: i.get("stride", 1) > 1,
                               lambda i: _backward_like(i, scatter_stride=1)[0]), part=0),
        hints.matches(_only_if(lambda i: i.get("stride", 1) > 1,
                               lambda i: _backward_like(i, read_stride=1)[1]), part=1),
    ))

BWD_FLIPPED = Hint(
    "Part of your gradient is rotated by 180 degrees. The forward pass is a "
    "cross-correlation (no flip): dw[i, j] sums x-window(i, j) times dout, and dx "
    "spreads each dout value back through w itself, unflipped.",
    hints.any_of(
        hints.predicate("transformed", part=1, transform="flip_hw"),
        hints.matches(lambda i: _backward_like({**i, "w": np.asarray(i["w"])[::-1, ::-1]})[0],
                      part=0),
    ))

BWD_NO_CROP = Hint(
    "Your dx has the shape of the padded input: crop the padding off "
    "so that dx has x's shape.",
    hints.predicate("cropped", part=0, make_args=lambda i: {"pads": _input_pads(i)}))

BWD_BATCH_MEAN = Hint(
    "Your dw or db is divided by the batch size. The forward output is not averaged over "
    "the batch, so the gradients are sums over images, not means.",
    hints.scaled(lambda i: [1.0 / _n(i)], parts=(1, 2)))

BWD_SAME_PLACEMENT = Hint(
    "Your gradients use 'same' padding on the wrong side: TensorFlow pads total // 2 "
    "before (top/left) and the odd extra one after (bottom/right), as in the forward pass.",
    hints.any_of(*(hints.matches(_only_if(_is_same,
                                          lambda i, p=p: _backward_like(i, same_rule="before")[p]),
                                 part=p) for p in (0, 1))))


def _input_pads(i):
    """((top, bottom), (left, right)) zeros the forward pass adds to x."""
    x, w = np.asarray(i["x"]), np.asarray(i["w"])
    stride, padding = i.get("stride", 1), i.get("padding", "valid")
    return [list(_pads(padding, n, k, stride)) for n, k in zip(x.shape[1:3], w.shape[:2])]


# ---------------------------------------------------------------- the table

ASSIGNMENT = Assignment(
    id="convolution",
    title="Convolution and pooling in NumPy",
    checks=[
        Check(
            function="conv_output_size", points=8, reference=REF + "conv_output_size", returns="int",
            cases=[
                Case("n=7, kernel 3, defaults (stride 1, 'valid')", _size_case(7, 3)),
                Case("'same' padding, stride 2, odd n=7 (rounds up)",
                     _size_case(7, 3, stride=2, padding="same")),
                Case("dilation 2, 'valid', n=10, kernel 3", _size_case(10, 3, dilation=2)),
                Case("int padding 1, stride 2, n=8, even kernel 4",
                     _size_case(8, 4, stride=2, padding=1)),
                Case("hidden: 'same' padding, stride 3",
                     _random_size_case("same", stride=3, avoid_divisible=True), hidden=True),
                Case("hidden: 'same' padding with dilation 2", _random_size_case("same", dilation=2),
                     hidden=True),
                Case("hidden: 'same' padding, stride 1, even kernel",
                     _random_size_case("same", even_kernel=True), hidden=True),
                Case("hidden: 'valid', dilation 3", _random_size_case("valid", dilation=3), hidden=True),
                Case("hidden: int padding, dilation 2", _random_size_case("int", dilation=2), hidden=True),
                Case("hidden: int padding, stride 2",
                     _random_size_case("int", stride=2, avoid_divisible=True), hidden=True),
            ],
            hints=[OUTSIZE_NO_DILATION, OUTSIZE_SAME, OUTSIZE_PAD_ONCE],
        ),
        Check(
            function="conv2d", points=28, reference=REF + "conv2d",
            cases=[
                Case("one 5x6 image, 1 channel, 3x3 kernel, defaults (stride 1, 'valid')",
                     _conv_case((1, 5, 6, 1), 3, 3, 1)),
                Case("batch of 2, 3 -> 4 channels, 'same' padding, even 2x2 kernel on 5x7",
                     _conv_case((2, 5, 7, 3), 2, 2, 4, padding="same")),
                Case("stride 2, 'same' padding, even input 6x8, 3x3 kernel",
                     _conv_case((1, 6, 8, 2), 3, 3, 3, stride=2, padding="same")),
                Case("dilation 2, int padding 1, 7x6 input, 2 -> 3 channels",
                     _conv_case((2, 7, 6, 2), 3, 3, 3, padding=1, dilation=2)),
                Case("hidden: batch of 3, dilation 2, 'same' padding",
                     _conv_case((3, 8, 7, 2), 3, 3, 4, padding="same", dilation=2), hidden=True),
                Case("hidden: stride 2, int padding 2, non-square kernel",
                     _conv_case((2, 7, 9, 3), 2, 3, 2, stride=2, padding=2), hidden=True),
                Case("hidden: stride 3, 'valid', H != W",
                     _conv_case((2, 10, 8, 1), 3, 3, 2, stride=3), hidden=True),
                Case("hidden: 'same' padding, even 4x2 kernel",
                     _conv_case((1, 6, 5, 3), 4, 2, 2, padding="same"), hidden=True),
                Case("hidden: 1x1 kernel, many channels",
                     _conv_case((2, 4, 3, 8), 1, 1, 5), hidden=True),
            ],
            hints=[CONV_FLIPPED, CONV_SAME_PLACEMENT, CONV_SAME_SYMMETRIC, CONV_NO_BIAS, CONV_NO_DILATION],
        ),
        Check(
            function="conv2d_param_count", points=5, reference=REF + "conv2d_param_count",
            returns="int",
            cases=[
                Case("two 3x3 filters on an RGB image (56)", _params_case(3, 3, 2)),
                Case("(3, 5) kernel, 4 channels, 8 filters, use_bias=False",
                     _params_case((3, 5), 4, 8, use_bias=False)),
                Case("hidden: int kernel size", _params_case("int"), hidden=True),
                Case("hidden: rectangular kernel with bias", _params_case(use_bias=True), hidden=True),
                Case("hidden: rectangular kernel without bias", _params_case(use_bias=False),
                     hidden=True),
            ],
            hints=[PARAMS_BIAS, PARAMS_NO_IN_CHANNELS, PARAMS_INT_KERNEL],
        ),
        Check(
            function="max_pool2d", points=10, reference=REF + "max_pool2d",
            cases=[
                Case("defaults (2x2 pool, stride = pool_size), 4x6 input, 2 channels",
                     _pool_case((1, 4, 6, 2))),
                Case("3x3 pool, stride 2, 'same' padding, even 6x8 input, all values negative",
                     _pool_case((2, 6, 8, 3), negative=True, pool_size=3, stride=2, padding="same")),
                Case("odd 5x7 input, 2x2 pool, 'valid' (last row and column dropped)",
                     _pool_case((1, 5, 7, 1), pool_size=2)),
                Case("hidden: pool 2 with stride 1", _pool_case((2, 5, 4, 2), pool_size=2, stride=1),
                     hidden=True),
                Case("hidden: 'same' padding, default stride, negative values",
                     _pool_case((2, 7, 5, 2), negative=True, pool_size=3, padding="same"), hidden=True),
                Case("hidden: batch of 3, pool 3, default stride",
                     _pool_case((3, 9, 7, 2), pool_size=3), hidden=True),
                Case("hidden: 'same' padding, stride 1",
                     _pool_case((1, 5, 6, 3), negative=True, pool_size=2, stride=1, padding="same"),
                     hidden=True),
            ],
            hints=[MAXPOOL_STRIDE_ONE, MAXPOOL_ZERO_PAD, MAXPOOL_SAME_PLACEMENT],
        ),
        Check(
            function="avg_pool2d", points=10, reference=REF + "avg_pool2d",
            cases=[
                Case("defaults (2x2 pool, stride = pool_size), 4x6 input, 2 channels",
                     _pool_case((1, 4, 6, 2))),
                Case("3x3 pool, stride 2, 'same' padding, even 6x8 input (edge windows are partial)",
                     _pool_case((2, 6, 8, 3), pool_size=3, stride=2, padding="same")),
                Case("odd 5x7 input, 2x2 pool, 'valid' (last row and column dropped)",
                     _pool_case((1, 5, 7, 1), pool_size=2)),
                Case("hidden: pool 2 with stride 1", _pool_case((2, 5, 4, 2), pool_size=2, stride=1),
                     hidden=True),
                Case("hidden: 'same' padding, default stride",
                     _pool_case((2, 7, 8, 2), pool_size=3, padding="same"), hidden=True),
                Case("hidden: batch of 3, pool 3, default stride",
                     _pool_case((3, 9, 7, 2), pool_size=3), hidden=True),
                Case("hidden: 'same' padding, stride 1",
                     _pool_case((1, 5, 6, 3), pool_size=2, stride=1, padding="same"), hidden=True),
            ],
            hints=[AVGPOOL_STRIDE_ONE, AVGPOOL_FULL_WINDOW, AVGPOOL_SAME_PLACEMENT],
        ),
        Check(
            function="global_avg_pool", points=3, reference=REF + "global_avg_pool",
            cases=[
                Case("batch of 2, 3x5 images, 4 channels", _image_case((2, 3, 5, 4))),
                Case("one 4x4 image, 3 channels", _image_case((1, 4, 4, 3))),
                Case("hidden: batch of 5, H != W", _image_case((5, 6, 2, 3)), hidden=True),
                Case("hidden: many channels", _image_case((2, 3, 4, 16)), hidden=True),
                Case("hidden: 1x1 images", _image_case((3, 1, 1, 2)), hidden=True),
            ],
            hints=[GLOBAL_AVG_WRONG_AXES, GLOBAL_AVG_KEEPDIMS],
        ),
        Check(
            function="global_max_pool", points=3, reference=REF + "global_max_pool",
            cases=[
                Case("batch of 2, 3x5 images, 4 channels", _image_case((2, 3, 5, 4))),
                Case("one 4x4 image, 3 channels", _image_case((1, 4, 4, 3))),
                Case("hidden: batch of 5, H != W", _image_case((5, 6, 2, 3)), hidden=True),
                Case("hidden: many channels", _image_case((2, 3, 4, 16)), hidden=True),
                Case("hidden: 1x1 images", _image_case((3, 1, 1, 2)), hidden=True),
            ],
            hints=[GLOBAL_MAX_WRONG_AXES, GLOBAL_MAX_KEEPDIMS],
        ),
        Check(
            function="conv2d_backward", points=33, reference=REF + "conv2d_backward",
            returns="tuple", outputs=("dx", "dw", "db"),
            cases=[
                Case("one 5x5 image, 1 channel, 3x3 kernel, defaults (stride 1, 'valid')",
                     _backward_case((1, 5, 5, 1), 3, 3, 1)),
                Case("batch of 2, 2 -> 3 channels, 'same' padding, 5x6 input",
                     _backward_case((2, 5, 6, 2), 3, 3, 3, padding="same")),
                Case("stride 2, 'valid', 6x7 input (the last row is never read)",
                     _backward_case((2, 6, 7, 2), 3, 3, 2, stride=2)),
                Case("stride 2, 'same' padding, even 6x8 input",
                     _backward_case((1, 6, 8, 2), 3, 3, 1, stride=2, padding="same")),
                Case("hidden: batch of 3, int padding 1",
                     _backward_case((3, 5, 6, 2), 3, 3, 3, padding=1), hidden=True),
                Case("hidden: 'same' padding, even 2x2 kernel",
                     _backward_case((2, 5, 4, 3), 2, 2, 2, padding="same"), hidden=True),
                Case("hidden: stride 3, 'valid', non-square kernel",
                     _backward_case((2, 9, 10, 1), 3, 2, 2, stride=3), hidden=True),
                Case("hidden: stride 2, int padding 2",
                     _backward_case((1, 7, 6, 2), 3, 3, 2, stride=2, padding=2), hidden=True),
            ],
            hints=[BWD_DB_NOT_SUMMED, BWD_STRIDE, BWD_FLIPPED, BWD_NO_CROP, BWD_BATCH_MEAN,
                   BWD_SAME_PLACEMENT],
        ),
    ],
)
