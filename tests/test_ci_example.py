"""examples/ci/github-classroom.yml: the workflow is well formed, and its own
`grade run` line, run here, passes a good submission and fails a weak one."""
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


def test_workflow_checks_out_installs_grades_and_uploads(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "push" in triggers
    assert set(workflow["env"]) >= {"ASSIGNMENT", "NOTEBOOK", "FAIL_UNDER", "GRADER_PACKAGE"}
    assert workflow["env"]["ASSIGNMENT"] == Path(workflow["env"]["NOTEBOOK"]).stem
    order = [s.get("uses", s.get("run", "")) for s in steps(workflow)]
    checkout = step(workflow, "actions/checkout")
    python = step(workflow, "actions/setup-python")
    bwrap = step(workflow, "bubblewrap")
    install = step(workflow, '"$GRADER_PACKAGE"')
    grade = step(workflow, "grade run")
    upload = step(workflow, "actions/upload-artifact")
    positions = [steps(workflow).index(s) for s in (checkout, python, bwrap, install, grade, upload)]
    assert positions == sorted(positions), order
    assert "apt-get install" in bwrap["run"]
    assert "pip install" in install["run"]
    assert "--fail-under" in grade["run"] and "-o results.json" in grade["run"]
    assert upload["with"]["path"] == "results.json" and upload["if"] == "always()"
    # The course secret stays out of student repositories.
    assert "secrets." not in WORKFLOW.read_text()


def run_step(workflow: dict, needle: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    """Run a step's `run:` script as GitHub would (bash -e), with the workflow's env."""
    environment = {**os.environ, **{k: str(v) for k, v in workflow["env"].items()},
                   "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **env}
    return subprocess.run(["bash", "-e", "-c", step(workflow, needle)["run"]], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("student, exit_code", [("bob", 1), ("alice", 0)])
def test_the_grade_step_passes_and_fails_like_ci(workflow, tmp_path, student, exit_code):
    notebook = EXAMPLES / f"{student}_gradient_descent.ipynb"
    done = run_step(workflow, "grade run", tmp_path, NOTEBOOK=str(notebook), FAIL_UNDER="99")
    assert done.returncode == exit_code, done.stdout + done.stderr
    data = json.loads((tmp_path / "results.json").read_text())
    assert (data["score"] >= 99) == (exit_code == 0)
    if exit_code:
        assert "below --fail-under 99" in done.stdout
    # The summary step reads the same file.
    summary = tmp_path / "summary.md"
    shown = run_step(workflow, "GITHUB_STEP_SUMMARY", tmp_path, GITHUB_STEP_SUMMARY=str(summary))
    assert shown.returncode == 0, shown.stderr
    assert f"### gradient_descent: {data['score']:.2f} / 100" in summary.read_text()


def test_summary_step_without_results(workflow, tmp_path):
    summary = tmp_path / "summary.md"
    shown = run_step(workflow, "GITHUB_STEP_SUMMARY", tmp_path, GITHUB_STEP_SUMMARY=str(summary))
    assert shown.returncode == 0 and "No results.json" in summary.read_text()
