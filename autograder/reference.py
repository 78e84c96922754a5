"""The references' side of grading, for every course: process-wide TensorFlow
set-up, where it runs, and importing an assignment's references before grading.

`configure()` is called by every reference module at import and may be called
again by anyone; only the first call acts. TensorFlow is imported inside the
functions so that importing this module stays cheap.
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import Iterator

_lock = threading.Lock()
_configured = False


def configure(keras_floatx: str | None = "float64") -> None:
    """Set up TensorFlow once per process.

    - Memory growth on every GPU: without it TF reserves almost the whole card
      for the first process, and several grading workers could not share it.
    - Op determinism: the same inputs give bit-identical references on every
      run (some GPU kernels are otherwise nondeterministic).
    - Keras floatx `keras_floatx` (float64 by default), because Keras objects
      (optimizer learning rates, layer weights) otherwise default to float32.
      The references in this package pass float64 explicitly and do not rely
      on it. A process that trains float32 models (e.g. a student's
      `build_model`) should call `configure(keras_floatx=None)` first.
    """
    global _configured
    with _lock:
        if _configured:
            return
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            try:
                tf.config.experimental.set_memory_growth(gpu, True)
            except RuntimeError:
                # The GPU was already initialised in this process (someone
                # ran an op before us); growth can't change any more. The
                # references still work, only the sharing is lost.
                pass
        tf.config.experimental.enable_op_determinism()
        if keras_floatx is not None:
            import keras

            keras.config.set_floatx(keras_floatx)
        _configured = True


@contextlib.contextmanager
def keras_float64() -> Iterator[None]:
    """Temporarily make Keras create float64 objects (e.g. the learning-rate
    variable of an optimizer), whatever the process-wide floatx is."""
    import keras

    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        yield
    finally:
        keras.config.set_floatx(previous)


def device_name() -> str:
    """Short name of the device TF places ops on: "GPU:0 (NVIDIA ...)" or "CPU"."""
    configure()
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "CPU"
    try:
        model = tf.config.experimental.get_device_details(gpus[0]).get("device_name")
    except Exception:  # details are best effort; the GPU itself is usable
        model = None
    name = f"GPU:0 ({model})" if model else "GPU:0"
    if len(gpus) > 1:
        name += f" +{len(gpus) - 1} more"
    return name


def prepare_reference(assignment):
    """Import the TensorFlow references an assignment needs (once per process)."""
    def prepare() -> str:
        if not any(check.reference for check in assignment.checks):
            return "student process"  # e.g. cnn_physics: the model trains in the sandbox
        with native_stderr_quiet():
            for check in assignment.checks:
                if check.reference:
                    check.reference_function()
            configure()
            return device_name()
    return prepare


class native_stderr_quiet:
    """TensorFlow's C++ start-up banners (oneDNN, CUDA probing) ignore
    TF_CPP_MIN_LOG_LEVEL in recent releases and write straight to fd 2. Park
    fd 2 in a temporary file while TensorFlow starts; replay it if start-up fails."""

    def __enter__(self):
        import tempfile

        sys.stderr.flush()
        self.saved = os.dup(2)
        self.log = tempfile.TemporaryFile()
        os.dup2(self.log.fileno(), 2)
        return self

    def __exit__(self, exc_type, exc, tb):
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        if exc_type is not None:
            self.log.seek(0)
            sys.stderr.write(self.log.read().decode(errors="replace")[-4000:])
        self.log.close()
        return False
