"""examples/ci/github-classroom.yml: the workflow is well formed, installs the
student kit (never the grader), and its own self-check line, run here with the
kit `grade kit` builds, passes a good submission and fails a weak one."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "ci" / "github-classroom.yml"
EXAMPLES = ROOT / "examples" / "submissions"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def workflow() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(WORKFLOW.read_text())


def steps(workflow: dict) -> list[dict]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def step(workflow: dict, needle: str) -> dict:
    """The one step whose `uses` or `run` contains `needle`."""
    found = [s for s in steps(workflow) if needle in s.get("uses", "") + s.get("run", "")]
    assert len(found) == 1, f"{len(found)} steps mention {needle!r}"
    return found[0]


def test_workflow_checks_out_installs_the_kit_checks_and_uploads(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "push" in triggers
    assert set(workflow["env"]) >= {"ASSIGNMENT", "NOTEBOOK", "FAIL_UNDER", "SELFCHECK_KIT"}
    assert workflow["env"]["ASSIGNMENT"] == Path(workflow["env"]["NOTEBOOK"]).stem
    assert workflow["env"]["SELFCHECK_KIT"].endswith("dlphys_selfcheck-1.0.0-py3-none-any.whl")
    order = [s.get("uses", s.get("run", "")) for s in steps(workflow)]
    checkout = step(workflow, "actions/checkout")
    python = step(workflow, "actions/setup-python")
    install = step(workflow, '"$SELFCHECK_KIT"')
    check = step(workflow, "python -m dlphys_selfcheck")
    summary = step(workflow, "GITHUB_STEP_SUMMARY")
    upload = step(workflow, "actions/upload-artifact")
    positions = [steps(workflow).index(s) for s in (checkout, python, install, check, summary, upload)]
    assert positions == sorted(positions), order
    assert "pip install" in install["run"]
    assert "--fail-under" in check["run"] and "pipefail" in check["run"]
    assert upload["with"]["path"] == "selfcheck.txt" and upload["if"] == "always()"
    text = WORKFLOW.read_text()
    # Student repositories get the kit only: no grader, no sandbox, no course secret.
    assert "grade run" not in text and "dlphys-autograder" not in text and "bubblewrap" not in text
    assert "secrets." not in text


@pytest.fixture(scope="module")
def kit_site(tmp_path_factory) -> Path:
    """The kit `grade kit` builds, installed into a folder of its own."""
    out = tmp_path_factory.mktemp("kit")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([str(BIN / "grade"), "kit", "-o", str(out), "-a", "gradient_descent"],
                   check=True, env=env, capture_output=True, timeout=600)
    (wheel,) = out.glob("*.whl")
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(site), str(wheel)], check=True)
    return site


def run_step(workflow: dict, needle: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    """Run a step's `run:` script as GitHub would (bash -e), with the workflow's env."""
    environment = {**os.environ, **{k: str(v) for k, v in workflow["env"].items()},
                   "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **env}
    return subprocess.run(["bash", "-e", "-c", step(workflow, needle)["run"]], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("student, exit_code", [("bob", 1), ("alice", 0)])
def test_the_check_step_passes_and_fails_like_ci(workflow, kit_site, tmp_path, student, exit_code):
    notebook = EXAMPLES / f"{student}_gradient_descent.ipynb"
    # the kit alone on the path, as in the student's CI (no grader there)
    done = run_step(workflow, "python -m dlphys_selfcheck", tmp_path, NOTEBOOK=str(notebook),
                    FAIL_UNDER="99", PYTHONPATH=str(kit_site))
    assert done.returncode == exit_code, done.stdout + done.stderr
    table = (tmp_path / "selfcheck.txt").read_text()
    assert table.startswith("Self-check · gradient_descent · all functions")
    assert ("below --fail-under 99 %" in table) == bool(exit_code)
    summary = tmp_path / "summary.md"
    shown = run_step(workflow, "GITHUB_STEP_SUMMARY", tmp_path, GITHUB_STEP_SUMMARY=str(summary))
    assert shown.returncode == 0, shown.stderr
    assert "### Self-check: gradient_descent (public tests only)" in summary.read_text()
    assert "public tests passed:" in summary.read_text()


def test_summary_step_without_results(workflow, tmp_path):
    summary = tmp_path / "summary.md"
    shown = run_step(workflow, "GITHUB_STEP_SUMMARY", tmp_path, GITHUB_STEP_SUMMARY=str(summary))
    assert shown.returncode == 0 and "No self-check output" in summary.read_text()
