# Leaves daemons behind that try hard to outlive the grading, then returns the
# right answer: the grader must pass the function and still end every process.
import os
import signal
import sys

_solution_gradient_descent = gradient_descent


def _daemon():
    os.setsid()
    if os.fork():
        os._exit(0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "{{MARKER}}"])


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    for _ in range(20):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                _daemon()
            finally:
                os._exit(0)
    return _solution_gradient_descent(x, y_true, W, b, learning_rate, n_steps)
