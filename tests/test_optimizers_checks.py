"""The `optimizers` check table is right (no sandbox: the student functions
from buggy_optimizers.py are called in-process, one call per step, as the
property check calls them through the sandbox).

What is proved:
- points are integers summing to 100, case counts and labels follow the rules,
  inputs are deterministic per seed, float64, and say whether they are hidden;
- every accepted form (both Adagrad forms, both Adam forms) passes every case
  and triggers no hint;
- the two forms differ by far more than the tolerance on the small-gradient
  cases, so accepting "either" is a real choice, not a loose tolerance;
- every listed mistake fails on some case and triggers its hint; the failure
  names the step and, where there are two forms, the closest one;
- feedback on hidden cases shows no numbers;
- wrong default epsilons, float32 results and short tuples fail;
- reduce_lr_on_plateau: the Keras-driven reference agrees with a plain float64
  loop on every case (no float32 near-tie), each case exercises what its label
  says, and every listed mistake (late patience, no cooldown, min_delta,
  shifted list) fails and triggers its hint.
"""
from __future__ import annotations

import copy
import re

import numpy as np
import pytest

import buggy_optimizers as bo
from checks import optimizers as opt
from autograder.student_side.compare import compare

pytest.register_assert_rewrite("checktools")  # its assertions report like this file's
from checktools import (  # noqa: E402
    assert_fails_publicly_and_hidden, GARBAGE, SEEDS, assert_case_counts_and_labels, expected, assert_detector_never_raises,
    assert_every_hint_has_a_bug, assert_imports_fast_without_tensorflow, assert_no_hint_fires,
    assert_notebook_test_cells_carry_the_table_points, assert_points_sum_to_100, bug_id, hint_id,
    hint_table, inputs_for, inputs_twice)

A = opt.ASSIGNMENT
CHECKS = list(A.checks)
STEP_CHECKS = [c for c in CHECKS if getattr(c.verify, "check", None) is opt.student_side.verify_steps]
LR = A.check("reduce_lr_on_plateau")

ACCEPTED = {
    "sgd_step": [bo.sgd_step],
    "momentum_step": [bo.momentum_step],
    "adagrad_step": [bo.adagrad_step, bo.adagrad_step_keras],
    "adam_step": [bo.adam_step, bo.adam_step_keras],
}

BUGS = {
    opt.SGD_ASCENT: bo.sgd_step_ascent,
    opt.SGD_NO_LR: bo.sgd_step_no_lr,
    opt.SGD_UPDATE_ONLY: bo.sgd_step_update_only,
    opt.MOM_NO_LR: bo.momentum_step_no_lr,
    opt.MOM_SIGN_CONVENTION: bo.momentum_step_flipped,
    opt.MOM_OLD_VELOCITY: bo.momentum_step_old_velocity,
    opt.MOM_EMA: bo.momentum_step_ema,
    opt.MOM_LR_TWICE: bo.momentum_step_lr_twice,
    opt.ADA_NO_ACCUMULATION: [bo.adagrad_step_no_accumulation, bo.adagrad_step_replaces_accumulator],
    opt.ADA_NO_SQRT: bo.adagrad_step_no_sqrt,
    opt.ADA_OLD_ACCUMULATOR: bo.adagrad_step_old_accumulator,
    opt.ADAM_NO_BIAS_CORRECTION: bo.adam_step_no_bias_correction,
    opt.ADAM_STEP_COUNT: [bo.adam_step_t_from_zero, bo.adam_step_t_minus_one],
    opt.ADAM_HATS_RETURNED: bo.adam_step_hats_returned,
    opt.ADAM_EPS_INSIDE: bo.adam_step_eps_inside,
    opt.ADAM_POWER_PRECEDENCE: bo.adam_step_power_precedence,
    opt.MOM_PYTORCH: bo.momentum_step_pytorch,
    opt.ADA_NO_EPSILON: bo.adagrad_step_no_epsilon,
    opt.ADA_ACCUMULATES_GRAD: bo.adagrad_step_accumulates_abs,
    opt.ADAM_M_ONLY: bo.adam_step_m_only,
    opt.ADAM_POWERS_SWAPPED: bo.adam_step_powers_swapped,
    opt.LR_PATIENCE_OFF_BY_ONE: bo.reduce_lr_on_plateau_late,
    opt.LR_NO_COOLDOWN: bo.reduce_lr_on_plateau_no_cooldown,
    opt.LR_MIN_DELTA: bo.reduce_lr_on_plateau_non_strict,
    opt.LR_AFTER_EPOCH: bo.reduce_lr_on_plateau_after_epoch,
}
BUGS, HINTS, HINT_BUGS = hint_table(CHECKS, BUGS)


