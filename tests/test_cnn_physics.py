"""The `cnn_physics` assignment: data, metric, check table, driver and grading end to end.

Fast tests (NumPy only): the shower generator is deterministic and physically
sane, the metrics are right, the notebook carries the generator verbatim, the
check table is well formed, and the property checks turn every kind of driver
answer (good, weak, broken, forged, garbage) into the right score and message
without ever sending the held-out labels.

Slow tests (TensorFlow, the sandbox): the driver in this process, the solution
scoring full marks and the exercise zero, a model over the parameter budget /
with a wrong output / uncompiled failing with its own message, and a weak
model getting partial credit.
"""
from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from checks import cnn_physics as cp
from autograder.spec import Partial, Rng
from reference_impl import cnn_physics_data as data

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = cp.ASSIGNMENT
CHECK = ASSIGNMENT.checks[0]


# ------------------------------------------------------------------ the data

@pytest.fixture(scope="module")
def showers():
    return data.generate_showers(4000, 11)


def test_generator_is_deterministic_and_seeded():
    a, b, c = data.generate_showers(300, 5), data.generate_showers(300, 5), data.generate_showers(300, 6)
    for x, y in zip(a, b):
        assert np.array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    images, labels, energy = a
    assert images.shape == (300, *data.IMAGE_SHAPE) and images.dtype == np.float32
    assert labels.shape == (300,) and labels.dtype == np.int64 and labels.sum() == 150
    assert set(np.unique(labels)) == {0, 1}
    assert energy.shape == (300,) and np.all((energy >= 10) & (energy <= 100))
    assert np.all(np.isfinite(images))


def test_generator_does_not_touch_global_random_state():
    np.random.seed(3)
    before = np.random.random()
    np.random.seed(3)
    data.generate_showers(50, 1)
    assert np.random.random() == before


def test_showers_are_physically_sane(showers):
    images, labels, energy = showers
    visible = images.sum(axis=(1, 2, 3)) / energy
    e, pi = labels == 1, labels == 0
    # electrons: response ~1 with a few % resolution (a little leakage, a little pile-up)
    assert 0.97 < visible[e].mean() < 1.08 and visible[e].std() < 0.12
    # pions: e/h < 1 makes their response lower and broader
    assert 0.70 < visible[pi].mean() < 0.90 and visible[pi].std() > 1.5 * visible[e].std()
    # electrons are compact: more of their energy in the hottest 3x3 window
    from reference_impl.cnn_physics_data import roc_auc
    from numpy.lib.stride_tricks import sliding_window_view
    img = images[..., 0].astype(np.float64)
    sums = sliding_window_view(np.pad(img, ((0, 0), (1, 1), (1, 1))), (3, 3), axis=(1, 2)).sum(axis=(-1, -2))
    core = sums.max(axis=(1, 2)) / img.sum(axis=(1, 2))
    assert core[e].mean() > 0.85 and core[pi].mean() < 0.75
    assert 0.85 < roc_auc(labels, core) < 0.97          # a good variable, not a perfect one
    # electrons hit up to 3.5 cells from the centre: their hottest cell moves around (pions'
    # hottest cell can be a displaced pi0 sub-shower further out)
    hottest = np.array(np.unravel_index(img.reshape(len(img), -1).argmax(axis=1), img.shape[1:])).T
    assert np.all(np.abs(hottest[e] - 7.5) <= 4.0)
    assert len({tuple(h) for h in hottest[e]}) == 64
    # the corners see only noise (50 MeV) and the occasional pile-up deposit
    corner = img[:, :2, :2].ravel()
    assert 0.04 < 1.4826 * np.median(np.abs(corner - np.median(corner))) < 0.06
    assert np.mean(corner < 0) > 0.4                      # noise is not zero-suppressed


# ------------------------------------------------------------------ the metrics

def _auc_pairs(labels, scores):
    pos, neg = scores[labels == 1], scores[labels == 0]
    diff = pos[:, None] - neg[None, :]
    return float(np.mean((diff > 0) + 0.5 * (diff == 0)))


