"""docs/writing-an-assignment.md, followed word for word: a course folder
outside the repository, built from the guide's code blocks with the CLI
only, validates, and grades each buggy implementation with its own hint."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "writing-an-assignment.md"
# A fenced block whose info string names its file: ```python title="checks/x.py"
BLOCK = re.compile(r'^```\w+ title="([^"]+)"\n(.*?)^```$', re.S | re.M)
# What each buggy file must be told (a phrase of its hint), and no other hint.
HINT_OF = {"unbiased": "N - 1", "per_sample": "axis 1", "eps_outside": "after the square root",
           "no_affine": "gamma and beta are missing"}


def blocks() -> dict[str, str]:
    return {title: body for title, body in BLOCK.findall(GUIDE.read_text())}


def package_files() -> set[str]:
    return {str(p.relative_to(ROOT)) for p in (ROOT / "autograder").rglob("*")
            if "__pycache__" not in p.parts}


def grade(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DLPHYS_COURSE": str(course), "DLPHYS_GRADER_SECRET": "guide-secret",
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=course.parent,
                          env=env, capture_output=True, text=True)


def test_the_guide_names_every_file_it_needs():
    names = set(blocks())
    assert {"checks/batch_norm.py", "reference_impl/batch_norm.py"} <= names
    assert {f"buggy/{name}.py" for name in HINT_OF} <= names
    assert {f"solutions/batch_norm.ipynb: {cell}" for cell in
            ("task_batchnorm_forward", "batchnorm_forward", "test_batchnorm_forward")} <= names


@pytest.mark.slow
def test_following_the_guide_gives_a_working_assignment(tmp_path):
    before = package_files()
    course = tmp_path / "mycourse"
    done = grade(course, "new", "batch_norm")
    assert done.returncode == 0, done.stderr

    # Section 2: the notebook's cells, renamed and rewritten as in Jupyter.
    code = blocks()
    path = course / "solutions" / "batch_norm.ipynb"
    nb = nbformat.read(path, as_version=4)
    renamed = {"task_scale": "task_batchnorm_forward", "scale": "batchnorm_forward",
               "test_scale": "test_batchnorm_forward"}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") in renamed:
            meta["grade_id"] = renamed[meta["grade_id"]]
            cell.source = code[f"solutions/batch_norm.ipynb: {meta['grade_id']}"].rstrip("\n")
    nbformat.write(nb, path)
    # Sections 3-5: the reference, the checks and the buggy files.
    for title, body in code.items():
        if not title.startswith("solutions/"):
            (course / title).parent.mkdir(parents=True, exist_ok=True)
            (course / title).write_text(body)

    done = grade(course, "list", "batch_norm")
    assert done.returncode == 0 and "batchnorm_forward" in done.stdout, done.stderr
    done = grade(course, "release", "batch_norm")
    assert done.returncode == 0, done.stderr
    done = grade(course, "validate", "batch_norm")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all 1 assignments valid" in done.stdout

    for name, phrase in HINT_OF.items():
        out = tmp_path / f"{name}.json"
        done = grade(course, "run", str(course / "buggy" / f"{name}.py"), "--assignment", "batch_norm",
                     "-o", str(out), "-q")
        assert done.returncode == 0, done.stderr
        results = json.loads(out.read_text())
        assert results["score"] < 100
        told = {h for test in results["tests"] for h in test["extra_data"]["hints"]}
        assert len(told) == 1 and phrase in told.pop(), (name, told)

    assert package_files() == before
