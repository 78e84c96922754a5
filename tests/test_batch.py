"""`grade batch`: layouts, gradebook, resume after SIGKILL, exports, Dask."""
import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

ROOT = Path(__file__).resolve().parents[1]
GRADE = str(Path(sys.executable).with_name("grade"))
EXAMPLES = ROOT / "examples" / "submissions"


def make_class(folder: Path, n_correct=2, n_buggy=2, unreadable=True, nbgrader=False) -> dict:
    """Students -> expected kind. Copies of the bundled gradient_descent examples."""
    folder.mkdir(parents=True, exist_ok=True)
    students = {}
    for i in range(n_correct + n_buggy):
        kind = "alice" if i < n_correct else "bob"
        name = f"s{i:02d}"
        target = folder / name / "gradient_descent" / "gradient_descent.ipynb" if nbgrader \
            else folder / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(EXAMPLES / f"{kind}_gradient_descent.ipynb", target)
        students[name] = kind
    if unreadable:
        (folder / "zz_broken.ipynb").write_text("{not a notebook")
        students["zz_broken"] = "broken"
    return students


def batch(src, out, *extra, **kw):
    return subprocess.run([GRADE, "batch", str(src), "-a", "gradient_descent", "-o", str(out), *extra],
                          capture_output=True, text=True, timeout=900, **kw)


def graded(out: Path) -> dict:
    db = sqlite3.connect(out / "gradebook.sqlite")
    try:
        rows = db.execute("SELECT student, score, status FROM submissions").fetchall()
    except sqlite3.OperationalError:  # polled while `grade batch` is still creating the schema
        rows = []
    finally:
        db.close()
    return {s: (score, status) for s, score, status in rows}


@pytest.mark.slow
def test_batch_grades_a_class_and_writes_every_export(tmp_path):
    students = make_class(tmp_path / "subs")
    out = tmp_path / "out"
    done = batch(tmp_path / "subs", out, "--jobs", "2")
    assert done.returncode == 0, done.stderr
    rows = graded(out)
    assert set(rows) == set(students)
    for student, kind in students.items():
        score, status = rows[student]
        assert (score == 100) == (kind == "alice")
        assert status == ("unreadable" if kind == "broken" else "graded")
        data = json.loads((out / student / "results.json").read_text())
        assert data["score"] == score and data["extra_data"]["student"] == student
    table = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["student"] for r in table] == sorted(students)
    assert {"linear_model", "mse_loss", "minibatch_indices", "total"} <= set(table[0])
    bob = next(r for r in table if students[r["student"]] == "bob")
    assert float(bob["mse_loss"]) == 0 and float(bob["linear_model"]) == 10
    suites = ET.parse(out / "junit.xml").getroot()
    assert len(suites.findall("testsuite")) == len(students)
    assert suites.find(".//failure") is not None


@pytest.mark.slow
def test_rerun_skips_unchanged_and_regrades_changed(tmp_path):
    make_class(tmp_path / "subs", n_correct=1, n_buggy=1, unreadable=False)
    out = tmp_path / "out"
    assert batch(tmp_path / "subs", out).returncode == 0
    first = graded(out)
    again = batch(tmp_path / "subs", out)
    assert "0 graded, 2 unchanged" in again.stdout
    shutil.copy(EXAMPLES / "alice_gradient_descent.ipynb", tmp_path / "subs" / "s01.ipynb")
    third = batch(tmp_path / "subs", out)
    assert "1 graded, 1 unchanged" in third.stdout
    assert first["s01"][0] < 100 and graded(out)["s01"][0] == 100


@pytest.mark.slow
def test_nbgrader_layout_is_discovered(tmp_path):
    students = make_class(tmp_path / "submitted", n_correct=1, n_buggy=1, unreadable=False, nbgrader=True)
    out = tmp_path / "out"
    assert batch(tmp_path / "submitted", out).returncode == 0
    assert set(graded(out)) == set(students)


@pytest.mark.slow
def test_sigkill_at_any_moment_then_rerun_grades_everyone_exactly_once(tmp_path):
    students = make_class(tmp_path / "subs", n_correct=3, n_buggy=3, unreadable=False)
    out = tmp_path / "out"
    reference = batch(tmp_path / "subs", tmp_path / "clean")
    assert reference.returncode == 0
    expected = graded(tmp_path / "clean")
    proc = subprocess.Popen([GRADE, "batch", str(tmp_path / "subs"), "-a", "gradient_descent",
                             "-o", str(out), "--jobs", "2"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:   # kill once some, but not all, are recorded
        if (out / "gradebook.sqlite").exists() and 1 <= len(graded(out)) < len(students):
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = graded(out)
    assert len(partial) < len(students)
    done = batch(tmp_path / "subs", out)
    assert done.returncode == 0, done.stderr
    assert f"{len(partial)} unchanged" in done.stdout
    final = graded(out)
    assert final == expected
    db = sqlite3.connect(out / "gradebook.sqlite")
    per_student = db.execute("SELECT student, COUNT(*) FROM tests GROUP BY student").fetchall()
    assert len({n for _, n in per_student}) == 1   # every student has the full, single set of tests


@pytest.mark.slow
def test_dask_cluster_gives_the_same_results_as_local(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    make_class(tmp_path / "subs", n_correct=1, n_buggy=2, unreadable=False)
    assert batch(tmp_path / "subs", tmp_path / "local").returncode == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        done = batch(tmp_path / "subs", tmp_path / "dask", "--scheduler", cluster.scheduler_address)
    assert done.returncode == 0, done.stderr
    local = {s: _verdicts(tmp_path / "local" / s) for s in graded(tmp_path / "local")}
    remote = {s: _verdicts(tmp_path / "dask" / s) for s in graded(tmp_path / "dask")}
    assert len(local) == 3 and local == remote


def _verdicts(folder: Path):
    data = json.loads((folder / "results.json").read_text())
    return data["score"], [(t["name"], t["status"], t["score"], t["output"]) for t in data["tests"]]


def test_bad_batch_input_is_one_line_exit_2(tmp_path):
    done = batch(tmp_path / "missing", tmp_path / "out")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
