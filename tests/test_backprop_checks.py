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

import numpy as np
import pytest

import buggy_backprop as bb
from checks import backprop as bp
from autograder.student_side.compare import compare
from checks.student_side import backprop as driver

pytest.register_assert_rewrite("checktools")  # its assertions report like this file's
from checktools import (  # noqa: E402
    assert_fails_publicly_and_hidden, GARBAGE, SEEDS, assert_case_counts_and_labels, assert_detector_never_raises,
    assert_every_hint_has_a_bug, assert_hint_fires_on_its_bug, assert_imports_fast_without_tensorflow,
    assert_no_hint_fires, assert_notebook_test_cells_carry_the_table_points,
    assert_points_sum_to_100, bug_id, case_id, expected, hint_id, hint_table, inputs_for,
    inputs_twice, tolerance)

A = bp.ASSIGNMENT
CHECKS = list(A.checks)
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
BUGS, HINTS, HINT_BUGS = hint_table(CHECKS, BUGS)


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


def mismatch(check, case, got, want):
    rtol, atol = tolerance(check, case)
    return compare(got, want, rtol=rtol, atol=atol, hidden=case.hidden, returns=check.returns,
                   names=check.outputs)


# ------------------------------------------------------------------ structure

def test_points_are_integers_summing_to_100():
    assert_points_sum_to_100(CHECKS)


def test_one_check_per_curriculum_function():
    assert [c.function for c in CHECKS] == ["dense_forward", "dense_backward", "relu_forward",
                                            "relu_backward", "mlp_loss_and_grads",
                                            "numerical_gradient"]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_case_counts_labels_and_references(check):
    assert_case_counts_and_labels(check)
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
    for case, a, b in inputs_twice(check):
        _assert_plain_data(a, (case.label,))
        assert _same(a, b), case.label


def test_assignment_module_imports_fast_without_tensorflow():
    assert_imports_fast_without_tensorflow("checks.backprop")


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


@pytest.mark.parametrize("check,k", CASES, ids=case_id)
def test_correct_implementation_passes_and_triggers_no_hint(check, k):
    case = check.cases[k]
    call = local_call(check, CORRECT[check.function])
    for seed in SEEDS:
        inputs = inputs_for(case, seed)
        got, want = call(**inputs), expected(check, k, seed)
        assert mismatch(check, case, got, want) is None, (case.label, seed)
        assert_no_hint_fires(check.hints, got, want, inputs, where=(case.label,))


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
    assert_every_hint_has_a_bug(HINTS, BUGS)


@pytest.mark.parametrize("check,hint,bug", HINT_BUGS, ids=bug_id)
def test_buggy_implementation_triggers_its_hint_and_fails(check, hint, bug):
    call = local_call(check, bug)

    def attempt(k, case, seed):
        inputs = inputs_for(case, seed)
        try:
            got = call(**inputs)
        except Exception:  # e.g. dout @ W with a non-square W: the runner reports it
            return None
        want = expected(check, k, seed)
        return inputs, got, want, lambda: mismatch(check, case, got, want) is not None
    assert_hint_fires_on_its_bug(check, hint, attempt)


@pytest.mark.parametrize("check,hint", HINTS, ids=hint_id)
def test_detectors_never_raise(check, hint):
    inputs = inputs_for(check.cases[0], 0)
    garbage = GARBAGE + [(1.0, {"W1": None}), (1.0, [np.ones(2)])]
    assert_detector_never_raises(hint, inputs, expected(check, 0, 0), garbage)


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
    assert_notebook_test_cells_carry_the_table_points(A, "backprop.ipynb")


# ------------------------------------------------------------------ mistakes graded as the grader does

def test_softmax_without_the_row_maximum_fails_publicly_and_for_every_student():
    assert_fails_publicly_and_hidden(A, "mlp_loss_and_grads", bb.mlp_loss_and_grads_no_row_max)


def test_mlp_feedback_names_every_part_and_the_common_factor():
    # loss and every gradient summed instead of averaged: all N times too large
    failed = assert_fails_publicly_and_hidden(A, "mlp_loss_and_grads", bb.mlp_loss_and_grads_all_summed)
    visible = [t.feedback for t in failed if not t.hidden and "single sample" not in t.label]
    assert visible and all("all by the same factor" in f for f in visible), visible
    assert all(all(k in f for k in ("loss", "W1", "b1", "W2", "b2")) for f in visible)
