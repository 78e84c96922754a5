"""The check table of `activations` is right.

No sandbox here: student functions are the NumPy implementations in
buggy_activations.py, called in-process with the worker's floating-point
settings (overflow/invalid/divide warn, underflow ignored). What is proved:
- points are integers summing to 100, one check per curriculum function,
  case counts and labels follow the rules, inputs are deterministic per seed;
- a correct implementation passes every case against the TF reference with the
  check's tolerance, without a NumPy warning, and triggers no hint;
- every hint fires for an implementation that makes its mistake (given the
  call's warnings as the runner may pass them, hints.WARNINGS_KEY);
- the stability cases bite: each naive formula warns or fails on some case;
- inputs have the properties the table relies on (no ties, no zeros in the
  derivative cases, probability rows summing to 1).
"""
from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import buggy_activations as ba
from autograder import hints
from checks import activations as act

pytest.register_assert_rewrite("checktools")  # its assertions report like this file's
from checktools import (  # noqa: E402
    ROOT, assert_fails_publicly_and_hidden, GARBAGE, SEEDS, assert_array_close, assert_case_counts_and_labels, assert_detector_never_raises,
    assert_every_hint_has_a_bug, assert_hint_fires_on_its_bug, assert_imports_fast_without_tensorflow,
    assert_no_hint_fires, assert_points_sum_to_100, bug_id, case_id, expected, hint_id, hint_table,
    inputs_for, inputs_twice, tolerance)

A = act.ASSIGNMENT
CORRECT = {c.function: getattr(ba, c.function) for c in A.checks}

BUGS = {
    act.RELU_STEP: ba.relu_step,
    act.SIGMOID_OVERFLOW: [ba.sigmoid_naive, ba.sigmoid_naive_ratio],
    act.SIGMOID_SIGN: ba.sigmoid_sign,
    act.TANH_SLIDE_TYPO: ba.tanh_slide_typo,
    act.TANH_OVERFLOW: ba.tanh_exp_formula,
    act.TANH_OVERFLOW_NEGATIVE: ba.tanh_exp_neg_formula,
    act.TANH_NO_SIGN: ba.tanh_no_sign,
    act.RELU_GRAD_IS_RELU: ba.relu_grad_is_relu,
    act.RELU_GRAD_BOOL: ba.relu_grad_bool,
    act.RELU_GRAD_INT: ba.relu_grad_int,
    act.SIGMOID_GRAD_ON_X: ba.sigmoid_grad_on_x,
    act.SIGMOID_GRAD_IS_SIGMOID: ba.sigmoid,
    act.TANH_GRAD_ON_X: ba.tanh_grad_on_x,
    act.TANH_GRAD_NO_SQUARE: ba.tanh_grad_no_square,
    act.SOFTMAX_OVERFLOW: ba.softmax_naive,
    act.SOFTMAX_GLOBAL_MAX: ba.softmax_global_max,
    act.SOFTMAX_MIN_OR_MEAN: [ba.softmax_min_shift, ba.softmax_mean_shift],
    act.SOFTMAX_WRONG_AXIS: [ba.softmax_axis0, ba.softmax_whole_array],
    act.ONE_HOT_INT: [ba.one_hot_int, ba.one_hot_bool],
    act.ONE_HOT_FROM_LABELS: ba.one_hot_from_labels,
    act.ONE_HOT_TRANSPOSED: ba.one_hot_transposed,
    act.CCE_SUM: ba.categorical_crossentropy_sum,
    act.CCE_ELEMENTWISE_MEAN: ba.categorical_crossentropy_elementwise_mean,
    act.CCE_NO_CLIP: ba.categorical_crossentropy_no_clip,
    act.CCE_SWAPPED: ba.categorical_crossentropy_swapped,
    act.CCE_EPS_IN_LOG: ba.categorical_crossentropy_eps_in_log,
    act.TANH_GRAD_FLOAT32: ba.tanh_grad_float32,
    act.SOFTMAX_FLOAT32: ba.softmax_float32,
    act.SCE_FLOAT32: ba.softmax_cross_entropy_float32,
    act.SCE_SUM: ba.softmax_cross_entropy_sum,
    act.SCE_ELEMENTWISE_MEAN: ba.softmax_cross_entropy_elementwise_mean,
    act.SCE_GRAD_NO_N: ba.softmax_cross_entropy_grad_no_n,
    act.SCE_GRAD_SIGN: ba.softmax_cross_entropy_grad_sign,
    act.SCE_UNSTABLE: ba.softmax_cross_entropy_log_of_softmax,
    act.SCE_CLIPPED: ba.softmax_cross_entropy_clipped,
    act.ACC_ELEMENTWISE: [ba.accuracy_elementwise, ba.accuracy_rounded_rows],
    act.ACC_COUNT: ba.accuracy_count,
    act.ACC_PERCENT: ba.accuracy_percent,
}
BUGS, HINTS, HINT_BUGS = hint_table(A.checks, BUGS)


