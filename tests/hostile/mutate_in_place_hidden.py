# As mutate_in_place.py, but first blind the comparisons the student process
# could use to notice: the mutation must be caught anyway.
import copy

import numpy as np

np.array_equal = lambda *a, **k: True
copy.deepcopy = lambda value, memo=None: value


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    losses = []
    for _ in range(n_steps):
        losses.append(mse_loss(linear_model(x, W, b), y_true))
        dW, db = mse_gradients(x, y_true, W, b)
        W -= learning_rate * dW
        b -= learning_rate * db
    return W.copy(), b.copy(), np.array(losses)
