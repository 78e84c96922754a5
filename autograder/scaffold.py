"""`grade new ID`: a working assignment to start from, in a course folder.

It writes three files, each a small example of its kind:

    solutions/<id>.ipynb      the single source: one task, its solution between
                              nbgrader's markers, a graded test cell (100 points)
    checks/<id>.py            the check table (cases, tolerances, one hint)
    reference_impl/<id>.py    the TensorFlow reference the checks compare with

Right after `grade release` (which writes exercises/<id>.ipynb), `grade
validate` passes on it: the solution scores 100, the untouched exercise 0.
"""
from __future__ import annotations

import re
from pathlib import Path

FUNCTION = "scale"   # the example's graded function

CHECKS = '''"""Checks for `{id}`. A check is data: the cases, the tolerance, the hints.

Each case builds the keyword arguments of the student's function from a seeded
NumPy Generator; hidden cases get a seed per student and never show their inputs.
The expected value comes from the TensorFlow reference (reference_impl/{id}.py).
"""
from __future__ import annotations

import numpy as np

from autograder import hints
from autograder.spec import Assignment, Case, Check, Hint


def _inputs(n, m):
    def make(rng):
        return {{"x": rng.normal(size=(n, m)), "factor": float(rng.uniform(0.5, 3.0))}}
    return make


# A hint names one known mistake; its detector recomputes what that mistake returns.
ADDED = Hint("You added `factor` to `x`; scaling multiplies every element by it.",
             hints.matches(lambda i: np.asarray(i["x"]) + i["factor"]))

ASSIGNMENT = Assignment(
    id="{id}",
    title="{title}",
    checks=[
        Check(
            function="{function}", points=100, reference="reference_impl.{id}:{function}",
            cases=[
                Case("a (3, 2) array", _inputs(3, 2)),
                Case("a single row", _inputs(1, 4)),
                Case("hidden: a larger array", _inputs(20, 5), hidden=True),
            ],
            hints=[ADDED],
        ),
    ],
)
'''

REFERENCE = '''"""TensorFlow reference for `{id}` (runs in the grader only, never in the student's process)."""
from __future__ import annotations

from autograder.reference import configure

configure()

import tensorflow as tf  # noqa: E402

from autograder.tensors import to_numpy, to_tensor  # noqa: E402


def {function}(x, factor):
    """Every element of `x` multiplied by `factor`."""
    return to_numpy(tf.multiply(to_tensor(x), tf.constant(factor, tf.float64)))
'''


def _cell(kind: str, source: str, grade_id: str | None = None, *, solution=False, grade=False,
          points=None):
    import nbformat

    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    if grade_id is not None:
        meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
                "solution": solution}
        if grade:
            meta["points"] = points
        cell.metadata["nbgrader"] = meta
    return cell


def solution_notebook(assignment_id: str, title: str):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["dlphys"] = {"assignment": assignment_id}
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.cells = [
        _cell("markdown", f"# {title}\n\nReplace this text with the introduction of the exercise.",
              "intro"),
        _cell("code", "import numpy as np", "imports"),
        _cell("markdown", f"### Task 1: `{FUNCTION}`\n\nReturn every element of `x` multiplied by "
                          "`factor`.\n\n* `x`: array of any shape, `factor`: a number\n"
                          "* returns: an array of the shape of `x`", f"task_{FUNCTION}"),
        _cell("code", f"def {FUNCTION}(x, factor):\n    \"\"\"`x` scaled by `factor`.\"\"\"\n"
                      "    ### BEGIN SOLUTION\n    return np.asarray(x, dtype=float) * factor\n"
                      "    ### END SOLUTION", FUNCTION, solution=True),
        _cell("code", f"from autograder.selfcheck import nbgrader_check\nnbgrader_check(\"{FUNCTION}\")",
              f"test_{FUNCTION}", grade=True, points=100),
    ]
    return nb


class ScaffoldError(Exception):
    pass


def new_assignment(root: Path, assignment_id: str) -> list[Path]:
    """Write the three files of a new assignment into the course at `root`."""
    import nbformat

    if not re.fullmatch(r"[a-z][a-z0-9_]*", assignment_id):
        raise ScaffoldError(f"{assignment_id!r} is not a usable id: lowercase letters, digits and _, "
                            "starting with a letter")
    title = assignment_id.replace("_", " ").capitalize()
    files = {root / "solutions" / f"{assignment_id}.ipynb": None,
             root / "checks" / f"{assignment_id}.py": CHECKS,
             root / "reference_impl" / f"{assignment_id}.py": REFERENCE}
    taken = [str(p) for p in files if p.exists()]
    if taken:
        raise ScaffoldError(f"{taken[0]} exists already")
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if template is None:
            nbformat.write(solution_notebook(assignment_id, title), path)
        else:
            path.write_text(template.format(id=assignment_id, title=title, function=FUNCTION))
    return list(files)
