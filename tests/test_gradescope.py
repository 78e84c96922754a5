"""The Gradescope bundle: its contents, and run_autograder in a temporary
folder standing in for /autograder (setup.sh is read, never run: it apt-gets)."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import course, seeds
from autograder.gradescope import SECRET_NAME, build_bundle

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EXAMPLES = ROOT / "examples" / "submissions"
SECRET = b"test-course-secret"
ASSIGNMENT = "gradient_descent"
EMAIL = "alice@uni.example"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """Built by the command an instructor runs (`grade gradescope`)."""
    tmp = tmp_path_factory.mktemp("bundle")
    (tmp / "secret").write_bytes(SECRET + b"\n")
    done = subprocess.run([str(BIN / "grade"), "gradescope", "--assignment", ASSIGNMENT, "-o", "out/ag.zip",
                           "--secret-file", "secret"], cwd=tmp, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "wrote out/ag.zip" in done.stdout, done.stdout + done.stderr
    return tmp / "out" / "ag.zip"


def test_build_bundle_refuses_an_empty_secret(tmp_path):
    with pytest.raises(ValueError, match="secret"):
        build_bundle(course.get(ASSIGNMENT), tmp_path / "ag.zip", b"")
    assert not (tmp_path / "ag.zip").exists()


@pytest.fixture
def autograder_root(bundle, tmp_path) -> Path:
    """Gradescope's layout: the zip in source/, run_autograder copied to the top."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return root


def metadata(root: Path, email: str = EMAIL) -> None:
    (root / "submission_metadata.json").write_text(json.dumps(
        {"id": 123456, "users": [{"email": email, "id": 7777, "name": "Alice"}],
         "assignment": {"title": "Gradient descent"}}))


def run_autograder(root: Path, path_first: Path = BIN, **env) -> tuple[subprocess.CompletedProcess, dict]:
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root),
                   "DLPHYS_GRADER_HOME": str(root / "no-such-install"),
                   "PATH": f"{path_first}{os.pathsep}/usr/bin:/bin", **env}
    done = subprocess.run(["bash", str(root / "run_autograder")], env=environment, capture_output=True,
                          text=True, timeout=300, cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    return done, json.loads((root / "results" / "results.json").read_text())


def assert_gradescope_json(data: dict) -> None:
    assert isinstance(data["score"], (int, float)) and isinstance(data["max_score"], (int, float))
    assert isinstance(data["output"], str) and data["output"]
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility", "tags"} <= set(test)
        assert test["status"] in ("passed", "failed") and test["tags"][0] == ASSIGNMENT


def assert_fail_closed(data: dict, phrase: str) -> None:
    assert_gradescope_json(data)
    assert data["score"] == 0 and data["max_score"] == 100 and data["tests"] == []
    assert phrase in data["output"], data["output"]


# ------------------------------------------------------------------ the zip

def test_bundle_holds_scripts_secret_and_wheel(bundle):
    with zipfile.ZipFile(bundle) as z:
        names = set(z.namelist())
        modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in z.infolist()}
        wheels = [n for n in names if n.startswith("dist/") and n.endswith(".whl")]
        assert {"setup.sh", "run_autograder", SECRET_NAME} <= names and len(wheels) == 1
        assert modes["setup.sh"] == modes["run_autograder"] == 0o755 and modes[SECRET_NAME] == 0o600
        assert z.read(SECRET_NAME).strip() == SECRET
        setup = z.read("setup.sh").decode()
        run = z.read("run_autograder").decode()
        with zipfile.ZipFile(z.open(wheels[0])) as wheel:
            packaged = set(wheel.namelist())
    # The wheel carries what the grader and the sandbox need.
    for needed in ("autograder/cli.py", "autograder/student_side/worker.py", "autograder/student_side/wire.py",
                   "checks/student_side/__init__.py", "autograder/student_side/stubs/autograder/selfcheck.py",
                   "autograder/student_side/stubs/dlphys_selfcheck/__init__.py",
                   f"checks/{ASSIGNMENT}.py", f"reference_impl/{ASSIGNMENT}.py"):
        assert needed in packaged
    assert not any(n.startswith(("solutions/", "tests/", "exercises/")) for n in packaged)
    # setup.sh: apt (python venv, pip, bubblewrap), the dependencies, the project from the bundled wheel.
    assert "apt-get install" in setup
    for package in ("python3-venv", "python3-pip", "bubblewrap"):
        assert package in setup
    wheel_name = Path(wheels[0]).name
    assert f'WHEEL="$HERE/dist/{wheel_name}"' in setup
    assert 'pip install "$WHEEL"' in setup and '--target "$GRADER_HOME/lib" "$WHEEL"' in setup
    assert f'chmod 600 "$HERE/{SECRET_NAME}"' in setup
    assert f'ASSIGNMENT="{ASSIGNMENT}"' in run and "@" + "ASSIGNMENT@" not in run
    for script in (setup, run):
        assert script.startswith("#!/usr/bin/env bash\n")
        check = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
        assert check.returncode == 0, check.stderr


