"""The registry of assignments: id -> its checks module (imported on demand)."""
from __future__ import annotations

import importlib
import importlib.util

from autograder.spec import Assignment

# Course order (shared/curriculum.md). Each module defines ASSIGNMENT; an id
# whose module does not exist yet is simply not offered.
CURRICULUM = ["gradient_descent", "activations", "initialization", "backprop", "optimizers",
              "regularization", "convolution", "cnn_physics", "dense_networks"]
ASSIGNMENT_IDS = [a for a in CURRICULUM
                  if importlib.util.find_spec(f"checks.{a}") is not None]


class UnknownAssignment(KeyError):
    pass


def get(assignment_id: str) -> Assignment:
    if assignment_id not in ASSIGNMENT_IDS:
        raise UnknownAssignment(assignment_id)
    return importlib.import_module(f"checks.{assignment_id}").ASSIGNMENT


def all_assignments() -> list[Assignment]:
    return [get(a) for a in ASSIGNMENT_IDS]


def detect(filename: str, named: str | None) -> str | None:
    """The assignment a submission names: notebook metadata first, then the file
    name (`convolution.ipynb`, `alice_convolution.ipynb`, `convolution-v2.py`)."""
    if named in ASSIGNMENT_IDS:
        return named
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    hits = [a for a in ASSIGNMENT_IDS if a in stem]
    return max(hits, key=len) if hits else None
