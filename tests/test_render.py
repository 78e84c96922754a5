"""The terminal table: compact by default, points that add up, student text never markup."""
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from autograder.points import split
from autograder.render import print_report
from autograder import runner
from autograder.runner import GradeReport
from autograder.sandbox.session import CellProblem

ROOT = Path(__file__).resolve().parents[1]
GRADE = str(Path(sys.executable).with_name("grade"))
HOSTILE = "[/] [bold red]x[/bold red] [link=file:///etc/passwd]y[/link] \x1b[2J\x1b]0;pwned\x07"
HINT = "You flipped the kernel."


def fake_report(student="alice") -> GradeReport:
    """Three functions of 100/3 points, three cases each: every figure has a remainder."""
    tests = []
    for f, passed in (("f", [True, True, True]), ("g", [True, False, False]), ("h", [False, True, True])):
        for i, ok in enumerate(passed):
            t = runner.TestResult(f, f"case {i}", i, hidden=i == 2, max_score=100 / 9, passed=ok)
            if not ok:
                t.kind, t.feedback, t.hints = "wrong", f"wrong value in case {i}: {HOSTILE}\nmore", [HINT]
            tests.append(t)
    return GradeReport("convolution", student, 1, tests, [CellProblem(0, "ValueError", HOSTILE)], "", {},
                       "process")


def shown(report, verbose=False, width=80) -> str:
    out = io.StringIO()
    print_report(report, Console(file=out, width=width, color_system=None), verbose=verbose)
    return out.getvalue()


def figures(text):
    """(points, max) pairs of the table rows, and the score line's pair."""
    rows = [(float(a), float(b)) for a, b in re.findall(r"(\d+\.\d)/(\d+\.\d)", text)]
    total = re.search(r"score (\d+\.\d) / (\d+\.\d)", text)
    return rows, (float(total.group(1)), float(total.group(2)))


def test_split_points_adds_up_and_keeps_exact_figures():
    assert split([100 / 3] * 3, places=1) == [33.4, 33.3, 33.3]
    assert sum(split([100 / 9] * 9, places=1)) == pytest.approx(100.0)
    assert split([8.0, 0.0, 27.96, 0.04], places=1) == [8.0, 0.0, 28.0, 0.0]


def test_default_table_is_one_row_per_function_and_adds_up():
    report = fake_report()
    text = shown(report)
    rows, (got, top) = figures(text)
    assert len(rows) == 3  # one row per function
    assert sum(g for g, _ in rows) == pytest.approx(got) and sum(m for _, m in rows) == pytest.approx(top)
    assert top == pytest.approx(100.0) and got == pytest.approx(round(report.score, 1))
    assert "hidden: case 2" in text and "more" not in text  # first line of the feedback only


def test_each_hint_once_per_function():
    report = fake_report()
    text = shown(report)
    assert text.count(HINT) == 2  # g (two failing cases) and h (one)
    assert text.count("wrong value in case") == 3  # every failing case, under its function


def test_tests_failing_with_the_same_message_are_listed_once():
    report = fake_report()
    for test in report.tests:
        if test.function == "g" or test.function == "f":
            test.passed, test.kind, test.feedback, test.hints = False, "missing", "g is not defined", []
    text = shown(report)
    assert text.count("g is not defined") == 2   # once for f, once for g
    assert text.count("all 3 tests") == 2 and "✗ case 0" in text   # h lists its own failing case


def test_verbose_table_has_every_test_and_adds_up():
    text = shown(fake_report(), verbose=True, width=160)
    rows, (got, top) = figures(text)
    assert len(rows) == 9
    assert sum(g for g, _ in rows) == pytest.approx(got) and sum(m for _, m in rows) == pytest.approx(top)


@pytest.mark.parametrize("verbose", [False, True])
def test_student_text_is_never_markup_nor_terminal_control(verbose):
    text = shown(fake_report(student=HOSTILE), verbose=verbose, width=200)
    assert "[/] [bold red]x[/bold red]" in text  # shown as typed, in the title, feedback and note
    assert text.count("[link=file:///etc/passwd]") >= 3
    assert "\x1b" not in text and "\x07" not in text


def test_cli_escapes_a_hostile_student_name_and_cell(tmp_path):
    sub = tmp_path / "sub.py"
    sub.write_text("raise ValueError('[/] closing tag [bold]')\n")
    done = subprocess.run([GRADE, "run", str(sub), "--assignment", "convolution", "--student", "[/] x",
                           "-o", str(tmp_path / "r.json")], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "80", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "convolution — [/] x" in done.stdout
    assert "ValueError: [/] closing tag [bold]" in done.stdout


@pytest.mark.slow
def test_bob_convolution_reads_at_a_glance(tmp_path):
    done = subprocess.run([GRADE, "run", str(ROOT / "examples/submissions/bob_convolution.ipynb"),
                           "--assignment", "convolution", "-o", str(tmp_path / "r.json")],
                          capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "80", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert len(lines) < 100 and max(len(line) for line in lines) <= 80
    assert done.stdout.count("hint:") == 3  # conv2d, conv2d_param_count, global_avg_pool: once each
    rows, (got, top) = figures(done.stdout)
    assert len(rows) == 8 and sum(g for g, _ in rows) == pytest.approx(got)
    assert top == pytest.approx(100.0)