def test_the_wheel_installs_and_runs(bundle, tmp_path):
    """setup.sh's layout (venv + the project in GRADER_HOME/lib), with this
    venv standing in for the one setup.sh makes: the installed copy runs."""
    home = tmp_path / "grader"
    home.mkdir()
    (home / "venv").symlink_to(Path(sys.prefix))
    with zipfile.ZipFile(bundle) as z:
        z.extractall(tmp_path / "autograder" / "source")
    wheel = next((tmp_path / "autograder" / "source" / "dist").glob("*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                    "--target", str(home / "lib"), str(wheel)], check=True, timeout=300)
    root = tmp_path / "autograder"
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "submission" / f"{ASSIGNMENT}.ipynb").write_text("{ this is not JSON")
    metadata(root)
    done, data = run_autograder(root, path_first=tmp_path / "nowhere", DLPHYS_GRADER_HOME=str(home))
    # The grader ran (it read the notebook and refused it), from the installed copy.
    assert f"with {home}/venv/bin/python -m autograder.cli" in done.stdout
    assert_fail_closed(data, "not a valid notebook")
    assert data["extra_data"]["student"] == EMAIL
    probe = subprocess.run([str(home / "venv" / "bin" / "python"), "-c", "import autograder; print(autograder.__file__)"],
                           env={**os.environ, "PYTHONPATH": str(home / "lib")}, capture_output=True, text=True,
                           cwd=tmp_path)
    assert probe.stdout.strip().startswith(str(home / "lib"))


# ------------------------------------------------------------------ grading

@pytest.mark.slow
def test_correct_submission_scores_full_marks(autograder_root):
    shutil.copy(EXAMPLES / "alice_gradient_descent.ipynb", autograder_root / "submission")
    metadata(autograder_root)
    done, data = run_autograder(autograder_root)
    assert_gradescope_json(data)
    assert data["score"] == 100 and data["max_score"] == 100, data["output"]
    assert len(data["tests"]) > 5 and all(t["status"] == "passed" for t in data["tests"])
    # Seeded with the bundled secret and the student from the metadata: as `grade batch` would.
    assert data["extra_data"]["student"] == EMAIL
    assert data["extra_data"]["seed"] == seeds.student_seed(SECRET, ASSIGNMENT, EMAIL)


def test_empty_submission_scores_zero_with_a_message(autograder_root):
    metadata(autograder_root)
    (autograder_root / "submission" / "notes.txt").write_text("forgot the notebook")
    done, data = run_autograder(autograder_root)
    assert_fail_closed(data, "No notebook (.ipynb) or Python (.py) file was found")
    assert f"{ASSIGNMENT}.ipynb" in data["output"]


def test_missing_submission_folder_and_metadata(autograder_root):
    shutil.rmtree(autograder_root / "submission")
    done, data = run_autograder(autograder_root)
    assert_fail_closed(data, "No notebook")


def test_no_grader_installed_fails_closed(autograder_root, tmp_path):
    shutil.copy(EXAMPLES / "alice_gradient_descent.ipynb", autograder_root / "submission")
    done, data = run_autograder(autograder_root, path_first=tmp_path / "nowhere")
    assert_fail_closed(data, "not installed correctly")


# A stand-in `grade` for what the real one can't be made to do on demand:
# crash, hang, write garbage. It also records the command line it got.
FAKE_GRADE = """#!{python}
import json, os, sys, time
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "w") as f:
    json.dump(args, f)
out = args[args.index("-o") + 1]
mode = os.environ["FAKE_MODE"]
if mode == "ok":
    json.dump({{"score": 42.0, "max_score": 100.0, "output": "fine", "tests": []}}, open(out, "w"))
elif mode == "garbage":
    open(out, "w").write("{{ half a file")
elif mode == "crash":
    raise RuntimeError("the grader fell over")
elif mode == "hang":
    time.sleep(60)
"""


@pytest.fixture
def fake_grade(tmp_path):
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    script = bindir / "grade"
    script.write_text(FAKE_GRADE.format(python=sys.executable))
    script.chmod(0o755)
    (bindir / "python").symlink_to(sys.executable)
    log = tmp_path / "fake_args.json"

    def run(root, mode, **env):
        done, data = run_autograder(root, path_first=bindir, FAKE_MODE=mode, FAKE_LOG=str(log), **env)
        args = json.loads(log.read_text()) if log.exists() else None
        return done, data, args
    return run


def test_picks_the_assignment_notebook_and_passes_student_and_secret(autograder_root, fake_grade):
    sub = autograder_root / "submission"
    (sub / "deep" / "er").mkdir(parents=True)
    (sub / "helpers.py").write_text("x = 1\n")
    (sub / "scratch.ipynb").write_text("{}")
    (sub / "deep" / f"my_{ASSIGNMENT}.ipynb").write_text("{}")
    (sub / "deep" / "er" / f"{ASSIGNMENT}.ipynb").write_text("{}")
    (sub / ".ipynb_checkpoints").mkdir()
    (sub / ".ipynb_checkpoints" / f"{ASSIGNMENT}.ipynb").write_text("{}")
    metadata(autograder_root)
    done, data, args = fake_grade(autograder_root, "ok")
    assert data["score"] == 42.0
    assert args[0] == "run" and args[1] == str(sub / "deep" / "er" / f"{ASSIGNMENT}.ipynb")
    assert args[args.index("--assignment") + 1] == ASSIGNMENT
    assert args[args.index("--student") + 1] == EMAIL
    assert args[args.index("--secret-file") + 1] == str(autograder_root / "source" / SECRET_NAME)
    assert args[args.index("-o") + 1] == str(autograder_root / "results" / "results.json")


def test_student_id_falls_back_to_the_gradescope_user_id(autograder_root, fake_grade):
    (autograder_root / "submission" / "work.py").write_text("x = 1\n")
    metadata(autograder_root, email="")
    done, data, args = fake_grade(autograder_root, "ok")
    assert args[1].endswith("work.py") and args[args.index("--student") + 1] == "7777"


def test_without_metadata_the_file_name_is_the_student(autograder_root, fake_grade):
    (autograder_root / "submission" / "work.py").write_text("x = 1\n")
    done, data, args = fake_grade(autograder_root, "ok")
    assert "--student" not in args


@pytest.mark.parametrize("mode, phrase", [("crash", "failed while grading"),
                                          ("garbage", "failed while grading"),
                                          ("hang", "took longer than 2 s")])
def test_grader_failures_fail_closed(autograder_root, fake_grade, mode, phrase):
    shutil.copy(EXAMPLES / "alice_gradient_descent.ipynb", autograder_root / "submission")
    metadata(autograder_root)
    (autograder_root / "results").mkdir()
    (autograder_root / "results" / "results.json").write_text('{"score": 100, "tests": []}')  # stale
    done, data, args = fake_grade(autograder_root, mode, DLPHYS_GRADE_TIMEOUT="2")
    assert_fail_closed(data, phrase)
    assert data["extra_data"]["student"] == EMAIL


def test_links_in_the_upload_are_never_graded(autograder_root, fake_grade):
    """An upload can carry links: `convolution.py -> ../source/grader_secret`, or
    a folder linking to the bundle. Only the real file is passed to the grader."""
    sub = autograder_root / "submission"
    (sub / f"{ASSIGNMENT}.ipynb").symlink_to(autograder_root / "source" / SECRET_NAME)
    (sub / "source").symlink_to(autograder_root / "source")
    (sub / "mine.py").write_text("x = 1\n")
    metadata(autograder_root)
    done, data, args = fake_grade(autograder_root, "ok")
    assert args[1] == str(sub / "mine.py")
    (sub / "mine.py").unlink()
    done, data, args = fake_grade(autograder_root, "ok")
    assert_fail_closed(data, "No notebook")
