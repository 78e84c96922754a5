"""Checks for `dense_networks`: the lecture's Keras hands-on with fully-connected networks.

The student writes `build_regressor(n_inputs)` and
`build_classifier(n_inputs, n_classes)`, each returning a compiled
`keras.Model`. As in `cnn_physics`, every case runs the driver
`autograder/sandbox/drivers/dense_networks.py` in the student process: it
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

from autograder.spec import Assignment, Case, Check, Hint, Partial
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

def _field(got, key, kinds, default=None):
    """got[key] when got is a dict and the value has one of `kinds` (bool is not an int here)."""
    value = got.get(key, default) if isinstance(got, dict) else default
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if isinstance(value, bool) and bool not in kinds:
        return default
    return value if isinstance(value, kinds) else default


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _problem_message(task, got) -> str | None:
    """The driver's own findings, in the grader's words; None when it found nothing."""
    name = _function(task)
    if not isinstance(got, dict):
        return f"the grader's training routine returned {type(got).__name__}, not its report " \
               "(did your code replace it?)"
    problem = got.get("problem")
    if problem is None:
        return None
    if problem == "not_a_model" and got.get("type") == "NoneType":
        return (f"{name} returned None, not a keras.Model: a missing return statement, or "
                "`return model.compile(...)` (compile returns None: compile, then return the model)")
    if problem == "not_a_model":
        return (f"{name} did not return a keras.Model: return the model object itself "
                "(keras.Sequential([...]) or keras.Model(inputs, outputs)), compiled")
    if problem == "not_compiled":
        return (f"the model is not compiled: call model.compile(optimizer=..., loss=...) inside "
                f"{name} before returning it; the grader trains it with model.fit as it is")
    if problem == "output_shape":
        return _output_message(task, got)
    if problem == "over_budget":
        return (f"not trained: the model has {_field(got, 'n_params', int, -1):,} parameters, "
                f"the budget is {MAX_PARAMS:,}")
    if problem == "several_outputs":
        return "the model returns several outputs; it must return one tensor"
    return "the model could not be used"


def _output_message(task, got) -> str:
    error = _field(got, "output_error", str, "")
    if error:
        return error[:400]
    shape = _field(got, "output_shape", list)
    n_in = N_INPUTS_REGRESSION if task == REGRESSION else N_INPUTS_CLASSIFICATION
    if shape is None:
        return "the output shape of the model could not be determined"
    what = "one number per point" if task == REGRESSION else \
        f"one probability per class (n_classes = {N_CLASSES})"
    return (f"for a batch of shape {_shape_text((2, n_in))} the model returns shape "
            f"{_shape_text(shape)}; expected {_shape_text((2, _n_outputs(task)))}: {what}")


# ---------------------------------------------------------------- the property check

def verify(call, inputs):
    """The property check of every case: `_aspect` says what the case is about."""
    if inputs["_aspect"] == "performance":
        return verify_performance(call, inputs)
    return verify_structure(call, inputs)


def verify_structure(call, inputs) -> list[str]:
    task, aspect = inputs["_task"], inputs["_aspect"]
    got = call(**_public(inputs))
    if not isinstance(got, dict) or got.get("problem") == "not_a_model":
        return [_problem_message(task, got)]
    if aspect == "compiled":
        return [] if got.get("compiled") is True else \
            [_problem_message(task, {**got, "problem": "not_compiled"})]
    if aspect == "output":
        shape = _field(got, "output_shape", list)
        if _field(got, "output_error", str, "") or shape != [2, _n_outputs(task)]:
            return [_output_message(task, got)]
        return []
    if aspect == "params":
        n = _field(got, "n_params", int, -1)
        if n < 0:
            return ["the number of parameters could not be counted (model.count_params() failed)"]
        if n > MAX_PARAMS:
            return [f"the model has {n:,} parameters; the budget is {MAX_PARAMS:,}"]
        return []
    raise ValueError(f"unknown aspect {aspect!r}")  # a grader bug


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

def dense_layers(got) -> list[dict]:
    """The Dense layers of the driver's summary, each with its effective
    activation: its own, or the activation layer(s) right after it."""
    steps = got.get("structure") if isinstance(got, dict) else None
    if not isinstance(steps, list):
        return []
    layers = []
    for step in steps:
        if not isinstance(step, dict):
            return []
        activation = step.get("activation")
        if step.get("kind") == "dense":
            layers.append({"units": step.get("units"), "activation": str(activation)})
        elif step.get("kind") == "activation" and layers and layers[-1]["activation"] == "linear":
            layers[-1]["activation"] = str(activation)
    return layers


def _is_linear(activation) -> bool:
    return activation in ("linear", "identity", "none")


def _loss_name(got) -> str:
    """The compiled loss, normalised: "mse" and MeanSquaredError both become "meansquarederror"."""
    name = str(got.get("loss", "")).lower().replace("_", "")
    return {"mse": "meansquarederror", "mae": "meanabsoluteerror"}.get(name, name)


def _student_dense(detect):
    """Hint detector on the driver's answer (any case of the check)."""
    def wrapped(inputs, got, expected):
        try:
            return isinstance(got, dict) and bool(detect(inputs, got, dense_layers(got)))
        except Exception:
            return False
    return wrapped


