"""Checks for `cnn_physics`: a Keras CNN that tells electrons from pions in a calorimeter.

The student writes `build_model(input_shape, n_outputs)` returning a compiled
`keras.Model`. A Keras model cannot leave the student process, so every case
runs the driver `autograder/sandbox/drivers/cnn_physics.py` there: it builds
the model and answers with plain data (a description, a timing, or the
predictions for held-out images after training). Everything the driver says is
untrusted: shapes and types are validated here, and the physics metric is
computed here from the raw predictions and labels that never left the grader.

One check, five cases, each failing for one reason only:

- four visible structure cases (2 points each): a compiled keras.Model; one
  output per image; the parameter budget; the training speed (the full
  budget must fit into TIME_LIMIT seconds);
- one hidden performance case (92 points): train on the public training set
  for the fixed budget, predict held-out showers generated from the
  student's secret seed, and score the pion rejection at 90 % electron
  efficiency with partial credit between two thresholds (linear in the
  logarithm of the rejection).

The 2/92 split uses cases of different weight (`Case.weight`).

Data, budget and thresholds live in `reference_impl/cnn_physics_data.py`, the
code the student notebook carries verbatim in a locked cell.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from autograder.spec import Assignment, Case, Check, Hint, Partial
from reference_impl.cnn_physics_data import (BATCH_SIZE, EFFICIENCY, EPOCHS, IMAGE_SHAPE,
                                             MAX_PARAMS, N_OUTPUTS, N_TRAIN, REJECTION_FULL,
                                             REJECTION_ZERO, TIME_LIMIT, TRAIN_SEED,
                                             generate_showers, performance_score,
                                             pion_rejection, roc_auc)

N_TEST = 10_000          # held-out showers per student (5000 pions: about 5 % statistical
                         # uncertainty on a rejection of 10, where full marks begin)
TIMING_SAMPLES = 24 * BATCH_SIZE   # images sent for the speed measurement
TIMING_SECONDS = 5.0     # how long the driver times training steps
DRIVER = "cnn_physics"


# ---------------------------------------------------------------- inputs

@functools.lru_cache(maxsize=1)
def training_set():
    """The public training set (the notebook makes the same one)."""
    x, y, _ = generate_showers(N_TRAIN, TRAIN_SEED)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def _base(mode, seed=0):
    return {"mode": mode, "input_shape": list(IMAGE_SHAPE), "n_outputs": N_OUTPUTS, "seed": seed}


def _structure_inputs(aspect):
    def make(rng):
        if aspect == "speed":
            x, y = training_set()
            return {**_base("timing"), "x_train": x[:TIMING_SAMPLES], "y_train": y[:TIMING_SAMPLES],
                    "epochs": EPOCHS, "batch_size": BATCH_SIZE, "n_train": N_TRAIN,
                    "timing_seconds": TIMING_SECONDS, "_aspect": aspect}
        return {**_base("inspect"), "_aspect": aspect}
    return make


def _performance_inputs(rng):
    """Training data (public), held-out images from the student's seed; their
    labels stay here under a private key that is never sent."""
    x, y = training_set()
    x_test, y_test, energy = generate_showers(N_TEST, int(rng.integers(2**63)))
    return {**_base("train", seed=int(rng.integers(2**31))), "x_train": x, "y_train": y,
            "x_test": x_test, "epochs": EPOCHS, "batch_size": BATCH_SIZE,
            "time_limit": TIME_LIMIT, "max_params": MAX_PARAMS,
            "_labels": y_test, "_energy": energy, "_aspect": "performance"}


def _public(inputs) -> dict:
    """What may enter the student process: never the private (underscore) keys."""
    return {k: v for k, v in inputs.items() if not k.startswith("_")}


# ---------------------------------------------------------------- reading the driver's answer

def _field(got, key, kinds, default=None):
    """got[key] when got is a dict and the value has one of `kinds` (bool is not an int here)."""
    value = got.get(key, default) if isinstance(got, dict) else default
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if isinstance(value, bool) and bool not in kinds:
        return default
    return value if isinstance(value, kinds) else default


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


_EXPECTED_OUT = [2, N_OUTPUTS]


def _problem_message(got) -> str | None:
    """The driver's own findings, in words; None when it found nothing."""
    if not isinstance(got, dict):
        return f"the grader's training routine returned {type(got).__name__}, not its report " \
               "(did your code replace it?)"
    problem = got.get("problem")
    if problem is None:
        return None
    kind = str(_field(got, "type", str, "?"))[:80]
    if problem == "not_a_model" and kind == "NoneType":
        return ("build_model returned None, not a keras.Model: a missing return statement, or "
                "`return model.compile(...)` (compile returns None: compile, then return the model)")
    if problem == "not_a_model":
        return (f"build_model returned a {kind}, not a keras.Model: return the model object "
                "itself (keras.Sequential([...]) or keras.Model(inputs, outputs)), compiled")
    if problem == "not_compiled":
        return ("the model is not compiled: call model.compile(optimizer=..., loss=...) inside "
                "build_model before returning it; the grader trains it with model.fit as it is")
    if problem == "output_shape":
        return _output_message(got)
    if problem == "over_budget":
        return (f"not trained: the model has {_field(got, 'n_params', int, -1):,} parameters, "
                f"the budget is {MAX_PARAMS:,}")
    if problem == "several_outputs":
        return "the model returns several outputs; it must return one tensor of shape (N, 1)"
    return f"the model could not be used ({str(problem)[:100]})"


