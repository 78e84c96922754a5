import sys

_solution_gradient_descent = gradient_descent
_flooded = []


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    if not _flooded:             # 100 MB once, to stdout and stderr, then the right answer
        _flooded.append(True)
        line = "eggs " * 204 + "\n"
        for i in range(100 * 1024):
            (sys.stdout if i % 2 else sys.stderr).write(line)
    return _solution_gradient_descent(x, y_true, W, b, learning_rate, n_steps)
