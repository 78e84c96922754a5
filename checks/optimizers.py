"""Checks for `optimizers`: one update step of SGD, momentum, Adagrad and Adam, and
the learning-rate schedule `reduce_lr_on_plateau` (compared with Keras's own
ReduceLROnPlateau callback, see its section below).

Every case is a *trajectory*: the grader calls the student's step function
once per gradient in `grads`, feeding the param and state it returned back in
(and t + 1 for Adam), exactly as a training loop would, so a small error
accumulates into a visible one. The property check (`verify`) compares every
step with the float64 TensorFlow reference of each accepted form
(reference_impl.optimizers.FORMS) and passes when one form matches all steps
within a tight tolerance:

- Adagrad: `g / (sqrt(acc) + eps)` and Keras's `g / sqrt(acc + eps)`;
- Adam: Kingma & Ba's Algorithm 1 and Keras's epsilon-hat form.

The forms differ by far more than the tolerance only where sqrt(acc) or
sqrt(v) is comparable to epsilon, so every function that has two forms gets
cases with small gradients. Feedback names the closest form and the first step
that goes wrong. Case inputs carry `_hidden` so that the check knows whether
it may show numbers; it is never sent to the student.

The NumPy helpers below recompute what a *mistaken* implementation returns,
for the hint detectors; they never run in the student's process.
"""
from __future__ import annotations

import numpy as np

from autograder import hints
from autograder.spec import Assignment, Case, Check, DataVerify, Hint

REF = "reference_impl.optimizers:"

from checks.student_side import optimizers as student_side
from checks.student_side.optimizers import (  # noqa: F401  (the NumPy steps below use them)
    ATOL_SCALE, DEFAULTS, RTOL, STATE, trajectory)

# ---------------------------------------------------------------- inputs

def _case(label, task, make, hidden=False):
    def full(rng):
        return {**make(rng), "_task": task, "_hidden": hidden}
    return Case(label, full, hidden=hidden)


def _sgd(shape, n_steps, lr, grad_scale=1.0):
    def make(rng):
        return {"param": rng.standard_normal(shape),
                "grads": grad_scale * rng.standard_normal((n_steps,) + shape),
                "learning_rate": lr}
    return make


def _momentum(shape, n_steps, lr, momentum, start_velocity=False):
    def make(rng):
        inputs = {"param": rng.standard_normal(shape),
                  "grads": rng.standard_normal((n_steps,) + shape)}
        inputs["velocity"] = (0.1 * rng.standard_normal(shape) if start_velocity
                              else np.zeros(shape))
        return {**inputs, "learning_rate": lr, "momentum": momentum}
    return make


def _adagrad(shape, n_steps, lr, grad_scale=1.0, start_accumulator=0.0, epsilon=None):
    """start_accumulator: 0 for a fresh start, else the accumulator is
    start_accumulator * (1 + uniform(0, 1)) * grad_scale**2."""
    def make(rng):
        inputs = {"param": rng.standard_normal(shape),
                  "grads": grad_scale * rng.standard_normal((n_steps,) + shape),
                  "accumulator": start_accumulator * grad_scale ** 2
                  * (1.0 + rng.uniform(size=shape)),
                  "learning_rate": lr}
        if epsilon is not None:
            inputs["epsilon"] = epsilon
        return inputs
    return make


def _adam(shape, n_steps, lr, t=1, grad_scale=1.0, resume=False, **hyper):
    """resume: moments as after a long run (m ~ the gradient scale, v ~ its square)."""
    def make(rng):
        inputs = {"param": rng.standard_normal(shape),
                  "grads": grad_scale * rng.standard_normal((n_steps,) + shape)}
        if resume:
            inputs["m"] = 0.3 * grad_scale * rng.standard_normal(shape)
            inputs["v"] = grad_scale ** 2 * rng.uniform(0.5, 1.5, size=shape)
        else:
            inputs["m"], inputs["v"] = np.zeros(shape), np.zeros(shape)
        return {**inputs, "t": t, "learning_rate": lr, **hyper}
    return make


# ---------------------------------------------------------------- NumPy: mistakes

