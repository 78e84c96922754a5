"""The `dense_networks` assignment: data, metrics, check table, hints, driver, grading.

Fast tests (NumPy only): the generators are deterministic and match the
curriculum (regression targets below 0 and above 1, a three-armed spiral),
the scores sit between the stated thresholds, the notebook carries the data
cell verbatim, the table is well formed, the held-out targets never reach
the student, fake driver answers get the right score, message and metrics,
and each structural hint fires on the layer summary of its mistake only.

Slow tests (TensorFlow, the sandbox): each buggy builder in
tests/buggy_dense_networks.py triggers its hint through the real driver and
the recipe triggers none; the thresholds are honest over 5 seeds (the recipe
gets full marks, the linear network under half); the solution scores 100,
the exercise 0; a linear submission gets its hint and its metric in
results.json.
"""
from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import buggy_dense_networks as bd
from checks import dense_networks as dn
from autograder.spec import Partial, Rng
from reference_impl import dense_networks_data as data

ROOT = Path(__file__).resolve().parents[1]
A = dn.ASSIGNMENT
REG, CLS = A.check("build_regressor"), A.check("build_classifier")
SEEDS = 5


# ------------------------------------------------------------------ the data

def test_generators_are_deterministic_seeded_and_leave_global_state_alone():
    for generate in (data.generate_regression, data.generate_spiral):
        a, b, c = generate(300, 5), generate(300, 5), generate(300, 6)
        assert all(np.array_equal(x, y) for x, y in zip(a, b))
        assert not np.array_equal(a[0], c[0])
        np.random.seed(3)
        before = np.random.random()
        np.random.seed(3)
        generate(50, 1)
        assert np.random.random() == before


def test_regression_targets_leave_the_unit_interval_and_the_noise_is_as_stated():
    x, y = data.generate_regression(20_000, 1)
    assert x.shape == (20_000, 1) and y.shape == (20_000, 1) and x.dtype == y.dtype == np.float32
    assert x.min() >= -3 and x.max() <= 3
    assert y.min() < -0.5 and y.max() > 1.5          # no sigmoid / tanh / ReLU output fits
    truth = data.wave_packet(x.astype(np.float64))
    assert data.mse_ratio(y, truth) == pytest.approx(1.0, abs=0.03)


def test_spiral_has_three_balanced_one_hot_classes_no_line_separates():
    x, y = data.generate_spiral(6000, 2)
    assert x.shape == (6000, 2) and y.shape == (6000, 3) and y.dtype == np.float32
    assert np.all(y.sum(axis=1) == 1) and np.all(np.abs(y.sum(axis=0) / 6000 - 1 / 3) < 0.03)
    # the best least-squares linear classifier stays far below the zero-point threshold
    features = np.hstack([x, np.ones((len(x), 1))]).astype(np.float64)
    weights = np.linalg.lstsq(features, y, rcond=None)[0]
    assert data.accuracy(y, features @ weights) < data.ACCURACY_ZERO - 0.1


def test_scores_between_the_thresholds():
    assert data.regression_score(1.0) == data.regression_score(data.MSE_RATIO_FULL) == 1.0
    assert data.regression_score(data.MSE_RATIO_ZERO) == data.regression_score(50.0) == 0.0
    middle = np.sqrt(data.MSE_RATIO_FULL * data.MSE_RATIO_ZERO)
    assert data.regression_score(middle) == pytest.approx(0.5)
    assert data.classification_score(data.ACCURACY_FULL) == data.classification_score(1.0) == 1.0
    assert data.classification_score(data.ACCURACY_ZERO) == data.classification_score(0.3) == 0.0
    assert data.classification_score((data.ACCURACY_ZERO + data.ACCURACY_FULL) / 2) == \
        pytest.approx(0.5)
    assert data.regression_score(float("nan")) == data.classification_score(float("nan")) == 0.0


# ------------------------------------------------------------------ the notebooks

