"""Course folders: --course DIR / $DLPHYS_COURSE on every command, course.toml, grade new."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course

ROOT = Path(__file__).resolve().parents[1]


def grade(*args, env_course=None, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DLPHYS_COURSE", None)
    if env_course is not None:
        env["DLPHYS_COURSE"] = str(env_course)
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True,
                          text=True, env=env, cwd=cwd or ROOT)


@pytest.fixture(scope="module")
def outside(tmp_path_factory):
    root = tmp_path_factory.mktemp("courses") / "mycourse"
    done = grade("new", "first_steps", "--course", str(root))
    assert done.returncode == 0, done.stderr
    return root


def test_the_bundled_course_is_this_repository_in_its_order():
    bundled = course.load(course.bundled_root())
    assert bundled.root == ROOT and bundled.ids[:2] == ("gradient_descent", "activations")
    assert "randomness" not in " ".join(bundled.ids)   # checks/_randomness.py is a helper


@pytest.mark.parametrize("how", ["option", "environment"])
def test_every_command_takes_the_course(outside, how):
    args, env_course = (["--course", str(outside)], None) if how == "option" else ([], outside)
    listed = grade("list", *args, env_course=env_course)
    assert listed.returncode == 0 and "first_steps" in listed.stdout and "convolution" not in listed.stdout
    for command in ("run", "batch", "report", "export", "gradescope", "list", "release", "validate"):
        done = grade(command, "--help")
        assert "--course" in done.stdout, command


def test_a_folder_that_is_no_course_is_one_line_and_exit_2(tmp_path):
    done = grade("list", "--course", str(tmp_path))
    assert done.returncode == 2 and "no checks/ folder" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    done = grade("list", env_course=tmp_path / "missing")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_course_toml_orders_and_titles(tmp_path):
    (tmp_path / "checks").mkdir()
    for name in ("b", "a", "c", "_shared"):
        (tmp_path / "checks" / f"{name}.py").write_text("")
    assert course.load(tmp_path).ids == ("a", "b", "c")
    (tmp_path / "course.toml").write_text('title = "T"\nassignments = ["c", "a", "gone"]\n')
    loaded = course.load(tmp_path)
    assert loaded.ids == ("c", "a", "b") and loaded.title == "T"
    (tmp_path / "course.toml").write_text("assignments = 3\n")
    with pytest.raises(course.CourseError):
        course.load(tmp_path)


def test_grade_new_refuses_a_bad_id_or_an_existing_assignment(outside):
    assert grade("new", "Bad-Id", "--course", str(outside)).returncode == 2
    done = grade("new", "first_steps", "--course", str(outside))
    assert done.returncode == 2 and "exists already" in done.stderr


@pytest.mark.slow
def test_grade_new_then_release_then_validate_passes(outside):
    assert grade("release", "--course", str(outside)).returncode == 0
    done = grade("validate", "--course", str(outside))
    assert done.returncode == 0 and "all 1 assignments valid" in done.stdout, done.stdout + done.stderr


def test_the_gradescope_bundle_carries_the_courses_files(outside, tmp_path):
    import zipfile

    secret = tmp_path / "secret"
    secret.write_text("bundle secret")
    done = grade("gradescope", "--course", str(outside), "-a", "first_steps", "-o", str(tmp_path / "ag.zip"),
                 "--secret-file", str(secret))
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "ag.zip") as z:
        wheel_name = next(n for n in z.namelist() if n.endswith(".whl"))
        with zipfile.ZipFile(z.open(wheel_name)) as wheel:
            packaged = set(wheel.namelist())
    assert {"checks/first_steps.py", "reference_impl/first_steps.py", "autograder/student_side/worker.py"} <= packaged
    assert "checks/convolution.py" not in packaged and "reference_impl/convolution.py" not in packaged
