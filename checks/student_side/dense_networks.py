"""Driver for `dense_networks`: build, inspect, train and apply a student's Keras model.

Runs inside the student process (worker._driver), next to untrusted code, so it
holds nothing the student may not see: the grader sends the public training
set, the held-out *inputs* (never their targets) and the budget; this module
answers with plain data. The grader validates every field, computes the
metric itself and reads the layer summary to name the lecture's "frequent
misunderstandings" (a linear network, an activation on the regression output,
softmax in hidden layers, a loss that does not fit the output).

`run(build, mode=..., n_inputs=..., n_classes=None)` calls `build(n_inputs)`
(the regressor) or `build(n_inputs, n_classes)` (the classifier):

- "inspect": build the model and describe it (compiled?, parameter count,
  output shape for a batch of two points, its layers and its loss);
- "train": the same, then train for the fixed budget (epochs, batch size,
  wall-clock cap) and predict the held-out inputs.

The generic parts (the description, the budget callback) are cnn_physics's.
"""
from __future__ import annotations

import time

import numpy as np

from .cnn_physics import _callback, _name, _public, describe, field, shape_text

MAX_LAYERS = 60          # layers described (a deeper model is over the budget anyway)


def run(build, *, mode, n_inputs, n_classes=None, seed=0, x_train=None, y_train=None,
        x_test=None, epochs=1, batch_size=32, time_limit=30.0, max_params=None):
    import os

    import keras

    n_inputs = int(n_inputs)
    if os.environ.get("DLPHYS_GRADING") == "1":  # in the sandbox (not in a student's self-check):
        keras.backend.clear_session()            # forget earlier calls' models
    keras.utils.set_random_seed(int(seed))  # same seed: same initial weights and shuffling
    n_outputs = 1 if n_classes is None else int(n_classes)
    start = time.perf_counter()
    model = build(n_inputs) if n_classes is None else build(n_inputs, n_outputs)
    info = describe(model, (n_inputs,), keras)
    info["build_seconds"] = time.perf_counter() - start
    if info.get("is_model"):
        info["structure"] = layer_summary(model, keras)
        info["loss_from_logits"] = _from_logits(getattr(model, "loss", None))
    if mode == "inspect" or info.get("problem"):
        return info
    if not info["compiled"]:
        return {**info, "problem": "not_compiled"}
    if info["output_shape"] != [2, n_outputs]:
        return {**info, "problem": "output_shape"}
    if max_params is not None and info["n_params"] > int(max_params):
        return {**info, "problem": "over_budget"}
    if mode == "train":
        return {**info, **_train(model, np.asarray(x_train, dtype=np.float32),
                                 np.asarray(y_train, dtype=np.float32),
                                 np.asarray(x_test, dtype=np.float32), int(epochs),
                                 int(batch_size), float(time_limit))}
    raise ValueError(f"unknown driver mode {mode!r}")


def layer_summary(model, keras) -> list:
    """The model's layers in order, nested models flattened, as plain data:
    {"kind": "dense", "units": n, "activation": name} for a Dense layer,
    {"kind": "activation", "activation": name} for a layer that only applies
    an activation (Activation, ReLU, Softmax, LeakyReLU, ...), and
    {"kind": "other", "type": class name} for anything else."""
    steps = []

    def walk(layer, depth=0):
        if len(steps) >= MAX_LAYERS:
            return
        inner = getattr(layer, "layers", None)
        if isinstance(inner, list) and inner and depth < 5:
            for sub in inner:
                walk(sub, depth + 1)
            return
        kind = type(layer).__name__
        if isinstance(layer, keras.layers.Dense):
            steps.append({"kind": "dense", "units": int(layer.units),
                          "activation": _activation_name(layer.activation)})
        elif isinstance(layer, keras.layers.Activation):
            steps.append({"kind": "activation", "activation": _activation_name(layer.activation)})
        elif kind in ("ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax"):
            steps.append({"kind": "activation", "activation": kind.lower()})
        elif kind != "InputLayer":
            steps.append({"kind": "other", "type": kind[:60]})

    try:
        for layer in model.layers:
            walk(layer)
    except Exception:  # an odd subclassed model: no summary, no structural hints
        return []
    return steps


def _activation_name(fn) -> str:
    name = getattr(fn, "__name__", None) or type(fn).__name__
    return str(name).lower()[:40]


def _from_logits(loss) -> bool:
    try:
        return bool(loss.get_config().get("from_logits", False))
    except Exception:
        return False