def local_call(fn, record=None):
    """Stand-in for the sandbox call: fresh copies of the arguments (the
    sandbox decodes new arrays for every call); `record` keeps the last value."""
    def call(**kwargs):
        value = fn(**copy.deepcopy(kwargs))
        if record is not None:
            record["value"] = value
        return copy.deepcopy(value)
    return call


def run(check, case, fn, seed):
    """(problems, last value, inputs) as the runner gets them: the property
    check of a step function, or the comparison with the reference."""
    last = {}
    inputs = inputs_for(case, seed)
    if check.verify is None:
        got = local_call(fn)(**inputs)
        bad = compare(got, _expected(check, case, seed), rtol=check.rtol, atol=check.atol,
                      hidden=case.hidden, returns=check.returns)
        return ([bad.message] if bad else []), got, inputs
    problems = check.verify(local_call(fn, last), dict(inputs))
    return problems, last.get("value"), inputs


def want_for(check, case, seed):
    """What the runner gives the detectors as `expected`: None for a property
    check, the reference value otherwise."""
    return None if check.verify is not None else expected(check, list(check.cases).index(case), seed)


_expected = want_for


def fired_hints(check, inputs, got, want=None):
    return [h for h in check.hints if h.detect(copy.deepcopy(inputs), got, want)]


# ------------------------------------------------------------------ structure

def test_points_are_integers_summing_to_100():
    assert_points_sum_to_100(CHECKS)


def test_one_check_per_curriculum_function():
    assert [c.function for c in CHECKS] == ["sgd_step", "momentum_step", "adagrad_step",
                                            "adam_step", "reduce_lr_on_plateau"]


@pytest.mark.parametrize("check", STEP_CHECKS, ids=lambda c: c.function)
def test_case_counts_labels_and_flags(check):
    assert_case_counts_and_labels(check)
    assert check.reference == "reference_impl.optimizers:" + check.function
    assert check.verify.check is opt.student_side.verify_steps
    for case in check.cases:
        inputs = inputs_for(case, 0)
        assert inputs["_hidden"] is case.hidden and inputs["_task"] == check.function


@pytest.mark.parametrize("check", STEP_CHECKS, ids=lambda c: c.function)
def test_make_is_deterministic_and_float64(check):
    for _, a, b in inputs_twice(check):
        for key in a:
            if isinstance(a[key], np.ndarray):
                assert a[key].dtype == np.float64 and np.array_equal(a[key], b[key])
            else:
                assert type(a[key]) in (int, float, str, bool) and a[key] == b[key]
        assert a["grads"].shape[1:] == a["param"].shape
        for name in opt.STATE[check.function]:
            assert a[name].shape == a["param"].shape


def test_assignment_module_imports_fast_without_tensorflow():
    assert_imports_fast_without_tensorflow("checks.optimizers")


def test_private_keys_never_reach_the_student():
    seen = []

    def spy(**kwargs):
        seen.append(set(kwargs))
        return bo.adam_step(**kwargs)
    check = A.check("adam_step")
    for case in check.cases:
        check.verify(local_call(spy), inputs_for(case, 0))
    assert seen and all(not any(k.startswith("_") for k in keys) for keys in seen)
    assert all("grads" not in keys and "grad" in keys for keys in seen)


# ------------------------------------------------------------------ accepted forms

FORM_CASES = [(check, k, fn) for check in STEP_CHECKS for k in range(len(check.cases))
              for fn in ACCEPTED[check.function]]


@pytest.mark.parametrize("check,k,fn", FORM_CASES,
                         ids=lambda v: getattr(v, "__name__", None) or getattr(v, "function", str(v)))
