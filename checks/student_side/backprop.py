"""Driver for `backprop`: runs next to the student's code (see drivers/__init__.py).

Two kinds of graded function can't be called with data alone:

- a backward pass takes the *student's own* cache, which only their forward
  pass can make (and which may be any object, so it can't travel to the
  grader and back). The driver calls their forward pass and hands its cache
  straight to their backward pass, in the same process, and returns only the
  gradients. A forward pass is graded on `out` alone: the cache stays here.
- `numerical_gradient(f, x, h)` takes a callable. The grader sends the *name*
  of a test function and the arrays that define it; `make_function` builds f
  here. The grader computes the exact gradient of the same function with
  TensorFlow (reference_impl.backprop) and the hint detectors rebuild f from
  this module on their side.

`run(student_function, task, **data)`; task is the graded function's name.
NumPy only: this file is imported inside the sandbox.
"""
from __future__ import annotations

import numpy as np

FORWARD = {"dense_backward": "dense_forward", "relu_backward": "relu_forward"}


def run(student_function, task, **data):
    if task in ("dense_forward", "relu_forward"):
        return _out_of(task, student_function(**data))
    if task in FORWARD:
        return _backward(student_function, task, **data)
    if task == "numerical_gradient":
        return _numerical_gradient(student_function, **data)
    raise ValueError(f"unknown backprop task {task!r}")


# ---------------------------------------------------------------- layers

def _out_of(name, result):
    """`out` of a forward pass that must return the pair (out, cache)."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        kind = (f"a {type(result).__name__} of length {len(result)}"
                if isinstance(result, (tuple, list)) else f"a {type(result).__name__}")
        raise TypeError(f"{name} must return a pair (out, cache); it returned {kind}")
    return result[0]


def _backward(backward, task, dout, **inputs):
    forward_name = FORWARD[task]
    # The student's namespace: a function's globals (or, for a functools.partial, its .func's).
    namespace = (getattr(backward, "__globals__", None)
                 or getattr(getattr(backward, "func", None), "__globals__", None) or {})
    forward = namespace.get(forward_name)
    if not callable(forward):
        raise NameError(f"{task} is graded with the cache made by your {forward_name}, "
                        f"but {forward_name} is not defined")
    try:
        result = forward(**inputs)
    except NotImplementedError:
        # Say which one is missing: an untouched backward pass still reports
        # itself as not implemented; a written one blames the forward pass.
        try:
            backward(dout=dout, cache=None)
        except NotImplementedError:
            raise
        except Exception:
            pass
        raise RuntimeError(f"{task} is graded with the cache made by your {forward_name}, "
                           f"which is not implemented yet") from None
    _out_of(forward_name, result)  # checks that it is a pair
    return backward(dout=dout, cache=result[1])


# ---------------------------------------------------------------- numerical_gradient

def _logsumexp(z):
    top = np.max(z, axis=-1, keepdims=True)
    return (top + np.log(np.sum(np.exp(z - top), axis=-1, keepdims=True)))[..., 0]


def _quadratic(u, A, c):
    u = u.reshape(-1)
    return 0.5 * u @ (A @ u) + c @ u


def _tanh_regression(W, X, y, v):
    return np.mean((np.tanh(X @ W) @ v - y) ** 2)


def _softmax_cross_entropy(z, y):
    return np.mean(_logsumexp(z) - np.sum(y * z, axis=-1))


def _anharmonic_chain(q, k, quartic, rest):
    d = np.diff(q) - rest
    return np.sum(0.5 * k * d ** 2 + 0.25 * quartic * d ** 4)


# name -> (formula, names of the defining data); the grader's TensorFlow
# twins of these formulas live in reference_impl/backprop.py.
FUNCTIONS = {
    "quadratic": (_quadratic, ("A", "c")),
    "tanh_regression": (_tanh_regression, ("X", "y", "v")),
    "softmax_cross_entropy": (_softmax_cross_entropy, ("y",)),
    "anharmonic_chain": (_anharmonic_chain, ("k", "quartic", "rest")),
}


def make_function(function, shape, **params):
    """The scalar test function `function` of an array of shape `shape`."""
    formula, names = FUNCTIONS[function]
    args = [params[n] for n in names]
    shape = tuple(shape)

    def f(x):
        x = np.asarray(x, dtype=np.float64)
        if x.shape != shape:
            raise ValueError("f must be called with an array shaped like x "
                             f"(it got an array of shape {x.shape})")
        return float(formula(x, *args))
    return f


def _numerical_gradient(numerical_gradient, function, x, h=None, **params):
    f = make_function(function, np.shape(x), **params)
    if h is None:  # the case tests the default step
        return numerical_gradient(f=f, x=x)
    return numerical_gradient(f=f, x=x, h=h)


# ---------------------------------------------------------------- hint predicates
# They look at the student's value, the expected one and the case's shapes, and
# compute no answer: the student kit ships them (grader: checks/backprop.py).

def _close(a, b, rtol=1e-6, atol=1e-9) -> bool:
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=atol))


def _summed_to(got, expected, shapes) -> bool:
    g = np.asarray(got, dtype=float)
    return g.shape in shapes and _close(np.sum(g, axis=0), expected)


def db_not_summed(inputs, got, expected) -> bool:
    """dense_backward: db has a row per sample (or keepdims) and sums to the right one."""
    return _summed_to(got[2], expected[2], (np.shape(inputs["dout"]), (1,) + np.shape(expected[2])))


def mlp_dw_transposed(inputs, got, expected) -> bool:
    def transposed(k):
        g = np.asarray(got[1][k], dtype=float)
        return not _close(g, expected[1][k]) and _close(g.T, expected[1][k])
    return any(transposed(k) for k in ("W1", "W2"))


def mlp_db_not_summed(inputs, got, expected) -> bool:
    n = np.shape(inputs["x"])[0]

    def unsummed(k):
        try:
            e = expected[1][k]
            return _summed_to(got[1][k], e, ((n,) + np.shape(e), (1,) + np.shape(e)))
        except Exception:
            return False
    return any(unsummed(k) for k in ("b1", "b2"))


def gradient_reshaped(inputs, got, expected) -> bool:
    """numerical_gradient: the right numbers in another shape than x's."""
    g = np.asarray(got, dtype=float)
    return (g.shape != np.shape(expected) and g.size == np.size(expected)
            and _close(g.reshape(np.shape(expected)), expected, rtol=1e-6, atol=1e-7))
