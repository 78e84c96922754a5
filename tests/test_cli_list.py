"""`grade list ID`: each function's visible case labels and hint texts, as the README says."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course, fingerprint

GRADE = str(Path(sys.executable).with_name("grade"))


@pytest.mark.parametrize("assignment_id", course.ids())
def test_list_shows_visible_case_labels_and_hint_texts(assignment_id):
    done = subprocess.run([GRADE, "list", assignment_id], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "2000"})
    assert done.returncode == 0, done.stderr
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    spec = course.get(assignment_id)
    shown = set()
    for check in spec.checks:
        start = lines.index(f"{check.function}  {check.points:g} points")
        block = lines[start + 1:]
        block = block[:block.index("")] if "" in block else block
        shown |= set(block)
        for case in check.cases:
            if not case.hidden:
                assert f"  case: {case.label}" in block, (check.function, case.label)
        hidden = sum(case.hidden for case in check.cases)
        if hidden:
            assert f"  + {hidden} hidden case{'s' if hidden > 1 else ''}" in block
        for hint in check.hints:
            assert f"  hint: {hint.message}" in block, (check.function, hint.message)
        assert len(block) == sum(not c.hidden for c in check.cases) + bool(hidden) + len(check.hints)
    hidden_labels = {c.label for check in spec.checks for c in check.cases if c.hidden}
    assert not {f"  case: {label}" for label in hidden_labels} & shown   # hidden labels stay grader-side
    assert f"grader fingerprint {fingerprint.fingerprint(assignment_id)}" in done.stdout
