"""The check table of `regularization` is right.

No sandbox here: student functions are the NumPy implementations in
buggy_regularization.py, called in-process. What is proved:
- points are integers summing to 100, case counts and labels follow the rules;
- every case's inputs are deterministic per seed, float64 (bool masks aside)
  and plain data that crosses the sandbox boundary;
- correct implementations (and the references themselves, for the random
  functions) pass every case and trigger no hint;
- every hint fires for an implementation that makes its mistake;
- the property checks reject the listed mistakes, and the false-failure
  probabilities written next to their thresholds hold for every case;
- the early-stopping sequences keep away from float32 near-ties, so Keras in
  float32 decides exactly as in float64.
"""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import buggy_regularization as br
from checks import regularization as reg
from checks.student_side import regularization as reg_side
from autograder.spec import Rng

pytest.register_assert_rewrite("checktools")  # its assertions report like this file's
from checktools import (  # noqa: E402
    GARBAGE, ROOT, SEEDS, assert_array_close, assert_case_counts_and_labels,
    assert_detector_never_raises, assert_every_hint_has_a_bug, assert_hint_fires_on_its_bug,
    assert_imports_fast_without_tensorflow, assert_no_hint_fires, assert_points_sum_to_100,
    assert_fails_publicly_and_hidden, assertion_fails, bug_id, case_id, expected, hint_id, hint_table, inputs_for, inputs_twice,
    local_call, passing_value, tolerance)

A = reg.ASSIGNMENT
FUNCTIONS = ["train_val_test_split", "l1_penalty", "l2_penalty", "elastic_net_penalty",
             "l1_penalty_grad", "l2_penalty_grad", "dropout_forward", "dropout_backward",
             "early_stopping"]
CORRECT = {name: [getattr(br, name)] for name in FUNCTIONS}
CORRECT["train_val_test_split"].append(br.train_val_test_split_floor_cumsum)

BUGS = {
    reg.SPLIT_NOT_SHUFFLED: [br.train_val_test_split_not_shuffled, br.train_val_test_split_sorted],
    reg.SPLIT_TRUNCATED: br.train_val_test_split_truncated,
    reg.SPLIT_REPLACEMENT: br.train_val_test_split_replacement,
    reg.L1_NO_ABS: br.l1_penalty_no_abs,
    reg.L1_MEAN: br.l1_penalty_mean,
    reg.L1_ONE_ARRAY: br.l1_penalty_last_only,
    reg.L1_MATRIX_NORM: br.l1_penalty_matrix_norm,
    reg.L2_HALF: br.l2_penalty_half,
    reg.L2_NORM: br.l2_penalty_norm,
    reg.L2_MEAN: br.l2_penalty_mean,
    reg.L2_ONE_ARRAY: br.l2_penalty_first_only,
    reg.EN_SWAPPED: br.elastic_net_penalty_swapped,
    reg.EN_HALF: br.elastic_net_penalty_half,
    reg.EN_ONE_TERM: br.elastic_net_penalty_l1_only,
    reg.L1G_NOT_SIGN: [br.l1_penalty_grad_abs, br.l1_penalty_grad_identity],
    reg.L1G_NO_LAM: br.l1_penalty_grad_no_lam,
    reg.L2G_NO_TWO: br.l2_penalty_grad_no_two,
    reg.L2G_SIGN: br.l2_penalty_grad_sign,
    reg.DO_NO_SCALE: br.dropout_forward_no_scale,
    reg.DO_MULTIPLIED: br.dropout_forward_multiplied,
    reg.DO_MASK_INVERTED: br.dropout_forward_drop_mask,
    reg.DO_KEEP_SWAPPED: br.dropout_forward_keep_rate,
    reg.DO_AT_INFERENCE: [br.dropout_forward_at_inference, br.dropout_forward_scaled_at_inference],
    reg.DB_NO_SCALE: br.dropout_backward_no_scale,
    reg.DB_MULTIPLIED: br.dropout_backward_multiplied,
    reg.DB_RATE: br.dropout_backward_rate,
    reg.DB_MASK_INVERTED: br.dropout_backward_inverted_mask,
    reg.ES_OFF_BY_ONE: [br.early_stopping_late, br.early_stopping_early],
    reg.ES_ONE_BASED: br.early_stopping_one_based,
    reg.ES_TIES: br.early_stopping_ties,
    reg.ES_MIN_DELTA: br.early_stopping_ignores_min_delta,
    reg.ES_PAST_THE_END: [br.early_stopping_no_cap, br.early_stopping_best_plus_patience],
    reg.ES_GLOBAL_MINIMUM: br.early_stopping_global_best,
    reg.ES_PREVIOUS_EPOCH: br.early_stopping_previous,
}
BUGS, HINTS, HINT_BUGS = hint_table(A.checks, BUGS)