def _h(inputs, name):
    return float(inputs.get(name, DEFAULTS.get(name, 0.0)))


def _np_sgd(mode):
    def step(param, grad, learning_rate):
        lr = float(learning_rate)
        return {"ok": lambda: param - lr * grad, "ascent": lambda: param + lr * grad,
                "no_lr": lambda: param - grad, "update": lambda: -lr * grad}[mode]()
    return step


def _np_momentum(mode):
    def step(param, grad, velocity, learning_rate, momentum):
        lr, mu = float(learning_rate), float(momentum)
        if mode == "flipped":        # v = mu v + lr g; param -= v
            v = mu * velocity + lr * grad
            return param - v, v
        if mode == "ema":            # v = mu v + (1 - mu) g; param -= lr v
            v = mu * velocity + (1.0 - mu) * grad
            return param - lr * v, v
        if mode == "pytorch":        # v = mu v + g; param -= lr v
            v = mu * velocity + grad
            return param - lr * v, v
        v = mu * velocity - (grad if mode == "no_lr" else lr * grad)
        if mode == "old_velocity":
            return param + velocity, v
        if mode == "lr_twice":
            return param + lr * v, v
        return param + v, v
    return step


def _np_adagrad(form, mode):
    def step(param, grad, accumulator, learning_rate, epsilon=1e-7):
        acc = accumulator + {"acc_g": grad, "acc_abs": np.abs(grad)}.get(mode, grad ** 2)
        seen = {"no_accumulation": grad ** 2, "replace": grad ** 2, "old": accumulator}.get(mode, acc)
        if mode == "no_eps":
            denominator = np.sqrt(seen)
        elif mode == "no_sqrt":
            denominator = acc + epsilon
        elif form == "outside":
            denominator = np.sqrt(seen) + epsilon
        else:
            denominator = np.sqrt(seen + epsilon)
        return param - learning_rate * grad / denominator, (grad ** 2 if mode == "replace" else acc)
    return step


def _np_adam(form, mode):
    def step(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-7):
        m = beta1 * m + (1.0 - beta1) * grad
        v = beta2 * v + (1.0 - beta2) * grad ** 2
        t = t + 1 if mode == "t_plus_one" else (t - 1 if mode == "t_minus_one" else t)
        if mode == "no_bias_correction":
            c1 = c2 = 1.0
        elif mode == "power_precedence":
            c1, c2 = 1.0 - (1.0 - beta1) ** t, 1.0 - (1.0 - beta2) ** t
        elif mode == "m_only":
            c1, c2 = 1.0 - beta1 ** t, 1.0
        elif mode == "powers_swapped":
            c1, c2 = 1.0 - beta2 ** t, 1.0 - beta1 ** t
        else:
            c1, c2 = 1.0 - beta1 ** t, 1.0 - beta2 ** t
        if form == "alg1":
            m_hat, v_hat = m / c1, v / c2
            denominator = np.sqrt(v_hat + epsilon) if mode == "eps_inside" \
                else np.sqrt(v_hat) + epsilon
            param = param - learning_rate * m_hat / denominator
            if mode == "hats_returned":
                return param, m_hat, v_hat
        else:
            alpha = learning_rate * np.sqrt(c2) / c1
            denominator = np.sqrt(v + epsilon) if mode == "eps_inside" else np.sqrt(v) + epsilon
            param = param - alpha * m / denominator
            if mode == "hats_returned":
                return param, m / c1, v / c2
        return param, m, v
    return step


_ACCEPTED = {
    "sgd_step": [_np_sgd("ok")],
    "momentum_step": [_np_momentum("ok")],
    "adagrad_step": [_np_adagrad("outside", "ok"), _np_adagrad("inside", "ok")],
    "adam_step": [_np_adam("alg1", "ok"), _np_adam("eps_hat", "ok")],
}


def _final(task, step, inputs):
    """Last output of the trajectory of a NumPy step on a case."""
    data = {k: (np.asarray(v, dtype=float) if isinstance(v, np.ndarray) else v)
            for k, v in inputs.items() if not k.startswith("_")}
    return trajectory(step, task, data)[-1]