def _cells(folder):
    return json.loads((ROOT / folder / "dense_networks.ipynb").read_text())["cells"]


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_notebook_carries_the_data_cell_verbatim_and_locked(folder):
    cells = [c for c in _cells(folder) if c["cell_type"] == "code"]
    source = data.notebook_cell_source()
    matching = [c for c in cells if "".join(c["source"]) == source]
    assert len(matching) == 1, "the notebook's data cell differs from reference_impl/dense_networks_data.py"
    assert matching[0]["metadata"]["nbgrader"]["locked"] is True


def _body(source, name):
    fn = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef) and n.name == name)
    body = fn.body[1:] if isinstance(fn.body[0], ast.Expr) else fn.body
    return [ast.unparse(stmt) for stmt in body]


@pytest.mark.parametrize("name", ["build_regressor", "build_classifier"])
def test_solution_is_the_measured_recipe(name):
    cell = next("".join(c["source"]) for c in _cells("solutions") if f"def {name}(" in "".join(c["source"]))
    text = "\n".join(_body(cell, name))
    assert text.count("Dense(30, activation='relu')") == 2 and "Adam()" in text
    assert ("layers.Dense(1)" in text) if name == "build_regressor" else ("activation='softmax'" in text)


def test_notebook_states_the_thresholds_budget_and_measurements():
    text = "\n".join("".join(c["source"]) for c in _cells("solutions") if c["cell_type"] == "markdown")
    for words in ("1.6", "4.0", "70 %", "95 %", "5000", "30 s", "universal approximation",
                  "EarlyStopping", "ReduceLROnPlateau", "frequent misunderstandings",
                  "checkerboard", "Overfitting", "Underfitting"):
        assert words.lower() in text.lower(), words
    assert "RECIPE_REG" not in text and "LINEAR_CLS" not in text     # measured numbers filled in


def test_heavy_notebook_cells_are_skipped_while_grading():
    for cell in _cells("solutions"):
        text = "".join(cell["source"])
        code = "\n".join(line.split("#")[0] for line in text.splitlines())   # not in comments
        if cell["cell_type"] == "code" and (".fit(" in code or "plt.subplots" in code):
            assert "GRADING" in text, text[:200]


def test_notebook_test_cells_carry_the_table_points():
    cells = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]["points"]
             for c in _cells("solutions") if c["metadata"].get("nbgrader", {}).get("grade")}
    assert cells == {"test_build_regressor": 50, "test_build_classifier": 50}


# ------------------------------------------------------------------ the check table

def test_check_table_is_well_formed():
    assert A.max_score == 100 and not A.numpy_only and A.gpu
    assert [c.function for c in A.checks] == ["build_regressor", "build_classifier"]
    for check in A.checks:
        assert check.driver == "dense_networks" and check.verify is dn.verify
        assert [check.case_points(i) for i in range(4)] == [2, 2, 2, 44]
        assert [c.hidden for c in check.cases] == [False, False, False, True]
        assert check.cases[-1].label.startswith("hidden: ")
        assert check.timeout > data.TIME_LIMIT + 30
    assert A.time_budget > 2 * data.TIME_LIMIT + sum(c.timeout for c in A.checks) / 2
    from autograder import course
    assert "dense_networks" in course.ids() and course.get("dense_networks") is A


