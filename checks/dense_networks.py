"""Checks for `dense_networks`: the lecture's Keras hands-on with fully-connected networks.

The student writes `build_regressor(n_inputs)` and
`build_classifier(n_inputs, n_classes)`, each returning a compiled
`keras.Model`. As in `cnn_physics`, every case runs the driver
`checks/student_side/dense_networks.py` in the student process: it
builds the model and answers with plain data (a description with the model's
layers and loss, or the predictions for held-out inputs after training).
Everything the driver says is untrusted: fields are validated here, and the
metric is computed here from the raw predictions and targets that never left
the grader.

Each function has four cases, each failing for one reason only:

- three visible structure cases (2 points each): a compiled keras.Model; the
  output shape; the parameter budget;
- one hidden performance case (44 points): train on the public training set
  for the fixed budget, predict held-out points generated from the student's
  secret seed, score with partial credit between two thresholds (MSE relative
  to the noise for the regressor, accuracy for the classifier).

The achieved metric goes into the feedback and, as `Partial.metrics`, into
results.json's extra_data.

Structural hints read the driver's layer summary (not a guess from the
score): a network without activations between its Dense layers, an
activation on the regression output, softmax or sigmoid in hidden layers, a
loss that does not fit the output, a model over the parameter budget.

Data, budget and thresholds live in `reference_impl/dense_networks_data.py`,
the code the student notebook carries verbatim in a locked cell.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from autograder import hints
from autograder.spec import Assignment, Case, Check, DataVerify, Hint, Partial
from checks.student_side import dense_networks as student_side
from reference_impl.dense_networks_data import (
    ACCURACY_FULL, ACCURACY_ZERO, BATCH_SIZE, CLASSIFICATION_SEED, EPOCHS, MAX_PARAMS,
    MSE_RATIO_FULL, MSE_RATIO_ZERO, N_CLASSES, N_INPUTS_CLASSIFICATION, N_INPUTS_REGRESSION,
    N_TRAIN, NOISE, REGRESSION_SEED, TIME_LIMIT, accuracy, classification_score,
    generate_regression, generate_spiral, mse_ratio, regression_score)

N_TEST = 4000            # held-out points per student and task (the MSE ratio of a perfect
                         # model then scatters by about 0.02, the accuracy by about 0.005)
DRIVER = "dense_networks"
REGRESSION, CLASSIFICATION = "regression", "classification"


# ---------------------------------------------------------------- inputs

@functools.lru_cache(maxsize=2)
def training_set(task):
    """The public training set of a task (the notebook makes the same one)."""
    x, y = (generate_regression(N_TRAIN, REGRESSION_SEED) if task == REGRESSION
            else generate_spiral(N_TRAIN, CLASSIFICATION_SEED))
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def _base(task, mode, seed=0):
    if task == REGRESSION:
        return {"mode": mode, "n_inputs": N_INPUTS_REGRESSION, "seed": seed}
    return {"mode": mode, "n_inputs": N_INPUTS_CLASSIFICATION, "n_classes": N_CLASSES, "seed": seed}


def _structure_inputs(task, aspect):
    def make(rng):
        return {**_base(task, "inspect"), "_task": task, "_aspect": aspect}
    return make


def _performance_inputs(task):
    """Training data (public), held-out inputs from the student's seed; their
    targets stay here under a private key that is never sent."""
    def make(rng):
        x, y = training_set(task)
        test_seed = int(rng.integers(2**63))
        x_test, y_test = (generate_regression(N_TEST, test_seed) if task == REGRESSION
                          else generate_spiral(N_TEST, test_seed))
        return {**_base(task, "train", seed=int(rng.integers(2**31))), "x_train": x,
                "y_train": y, "x_test": x_test, "epochs": EPOCHS, "batch_size": BATCH_SIZE,
                "time_limit": TIME_LIMIT, "max_params": MAX_PARAMS,
                "_targets": y_test, "_task": task, "_aspect": "performance"}
    return make


def _public(inputs) -> dict:
    """What may enter the student process: never the private (underscore) keys."""
    return {k: v for k, v in inputs.items() if not k.startswith("_")}


def _n_outputs(task):
    return 1 if task == REGRESSION else N_CLASSES


def _function(task):
    return "build_regressor" if task == REGRESSION else "build_classifier"


# ---------------------------------------------------------------- reading the driver's answer

# ---------------------------------------------------------------- the property check

# What the shipped structure checks and messages need to know (data, not code).
LIMITS = {"max_params": MAX_PARAMS, "n_classes": N_CLASSES, "regression": REGRESSION,
          "n_inputs": {REGRESSION: N_INPUTS_REGRESSION, CLASSIFICATION: N_INPUTS_CLASSIFICATION}}
verify_structure = DataVerify(student_side.verify_structure, lambda inputs: {"limits": LIMITS})
dense_layers = student_side.dense_layers


def _problem_message(task, got):
    return student_side.problem_message(task, got, LIMITS)


def _field(got, key, kinds, default=None):
    return student_side.field(got, key, kinds, default)


def _shape_text(shape) -> str:
    return student_side.shape_text(shape)



def verify(call, inputs):
    """The property check of every case: `_aspect` says what the case is about."""
    if inputs["_aspect"] == "performance":
        return verify_performance(call, inputs)
    return verify_structure(call, inputs)


verify.public = verify_structure  # what checks the public cases (they are all structure cases)


def verify_performance(call, inputs):
    task = inputs["_task"]
    targets = np.asarray(inputs["_targets"])
    got = call(**_public(inputs))
    message = _problem_message(task, got)
    if message is not None:
        return [message]
    predictions = got.get("predictions")
    if not isinstance(predictions, np.ndarray) or predictions.dtype.kind not in "biuf":
        return ["the trained model's predictions did not come back as a numeric array"]
    expected = (len(targets), _n_outputs(task))
    if predictions.shape != expected:
        return [f"model.predict returned shape {_shape_text(predictions.shape)} for "
                f"{len(targets)} points; expected {_shape_text(expected)}"]
    predictions = predictions.astype(np.float64)
    notes = _training_notes(got)
    if not np.all(np.isfinite(predictions)):
        return ["the predictions contain NaN or infinity: training diverged (is the learning "
                "rate too large?)" + "".join(" " + n for n in notes)]
    if task == REGRESSION:
        ratio = mse_ratio(targets, predictions)
        fraction = regression_score(ratio)
        text = (f"mean squared error {ratio:.2f} x the noise variance ({NOISE}^2) on "
                f"{len(targets)} held-out points: {fraction:.0%} of the points (full marks up "
                f"to {MSE_RATIO_FULL:g}, none from {MSE_RATIO_ZERO:g}; 1 would mean only the "
                "noise is left).")
        metrics = {"mse_over_noise_variance": round(ratio, 4)}
    else:
        acc = accuracy(targets, predictions)
        fraction = classification_score(acc)
        text = (f"accuracy {acc:.1%} on {len(targets)} held-out points: {fraction:.0%} of the "
                f"points (none up to {ACCURACY_ZERO:.0%}, full marks from {ACCURACY_FULL:.0%}).")
        metrics = {"accuracy": round(acc, 4)}
    return Partial(fraction, " ".join([text] + notes), metrics=metrics)


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


# ---------------------------------------------------------------- reading the layers

def _limits(inputs):
    return {"limits": LIMITS}


LINEAR_NETWORK = Hint(
    "Your network is linear: without a non-linear activation between the Dense layers, "
    "Dense(W2) after Dense(W1) is just one Dense layer with W = W1 W2, however many layers "
    "you stack. Give the hidden layers activation=\"relu\".",
    hints.local(student_side.network_is_linear, make_args=_limits))

REGRESSION_OUTPUT_ACTIVATION = Hint(
    "Your regression output has an activation: sigmoid and tanh are bounded and ReLU cannot go "
    "below 0, but these targets range from about -0.9 to 1.9. A regression output is a plain "
    "Dense(1) (linear activation).",
    hints.local(student_side.activation_on_regression_output, make_args=_limits))

SQUASHING_HIDDEN = Hint(
    "Softmax or sigmoid in a hidden layer: softmax forces each layer's outputs to sum to 1 and "
    "sigmoids saturate (their gradient is at most 1/4, so it shrinks layer by layer). Use ReLU in "
    "the hidden layers; softmax and sigmoid belong on a classifier's output.",
    hints.local(student_side.squashing_hidden_layers, make_args=_limits))

REGRESSOR_LOSS_MISMATCH = Hint(
    "The loss does not fit the output: a regression with a linear output minimises the mean "
    "squared error (loss=\"mse\"). Cross-entropies are for class probabilities; "
    "categorical cross-entropy on one output unit is always 0, so nothing is learnt.",
    hints.local(student_side.loss_does_not_fit_output, make_args=_limits))


OVER_BUDGET_REGRESSOR = Hint(
    f"Your model is over the budget of {MAX_PARAMS:,} parameters (the count is in the parameter "
    "test). A Dense layer from n to m units has (n + 1) * m parameters: two hidden layers of 30 "
    "units need about 1,000; width costs quadratically.",
    hints.local(student_side.over_budget, make_args=_limits))

OVER_BUDGET_CLASSIFIER = Hint(
    f"Your model is over the budget of {MAX_PARAMS:,} parameters (the count is in the parameter "
    "test). A Dense layer from n to m units has (n + 1) * m parameters: the lecture's two hidden "
    "layers of 30 units need about 1,100 here.",
    hints.local(student_side.over_budget, make_args=_limits))

LINEAR_CLASSIFIER = Hint(
    "Your network is linear before its softmax: without a non-linear activation between the "
    "Dense layers they collapse into one, and the class boundaries are straight lines, which "
    "cannot follow spiral arms. Give the hidden layers activation=\"relu\".",
    hints.local(student_side.network_is_linear, make_args=_limits))

SQUASHING_HIDDEN_CLASSIFIER = Hint(
    "Softmax or sigmoid in a hidden layer: only the output layer turns scores into class "
    "probabilities. In hidden layers softmax couples the units (they must sum to 1) and sigmoids "
    "saturate; use ReLU there.",
    hints.local(student_side.squashing_hidden_layers, make_args=_limits))

CLASSIFIER_LOSS_MISMATCH = Hint(
    "The loss does not fit the output: a softmax output over one-hot targets is trained with "
    "loss=\"categorical_crossentropy\" (sparse_categorical_crossentropy wants class numbers; "
    "the mean squared error on probabilities learns slowly; a linear output needs "
    "from_logits=True).",
    hints.local(student_side.loss_does_not_fit_output, make_args=_limits))


# ---------------------------------------------------------------- the table

STRUCTURE_WEIGHT, PERFORMANCE_WEIGHT = 1, 22   # 3 x 2 points + 44 points per function


def _cases(task):
    n_in = N_INPUTS_REGRESSION if task == REGRESSION else N_INPUTS_CLASSIFICATION
    n_out = _n_outputs(task)
    if task == REGRESSION:
        performance = (f"hidden: mean squared error relative to the noise on your held-out points "
                       f"after training (full marks up to {MSE_RATIO_FULL:g})")
    else:
        performance = (f"hidden: accuracy on your held-out spiral points after training "
                       f"(full marks from {ACCURACY_FULL:.0%})")
    return [
        Case("returns a compiled keras.Model", _structure_inputs(task, "compiled"),
             weight=STRUCTURE_WEIGHT),
        Case(f"output shape (N, {n_in}) -> (N, {n_out})", _structure_inputs(task, "output"),
             weight=STRUCTURE_WEIGHT),
        Case(f"at most {MAX_PARAMS:,} parameters", _structure_inputs(task, "params"),
             weight=STRUCTURE_WEIGHT),
        Case(performance, _performance_inputs(task), hidden=True, weight=PERFORMANCE_WEIGHT),
    ]


def _check(task, hint_list):
    return Check(function=_function(task), points=50, driver=DRIVER, verify=verify,
                 returns="dict", timeout=TIME_LIMIT + 60.0, cases=_cases(task), hints=hint_list)


ASSIGNMENT = Assignment(
    id="dense_networks",
    title="Fully-connected networks in Keras: a wave packet and a spiral",
    numpy_only=False,                     # the student process imports TensorFlow/Keras
    gpu=True,
    # Two tiny models: TensorFlow itself is most of the memory (cnn_physics's
    # solution passes from 1792 MB); the same 3072 MB leaves room.
    memory_mb=3072,
    # Student TF import ~6 s, six structure cases ~2 s, two trainings of at most
    # TIME_LIMIT each (about 10 s on 2 free cores), predictions.
    time_budget=240.0,
    checks=[
        _check(REGRESSION, [LINEAR_NETWORK, REGRESSION_OUTPUT_ACTIVATION, SQUASHING_HIDDEN,
                            REGRESSOR_LOSS_MISMATCH, OVER_BUDGET_REGRESSOR]),
        _check(CLASSIFICATION, [LINEAR_CLASSIFIER, SQUASHING_HIDDEN_CLASSIFIER,
                                CLASSIFIER_LOSS_MISMATCH, OVER_BUDGET_CLASSIFIER]),
    ],
)
