# The right W, b and losses, but computed by updating the caller's arrays.
import numpy as np


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    losses = []
    for _ in range(n_steps):
        losses.append(mse_loss(linear_model(x, W, b), y_true))
        dW, db = mse_gradients(x, y_true, W, b)
        W -= learning_rate * dW
        b -= learning_rate * db
    return W.copy(), b.copy(), np.array(losses)