def assert_close(got, want, rtol, atol):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        assert all(int(g) == int(w) for g, w in zip(got, want)), (got, want)
        return
    assert_array_close(got, want, rtol, atol)


# ------------------------------------------------------------------ structure

def test_points_and_functions():
    assert [c.function for c in A.checks] == FUNCTIONS
    assert_points_sum_to_100(A.checks)


@pytest.mark.parametrize("check", A.checks, ids=lambda c: c.function)
def test_case_counts_and_labels(check):
    assert_case_counts_and_labels(check)
    assert check.reference == f"reference_impl.regularization:{check.function}"


def _plain(value, where):
    """Inputs are plain data: float64 arrays (bool for masks), Python numbers,
    lists of float64 arrays or floats, tuples of floats, Rng."""
    if isinstance(value, np.ndarray):
        assert value.dtype in (np.float64, np.bool_), where
    elif isinstance(value, list):
        assert value and all(isinstance(v, (np.ndarray, float)) for v in value), where
        for v in value:
            _plain(v, where)
    elif isinstance(value, tuple):
        assert all(type(v) is float for v in value), where
    else:
        assert type(value) in (int, float, bool, Rng), (where, type(value))


def _equal(a, b):
    if isinstance(a, Rng):
        return a.seed == b.seed
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b)


@pytest.mark.parametrize("check", A.checks, ids=lambda c: c.function)
def test_make_is_deterministic_and_plain(check):
    for case, a, b in inputs_twice(check):
        for key in a:
            _plain(a[key], (case.label, key))
            assert _equal(a[key], b[key]), (case.label, key)
        if "mask" in a:
            assert a["mask"].dtype in (np.float64, np.bool_)


def test_module_imports_fast_without_tensorflow():
    assert_imports_fast_without_tensorflow("checks.regularization")


# ------------------------------------------------------------------ correct implementations

CASES = [(check, k) for check in A.checks for k in range(len(check.cases))]


@pytest.mark.parametrize("check,k", CASES, ids=case_id)
def test_correct_implementations_pass_and_trigger_no_hint(check, k):
    case = check.cases[k]
    for fn in CORRECT[check.function]:
        call = local_call(fn)
        for seed in SEEDS:
            inputs = inputs_for(case, seed)
            where = (bug_id(fn), case.label, seed)
            got, want = passing_value(check, k, seed, call, inputs, assert_close, where)
            assert_no_hint_fires(check.hints, got, want, inputs, where=where)


@pytest.mark.parametrize("function", ["train_val_test_split", "dropout_forward"])
def test_the_reference_passes_its_own_property_check(function):
    check = A.check(function)
    call = local_call(check.reference_function())
    for case in check.cases:
        for seed in SEEDS[:2]:
            assert check.verify(call, inputs_for(case, seed)) == [], case.label


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
        except Exception:  # e.g. np.linalg.norm of a 4-D kernel: the runner reports it
            return None
        if check.verify is not None:  # the property check must fail it
            return inputs, got, None, lambda: bool(check.verify(call, inputs))
        want = expected(check, k, seed)
        return inputs, got, want, lambda: assertion_fails(assert_close, got, want,
                                                          *tolerance(check, case))
    assert_hint_fires_on_its_bug(check, hint, attempt)


