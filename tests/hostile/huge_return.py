import numpy as np


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    big = np.ones(25_000_000)      # 200 MB
    return big, big, big
