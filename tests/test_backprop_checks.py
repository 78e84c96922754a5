"""The `backprop` check table is right (no sandbox: the driver and the student
functions from buggy_backprop.py run in-process, as the worker would run them).

What is proved:
- points are integers summing to 100, case counts and labels follow the rules,
  inputs are deterministic per seed and float64;
- a correct implementation (its own cache format) passes every case against
  the TF reference through the driver, with the check's tolerance, and
  triggers no hint;
- every hint fires for an implementation that makes its mistake;
- the numerical_gradient tolerance separates central from one-sided
  differences with a wide margin on every case;
- the driver reports a forward pass that returns no cache, a missing or
  unimplemented forward pass, and f called with a wrongly shaped array;
- in-place mutations are visible to the worker's mutation check.
"""
from __future__ import annotations

import copy
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import buggy_backprop as bb
from autograder.assignments import backprop as bp
from autograder.compare import compare
from autograder.sandbox.drivers import backprop as driver
from autograder.sandbox.wire import Unsupported

ROOT = Path(__file__).resolve().parents[1]
A = bp.ASSIGNMENT
CHECKS = list(A.checks)
SEEDS = [0, 1, 2, 12345]
CORRECT = {c.function: getattr(bb, c.function) for c in CHECKS}

BUGS = {
    bp.DF_W_TRANSPOSED: bb.dense_forward_W_transposed,
    bp.DF_NO_BIAS: bb.dense_forward_no_bias,
    bp.DF_ACTIVATION: bb.dense_forward_with_relu,
    bp.DB_DW_TRANSPOSED: bb.dense_backward_dW_transposed,
    bp.DB_NOT_SUMMED: [bb.dense_backward_db_not_summed, bb.dense_backward_db_keepdims],
    bp.DB_BATCH_MEAN: bb.dense_backward_batch_mean,
    bp.DB_DX_FORMULA: [bb.dense_backward_dx_with_W, bb.dense_backward_dx_transposed],
    bp.RF_MASK: bb.relu_forward_mask,
    bp.RF_REDUCED: bb.relu_forward_reduced,
    bp.RB_NO_GATE: bb.relu_backward_output_mask_ge,
    bp.RB_MASK_ONLY: bb.relu_backward_mask_only,
    bp.RB_TIMES_OUTPUT: bb.relu_backward_times_output,
    bp.RB_REVERSED: bb.relu_backward_reversed,
    bp.MLP_GRADS_SUMMED: [bb.mlp_loss_and_grads_grads_summed, bb.mlp_loss_and_grads_all_summed],
    bp.MLP_LOSS_SUMMED: [bb.mlp_loss_and_grads_loss_summed, bb.mlp_loss_and_grads_all_summed],
    bp.MLP_ALL_ELEMENTS: bb.mlp_loss_and_grads_all_elements,
    bp.MLP_SIGN: bb.mlp_loss_and_grads_sign,
    bp.MLP_NO_GATE: bb.mlp_loss_and_grads_no_gate,
    bp.MLP_DW_TRANSPOSED: bb.mlp_loss_and_grads_dW_transposed,
    bp.MLP_DB_NOT_SUMMED: bb.mlp_loss_and_grads_db_not_summed,
    bp.NG_ONE_SIDED: [bb.numerical_gradient_forward, bb.numerical_gradient_backward],
    bp.NG_NO_TWO: bb.numerical_gradient_no_two,
    bp.NG_ALL_AT_ONCE: bb.numerical_gradient_all_at_once,
    bp.NG_SHAPE: bb.numerical_gradient_flat,
}
BUGS = {hint: bugs if isinstance(bugs, list) else [bugs] for hint, bugs in BUGS.items()}
HINTS = [(check, hint) for check in CHECKS for hint in check.hints]
HINT_BUGS = [(check, hint, bug) for check, hint in HINTS for bug in BUGS.get(hint, [])]


class Mutated(Exception):
    pass


def local_call(check, fn):
    """Stand-in for the sandbox: fresh copies of the inputs, the driver when
    the check has one, and the worker's in-place mutation check."""
    def call(**kwargs):
        kwargs = copy.deepcopy(kwargs)
        before = copy.deepcopy(kwargs)
        value = driver.run(fn, **kwargs) if check.driver else fn(**kwargs)
        changed = [k for k in kwargs if not _same(before[k], kwargs[k])]
        if changed:
            raise Mutated(changed)
        return value
    return call


