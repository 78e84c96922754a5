"""The notebooks work with plain nbgrader: generate_assignment, autograde, gradebook.

A throwaway nbgrader course: the solution notebook is the source, nbgrader
releases the student version, and two students submit: alice the solution,
bob the untouched student notebook. The student kit is installed next to the
grader, and nbgrader_config.py turns the hidden cases on (as the README tells
instructors): `nbgrader autograde` runs the test cells (the kit's
nbgrader_check, handing over to autograder.selfcheck.nbgrader_check), so every
case, hidden ones included, decides the points.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ASSIGNMENTS = ["gradient_descent", "convolution"]


@pytest.fixture(scope="module")
def kit_site(tmp_path_factory) -> Path:
    """The student kit, installed where nbgrader's kernels find it (next to the grader)."""
    out = tmp_path_factory.mktemp("kit")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([str(BIN / "grade"), "kit", "-o", str(out), *sum((["-a", a] for a in ASSIGNMENTS), [])],
                   check=True, env=env, capture_output=True, timeout=600)
    (wheel,) = out.glob("*.whl")
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(site), str(wheel)], check=True)
    return site


def nbgrader(course: Path, *args: str, site: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"   # the gradebook runs alembic
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    env["DLPHYS_GRADER_SECRET"] = "nbgrader-course-secret"    # nbgrader's own secret
    env.pop("DLPHYS_GRADING", None)
    env.pop("DLPHYS_NBGRADER_HIDDEN", None)                   # only nbgrader_config.py turns it on
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_autograde_gives_the_solution_full_points_and_the_exercise_none(assignment, tmp_path,
                                                                                 kit_site):
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    (course / "source" / assignment).mkdir(parents=True)
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    (course / "nbgrader_config.py").write_text(
        "import os\n"
        "os.environ['DLPHYS_NBGRADER_HIDDEN'] = '1'  # the test cells run the hidden cases\n"
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'dlphys'\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
        # the first test cell imports TensorFlow in the kernel: more than nbgrader's
        # default 30 s per cell on a busy machine
        "c.Execute.timeout = 300\n")
    notebook = f"{assignment}.ipynb"
    shutil.copy(ROOT / "solutions" / notebook, course / "source" / assignment / notebook)
    nbgrader(course, "generate_assignment", assignment, site=kit_site)
    released = course / "release" / assignment / notebook
    assert released.exists()

    for student, submission in (("alice", ROOT / "solutions" / notebook), ("bob", released)):
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        shutil.copy(submission, folder / notebook)
    nbgrader(course, "autograde", assignment, site=kit_site)

    with Gradebook(db_url, "dlphys") as gb:
        scores = {s: (gb.find_submission(assignment, s).score, gb.find_submission(assignment, s).max_score)
                  for s in ("alice", "bob")}
        cells = {g.name: (g.auto_score, g.max_score)
                 for g in gb.find_submission_notebook(assignment, assignment, "alice").grades}
    assert scores == {"alice": (100.0, 100.0), "bob": (0.0, 100.0)}
    from autograder import course as bundled

    points = {f"test_{c.function}": float(c.points) for c in bundled.get(assignment).checks}
    assert cells == {name: (p, p) for name, p in points.items()}

    # alice's hidden cases were seeded for alice (nbgrader's folder names the student)
    autograded = (course / "autograded" / "alice" / assignment / notebook).read_text()
    assert "hidden; student alice)" in autograded
