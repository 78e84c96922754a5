"""NumPy <-> TensorFlow in float64, shared by every reference module."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

F64 = tf.float64


def to_tensor(a) -> tf.Tensor:
    return tf.constant(np.asarray(a, dtype=np.float64), F64)


def to_numpy(t) -> np.ndarray:
    # np.array copies: an eager tensor's .numpy() may share its buffer.
    return np.array(t.numpy(), dtype=np.float64)