def run(fn, inputs):
    """Call fn on copies of inputs as the worker does; returns (value, warnings)."""
    kwargs = copy.deepcopy(inputs)
    old = np.seterr(over="warn", invalid="warn", divide="warn", under="ignore")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = fn(**kwargs)
    finally:
        np.seterr(**old)
    return value, sorted({f"{w.category.__name__}: {w.message}" for w in caught})


def assert_close(got, want, rtol, atol):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_close(g, w, rtol, atol)
        return
    assert_array_close(got, want, rtol, atol, float_and_finite=True)


def is_right(check, k, seed, got, warned):
    """What the runner would conclude: right value and (if warning_free) no warning."""
    if check.warning_free and warned:
        return False
    try:
        assert_close(got, expected(check, k, seed), *tolerance(check, check.cases[k]))
    except AssertionError:
        return False
    return True


# ------------------------------------------------------------------ structure

def test_points_are_integers_summing_to_100():
    assert_points_sum_to_100(A.checks)


def test_one_check_per_curriculum_function():
    assert [c.function for c in A.checks] == [
        "relu", "sigmoid", "tanh", "relu_grad", "sigmoid_grad", "tanh_grad", "softmax",
        "one_hot", "categorical_crossentropy", "softmax_cross_entropy", "accuracy"]
    # "stable / warning-free" in the curriculum
    assert {c.function for c in A.checks if c.warning_free} == {
        "relu", "sigmoid", "tanh", "softmax", "softmax_cross_entropy"}


@pytest.mark.parametrize("check", A.checks, ids=lambda c: c.function)
def test_case_counts_and_labels(check):
    assert_case_counts_and_labels(check)
    assert check.reference == f"reference_impl.activations:{check.function}"


@pytest.mark.parametrize("check", A.checks, ids=lambda c: c.function)
def test_make_is_deterministic_and_typed(check):
    for case, a, b in inputs_twice(check):
        for key in a:
            if isinstance(a[key], np.ndarray):
                want = np.int64 if key == "labels" else np.float64
                assert a[key].dtype == want, (case.label, key)
                assert np.array_equal(a[key], b[key]), (case.label, key)
            else:
                assert a[key] == b[key] and type(a[key]) is int, (case.label, key)


def test_assignment_module_imports_fast_without_tensorflow():
    assert_imports_fast_without_tensorflow("checks.activations")


# ------------------------------------------------------------------ inputs

def test_stability_cases_reach_1e3_and_derivative_cases_avoid_zero():
    for check in A.checks:
        big = [max(float(np.max(np.abs(v))) for k, v in inputs_for(c, 0).items()
                   if isinstance(v, np.ndarray) and k != "y_true") for c in check.cases]
        if check.function in ("sigmoid", "tanh", "softmax", "softmax_cross_entropy", "relu"):
            assert max(big) == 1000.0, check.function
        if check.function.endswith("_grad"):
            for case in check.cases:
                for seed in SEEDS:
                    assert np.all(inputs_for(case, seed)["x"] != 0), case.label


