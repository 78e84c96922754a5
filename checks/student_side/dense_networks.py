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

from .cnn_physics import _callback, _name, describe

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