def _output_message(got) -> str:
    error = _field(got, "output_error", str, "")
    if error:
        return f"{error[:400]}"
    shape = _field(got, "output_shape", list)
    if shape is None:
        return "the output shape of the model could not be determined"
    return (f"for a batch of shape {_shape_text((2, *IMAGE_SHAPE))} the model returns shape "
            f"{_shape_text(shape)}; expected {_shape_text(_EXPECTED_OUT)}: one score per image "
            f"(n_outputs = {N_OUTPUTS})")


# ---------------------------------------------------------------- structure (property check)

def verify(call, inputs):
    """The property check of every case: `_aspect` says what the case is about."""
    if inputs["_aspect"] == "performance":
        return verify_performance(call, inputs)
    return verify_structure(call, inputs)


def verify_structure(call, inputs) -> list[str]:
    """One aspect per case, so that each reason to fail shows on its own line."""
    aspect = inputs["_aspect"]
    got = call(**_public(inputs))
    if not isinstance(got, dict):
        return [_problem_message(got)]
    if got.get("problem") == "not_a_model":
        return [_problem_message(got)]
    if aspect == "compiled":
        return [] if got.get("compiled") is True else [_problem_message({**got, "problem": "not_compiled"})]
    if aspect == "output":
        shape = _field(got, "output_shape", list)
        if _field(got, "output_error", str, "") or shape != _EXPECTED_OUT:
            return [_output_message(got)]
        return []
    if aspect == "params":
        n = _field(got, "n_params", int, -1)
        if n < 0:
            return ["the number of parameters could not be counted (model.count_params() failed)"]
        if n > MAX_PARAMS:
            return [f"the model has {n:,} parameters; the budget is {MAX_PARAMS:,}"]
        return []
    if aspect == "speed":
        return _speed_problems(got)
    raise ValueError(f"unknown aspect {aspect!r}")  # a grader bug


def _speed_problems(got) -> list[str]:
    if got.get("problem") in ("not_compiled", "output_shape", "several_outputs"):
        return ["training speed not measured: " + _problem_message(got)]
    estimate = _field(got, "estimated_seconds", (int, float))
    per_batch = _field(got, "seconds_per_batch", (int, float))
    if estimate is None or per_batch is None or not math.isfinite(estimate):
        return ["the training speed could not be measured"]
    steps = EPOCHS * math.ceil(N_TRAIN / BATCH_SIZE)
    if estimate > TIME_LIMIT:
        return [f"training is too slow: {1000 * per_batch:.0f} ms per batch of {BATCH_SIZE}, so the "
                f"budget of {EPOCHS} epochs ({steps} batches) would take about {estimate:.0f} s "
                f"on the grader; the limit is {TIME_LIMIT:.0f} s. Training stops there."]
    return []