@pytest.mark.parametrize("check,hint", HINTS, ids=hint_id)
def test_detectors_never_raise(check, hint):
    garbage = GARBAGE + [(1.5, 2), (np.zeros((200, 100)), np.full((200, 100), 2.0))]
    for k in (0, len(check.cases) - 1):
        inputs = inputs_for(check.cases[k], 0)
        want = None if check.verify else expected(check, k, 0)
        assert_detector_never_raises(hint, inputs, want, garbage)


# ------------------------------------------------------------------ train_val_test_split

SPLIT = A.check("train_val_test_split")


def _problems(check, fn, seeds=(7,)):
    return [p for case in check.cases for seed in seeds
            for p in check.verify(local_call(fn), inputs_for(case, seed))]


@pytest.mark.parametrize("bug,words", [
    (br.train_val_test_split_not_shuffled, "not random"),
    (br.train_val_test_split_sorted, "not random"),
    (br.train_val_test_split_truncated, "test_idx has the wrong size"),
    (br.train_val_test_split_replacement, "more than once"),
    (br.train_val_test_split_global_state, "global random state"),
    (br.train_val_test_split_unseeded, "same rng gave different"),
    (br.train_val_test_split_float, "not a 1-D NumPy array of integers"),
    (br.train_val_test_split_list, "expected a tuple"),
], ids=lambda v: getattr(v, "__name__", str(v)[:20]))
def test_split_property_check_rejects(bug, words):
    problems = _problems(SPLIT, bug)
    assert any(words in p for p in problems), problems


@pytest.mark.parametrize("seed", SEEDS)
def test_every_hidden_split_case_catches_truncation(seed):
    # int(f * n) sizes fail every hidden case but the large one and the one
    # made for rounding mistakes, whatever the student's seed, and the second
    # visible case.
    for case in SPLIT.cases:
        if any(words in case.label for words in ("large", "100 samples", "round")):
            continue
        problems = SPLIT.verify(local_call(br.train_val_test_split_truncated), inputs_for(case, seed))
        assert any("wrong size" in p for p in problems), case.label


def _log_multinomial(sizes):
    return math.lgamma(sum(sizes) + 1) - sum(math.lgamma(s + 1) for s in sizes)


def test_a_correct_split_is_practically_never_contiguous():
    # P(all three sets contiguous | uniformly random split) = (ways to order
    # three blocks, <= 6) / multinomial(n; sizes). The comment in
    # verify_split promises about 7e-15 at worst.
    worst = 0.0
    for case in SPLIT.cases:
        for seed in range(50):
            inputs = inputs_for(case, seed)
            assert inputs["n_samples"] >= 40
            parts = SPLIT.reference_function()(**{**inputs, "rng": inputs["rng"].make()})
            worst = max(worst, 6 * math.exp(-_log_multinomial([len(p) for p in parts])))
    assert worst < 1e-14


def test_split_messages_reveal_no_sizes():
    for bug in (br.train_val_test_split_truncated, br.train_val_test_split_replacement):
        for case in SPLIT.cases:
            inputs = inputs_for(case, 3)
            for problem in SPLIT.verify(local_call(bug), inputs):
                assert str(inputs["n_samples"]) not in problem


# ------------------------------------------------------------------ dropout

DROP = A.check("dropout_forward")


@pytest.mark.parametrize("bug,words", [
    (br.dropout_forward_no_scale, "x * mask / (1 - rate)"),
    (br.dropout_forward_multiplied, "x * mask / (1 - rate)"),
    (br.dropout_forward_keep_rate, "fraction of kept units"),
    (br.dropout_forward_at_inference, "training=False"),
    (br.dropout_forward_scaled_at_inference, "training=False"),
    (br.dropout_forward_drop_mask, "x * mask / (1 - rate)"),
    (br.dropout_forward_global_state, "global random state"),
    (br.dropout_forward_unseeded, "same rng gave different"),
    (br.dropout_forward_mask_scaled, "only 0 and 1"),
    (br.dropout_forward_correlated, "mean of out"),
], ids=lambda v: getattr(v, "__name__", str(v)[:20]))
def test_dropout_property_check_rejects(bug, words):
    problems = _problems(DROP, bug, seeds=(7, 8))
    assert any(words in p for p in problems), problems