def _same(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and np.array_equal(a, b)
    return a == b


def inputs_for(case, seed):
    return case.make(np.random.default_rng(seed))


_expected_cache: dict = {}


def expected(check, k, seed):
    key = (check.function, k, seed)
    if key not in _expected_cache:
        ref = check.reference_function()
        _expected_cache[key] = ref(**copy.deepcopy(inputs_for(check.cases[k], seed)))
    return _expected_cache[key]


def tolerance(check, case):
    return (case.rtol if case.rtol is not None else check.rtol,
            case.atol if case.atol is not None else check.atol)


def mismatch(check, case, got, want):
    rtol, atol = tolerance(check, case)
    return compare(got, want, rtol=rtol, atol=atol, hidden=case.hidden, returns=check.returns,
                   names=check.outputs)


# ------------------------------------------------------------------ structure

def test_points_are_integers_summing_to_100():
    assert all(float(c.points).is_integer() and c.points > 0 for c in CHECKS)
    assert sum(c.points for c in CHECKS) == 100


def test_one_check_per_curriculum_function():
    assert [c.function for c in CHECKS] == ["dense_forward", "dense_backward", "relu_forward",
                                            "relu_backward", "mlp_loss_and_grads",
                                            "numerical_gradient"]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_case_counts_labels_and_references(check):
    visible = [c for c in check.cases if not c.hidden]
    hidden = [c for c in check.cases if c.hidden]
    assert 2 <= len(visible) <= 4 and 3 <= len(hidden) <= 6
    labels = [c.label for c in check.cases]
    assert len(set(labels)) == len(labels)
    assert all(c.label.startswith("hidden: ") for c in hidden)
    assert not any(c.label.startswith("hidden") for c in visible)
    if check.driver:  # the reference mirrors the driver: same inputs, same task
        assert check.driver == "backprop" and check.reference == "reference_impl.backprop:driven"
        assert all(inputs_for(c, 0)["task"] == check.function for c in check.cases)
    else:
        assert check.reference == "reference_impl.backprop:" + check.function


def _assert_plain_data(value, where):
    if isinstance(value, dict):
        for key, v in value.items():
            _assert_plain_data(v, where + (key,))
    elif isinstance(value, np.ndarray):
        assert value.dtype == np.float64, where
    else:
        assert type(value) in (int, float, str, bool), where


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_make_is_deterministic_and_float64(check):
    for case in check.cases:
        for seed in SEEDS:
            a, b = inputs_for(case, seed), inputs_for(case, seed)
            _assert_plain_data(a, (case.label,))
            assert _same(a, b), case.label


def test_assignment_module_imports_fast_without_tensorflow():
    code = ("import sys, time; t = time.perf_counter(); import autograder.assignments.backprop;"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules;"
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) < 1.0


def test_relu_inputs_are_never_exactly_zero():
    for name in ("relu_forward", "relu_backward"):
        for case in A.check(name).cases:
            for seed in range(20):
                assert np.all(inputs_for(case, seed)["x"] != 0.0)


def test_hidden_units_are_gated_in_every_network_case():
    # A missing ReLU gate must change the gradients: some pre-activations are
    # negative and some positive in every case.
    for case in A.check("mlp_loss_and_grads").cases:
        for seed in SEEDS:
            i = inputs_for(case, seed)
            pre = i["x"] @ i["params"]["W1"] + i["params"]["b1"]
            assert (pre < 0).any() and (pre > 0).any(), case.label


# ------------------------------------------------------------------ correct implementation

CASES = [(check, k) for check in CHECKS for k in range(len(check.cases))]


@pytest.mark.parametrize("check,k", CASES, ids=lambda v: getattr(v, "function", str(v)))
def test_correct_implementation_passes_and_triggers_no_hint(check, k):
    case = check.cases[k]
    call = local_call(check, CORRECT[check.function])
    for seed in SEEDS:
        inputs = inputs_for(case, seed)
        got, want = call(**inputs), expected(check, k, seed)
        assert mismatch(check, case, got, want) is None, (case.label, seed)
        for hint in check.hints:
            start = time.perf_counter()
            assert hint.detect(copy.deepcopy(inputs), got, want) is False, (case.label, hint.message)
            assert time.perf_counter() - start < 0.1, "detectors must be cheap"


def test_central_differences_are_far_inside_and_one_sided_far_outside_the_tolerance():
    check = A.check("numerical_gradient")
    for k, case in enumerate(check.cases):
        rtol, atol = tolerance(check, case)
        for seed in SEEDS:
            inputs = inputs_for(case, seed)
            want = expected(check, k, seed)
            bound = atol + rtol * np.abs(want)
            central = local_call(check, bb.numerical_gradient)(**inputs)
            one_sided = local_call(check, bb.numerical_gradient_forward)(**inputs)
            assert np.all(np.abs(central - want) < bound / 20), (case.label, seed)
            for wrong in (one_sided, local_call(check, bb.numerical_gradient_backward)(**inputs)):
                assert np.max(np.abs(wrong - want) / bound) > 20, (case.label, seed)


def test_other_cache_formats_pass_too():
    # The cache is the student's own: a tuple, a dict, even an object.
    class Box:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    def forward(x, W, b):
        return x @ W + b, Box(x=x, W=W)

    def backward(dout, cache):
        return dout @ cache.W.T, cache.x.T @ dout, dout.sum(axis=0)

    namespace = {"dense_forward": forward, "np": np}
    exec("def dense_backward(dout, cache):\n    return impl(dout, cache)\n", namespace)
    namespace["impl"] = backward
    check = A.check("dense_backward")
    for k, case in enumerate(check.cases):
        got = local_call(check, namespace["dense_backward"])(**inputs_for(case, 3))
        assert mismatch(check, case, got, expected(check, k, 3)) is None


# ------------------------------------------------------------------ hints

def test_every_hint_has_a_buggy_implementation():
    in_table = {id(h) for _, h in HINTS}
    assert in_table == {id(h) for h in BUGS}
    assert len(in_table) == len(HINTS), "a Hint object is shared between checks"
    for _, hint in HINTS:
        assert hint.message.strip() and len(hint.message) < 300


def _bug_id(value):
    if hasattr(value, "function"):
        return value.function
    if hasattr(value, "message"):
        return value.message[:30]
    return getattr(getattr(value, "func", value), "__name__", "bug")


@pytest.mark.parametrize("check,hint,bug", HINT_BUGS, ids=_bug_id)
def test_buggy_implementation_triggers_its_hint_and_fails(check, hint, bug):
    call = local_call(check, bug)
    fired = []
    for k, case in enumerate(check.cases):
        for seed in SEEDS:
            inputs = inputs_for(case, seed)
            try:
                got = call(**inputs)
            except Exception:  # e.g. dout @ W with a non-square W: the runner reports it
                continue
            want = expected(check, k, seed)
            if hint.detect(copy.deepcopy(inputs), got, want):
                fired.append(case.label)
                assert mismatch(check, case, got, want) is not None, case.label
    assert fired, f"no case of {check.function} triggers: {hint.message}"


GARBAGE = [None, "text", 3, 2.5, np.zeros(3), np.zeros((2, 2, 2)), [1, [2, 3]], (), (None, None),
           (np.zeros(2), "x", None), Unsupported("builtins.object"), {"a": 1}, [np.ones(2)] * 3,
           (1.0, {"W1": None}), (1.0, [np.ones(2)])]


@pytest.mark.parametrize("check,hint", HINTS, ids=lambda v: getattr(v, "function", None)
                         or getattr(v, "message", "")[:40])
def test_detectors_never_raise(check, hint):
    inputs = inputs_for(check.cases[0], 0)
    want = expected(check, 0, 0)
    for got in GARBAGE:
        assert isinstance(hint.detect(copy.deepcopy(inputs), got, want), bool)
    assert hint.detect({}, None, None) is False


# ------------------------------------------------------------------ driver and mutation

def test_forward_without_a_cache_is_reported():
    check = A.check("dense_forward")
    with pytest.raises(TypeError, match=r"must return a pair \(out, cache\)"):
        local_call(check, bb.dense_forward_only_out)(**inputs_for(check.cases[0], 0))


def test_backward_reports_a_missing_or_unfinished_forward_pass():
    inputs = inputs_for(A.check("dense_backward").cases[0], 0)
    data = {k: v for k, v in inputs.items() if k != "task"}

    def lonely_backward(dout, cache):  # no dense_forward in this module's globals
        return None
    with pytest.raises(NameError, match="dense_forward is not defined"):
        driver.run(lonely_backward, "dense_backward", **data)

    def unfinished_forward(x, W, b):
        raise NotImplementedError()

    def written_backward(dout, cache):
        return cache
    namespace = {"dense_forward": unfinished_forward}
    exec("def backward(dout, cache):\n    return impl(dout, cache)\n", namespace)
    namespace["impl"] = written_backward
    with pytest.raises(RuntimeError, match="dense_forward, which is not implemented yet"):
        driver.run(namespace["backward"], "dense_backward", **data)

    # an untouched exercise: both raise, and the backward says so itself
    exec("def untouched(dout, cache):\n    raise NotImplementedError()\n", namespace)
    with pytest.raises(NotImplementedError):
        driver.run(namespace["untouched"], "dense_backward", **data)


def test_f_refuses_a_wrongly_shaped_argument():
    check = A.check("numerical_gradient")
    inputs = inputs_for(check.cases[4], 0)  # x of shape (3, 4)
    with pytest.raises(ValueError, match="shaped like x"):
        local_call(check, bb.numerical_gradient_flattens_for_f)(**inputs)


def test_default_step_is_left_to_the_student():
    seen = []

    def spy(f, x, h=1e-5):
        seen.append(h)
        return bb.numerical_gradient(f, x, h)
    check = A.check("numerical_gradient")
    for case in check.cases:
        local_call(check, spy)(**inputs_for(case, 0))
    assert 1e-5 in seen and 1e-3 in seen and 1e-4 in seen


@pytest.mark.parametrize("function,bug,name", [
    ("relu_forward", bb.relu_forward_in_place, "x"),
    ("relu_backward", bb.relu_backward_in_place, "dout"),
    ("mlp_loss_and_grads", bb.mlp_loss_and_grads_mutates_params, "params"),
    ("numerical_gradient", bb.numerical_gradient_in_place_no_restore, "x"),
])
def test_in_place_mutation_is_caught(function, bug, name):
    check = A.check(function)
    with pytest.raises(Mutated) as caught:
        local_call(check, bug)(**inputs_for(check.cases[0], 0))
    assert caught.value.args[0] == [name]


def test_restoring_x_by_subtraction_is_caught_on_some_case():
    # x + h - 2h + h is not always x: the worker's exact comparison sees it.
    check = A.check("numerical_gradient")
    caught = 0
    for case in check.cases:
        try:
            local_call(check, bb.numerical_gradient_in_place_restore_by_subtraction)(
                **inputs_for(case, 0))
        except Mutated:
            caught += 1
    assert caught >= 1


# ------------------------------------------------------------------ in the real sandbox

@pytest.mark.slow
def test_object_caches_and_driver_messages_in_the_sandbox(grade_cells):
    cells = ['''
import numpy as np

class Cache:                      # an object: it could never travel to the grader
    def __init__(self, **arrays):
        self.__dict__.update(arrays)

def dense_forward(x, W, b):
    return x @ W + b, Cache(x=x, W=W)

def dense_backward(dout, cache):
    return dout @ cache.W.T, cache.x.T @ dout, dout.sum(axis=0)

def relu_forward(x):
    raise NotImplementedError()

def relu_backward(dout, cache):
    return dout * (cache > 0)

def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        down = f(x)
        x[i] += h
        grad[i] = (up - down) / (2 * h)
    return grad
''']
    report = grade_cells("backprop", cells)
    by_function = {}
    for t in report.tests:
        by_function.setdefault(t.function, []).append(t)
    assert all(t.passed for t in by_function["dense_forward"] + by_function["dense_backward"])
    assert all(t.kind == "not_implemented" for t in by_function["relu_forward"])
    assert all("relu_forward, which is not implemented yet" in t.feedback
               for t in by_function["relu_backward"] if not t.hidden)
    assert not any(t.passed for t in by_function["relu_backward"])
    # x + h - 2h + h is not always x: the worker's exact comparison catches it
    assert any("modified its input x in place" in t.feedback
               for t in by_function["numerical_gradient"])


def test_notebook_test_cells_carry_the_table_points():
    import json

    nb = json.loads((ROOT / "solutions" / "backprop.ipynb").read_text())
    assert nb["metadata"]["dlphys"]["assignment"] == A.id
    cells = {c["metadata"]["nbgrader"]["grade_id"]: c for c in nb["cells"]
             if c["metadata"].get("nbgrader", {}).get("grade")}
    assert {k: c["metadata"]["nbgrader"]["points"] for k, c in cells.items()} == \
        {f"test_{c.function}": c.points for c in CHECKS}
    for check in CHECKS:
        assert "".join(cells[f"test_{check.function}"]["source"]) == (
            f'from autograder.selfcheck import nbgrader_check\nnbgrader_check("{check.function}")')
