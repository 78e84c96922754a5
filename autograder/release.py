"""solutions/*.ipynb -> exercises/*.ipynb with nbgrader's own preprocessors.

The same steps as `nbgrader generate_assignment` minus its database: check the
cell metadata, clear the solutions (the body between the markers becomes
`raise NotImplementedError()`), clear hidden tests and outputs, lock cells and
compute nbgrader's checksums so the result still works with plain nbgrader.
Deterministic: the same solution always gives byte-identical exercises.
"""
from __future__ import annotations

import copy
from pathlib import Path

SOLUTIONS = "solutions"
EXERCISES = "exercises"


def _pipeline():
    from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme,
                                        ClearOutput, ClearSolutions, ComputeChecksums, LockCells)

    return [CheckCellMetadata(), LockCells(), ClearSolutions(), ClearOutput(), ClearHiddenTests(),
            ClearMarkScheme(), ComputeChecksums()]


def student_notebook(solution):
    """A solution NotebookNode -> the student NotebookNode (the input is untouched)."""
    nb = copy.deepcopy(solution)
    resources = {"nbgrader": {"assignment": nb.metadata.get("dlphys", {}).get("assignment", ""),
                              "notebook": ""}}
    for step in _pipeline():
        nb, resources = step.preprocess(nb, resources)
    return nb


def dumps(nb) -> str:
    import nbformat

    return nbformat.writes(nb) + ("" if nbformat.writes(nb).endswith("\n") else "\n")


def release(root: str | Path = ".", only: list[str] | None = None,
            write: bool = True) -> list[tuple[Path, bool]]:
    """Write every exercise (or with write=False only compare); returns
    (path, differs-from-what-was-there) pairs."""
    import nbformat

    root = Path(root)
    out_dir = root / EXERCISES
    if write:
        out_dir.mkdir(exist_ok=True)
    written = []
    for source in sorted((root / SOLUTIONS).glob("*.ipynb")):
        if only and source.stem not in only:
            continue
        solution = nbformat.read(source, as_version=4)
        text = dumps(student_notebook(solution))
        target = out_dir / source.name
        changed = not target.exists() or target.read_text() != text
        if changed and write:
            target.write_text(text)
        written.append((target, changed))
    return written
