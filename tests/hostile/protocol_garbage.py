# Scribble on the protocol channel, then close every descriptor above stderr.
import os
import sys


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    sys.modules["student_side.worker"]._OUT.write(b"\x00\x00\x00\x00\x00\x00\x00\x10not json at all!")
    return None


def minibatch_indices(n_samples, batch_size, rng):
    os.closerange(3, 1024)
    return []