def _trajectory_like(task, *mistakes, when=None, unless=()):
    """Detector: the student's last output equals the last output of a
    trajectory made with one of `mistakes` (NumPy steps) and of none of the
    accepted forms. `when(inputs)` restricts it to the cases where the
    mistake can show; `unless`: mistakes of other hints that, where they give
    the same output, make this one ambiguous (e.g. at t = 101, (1 - beta1)**t
    is 0 and the power typo looks exactly like no bias correction). The last
    outputs are computed here and travel as data (student_side.trajectory_like)."""
    def finals(inputs):
        if when is not None and not when(inputs):
            return {"accepted": [], "unless": [], "mistakes": []}
        return {"accepted": [_final(task, ok, inputs) for ok in _ACCEPTED[task]],
                "unless": [_final(task, other, inputs) for other in unless],
                "mistakes": [_final(task, bad, inputs) for bad in mistakes]}
    return hints.local(student_side.trajectory_like, make_args=finals)


def _reference_forms(inputs):
    """The trajectories of every accepted form (TensorFlow references) on a case."""
    from reference_impl import optimizers as ref  # TensorFlow: grader side only

    task = inputs["_task"]
    inputs = {k: v for k, v in inputs.items() if not k.startswith("_")}
    return {"forms": {name: trajectory(form, task, inputs) for name, form in ref.FORMS[task].items()}}


# ---------------------------------------------------------------- hints

SGD_ASCENT = Hint(
    "Your parameter moves uphill: a descent step subtracts the gradient, "
    "param - learning_rate * grad.",
    _trajectory_like("sgd_step", _np_sgd("ascent")))

SGD_NO_LR = Hint(
    "Your step ignores the learning rate: the update is learning_rate * grad, not grad.",
    _trajectory_like("sgd_step", _np_sgd("no_lr")))

SGD_UPDATE_ONLY = Hint(
    "You returned the update -learning_rate * grad instead of the new parameter "
    "param - learning_rate * grad.",
    _trajectory_like("sgd_step", _np_sgd("update")))

MOM_NO_LR = Hint(
    "Your velocity adds the raw gradient: in Keras's form the learning rate scales "
    "it, v = momentum * v - learning_rate * grad.",
    _trajectory_like("momentum_step", _np_momentum("no_lr")))

MOM_SIGN_CONVENTION = Hint(
    "You use the other sign convention (v = momentum * v + lr * grad; param -= v). It moves "
    "param the same way from v = 0, but the velocity you return must be Keras's, "
    "v = momentum * v - lr * grad, and param = param + v.",
    _trajectory_like("momentum_step", _np_momentum("flipped")))

MOM_OLD_VELOCITY = Hint(
    "Your parameter moves with the old velocity: update v first, "
    "v = momentum * v - lr * grad, then param = param + v with the new v.",
    _trajectory_like("momentum_step", _np_momentum("old_velocity")))

MOM_EMA = Hint(
    "Your velocity is an average, v = momentum * v + (1 - momentum) * grad. Keras's "
    "momentum sums the steps instead: v = momentum * v - lr * grad; param = param + v.",
    # with momentum 0 the average is PyTorch's form: MOM_PYTORCH says it there
    _trajectory_like("momentum_step", _np_momentum("ema"), unless=[_np_momentum("pytorch")]))

MOM_PYTORCH = Hint(
    "You use PyTorch's form, v = momentum * v + grad; param -= lr * v. It moves param "
    "the same way from v = 0, but Keras keeps the learning rate in the velocity: "
    "v = momentum * v - lr * grad; param = param + v, and that v is what you return.",
    _trajectory_like("momentum_step", _np_momentum("pytorch")))

MOM_LR_TWICE = Hint(
    "The learning rate enters twice: v = momentum * v - lr * grad already is the step, "
    "so param = param + v (not param + lr * v).",
    _trajectory_like("momentum_step", _np_momentum("lr_twice")))