def _train(model, x, y, x_test, epochs, batch_size, time_limit) -> dict:
    import keras

    budget = _callback(keras, time_limit)
    start = time.perf_counter()
    try:
        history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, shuffle=True,
                            callbacks=[budget])
    except Exception as exc:
        exc.add_note("(raised while the grader trained your model with model.fit(x_train, y_train, "
                     f"epochs={epochs}, batch_size={batch_size}))")
        raise
    train_seconds = time.perf_counter() - start
    losses = [float(v) for v in history.history.get("loss", [])]
    predictions = model.predict(x_test, batch_size=1000, verbose=0)
    if isinstance(predictions, (list, tuple, dict)):
        return {"problem": "several_outputs"}
    return {"predictions": np.asarray(predictions, dtype=np.float32), "losses": losses,
            "epochs_completed": budget.epochs, "stopped_by_time_limit": budget.stopped,
            "train_seconds": train_seconds, "optimizer": _name(getattr(model, "optimizer", None))}


# ================================================================ checking the report
# The structure checks of the public cases and the hint predicates: they read
# the driver's report (plain data) and compute no answer, so the student kit
# ships them. `limits` (budget, sizes, task names) comes from the grader as
# data (checks/dense_networks.py LIMITS).

def _function(task, limits):
    return "build_regressor" if task == limits["regression"] else "build_classifier"


def _n_outputs(task, limits):
    return 1 if task == limits["regression"] else limits["n_classes"]


def problem_message(task, got, limits) -> str | None:
    """The driver's own findings, in the grader's words; None when it found nothing."""
    name = _function(task, limits)
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
        return output_message(task, got, limits)
    if problem == "over_budget":
        return (f"not trained: the model has {field(got, 'n_params', int, -1):,} parameters, "
                f"the budget is {limits['max_params']:,}")
    if problem == "several_outputs":
        return "the model returns several outputs; it must return one tensor"
    return "the model could not be used"


def output_message(task, got, limits) -> str:
    error = field(got, "output_error", str, "")
    if error:
        return error[:400]
    shape = field(got, "output_shape", list)
    n_in = limits["n_inputs"][task]
    if shape is None:
        return "the output shape of the model could not be determined"
    what = "one number per point" if task == limits["regression"] else \
        f"one probability per class (n_classes = {limits['n_classes']})"
    return (f"for a batch of shape {shape_text((2, n_in))} the model returns shape "
            f"{shape_text(shape)}; expected {shape_text((2, _n_outputs(task, limits)))}: {what}")


def verify_structure(call, inputs, limits) -> list[str]:
    task, aspect = inputs["_task"], inputs["_aspect"]
    got = call(**_public(inputs))
    if not isinstance(got, dict) or got.get("problem") == "not_a_model":
        return [problem_message(task, got, limits)]
    if aspect == "compiled":
        return [] if got.get("compiled") is True else \
            [problem_message(task, {**got, "problem": "not_compiled"}, limits)]
    if aspect == "output":
        shape = field(got, "output_shape", list)
        if field(got, "output_error", str, "") or shape != [2, _n_outputs(task, limits)]:
            return [output_message(task, got, limits)]
        return []
    if aspect == "params":
        n = field(got, "n_params", int, -1)
        if n < 0:
            return ["the number of parameters could not be counted (model.count_params() failed)"]
        if n > limits["max_params"]:
            return [f"the model has {n:,} parameters; the budget is {limits['max_params']:,}"]
        return []
    raise ValueError(f"unknown aspect {aspect!r}")  # a grader bug


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


# ---------------------------------------------------------------- hint predicates (any case)

def network_is_linear(inputs, got, expected, limits) -> bool:
    # one Dense layer alone (no hidden layer) is linear too
    layers = dense_layers(got)
    return isinstance(got, dict) and bool(layers) and all(
        _is_linear(layer["activation"]) for layer in layers[:-1])


def activation_on_regression_output(inputs, got, expected, limits) -> bool:
    layers = dense_layers(got)
    return (isinstance(got, dict) and inputs.get("_task") == limits["regression"] and bool(layers)
            and not _is_linear(layers[-1]["activation"]))


def squashing_hidden_layers(inputs, got, expected, limits) -> bool:
    return isinstance(got, dict) and any(
        layer["activation"] in ("softmax", "sigmoid") for layer in dense_layers(got)[:-1])


def loss_does_not_fit_output(inputs, got, expected, limits) -> bool:
    layers = dense_layers(got)
    if not isinstance(got, dict) or not got.get("compiled") or not layers:
        return False
    loss, output = _loss_name(got), layers[-1]["activation"]
    if inputs.get("_task") == limits["regression"]:
        return "crossentropy" in loss or "hinge" in loss
    if loss == "sparsecategoricalcrossentropy":
        return True                                   # the targets are one-hot vectors
    if loss == "categoricalcrossentropy":
        return output != "softmax" and not got.get("loss_from_logits")
    return loss != ""                                 # mse, binary cross-entropy, ... on classes


def over_budget(inputs, got, expected, limits) -> bool:
    return isinstance(got, dict) and field(got, "n_params", int, -1) > limits["max_params"]