def test_every_accepted_form_passes_and_triggers_no_hint(check, k, fn):
    case = check.cases[k]
    for seed in SEEDS:
        problems, got, inputs = run(check, case, fn, seed)
        assert problems == [], (case.label, seed)
        assert_no_hint_fires(check.hints, got, None, inputs, where=(case.label,))


@pytest.mark.parametrize("function", ["adagrad_step", "adam_step"])
def test_forms_differ_far_beyond_the_tolerance_on_small_gradients(function):
    # Accepting both forms is a choice: on the small-gradient cases each form
    # fails against the other's reference by orders of magnitude.
    from reference_impl import optimizers as ref

    check = A.check(function)
    small = [c for c in check.cases if "small" in c.label or "tiny" in c.label]
    assert len(small) >= 2
    (_, first), (_, second) = ref.FORMS[function].items()
    for case in small:
        inputs = {k: v for k, v in inputs_for(case, 0).items() if not k.startswith("_")}
        a = opt.trajectory(first, function, inputs)[-1][0]
        b = opt.trajectory(second, function, inputs)[-1][0]
        assert np.max(np.abs(a - b)) > 1e3 * opt.RTOL * np.max(np.abs(a)), case.label


# ------------------------------------------------------------------ mistakes

def test_every_hint_has_a_buggy_implementation():
    assert_every_hint_has_a_bug(HINTS, BUGS)


@pytest.mark.parametrize("check,hint,bug", HINT_BUGS, ids=bug_id)
def test_buggy_implementation_fails_and_triggers_its_hint(check, hint, bug):
    fired, failed = [], []
    for case in check.cases:
        for seed in SEEDS:
            with np.errstate(all="ignore"):
                problems, got, inputs = run(check, case, bug, seed)
                want = want_for(check, case, seed)
                if problems:
                    failed.append(case.label)
                    if hint in fired_hints(check, inputs, got, want):
                        fired.append(case.label)
                else:  # a mistake that can't show on a case must not be hinted there
                    assert hint not in fired_hints(check, inputs, got, want)
    assert failed, f"{bug.__name__} passes every case"
    assert fired, f"no case of {check.function} triggers: {hint.message}"


@pytest.mark.parametrize("function,bug", [
    ("adagrad_step", bo.adagrad_step_wrong_default_epsilon),
    ("adam_step", bo.adam_step_wrong_default_epsilon),
    ("adam_step", bo.adam_step_float32),
])
def test_other_mistakes_fail(function, bug):
    check = A.check(function)
    assert any(run(check, case, bug, 0)[0] for case in check.cases)


def test_a_short_tuple_is_reported_at_the_first_step():
    check = A.check("adam_step")
    problems, _, _ = run(check, check.cases[1], bo.adam_step_returns_two, 0)
    assert problems == ["at the first step: expected a tuple (param, m, v), got a tuple of 2 values"]


def test_feedback_names_the_step_and_the_closest_form():
    check = A.check("adam_step")
    problems, _, _ = run(check, check.cases[2], bo.adam_step_eps_inside, 0)
    assert len(problems) == 1
    assert "closest accepted form" in problems[0]
    problems, _, _ = run(check, check.cases[1], bo.adam_step_t_from_zero, 0)
    assert problems[0].startswith("at the first step: param:")
    ada = A.check("adagrad_step")
    problems, _, _ = run(ada, ada.cases[2], bo.adagrad_step_old_accumulator, 0)
    assert problems[0].startswith("at the first step: param:")
    # momentum has one form: no "closest form" note; a late divergence names its step
    mom = A.check("momentum_step")
    problems, _, _ = run(mom, mom.cases[0], bo.momentum_step_old_velocity, 0)
    assert problems[0].startswith("at the first step: param:") and "closest" not in problems[0]
    calls = []

    def wrong_from_the_third_call(**kwargs):
        calls.append(1)
        param, velocity = bo.momentum_step(**kwargs)
        return (param + 1.0 if len(calls) >= 3 else param), velocity
    problems, _, _ = run(mom, mom.cases[0], wrong_from_the_third_call, 0)
    assert problems[0].startswith("steps 1 to 2 match, then at step 3: param:")


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.function)
def test_hidden_feedback_shows_no_numbers(check):
    number = re.compile(r"expected -?\d|got -?\d|index \(")
    for case in check.cases:
        for bug in [b for h in check.hints for b in BUGS[h]]:
            with np.errstate(all="ignore"):
                problems, _, _ = run(check, case, bug, 5)
            for p in problems:
                if case.hidden:
                    assert not number.search(p), p