ADA_NO_ACCUMULATION = Hint(
    "Your denominator uses this step's grad**2 only: Adagrad divides by the root of "
    "the *accumulated* sum, acc = accumulator + grad**2, and returns that acc.",
    _trajectory_like("adagrad_step", *(_np_adagrad(f, m) for f in ("outside", "inside")
                                       for m in ("no_accumulation", "replace"))))

ADA_NO_SQRT = Hint(
    "You divide by the accumulator itself: Adagrad divides by its square root, "
    "grad / (sqrt(acc) + epsilon).",
    _trajectory_like("adagrad_step", _np_adagrad("outside", "no_sqrt")))

ADA_NO_EPSILON = Hint(
    "Your update has no epsilon: grad / sqrt(acc) divides by 0 where acc is 0 and is too "
    "large where acc is tiny. Use grad / (sqrt(acc) + epsilon).",
    _trajectory_like("adagrad_step", _np_adagrad("outside", "no_eps")))

ADA_ACCUMULATES_GRAD = Hint(
    "Your accumulator sums grad (or |grad|): Adagrad accumulates the squares, "
    "acc = accumulator + grad**2.",
    _trajectory_like("adagrad_step", *(_np_adagrad(f, m) for f in ("outside", "inside")
                                       for m in ("acc_g", "acc_abs"))))

ADA_OLD_ACCUMULATOR = Hint(
    "You divide by the accumulator from before this step: add grad**2 first, then "
    "use the new acc in the update.",
    _trajectory_like("adagrad_step", _np_adagrad("outside", "old"), _np_adagrad("inside", "old")))

_both_adam = ("alg1", "eps_hat")

ADAM_NO_BIAS_CORRECTION = Hint(
    "Your steps have no bias correction: m and v start at 0, so divide them by "
    "(1 - beta1**t) and (1 - beta2**t) (or fold both into the step size).",
    _trajectory_like("adam_step", _np_adam("alg1", "no_bias_correction")))

ADAM_STEP_COUNT = Hint(
    "Your bias correction uses the wrong step number: t counts steps from 1 (the first "
    "call has t = 1); use 1 - beta1**t with the t you are given.",
    _trajectory_like("adam_step", *(_np_adam(f, "t_plus_one") for f in _both_adam),
                     *(_np_adam(f, "t_minus_one") for f in _both_adam)))

ADAM_HATS_RETURNED = Hint(
    "You returned the bias-corrected m_hat and v_hat: return the raw moments m and v, "
    "which the next step keeps averaging; the correction is recomputed every step.",
    _trajectory_like("adam_step", *(_np_adam(f, "hats_returned") for f in _both_adam)))

ADAM_EPS_INSIDE = Hint(
    "You put epsilon inside the square root: Adam adds it outside, "
    "m_hat / (sqrt(v_hat) + epsilon).",
    _trajectory_like("adam_step", *(_np_adam(f, "eps_inside") for f in _both_adam)))

ADAM_POWER_PRECEDENCE = Hint(
    "Your bias correction computes (1 - beta1)**t: it is 1 - beta1**t "
    "(the power binds before the minus).",
    _trajectory_like("adam_step", *(_np_adam(f, "power_precedence") for f in _both_adam),
                     unless=[_np_adam("alg1", "no_bias_correction")]))

ADAM_M_ONLY = Hint(
    "You correct only m: v starts at 0 too, so divide it by (1 - beta2**t) as well "
    "(v_hat = v / (1 - beta2**t)).",
    _trajectory_like("adam_step", _np_adam("alg1", "m_only")))

ADAM_POWERS_SWAPPED = Hint(
    "Your corrections swap the betas: m goes with beta1, m_hat = m / (1 - beta1**t), "
    "and v with beta2, v_hat = v / (1 - beta2**t).",
    _trajectory_like("adam_step", *(_np_adam(f, "powers_swapped") for f in _both_adam)))


# ---------------------------------------------------------------- reduce_lr_on_plateau

# The reference drives Keras's own callback (reference_impl.optimizers). The
# losses here are multiples of 1/1024 and every min_delta is either 1e-4 or a
# multiple of 1/1024 (the boundary case), so no comparison is a float32
# near-tie: Keras compares through float32 tensors, a student in float64, and
# both agree on every case.
_GRID = 1024.0