def test_roc_auc_matches_the_pair_count_with_ties():
    rng = np.random.default_rng(0)
    for _ in range(5):
        labels = rng.integers(0, 2, 200)
        scores = np.round(rng.normal(labels * 0.7, 1.0), 1)   # many ties
        assert data.roc_auc(labels, scores) == pytest.approx(_auc_pairs(labels, scores), abs=1e-12)
    assert data.roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert data.roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert data.roc_auc(np.array([0, 0, 1, 1]), np.array([[0.4], [0.3], [0.2], [0.1]])) == 0.0


def test_pion_rejection():
    labels = np.array([1] * 10 + [0] * 20)
    # electrons 1..10, pions 0.05..1.0 in steps: the 90 % cut is the second lowest electron score
    scores = np.concatenate([np.arange(1.0, 11.0), np.linspace(0.0, 2.0, 20)])
    cut = 2.0
    assert np.mean(scores[:10] >= cut) >= 0.9
    assert data.pion_rejection(labels, scores) == pytest.approx(20 / np.count_nonzero(scores[10:] >= cut))
    assert data.pion_rejection(labels, np.zeros(30)) == 1.0               # constant: everything passes
    assert data.pion_rejection(labels, labels.astype(float)) == 20.0        # perfect: capped at n_pions
    rng = np.random.default_rng(1)
    big = rng.integers(0, 2, 20000)
    assert data.pion_rejection(big, rng.random(20000)) == pytest.approx(1 / 0.9, rel=0.05)


def test_performance_score_is_linear_in_log_rejection_between_the_thresholds():
    z, f = data.REJECTION_ZERO, data.REJECTION_FULL
    assert data.performance_score(1.0) == 0 and data.performance_score(z) == 0
    assert data.performance_score(f) == 1 and data.performance_score(100.0) == 1
    assert data.performance_score(math.sqrt(z * f)) == pytest.approx(0.5)
    assert data.performance_score(float("nan")) == 0


# ------------------------------------------------------------------ the notebooks

def _cells(path):
    return json.loads(Path(path).read_text())["cells"]


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_notebook_carries_the_data_cell_verbatim_and_locked(folder):
    cells = [c for c in _cells(ROOT / folder / "cnn_physics.ipynb") if c["cell_type"] == "code"]
    source = data.notebook_cell_source()
    matching = [c for c in cells if "".join(c["source"]) == source]
    assert len(matching) == 1, "the notebook's data cell differs from reference_impl/cnn_physics_data.py"
    assert matching[0]["metadata"]["nbgrader"]["locked"] is True
    code = [("".join(c["source"])) for c in cells]
    assert code[0].startswith("import numpy as np")
    assert code.index(source) < next(i for i, s in enumerate(code) if "def build_model" in s)


def _function_body(source: str, name: str) -> list[str]:
    """Code lines of `name`'s body without docstring, comments and blank lines."""
    fn = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef) and n.name == name)
    body = fn.body[1:] if isinstance(fn.body[0], ast.Expr) else fn.body
    return [ast.unparse(stmt) for stmt in body]


def test_solution_model_is_the_reference_model():
    cell = next("".join(c["source"]) for c in _cells(ROOT / "solutions" / "cnn_physics.ipynb")
                if "def build_model" in "".join(c["source"]))
    reference = (ROOT / "reference_impl" / "cnn_physics.py").read_text()
    assert _function_body(cell, "build_model") == _function_body(reference, "build_model")


def test_heavy_notebook_cells_are_skipped_while_grading():
    for cell in _cells(ROOT / "solutions" / "cnn_physics.ipynb"):
        text = "".join(cell["source"])
        if cell["cell_type"] == "code" and (".fit(x_train" in text or "plt.subplots" in text):
            assert "GRADING" in text, text[:200]


# ------------------------------------------------------------------ the check table

def test_check_table_is_well_formed():
    assert ASSIGNMENT.max_score == 100 and not ASSIGNMENT.numpy_only and ASSIGNMENT.gpu
    assert [c.function for c in ASSIGNMENT.checks] == ["build_model"]
    assert CHECK.driver == "cnn_physics" and CHECK.verify is cp.verify
    hidden = [c for c in CHECK.cases if c.hidden]
    assert len(hidden) == 1 and hidden[0].label.startswith("hidden: ")
    assert len({c.label for c in CHECK.cases}) == len(CHECK.cases)
    visible = [c for c in CHECK.cases if not c.hidden]
    assert len(visible) == 4 and not any(c.label.startswith("hidden") for c in visible)
    assert [CHECK.case_points(i) for i in range(5)] == [2, 2, 2, 2, 92]
    assert CHECK.timeout > data.TIME_LIMIT + 30
    assert ASSIGNMENT.time_budget > CHECK.timeout


