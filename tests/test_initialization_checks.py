"""The check table of `initialization` is right.

No sandbox: student functions are the NumPy implementations in
buggy_initialization.py, called in-process (Rng -> Generator, `_global_seed`
seeds NumPy's global state first, as the worker does). What is proved:
- points, functions, case counts and labels follow the rules;
- the property checks accept every correct form (uniform; plain normal and
  Keras-truncated normal; float32) and Keras's own initializers (the
  reference), on many seeds, and no hint fires on them;
- they reject each listed mistake (He with fan_out, Glorot limit without the
  3, normal with the limit as std or variance, no sqrt, global RNG, unseeded
  RNG, uncorrected truncation, ...) on every statistical case, and each hint
  fires for its mistake;
- the statistical thresholds are what the comments in the table claim;
- layer_variances: a correct NumPy implementation matches the TF reference,
  each hint fires for its mistake and never for the correct one.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import buggy_initialization as bi
from checks import initialization as ini
from autograder.spec import Rng

pytest.register_assert_rewrite("checktools")  # its assertions report like this file's
from checktools import (  # noqa: E402
    GARBAGE, SEEDS, assert_case_counts_and_labels, assert_fails_publicly_and_hidden, assert_detector_never_raises,
    assert_hint_fires_on_its_bug, assert_imports_fast_without_tensorflow, assert_no_hint_fires,
    assert_points_sum_to_100, assertion_fails, expected, inputs_for, inputs_twice, local_call)

A = ini.ASSIGNMENT
INITS = [c for c in A.checks if c.verify is not None]
LV = A.check("layer_variances")


def recording_call(fn):
    """local_call that also remembers the last value (for the detectors)."""
    box = {}
    inner = local_call(fn)

    def call(**kwargs):
        box["value"] = inner(**kwargs)
        return box["value"]
    return call, box


def is_statistical(case, seed=0):
    i = inputs_for(case, seed)
    return i["fan_in"] * i["fan_out"] >= ini.MIN_STAT_N


# ------------------------------------------------------------------ structure

def test_points_are_integers_summing_to_100():
    assert_points_sum_to_100(A.checks)


def test_one_check_per_curriculum_function():
    assert [c.function for c in A.checks] == [
        "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "layer_variances"]
    assert [c.function for c in INITS] == ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal"]


@pytest.mark.parametrize("check", A.checks, ids=lambda c: c.function)
def test_case_counts_and_labels(check):
    assert_case_counts_and_labels(check)
    assert check.reference == f"reference_impl.initialization:{check.function}"


@pytest.mark.parametrize("check", A.checks, ids=lambda c: c.function)
def test_make_is_deterministic_and_typed(check):
    for case, a, b in inputs_twice(check):
        for key in a:
            if isinstance(a[key], Rng):
                assert a[key].seed == b[key].seed
            elif isinstance(a[key], np.ndarray):
                assert a[key].dtype == np.float64 and np.array_equal(a[key], b[key])
            elif isinstance(a[key], list):
                assert all(w.dtype == np.float64 and np.array_equal(w, v)
                           for w, v in zip(a[key], b[key]))
            else:
                assert a[key] == b[key] and type(a[key]) in (int, str), (case.label, key)


def test_assignment_module_imports_fast_without_tensorflow():
    assert_imports_fast_without_tensorflow("checks.initialization")


# ------------------------------------------------------------------ the arithmetic of the thresholds

def test_threshold_arithmetic_matches_the_comments():
    assert ini.LOG_TERM == pytest.approx(21.42, abs=0.01)
    n = ini.MIN_STAT_N
    uniform_band = 3.0 * math.sqrt(ini.LOG_TERM / (2 * n))
    truncated_band = ini.TRUNC_BOUND ** 2 * math.sqrt(ini.LOG_TERM / (2 * n))
    plain_low = 2 * math.sqrt(ini.LOG_TERM / n)
    assert uniform_band == pytest.approx(0.077, abs=0.001)
    assert truncated_band == pytest.approx(0.132, abs=0.001)
    assert plain_low + 2 * ini.LOG_TERM / n < truncated_band
    # Keras's truncation constant is the std of a unit normal truncated to [-2, 2]
    z = np.linspace(-2, 2, 400001)
    density = np.exp(-z ** 2 / 2)
    assert math.sqrt(np.trapezoid(z ** 2 * density, z) / np.trapezoid(density, z)) == \
        pytest.approx(ini.TRUNC_STD, rel=1e-9)
    # "reach" probabilities stated in the comments
    phi = lambda t: 0.5 * math.erfc(-t / math.sqrt(2))  # noqa: E731
    q = 2 * (phi(2.0) - phi(1.94)) / (2 * phi(2.0) - 1)
    assert n * math.log1p(-q) < -110                       # (1 - q)^n <= e^-110
    assert n * math.log1p(-2 * (1 - phi(ini.TRUNC_BOUND))) < -370   # plain normal never "truncated"
    assert n * math.log(0.99) < -160                       # uniform reach: 0.99^n
    # Bonferroni: at most 4 functions x 5 statistical cases x 2 tests
    n_stat = sum(is_statistical(case) for check in INITS for case in check.cases)
    assert n_stat == 20
    assert 2 * n_stat * ini.P_EACH < 1e-6


@pytest.mark.parametrize("case", INITS[0].cases, ids=lambda c: c.label)
def test_statistical_cases_are_large_and_fans_unbalanced(case):
    for seed in range(200):
        i = inputs_for(case, seed)
        if "small" in case.label:
            assert i["fan_in"] * i["fan_out"] < ini.MIN_STAT_N
            continue
        assert i["fan_in"] * i["fan_out"] >= ini.MIN_STAT_N
        ratio = i["fan_in"] / i["fan_out"]
        # He with fan_out changes the variance by `ratio`: never near 1, 3 or
        # 1/3 (right, or a missing factor 3); for Glorot never near 2, 1/2, 5
        # or 1/5 (the limit as std, 3 Var, would equal a one-fan variance)
        for bad in (1, 3, 2, 5):
            for r in (bad, 1 / bad):
                assert not 0.8 < ratio / r < 1.25, (case.label, ratio)


def test_every_initializer_check_uses_the_same_cases():
    labels = [c.label for c in INITS[0].cases]
    assert all([c.label for c in check.cases] == labels for check in INITS)


# ------------------------------------------------------------------ correct solutions

CORRECT = {
    "glorot_uniform": [bi.glorot_uniform],
    "glorot_normal": [bi.glorot_normal, bi.glorot_normal_truncated],
    "he_uniform": [bi.he_uniform, bi.he_uniform_float32],
    "he_normal": [bi.he_normal, bi.he_normal_plain, bi.he_normal_float32],
}
CORRECT_CASES = [(check, fn) for check in INITS for fn in CORRECT[check.function]]


@pytest.mark.parametrize("check,fn", CORRECT_CASES, ids=lambda v: getattr(v, "__name__", None)
                         or getattr(v, "function", ""))
def test_correct_initializers_pass_on_many_seeds_and_trigger_no_hint(check, fn):
    for case in check.cases:
        for seed in range(12):
            inputs = inputs_for(case, seed)
            call, box = recording_call(fn)
            assert check.verify(call, inputs) == [], (case.label, seed)
            assert_no_hint_fires(check.hints, box["value"], None, inputs, where=(case.label,))


@pytest.mark.parametrize("check", INITS, ids=lambda c: c.function)
def test_keras_reference_passes_the_property_check(check):
    ref = check.reference_function()
    for case in check.cases:
        for seed in SEEDS:
            inputs = inputs_for(case, seed)
            call, box = recording_call(ref)
            assert check.verify(call, inputs) == [], (case.label, seed)
            assert not any(h.detect(inputs, box["value"], None) for h in check.hints)


# ------------------------------------------------------------------ mistakes

# (function, buggy implementation, words in a problem, hint index in the check's hints or None)
MISTAKES = [
    ("glorot_uniform", bi.glorot_uniform_no_3, "variance", 0),
    ("glorot_uniform", bi.glorot_uniform_fan_in_only, "variance", 1),
    ("glorot_uniform", bi.glorot_uniform_no_sqrt, "variance", 2),
    ("glorot_uniform", bi.glorot_uniform_positive, "centred", 3),
    ("glorot_uniform", bi.glorot_uniform_transposed, "transposed", 4),
    ("glorot_uniform", bi.glorot_uniform_global, "global random state", None),
    ("glorot_uniform", bi.glorot_uniform_unseeded, "same rng gave different", None),
    ("glorot_uniform", bi.glorot_uniform_int, "floating point", None),
    ("glorot_normal", bi.glorot_normal_std_is_limit, "variance", 0),
    ("glorot_normal", bi.glorot_normal_var_is_limit, "variance", 0),
    ("glorot_normal", bi.glorot_normal_uncorrected, "variance", 1),
    ("glorot_normal", bi.glorot_normal_he, "variance", 2),
    ("glorot_normal", bi.glorot_normal_no_sqrt, "variance", 3),
    ("glorot_normal", bi.glorot_normal_transposed, "transposed", 4),
    ("glorot_normal", bi.glorot_normal_uniform, "reaches 2 stddev", None),
    ("glorot_normal", bi.glorot_normal_global, "global random state", None),
    ("he_uniform", bi.he_uniform_no_3, "variance", 0),
    ("he_uniform", bi.he_uniform_fan_out, "variance", 1),
    ("he_uniform", bi.he_uniform_no_sqrt, "variance", 2),
    ("he_uniform", bi.he_uniform_positive, "centred", 3),
    ("he_uniform", bi.he_uniform_transposed, "transposed", 4),
    ("he_uniform", bi.he_uniform_global, "global random state", None),
    ("he_normal", bi.he_normal_std_is_limit, "variance", 0),
    ("he_normal", bi.he_normal_uncorrected, "variance", 1),
    ("he_normal", bi.he_normal_fan_out, "variance", 2),
    ("he_normal", bi.he_normal_no_sqrt, "variance", 3),
    ("he_normal", bi.he_normal_transposed, "transposed", 4),
    ("he_normal", bi.he_normal_global, "global random state", None),
    ("he_normal", bi.he_normal_unseeded, "same rng gave different", None),
    ("glorot_uniform", bi.glorot_uniform_half, "variance", 5),
    ("glorot_normal", bi.glorot_normal_half, "variance", 5),
    ("he_uniform", bi.he_uniform_fan_average, "variance", 5),
    ("he_uniform", bi.he_uniform_lecun, "variance", 6),
    ("he_normal", bi.he_normal_fan_average, "variance", 5),
    ("he_normal", bi.he_normal_lecun, "variance", 6),
]


# Where a mistake is no mistake: with fan_out = 1, 2 / fan_in is 2 / (fan_in + 1)
# to within 1/fan_in, far inside the statistical band.
EXEMPT = {bi.glorot_normal_he: {"hidden: a single output unit"}}


@pytest.mark.parametrize("function,bug,words,hint_index", MISTAKES,
                         ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_property_check_rejects_the_mistake_and_its_hint_fires(function, bug, words, hint_index):
    check = A.check(function)
    fired = 0
    for case in check.cases:
        statistical = is_statistical(case)
        for seed in SEEDS:
            inputs = inputs_for(case, seed)
            call, box = recording_call(bug)
            problems = check.verify(call, inputs)
            # a statistical mistake fails every large case; the others fail everywhere
            # (the transposed shape only when fan_in != fan_out)
            must_fail = statistical or words in ("global random state", "same rng gave different",
                                                 "floating point")
            must_fail = must_fail and case.label not in EXEMPT.get(bug, ())
            if must_fail:
                assert problems, (case.label, seed)
                assert any(words in p for p in problems), (case.label, problems)
            if problems and hint_index is not None:
                hint = check.hints[hint_index]
                if hint.detect(inputs, box["value"], None):
                    fired += 1
            # no other initializer hint explains it wrongly on large samples
            if problems and statistical and hint_index is not None:
                others = [h.message[:40] for k, h in enumerate(check.hints)
                          if k != hint_index and h.detect(inputs, box["value"], None)]
                assert not others, (case.label, others)
    if hint_index is not None:
        assert fired, f"hint {hint_index} of {function} never fires for {bug.__name__}"


def test_every_initializer_hint_is_exercised():
    used = {(f, k) for f, _, _, k in MISTAKES if k is not None}
    for check in INITS:
        assert {(check.function, k) for k in range(len(check.hints))} <= used, check.function
    ids = [id(h) for check in A.checks for h in check.hints]
    assert len(ids) == len(set(ids)), "a Hint object is shared between checks"


VARIANCE_OF = {"glorot_uniform": ini.glorot_var, "glorot_normal": ini.glorot_var,
               "he_uniform": ini.he_var, "he_normal": ini.he_var}


@pytest.mark.parametrize("check", INITS, ids=lambda c: c.function)
def test_mistaken_variances_stay_apart_on_every_statistical_case(check):
    # Each variance hint names the mistaken targets it recognises (within 10 %,
    # the nearest target winning). On every statistical case they must differ
    # from the right variance by more than 20 % and from each other's by more
    # than TARGET_GAP (5 sample scatters), or a hint could accuse the wrong mistake.
    with_targets = [h for h in check.hints if hasattr(h.detect, "targets")]
    assert len(with_targets) >= 3
    for case in check.cases:
        for seed in range(200):
            i = inputs_for(case, seed)
            fi, fo = i["fan_in"], i["fan_out"]
            if fi * fo < ini.MIN_STAT_N:
                continue
            var = VARIANCE_OF[check.function](fi, fo)
            per_hint = [[t for t in h.detect.targets(fi, fo, var) if t is not None]
                        for h in with_targets]
            for k, targets in enumerate(per_hint):
                for t in targets:
                    assert not 0.8 < t / var < 1.25, (case.label, fi, fo, with_targets[k].message)
                    for other in per_hint[k + 1:]:
                        for u in other:
                            assert abs(math.log(t / u)) > ini.TARGET_GAP, (case.label, fi, fo)


def test_messages_reveal_no_fans():
    # hidden cases must not show fan_in / fan_out in the feedback
    for check in INITS:
        for case in check.cases:
            inputs = inputs_for(case, 5)
            for bug in (bi.he_uniform_fan_out, bi.glorot_normal_uncorrected, bi.glorot_uniform_int):
                for problem in check.verify(local_call(bug), inputs):
                    for value in (inputs["fan_in"], inputs["fan_out"]):
                        if value > 9:
                            assert not re.search(rf"(?<![\w.]){value}(?![\w.])", problem), problem


def test_non_arrays_and_wrong_shapes_are_problems_not_crashes():
    check = A.check("he_normal")
    inputs = inputs_for(check.cases[0], 0)
    for value in (None, [[0.0]], 3.0, np.zeros(5), np.zeros((2, 2)), np.full((512, 64), np.nan)):
        problems = check.verify(local_call(lambda fan_in, fan_out, rng, v=value: v), inputs)
        assert problems and all(isinstance(p, str) for p in problems)


# ------------------------------------------------------------------ layer_variances

def assert_close(got, want):
    assert isinstance(got, list) and len(got) == len(want)
    np.testing.assert_allclose(got, want, rtol=LV.rtol, atol=LV.atol)


@pytest.mark.parametrize("k", range(len(LV.cases)), ids=lambda k: LV.cases[k].label)
def test_layer_variances_correct_passes_and_triggers_no_hint(k):
    for seed in SEEDS:
        inputs = inputs_for(LV.cases[k], seed)
        got, want = local_call(bi.layer_variances)(**inputs), expected(LV, k, seed)
        assert_close(got, want)
        assert all(type(v) is float for v in want)
        assert_no_hint_fires(LV.hints, got, want, inputs, where=(LV.cases[k].label, seed))


def test_layer_variances_cases_show_growth_and_decay():
    # the exploding case grows by ~(2.5^2 / 2) per layer, the vanishing one shrinks by 0.25
    grow = expected(LV, 5, 0)
    assert all(b > 2.0 * a for a, b in zip(grow, grow[1:]))
    shrink = expected(LV, 2, 0)
    assert all(b < 0.3 * a for a, b in zip(shrink, shrink[1:]))
    # variances span orders of magnitude: the comparison is relative only
    assert LV.atol == 0.0 and max(grow) / min(shrink) > 1e4


LV_BUGS = [
    (ini.LV_PREACTIVATION, bi.layer_variances_preactivation),
    (ini.LV_INPUT_INCLUDED, bi.layer_variances_with_input),
    (ini.LV_INPUT_INCLUDED, bi.layer_variances_input_first),
    (ini.LV_WRONG_ACTIVATION, bi.layer_variances_sigmoid_as_tanh),
    (ini.LV_WRONG_ACTIVATION, bi.layer_variances_always_relu),
    (ini.LV_STD, bi.layer_variances_std),
    (ini.LV_PER_UNIT, bi.layer_variances_per_unit),
    (ini.LV_ARRAY, bi.layer_variances_array),
    (ini.LV_SECOND_MOMENT, bi.layer_variances_second_moment),
    (ini.LV_DDOF, bi.layer_variances_ddof),
    (ini.LV_ACT_FIRST, bi.layer_variances_act_first),
]


def test_every_layer_variances_hint_has_a_bug():
    assert {id(h) for h, _ in LV_BUGS} == {id(h) for h in LV.hints}


@pytest.mark.parametrize("hint,bug", LV_BUGS, ids=lambda v: getattr(v, "__name__", None))
def test_layer_variances_hint_fires_for_its_bug(hint, bug):
    def attempt(k, case, seed):
        inputs = inputs_for(case, seed)
        got, want = local_call(bug)(**inputs), expected(LV, k, seed)
        return inputs, got, want, lambda: assertion_fails(assert_close, got, want)
    assert_hint_fires_on_its_bug(LV, hint, attempt)


@pytest.mark.parametrize("check", A.checks, ids=lambda c: c.function)
def test_detectors_never_raise(check):
    inputs = inputs_for(check.cases[0], 0)
    want = None if check.verify else expected(check, 0, 0)
    garbage = GARBAGE + [np.full((300, 100), np.nan), np.zeros((512, 64), dtype=bool)]
    for hint in check.hints:
        assert_detector_never_raises(hint, inputs, want, garbage)


# ------------------------------------------------------------------ mistakes graded as the grader does

RNG_IGNORED = [(name, getattr(bi, f"{name}_{how}")) for name in
               ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal")
               for how in ("own_generator", "np_seed")]


@pytest.mark.parametrize("function,bug", RNG_IGNORED, ids=lambda v: getattr(v, "__name__", v))
def test_initializer_ignoring_its_rng_fails_publicly_and_hidden(function, bug):
    failed = assert_fails_publicly_and_hidden(A, function, bug)
    assert all("different seeds gave the same result" in t.feedback for t in failed)


@pytest.mark.parametrize("bug", [bi.layer_variances_sigmoid_as_tanh], ids=lambda f: f.__name__)
def test_layer_variances_mistake_fails_publicly_and_hidden(bug):
    assert_fails_publicly_and_hidden(A, "layer_variances", bug)
