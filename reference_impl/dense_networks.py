"""Reference for `dense_networks`: the lecture's recipe, the linear baseline, and
the grader's training routine run in this process.

`build_regressor` and `build_classifier` are the lecture's recipe (two hidden
layers of 30 ReLU units, Adam at its default rate, a linear regression output,
a softmax classifier output); the solution notebook has the same.
`linear_regressor` / `linear_classifier` are the same networks without
activations ("the model is still linear"). `grade_like_the_grader(build, task,
test_seed)` does what grading does, without the sandbox: the driver the
sandboxed student process runs (`checks/student_side/dense_networks.py`,
mode "train") on the public training set, then the grader's metric on
held-out points. `bench/bench_dense_networks.py` prints all four over seeds;
tests/test_dense_networks.py keeps the thresholds honest with them.

Keras models here are float32 like a student's, whatever floatx another
reference module set in this process.
"""
from __future__ import annotations

import time

import numpy as np

from reference_impl.cnn_physics import keras_float32
from reference_impl.dense_networks_data import (
    BATCH_SIZE, CLASSIFICATION_SEED, EPOCHS, MAX_PARAMS, N_CLASSES, N_INPUTS_CLASSIFICATION,
    N_INPUTS_REGRESSION, N_TRAIN, REGRESSION_SEED, TIME_LIMIT, accuracy, classification_score,
    generate_regression, generate_spiral, mse_ratio, regression_score)

import keras  # noqa: E402  (configured by reference_impl.cnn_physics)
from keras import layers  # noqa: E402


def _mlp(n_inputs, n_outputs, hidden_activation, output_activation, loss):
    model = keras.Sequential([keras.Input(shape=(n_inputs,)),
                              layers.Dense(30, activation=hidden_activation),
                              layers.Dense(30, activation=hidden_activation),
                              layers.Dense(n_outputs, activation=output_activation)])
    model.compile(optimizer=keras.optimizers.Adam(), loss=loss)
    return model


def build_regressor(n_inputs):
    """The lecture's recipe for regression (1,021 parameters for one input)."""
    return _mlp(n_inputs, 1, "relu", None, "mse")


def build_classifier(n_inputs, n_classes):
    """The lecture's recipe for classification (1,113 parameters for 2 inputs, 3 classes)."""
    return _mlp(n_inputs, n_classes, "relu", "softmax", "categorical_crossentropy")


def linear_regressor(n_inputs):
    """The recipe without activations: a straight line, however many layers."""
    return _mlp(n_inputs, 1, None, None, "mse")


def linear_classifier(n_inputs, n_classes):
    """The recipe without hidden activations: straight class boundaries."""
    return _mlp(n_inputs, n_classes, None, "softmax", "categorical_crossentropy")


def grade_like_the_grader(build, task, test_seed, keras_seed=0, n_test=4000):
    """Train `build` exactly as the sandboxed driver does and score it.

    Returns a dict: metric (MSE ratio or accuracy), score (fraction of the
    performance points), n_params, train_seconds, epochs_completed, losses.
    """
    from checks.student_side.dense_networks import run

    if task == "regression":
        (x, y), (x_test, y_test) = (generate_regression(N_TRAIN, REGRESSION_SEED),
                                    generate_regression(n_test, test_seed))
        shape = {"n_inputs": N_INPUTS_REGRESSION}
    else:
        (x, y), (x_test, y_test) = (generate_spiral(N_TRAIN, CLASSIFICATION_SEED),
                                    generate_spiral(n_test, test_seed))
        shape = {"n_inputs": N_INPUTS_CLASSIFICATION, "n_classes": N_CLASSES}
    start = time.perf_counter()
    with keras_float32():
        out = run(build, mode="train", **shape, seed=keras_seed, x_train=x, y_train=y,
                  x_test=x_test, epochs=EPOCHS, batch_size=BATCH_SIZE, time_limit=TIME_LIMIT,
                  max_params=MAX_PARAMS)
    if out.get("problem"):
        raise ValueError(f"the model cannot be graded: {out['problem']}")
    predictions = np.asarray(out["predictions"], dtype=np.float64)
    if task == "regression":
        metric = mse_ratio(y_test, predictions)
        score = regression_score(metric)
    else:
        metric = accuracy(y_test, predictions)
        score = classification_score(metric)
    return {"metric": metric, "score": score, "n_params": out["n_params"],
            "train_seconds": out["train_seconds"], "epochs_completed": out["epochs_completed"],
            "stopped": out["stopped_by_time_limit"], "losses": out["losses"],
            "total_seconds": time.perf_counter() - start}