# ---------------------------------------------------------------- performance (partial credit)

def verify_performance(call, inputs):
    labels = np.asarray(inputs["_labels"])
    got = call(**_public(inputs))
    message = _problem_message(got)
    if message is not None:
        return [message]
    predictions = got.get("predictions")
    if not isinstance(predictions, np.ndarray) or predictions.dtype.kind not in "biuf":
        return ["the trained model's predictions did not come back as a numeric array"]
    expected = (len(labels), N_OUTPUTS)
    if predictions.shape != expected:
        return [f"model.predict returned shape {_shape_text(predictions.shape)} for "
                f"{len(labels)} images; expected {_shape_text(expected)}"]
    scores = predictions[:, 0].astype(np.float64)
    notes = _training_notes(got)
    if not np.all(np.isfinite(scores)):
        return ["the predictions contain NaN or infinity: training diverged (is the learning "
                "rate too large, are the inputs normalised?)" + "".join(" " + n for n in notes)]
    rejection = pion_rejection(labels, scores, EFFICIENCY)
    auc = roc_auc(labels, scores)
    fraction = performance_score(rejection)
    text = (f"pion rejection {rejection:.1f} at {EFFICIENCY:.0%} electron efficiency "
            f"(ROC AUC {auc:.3f}) on {len(labels)} held-out showers: {fraction:.0%} of the points "
            f"(0 % at a rejection of {REJECTION_ZERO:g} or less, full marks from {REJECTION_FULL:g}).")
    if np.ptp(scores) == 0:
        notes.insert(0, "All predictions are the same number, so the model cannot separate "
                     "anything: a softmax over a single unit is always 1 (use a sigmoid), and "
                     "categorical cross-entropy with one output is always 0 (use binary cross-entropy).")
    elif auc < 0.3:
        notes.insert(0, "Your scores are larger for pions than for electrons: the score must grow "
                     "with the probability of label 1 (electron).")
    return Partial(fraction, " ".join([text] + notes),
                   metrics={"pion_rejection": round(rejection, 4), "roc_auc": round(auc, 4)})


def _training_notes(got) -> list[str]:
    notes = []
    losses = got.get("losses")
    if isinstance(losses, list) and losses and all(isinstance(v, (int, float)) for v in losses):
        finite = [v for v in losses if math.isfinite(v)]
        if len(finite) < len(losses):
            notes.append("The training loss became NaN or infinite.")
        elif len(losses) >= 2 and losses[-1] > 0.98 * losses[0]:
            notes.append(f"The training loss hardly decreased ({losses[0]:.3g} -> {losses[-1]:.3g}): "
                         "check the loss, the output activation and the learning rate.")
        else:
            notes.append(f"Training loss {losses[0]:.3g} -> {losses[-1]:.3g}.")
    if got.get("stopped_by_time_limit") is True:
        done = _field(got, "epochs_completed", int, 0)
        notes.append(f"Training was stopped at the time limit of {TIME_LIMIT:.0f} s after "
                     f"{done} of {EPOCHS} complete epochs.")
    return notes


# ---------------------------------------------------------------- hints (structure check)

def _got(detect):
    def wrapped(inputs, got, expected):
        try:
            return isinstance(got, dict) and bool(detect(got))
        except Exception:
            return False
    return wrapped


NOT_COMPILED = Hint(
    "Keras trains only a compiled model: end build_model with "
    "model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=\"binary_crossentropy\") and "
    "return the model (compile returns None, so don't return its result).",
    _got(lambda g: g.get("is_model") is True and g.get("compiled") is not True))

NOT_A_MODEL = Hint(
    "build_model must return the Keras model object itself: not the class or function that "
    "makes it, not a (model, history) pair, not the result of fit or predict.",
    _got(lambda g: g.get("problem") == "not_a_model" and g.get("type") != "NoneType"))

RETURNS_NONE = Hint(
    "model.compile(...) changes the model in place and returns None: write "
    "`model.compile(...)` on its own line, then `return model`.",
    _got(lambda g: g.get("problem") == "not_a_model" and g.get("type") == "NoneType"))