@pytest.mark.parametrize("check,hint", HINTS, ids=hint_id)
def test_detectors_never_raise(check, hint):
    assert_detector_never_raises(hint, inputs_for(check.cases[0], 0), None)


@pytest.mark.parametrize("check", STEP_CHECKS, ids=lambda c: c.function)
def test_garbage_outputs_fail_with_a_message(check):
    for value in GARBAGE:
        problems = check.verify(lambda **kw: value, dict(inputs_for(check.cases[0], 0)))
        assert problems and all(isinstance(p, str) and p for p in problems)


# ------------------------------------------------------------------ in the real sandbox

def _renamed(fn, name):
    import inspect

    return inspect.getsource(fn).replace(f"def {fn.__name__}(", f"def {name}(", 1)


@pytest.mark.slow
def test_in_place_updates_fail_with_the_mutation_message_in_the_sandbox(grade_cells):
    cells = ["import numpy as np",
             _renamed(bo.sgd_step_in_place, "sgd_step"),
             _renamed(bo.momentum_step_in_place, "momentum_step"),
             _renamed(bo.adagrad_step_in_place, "adagrad_step"),
             _renamed(bo.adam_step_in_place, "adam_step")]
    report = grade_cells("optimizers", cells)
    assert report.score == 0
    expected = {"sgd_step": "param", "momentum_step": "velocity", "adagrad_step": "accumulator",
                "adam_step": "m"}
    for t in [t for t in report.tests if t.function in expected]:
        assert f"{t.function} modified its input {expected[t.function]} in place" in t.feedback, \
            (t.name, t.feedback)


@pytest.mark.slow
def test_both_forms_score_full_marks_in_the_sandbox(grade_cells):
    cells = ["import numpy as np",
             _renamed(bo.sgd_step, "sgd_step"), _renamed(bo.momentum_step, "momentum_step"),
             _renamed(bo.adagrad_step_keras, "adagrad_step"),
             _renamed(bo.adam_step_keras, "adam_step"), _renamed(bo.reduce_lr_on_plateau,
                                                                 "reduce_lr_on_plateau")]
    report = grade_cells("optimizers", cells)
    assert [(t.name, t.feedback) for t in report.tests if not t.passed] == []


def test_notebook_test_cells_carry_the_table_points():
    assert_notebook_test_cells_carry_the_table_points(A, "optimizers.ipynb")


# ------------------------------------------------------------------ mistakes graded as the grader does

@pytest.mark.parametrize("function,bug", [
    ("adagrad_step", bo.adagrad_step_fixed_epsilon),
    ("adam_step", bo.adam_step_fixed_betas),
    ("adam_step", bo.adam_step_fixed_epsilon),
    ("adam_step", bo.adam_step_eps_keyword),
], ids=lambda v: getattr(v, "__name__", v))
def test_hyperparameter_mistake_fails_publicly_and_for_every_student(function, bug):
    assert_fails_publicly_and_hidden(A, function, bug)