def _plateau(*, start=8, improving=4, flat=12, step=0.25, noise=0):
    """Losses that improve for `improving` epochs, then wobble (noise: grid
    steps) without beating the best for `flat` epochs."""
    def make(rng):
        best = start - step * np.arange(improving + 1)
        flat_part = best[-1] + rng.integers(0, noise + 1, flat) / _GRID
        return np.concatenate([best, flat_part])
    return make


def _training_curve(n_epochs, floor_epoch):
    """A noisy validation curve: falls, reaches a floor, then creeps up (overfitting)."""
    def make(rng):
        epochs = np.arange(n_epochs)
        curve = 2.0 * np.exp(-epochs / 6.0) + 0.5 + 0.002 * np.maximum(epochs - floor_epoch, 0)
        wobble = rng.normal(0.0, 0.02, n_epochs)
        return np.round((curve + wobble) * _GRID) / _GRID
    return make


def _lr_case(losses, learning_rate, **settings):
    def make(rng):
        return {"val_losses": losses(rng), "learning_rate": learning_rate, **settings}
    return make


def _two_plateaus(rng):
    """Improve, plateau (a reduction), improve again (resets the wait), plateau again."""
    first = _plateau(start=4, improving=3, flat=5)(rng)
    second = first[-1] - 0.125 * np.arange(1, 4)
    third = second[-1] + rng.integers(0, 3, 6) / _GRID
    return np.concatenate([first, second, third])


def _exact_boundary(rng):
    """Each new loss beats the best by exactly min_delta (1/8), then by more: an
    improvement must be strictly larger than min_delta."""
    drops = rng.permutation([0.125, 0.125, 0.125, 0.25, 0.125, 0.375])
    return np.concatenate([[4.0], 4.0 - np.cumsum(drops)])


def simulate_plateau(val_losses, learning_rate, factor=0.1, patience=10, min_delta=1e-4,
                     cooldown=0, min_lr=0.0, *, mistake=None):
    """What an implementation with one `mistake` returns (for the hints only;
    the reference is Keras's callback): "patience+1" (reduces when wait >
    patience), "patience-1", "no_cooldown", "no_min_delta", "non_strict"
    (an improvement of exactly min_delta counts), "after_epoch" (lrs[t] is the
    rate set at the end of epoch t)."""
    patience = int(patience) + {"patience+1": 1, "patience-1": -1}.get(mistake, 0)
    cooldown = 0 if mistake == "no_cooldown" else int(cooldown)
    min_delta = 0.0 if mistake == "no_min_delta" else float(min_delta)
    lr, best, wait, cooling, rates = float(learning_rate), None, 0, 0, []
    for loss in np.asarray(val_losses, dtype=float):
        if mistake != "after_epoch":
            rates.append(lr)
        if cooling > 0:
            cooling, wait = cooling - 1, 0
        better = best is None or (loss + min_delta <= best if mistake == "non_strict"
                                  else loss + min_delta < best)
        if better:
            best, wait = loss, 0
        elif cooling == 0:
            wait += 1
            if wait >= patience and lr > min_lr:
                lr, cooling, wait = max(lr * float(factor), float(min_lr)), cooldown, 0
        if mistake == "after_epoch":
            rates.append(lr)
    return rates


def _plateau_mistake(mistake, when=None):
    def wrong(inputs):
        if when is not None and not when(inputs):
            return None
        kwargs = {k: v for k, v in inputs.items() if not k.startswith("_")}
        return simulate_plateau(**kwargs, mistake=mistake)
    return wrong


LR_PATIENCE_OFF_BY_ONE = Hint(
    "Your reductions come one epoch late or early: Keras counts the epochs without improvement "
    "(wait += 1) and reduces as soon as wait >= patience, so with patience 2 the rate drops "
    "after the second epoch that does not improve.",
    hints.matches(_plateau_mistake("patience+1"), _plateau_mistake("patience-1"), rtol=1e-12,
                  atol=0.0))