def test_probability_inputs_are_rows_of_a_distribution_without_ties():
    for name in ("categorical_crossentropy", "accuracy"):
        for case in A.check(name).cases:
            for seed in SEEDS:
                i = inputs_for(case, seed)
                p, y = i["y_prob"], i["y_true"]
                assert np.all(p >= 0) and np.allclose(p.sum(axis=1), 1, rtol=0, atol=1e-15)
                assert np.allclose(y.sum(axis=1), 1, rtol=0, atol=1e-15)
                top = np.sort(p, axis=1)
                assert np.all(top[:, -1] > top[:, -2]), case.label  # unique argmax


def test_accuracy_cases_are_not_all_wrong():
    for case in A.check("accuracy").cases:
        for seed in SEEDS:
            i = inputs_for(case, seed)
            assert 0 < ba.accuracy(i["y_true"], i["y_prob"]) <= 1, case.label


# ------------------------------------------------------------------ correct implementation

CASES = [(check, k) for check in A.checks for k in range(len(check.cases))]


@pytest.mark.parametrize("check,k", CASES, ids=case_id)
def test_correct_implementation_passes_and_triggers_no_hint(check, k):
    case = check.cases[k]
    for seed in SEEDS:
        inputs = inputs_for(case, seed)
        got, warned = run(CORRECT[check.function], inputs)
        assert warned == [], (case.label, warned)
        want = expected(check, k, seed)
        assert_close(got, want, *tolerance(check, case))
        # with and without the call's (empty) warnings
        assert_no_hint_fires(check.hints, got, want, {**inputs, hints.WARNINGS_KEY: []}, inputs,
                             where=(case.label, seed))


def test_reference_inputs_untouched():
    for check in A.checks:
        inputs = inputs_for(check.cases[0], 0)
        before = copy.deepcopy(inputs)
        check.reference_function()(**inputs)
        for key, value in before.items():
            assert np.array_equal(value, inputs[key]), (check.function, key)


# ------------------------------------------------------------------ hints

def test_every_hint_has_a_buggy_implementation():
    assert_every_hint_has_a_bug(HINTS, BUGS)


@pytest.mark.parametrize("check,hint,bug", HINT_BUGS, ids=bug_id)
def test_buggy_implementation_triggers_its_hint(check, hint, bug):
    def attempt(k, case, seed):
        inputs = inputs_for(case, seed)
        try:
            got, warned = run(bug, inputs)
        except Exception:  # e.g. a shape error: the runner reports the exception
            return None
        # the detectors see the call's warnings as the runner may pass them
        return ({**inputs, hints.WARNINGS_KEY: warned}, got, expected(check, k, seed),
                lambda: not is_right(check, k, seed, got, warned))
    assert_hint_fires_on_its_bug(check, hint, attempt)


@pytest.mark.parametrize("function,bug", [
    ("sigmoid", ba.sigmoid_naive_ratio), ("tanh", ba.tanh_exp_formula), ("softmax", ba.softmax_naive),
    ("softmax", ba.softmax_global_max), ("softmax_cross_entropy", ba.softmax_cross_entropy_log_of_softmax),
], ids=lambda v: getattr(v, "__name__", v))
def test_output_based_stability_hints_need_no_warnings(function, bug):
    # These mistakes show in the value (NaN/inf), so their hints fire even
    # when the runner does not pass the warnings on to the detectors.
    check = A.check(function)
    fired = [k for k, case in enumerate(check.cases) for seed in SEEDS
             if any(h.detect(inputs_for(case, seed), run(bug, inputs_for(case, seed))[0],
                             expected(check, k, seed)) for h in check.hints)]
    assert fired


