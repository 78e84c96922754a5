"""Checks are data: an assignment is a list of `Check`s, one per graded function.

A `Check` names the student's function, its points, the TensorFlow reference
and the `Case`s to run. A `Case` makes the inputs from a seeded generator, so a
hidden case gets fresh inputs for every student. The runner (`runner.py`) is
generic; adding an exercise means adding rows here, never touching the runner.

Nothing in this module imports TensorFlow: references are named by dotted path
("reference_impl.convolution:conv2d") and resolved only when grading needs them.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from autograder.student_side.wire import RngSpec

Inputs = dict  # keyword arguments for the student's function


class Rng(RngSpec):
    """Stands for a `numpy.random.Generator` argument: the student process
    builds `np.random.default_rng(seed)` from it (a Generator can't cross the
    process boundary as data)."""

    def __repr__(self) -> str:
        return f"Rng({self.seed})"

    def make(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)


@dataclass(frozen=True)
class Hint:
    """A known misconception. `detect(inputs, got, expected)` returns True
    when the student's output looks like that mistake; `message` explains it.
    `got` is the decoded student value, `expected` the reference value (None
    for property checks)."""
    message: str
    detect: Callable[[Inputs, Any, Any], bool]


@dataclass(frozen=True)
class Case:
    """One test of one function.

    label: shown to the student for visible cases (never shows hidden inputs).
    make: builds keyword arguments from a seeded Generator.
    hidden: hidden cases get per-student seeds and never show their inputs.
    rtol/atol: override the check's tolerance for this case.
    """
    label: str
    make: Callable[[np.random.Generator], Inputs]
    hidden: bool = False
    rtol: float | None = None
    atol: float | None = None
    weight: float = 1.0       # share of the check's points, relative to its other cases
    in_kit: bool = True       # False: a public case the student kit leaves to the grader
                              # (its inputs are too large to ship, or it measures the grader)


# A property check replaces the reference comparison for functions whose output
# is random by design (batches, dropout masks, initial weights). It receives a
# `call(**kwargs)` that runs the student's function in the sandbox (so it can
# call it several times, e.g. with the same seed twice) and the case inputs; it
# returns a list of problems (empty = pass), or a `Partial` score.
PropertyCheck = Callable[[Callable[..., Any], Inputs], list]


@dataclass(frozen=True)
class Partial:
    """What a property check may return instead of a list of problems: a score
    fraction in [0, 1] (e.g. a physics metric between two thresholds), the
    message explaining it and the achieved metrics by name (for results.json's
    extra_data)."""
    fraction: float
    message: str
    metrics: Mapping[str, float] = field(default_factory=dict)


class DataVerify:
    """A property check in two halves, for the student kit: `check(call, inputs,
    **make_args(inputs))`, where `check` lives in the course's
    checks/student_side/<id>.py and `make_args` (grader only) derives plain
    data from a case's inputs, e.g. the reference's trajectory on them. The kit
    ships `check` and, per public case, the data."""

    def __init__(self, check: Callable[..., Any], make_args: Callable[[Inputs], dict]):
        self.check, self.make_args = check, make_args
        self.__name__ = check.__name__

    def __call__(self, call, inputs):
        return self.check(call, inputs, **self.make_args(dict(inputs)))


@dataclass(frozen=True)
class Check:
    """Everything needed to grade one function."""
    function: str
    points: float
    cases: Sequence[Case]
    reference: str | None = None          # "module:function", resolved lazily
    outputs: Sequence[str] | None = None  # names of tuple elements, e.g. ("dW", "db")
    rtol: float = 1e-6
    atol: float = 1e-9
    hints: Sequence[Hint] = ()
    verify: PropertyCheck | None = None   # instead of comparing with `reference`
    returns: str = "array"                # "array", "scalar", "int", "tuple", "list", "dict"
    timeout: float = 10.0                 # wall seconds for one call
    warning_free: bool = False            # fail on overflow/invalid/divide warnings
    driver: str | None = None             # run via checks/student_side/<driver>.py in the
                                          # student process instead of a plain call (e.g. training)

    def case_points(self, index: int) -> float:
        """Points of case `index`: the check's points shared in proportion to the weights."""
        return self.points * self.cases[index].weight / sum(c.weight for c in self.cases)

    def reference_function(self) -> Callable[..., Any]:
        return resolve(self.reference)


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    checks: Sequence[Check]
    numpy_only: bool = True               # forbid tensorflow & co. in the student process
    memory_mb: int = 1024                 # address-space limit for the student process
    time_budget: float = 120.0            # wall seconds for the whole submission
    gpu: bool = False                     # let the student process use the grader's GPU
    forbidden: Sequence[str] = ("tensorflow", "keras", "torch", "jax", "jaxlib",
                                "scipy", "sklearn", "tf_keras")

    @property
    def max_score(self) -> float:
        return float(sum(c.points for c in self.checks))

    def check(self, function: str) -> Check:
        for c in self.checks:
            if c.function == function:
                return c
        raise KeyError(function)


def resolve(dotted: str) -> Callable[..., Any]:
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)