LR_NO_COOLDOWN = Hint(
    "Your rates ignore the cooldown: after a reduction Keras sets a counter to `cooldown`, "
    "decreases it first thing at the end of every epoch, and does not count an epoch as waiting "
    "while the counter is still positive (so cooldown c leaves c - 1 epochs unjudged).",
    hints.matches(_plateau_mistake("no_cooldown", when=lambda i: i.get("cooldown", 0) > 0),
                  rtol=1e-12, atol=0.0))

LR_MIN_DELTA = Hint(
    "An epoch improves only when its loss is lower than the best loss by more than min_delta "
    "(loss < best - min_delta, strictly): check how you use min_delta.",
    hints.matches(_plateau_mistake("no_min_delta"), _plateau_mistake("non_strict"),
                  rtol=1e-12, atol=0.0))

LR_AFTER_EPOCH = Hint(
    "Your list is shifted by one epoch: lrs[t] is the rate *in effect during* epoch t, so "
    "lrs[0] is the initial learning rate and a reduction decided after epoch t shows at lrs[t + 1].",
    hints.matches(_plateau_mistake("after_epoch"), rtol=1e-12, atol=0.0))

REDUCE_LR_CASES = [
    ("patience 2, factor 0.5: a plateau after 4 improving epochs",
     _lr_case(_plateau(improving=4, flat=8), 0.1, factor=0.5, patience=2), False),
    ("cooldown 2 after each reduction (patience 1)",
     _lr_case(_plateau(improving=2, flat=10, noise=3), 0.01, factor=0.5, patience=1,
              cooldown=2), False),
    ("min_delta 0.125: an improvement of exactly min_delta does not count",
     _lr_case(_exact_boundary, 1.0, factor=0.5, patience=1, min_delta=0.125), False),
    ("hidden: min_lr reached and kept", _lr_case(_plateau(improving=2, flat=16, noise=2), 0.1,
                                                 factor=0.5, patience=2, min_lr=0.01), True),
    ("hidden: the loss improves again after a reduction",
     _lr_case(_two_plateaus, 0.001, factor=0.2, patience=3), True),
    ("hidden: a noisy training curve with the default settings (patience 10)",
     _lr_case(_training_curve(80, 30), 0.001), True),
    ("hidden: patience 3, cooldown 3, factor 0.1, min_lr 1e-5",
     _lr_case(_training_curve(60, 15), 0.01, patience=3, cooldown=3, min_lr=1e-5), True),
]


# ---------------------------------------------------------------- the table

def _check(function, points, cases, hint_list):
    return Check(function=function, points=points, reference=REF + function,
                 returns="tuple" if STATE[function] else "array", verify=DataVerify(student_side.verify_steps, _reference_forms),
                 cases=[_case(label, function, make, hidden) for label, make, hidden in cases],
                 hints=hint_list)


