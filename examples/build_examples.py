"""Regenerate the bundled example submissions from the solution notebooks.

Three students per assignment, as an instructor meets them:
  alice   - correct (the solution as submitted)
  bob     - typical mistakes (the hints should name them)
  mallory - hostile or broken code (the grader must survive and grade the rest)
Run: .venv/bin/python examples/build_examples.py
"""
from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples" / "submissions"

# Cells appended after the solution: later definitions win, as in a notebook.
BUGGY = {
    "convolution": [
        '''def conv2d(x, w, b, stride=1, padding="valid", dilation=1):
    # "convolution" as in the signal-processing textbook: kernel flipped
    x = np.asarray(x, float)
    kh, kw = w.shape[:2]
    if padding == "same":
        ph, pw = (kh - 1) // 2, (kw - 1) // 2
        x = np.pad(x, ((0, 0), (ph, kh - 1 - ph), (pw, kw - 1 - pw), (0, 0)))
    elif isinstance(padding, int):
        x = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    wf = w[::-1, ::-1]
    ho = (x.shape[1] - kh) // stride + 1
    wo = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], ho, wo, w.shape[3]))
    for i in range(kh):
        for j in range(kw):
            out += x[:, i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride] @ wf[i, j]
    return out + b
''',
        '''def conv2d_param_count(kernel_size, in_channels, filters, use_bias=True):
    kh, kw = (kernel_size, kernel_size) if np.isscalar(kernel_size) else kernel_size
    return kh * kw * filters + (filters if use_bias else 0)   # forgot the input channels
''',
        '''def global_avg_pool(x):
    return x.mean(axis=(0, 1))   # averages over the batch instead of space
''',
    ],
    "gradient_descent": [
        '''def mse_loss(y_pred, y_true):
    return np.sum((y_pred - y_true) ** 2)   # sum instead of mean
''',
        '''def mse_gradients(x, y_true, W, b):
    err = linear_model(x, W, b) - y_true
    return x.T @ err, err.sum(axis=0)      # forgot the factor 2/(N*n_out)
''',
        '''def minibatch_indices(n_samples, batch_size, rng):
    idx = np.arange(n_samples)             # never shuffled
    return [idx[i:i + batch_size] for i in range(0, n_samples, batch_size)]
''',
    ],
}

HOSTILE = {
    "convolution": [
        "%matplotlib inline\n!pip install tensorflow\nimport os, sys",
        "import tensorflow as tf\n\ndef conv2d(x, w, b, stride=1, padding='valid', dilation=1):\n"
        "    return tf.nn.conv2d(x, w, stride, padding.upper()).numpy() + b",
        "def max_pool2d(x, pool_size=2, stride=None, padding='valid'):\n    while True:\n        pass",
        "def avg_pool2d(x, pool_size=2, stride=None, padding='valid'):\n    os._exit(1)",
        "def global_max_pool(x):\n    return open('/work/main/solutions/convolution.ipynb').read()",
        "class AlwaysEqual:\n    def __eq__(self, other):\n        return True\n\n"
        "def global_avg_pool(x):\n    return AlwaysEqual()",
        "np.allclose = lambda *a, **k: True\nopen('results.json', 'w').write('{\"score\": 100}')\n"
        "for _ in range(200000):\n    print('spam ' * 20)",
        "sys.exit('bye')",
    ],
    "gradient_descent": [
        "import os\ndef linear_model(x, W, b):\n    a = []\n    while True:\n        a.append(bytearray(10**8))",
        "def gradient_descent(x, y_true, W, b, learning_rate, n_steps):\n    os._exit(3)",
        "import socket\ndef mse_loss(y_pred, y_true):\n"
        "    socket.create_connection(('127.0.0.1', 22), timeout=1)\n    return 0.0",
    ],
}


def code_cell(source):
    return nbformat.v4.new_code_cell(source)


def build():
    OUT.mkdir(parents=True, exist_ok=True)
    for assignment in ("gradient_descent", "convolution"):
        solution = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
        for student, extra in (("alice", []), ("bob", BUGGY[assignment]), ("mallory", HOSTILE[assignment])):
            nb = nbformat.from_dict(solution)
            nb.cells = [c for c in nb.cells if "check_all()" not in c.source]
            for i, src in enumerate(extra):
                cell = code_cell(src)
                cell["id"] = f"example-{i}"
                nb.cells.append(cell)
            nbformat.write(nb, OUT / f"{student}_{assignment}.ipynb")


if __name__ == "__main__":
    build()
