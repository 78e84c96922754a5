"""`grade validate`: it passes on the shipped assignments and names what is wrong otherwise."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import runner
from autograder.validate import Validation, default_seed, disagreements, table

ROOT = Path(__file__).resolve().parents[1]
GRADE = str(Path(sys.executable).with_name("grade"))


def report(*outcomes):
    tests = []
    for i, (passed, feedback) in enumerate(outcomes):
        t = runner.TestResult("f", f"case {i}", i, False, 10.0, passed=passed, feedback=feedback,
                       kind="passed" if passed else "wrong")
        tests.append(t)
    return runner.GradeReport("toy", "s", 1, tests, [], "", {}, "none")


def test_disagreements_name_the_tests_that_differ():
    a = report((True, ""), (False, "3 of 4 entries differ"))
    assert disagreements(a, report((True, ""), (False, "3 of 4 entries differ"))) == []
    assert disagreements(a, report((True, ""), (False, "2 of 4 entries differ"))) == ["f: case 1"]
    assert disagreements(a, report((True, ""),)) == ["2 tests vs 1"]


def test_the_default_seed_is_fixed_per_assignment():
    assert default_seed("convolution") == default_seed("convolution") != default_seed("gradient_descent")


def test_table_marks_each_criterion():
    from rich.console import Console

    v = Validation("toy", solution_score=100.0, exercise_score=12.5, max_score=100.0,
                   reproducible=True, compared=9, in_sync=False, seed=7, seconds=1.0,
                   problems=["untouched exercise scores 12.50"])
    console = Console(width=100, record=True)
    console.print(table(v))
    text = console.export_text()
    assert "✓ │ solution score │ 100.00 / 100" in text
    assert "✗ │ exercise score │ 12.50 / 100" in text
    assert "9 tests agree (seed 7)" in text and "exercises/ is stale" in text
    assert not v.ok


def test_unknown_assignment_is_bad_usage():
    done = subprocess.run([GRADE, "validate", "no_such_thing"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "unknown assignment 'no_such_thing'" in done.stderr


@pytest.mark.slow
def test_validate_passes_on_a_shipped_assignment():
    done = subprocess.run([GRADE, "validate", "gradient_descent"], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "100.00 / 100" in done.stdout and "0.00 / 100" in done.stdout
    assert "tests agree" in done.stdout and "exercises/ matches solutions/" in done.stdout
    assert "all 1 assignments valid" in done.stdout


@pytest.mark.slow
def test_validate_fails_and_names_a_stale_exercise_that_scores(tmp_path):
    """exercises/ holding the solution itself: it scores 100 and is not what release writes."""
    (tmp_path / "solutions").mkdir()
    (tmp_path / "exercises").mkdir()
    notebook = "gradient_descent.ipynb"
    shutil.copy(ROOT / "solutions" / notebook, tmp_path / "solutions" / notebook)
    shutil.copy(ROOT / "solutions" / notebook, tmp_path / "exercises" / notebook)
    done = subprocess.run([GRADE, "validate", "--root", str(tmp_path), "gradient_descent"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 1
    out = " ".join(done.stdout.split())
    assert "untouched exercise scores 100.00 (expected 0)" in out
    assert "exercises/gradient_descent.ipynb is not what `grade release gradient_descent` writes" in out
    assert "FAILED: gradient_descent" in out


# ---------------------------------------------------------------- nbgrader points

def solution_copy(tmp_path: Path, assignment: str = "gradient_descent") -> tuple[Path, dict]:
    import json

    nb = json.loads((ROOT / "solutions" / f"{assignment}.ipynb").read_text())
    return tmp_path / f"{assignment}.ipynb", nb


def graded_cell(nb: dict, grade_id: str) -> dict:
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.parametrize("assignment", list(__import__("autograder.course", fromlist=["x"]).ids()))
def test_shipped_notebooks_points_match_the_checks(assignment):
    from autograder import course
    from autograder.validate import nbgrader_points_problems

    path = ROOT / "solutions" / f"{assignment}.ipynb"
    assert nbgrader_points_problems(course.get(assignment), path) == []


def test_nbgrader_points_that_differ_are_named(tmp_path):
    import json

    from autograder import course
    from autograder.validate import nbgrader_points_problems

    spec = course.get("gradient_descent")
    path, nb = solution_copy(tmp_path)
    graded_cell(nb, "test_linear_model")["metadata"]["nbgrader"]["points"] = 20
    path.write_text(json.dumps(nb))
    problems = nbgrader_points_problems(spec, path)
    assert any("test_linear_model gives 20 points, the checks 10" in p for p in problems)
    assert any("total 110, the checks' 100" in p for p in problems)

    graded_cell(nb, "test_linear_model")["metadata"]["nbgrader"]["points"] = 10
    extra = json.loads(json.dumps(graded_cell(nb, "test_mse_loss")))
    extra["metadata"]["nbgrader"]["grade_id"] = extra["id"] = "test_forgotten"
    nb["cells"].append(extra)
    nb["cells"].remove(graded_cell(nb, "test_minibatch_indices"))
    path.write_text(json.dumps(nb))
    problems = nbgrader_points_problems(spec, path)
    assert any("no graded cell test_minibatch_indices (20 points in the checks)" in p for p in problems)
    assert any("test_forgotten (10 points) has no check" in p for p in problems)
    assert any("total 90, the checks' 100" in p for p in problems)


@pytest.mark.slow
def test_validate_fails_when_the_notebook_gives_other_points(tmp_path):
    """A function's cell worth 20 where the checks give 10: the notebook totals 110."""
    import json

    (tmp_path / "solutions").mkdir()
    path, nb = solution_copy(tmp_path / "solutions")
    graded_cell(nb, "test_linear_model")["metadata"]["nbgrader"]["points"] = 20
    path.write_text(json.dumps(nb, indent=1))
    done = subprocess.run([GRADE, "release", "--root", str(tmp_path), "gradient_descent"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([GRADE, "validate", "--root", str(tmp_path), "gradient_descent"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 1, done.stdout
    assert "test_linear_model gives 20 points, the checks 10" in done.stdout
    assert "total 110" in done.stdout and "all 1 assignments valid" not in done.stdout
