"""Shared fixtures: notebooks' code cells and a one-call grading helper."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# nbgrader's gradebook runs alembic, and tests drive the `grade` script: the venv's bin first.
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Tests must not touch the instructor's real secret.
os.environ.setdefault("DLPHYS_GRADER_SECRET", "test-course-secret")


def code_cells(path: Path) -> list[str]:
    from autograder.submission import load

    return load(path).cells


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def solution_cells():
    return lambda assignment: code_cells(ROOT / "solutions" / f"{assignment}.ipynb")


@pytest.fixture(scope="session")
def exercise_cells():
    return lambda assignment: code_cells(ROOT / "exercises" / f"{assignment}.ipynb")


@pytest.fixture(scope="session")
def grade_cells():
    """grade_cells(assignment_id, cells, student="s") -> GradeReport."""
    from autograder import course
    from autograder.runner import grade

    def run(assignment_id, cells, student="student", seed=1234, assignment=None):
        return grade(assignment or course.get(assignment_id), cells, student, seed)
    return run


def load_json(path) -> dict:
    return json.loads(Path(path).read_text())