@pytest.mark.parametrize("function,bug,right,wrong", [
    ("adagrad_step", bo.adagrad_step_returns_old_accumulator, "param right", "accumulator:"),
    ("adam_step", bo.adam_step_moments_swapped, "param right", "m:"),
], ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_feedback_reports_each_returned_part(function, bug, right, wrong):
    # A wrong state with a right param: the feedback says which part is wrong,
    # rather than showing a param that looks the same as the expected one.
    failed = assert_fails_publicly_and_hidden(A, function, bug)
    first_step_wrong = [t.feedback for t in failed if not t.hidden]
    assert first_step_wrong
    assert any(right in f and wrong in f for f in first_step_wrong), first_step_wrong


# A mistake must get its own hint and no other (issue 13, item 3).
ONLY_ITS_HINT = [
    ("momentum_step", bo.momentum_step_pytorch, opt.MOM_PYTORCH),
    ("adam_step", bo.adam_step_no_bias_correction, opt.ADAM_NO_BIAS_CORRECTION),
    ("adagrad_step", bo.adagrad_step_no_epsilon, opt.ADA_NO_EPSILON),
    ("adam_step", bo.adam_step_m_only, opt.ADAM_M_ONLY),
    ("adam_step", bo.adam_step_powers_swapped, opt.ADAM_POWERS_SWAPPED),
]


@pytest.mark.parametrize("function,bug,hint", ONLY_ITS_HINT,
                         ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_a_mistake_gets_its_own_hint_only_and_publicly(function, bug, hint):
    failed = assert_fails_publicly_and_hidden(A, function, bug)
    assert any(hint.message in t.hints for t in failed if not t.hidden)
    for t in failed:
        assert set(t.hints) <= {hint.message}, (t.label, t.hints)
# ------------------------------------------------------------------ reduce_lr_on_plateau

def test_reduce_lr_cases_follow_the_rules_and_are_deterministic():
    assert_case_counts_and_labels(LR)
    assert LR.reference == "reference_impl.optimizers:reduce_lr_on_plateau"
    assert LR.returns == "list" and LR.rtol <= 1e-12 and LR.atol == 0.0
    for case, a, b in inputs_twice(LR):
        assert np.array_equal(a["val_losses"], b["val_losses"]), case.label
        assert a["val_losses"].dtype == np.float64 and a["val_losses"].ndim == 1


@pytest.mark.parametrize("k", range(len(LR.cases)), ids=lambda k: LR.cases[k].label[:40])
def test_keras_reference_equals_a_float64_loop_and_no_hint_fires(k):
    # Keras compares losses through float32 tensors: equal to the float64 loop
    # on every case proves that no case sits on a float32 near-tie.
    case = LR.cases[k]
    for seed in SEEDS:
        inputs = inputs_for(case, seed)
        want = expected(LR, k, seed)
        got = bo.reduce_lr_on_plateau(**copy.deepcopy(inputs))
        assert isinstance(want, list) and all(type(v) is float for v in want)
        assert len(want) == len(inputs["val_losses"]) and want[0] == inputs["learning_rate"]
        assert got == want, (case.label, seed)
        assert_no_hint_fires(LR.hints, got, want, inputs, where=(case.label,))


def _reductions(rates):
    return sum(b < a for a, b in zip(rates, rates[1:]))


def test_each_case_exercises_what_its_label_says():
    by_label = {c.label: k for k, c in enumerate(LR.cases)}

    def case(word):
        (k,) = [k for label, k in by_label.items() if word in label]
        return k, LR.cases[k]

    for seed in SEEDS:
        k, c = case("cooldown 2")
        inputs = inputs_for(c, seed)
        assert expected(LR, k, seed) != bo.reduce_lr_on_plateau_no_cooldown(**inputs)
        k, c = case("exactly min_delta")
        inputs = inputs_for(c, seed)
        assert expected(LR, k, seed) != bo.reduce_lr_on_plateau_non_strict(**inputs)
        k, c = case("min_lr reached")
        inputs = inputs_for(c, seed)
        rates = expected(LR, k, seed)
        assert rates[-3:] == [inputs["min_lr"]] * 3 and min(rates) == inputs["min_lr"]
        assert rates != bo.reduce_lr_on_plateau_no_min_lr(**inputs)
        k, c = case("improves again")
        inputs = inputs_for(c, seed)
        assert _reductions(expected(LR, k, seed)) >= 2
        for k, c in enumerate(LR.cases):  # every case reduces at least once, none is trivial
            assert _reductions(expected(LR, k, seed)) >= 1, c.label


def test_reduce_lr_garbage_fails_with_a_message():
    case = LR.cases[0]
    for value in GARBAGE:
        problems, _, _ = run(LR, case, lambda **kw: value, 0)
        assert problems and all(isinstance(p, str) and p for p in problems)