ASSIGNMENT = Assignment(
    id="optimizers",
    title="Optimizers: SGD, momentum, Adagrad, Adam and a learning-rate schedule",
    checks=[
        _check("sgd_step", 10, [
            ("a vector, 5 steps, learning rate 0.1", _sgd((5,), 5, 0.1), False),
            ("a (3, 4) matrix, one step, learning rate 0.01", _sgd((3, 4), 1, 0.01), False),
            ("hidden: 20 steps", _sgd((6,), 20, 0.05), True),
            ("hidden: a 3-D parameter", _sgd((2, 2, 3), 4, 0.2), True),
            ("hidden: large gradients, learning rate 0.5", _sgd((4,), 6, 0.5, grad_scale=50.0),
             True),
        ], [SGD_ASCENT, SGD_NO_LR, SGD_UPDATE_ONLY]),
        _check("momentum_step", 20, [
            ("zero initial velocity, momentum 0.9, 10 steps", _momentum((5,), 10, 0.05, 0.9), False),
            ("a nonzero starting velocity (Keras sign), 3 steps",
             _momentum((4,), 3, 0.1, 0.8, start_velocity=True), False),
            ("hidden: momentum 0 (plain SGD), 5 steps", _momentum((6,), 5, 0.1, 0.0), True),
            ("hidden: a (3, 4) matrix, momentum 0.5, 20 steps", _momentum((3, 4), 20, 0.02, 0.5),
             True),
            ("hidden: nonzero velocity, momentum 0.99, 12 steps",
             _momentum((5,), 12, 0.01, 0.99, start_velocity=True), True),
            ("hidden: a single step", _momentum((7,), 1, 0.3, 0.9, start_velocity=True), True),
        ], [MOM_NO_LR, MOM_SIGN_CONVENTION, MOM_OLD_VELOCITY, MOM_EMA, MOM_LR_TWICE, MOM_PYTORCH]),
        _check("adagrad_step", 20, [
            ("zero accumulator, 10 steps, learning rate 0.1", _adagrad((5,), 10, 0.1), False),
            ("small gradients (~1e-6) where epsilon matters, default epsilon, 8 steps",
             _adagrad((4,), 8, 0.01, grad_scale=1e-6), False),
            ("epsilon 1e-3 passed as a keyword, gradients ~1e-2, 6 steps",
             _adagrad((4,), 6, 0.1, grad_scale=1e-2, epsilon=1e-3), False),
            ("hidden: a (3, 4) matrix, nonzero accumulator, 20 steps",
             _adagrad((3, 4), 20, 0.05, start_accumulator=2.0), True),
            ("hidden: tiny gradients (~1e-8), epsilon 1e-7",
             _adagrad((6,), 6, 0.01, grad_scale=1e-8, epsilon=1e-7), True),
            ("hidden: epsilon 1e-3", _adagrad((5,), 10, 0.1, grad_scale=1e-2, epsilon=1e-3), True),
            ("hidden: a single step from a large accumulator",
             _adagrad((6,), 1, 0.5, start_accumulator=50.0), True),
        ], [ADA_NO_ACCUMULATION, ADA_NO_SQRT, ADA_OLD_ACCUMULATOR, ADA_NO_EPSILON, ADA_ACCUMULATES_GRAD]),
        _check("adam_step", 30, [
            ("the first step (t = 1) from zero moments", _adam((5,), 1, 0.01), False),
            ("10 steps from t = 1", _adam((4,), 10, 0.01), False),
            ("small gradients (~1e-7) where epsilon matters, 8 steps",
             _adam((4,), 8, 0.001, grad_scale=1e-7), False),
            ("beta1 0.8, beta2 0.99 and epsilon 1e-4 passed as keywords, gradients ~1e-4, 6 steps",
             _adam((4,), 6, 0.01, grad_scale=1e-4, beta1=0.8, beta2=0.99, epsilon=1e-4), False),
            ("hidden: resume at t = 101 with nonzero moments, 5 steps",
             _adam((5,), 5, 0.01, t=101, resume=True), True),
            ("hidden: a (3, 4) matrix, betas (0.8, 0.99), 20 steps",
             _adam((3, 4), 20, 0.02, beta1=0.8, beta2=0.99), True),
            ("hidden: default hyperparameters, 6 steps", _adam((6,), 6, 0.001), True),
            ("hidden: tiny gradients with epsilon 1e-4, 8 steps",
             _adam((5,), 8, 0.01, grad_scale=1e-5, epsilon=1e-4), True),
            ("hidden: a single step at t = 3 with nonzero moments",
             _adam((6,), 1, 0.05, t=3, resume=True), True),
        ], [ADAM_NO_BIAS_CORRECTION, ADAM_STEP_COUNT, ADAM_HATS_RETURNED, ADAM_EPS_INSIDE,
            ADAM_POWER_PRECEDENCE, ADAM_M_ONLY, ADAM_POWERS_SWAPPED]),
        Check(function="reduce_lr_on_plateau", points=20, reference=REF + "reduce_lr_on_plateau",
              returns="list", rtol=1e-12, atol=0.0,
              cases=[Case(label, make, hidden=hidden) for label, make, hidden in REDUCE_LR_CASES],
              hints=[LR_PATIENCE_OFF_BY_ONE, LR_NO_COOLDOWN, LR_MIN_DELTA, LR_AFTER_EPOCH]),
    ],
)