@pytest.mark.parametrize("bug", [br.dropout_forward_no_scale, br.dropout_forward_keep_rate,
                                 br.dropout_forward_multiplied],
                         ids=lambda f: f.__name__)
def test_the_listed_dropout_mistakes_fail_every_training_case(bug):
    # Not just somewhere: every training case rejects them, for every seed.
    for case in DROP.cases:
        if not reg_side._training(inputs_for(case, 0)):
            continue
        for seed in range(10):
            assert DROP.verify(local_call(bug), inputs_for(case, seed)), (case.label, seed)


def test_dropout_at_inference_fails_every_inference_case():
    for case in DROP.cases:
        if reg_side._training(inputs_for(case, 0)):
            continue
        for seed in range(5):
            assert DROP.verify(local_call(br.dropout_forward_at_inference), inputs_for(case, seed))


def _log_binom_pmf(k, n, p):
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * math.log(p) + (n - k) * math.log1p(-p))


def _binomial_outside(n, p, half_width):
    """Exact P(|K/n - p| > half_width) for K ~ Binomial(n, p)."""
    lo, hi = p - half_width, p + half_width
    return sum(math.exp(_log_binom_pmf(k, n, p)) for k in range(n + 1)
               if (k / n < lo or k / n > hi) and abs(k - n * p) < 12 * math.sqrt(n * p * (1 - p)))


def _training_cases():
    return [c for c in DROP.cases if reg_side._training(inputs_for(c, 0))]


def test_dropout_thresholds_false_failure_probability():
    # The arithmetic next to _Z_KEEP / _Z_MEAN: per training case and test,
    # a correct dropout fails with probability < 1e-8 (keep rate, exact
    # binomial tail; mean, Bernstein's inequality); the Bonferroni sum over
    # the 10 statistical tests of one grading stays < 1e-7.
    cases = _training_cases()
    assert len(cases) == 5
    total = 0.0
    for case in cases:
        for seed in range(3):
            i = inputs_for(case, seed)
            x, rate = i["x"], i["rate"]
            n, p = x.size, 1.0 - rate
            assert n >= 20000 and abs(1.0 - 2.0 * rate) >= 0.2 - 1e-12
            keep = _binomial_outside(n, p, reg_side._keep_bound(p, n))
            assert keep < 1e-8, (case.label, keep)
            # Bernstein: terms X_i = x_i (m_i / p - 1), |X_i| <= M, sum of variances v.
            v = rate / p * float(np.sum(x ** 2))
            big = float(np.max(np.abs(x))) * max(1.0 / p - 1.0, 1.0)
            t = reg_side._Z_MEAN * math.sqrt(v)
            mean = 2.0 * math.exp(-t * t / 2.0 / (v + big * t / 3.0))
            assert mean < 1e-8, (case.label, mean)
            total = max(total, keep + mean)
    assert len(cases) * total < 1e-7


def test_dropout_statistics_of_a_correct_solution_are_well_inside():
    # Empirically: over many seeds the correct solution's z-scores stay far
    # below the thresholds (a sanity check of the bounds' form, not a proof).
    case = _training_cases()[0]
    zs_keep, zs_mean = [], []
    for seed in range(200):
        i = inputs_for(case, seed)
        out, mask = br.dropout_forward(i["x"], i["rate"], i["rng"].make())
        p, n = 1 - i["rate"], mask.size
        zs_keep.append(abs(mask.mean() - p) / math.sqrt(p * (1 - p) / n))
        sigma = math.sqrt(i["rate"] / p * np.sum(i["x"] ** 2)) / n
        zs_mean.append(abs(out.mean() - i["x"].mean()) / sigma)
    assert max(zs_keep) < 4.5 and max(zs_mean) < 4.5
    assert 0.5 < np.std(zs_keep + [-z for z in zs_keep]) < 1.5


def test_dropout_mask_may_be_numbers_or_bool():
    i = inputs_for(DROP.cases[0], 0)

    def as_ints(x, rate, rng, training=True):
        out, mask = br.dropout_forward(x, rate, rng, training)
        return out, mask.astype(np.int64)
    assert DROP.verify(local_call(as_ints), i) == []


