"""The check tables of `gradient_descent` and `convolution` are right.

No sandbox here: student functions are the NumPy implementations in
buggy_impls.py, called in-process. What is proved:
- points are integers summing to 100, case counts and labels follow the rules;
- every case's inputs are deterministic per seed and float64;
- a correct implementation passes every case against the TF reference, with
  the check's tolerance, and triggers no hint;
- every hint fires for an implementation that makes its mistake;
- the minibatch property check accepts a correct shuffle and rejects
  unshuffled, truncated, global-state, unseeded and with-replacement ones.
"""
from __future__ import annotations

import numpy as np
import pytest

import buggy_impls as bi
from checks import convolution as conv
from checks import gradient_descent as gd
from autograder.spec import Rng

pytest.register_assert_rewrite("checktools")  # its assertions report like this file's
from checktools import (  # noqa: E402
    SEEDS, assert_array_close, assert_case_counts_and_labels, assert_detector_never_raises,
    assert_every_hint_has_a_bug, assert_fails_publicly_and_hidden, assert_hint_fires_on_its_bug, assert_imports_fast_without_tensorflow,
    assert_no_hint_fires, assert_points_sum_to_100, assertion_fails, bug_id, case_id, expected,
    hint_id, hint_table, inputs_for, inputs_twice, local_call, passing_value, tolerance)

ASSIGNMENTS = [gd.ASSIGNMENT, conv.ASSIGNMENT]
CHECKS = [(a, c) for a in ASSIGNMENTS for c in a.checks]

CORRECT = {name: getattr(bi, name) for a in ASSIGNMENTS for name in (c.function for c in a.checks)}

