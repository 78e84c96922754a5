"""Driver for `cnn_physics`: build, inspect, time, train and apply a student's Keras model.

Runs inside the student process (worker._driver), next to untrusted code, so it
holds nothing the student may not see: the grader sends the public training
set, the held-out *images* (never their labels) and the budget; this module
answers with plain data (numbers, strings, lists, NumPy arrays). The grader
validates every field and computes the physics metric itself from the returned
predictions; nothing reported here is taken on trust.

`run(build_model, mode=...)`:

- "inspect": build the model and describe it (is it a compiled keras.Model,
  its parameter count, the shape it returns for a batch of two images).
- "timing": build, compile-check, trace one short fit, then time a few
  training steps and extrapolate to the full budget.
- "train": build, train for the fixed budget (epochs, batch size, wall-clock
  cap), predict the held-out images.

Problems the grader should report in its own words (not a Keras model, not
compiled, wrong output, over the parameter budget) come back as
{"problem": "<code>", ...}; exceptions raised by the student's code propagate
to the worker, which reports them with the student's traceback.
"""
from __future__ import annotations

import math
import os
import time

import numpy as np

WARMUP_BATCHES = 2


def run(build_model, *, mode, input_shape, n_outputs, seed=0, x_train=None, y_train=None,
        x_test=None, epochs=1, batch_size=64, time_limit=60.0, max_params=None,
        timing_seconds=6.0, n_train=None):
    import keras

    input_shape = tuple(int(d) for d in input_shape)
    n_outputs = int(n_outputs)
    if os.environ.get("DLPHYS_GRADING") == "1":  # in the sandbox (not in a student's self-check):
        keras.backend.clear_session()            # forget earlier calls' models (memory, layer names)
    keras.utils.set_random_seed(int(seed))  # same seed: same initial weights and shuffling
    start = time.perf_counter()
    model = build_model(input_shape, n_outputs)
    info = describe(model, input_shape, keras)
    info["build_seconds"] = time.perf_counter() - start
    if mode == "inspect" or info.get("problem"):
        return info
    if not info["compiled"]:
        return {**info, "problem": "not_compiled"}
    if info["output_shape"] != [2, n_outputs]:
        return {**info, "problem": "output_shape"}
    if max_params is not None and info["n_params"] > int(max_params):
        return {**info, "problem": "over_budget"}
    x_train = np.asarray(x_train, dtype=np.float32)
    y_train = np.asarray(y_train, dtype=np.float32)
    if mode == "timing":
        return {**info, **_timing(model, x_train, y_train, int(batch_size), int(epochs),
                                  int(n_train or len(x_train)), float(timing_seconds))}
    if mode == "train":
        return {**info, **_train(model, x_train, y_train, np.asarray(x_test, dtype=np.float32),
                                 int(epochs), int(batch_size), float(time_limit))}
    raise ValueError(f"unknown driver mode {mode!r}")


def describe(model, input_shape, keras) -> dict:
    """What the grader needs to know about the returned object, as plain data."""
    info = {"type": type(model).__name__, "is_model": isinstance(model, keras.Model),
            "compiled": False, "loss": "", "optimizer": "", "n_params": -1,
            "output_shape": None, "output_error": "", "layers": []}
    if not info["is_model"]:
        return {**info, "problem": "not_a_model"}
    # Call it once on two zero images: builds a subclassed model, and tells the
    # output shape whatever kind of model it is.
    try:
        out = model(np.zeros((2, *input_shape), dtype=np.float32), training=False)
        if isinstance(out, (list, tuple, dict)):
            info["output_error"] = f"the model returns a {type(out).__name__} of outputs, not one tensor"
        else:
            info["output_shape"] = [int(d) for d in np.shape(out)]
    except Exception as exc:  # reported to the student, who can fix the model
        info["output_error"] = f"calling the model on a batch of shape {(2, *input_shape)} failed: " \
                               f"{type(exc).__name__}: {str(exc)[:300]}"
    try:
        info["n_params"] = int(model.count_params())
    except Exception:
        pass
    info["layers"] = [type(layer).__name__ for layer in getattr(model, "layers", [])][:200]
    compiled = bool(getattr(model, "compiled", False)) and getattr(model, "optimizer", None) is not None
    loss = getattr(model, "loss", None)
    info["loss"] = _name(loss)
    info["optimizer"] = _name(getattr(model, "optimizer", None))
    info["compiled"] = compiled and loss is not None
    return info


