"""Checks for `cnn_physics`: a Keras CNN that tells electrons from pions in a calorimeter.

The student writes `build_model(input_shape, n_outputs)` returning a compiled
`keras.Model`. A Keras model cannot leave the student process, so every case
runs the driver `checks/student_side/cnn_physics.py` there: it builds
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

from autograder import hints
from autograder.spec import Assignment, Case, Check, DataVerify, Hint, Partial
from checks.student_side import cnn_physics as student_side
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


# What the shipped structure checks and messages need to know (data, not code).
LIMITS = {"max_params": MAX_PARAMS, "image_shape": list(IMAGE_SHAPE), "n_outputs": N_OUTPUTS,
          "epochs": EPOCHS, "n_train": N_TRAIN, "batch_size": BATCH_SIZE, "time_limit": TIME_LIMIT}
verify_structure = DataVerify(student_side.verify_structure, lambda inputs: {"limits": LIMITS})


def _problem_message(got):
    return student_side.problem_message(got, LIMITS)


def _public(inputs) -> dict:
    """What may enter the student process: never the private (underscore) keys."""
    return {k: v for k, v in inputs.items() if not k.startswith("_")}


# ---------------------------------------------------------------- reading the driver's answer

# ---------------------------------------------------------------- structure (property check)

def verify(call, inputs):
    """The property check of every case: `_aspect` says what the case is about."""
    if inputs["_aspect"] == "performance":
        return verify_performance(call, inputs)
    return verify_structure(call, inputs)


verify.public = verify_structure  # what checks the public cases (they are all structure cases)


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
        return [f"model.predict returned shape {student_side.shape_text(predictions.shape)} for "
                f"{len(labels)} images; expected {student_side.shape_text(expected)}"]
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
        done = student_side.field(got, "epochs_completed", int, 0)
        notes.append(f"Training was stopped at the time limit of {TIME_LIMIT:.0f} s after "
                     f"{done} of {EPOCHS} complete epochs.")
    return notes


# ---------------------------------------------------------------- hints (structure check)

NOT_COMPILED = Hint(
    "Keras trains only a compiled model: end build_model with "
    "model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=\"binary_crossentropy\") and "
    "return the model (compile returns None, so don't return its result).",
    hints.local(student_side.hint_not_compiled))

NOT_A_MODEL = Hint(
    "build_model must return the Keras model object itself: not the class or function that "
    "makes it, not a (model, history) pair, not the result of fit or predict.",
    hints.local(student_side.hint_not_a_model))

RETURNS_NONE = Hint(
    "model.compile(...) changes the model in place and returns None: write "
    "`model.compile(...)` on its own line, then `return model`.",
    hints.local(student_side.hint_returns_none))

TWO_CLASS_OUTPUT = Hint(
    "Two output units with a softmax describe two classes; here one sigmoid unit gives the "
    "electron probability: Dense(n_outputs, activation=\"sigmoid\") with n_outputs = 1.",
    hints.local(student_side.hint_two_class_output))

SPATIAL_OUTPUT = Hint(
    "Your output still has the image axes: reduce the feature maps to one vector per image "
    "(GlobalAveragePooling2D, GlobalMaxPooling2D or Flatten) before the Dense output layer.",
    hints.local(student_side.hint_spatial_output))

FLATTEN_BUDGET = Hint(
    "Most parameters of a small CNN sit in the Dense layer after Flatten (inputs = "
    "height x width x channels of the last feature map): pool more, or use "
    "GlobalAveragePooling2D, which has no parameters at all.",
    hints.local(student_side.hint_flatten_budget, make_args=lambda i: {"max_params": MAX_PARAMS}))

NO_POOLING_SLOW = Hint(
    "Every convolution at full 16 x 16 resolution costs 4 times more than after one 2 x 2 "
    "pooling: pool early (MaxPooling2D) and keep the wide layers at low resolution.",
    hints.local(student_side.hint_no_pooling_slow, make_args=lambda i: {"time_limit": TIME_LIMIT}))


# ---------------------------------------------------------------- the table

STRUCTURE_WEIGHT, PERFORMANCE_WEIGHT = 1, 46   # 4 x 2 points + 92 points


def _case(label, make, hidden=False, weight=1, in_kit=True):
    return Case(label, make, hidden=hidden, weight=weight, in_kit=in_kit)


STRUCTURE_CASES = [
    _case("returns a compiled keras.Model", _structure_inputs("compiled"), weight=STRUCTURE_WEIGHT),
    _case(f"one output per image: (N, {student_side.shape_text(IMAGE_SHAPE)[1:-1]}) -> (N, {N_OUTPUTS})",
          _structure_inputs("output"), weight=STRUCTURE_WEIGHT),
    _case(f"at most {MAX_PARAMS:,} parameters", _structure_inputs("params"), weight=STRUCTURE_WEIGHT),
    _case(f"trains {EPOCHS} epochs of {N_TRAIN} showers within {TIME_LIMIT:.0f} s",
          _structure_inputs("speed"), weight=STRUCTURE_WEIGHT,
          # 2 MB of training images, and a timing on the student's machine says little
          # about the grader's: the student kit leaves this case to the grader
          in_kit=False),
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