# Every hint and an implementation that makes exactly that mistake (a list:
# several ways to make it, each must trigger the hint).
BUGS = {
    gd.LM_OUTPUT_TRANSPOSED: bi.linear_model_output_transposed,
    gd.LM_W_TRANSPOSED: bi.linear_model_W_transposed,
    gd.LM_NO_BIAS: bi.linear_model_no_bias,
    gd.MSE_SUM: bi.mse_loss_sum,
    gd.MSE_ROWS_ONLY: bi.mse_loss_rows_only,
    gd.MSE_NOT_SCALAR: bi.mse_loss_not_scalar,
    gd.MSE_HALF: bi.mse_loss_half,
    gd.MSE_ROOT: bi.mse_loss_root,
    gd.GRAD_SUM: bi.mse_gradients_sum,
    gd.GRAD_MISSING_N: bi.mse_gradients_missing_n,
    gd.GRAD_NO_FACTOR: bi.mse_gradients_no_factor,
    gd.GRAD_ROWS_ONLY: bi.mse_gradients_rows_only,
    gd.GRAD_NO_TWO: bi.mse_gradients_no_two,
    gd.GRAD_SIGN: bi.mse_gradients_sign,
    gd.GRAD_DW_TRANSPOSED: bi.mse_gradients_dW_transposed,
    gd.GRAD_DB_NOT_SUMMED: bi.mse_gradients_db_not_summed,
    gd.GRAD_DB_KEEPDIMS: bi.mse_gradients_db_keepdims,
    gd.GD_NORMALISATION: [bi.gradient_descent_sum, bi.gradient_descent_rows_only],
    gd.GD_NO_TWO: bi.gradient_descent_no_two,
    gd.GD_ASCENT: bi.gradient_descent_ascent,
    gd.GD_LOSS_AFTER: bi.gradient_descent_loss_after,
    gd.GD_LOSS_COUNT: bi.gradient_descent_loss_count,
    gd.GD_LOSS_SCALE: bi.gradient_descent_loss_sum,
    gd.MB_NOT_SHUFFLED: bi.minibatch_indices_not_shuffled,
    gd.MB_LAST_DROPPED: bi.minibatch_indices_drops_last,
    gd.MB_REPLACEMENT: bi.minibatch_indices_replacement,
    conv.OUTSIZE_NO_DILATION: bi.conv_output_size_no_dilation,
    conv.OUTSIZE_SAME: [bi.conv_output_size_same_floor, bi.conv_output_size_same_as_valid],
    conv.OUTSIZE_PAD_ONCE: bi.conv_output_size_pad_once,
    conv.CONV_FLIPPED: bi.conv2d_flipped,
    conv.CONV_SAME_PLACEMENT: bi.conv2d_same_top_left,
    conv.CONV_SAME_SYMMETRIC: bi.conv2d_same_k_half,
    conv.CONV_NO_BIAS: bi.conv2d_no_bias,
    conv.CONV_NO_DILATION: bi.conv2d_no_dilation,
    conv.PARAMS_BIAS: bi.conv2d_param_count_always_bias,
    conv.PARAMS_NO_IN_CHANNELS: bi.conv2d_param_count_no_in_channels,
    conv.PARAMS_INT_KERNEL: bi.conv2d_param_count_int_kernel,
    conv.MAXPOOL_STRIDE_ONE: bi.max_pool2d_stride_one,
    conv.MAXPOOL_ZERO_PAD: bi.max_pool2d_zero_pad,
    conv.MAXPOOL_SAME_PLACEMENT: bi.max_pool2d_same_top_left,
    conv.AVGPOOL_STRIDE_ONE: bi.avg_pool2d_stride_one,
    conv.AVGPOOL_FULL_WINDOW: bi.avg_pool2d_full_window,
    conv.AVGPOOL_SAME_PLACEMENT: bi.avg_pool2d_same_top_left,
    conv.GLOBAL_AVG_WRONG_AXES: [bi.global_avg_pool_nchw, bi.global_avg_pool_all_but_batch,
                                 bi.global_avg_pool_over_batch],
    conv.GLOBAL_AVG_KEEPDIMS: bi.global_avg_pool_keepdims,
    conv.GLOBAL_MAX_WRONG_AXES: bi.global_max_pool_nchw,
    conv.GLOBAL_MAX_KEEPDIMS: bi.global_max_pool_keepdims,
    conv.BWD_DB_NOT_SUMMED: [bi.conv2d_backward_db_per_image, bi.conv2d_backward_db_mean],
    conv.BWD_STRIDE: [bi.conv2d_backward_dx_no_stride, bi.conv2d_backward_dw_no_stride],
    conv.BWD_FLIPPED: [bi.conv2d_backward_dw_flipped, bi.conv2d_backward_dx_flipped],
    conv.BWD_NO_CROP: bi.conv2d_backward_no_crop,
    conv.BWD_BATCH_MEAN: bi.conv2d_backward_batch_mean,
    conv.BWD_SAME_PLACEMENT: bi.conv2d_backward_same_top_left,
}
BUGS, HINTS, HINT_BUGS = hint_table([c for _, c in CHECKS], BUGS)


def assert_close(got, want, rtol, atol):
    if isinstance(want, (tuple, list)) and not np.isscalar(want[0]):
        assert isinstance(got, (tuple, list)) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_close(g, w, rtol, atol)
        return
    assert_array_close(got, want, rtol, atol)


# ------------------------------------------------------------------ structure

@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.id)
def test_points_are_integers_summing_to_100(assignment):
    assert_points_sum_to_100(assignment.checks)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.id)
def test_one_check_per_curriculum_function(assignment):
    expected_functions = {
        "gradient_descent": ["linear_model", "mse_loss", "mse_gradients", "gradient_descent",
                             "minibatch_indices"],
        "convolution": ["conv_output_size", "conv2d", "conv2d_param_count", "max_pool2d",
                        "avg_pool2d", "global_avg_pool", "global_max_pool", "conv2d_backward"],
    }[assignment.id]
    assert [c.function for c in assignment.checks] == expected_functions