def test_assignment_module_imports_without_tensorflow():
    code = ("import sys; import checks.cnn_physics;"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def _inputs(case, seed):
    return case.make(Rng(seed).make())


def test_cases_are_deterministic_and_never_send_the_labels():
    for case in [*cp.STRUCTURE_CASES, cp.PERFORMANCE_CASE]:
        a, b = _inputs(case, 7), _inputs(case, 7)
        assert a.keys() == b.keys()
        for key in a:
            assert np.array_equal(a[key], b[key]) if isinstance(a[key], np.ndarray) else a[key] == b[key]
        public = cp._public(a)
        assert not any(k.startswith("_") for k in public)
    perf = _inputs(cp.PERFORMANCE_CASE, 7)
    other = _inputs(cp.PERFORMANCE_CASE, 8)
    assert not np.array_equal(perf["x_test"], other["x_test"])      # per-student held-out showers
    assert np.array_equal(perf["x_train"], data.generate_showers(data.N_TRAIN, data.TRAIN_SEED)[0])
    assert perf["x_test"].shape == (cp.N_TEST, *data.IMAGE_SHAPE)
    labels = perf["_labels"]
    for value in cp._public(perf).values():
        assert not (isinstance(value, np.ndarray) and value.shape == labels.shape
                    and np.array_equal(value, labels))


# ------------------------------------------------------------------ property checks on fake answers

@pytest.fixture(scope="module")
def performance_inputs():
    return _inputs(cp.PERFORMANCE_CASE, 3)


class FakeDriver:
    """Stands for the sandboxed call: records what it was sent, answers `answer`."""

    def __init__(self, answer):
        self.answer, self.sent = answer, []

    def __call__(self, **kwargs):
        self.sent.append(kwargs)
        return self.answer(kwargs) if callable(self.answer) else self.answer


GOOD_INFO = {"type": "Functional", "is_model": True, "compiled": True, "loss": "binary_crossentropy",
             "optimizer": "adam", "n_params": 25409, "output_shape": [2, 1], "output_error": "",
             "layers": ["InputLayer", "Conv2D", "MaxPooling2D", "GlobalAveragePooling2D", "Dense"],
             "build_seconds": 0.1}


def _trained(scores, **extra):
    return {**GOOD_INFO, "predictions": np.asarray(scores, dtype=np.float32).reshape(-1, 1),
            "losses": [0.65, 0.3, 0.2], "epochs_completed": data.EPOCHS, "batches": 945,
            "stopped_by_time_limit": False, "train_seconds": 12.0, "epoch_seconds": [0.8] * 15,
            "predict_seconds": 0.5, **extra}


def _score_with_rejection(labels, target, rng):
    """Scores whose pion rejection at 90 % efficiency is about `target`."""
    scores = rng.random(len(labels)) + labels          # electrons in [1, 2), pions in [0, 1)
    n_pions = np.count_nonzero(labels == 0)
    fake = rng.choice(np.flatnonzero(labels == 0), int(n_pions / target), replace=False)
    scores[fake] += 1.5                                 # these pions pass the cut
    return scores


def _run(answer, inputs):
    fake = FakeDriver(answer)
    result = cp.verify(fake, dict(inputs))
    for sent in fake.sent:   # never the labels, never a private key
        assert not any(k.startswith("_") for k in sent)
    return result


def test_performance_full_partial_and_zero(performance_inputs):
    labels = performance_inputs["_labels"]
    rng = np.random.default_rng(0)
    full = _run(_trained(labels + 0.1 * rng.random(len(labels))), performance_inputs)
    assert isinstance(full, Partial) and full.fraction == 1
    # the achieved rejection goes to results.json's extra_data, also at full marks
    assert full.metrics["pion_rejection"] >= data.REJECTION_FULL and full.metrics["roc_auc"] > 0.9
    mid = math.sqrt(data.REJECTION_ZERO * data.REJECTION_FULL)
    half = _run(_trained(_score_with_rejection(labels, mid, rng)), performance_inputs)
    assert isinstance(half, Partial) and 0.4 < half.fraction < 0.6
    assert "pion rejection" in half.message and "ROC AUC" in half.message
    weak = _run(_trained(_score_with_rejection(labels, 3.0, rng)), performance_inputs)
    assert isinstance(weak, Partial) and weak.fraction == 0


def test_performance_messages_explain_typical_failures(performance_inputs):
    labels = performance_inputs["_labels"]
    constant = _run(_trained(np.ones(len(labels)), losses=[0.0, 0.0]), performance_inputs)
    assert constant.fraction == 0 and "same number" in constant.message
    inverted = _run(_trained(1.0 - labels + 0.01 * np.arange(len(labels)) / len(labels)),
                    performance_inputs)
    assert inverted.fraction == 0 and "larger for pions" in inverted.message
    flat = _run(_trained(labels * 0.3 + np.random.default_rng(1).random(len(labels)),
                         losses=[0.69, 0.69, 0.689]), performance_inputs)
    assert "hardly decreased" in flat.message
    stopped = _run(_trained(labels.astype(float), stopped_by_time_limit=True, epochs_completed=4),
                   performance_inputs)
    assert "stopped at the time limit" in stopped.message and "4 of 15" in stopped.message
    nan = _run(_trained(np.full(len(labels), np.nan), losses=[0.7, float("nan")]), performance_inputs)
    assert isinstance(nan, list) and "NaN" in nan[0]


@pytest.mark.parametrize("answer,words", [
    ({**GOOD_INFO, "problem": "over_budget", "n_params": 262433}, "262,433 parameters"),
    ({**GOOD_INFO, "compiled": False, "problem": "not_compiled"}, "not compiled"),
    ({**GOOD_INFO, "output_shape": [2, 2], "problem": "output_shape"}, "(2, 2); expected (2, 1)"),
    ({**GOOD_INFO, "is_model": False, "type": "NoneType", "problem": "not_a_model"}, "returned None"),
    ({**GOOD_INFO, "is_model": False, "type": "tuple", "problem": "not_a_model"}, "returned a tuple"),
    ({**GOOD_INFO, "problem": "several_outputs"}, "several outputs"),
    ("a string", "not its report"),
    (None, "not its report"),
    ({**GOOD_INFO}, "did not come back as a numeric array"),
    ({**GOOD_INFO, "predictions": "garbage"}, "did not come back as a numeric array"),
    ({**GOOD_INFO, "predictions": np.zeros((5, 1))}, "expected (10000, 1)"),
    ({**GOOD_INFO, "predictions": np.zeros((10000, 2))}, "expected (10000, 1)"),
    ({**GOOD_INFO, "problem": ["odd"]}, "could not be used"),
])
def test_performance_fails_with_the_reason(performance_inputs, answer, words):
    result = _run(answer, performance_inputs)
    assert isinstance(result, list) and len(result) == 1
    assert words in result[0]


def _structure(aspect):
    return next(c for c in cp.STRUCTURE_CASES if _inputs(c, 0)["_aspect"] == aspect)


@pytest.mark.parametrize("aspect,answer,words", [
    ("compiled", {**GOOD_INFO, "compiled": False}, "not compiled"),
    ("compiled", {**GOOD_INFO, "is_model": False, "type": "type", "problem": "not_a_model"},
     "returned a type"),
    ("output", {**GOOD_INFO, "output_shape": [2, 4, 4, 1]}, "(2, 4, 4, 1); expected (2, 1)"),
    ("output", {**GOOD_INFO, "output_shape": None, "output_error": "calling the model failed: X"},
     "calling the model failed"),
    ("output", {**GOOD_INFO, "output_shape": [2]}, "(2,); expected (2, 1)"),
    ("params", {**GOOD_INFO, "n_params": 50_001}, "50,001 parameters; the budget is 50,000"),
    ("params", {**GOOD_INFO, "n_params": True}, "could not be counted"),
    ("speed", {**GOOD_INFO, "seconds_per_batch": 0.128, "estimated_seconds": 122.0},
     "128 ms per batch"),
    ("speed", {**GOOD_INFO, "problem": "not_compiled", "compiled": False}, "speed not measured"),
    ("speed", {**GOOD_INFO, "estimated_seconds": "soon"}, "could not be measured"),
    ("speed", [1, 2], "not its report"),
])
def test_structure_cases_fail_for_their_own_reason_only(aspect, answer, words):
    case = _structure(aspect)
    result = _run(answer, _inputs(case, 0))
    assert isinstance(result, list) and len(result) == 1 and words in result[0], result
    good = dict(GOOD_INFO, seconds_per_batch=0.01, estimated_seconds=12.0)
    assert _run(good, _inputs(case, 0)) == []
    # the other aspects (speed needs a timing, so not speed) ignore a mistake that is not theirs
    if isinstance(answer, dict) and "problem" not in answer:
        for other in cp.STRUCTURE_CASES:
            other_aspect = _inputs(other, 0)["_aspect"]
            if other_aspect not in (aspect, "speed"):
                assert _run(answer, _inputs(other, 0)) == [], (aspect, other_aspect)


HINT_ANSWERS = {
    cp.NOT_A_MODEL: {**GOOD_INFO, "is_model": False, "type": "type", "problem": "not_a_model"},
    cp.RETURNS_NONE: {**GOOD_INFO, "is_model": False, "type": "NoneType", "problem": "not_a_model"},
    cp.NOT_COMPILED: {**GOOD_INFO, "compiled": False},
    cp.TWO_CLASS_OUTPUT: {**GOOD_INFO, "output_shape": [2, 2]},
    cp.SPATIAL_OUTPUT: {**GOOD_INFO, "output_shape": [2, 16, 16, 1]},
    cp.FLATTEN_BUDGET: {**GOOD_INFO, "n_params": 262433,
                        "layers": ["InputLayer", "Conv2D", "Flatten", "Dense"]},
    cp.NO_POOLING_SLOW: {**GOOD_INFO, "estimated_seconds": 122.0,
                         "layers": ["InputLayer", "Conv2D", "Conv2D"]},
}


def test_every_hint_fires_on_its_mistake_and_no_other():
    assert set(HINT_ANSWERS) == set(CHECK.hints)
    for hint, answer in HINT_ANSWERS.items():
        assert hint.detect({}, answer, None), hint.message
        others = [h for h in CHECK.hints if h is not hint and h.detect({}, answer, None)]
        assert others == [], (hint.message, [h.message for h in others])
        assert not hint.detect({}, dict(GOOD_INFO, estimated_seconds=12.0), None)
        assert not hint.detect({}, "garbage", None) and not hint.detect({}, None, None)


# ------------------------------------------------------------------ TensorFlow and the sandbox

KERAS_HEAD = "import numpy as np\nimport keras\nfrom keras import layers\n"

UNCOMPILED = '''
def build_model(input_shape, n_outputs):
    inputs = keras.Input(input_shape)
    x = layers.GlobalAveragePooling2D()(layers.Conv2D(8, 3, activation="relu")(inputs))
    return keras.Model(inputs, layers.Dense(n_outputs, activation="sigmoid")(x))
'''
OVER_BUDGET = '''
def build_model(input_shape, n_outputs):
    inputs = keras.Input(input_shape)
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(layers.Rescaling(0.1)(inputs))
    x = layers.Dense(64, activation="relu")(layers.Flatten()(x))
    model = keras.Model(inputs, layers.Dense(n_outputs, activation="sigmoid")(x))
    model.compile("adam", "binary_crossentropy")
    return model
'''
TWO_OUTPUTS = '''
def build_model(input_shape, n_outputs):
    inputs = keras.Input(input_shape)
    x = layers.GlobalAveragePooling2D()(layers.Conv2D(8, 3, activation="relu")(inputs))
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(x))
    model.compile("adam", "sparse_categorical_crossentropy")
    return model
'''
DENSE = '''
def build_model(input_shape, n_outputs):
    inputs = keras.Input(shape=input_shape)
    x = layers.Flatten()(layers.Rescaling(0.1)(inputs))
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(32, activation="relu")(x)
    model = keras.Model(inputs, layers.Dense(n_outputs, activation="sigmoid")(x))
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="binary_crossentropy")
    return model
'''


@pytest.mark.slow
def test_driver_in_this_process():
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from checks.student_side.cnn_physics import run
    from reference_impl import cnn_physics as ref

    with ref.keras_float32():
        info = run(ref.build_model, mode="inspect", input_shape=[16, 16, 1], n_outputs=1)
        assert info["compiled"] and info["output_shape"] == [2, 1] and info["n_params"] == 25409
        namespace = {}
        exec(KERAS_HEAD + UNCOMPILED, namespace)
        bare = run(namespace["build_model"], mode="train", input_shape=(16, 16, 1), n_outputs=1,
                   x_train=np.zeros((8, 16, 16, 1)), y_train=np.zeros(8), x_test=np.zeros((4, 16, 16, 1)))
        assert bare["problem"] == "not_compiled" and "predictions" not in bare
        assert run(lambda s, n: None, mode="inspect", input_shape=(16, 16, 1), n_outputs=1)["problem"] \
            == "not_a_model"
        x, y, _ = data.generate_showers(256, 0)
        timing = run(ref.build_model, mode="timing", input_shape=(16, 16, 1), n_outputs=1, x_train=x,
                     y_train=y, epochs=15, batch_size=64, n_train=4000, timing_seconds=1.0)
        assert timing["timed_batches"] >= 1 and timing["estimated_seconds"] > 0
        trained = run(ref.build_model, mode="train", input_shape=(16, 16, 1), n_outputs=1, x_train=x,
                      y_train=y, x_test=x[:10], epochs=2, batch_size=64, time_limit=60.0)
        assert trained["predictions"].shape == (10, 1) and trained["epochs_completed"] == 2
        assert len(trained["losses"]) == 2 and not trained["stopped_by_time_limit"]
        capped = run(ref.build_model, mode="train", input_shape=(16, 16, 1), n_outputs=1, x_train=x,
                     y_train=y, x_test=x[:10], epochs=50, batch_size=8, time_limit=0.5)
        assert capped["stopped_by_time_limit"] and capped["epochs_completed"] < 50
        assert capped["predictions"].shape == (10, 1)
        first, second = (run(ref.build_model, mode="train", input_shape=(16, 16, 1), n_outputs=1,
                             seed=5, x_train=x, y_train=y, x_test=x[:20], epochs=1, batch_size=64)
                         for _ in range(2))
        assert np.array_equal(first["predictions"], second["predictions"])   # seeded


@pytest.mark.slow
def test_solution_scores_full_marks_and_exercise_zero(solution_cells, exercise_cells, grade_cells):
    report = grade_cells("cnn_physics", solution_cells("cnn_physics"))
    assert [(t.name, t.feedback) for t in report.tests if not t.passed] == []
    assert report.score == pytest.approx(100.0) and report.max_score == pytest.approx(100.0)
    exercise = grade_cells("cnn_physics", exercise_cells("cnn_physics"))
    assert exercise.score == 0
    assert {t.kind for t in exercise.tests} == {"not_implemented"}


@pytest.mark.slow
@pytest.mark.parametrize("body,aspect,words,score", [
    (OVER_BUDGET, "params", "262,433 parameters", 6),
    (TWO_OUTPUTS, "output", "(2, 2); expected (2, 1)", 4),
    (UNCOMPILED, "compiled", "not compiled", 4),
])
def test_a_broken_model_fails_with_its_reason(grade_cells, body, aspect, words, score):
    report = grade_cells("cnn_physics", [KERAS_HEAD, body])
    performance = report.tests[-1]
    assert performance.hidden and performance.score == 0 and words in performance.feedback
    labels = {_inputs(c, 0)["_aspect"]: c.label for c in cp.STRUCTURE_CASES}
    failed = {t.label for t in report.tests if not t.passed and not t.hidden}
    assert labels[aspect] in failed
    own = next(t for t in report.tests if t.label == labels[aspect])
    assert words in own.feedback
    assert report.score == pytest.approx(score)


@pytest.mark.slow
def test_a_weak_model_gets_partial_credit_reproducibly(grade_cells):
    report = grade_cells("cnn_physics", [KERAS_HEAD, DENSE])
    performance = report.tests[-1]
    assert performance.kind == "partial" and 0 < performance.fraction < 1, performance.feedback
    assert "pion rejection" in performance.feedback
    again = grade_cells("cnn_physics", [KERAS_HEAD, DENSE]).tests[-1]   # same student, same seed
    assert again.feedback == performance.feedback
