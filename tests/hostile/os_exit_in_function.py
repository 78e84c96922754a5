import os


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    os._exit(1)
