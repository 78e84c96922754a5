"""The try-it cells survive wrong answers.

Each notebook runs in a real Jupyter kernel with every graded function
replaced by one that returns a wrong answer (a wrong shape, None, or the
wrong type). The try-it cells (ids ending in "-try") must then say what is
off instead of raising. The notebook's own check cells are left out: they
are meant to fail on wrong answers.
"""
import os
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import course

ROOT = Path(__file__).resolve().parents[1]

# Injected first: wraps a function so that it returns a wrong answer of one kind.
WRONG = '''
import numpy as _np

_depth = [0]


def _wrong(value, kind):
    if kind == "none":
        return None
    if kind == "type":
        return "not an array"
    if isinstance(value, (tuple, list)):
        return type(value)(_wrong(v, kind) for v in value)
    if isinstance(value, dict):
        return {key: _wrong(v, kind) for key, v in value.items()}
    if isinstance(value, (int, float, _np.number, _np.ndarray)):
        array = _np.asarray(value)
        return _np.stack([array, array]) if array.ndim == 0 or array.shape[-1] == 1 else array[..., :-1]
    return object()


def _wrongly(function, kind):
    def wrapper(*args, **kwargs):
        if _depth[0]:                 # called by another graded function: answer truly
            return function(*args, **kwargs)
        _depth[0] += 1
        try:
            value = function(*args, **kwargs)
        except Exception:             # fed another function's wrong answer
            return None
        finally:
            _depth[0] -= 1
        return _wrong(value, kind)
    return wrapper
'''


def wrong_notebook(assignment: str, kind: str):
    nb = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
    functions = [check.function for check in course.get(assignment).checks]
    cells = [nbformat.v4.new_code_cell(WRONG)]
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.strip().startswith(("nbgrader_check(", "check_all(")):
            continue  # the self-check calls (the imports cell stays: it imports NumPy)
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            defined = [f for f in functions if f"def {f}(" in cell.source]
            cell.source += "".join(f"\n{f} = _wrongly({f}, {kind!r})" for f in defined)
        cells.append(cell)
    nb.cells = cells
    return nb


TRY_IT = [(a, kind) for a in course.ids() for kind in ("shape", "none", "type")]


@pytest.mark.slow
@pytest.mark.parametrize("assignment,kind", TRY_IT)
def test_try_it_cells_say_what_is_off_instead_of_crashing(assignment, kind, tmp_path):
    from nbclient import NotebookClient

    nb = wrong_notebook(assignment, kind)
    env = dict(os.environ, DLPHYS_GRADING="1", HOME=str(tmp_path))  # skip the training cells
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)

    try_its = [c for c in nb.cells if str(c.get("id", "")).endswith("-try") or c.get("id") == "02-imports"]
    assert len(try_its) >= 2
    crashed = [(c.id, o.ename, o.evalue) for c in try_its for o in c.outputs if o.output_type == "error"]
    assert crashed == []
    said = "".join(o.get("text", "") for c in try_its for o in c.outputs if o.output_type == "stream")
    assert "expected" in said  # at least one cell reported what is off
