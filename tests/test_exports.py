"""The files `grade batch` writes, read by the programs people feed them to:
junit.xml by xmllint (against Jenkins' published JUnit schema) and junitparser,
grades.csv by pandas (and LibreOffice where installed), results.json sums,
nbgrader's own `nbgrader export` for the nbgrader gradebook."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from autograder import exports, names, points
from autograder import results as res
from autograder.gradebook import Gradebook
from autograder.runner import GradeReport
from autograder.runner import TestResult as Result

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GRADE = str(BIN / "grade")
EXAMPLES = ROOT / "examples" / "submissions"
SCHEMA = ROOT / "tests" / "schemas" / "junit-10.xsd"
HOSTILE_MESSAGE = "boom \x1b[31mred\x1b[0m nul\x00 bel\x07 \x0b\x1f end"


def exact_sum(values) -> Decimal:
    return sum((Decimal(str(v)) for v in values), Decimal(0))


def fake_report(student: str, message: str = HOSTILE_MESSAGE) -> GradeReport:
    """One student's grading as the runner makes it: a full-marks function split
    in thirds, a crash with a hostile message, a wrong answer and a timeout."""
    tests = [Result("linear_model", f"case {i}", i, i == 2, 10 / 3, passed=True) for i in range(3)]
    tests += [Result("mse_loss", "crashes", 0, False, 5, kind="error", feedback=f"ValueError: {message}"),
              Result("mse_loss", "wrong", 1, False, 5, kind="wrong", feedback="expected 1, got 2"),
              Result("mse_loss", "hangs", 2, True, 5, kind="timeout", feedback="did not return within 10 s")]
    return GradeReport("gradient_descent", student, 1234, tests, [], "", {"total": 1.0}, "rlimits", "CPU")


@pytest.fixture
def book(tmp_path):
    with Gradebook(tmp_path / "gradebook.sqlite") as b:
        for student in ("=1+1", "@SUM(A1)", "+cmd", "-2", "\tx", "plain", "bad\x1bname"):
            b.record(res.to_gradescope(fake_report(student)), sha256="0" * 64, source="x")
        yield b


class Spec:  # the two things the exports read of an assignment
    id = "gradient_descent"

    class checks_row:
        def __init__(self, function, points):
            self.function, self.points = function, points

    checks = [checks_row("linear_model", 10), checks_row("mse_loss", 15)]


# ---------------------------------------------------------------- junit.xml

def validate_junit(path: Path) -> None:
    """xmllint against the published XSD, then junitparser (as CI plug-ins read it)."""
    assert shutil.which("xmllint"), "xmllint missing: apt-get install libxml2-utils (make test does)"
    done = subprocess.run(["xmllint", "--noout", "--schema", str(SCHEMA), str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_junit_validates_against_the_jenkins_schema_with_hostile_messages(book, tmp_path):
    from junitparser import Error, Failure, JUnitXml

    path = tmp_path / "junit.xml"
    path.write_text(exports.junit_xml(book, Spec))
    validate_junit(path)
    xml = JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert len(suites) == 7
    for suite in suites:
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (6, 2, 1, 0)
        kinds = {case.name: [type(r) for r in case.result] for case in suite}
        assert kinds["mse_loss: wrong"] == [Failure]            # a wrong answer
        assert kinds["mse_loss: crashes"] == [Failure]          # an exception is the student's failure
        assert kinds["mse_loss: hangs"] == [Error]              # no answer at all: an error
        crash = next(case for case in suite if case.name == "mse_loss: crashes").result[0]
        assert "\\x1b[31mred" in crash.message and "nul\\x00 bel\\x07" in crash.message
        assert "\\x0b\\x1f end" in crash.text
    assert any(s.name == "gradient_descent.bad\\x1bname" for s in suites)


def test_xml_text_keeps_what_xml_allows():
    assert exports.xml_text("tab\tnl\ncr\r é ✓ 𝔼") == "tab\tnl\ncr\r é ✓ 𝔼"
    assert exports.xml_text("\x00\x08\x0b\x1f\ud800\ufffe") == "\\x00\\x08\\x0b\\x1f\\ud800\\ufffe"


# ---------------------------------------------------------------- grades.csv

FORMULAS = ("=1+1", "@SUM(A1)", "+cmd", "-2", "\tx")


def test_grades_csv_cells_never_start_a_formula(book, tmp_path):
    import pandas as pd

    path = tmp_path / "grades.csv"
    path.write_text(exports.grades_csv(book, Spec))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    students = set(frame["student"])
    assert students == {"'" + s for s in FORMULAS} | {"plain", "bad\x1bname"}
    for column in frame.columns:
        for value in frame[column]:
            assert not value.startswith(exports.FORMULA_START), (column, value)
    # the scores are numbers, and they add up to the total shown
    for _, row in frame.iterrows():
        assert exact_sum([row["linear_model"], row["mse_loss"]]) == Decimal(row["total"]) == Decimal("10.00")


def test_grades_csv_in_libreoffice_shows_names_not_results(book, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    (tmp_path / "grades.csv").write_text(exports.grades_csv(book, Spec))
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "csv", "--outdir", str(tmp_path / "lo"), str(tmp_path / "grades.csv")],
                   check=True, capture_output=True, timeout=300)
    computed = next((tmp_path / "lo").glob("*.csv")).read_text()
    rows = list(csv.reader(io.StringIO(computed)))
    names = {r[0] for r in rows[1:]}
    assert "2" not in names and not any(n.startswith("=") for n in names)
    assert any("=1+1" in n for n in names)


# ---------------------------------------------------------------- scores add up

def test_results_json_tests_sum_exactly_to_the_score():
    report = GradeReport("gradient_descent", "s", 1, [
        Result("linear_model", f"c{i}", i, False, 10 / 3, passed=True) for i in range(3)] + [
        Result("mse_loss", f"c{i}", i, False, 0.9, passed=True) for i in range(9)] + [
        Result("mse_gradients", f"c{i}", i, False, 10 / 7, fraction=1 / 3) for i in range(7)],
        [], "", {}, "rlimits")
    data = res.to_gradescope(report)
    tests = data["tests"]
    assert exact_sum(t["score"] for t in tests) == Decimal(str(data["score"]))
    assert exact_sum(t["max_score"] for t in tests) == Decimal(str(data["max_score"])) == Decimal("28.1")
    for function, points_ in (("linear_model", "10"), ("mse_loss", "8.1")):
        mine = [t for t in tests if t["tags"][1] == function]
        assert exact_sum(t["score"] for t in mine) == exact_sum(t["max_score"] for t in mine) == Decimal(points_)
    assert all(t["score"] <= t["max_score"] for t in tests)


def test_split_never_exceeds_a_cap_and_keeps_the_total():
    assert points.split([10 / 3] * 3) == [3.3334, 3.3333, 3.3333]
    assert points.split([0.9] * 9, places=1) == [0.9] * 9
    assert points.split([1 / 3] * 3, caps=[0.3333] * 3) == [0.3333] * 3   # cannot reach 1.0: capped
    assert exact_sum(points.split([0.125] * 8, places=2)) == Decimal(1)


def test_nbgrader_cells_never_exceed_their_max():
    from autograder.nbgrader_export import function_scores

    # results.json written before the split: each third rounded up to 3.3334
    old = {"score": 100.0, "tests": [{"score": 3.3334, "tags": ["a", "f"]}] * 3 +
           [{"score": 30.0, "tags": ["a", "g"]}] * 3}
    got = function_scores(old, ["f", "g"], {"f": 10, "g": 90})
    assert got == {"f": 10.0, "g": 90.0}
    rounded_down = {"score": 100.0, "tests": [{"score": 3.3333, "tags": ["a", "f"]}] * 3 +
                    [{"score": 30.0, "tags": ["a", "g"]}] * 3}
    assert function_scores(rounded_down, ["f", "g"], {"f": 10, "g": 90}) == {"f": 10.0, "g": 90.0}


# ---------------------------------------------------------------- end to end

def _nbgrader(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)


@pytest.mark.slow
def test_batch_outputs_are_accepted_by_their_consumers(tmp_path):
    """A real batch: a full-marks student named like a formula and one whose code
    raises with terminal escapes; then xmllint, junitparser, pandas and nbgrader."""
    import pandas as pd
    from junitparser import JUnitXml

    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(EXAMPLES / "alice_gradient_descent.ipynb", subs / "=1+1.ipynb")
    alice = json.loads((EXAMPLES / "alice_gradient_descent.ipynb").read_text())
    alice["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "def linear_model(X, w, b):\n"
                                     "    raise ValueError('\\x1b[31mred\\x00\\x07')\n"})
    (subs / "escaper.ipynb").write_text(json.dumps(alice))
    out = tmp_path / "out"
    done = subprocess.run([GRADE, "batch", str(subs), "-a", "gradient_descent", "-o", str(out), "-j", "1"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr

    validate_junit(out / "junit.xml")
    suites = {s.name: s for s in JUnitXml.fromfile(str(out / "junit.xml"))}
    assert suites["gradient_descent.escaper"].failures > 0
    assert "\\x1b[31mred" in (out / "junit.xml").read_text()

    frame = pd.read_csv(out / "grades.csv", dtype=str, keep_default_na=False).set_index("student")
    assert "'=1+1" in frame.index and frame.loc["'=1+1", "total"] == "100.00"

    full = json.loads((out / names.folder_for("=1+1") / "results.json").read_text())
    assert full["score"] == 100
    assert exact_sum(t["score"] for t in full["tests"]) == Decimal(100)

    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'default_course'\n")
    done = subprocess.run([GRADE, "export", str(out), "-a", "gradient_descent", "--nbgrader-db",
                           str(course / "gradebook.db")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    done = _nbgrader("export", cwd=course)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {r["student_id"]: r for r in csv.DictReader(open(course / "grades.csv"))}
    assert float(rows["=1+1"]["score"]) == 100.0 and float(rows["=1+1"]["max_score"]) == 100.0


def test_function_points_for_a_table_on_screen_add_up():
    """What the terminal table (render.py) can show: nine tests of 0.9 read 8.1 at
    one decimal and 8 at none, with the functions summing to the shown total."""
    report = GradeReport("gradient_descent", "s", 1,
                         [Result("f", f"c{i}", i, False, 0.9, passed=True) for i in range(9)] +
                         [Result("g", f"c{i}", i, False, 91.9 / 3, passed=True) for i in range(3)],
                         [], "", {}, "rlimits")
    assert points.function_points(report, places=1) == {"f": (8.1, 8.1), "g": (91.9, 91.9)}
    whole = points.function_points(report, places=0)
    assert sum(got for got, _ in whole.values()) == 100 and whole["f"] == (8, 8)
    scores, maxes = points.split_tests([t.function for t in report.tests], [t.score for t in report.tests],
                                       [t.max_score for t in report.tests], places=1)
    assert exact_sum(scores) == exact_sum(maxes) == Decimal(100) and scores[:9] == [0.9] * 9
