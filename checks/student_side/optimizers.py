"""`optimizers`' code that may leave the grader: the trajectory property check
of the four step functions and the hint predicate on trajectories. Both
compare the student's outputs with data the grader computed (the accepted
forms' trajectories, the last outputs of known mistakes); nothing here
computes an optimizer step. NumPy only (it ships in the student kit).
"""
from __future__ import annotations

import numpy as np

try:  # the judging comparison: the kit's engine, or the grader's copy of the same file
    from ..engine.compare import compare
except ImportError:
    from autograder.student_side.compare import compare

# State the step function returns after the param, and its hyperparameters.
STATE = {"sgd_step": (), "momentum_step": ("velocity",), "adagrad_step": ("accumulator",),
         "adam_step": ("m", "v")}
HYPER = {"sgd_step": ("learning_rate",), "momentum_step": ("learning_rate", "momentum"),
         "adagrad_step": ("learning_rate", "epsilon"),
         "adam_step": ("learning_rate", "beta1", "beta2", "epsilon")}
DEFAULTS = {"epsilon": 1e-7, "beta1": 0.9, "beta2": 0.999}

# A correct step agrees with the reference to rounding (~1e-16 relative per
# step); 1e-9 leaves a factor 1e5 for a different order of operations over
# 20 steps. atol is relative to the largest expected entry of each array, as
# Adam's v is ~1e-14 in the small-gradient cases.
RTOL, ATOL_SCALE = 1e-9, 1e-12


# ---------------------------------------------------------------- trajectories

def step_kwargs(task, inputs, param, state, k):
    """Keyword arguments of step k (0-based) of a case."""
    kwargs = {"param": param, "grad": np.asarray(inputs["grads"])[k]}
    kwargs.update(zip(STATE[task], state))
    if task == "adam_step":
        kwargs["t"] = int(inputs["t"]) + k
    kwargs.update({h: inputs[h] for h in HYPER[task] if h in inputs})
    return kwargs


def _parts(task, out):
    """(param, state) of one step's output, or None when it can't be fed back."""
    n = len(STATE[task])
    if n == 0:
        return out, []
    if isinstance(out, (tuple, list)) and len(out) == n + 1:
        return out[0], list(out[1:])
    return None


def trajectory(step, task, inputs):
    """Outputs of every step of `step` (student call or reference), each fed
    back into the next; stops early at an output that can't be fed back."""
    param, state = inputs["param"], [inputs[s] for s in STATE[task]]
    outputs = []
    for k in range(len(inputs["grads"])):
        out = step(**step_kwargs(task, inputs, param, state, k))
        outputs.append(out)
        parts = _parts(task, out)
        if parts is None:
            break
        param, state = parts
    return outputs


def _names(task):
    return ("param",) + STATE[task]


def _as_tuple(task, out):
    return (out,) if not STATE[task] else out


def _first_mismatch(task, got, want, hidden):
    """(step index, message, relative error, parts right) of the first step
    where `got` leaves `want` (error inf: wrong structure, not comparable), or
    None when every step matches. The message reports every returned part,
    right or wrong (a wrong state with a right param is a wrong state)."""
    names = _names(task)
    for k, (g, w) in enumerate(zip(got, want)):
        g, w = _as_tuple(task, g), _as_tuple(task, w)
        if STATE[task] and (not isinstance(g, (tuple, list)) or len(g) != len(w)):
            what = ", ".join(names)
            return k, f"expected a tuple ({what}), got {_describe(g)}", np.inf, 0
        verdicts = []
        for name, gi, wi in zip(names, g, w):
            atol = ATOL_SCALE * float(np.max(np.abs(wi))) if np.size(wi) else 0.0
            verdicts.append((name, gi, wi, compare(gi, wi, rtol=RTOL, atol=atol, hidden=hidden,
                                                   returns="array", path=name)))
        bad = [(name, gi, wi, m) for name, gi, wi, m in verdicts if m is not None]
        if bad:
            if len(verdicts) == 1:
                message = bad[0][3].message
            else:
                message = "; ".join(f"{name} right" if m is None else m.message
                                    for name, _, _, m in verdicts)
            error = max(_relative_error(gi, wi) for _, gi, wi, _ in bad)
            return k, message, error, len(verdicts) - len(bad)
    if len(got) < len(want):  # the loop stopped at an output it could not feed back
        return len(got) - 1, "the output could not be fed back into the next step", np.inf, 0
    return None


def _describe(value):
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} values"
    return f"a {type(value).__name__}"


def _relative_error(g, w):
    """Largest error relative to the largest expected entry (inf: not comparable)."""
    try:
        g, w = np.asarray(g, dtype=float), np.asarray(w, dtype=float)
        if g.shape != w.shape or not np.all(np.isfinite(g)):
            return np.inf
        return float(np.max(np.abs(g - w)) / max(float(np.max(np.abs(w))), 1e-300))
    except Exception:
        return np.inf


def verify_steps(call, inputs, forms):
    """Property check shared by the four step functions (see checks/optimizers.py).
    `forms`: the trajectory of every accepted form on these inputs, computed by
    the grader from its references (the kit gets them as data)."""
    inputs = dict(inputs)
    hidden = bool(inputs.pop("_hidden", True))
    task = inputs.pop("_task")
    got = trajectory(call, task, inputs)
    misses = {}
    for name, want in forms.items():
        miss = _first_mismatch(task, got, want, hidden)
        if miss is None:
            return []
        misses[name] = miss
    # The closest form: the one followed longest, then more parts right, then the smaller error.
    name, (k, message, _, _) = max(misses.items(),
                                   key=lambda kv: (kv[1][0], kv[1][3], -kv[1][2]))
    where = ("at the first step" if k == 0 else "step 1 matches, then at step 2" if k == 1
             else f"steps 1 to {k} match, then at step {k + 1}")
    comparable = all(np.isfinite(miss[2]) for miss in misses.values())
    closest = (f" (compared with the closest accepted form: {name})"
               if len(misses) > 1 and comparable else "")
    return [f"{where}: {message}{closest}"]


# ---------------------------------------------------------------- hint predicate

# The check's own tolerance: a near miss (say 1e-8 relative, epsilon inside the
# root on ordinary gradients) is still recognised as the mistake it is.
_HINT_TOL = dict(rtol=RTOL, atol=ATOL_SCALE)

def _close_scaled(got, want):
    """Every part of `got` close to `want`, tolerance relative to each part's scale."""
    if isinstance(want, tuple):
        g, w = got, want
    else:
        g, w = (got,), (want,)
    if not isinstance(g, (tuple, list)) or len(g) != len(w):
        return False
    return all(_close(gi, wi, _HINT_TOL["rtol"],
                           _HINT_TOL["atol"] * max(float(np.max(np.abs(wi))), 1e-300))
               for gi, wi in zip(g, w))


def _close(a, b, rtol, atol) -> bool:
    try:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=atol))
    except Exception:  # a value that is no numeric array is not close to anything
        return False


def trajectory_like(inputs, got, expected, accepted=(), unless=(), mistakes=()) -> bool:
    """The student's last output is a known mistake's (`mistakes`) and neither an
    accepted form's nor an ambiguous other mistake's (`unless`)."""
    if any(_close_scaled(got, ok) for ok in accepted):
        return False
    if any(_close_scaled(got, other) for other in unless):
        return False
    return any(_close_scaled(got, bad) for bad in mistakes)