# ------------------------------------------------------------------ early stopping

ES = A.check("early_stopping")


def _losses(inputs):
    return np.asarray(inputs["val_losses"], dtype=np.float64)


def test_early_stopping_cases_have_no_near_ties():
    # Keras compares loss + min_delta with the best loss (in floatx). Every
    # such comparison is either an exact tie (equal losses, min_delta 0) or
    # at least 4e-4 away from one, far above float32 rounding (~1e-7).
    for case in ES.cases:
        for seed in range(40):
            i = inputs_for(case, seed)
            v, md = _losses(i), i.get("min_delta", 0.0)
            gaps = np.abs((v[None, :] + md) - v[:, None])[np.triu_indices(len(v), 1)]
            if md == 0:
                gaps = gaps[gaps > 0]
            assert gaps.min() > 4e-4, (case.label, seed)
            assert np.array_equal(np.round(v, 3), v)


def test_keras_in_float32_decides_the_same():
    # The design.md trap: EarlyStopping compares in floatx. Drive it in
    # float32 (no keras_float64) on the graded sequences: same answers.
    import types

    import keras

    previous = keras.config.floatx()
    keras.config.set_floatx("float32")
    try:
        for case in ES.cases:
            for seed in range(5):
                i = inputs_for(case, seed)
                cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=i["patience"],
                                                   min_delta=i.get("min_delta", 0.0))
                model = types.SimpleNamespace(stop_training=False)
                cb.set_model(model)
                cb.on_train_begin()
                losses = [float(v) for v in _losses(i)]
                stop = len(losses) - 1
                for epoch, value in enumerate(losses):
                    cb.on_epoch_end(epoch, {"val_loss": value})
                    if model.stop_training:
                        stop = epoch
                        break
                assert (stop, cb.best_epoch) == ES.reference_function()(**i), (case.label, seed)
    finally:
        keras.config.set_floatx(previous)


def test_hidden_early_stopping_cases_can_be_drawn_for_every_seed():
    # the draws reject and redraw; each must end with valid inputs
    for case in ES.cases:
        for seed in range(100):
            assert len(inputs_for(case, seed)["val_losses"]) > 0


@pytest.mark.parametrize("bug", [br.early_stopping_late, br.early_stopping_early,
                                 br.early_stopping_one_based, br.early_stopping_ties,
                                 br.early_stopping_ignores_min_delta, br.early_stopping_no_cap,
                                 br.early_stopping_global_best, br.early_stopping_previous,
                                 br.early_stopping_best_plus_patience],
                         ids=lambda f: f.func.__name__ if hasattr(f, "func") else f.__name__)
def test_every_listed_early_stopping_mistake_fails_for_every_student(bug):
    # Hidden cases are redrawn until they tell these mistakes apart: whatever
    # the student's seed, at least one case fails.
    for seed in range(25):
        wrong = 0
        for case in ES.cases:
            i = inputs_for(case, seed if case.hidden else 0)
            got = tuple(int(v) for v in bug(**copy.deepcopy(i)))
            wrong += got != reg._es_pair(i)
        assert wrong, seed


def test_early_stopping_semantics_spelled_out():
    ref = ES.reference_function()
    # patience 0 and 1 both stop at the first epoch without improvement
    assert ref([1.0, 0.9, 0.95, 0.8], 0) == (2, 1) == ref([1.0, 0.9, 0.95, 0.8], 1)
    # patience 2: two epochs without improvement, counted from the best one
    assert ref([1.0, 0.9, 0.95, 0.92, 0.8], 2) == (3, 1)
    # a tie is no improvement; min_delta needs a gain larger than it
    assert ref([1.0, 0.9, 0.9, 0.9], 2) == (3, 1)
    assert ref([1.0, 0.98, 0.96, 0.94], 2, min_delta=0.0505) == (2, 0)
    # never stops: the last epoch; best_epoch is Keras's record
    assert ref([1.0, 0.9, 0.8], 5) == (2, 2)
    assert ref([0.5], 3) == (0, 0)