@pytest.mark.parametrize("assignment,check", CHECKS, ids=lambda v: getattr(v, "function", ""))
def test_case_counts_and_labels(assignment, check):
    assert_case_counts_and_labels(check)
    assert check.reference and check.reference.startswith(f"reference_impl.{assignment.id}:")
    assert check.reference.endswith(":" + check.function)


@pytest.mark.parametrize("assignment,check", CHECKS, ids=lambda v: getattr(v, "function", ""))
def test_make_is_deterministic_and_float64(assignment, check):
    for case, a, b in inputs_twice(check):
        for key in a:
            if isinstance(a[key], np.ndarray):
                assert a[key].dtype == np.float64, (case.label, key)
                assert np.array_equal(a[key], b[key]), (case.label, key)
            elif isinstance(a[key], Rng):  # Rng has no __eq__: compare seeds
                assert a[key].seed == b[key].seed, (case.label, key)
            else:
                assert a[key] == b[key], (case.label, key)
                # plain Python values cross the sandbox boundary cleanly
                assert type(a[key]) in (int, float, str, bool, tuple, Rng, type(None)), \
                    (case.label, key, type(a[key]))


def test_assignment_modules_import_fast_without_tensorflow():
    assert_imports_fast_without_tensorflow("checks.gradient_descent",
                                           "checks.convolution")


# ------------------------------------------------------------------ correct implementation

CASES = [(check, k) for _, check in CHECKS for k in range(len(check.cases))]


@pytest.mark.parametrize("check,k", CASES, ids=case_id)
def test_correct_implementation_passes_and_triggers_no_hint(check, k):
    case = check.cases[k]
    call = local_call(CORRECT[check.function])
    for seed in SEEDS:
        inputs = inputs_for(case, seed)
        got, want = passing_value(check, k, seed, call, inputs, assert_close, case.label)
        assert_no_hint_fires(check.hints, got, want, inputs, where=(case.label, seed))


# ------------------------------------------------------------------ hints

def test_every_hint_has_a_buggy_implementation():
    assert_every_hint_has_a_bug(HINTS, BUGS)


@pytest.mark.parametrize("check,hint,bug", HINT_BUGS, ids=bug_id)
def test_buggy_implementation_triggers_its_hint(check, hint, bug):
    call = local_call(bug)

    def attempt(k, case, seed):
        inputs = inputs_for(case, seed)
        try:
            got = call(**inputs)
        except Exception:  # e.g. x @ W.T with a non-square W: the runner reports it
            return None
        if check.verify is not None:  # no reference value: nothing to fail against here
            return inputs, got, None, lambda: True
        want = expected(check, k, seed)
        return inputs, got, want, lambda: assertion_fails(assert_close, got, want,
                                                          *tolerance(check, case))
    assert_hint_fires_on_its_bug(check, hint, attempt)


@pytest.mark.parametrize("check,hint", HINTS, ids=hint_id)
def test_detectors_never_raise(check, hint):
    inputs = inputs_for(check.cases[0], 0)
    want = None if check.verify else expected(check, 0, 0)
    assert_detector_never_raises(hint, inputs, want)


# ------------------------------------------------------------------ minibatch property check

MB = gd.ASSIGNMENT.check("minibatch_indices")


@pytest.mark.parametrize("bug,words", [
    (bi.minibatch_indices_not_shuffled, "not shuffled"),
    (bi.minibatch_indices_drops_last, "samples are missing"),
    (bi.minibatch_indices_global_state, "global random state"),
    (bi.minibatch_indices_unseeded, "same rng gave different"),
    (bi.minibatch_indices_replacement, "more than once"),
    (bi.minibatch_indices_float, "not a 1-D integer array"),
], ids=lambda v: getattr(v, "__name__", None) or getattr(getattr(v, "func", None), "__name__", str(v)))
def test_minibatch_property_check_rejects(bug, words):
    call = local_call(bug)
    problems = [p for case in MB.cases for p in MB.verify(call, inputs_for(case, 7))]
    assert problems
    assert any(words in p for p in problems), problems