TWO_CLASS_OUTPUT = Hint(
    "Two output units with a softmax describe two classes; here one sigmoid unit gives the "
    "electron probability: Dense(n_outputs, activation=\"sigmoid\") with n_outputs = 1.",
    _got(lambda g: g.get("output_shape") == [2, 2]))

SPATIAL_OUTPUT = Hint(
    "Your output still has the image axes: reduce the feature maps to one vector per image "
    "(GlobalAveragePooling2D, GlobalMaxPooling2D or Flatten) before the Dense output layer.",
    _got(lambda g: isinstance(g.get("output_shape"), list) and len(g["output_shape"]) == 4))

FLATTEN_BUDGET = Hint(
    "Most parameters of a small CNN sit in the Dense layer after Flatten (inputs = "
    "height x width x channels of the last feature map): pool more, or use "
    "GlobalAveragePooling2D, which has no parameters at all.",
    _got(lambda g: isinstance(g.get("n_params"), int) and g["n_params"] > MAX_PARAMS
         and "Flatten" in g.get("layers", [])))

NO_POOLING_SLOW = Hint(
    "Every convolution at full 16 x 16 resolution costs 4 times more than after one 2 x 2 "
    "pooling: pool early (MaxPooling2D) and keep the wide layers at low resolution.",
    _got(lambda g: isinstance(g.get("estimated_seconds"), (int, float))
         and g["estimated_seconds"] > TIME_LIMIT
         and not any("Pool" in str(layer) for layer in g.get("layers", []))))


# ---------------------------------------------------------------- the table

STRUCTURE_WEIGHT, PERFORMANCE_WEIGHT = 1, 46   # 4 x 2 points + 92 points


def _case(label, make, hidden=False, weight=1):
    return Case(label, make, hidden=hidden, weight=weight)


STRUCTURE_CASES = [
    _case("returns a compiled keras.Model", _structure_inputs("compiled"), weight=STRUCTURE_WEIGHT),
    _case(f"one output per image: (N, {_shape_text(IMAGE_SHAPE)[1:-1]}) -> (N, {N_OUTPUTS})",
          _structure_inputs("output"), weight=STRUCTURE_WEIGHT),
    _case(f"at most {MAX_PARAMS:,} parameters", _structure_inputs("params"), weight=STRUCTURE_WEIGHT),
    _case(f"trains {EPOCHS} epochs of {N_TRAIN} showers within {TIME_LIMIT:.0f} s",
          _structure_inputs("speed"), weight=STRUCTURE_WEIGHT),
]
PERFORMANCE_CASE = _case(f"hidden: pion rejection at {EFFICIENCY:.0%} electron efficiency on your "
                         "held-out showers after training", _performance_inputs, hidden=True,
                         weight=PERFORMANCE_WEIGHT)

ASSIGNMENT = Assignment(
    id="cnn_physics",
    title="A CNN for calorimeter images: electron or pion?",
    numpy_only=False,                     # the student process imports TensorFlow/Keras
    gpu=True,
    # Measured (bubblewrap, MALLOC_ARENA_MAX=2, one TF thread): the solution is killed at
    # 1664 MB during training and passes from 1792 MB; 3072 MB leaves room for larger models.
    memory_mb=3072,
    # A typical grading takes 20-30 s on 2 CPU cores (student TF import ~6 s, structure cases
    # ~3 s, training ~10-20 s). Worst case: load + speed case + TIME_LIMIT + prediction.
    time_budget=240.0,
    checks=[
        Check(
            function="build_model", points=100, driver=DRIVER, verify=verify, returns="dict",
            timeout=TIME_LIMIT + 90.0,
            cases=[*STRUCTURE_CASES, PERFORMANCE_CASE],
            hints=[NOT_A_MODEL, RETURNS_NONE, NOT_COMPILED, TWO_CLASS_OUTPUT, SPATIAL_OUTPUT,
                   FLATTEN_BUDGET, NO_POOLING_SLOW],
        ),
    ],
)
