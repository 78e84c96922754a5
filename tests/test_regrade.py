"""A fixed grader regrades: the gradebook is keyed on the fingerprint of what
decides a grade (checks, references, drivers, engine); --force and --only."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course, fingerprint

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "submissions"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the grader's sources that a test may edit; the fingerprint reads it."""
    copy = tmp_path / "project"
    for package in ("autograder", "reference_impl", "checks"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PROJECT", copy)
    # The copy is the course whose files are hashed (its check tables are the same
    # as the bundled ones, which stay imported: only their files are read here).
    monkeypatch.setattr(course, "_current", course.load(copy))
    fingerprint._of.cache_clear()
    yield copy
    fingerprint._of.cache_clear()


def changed(project: Path, relative: str, assignment: str) -> bool:
    before = fingerprint.fingerprint(assignment)
    with open(project / relative, "a") as f:
        f.write("\n# edited\n")
    fingerprint._of.cache_clear()
    return fingerprint.fingerprint(assignment) != before


@pytest.mark.parametrize("relative", [
    "checks/gradient_descent.py",   # the checks: a case, a tolerance, a hint
    "checks/student_side/gradient_descent.py",      # its property check and hint predicates
    "checks/student_side/randomness.py",            # imported by those, relatively
    "autograder/student_side/hintdata.py",          # the hints' verdicts
    "reference_impl/gradient_descent.py",           # the reference
    "autograder/tensors.py",                        # an engine helper the reference imports
    "autograder/student_side/compare.py", "autograder/runner.py", "autograder/hints.py", "autograder/spec.py",
    "autograder/student_side/wire.py", "autograder/student_side/worker.py", "autograder/sandbox/session.py",
])
def test_what_decides_a_grade_changes_the_fingerprint(project, relative):
    assert changed(project, relative, "gradient_descent")


def test_a_driver_changes_its_assignments_fingerprint_only(project):
    drivers = {c.driver for c in course.get("backprop").checks} - {None}
    assert drivers, "backprop grades through a driver"
    relative = f"checks/student_side/{drivers.pop()}.py"
    before = fingerprint.fingerprint("gradient_descent")
    assert changed(project, relative, "backprop")
    assert fingerprint.fingerprint("gradient_descent") == before


@pytest.mark.parametrize("relative", ["autograder/render.py", "autograder/feedback_html.py",
                                      "checks/convolution.py", "reference_impl/convolution.py"])
def test_what_does_not_decide_a_grade_keeps_it(project, relative):
    assert not changed(project, relative, "gradient_descent")


# ---------------------------------------------------------------- grade batch

def batch(project: Path, subs: Path, out: Path, *extra) -> subprocess.CompletedProcess:
    """`grade batch` run from the (editable) copy of the grader."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([sys.executable, "-m", "autograder.cli", "batch", str(subs), "-a", "gradient_descent",
                           "-o", str(out), "-j", "1", *extra], capture_output=True, text=True, timeout=900,
                          env=env, cwd=project)


def graded_at(out: Path) -> dict:
    db = sqlite3.connect(out / "gradebook.sqlite")
    try:
        return dict(db.execute("SELECT student, graded_at FROM submissions"))
    finally:
        db.close()


@pytest.mark.slow
def test_batch_regrades_when_the_grader_changes_and_on_request(project, tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    shutil.copy(EXAMPLES / "alice_gradient_descent.ipynb", subs / "ann.ipynb")
    shutil.copy(EXAMPLES / "bob_gradient_descent.ipynb", subs / "ben.ipynb")

    def run(*extra, code=0):
        done = batch(project, subs, out, *extra)
        assert done.returncode == code, done.stdout + done.stderr
        return done.stdout

    assert "2 graded, 0 unchanged" in run()
    first = graded_at(out)
    data = json.loads((out / "ann" / "results.json").read_text())
    extra = data["extra_data"]
    fingerprint._of.cache_clear()
    assert extra["fingerprint"] == fingerprint.fingerprint("gradient_descent")
    assert extra["seed"] and extra["versions"]["autograder"] and extra["versions"]["numpy"]

    assert "0 graded, 2 unchanged" in run()           # an unchanged grader skips
    assert graded_at(out) == first

    with open(project / "checks" / "gradient_descent.py", "a") as f:
        f.write("\n# a tolerance fixed mid-semester\n")
    assert "2 graded, 0 unchanged" in run()           # a fixed grader regrades everyone
    second = graded_at(out)
    assert all(second[s] > first[s] for s in first)

    assert "1 submissions: 1 graded" in run("--only", "ben")
    third = graded_at(out)
    assert third["ben"] > second["ben"] and third["ann"] == second["ann"]
    assert "ann" in (out / "grades.csv").read_text()  # the exports still cover the class

    assert "2 graded, 0 unchanged" in run("--force")

    done = batch(project, subs, out, "--only", "nobody")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "nobody" in done.stderr


def test_an_old_gradebook_gets_the_fingerprint_column(tmp_path):
    from autograder.gradebook import SCHEMA, Gradebook

    old_schema = SCHEMA.replace("    fingerprint    TEXT NOT NULL DEFAULT '',  "
                                "-- of the grader's deciding files (fingerprint.py)\n", "")
    assert old_schema != SCHEMA
    db = sqlite3.connect(tmp_path / "gradebook.sqlite")
    db.executescript(old_schema)
    db.execute("INSERT INTO submissions VALUES ('gradient_descent','ann','ab',1,'0.1.0',1,1,'graded',0,0,'','',"
               "'{}')")
    db.commit()
    db.close()
    with Gradebook(tmp_path / "gradebook.sqlite") as book:   # graded before fingerprints: stale
        assert book.current("gradient_descent", "ann", "ab", 1, "0.1.0", "f" * 64) is None