def test_assignment_module_imports_without_tensorflow():
    code = ("import sys; import checks.dense_networks;"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def _inputs(case, seed):
    return case.make(Rng(seed).make())


@pytest.mark.parametrize("check", A.checks, ids=lambda c: c.function)
def test_cases_are_deterministic_and_never_send_the_targets(check):
    for case in check.cases:
        a, b = _inputs(case, 7), _inputs(case, 7)
        assert a.keys() == b.keys()
        for key in a:
            assert np.array_equal(a[key], b[key]) if isinstance(a[key], np.ndarray) else a[key] == b[key]
    perf, other = _inputs(check.cases[-1], 7), _inputs(check.cases[-1], 8)
    assert not np.array_equal(perf["x_test"], other["x_test"])        # per-student held-out points
    assert perf["x_test"].shape[0] == dn.N_TEST
    targets = perf["_targets"]
    for key, value in dn._public(perf).items():
        assert not key.startswith("_")
        assert not (isinstance(value, np.ndarray) and value.shape == targets.shape
                    and np.array_equal(value, targets))


# ------------------------------------------------------------------ fake driver answers

def _dense(units, activation="linear"):
    return {"kind": "dense", "units": units, "activation": activation}


def _info(structure, loss, n_outputs, **extra):
    return {"type": "Sequential", "is_model": True, "compiled": True, "loss": loss,
            "optimizer": "adam", "n_params": 1021, "output_shape": [2, n_outputs],
            "output_error": "", "layers": ["Dense"] * 3, "structure": structure,
            "loss_from_logits": False, **extra}


RECIPE_REG = _info([_dense(30, "relu"), _dense(30, "relu"), _dense(1)], "mse", 1)
RECIPE_CLS = _info([_dense(30, "relu"), _dense(30, "relu"), _dense(3, "softmax")],
                   "categorical_crossentropy", 3)


class FakeDriver:
    def __init__(self, answer):
        self.answer, self.sent = answer, []

    def __call__(self, **kwargs):
        self.sent.append(kwargs)
        return self.answer


def _run(check, answer, inputs):
    fake = FakeDriver(answer)
    result = dn.verify(fake, dict(inputs))
    assert all(not any(k.startswith("_") for k in sent) for sent in fake.sent)
    return result


@pytest.fixture(scope="module")
def held_out():
    return {check.function: _inputs(check.cases[-1], 3) for check in A.checks}


def test_regression_performance_full_partial_zero_with_metric(held_out):
    inputs = held_out["build_regressor"]
    y = inputs["_targets"].astype(np.float64)
    truth = data.wave_packet(inputs["x_test"].astype(np.float64))
    for predictions, fraction in ((truth, 1.0), (truth + 0.19, None), (np.zeros_like(y), 0.0)):
        got = _run(REG, {**RECIPE_REG, "predictions": predictions.astype(np.float32),
                         "losses": [0.3, 0.03]}, inputs)
        assert isinstance(got, Partial)
        ratio = got.metrics["mse_over_noise_variance"]
        assert ratio == pytest.approx(data.mse_ratio(y, predictions), rel=1e-3)
        assert f"{ratio:.2f} x the noise variance" in got.message
        if fraction is None:
            assert 0.2 < got.fraction < 0.8
        else:
            assert got.fraction == fraction


def test_classification_performance_full_partial_zero_with_metric(held_out):
    inputs = held_out["build_classifier"]
    y = inputs["_targets"]
    rng = np.random.default_rng(0)
    wrong = np.roll(y, 1, axis=1)
    for share_right, fraction in ((1.0, 1.0), (0.82, None), (0.5, 0.0)):
        right = rng.random(len(y)) < share_right
        p = np.where(right[:, None], y, wrong)
        got = _run(CLS, {**RECIPE_CLS, "predictions": p.astype(np.float32), "losses": [1.1, 0.1]},
                   inputs)
        assert isinstance(got, Partial)
        assert got.metrics["accuracy"] == pytest.approx(right.mean(), abs=1e-4)
        assert "accuracy" in got.message and "held-out points" in got.message
        if fraction is None:
            assert 0.3 < got.fraction < 0.7
        else:
            assert got.fraction == fraction


@pytest.mark.parametrize("answer,words", [
    ({**RECIPE_REG, "problem": "over_budget", "n_params": 10401}, "10,401 parameters"),
    ({**RECIPE_REG, "problem": "not_compiled"}, "not compiled"),
    ({"type": "NoneType", "is_model": False, "problem": "not_a_model"}, "returned None"),
    ({**RECIPE_REG, "predictions": np.zeros((5, 1), np.float32)}, "expected (4000, 1)"),
    ({**RECIPE_REG, "predictions": np.full((4000, 1), np.nan, np.float32)}, "NaN"),
    ("garbage", "not its report"),
])
def test_performance_fails_with_the_reason(held_out, answer, words):
    problems = _run(REG, answer, held_out["build_regressor"])
    assert isinstance(problems, list) and len(problems) == 1 and words in problems[0], problems


@pytest.mark.parametrize("aspect,answer,words", [
    ("compiled", {**RECIPE_CLS, "compiled": False}, "not compiled"),
    ("output", {**RECIPE_CLS, "output_shape": [2, 1]}, "expected (2, 3)"),
    ("params", {**RECIPE_CLS, "n_params": 10_903}, "10,903 parameters; the budget is 5,000"),
])
def test_structure_cases_fail_for_their_own_reason_only(aspect, answer, words):
    for case in CLS.cases[:3]:
        inputs = _inputs(case, 0)
        problems = _run(CLS, answer, inputs)
        if inputs["_aspect"] == aspect:
            assert len(problems) == 1 and words in problems[0], problems
        else:
            assert problems == [], (case.label, problems)
        assert _run(CLS, RECIPE_CLS, inputs) == []


# Layer summaries of the misunderstandings, as the driver reports them.
LINEAR = [_dense(30), _dense(30)]
SUMMARIES = {
    dn.LINEAR_NETWORK: _info(LINEAR + [_dense(1)], "mse", 1),
    dn.REGRESSION_OUTPUT_ACTIVATION: _info([_dense(30, "relu"), _dense(1, "sigmoid")], "mse", 1),
    dn.SQUASHING_HIDDEN: _info([_dense(30, "relu"), _dense(30, "softmax"), _dense(1)], "mse", 1),
    dn.REGRESSOR_LOSS_MISMATCH: _info(RECIPE_REG["structure"], "categorical_crossentropy", 1),
    dn.OVER_BUDGET_REGRESSOR: {**RECIPE_REG, "n_params": 10401},
    dn.LINEAR_CLASSIFIER: _info(LINEAR + [_dense(3, "softmax")], "categorical_crossentropy", 3),
    dn.SQUASHING_HIDDEN_CLASSIFIER: _info([_dense(30, "sigmoid"), _dense(3, "softmax")],
                                          "categorical_crossentropy", 3),
    dn.CLASSIFIER_LOSS_MISMATCH: _info(RECIPE_CLS["structure"], "mean_squared_error", 3),
    dn.OVER_BUDGET_CLASSIFIER: {**RECIPE_CLS, "n_params": 10903},
}


def _fired(check, answer):
    inputs = _inputs(check.cases[-1], 0)
    return [h for h in check.hints if h.detect(inputs, answer, None)]


def test_every_hint_fires_on_its_summary_and_no_other():
    assert set(SUMMARIES) == set(REG.hints) | set(CLS.hints)
    for check in A.checks:
        for hint in check.hints:
            assert _fired(check, SUMMARIES[hint]) == [hint], hint.message
        recipe = RECIPE_REG if check is REG else RECIPE_CLS
        assert _fired(check, recipe) == []
        assert _fired(check, "garbage") == [] and _fired(check, None) == []
        assert _fired(check, {**recipe, "structure": ["odd", 3]}) == []


def test_activation_layers_after_dense_count_as_its_activation():
    split = _info([_dense(30), {"kind": "activation", "activation": "relu"},
                   {"kind": "other", "type": "Dropout"}, _dense(30),
                   {"kind": "activation", "activation": "leakyrelu"}, _dense(1)], "mse", 1)
    assert _fired(REG, split) == []
    assert dn.dense_layers(split)[0]["activation"] == "relu"
    logits = _info(RECIPE_CLS["structure"][:2] + [_dense(3)], "categorical_crossentropy", 3,
                   loss_from_logits=True)
    assert _fired(CLS, logits) == []
    assert _fired(CLS, {**logits, "loss_from_logits": False}) == [dn.CLASSIFIER_LOSS_MISMATCH]
    no_hidden_layer = _info([_dense(3, "softmax")], "categorical_crossentropy", 3)
    assert _fired(CLS, no_hidden_layer) == [dn.LINEAR_CLASSIFIER]
    sparse = _info(RECIPE_CLS["structure"], "sparse_categorical_crossentropy", 3)
    assert _fired(CLS, sparse) == [dn.CLASSIFIER_LOSS_MISMATCH]


def test_hint_messages_use_only_the_graders_words():
    for hint in [*REG.hints, *CLS.hints]:
        assert len(hint.message) < 400 and "{" not in hint.message


# ------------------------------------------------------------------ TensorFlow: the real driver

BUILDERS = {  # buggy builder -> the hints it must trigger (on the function it is written for)
    bd.linear_regressor: [dn.LINEAR_NETWORK],
    bd.sigmoid_output_regressor: [dn.REGRESSION_OUTPUT_ACTIVATION],
    bd.softmax_hidden_regressor: [dn.SQUASHING_HIDDEN],
    bd.crossentropy_regressor: [dn.REGRESSOR_LOSS_MISMATCH],
    bd.wide_regressor: [dn.OVER_BUDGET_REGRESSOR],
    bd.linear_classifier: [dn.LINEAR_CLASSIFIER],
    bd.sigmoid_hidden_classifier: [dn.SQUASHING_HIDDEN_CLASSIFIER],
    bd.mse_classifier: [dn.CLASSIFIER_LOSS_MISMATCH],
    bd.sparse_classifier: [dn.CLASSIFIER_LOSS_MISMATCH],
    bd.wide_classifier: [dn.OVER_BUDGET_CLASSIFIER],
    bd.recipe_regressor: [],
    bd.recipe_classifier: [],
    bd.recipe_regressor_activation_layers: [],
    bd.recipe_classifier_logits: [],
}


def _is_regressor(build):
    return len(inspect.signature(build).parameters) == 1


@pytest.mark.slow
def test_every_buggy_builder_triggers_its_hint_through_the_driver():
    from checks.student_side.dense_networks import run
    from reference_impl.cnn_physics import keras_float32

    assert {h for hints in BUILDERS.values() for h in hints} == set(REG.hints) | set(CLS.hints)
    with keras_float32():
        for build, hints in BUILDERS.items():
            check = REG if _is_regressor(build) else CLS
            shape = ({"n_inputs": 1} if check is REG else {"n_inputs": 2, "n_classes": 3})
            info = run(build, mode="inspect", **shape)
            assert info["compiled"] and info.get("problem") is None, build.__name__
            assert _fired(check, info) == hints, (build.__name__, [h.message[:40] for h in
                                                                   _fired(check, info)])


@pytest.mark.slow
def test_driver_trains_predicts_and_stops_at_the_time_limit():
    from checks.student_side.dense_networks import run
    from reference_impl import dense_networks as ref
    from reference_impl.cnn_physics import keras_float32

    x, y = data.generate_spiral(200, 0)
    with keras_float32():
        out = run(ref.build_classifier, mode="train", n_inputs=2, n_classes=3, x_train=x,
                  y_train=y, x_test=x[:7], epochs=2, batch_size=32, time_limit=60.0)
        assert out["predictions"].shape == (7, 3) and out["epochs_completed"] == 2
        assert len(out["losses"]) == 2 and not out["stopped_by_time_limit"]
        capped = run(ref.build_classifier, mode="train", n_inputs=2, n_classes=3, x_train=x,
                     y_train=y, x_test=x[:7], epochs=500, batch_size=4, time_limit=0.5)
        assert capped["stopped_by_time_limit"] and capped["epochs_completed"] < 500
        wide = run(bd.wide_classifier, mode="train", n_inputs=2, n_classes=3, x_train=x,
                   y_train=y, x_test=x[:7], max_params=data.MAX_PARAMS)
        assert wide["problem"] == "over_budget" and "predictions" not in wide


@pytest.mark.slow
def test_thresholds_are_honest_over_five_seeds():
    # The lecture's recipe gets full marks on both functions, the same network
    # without activations under half, for every seed (weights and held-out set);
    # bench/bench_dense_networks.py prints the numbers (same seeds).
    from reference_impl import dense_networks as ref

    for task, recipe, linear in (("regression", ref.build_regressor, ref.linear_regressor),
                                 ("classification", ref.build_classifier, ref.linear_classifier)):
        for k in range(SEEDS):
            good = ref.grade_like_the_grader(recipe, task, test_seed=5000 + k, keras_seed=k)
            assert good["score"] == 1.0 and not good["stopped"], (task, k, good["metric"])
            bad = ref.grade_like_the_grader(linear, task, test_seed=5000 + k, keras_seed=k)
            assert bad["score"] < 0.5, (task, k, bad["metric"])


# ------------------------------------------------------------------ the sandbox

@pytest.mark.slow
def test_solution_scores_full_marks_and_exercise_zero(solution_cells, exercise_cells, grade_cells):
    report = grade_cells("dense_networks", solution_cells("dense_networks"))
    assert [(t.name, t.feedback) for t in report.tests if not t.passed] == []
    assert report.score == pytest.approx(100.0)
    performance = [t for t in report.tests if t.hidden]
    assert {k for t in performance for k in t.metrics} == {"mse_over_noise_variance", "accuracy"}
    assert all(t.hints == [] for t in report.tests)
    exercise = grade_cells("dense_networks", exercise_cells("dense_networks"))
    assert exercise.score == 0 and {t.kind for t in exercise.tests} == {"not_implemented"}


@pytest.mark.slow
def test_a_linear_network_scores_under_half_with_its_hint_and_metric(grade_cells, tmp_path):
    from autograder import results

    cells = ["import keras\nfrom keras import layers\n",
             inspect.getsource(bd.linear_regressor).replace("def linear_regressor(",
                                                            "def build_regressor("),
             inspect.getsource(bd.linear_classifier).replace("def linear_classifier(",
                                                             "def build_classifier(")]
    report = grade_cells("dense_networks", cells)
    for function, hint, metric in (("build_regressor", dn.LINEAR_NETWORK, "mse_over_noise_variance"),
                                   ("build_classifier", dn.LINEAR_CLASSIFIER, "accuracy")):
        got, total = report.function_scores()[function]
        assert got < total / 2, (function, got)
        performance = next(t for t in report.tests if t.function == function and t.hidden)
        assert hint.message in performance.hints and metric in performance.metrics
    data_out = results.to_gradescope(report)
    entries = [t for t in data_out["tests"] if t["extra_data"].get("metrics")]
    assert len(entries) == 2 and all(t["output"] for t in entries)


# ------------------------------------------------------------------ runner and results.json

class FakeSession:
    """Answers every driver call with `answer`, as the sandbox would."""

    def __init__(self, answer):
        self.answer = answer

    def call(self, function, kwargs, timeout, global_seed=None, driver=None):
        from autograder.sandbox.session import CallResult

        assert driver == "dense_networks" and not any(k.startswith("_") for k in kwargs)
        return CallResult(True, value=self.answer)


def _graded(check, answer):
    from autograder.runner import TestResult, _run_property_case

    case = check.cases[-1]
    result = TestResult(check.function, case.label, len(check.cases) - 1, True, 44.0)
    _run_property_case(check, case, _inputs(case, 3), FakeSession(answer), result)
    return result


def test_partial_results_carry_metrics_and_structural_hints(held_out):
    x_test = held_out["build_regressor"]["x_test"].astype(np.float64)
    line = np.full((len(x_test), 1), 0.2, np.float32)    # what a linear network ends up near
    linear = {**SUMMARIES[dn.LINEAR_NETWORK], "predictions": line, "losses": [0.4, 0.3]}
    result = _graded(REG, linear)
    assert result.kind == "wrong" and result.score == 0
    assert result.hints == [dn.LINEAR_NETWORK.message]
    assert result.metrics["mse_over_noise_variance"] > data.MSE_RATIO_ZERO
    good = {**RECIPE_REG, "predictions": data.wave_packet(x_test).astype(np.float32),
            "losses": [0.4, 0.02]}
    full = _graded(REG, good)
    assert full.passed and full.hints == [] and full.metrics["mse_over_noise_variance"] < 1.6


def test_results_json_shows_the_achieved_metric_also_at_full_marks(held_out):
    from autograder import results
    from autograder.runner import GradeReport

    x_test = held_out["build_regressor"]["x_test"].astype(np.float64)
    full = _graded(REG, {**RECIPE_REG, "predictions": data.wave_packet(x_test).astype(np.float32),
                         "losses": [0.4, 0.02]})
    report = GradeReport("dense_networks", "s", 3, [full], [], "", {}, "none")
    entry = results.to_gradescope(report)["tests"][0]
    assert entry["status"] == "passed" and "x the noise variance" in entry["output"]
    assert entry["extra_data"]["metrics"] == full.metrics
    json.dumps(entry)          # plain JSON


def test_feedback_page_shows_the_metric_as_numbers_only(held_out):
    from autograder import results
    from autograder.feedback_html import render_feedback
    from autograder.runner import GradeReport

    x_test = held_out["build_regressor"]["x_test"].astype(np.float64)
    full = _graded(REG, {**RECIPE_REG, "predictions": data.wave_packet(x_test).astype(np.float32),
                         "losses": [0.4, 0.02]})
    page = results.to_gradescope(GradeReport("dense_networks", "s", 3, [full], [], "", {}, "none"))
    ratio = full.metrics["mse_over_noise_variance"]
    assert f'<span class="metric">mse over noise variance {ratio:.4g}</span>' in render_feedback(page)
    page["tests"][0]["extra_data"]["metrics"] = {"<b>": "<script>", "flag": True}
    html = render_feedback(page)
    assert "<script>" not in html and 'class="metric"' not in html


# ------------------------------------------------------------------ self-check and Gradescope

@pytest.mark.slow
def test_self_check_runs_the_public_tests_with_the_budget_hint():
    from autograder import selfcheck

    ok = selfcheck.run(A, ["build_regressor", "build_classifier"],
                       {"build_regressor": bd.recipe_regressor, "build_classifier": bd.recipe_classifier})
    assert "6 of 6 public tests passed" in ok.text()
    wide = selfcheck.run(A, ["build_regressor"], {"build_regressor": bd.wide_regressor}).text()
    assert "10,401 parameters; the budget is 5,000" in wide and "over the budget" in wide


@pytest.mark.slow
def test_gradescope_bundle_carries_the_driver_and_the_data(tmp_path):
    import zipfile

    from autograder.gradescope import build_bundle

    bundle = build_bundle(A, tmp_path / "dense.zip", b"secret")
    with zipfile.ZipFile(bundle) as z:
        assert 'ASSIGNMENT="dense_networks"' in z.read("run_autograder").decode()
        wheel = next(n for n in z.namelist() if n.endswith(".whl"))
        (tmp_path / "w.whl").write_bytes(z.read(wheel))
    names = zipfile.ZipFile(tmp_path / "w.whl").namelist()
    for path in ("checks/dense_networks.py", "checks/student_side/dense_networks.py",
                 "reference_impl/dense_networks_data.py", "reference_impl/dense_networks.py"):
        assert path in names