@pytest.mark.parametrize("function,bug", [
    ("sigmoid", ba.sigmoid_naive), ("sigmoid", ba.sigmoid_naive_ratio),
    ("tanh", ba.tanh_exp_formula), ("softmax", ba.softmax_naive),
    ("softmax", ba.softmax_global_max), ("softmax_cross_entropy", ba.softmax_cross_entropy_log_of_softmax),
], ids=lambda v: getattr(v, "__name__", v))
def test_stability_cases_catch_the_naive_formulas(function, bug):
    check = A.check(function)
    failing = {case.label for k, case in enumerate(check.cases) for seed in SEEDS
               if not is_right(check, k, seed, *run(bug, inputs_for(case, seed)))}
    assert failing
    # on ordinary inputs the naive formula is right: only stability is at stake
    assert len(failing) < len(check.cases)


@pytest.mark.parametrize("check,hint", HINTS, ids=hint_id)
def test_detectors_never_raise(check, hint):
    inputs = inputs_for(check.cases[0], 0)
    want = expected(check, 0, 0)
    garbage = GARBAGE + [np.array([np.nan, np.inf]), np.zeros(3, dtype=bool)]
    assert_detector_never_raises(hint, inputs, want, garbage)
    assert_detector_never_raises(hint, {**inputs, hints.WARNINGS_KEY: ["x"]}, want, garbage)


# ------------------------------------------------------------------ mistakes graded as the grader does

@pytest.mark.parametrize("function,bug", [
    ("tanh", ba.tanh_exp_2x_ratio),
    ("softmax", ba.softmax_global_max_2d),
    ("categorical_crossentropy", ba.categorical_crossentropy_clip_below),
    ("categorical_crossentropy", ba.categorical_crossentropy_argmax_class),
    ("accuracy", ba.accuracy_argmax_axis0),
    ("accuracy", ba.accuracy_p_true_over_half),
], ids=lambda v: getattr(v, "__name__", v))
def test_classic_mistake_fails_publicly_and_for_every_student(function, bug):
    assert_fails_publicly_and_hidden(A, function, bug)


# Implementations close to a hint's mistake that must not get it (issue 13, item 3).
NEAR_MISSES = [
    (act.SOFTMAX_FLOAT32, "softmax", ba.softmax_global_max),
    (act.TANH_OVERFLOW, "tanh", ba.tanh_exp_neg_formula),
    (act.RELU_GRAD_BOOL, "relu_grad", ba.relu_grad_int),
    (act.RELU_GRAD_INT, "relu_grad", ba.relu_grad_bool),
    (act.ACC_ELEMENTWISE, "accuracy", ba.accuracy_always_zero),
]


@pytest.mark.parametrize("hint,function,near_miss", NEAR_MISSES,
                         ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_hint_does_not_fire_on_a_near_miss(hint, function, near_miss):
    check = A.check(function)
    for k, case in enumerate(check.cases):
        for seed in SEEDS:
            inputs = inputs_for(case, seed)
            got, warned = run(near_miss, inputs)
            given = {**inputs, "_warnings": warned}
            assert not hint.detect(given, got, expected(check, k, seed)), (case.label, seed)


def test_eps_in_the_log_fails_the_same_cases_for_every_student():
    # issue 13, item 7: log(p + 1e-7) used to pass or fail with the seed
    check = A.check("categorical_crossentropy")
    for k, case in enumerate(check.cases):
        outcomes = {is_right(check, k, seed, *run(ba.categorical_crossentropy_eps_in_log,
                                                   inputs_for(case, seed)))
                    for seed in range(12)}
        assert outcomes == {False}, case.label


@pytest.mark.parametrize("assignment", ["activations", "backprop", "convolution", "gradient_descent",
                                        "optimizers", "regularization"])
def test_notebooks_state_the_float64_policy(assignment):
    # issue 13, item 6: the course requires float64, and says so where students read the rules
    for folder in ("solutions", "exercises"):
        text = (ROOT / folder / f"{assignment}.ipynb").read_text()
        assert "compute in float64" in text, (folder, assignment)
