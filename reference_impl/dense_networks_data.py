"""Data and metrics of the `dense_networks` assignment: the lecture's Keras hands-on.

Pure NumPy, seeded, fast, no downloads. The grader
(`checks/dense_networks.py`) and, verbatim, the student
notebook use this code: everything between the two marker lines below is
copied into a locked notebook cell, and a test asserts that the cell and this
block are identical (the grading sandbox has no course package, so the
notebook carries its own copy).

Two tasks:

* Regression: the real part of a Gaussian wave packet,
  psi(x) = 1.5 exp(-x^2 / 2) cos(2 x) on the compact domain -3 <= x <= 3,
  measured with Gaussian noise of standard deviation 0.15. The targets reach
  from about -0.9 to 1.9: no bounded output activation (sigmoid, tanh) can fit
  them, and a straight line cannot follow the three bumps. Scored by the mean
  squared error on held-out points divided by the noise variance: 1 is as
  good as it gets (the noise cannot be predicted).
* Classification: the TensorFlow-playground spiral, three arms (one class
  each) winding once around the origin, with a little positional noise.
  No straight cut separates the arms. Scored by the accuracy on held-out
  points.
"""
from __future__ import annotations

import numpy as np

# ----- BEGIN NOTEBOOK CELL: dense_networks data -----
# The data sets and the metrics of this exercise (the grader uses exactly this code).
N_INPUTS_REGRESSION = 1         # x
N_INPUTS_CLASSIFICATION = 2     # (x1, x2)
N_CLASSES = 3                   # spiral arms; targets are one-hot vectors
NOISE = 0.15                    # standard deviation of the noise on the regression targets
REGRESSION_SEED, CLASSIFICATION_SEED = 2025, 2026   # the public training sets
N_TRAIN = 1000                  # training points of each task
EPOCHS, BATCH_SIZE = 100, 32    # the grader's budget: model.fit(x, y, epochs=EPOCHS, batch_size=BATCH_SIZE)
MAX_PARAMS = 5_000              # parameter budget of each model
TIME_LIMIT = 30.0               # seconds of training per model on the grader (training stops there)
MSE_RATIO_FULL, MSE_RATIO_ZERO = 1.6, 4.0    # full marks up to the first, none from the second
ACCURACY_ZERO, ACCURACY_FULL = 0.70, 0.95    # none up to the first, full marks from the second


def wave_packet(x):
    """The true curve: the real part of a Gaussian wave packet."""
    return 1.5 * np.exp(-x ** 2 / 2) * np.cos(2 * x)


def generate_regression(n, seed):
    """n noisy samples of the wave packet: x (n, 1) and y (n, 1), float32."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, (n, 1))
    y = wave_packet(x) + NOISE * rng.standard_normal((n, 1))
    return x.astype(np.float32), y.astype(np.float32)


def generate_spiral(n, seed):
    """n points of a three-armed spiral: x (n, 2) float32 and one-hot targets (n, 3) float32."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, N_CLASSES, n)
    r = np.sqrt(rng.uniform(0.0025, 1.0, n))               # uniform density in the disk
    angle = 2 * np.pi * (r + labels / N_CLASSES)            # one turn from the centre outwards
    x = 2 * r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    x += 0.08 * rng.standard_normal((n, 2))
    return x.astype(np.float32), np.eye(N_CLASSES, dtype=np.float32)[labels]


def mse_ratio(y_true, y_pred):
    """Mean squared error divided by the noise variance (1: only the noise is left)."""
    y_true = np.asarray(y_true, dtype=np.float64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    return float(np.mean((y_pred - y_true) ** 2) / NOISE ** 2)


def accuracy(y_true, y_pred):
    """Fraction of points whose most probable class is the true one."""
    return float(np.mean(np.argmax(y_pred, axis=1) == np.argmax(y_true, axis=1)))


def regression_score(ratio):
    """Fraction of the points: 1 up to MSE_RATIO_FULL, 0 from MSE_RATIO_ZERO on,
    linear in log(ratio) in between."""
    if not ratio < MSE_RATIO_ZERO:              # also catches NaN
        return 0.0
    return float(min(1.0, np.log(MSE_RATIO_ZERO / ratio) / np.log(MSE_RATIO_ZERO / MSE_RATIO_FULL)))


def classification_score(acc):
    """Fraction of the points: 0 up to ACCURACY_ZERO, 1 from ACCURACY_FULL on, linear in between."""
    if not acc > ACCURACY_ZERO:                 # also catches NaN
        return 0.0
    return float(min(1.0, (acc - ACCURACY_ZERO) / (ACCURACY_FULL - ACCURACY_ZERO)))
# ----- END NOTEBOOK CELL -----


def notebook_cell_source() -> str:
    """The block between the markers, exactly as it must appear in the notebook."""
    from pathlib import Path

    text = Path(__file__).read_text()
    begin = text.index("# ----- BEGIN NOTEBOOK CELL")
    begin = text.index("\n", begin) + 1
    end = text.index("# ----- END NOTEBOOK CELL")
    return text[begin:end].rstrip("\n")