def test_minibatch_identity_order_is_practically_impossible():
    # The "not shuffled" problem would wrongly fail a correct shuffle with
    # probability 1/n!: every case keeps n >= 20 (1/20! ~ 4e-19).
    for case in MB.cases:
        for seed in range(20):
            assert inputs_for(case, seed)["n_samples"] >= 20


def test_minibatch_rejects_a_non_list():
    def as_array(n_samples, batch_size, rng):
        return rng.permutation(n_samples).reshape(-1, batch_size)
    problems = MB.verify(local_call(as_array), inputs_for(MB.cases[1], 0))
    assert problems and "list" in problems[0]


def test_minibatch_messages_reveal_no_sizes():
    # Hidden cases must not show n_samples or batch_size in the feedback.
    for bug in (bi.minibatch_indices_drops_last, bi.minibatch_indices_replacement):
        for case in MB.cases:
            inputs = inputs_for(case, 3)
            for problem in MB.verify(local_call(bug), inputs):
                assert str(inputs["n_samples"]) not in problem
                assert str(inputs["batch_size"]) not in problem


@pytest.mark.parametrize("k", range(len(gd.ASSIGNMENT.check("gradient_descent").cases)))
def test_gradient_descent_cases_converge(k):
    # The learning rates are below 2/L: the loss never goes up.
    case = gd.ASSIGNMENT.check("gradient_descent").cases[k]
    for seed in SEEDS:
        _, _, losses = bi.gradient_descent(**inputs_for(case, seed))
        assert np.all(np.isfinite(losses)) and np.all(np.diff(losses) <= 1e-12), case.label


# ------------------------------------------------------------------ mistakes graded as the grader does

@pytest.mark.parametrize("assignment,function,bug,public", [
    (gd.ASSIGNMENT, "minibatch_indices", bi.minibatch_indices_own_generator, True),
    (gd.ASSIGNMENT, "minibatch_indices", bi.minibatch_indices_np_seed, True),
    # item 1 of issue 13: it must lose points (TF's asymmetric "same" shows on even kernels)
    (conv.ASSIGNMENT, "conv_output_size", bi.conv_output_size_same_symmetric, False),
    (conv.ASSIGNMENT, "max_pool2d", bi.max_pool2d_zero_pad, True),
], ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_classic_mistake_fails_for_every_student(assignment, function, bug, public):
    assert_fails_publicly_and_hidden(assignment, function, bug, public=public)


# Implementations close to a hint's mistake that must not get it (issue 13, item 3).
# An optional fourth element: only outputs for which it holds are near misses
# (k // 2 on both sides at stride 2 can be exactly "one zero before": then the
# placement hint is true; with a wrong shape it never is).
NEAR_MISSES = [
    (gd.GRAD_MISSING_N, "mse_gradients", bi.mse_gradients_no_factor, None),
    (gd.GRAD_MISSING_N, "mse_gradients", bi.mse_gradients_sum, None),
    (conv.CONV_SAME_PLACEMENT, "conv2d", bi.conv2d_same_k_half,
     lambda got, want: np.shape(got) != np.shape(want)),
]


@pytest.mark.parametrize("hint,function,near_miss,only_if", NEAR_MISSES,
                         ids=lambda v: getattr(getattr(v, "func", v), "__name__", None)
                         if callable(v) else None)
def test_hint_does_not_fire_on_a_near_miss(hint, function, near_miss, only_if):
    check = next(c for a in ASSIGNMENTS for c in a.checks if c.function == function)
    tried = 0
    for k, case in enumerate(check.cases):
        for seed in SEEDS:
            inputs = inputs_for(case, seed)
            got, want = local_call(near_miss)(**inputs), expected(check, k, seed)
            if only_if is None or only_if(got, want):
                tried += 1
                assert not hint.detect(inputs, got, want), (case.label, seed)
    assert tried