def _name(thing) -> str:
    if thing is None:
        return ""
    if isinstance(thing, str):
        return thing[:100]
    return str(getattr(thing, "name", None) or getattr(thing, "__name__", None)
               or type(thing).__name__)[:100]


def _callback(keras, time_limit: float | None):
    """Counts batches and epochs; stops training once `time_limit` seconds have passed."""
    class Budget(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.start = time.perf_counter()
            self.batches = self.epochs = 0
            self.stopped = False
            self.epoch_seconds = []
            self._epoch_start = self.start

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch_start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1
            if time_limit is not None and time.perf_counter() - self.start > time_limit:
                self.stopped = True
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            self.epoch_seconds.append(time.perf_counter() - self._epoch_start)
            if not self.stopped:
                self.epochs += 1
    return Budget()


def _timing(model, x, y, batch_size, epochs, n_train, timing_seconds) -> dict:
    """Seconds per training step, measured after the first (tracing) steps."""
    import keras

    warm = WARMUP_BATCHES * batch_size
    start = time.perf_counter()
    model.fit(x[:warm], y[:warm], epochs=1, batch_size=batch_size, verbose=0, shuffle=False)
    warmup_seconds = time.perf_counter() - start
    budget = _callback(keras, timing_seconds)
    start = time.perf_counter()
    model.fit(x[warm:], y[warm:], epochs=1, batch_size=batch_size, verbose=0, callbacks=[budget])
    seconds = time.perf_counter() - start
    per_batch = seconds / max(budget.batches, 1)
    steps = epochs * math.ceil(n_train / batch_size)
    return {"warmup_seconds": warmup_seconds, "timed_batches": budget.batches,
            "seconds_per_batch": per_batch, "estimated_seconds": per_batch * steps + warmup_seconds}


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
    start = time.perf_counter()
    predictions = model.predict(x_test, batch_size=1000, verbose=0)
    predict_seconds = time.perf_counter() - start
    if isinstance(predictions, (list, tuple, dict)):
        return {"problem": "several_outputs"}
    return {"predictions": np.asarray(predictions, dtype=np.float32), "losses": losses,
            "epochs_completed": budget.epochs, "batches": budget.batches,
            "stopped_by_time_limit": budget.stopped, "train_seconds": train_seconds,
            "epoch_seconds": budget.epoch_seconds, "predict_seconds": predict_seconds}


# ================================================================ checking the report
# The structure checks of the public cases and the hint predicates: they read
# the driver's report (plain data) and compute no answer, so the student kit
# ships them. `limits` (the budget, the image shape) comes from the grader as
# data (checks/cnn_physics.py LIMITS).

def field(got, key, kinds, default=None):
    """got[key] when got is a dict and the value has one of `kinds` (bool is not an int here)."""
    value = got.get(key, default) if isinstance(got, dict) else default
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if isinstance(value, bool) and bool not in kinds:
        return default
    return value if isinstance(value, kinds) else default


def shape_text(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _public(inputs) -> dict:
    """What may reach the student's function: never the private (underscore) keys."""
    return {k: v for k, v in inputs.items() if not k.startswith("_")}


def problem_message(got, limits) -> str | None:
    """The driver's own findings, in words; None when it found nothing."""
    if not isinstance(got, dict):
        return f"the grader's training routine returned {type(got).__name__}, not its report " \
               "(did your code replace it?)"
    problem = got.get("problem")
    if problem is None:
        return None
    kind = str(field(got, "type", str, "?"))[:80]
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
        return output_message(got, limits)
    if problem == "over_budget":
        return (f"not trained: the model has {field(got, 'n_params', int, -1):,} parameters, "
                f"the budget is {limits['max_params']:,}")
    if problem == "several_outputs":
        return "the model returns several outputs; it must return one tensor of shape (N, 1)"
    return f"the model could not be used ({str(problem)[:100]})"


def output_message(got, limits) -> str:
    error = field(got, "output_error", str, "")
    if error:
        return f"{error[:400]}"
    shape = field(got, "output_shape", list)
    if shape is None:
        return "the output shape of the model could not be determined"
    return (f"for a batch of shape {shape_text((2, *limits['image_shape']))} the model returns shape "
            f"{shape_text(shape)}; expected {shape_text([2, limits['n_outputs']])}: one score per "
            f"image (n_outputs = {limits['n_outputs']})")


def verify_structure(call, inputs, limits) -> list[str]:
    """One aspect per case, so that each reason to fail shows on its own line."""
    aspect = inputs["_aspect"]
    got = call(**_public(inputs))
    if not isinstance(got, dict):
        return [problem_message(got, limits)]
    if got.get("problem") == "not_a_model":
        return [problem_message(got, limits)]
    if aspect == "compiled":
        return [] if got.get("compiled") is True else [
            problem_message({**got, "problem": "not_compiled"}, limits)]
    if aspect == "output":
        shape = field(got, "output_shape", list)
        if field(got, "output_error", str, "") or shape != [2, limits["n_outputs"]]:
            return [output_message(got, limits)]
        return []
    if aspect == "params":
        n = field(got, "n_params", int, -1)
        if n < 0:
            return ["the number of parameters could not be counted (model.count_params() failed)"]
        if n > limits["max_params"]:
            return [f"the model has {n:,} parameters; the budget is {limits['max_params']:,}"]
        return []
    if aspect == "speed":
        return _speed_problems(got, limits)
    raise ValueError(f"unknown aspect {aspect!r}")  # a grader bug


def _speed_problems(got, limits) -> list[str]:
    if got.get("problem") in ("not_compiled", "output_shape", "several_outputs"):
        return ["training speed not measured: " + problem_message(got, limits)]
    estimate = field(got, "estimated_seconds", (int, float))
    per_batch = field(got, "seconds_per_batch", (int, float))
    if estimate is None or per_batch is None or not math.isfinite(estimate):
        return ["the training speed could not be measured"]
    epochs, batch_size, time_limit = limits["epochs"], limits["batch_size"], limits["time_limit"]
    steps = epochs * math.ceil(limits["n_train"] / batch_size)
    if estimate > time_limit:
        return [f"training is too slow: {1000 * per_batch:.0f} ms per batch of {batch_size}, so the "
                f"budget of {epochs} epochs ({steps} batches) would take about {estimate:.0f} s "
                f"on the grader; the limit is {time_limit:.0f} s. Training stops there."]
    return []


# ---------------------------------------------------------------- hint predicates

def hint_not_compiled(inputs, got, expected) -> bool:
    return isinstance(got, dict) and got.get("is_model") is True and got.get("compiled") is not True


def hint_not_a_model(inputs, got, expected) -> bool:
    return isinstance(got, dict) and got.get("problem") == "not_a_model" and got.get("type") != "NoneType"


def hint_returns_none(inputs, got, expected) -> bool:
    return isinstance(got, dict) and got.get("problem") == "not_a_model" and got.get("type") == "NoneType"


def hint_two_class_output(inputs, got, expected) -> bool:
    return isinstance(got, dict) and got.get("output_shape") == [2, 2]


def hint_spatial_output(inputs, got, expected) -> bool:
    return (isinstance(got, dict) and isinstance(got.get("output_shape"), list)
            and len(got["output_shape"]) == 4)


def hint_flatten_budget(inputs, got, expected, max_params) -> bool:
    return (isinstance(got, dict) and isinstance(got.get("n_params"), int)
            and got["n_params"] > max_params and "Flatten" in got.get("layers", []))


def hint_no_pooling_slow(inputs, got, expected, time_limit) -> bool:
    return (isinstance(got, dict) and isinstance(got.get("estimated_seconds"), (int, float))
            and got["estimated_seconds"] > time_limit
            and not any("Pool" in str(layer) for layer in got.get("layers", [])))
