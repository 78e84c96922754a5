# Scribble on the protocol channel, then close every descriptor above stderr.
import __main__
import os


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    __main__._OUT.write(b"\x00\x00\x00\x00\x00\x00\x00\x10not json at all!")
    return None


def minibatch_indices(n_samples, batch_size, rng):
    os.closerange(3, 1024)
    return []