# ------------------------------------------------------------------ the notebook

def test_solution_notebook_cells_match_the_table():
    import json

    nb = json.loads((ROOT / "solutions" / "regularization.ipynb").read_text())
    assert nb["metadata"]["dlphys"] == {"assignment": "regularization"}
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "".join(code[0]["source"]).startswith("import numpy as np")
    assert code[0]["metadata"]["nbgrader"]["locked"] is True
    by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in code}
    for check in A.checks:
        solution = by_id[check.function]
        assert solution["metadata"]["nbgrader"]["solution"] is True
        assert "".join(solution["source"]).startswith(f"def {check.function}(")
        test = by_id[f"test_{check.function}"]
        meta = test["metadata"]["nbgrader"]
        assert meta["grade"] is True and meta["locked"] is True and meta["solution"] is False
        assert meta["points"] == check.points
        assert "".join(test["source"]) == f'nbgrader_check("{check.function}")'
        # right after the function's "try it" cell
        position = code.index(test)
        assert code[position - 2] is solution


# ------------------------------------------------------------------ mistakes graded as the grader does

@pytest.mark.parametrize("function,bug,words", [
    ("train_val_test_split", br.train_val_test_split_own_generator, "different seeds gave the same"),
    ("train_val_test_split", br.train_val_test_split_np_seed, "different seeds gave the same"),
    ("train_val_test_split", br.train_val_test_split_evenly_spaced, "different seeds gave the same"),
    ("train_val_test_split", br.train_val_test_split_rounded_one_by_one, ""),
    ("train_val_test_split", br.train_val_test_split_ceil, "wrong size"),
    ("dropout_forward", br.dropout_forward_own_generator, "different seeds gave the same"),
    ("dropout_forward", br.dropout_forward_np_seed, "different seeds gave the same"),
    ("dropout_forward", br.dropout_forward_exact_count, "number of kept units is the same"),
    ("early_stopping", br.early_stopping_last_is_best, ""),
], ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_classic_mistake_fails_publicly_and_for_every_student(function, bug, words):
    failed = assert_fails_publicly_and_hidden(A, function, bug)
    assert all(words in t.feedback for t in failed), [t.feedback for t in failed]


def test_exact_count_false_failure_rate_is_as_commented():
    # A correct dropout keeps the same number of units in all _COUNT_CALLS
    # other calls with probability <= (largest Binomial(n, 1 - rate) pmf) ** 4.
    total = 0.0
    for case in DROP.cases:
        inputs = inputs_for(case, 0)
        if not reg_side._training(inputs):
            continue
        n, p = inputs["x"].size, 1.0 - inputs["rate"]
        mode = math.floor((n + 1) * p)
        log_pmf = (math.lgamma(n + 1) - math.lgamma(mode + 1) - math.lgamma(n - mode + 1)
                   + mode * math.log(p) + (n - mode) * math.log(1 - p))
        each = math.exp(log_pmf) ** reg_side._COUNT_CALLS
        assert each < 7.9e-9, case.label
        total += each
    assert total < 3.9e-8


def test_never_stops_cases_have_their_best_epoch_before_the_last():
    for case in ES.cases:
        for seed in range(25):
            i = inputs_for(case, seed)
            stop, best, triggered = reg._es(i["val_losses"], i["patience"], i.get("min_delta", 0.0))
            if not triggered:
                assert best < len(i["val_losses"]) - 1, (case.label, seed)



@pytest.mark.parametrize("bug", [br.early_stopping_late, br.early_stopping_early],
                         ids=lambda f: f.func.__name__ if hasattr(f, "func") else f.__name__)
def test_an_off_by_one_stop_gets_only_the_off_by_one_hint(bug):
    failed = assert_fails_publicly_and_hidden(A, "early_stopping", bug)
    assert any(reg.ES_OFF_BY_ONE.message in t.hints for t in failed)
    for t in failed:
        assert set(t.hints) <= {reg.ES_OFF_BY_ONE.message}, (t.label, t.hints)