@_student_dense
def network_is_linear(inputs, got, layers):
    # one Dense layer alone (no hidden layer) is linear too
    return bool(layers) and all(_is_linear(layer["activation"]) for layer in layers[:-1])


@_student_dense
def activation_on_regression_output(inputs, got, layers):
    return inputs.get("_task") == REGRESSION and bool(layers) \
        and not _is_linear(layers[-1]["activation"])


@_student_dense
def squashing_hidden_layers(inputs, got, layers):
    return any(layer["activation"] in ("softmax", "sigmoid") for layer in layers[:-1])


@_student_dense
def loss_does_not_fit_output(inputs, got, layers):
    if not got.get("compiled") or not layers:
        return False
    loss, output = _loss_name(got), layers[-1]["activation"]
    if inputs.get("_task") == REGRESSION:
        return "crossentropy" in loss or "hinge" in loss
    if loss == "sparsecategoricalcrossentropy":
        return True                                   # the targets are one-hot vectors
    if loss == "categoricalcrossentropy":
        return output != "softmax" and not got.get("loss_from_logits")
    return loss != ""                                 # mse, binary cross-entropy, ... on classes


@_student_dense
def over_budget(inputs, got, layers):
    n = _field(got, "n_params", int, -1)
    return n > MAX_PARAMS


LINEAR_NETWORK = Hint(
    "Your network is linear: without a non-linear activation between the Dense layers, "
    "Dense(W2) after Dense(W1) is just one Dense layer with W = W1 W2, however many layers "
    "you stack. Give the hidden layers activation=\"relu\".",
    network_is_linear)

REGRESSION_OUTPUT_ACTIVATION = Hint(
    "Your regression output has an activation: sigmoid and tanh are bounded and ReLU cannot go "
    "below 0, but these targets range from about -0.9 to 1.9. A regression output is a plain "
    "Dense(1) (linear activation).",
    activation_on_regression_output)

SQUASHING_HIDDEN = Hint(
    "Softmax or sigmoid in a hidden layer: softmax forces each layer's outputs to sum to 1 and "
    "sigmoids saturate (their gradient is at most 1/4, so it shrinks layer by layer). Use ReLU in "
    "the hidden layers; softmax and sigmoid belong on a classifier's output.",
    squashing_hidden_layers)

REGRESSOR_LOSS_MISMATCH = Hint(
    "The loss does not fit the output: a regression with a linear output minimises the mean "
    "squared error (loss=\"mse\"). Cross-entropies are for class probabilities; "
    "categorical cross-entropy on one output unit is always 0, so nothing is learnt.",
    loss_does_not_fit_output)


OVER_BUDGET_REGRESSOR = Hint(
    f"Your model is over the budget of {MAX_PARAMS:,} parameters (the count is in the parameter "
    "test). A Dense layer from n to m units has (n + 1) * m parameters: two hidden layers of 30 "
    "units need about 1,000; width costs quadratically.",
    over_budget)

OVER_BUDGET_CLASSIFIER = Hint(
    f"Your model is over the budget of {MAX_PARAMS:,} parameters (the count is in the parameter "
    "test). A Dense layer from n to m units has (n + 1) * m parameters: the lecture's two hidden "
    "layers of 30 units need about 1,100 here.",
    over_budget)

LINEAR_CLASSIFIER = Hint(
    "Your network is linear before its softmax: without a non-linear activation between the "
    "Dense layers they collapse into one, and the class boundaries are straight lines, which "
    "cannot follow spiral arms. Give the hidden layers activation=\"relu\".",
    network_is_linear)

SQUASHING_HIDDEN_CLASSIFIER = Hint(
    "Softmax or sigmoid in a hidden layer: only the output layer turns scores into class "
    "probabilities. In hidden layers softmax couples the units (they must sum to 1) and sigmoids "
    "saturate; use ReLU there.",
    squashing_hidden_layers)

CLASSIFIER_LOSS_MISMATCH = Hint(
    "The loss does not fit the output: a softmax output over one-hot targets is trained with "
    "loss=\"categorical_crossentropy\" (sparse_categorical_crossentropy wants class numbers; "
    "the mean squared error on probabilities learns slowly; a linear output needs "
    "from_logits=True).",
    loss_does_not_fit_output)


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
