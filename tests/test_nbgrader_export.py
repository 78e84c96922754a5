"""`grade export`: a class graded by `grade batch` lands in nbgrader's gradebook,
through nbgrader's API, with the same scores as grades.csv; twice is once."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course
from autograder.nbgrader_export import database_url, function_scores

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EXAMPLES = ROOT / "examples" / "submissions"
ASSIGNMENT = "gradient_descent"
STUDENTS = ("alice", "bob")


def grade(*args, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([str(BIN / "grade"), *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"})
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """A tiny class graded with `grade batch`: tmp/out holds gradebook.sqlite and grades.csv."""
    tmp = tmp_path_factory.mktemp("class")
    (tmp / "subs").mkdir()
    for student in STUDENTS:
        shutil.copy(EXAMPLES / f"{student}_{ASSIGNMENT}.ipynb", tmp / "subs" / f"{student}.ipynb")
    grade("batch", "subs", "--assignment", ASSIGNMENT, "-o", "out", "--jobs", "1", cwd=tmp)
    return tmp


def csv_rows(tmp: Path) -> dict[str, dict]:
    with open(tmp / "out" / "grades.csv") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def counts(url: str) -> dict[str, int]:
    from nbgrader.api import Gradebook, GradeCell, Notebook, Student, SubmittedAssignment, SubmittedNotebook
    from nbgrader.api import Grade

    with Gradebook(url) as gb:
        return {table.__name__: gb.db.query(table).count()
                for table in (Notebook, GradeCell, Student, SubmittedAssignment, SubmittedNotebook, Grade)}


@pytest.mark.slow
def test_export_matches_grades_csv_and_is_idempotent(graded):
    from nbgrader.api import Gradebook

    from autograder.gradebook import Gradebook as Ours
    from autograder.nbgrader_export import export_to_nbgrader

    spec = course.get(ASSIGNMENT)
    functions = [c.function for c in spec.checks]
    url = database_url(str(graded / "nb" / "gradebook.db"))
    for attempt in range(2):
        if attempt == 0:  # the command, as an instructor runs it
            done = grade("export", "out", "--assignment", ASSIGNMENT, "--nbgrader-db", "nb/gradebook.db",
                         cwd=graded)
            assert f"exported {len(STUDENTS)} students" in done.stdout
        else:  # again, in-process (saves a start-up of nbgrader): same path, no duplicates
            with Ours(graded / "out" / "gradebook.sqlite") as book:
                assert export_to_nbgrader(book, spec, str(graded / "nb" / "gradebook.db")) == len(STUDENTS)
        assert counts(url) == {"Notebook": 1, "GradeCell": len(functions), "Student": len(STUDENTS),
                               "SubmittedAssignment": len(STUDENTS), "SubmittedNotebook": len(STUDENTS),
                               "Grade": len(STUDENTS) * len(functions)}, f"after export {attempt + 1}"
    rows = csv_rows(graded)
    assert set(rows) == set(STUDENTS)
    with Gradebook(url) as gb:
        assert {s.id for s in gb.students} == set(STUDENTS)
        notebook = gb.find_notebook(ASSIGNMENT, ASSIGNMENT)
        assert {c.name: c.max_score for c in notebook.grade_cells} == \
            {f"test_{c.function}": c.points for c in spec.checks}
        for student, row in rows.items():
            submission = gb.find_submission(ASSIGNMENT, student)
            assert submission.score == pytest.approx(float(row["total"]), abs=0.01)
            assert submission.max_score == pytest.approx(100)
            for function in functions:
                g = gb.find_grade(f"test_{function}", ASSIGNMENT, ASSIGNMENT, student)
                assert g.score == pytest.approx(float(row[function]), abs=0.01), (student, function)
                assert g.auto_score is not None and g.manual_score is None and not g.needs_manual_grade
    assert float(rows["alice"]["total"]) == 100 and float(rows["bob"]["total"]) < 100


@pytest.mark.slow
def test_a_graders_manual_score_survives_a_reexport(graded):
    """Called in-process with an SQLAlchemy URL; formgrader's manual score wins and is kept."""
    from nbgrader.api import Gradebook

    from autograder.gradebook import Gradebook as Ours
    from autograder.nbgrader_export import export_to_nbgrader

    spec = course.get(ASSIGNMENT)
    url = f"sqlite:///{graded / 'manual.db'}"
    with Ours(graded / "out" / "gradebook.sqlite") as book:
        assert export_to_nbgrader(book, spec, url) == len(STUDENTS)
        with Gradebook(url) as gb:
            g = gb.find_grade("test_minibatch_indices", ASSIGNMENT, ASSIGNMENT, "bob")
            auto = g.auto_score
            g.manual_score = 19.5
            gb.db.commit()
        assert export_to_nbgrader(book, spec, url) == len(STUDENTS)
        expected = function_scores(book.results(ASSIGNMENT)["bob"], [c.function for c in spec.checks])
    with Gradebook(url) as gb:
        g = gb.find_grade("test_minibatch_indices", ASSIGNMENT, ASSIGNMENT, "bob")
        assert g.manual_score == 19.5 and g.auto_score == auto == expected["minibatch_indices"]
        assert g.score == 19.5 and g.needs_manual_grade  # flagged for a human, as nbgrader does
    assert counts(url)["Grade"] == len(STUDENTS) * len(spec.checks)


def test_database_url():
    assert database_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert database_url("sqlite:///rel.db") == "sqlite:///rel.db"
    assert database_url("gradebook.db") == f"sqlite:///{Path('gradebook.db').resolve()}"


def test_function_scores_sums_tests_per_function():
    data = {"tests": [{"score": 2.5, "tags": [ASSIGNMENT, "f"]}, {"score": 2.5, "tags": [ASSIGNMENT, "f"]},
                      {"score": 1, "tags": [ASSIGNMENT, "unknown"]}, {"score": 3, "tags": [ASSIGNMENT]}]}
    assert function_scores(data, ["f", "g"]) == {"f": 5.0, "g": 0.0}
