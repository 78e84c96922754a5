"""The data-only format that crosses the sandbox boundary.

Both sides import this file: the grader and, copied into the sandbox, the
student worker. It depends on the standard library and NumPy only.

A message is an 8-byte big-endian length followed by UTF-8 JSON. Values are
JSON with tagged objects for what JSON lacks (tuples, arrays, NumPy scalars,
non-finite floats, random generators). Decoding never runs code: arrays are
rebuilt with `np.frombuffer` from a whitelisted numeric dtype; anything else
the student returns arrives as an `Unsupported` marker, never as an object.
"""
from __future__ import annotations

import base64
import json
import math
import re
import struct

import numpy as np

HEADER = struct.Struct(">Q")
MAX_DEPTH = 32
# Each JSON value costs the decoder a Python object (tens of bytes and some time):
# 21 million empty lists in 63 MB took 3.6 GB and 40 s. Arrays travel as one string.
MAX_VALUES = 1_000_000
# Numeric dtypes only: bool, signed/unsigned ints, floats, complex, any byte order.
_DTYPE_OK = re.compile(r"^[<>|=]?(b1|[iu][1248]|f[248]|c(8|16))$")


class WireError(ValueError):
    """The other side sent something that is not a valid message."""


class WireTooLarge(WireError):
    """A message with more values than the grader will build objects for."""


class Unsupported:
    """Stands for a value of a type that may not cross the boundary."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"

    def __eq__(self, other):  # plain identity-free equality for tests
        return isinstance(other, Unsupported) and other.type_name == self.type_name


class RngSpec:
    """A `numpy.random.Generator` argument, sent as its seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)


def _float(x: float):
    if math.isfinite(x):
        return x
    return {"__float__": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def encode(value, depth: int = 0):
    """Python/NumPy value -> JSON-able structure."""
    if depth >= MAX_DEPTH:  # the decoder's limit, so anything encoded can be decoded
        return {"__unsupported__": "too deeply nested value"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return _float(value)
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biufc":
            return {"__unsupported__": f"numpy array of dtype {arr.dtype}"}
        return {"__ndarray__": {
            "dtype": arr.dtype.str,
            "shape": list(arr.shape),
            "scalar": isinstance(value, np.generic),
            "data": base64.b64encode(arr.tobytes(order="C")).decode("ascii"),
        }}
    if type(value) is tuple:
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if type(value) is list:
        return [encode(v, depth + 1) for v in value]
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            return {"__unsupported__": "dict with non-string keys"}
        return {"__dict__": [[k, encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, RngSpec):
        return {"__rng__": int(value.seed)}
    return {"__unsupported__": type(value).__module__ + "." + type(value).__qualname__}


def decode(obj, depth: int = 0, make_rng=None):
    """JSON structure -> value. `make_rng(seed)` builds generators (worker side)."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [decode(v, depth + 1, make_rng) for v in obj]
    if not isinstance(obj, dict) or len(obj) != 1:
        raise WireError("malformed value")
    (tag, body), = obj.items()
    if tag == "__float__":
        if body not in ("nan", "inf", "-inf"):
            raise WireError("bad float")
        return float(body)
    if tag == "__tuple__":
        if not isinstance(body, list):
            raise WireError("bad tuple")
        return tuple(decode(v, depth + 1, make_rng) for v in body)
    if tag == "__dict__":
        if not isinstance(body, list) or not all(
                isinstance(kv, list) and len(kv) == 2 and isinstance(kv[0], str) for kv in body):
            raise WireError("bad dict")
        return {k: decode(v, depth + 1, make_rng) for k, v in body}
    if tag == "__ndarray__":
        return _decode_array(body)
    if tag == "__rng__":
        if not isinstance(body, int):
            raise WireError("bad rng")
        return make_rng(body) if make_rng else RngSpec(body)
    if tag == "__unsupported__":
        return Unsupported(str(body)[:200])
    raise WireError("unknown tag")  # not the tag itself: the student chose it


def _decode_array(body):
    try:
        dtype_str, shape, data = body["dtype"], body["shape"], body["data"]
        scalar = bool(body.get("scalar", False))
    except (TypeError, KeyError):
        raise WireError("bad array") from None
    if not isinstance(dtype_str, str) or not _DTYPE_OK.match(dtype_str):
        raise WireError("array dtype not allowed")
    if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape) \
            or len(shape) > 32:
        raise WireError("bad array shape")
    dtype = np.dtype(dtype_str)
    raw = base64.b64decode(data, validate=True)
    if len(raw) != dtype.itemsize * math.prod(shape):
        raise WireError("array size does not match its shape")
    arr = np.frombuffer(raw, dtype=dtype).reshape(tuple(shape)).copy()
    return arr[()] if scalar else arr


def dumps(message) -> bytes:
    payload = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
    return HEADER.pack(len(payload)) + payload


def loads(payload: bytes):
    # Counted before parsing; brackets and commas inside strings count too (an
    # overestimate; base64 array data holds none).
    if payload.count(b"[") + payload.count(b"{") + payload.count(b",") > MAX_VALUES:
        raise WireTooLarge(f"more than {MAX_VALUES} values")
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise WireError(f"not JSON: {type(exc).__name__}") from None
