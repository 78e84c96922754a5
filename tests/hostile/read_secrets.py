# Try to read course files, the course secret and a world-readable file of the
# grader's machine; return what came back (contents, or the exception's name).
import os

PATHS = {{PATHS}}


def read_everything():
    found = {}
    for path in PATHS:
        try:
            with open(path, "rb") as f:
                found[path] = "READ: " + f.read(200).decode("utf-8", "replace")
        except Exception as exc:
            found[path] = type(exc).__name__
    for folder in ("/work/main", "/root", "/work/main/solutions", "/work/main/reference_impl"):
        try:
            found["ls " + folder] = "LISTED: " + " ".join(sorted(os.listdir(folder)))
        except Exception as exc:
            found["ls " + folder] = type(exc).__name__
    return found


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    return read_everything()
