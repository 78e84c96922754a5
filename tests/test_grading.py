"""End to end: real notebooks, real sandbox, real TensorFlow references, real CLI."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course, seeds
from autograder.spec import Rng

ROOT = Path(__file__).resolve().parents[1]
GRADE = str(Path(sys.executable).with_name("grade"))
IDS = [a for a in course.ids()
       if a not in ("cnn_physics", "dense_networks")]  # Keras assignments: their own tests


@pytest.mark.parametrize("assignment", IDS)
def test_solution_scores_full_marks(assignment, solution_cells, grade_cells):
    report = grade_cells(assignment, solution_cells(assignment))
    failed = [(t.name, t.feedback) for t in report.tests if not t.passed]
    assert failed == []
    assert report.score == pytest.approx(100.0) and report.max_score == pytest.approx(100.0)


@pytest.mark.parametrize("assignment", IDS)
def test_untouched_exercise_scores_zero_with_a_clear_reason(assignment, exercise_cells, grade_cells):
    report = grade_cells(assignment, exercise_cells(assignment))
    assert report.score == 0
    assert {t.kind for t in report.tests} == {"not_implemented"}
    assert all("not implemented yet" in t.feedback for t in report.tests)


@pytest.mark.parametrize("assignment", IDS)
def test_points_sum_to_100_and_every_function_has_visible_and_hidden_cases(assignment):
    a = course.get(assignment)
    assert a.max_score == 100
    for check in a.checks:
        assert any(c.hidden for c in check.cases) and any(not c.hidden for c in check.cases)


def test_hidden_inputs_differ_per_student_and_visible_ones_do_not():
    secret = b"course-secret"
    a, b = (seeds.student_seed(secret, "convolution", s) for s in ("alice", "bob"))
    assert a != b
    assert seeds.student_seed(b"other-secret", "convolution", "alice") != a
    check = course.get("convolution").check("conv2d")
    hidden = next(i for i, c in enumerate(check.cases) if c.hidden)
    visible = next(i for i, c in enumerate(check.cases) if not c.hidden)

    def inputs(index, seed):
        rng = Rng(seeds.case_seed("conv2d", index, check.cases[index].hidden, seed)).make()
        return check.cases[index].make(rng)["x"]
    assert not (inputs(hidden, a).shape == inputs(hidden, b).shape
                and (inputs(hidden, a) == inputs(hidden, b)).all())
    assert (inputs(visible, a) == inputs(visible, b)).all()


def test_a_wrong_answer_fails_only_its_function_and_hidden_feedback_hides_inputs(solution_cells, grade_cells):
    bug = ("def conv2d(x, w, b, stride=1, padding='valid', dilation=1):\n"
           "    return np.zeros((x.shape[0], 1, 1, w.shape[3]))\n")
    report = grade_cells("convolution", solution_cells("convolution") + [bug])
    scores = report.function_scores()
    assert scores["conv2d"][0] == 0
    assert all(got == total for f, (got, total) in scores.items() if f != "conv2d")
    for t in report.tests:
        if t.function == "conv2d" and t.hidden:
            assert "wrong shape" in t.feedback
            assert not re.search(r"\(\d+, \d+", t.feedback), t.feedback   # no shapes or indices
        if t.function == "conv2d" and not t.hidden:
            assert "expected (" in t.feedback   # visible cases show the shapes


def test_mutating_an_input_fails_with_an_in_place_message(solution_cells, grade_cells):
    bug = ("_orig = linear_model\n"
           "def linear_model(x, W, b):\n    out = _orig(x, W, b)\n    x *= 0\n    return out\n")
    report = grade_cells("gradient_descent", solution_cells("gradient_descent") + [bug])
    tests = [t for t in report.tests if t.function == "linear_model"]
    assert all(not t.passed and "in place" in t.feedback for t in tests)


def test_same_seed_same_result_and_different_student_same_verdict(solution_cells, grade_cells):
    cells = solution_cells("gradient_descent")
    one = grade_cells("gradient_descent", cells, student="a", seed=7)
    two = grade_cells("gradient_descent", cells, student="a", seed=7)
    assert [(t.name, t.passed) for t in one.tests] == [(t.name, t.passed) for t in two.tests]


# ---------------------------------------------------------------- the CLI

def run_cli(*args, cwd=ROOT):
    return subprocess.run([GRADE, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_help_is_fast_path_without_tensorflow_or_nbformat():
    code = ("import sys\nfrom autograder.cli import main\n"
            "try:\n    main.main(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "bad = [m for m in ('tensorflow', 'nbformat', 'nbgrader', 'numpy', 'rich') if m in sys.modules]\n"
            "print('IMPORTED', bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert "IMPORTED []" in out


@pytest.mark.slow
def test_cli_run_writes_gradescope_results(tmp_path):
    out = tmp_path / "results.json"
    done = run_cli("run", "examples/submissions/bob_convolution.ipynb", "-o", str(out))
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert set(data) >= {"score", "max_score", "execution_time", "output", "tests", "extra_data"}
    assert data["max_score"] == 100 and 0 < data["score"] < 100
    assert set(data["extra_data"]) >= {"assignment", "student", "seed", "device", "versions"}
    assert data["extra_data"]["student"] == "bob_convolution"
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility", "tags"}
        assert test["status"] in ("passed", "failed")
        assert test["tags"][0] == "convolution"
        assert test["tags"][1] in {c.function for c in course.get("convolution").checks}
    flipped = [t for t in data["tests"] if t["tags"][1] == "conv2d" and t["status"] == "failed"]
    assert any("cross-correlation" in t["output"] for t in flipped)   # the hint fired
    assert "conv2d" in done.stdout and "score" in done.stdout


@pytest.mark.slow
def test_cli_fail_under_exit_codes(tmp_path):
    bob = "examples/submissions/bob_gradient_descent.ipynb"
    assert run_cli("run", bob, "-o", str(tmp_path / "r.json"), "--fail-under", "99").returncode == 1
    alice = "examples/submissions/alice_gradient_descent.ipynb"
    done = run_cli("run", alice, "-o", str(tmp_path / "r.json"), "--fail-under", "100", "-q")
    assert done.returncode == 0 and "100.00 / 100" in done.stdout


@pytest.mark.parametrize("args,needle", [
    (["run", "does-not-exist.ipynb"], "no such file"),
    (["run", "pyproject.toml"], "expected a .ipynb"),
    (["run", "examples/submissions/bob_convolution.ipynb", "--assignment", "nope"], "unknown assignment"),
    (["run"], "Missing argument"),
    (["list", "nope"], "unknown assignment"),
])
def test_bad_input_is_one_line_and_exit_2(args, needle, tmp_path):
    done = run_cli(*args, "-o", str(tmp_path / "r.json")) if args[0] == "run" else run_cli(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in done.stderr


def test_assignment_is_detected_from_file_name_or_metadata(tmp_path):
    assert course.detect("alice_convolution.ipynb", None) == "convolution"
    assert course.detect("x.ipynb", "gradient_descent") == "gradient_descent"
    assert course.detect("x.ipynb", None) is None


def test_list_shows_functions_and_points():
    done = run_cli("list", "convolution")
    assert done.returncode == 0 and "conv2d_backward" in done.stdout
    assert "gradient_descent" in run_cli("list").stdout


def test_release_is_reproducible_and_committed_exercises_are_in_sync(tmp_path):
    import shutil

    assert run_cli("release", "--check").returncode == 0, "run `grade release` and commit exercises/"
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    assert run_cli("release", "--root", str(tmp_path)).returncode == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "exercises").iterdir()}
    assert run_cli("release", "--root", str(tmp_path)).returncode == 0
    assert first == {p.name: p.read_bytes() for p in (tmp_path / "exercises").iterdir()}
    assert first == {p.name: p.read_bytes() for p in (ROOT / "exercises").glob("*.ipynb")}


def test_student_notebook_has_stubs_not_solutions():
    nb = json.loads((ROOT / "exercises" / "convolution.ipynb").read_text())
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "### BEGIN SOLUTION" not in code and "raise NotImplementedError()" in code
    assert nb["metadata"]["dlphys"]["assignment"] == "convolution"


def test_mutating_an_input_fails_property_checks_too(solution_cells, grade_cells):
    bug = ("_orig_dropout = dropout_forward\n"
           "def dropout_forward(x, rate, rng, training=True):\n"
           "    out, mask = _orig_dropout(x, rate, rng, training)\n"
           "    x[...] = 0\n"
           "    return out, mask\n")
    report = grade_cells("regularization", solution_cells("regularization") + [bug])
    tests = [t for t in report.tests if t.function == "dropout_forward"]
    assert tests and all(not t.passed and "in place" in t.feedback for t in tests)
    assert report.function_scores()["dropout_backward"][0] == 8


def test_the_batch_workers_visible_reference_cache_changes_no_verdict(grade_cells, monkeypatch):
    from autograder import runner
    from autograder.submission import load

    cells = load(ROOT / "examples" / "submissions" / "bob_convolution.ipynb").cells
    plain = grade_cells("convolution", cells, student="bob")
    monkeypatch.setattr(runner, "visible_cache", {})
    first = grade_cells("convolution", cells, student="bob")
    again = grade_cells("convolution", cells, student="carol")   # served from the cache
    assert runner.visible_cache   # it was used
    verdicts = [(t.name, t.passed, t.feedback, t.hints) for t in plain.tests]
    assert verdicts == [(t.name, t.passed, t.feedback, t.hints) for t in first.tests]
    visible = [v for v, t in zip(verdicts, plain.tests) if not t.hidden]
    assert visible == [(t.name, t.passed, t.feedback, t.hints) for t in again.tests if not t.hidden]
