"""Reference for `cnn_physics`: a model that reaches the thresholds, and the grader's
training routine run in this process.

`build_model` is the reference solution (the solution notebook has the same
one). `grade_like_the_grader(build_model, test_seed)` does what grading does,
without the sandbox: it calls the same driver the sandboxed student process
runs (`checks/student_side/cnn_physics.py`, mode "train") on the public
training set, then scores the predictions of held-out showers with the
grader's metric. The baselines below (a constant, logistic regression on the
pixels, a dense network, the classic shower-shape cut) show where the
thresholds sit; `bench/bench_cnn_physics.py` prints them all.

Keras models here are float32 like a student's, whatever floatx another
reference module set in this process.
"""
from __future__ import annotations

import contextlib
import time

import numpy as np

from reference_impl.cnn_physics_data import (BATCH_SIZE, EPOCHS, IMAGE_SHAPE, MAX_PARAMS,
                                             N_OUTPUTS, N_TRAIN, TIME_LIMIT, TRAIN_SEED,
                                             generate_showers, performance_score,
                                             pion_rejection, roc_auc)
from autograder.reference import configure

configure(keras_floatx=None)

import keras  # noqa: E402  (after configure)
from keras import layers  # noqa: E402


@contextlib.contextmanager
def keras_float32():
    previous = keras.config.floatx()
    keras.config.set_floatx("float32")
    try:
        yield
    finally:
        keras.config.set_floatx(previous)


def build_model(input_shape, n_outputs):
    """The reference CNN (25 409 parameters); the solution notebook has the same."""
    inputs = keras.Input(shape=input_shape)
    x = layers.RandomFlip("horizontal_and_vertical")(inputs)   # detector symmetry; training only
    x = layers.Rescaling(0.1)(x)                             # GeV -> numbers of order 1
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D()(x)                            # 16x16 -> 8x8
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D()(x)                            # 8x8 -> 4x4
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(32, activation="relu")(x)
    outputs = layers.Dense(n_outputs, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="binary_crossentropy")
    return model


# ---------------------------------------------------------------- baselines

def constant_model(input_shape, n_outputs):
    """Says 0.5 for everything: rejection 1, score 0."""
    inputs = keras.Input(shape=input_shape)
    outputs = layers.Dense(n_outputs, activation="sigmoid", trainable=False,
                           kernel_initializer="zeros")(layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def logistic_regression(input_shape, n_outputs):
    """One weight per cell: cannot follow a shower that moves."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Flatten()(layers.Rescaling(0.1)(inputs))
    model = keras.Model(inputs, layers.Dense(n_outputs, activation="sigmoid")(x))
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="binary_crossentropy")
    return model


def dense_network(input_shape, n_outputs):
    """A multilayer perceptron on the pixels, about as many parameters as the CNN."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Flatten()(layers.Rescaling(0.1)(inputs))
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(32, activation="relu")(x)
    model = keras.Model(inputs, layers.Dense(n_outputs, activation="sigmoid")(x))
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="binary_crossentropy")
    return model


def tiny_cnn(input_shape, n_outputs):
    """Four 3x3 filters and a max: a CNN, but too small to do well."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(4, 3, activation="relu")(layers.Rescaling(0.1)(inputs))
    x = layers.GlobalMaxPooling2D()(x)
    model = keras.Model(inputs, layers.Dense(n_outputs, activation="sigmoid")(x))
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="binary_crossentropy")
    return model


def shower_shape_cut(images):
    """The classic variable: fraction of the energy in the hottest 3x3 window."""
    from numpy.lib.stride_tricks import sliding_window_view

    img = np.asarray(images, dtype=np.float64)[..., 0]
    padded = np.pad(img, ((0, 0), (1, 1), (1, 1)))
    window_sums = sliding_window_view(padded, (3, 3), axis=(1, 2)).sum(axis=(-1, -2))
    return window_sums.max(axis=(1, 2)) / np.maximum(img.sum(axis=(1, 2)), 1e-3)


# ---------------------------------------------------------------- grading, in process

def grade_like_the_grader(build, test_seed, keras_seed=0, n_test=10_000):
    """Train `build` exactly as the sandboxed driver does and score it.

    Returns a dict: rejection, auc, score (fraction of the performance points),
    n_params, train_seconds, epochs_completed, losses.
    """
    from checks.student_side.cnn_physics import run

    x, y, _ = generate_showers(N_TRAIN, TRAIN_SEED)
    x_test, y_test, _ = generate_showers(n_test, test_seed)
    start = time.perf_counter()
    with keras_float32():
        out = run(build, mode="train", input_shape=IMAGE_SHAPE, n_outputs=N_OUTPUTS,
                  seed=keras_seed, x_train=x, y_train=y, x_test=x_test, epochs=EPOCHS,
                  batch_size=BATCH_SIZE, time_limit=TIME_LIMIT, max_params=MAX_PARAMS)
    if out.get("problem"):
        raise ValueError(f"the model cannot be graded: {out['problem']}")
    scores = np.asarray(out["predictions"], dtype=np.float64)[:, 0]
    rejection = pion_rejection(y_test, scores)
    return {"rejection": rejection, "auc": roc_auc(y_test, scores),
            "score": performance_score(rejection), "n_params": out["n_params"],
            "train_seconds": out["train_seconds"], "epochs_completed": out["epochs_completed"],
            "losses": out["losses"], "total_seconds": time.perf_counter() - start}
