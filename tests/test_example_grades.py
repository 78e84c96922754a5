"""The bundled course grades the example submissions exactly as before the
course-folder refactor (issue 11): same scores, same tests, same feedback.
tests/example_grades.json was recorded with `grade run` at the commit before it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECORDED = json.loads((ROOT / "tests" / "example_grades.json").read_text())


# Fields issue 11 added to extra_data so that the pages read fields instead of
# parsing `output` back; everything recorded before stays identical.
ADDED = {"feedback"}


def _comparable(results: dict) -> dict:
    """What a student sees, without what may differ between runs or versions of
    the grader (timings, the fingerprint of the grader's files)."""
    tests = []
    for test in results["tests"]:
        test = dict(test)
        test["extra_data"] = {k: v for k, v in test["extra_data"].items() if k != "seconds" and k not in ADDED}
        tests.append(test)
    return {"score": results["score"], "max_score": results["max_score"], "output": results["output"],
            "seed": results["extra_data"]["seed"], "tests": tests}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(RECORDED))
def test_example_grades_are_unchanged(name, tmp_path):
    out = tmp_path / "results.json"
    env = {**os.environ, "DLPHYS_GRADER_SECRET": "test-course-secret", "PYTHONPATH": str(ROOT)}
    env.pop("DLPHYS_COURSE", None)
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "run",
                           str(ROOT / "examples" / "submissions" / f"{name}.ipynb"),
                           "-o", str(out), "-q", "--student", name],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _comparable(json.loads(out.read_text())) == RECORDED[name]
    for test in json.loads(out.read_text())["tests"]:
        assert test["extra_data"]["feedback"] == _feedback_parsed_back(test)


def _feedback_parsed_back(test: dict) -> str:
    """How feedback_html found a test's feedback before issue 11: its output
    without the hidden note and the hint lines that results.py appended."""
    text, note = test["output"], "(hidden test: its inputs are not shown)"
    if text.endswith(note):
        text = text[: -len(note)].rstrip("\n")
    suffix = "\n".join(f"Hint: {h}" for h in test["extra_data"]["hints"])
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)].rstrip("\n")
    return text
