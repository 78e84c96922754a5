"""Calling a student's function: THE one implementation, used by the sandbox's
worker, by the self-check in the student's kernel and by the tests.

The arguments arrive wire-encoded and are decoded here (an `Rng` becomes a fresh
`np.random.Generator`), so every caller hands the function the same kind of
values. NumPy's global state is seeded first when the case asks for it (a
function that wrongly uses np.random then shows it), overflow/invalid/divide
warnings are recorded, the inputs are compared before and after (a function
must not change its arguments), and the call is timed.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import wire
from .mutation import mutated as _mutated, snapshot as _snapshot

MAX_WARNINGS, WARNING_CHARS = 10, 300


@dataclass
class Called:
    """What one call did. `error` is the exception the function raised (None when
    it returned); `value` is what it returned, as it returned it."""
    value: Any = None
    error: BaseException | None = None
    mutated: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def decode_kwargs(encoded) -> dict:
    return wire.decode(encoded, make_rng=np.random.default_rng)


def call(function: Callable, encoded_kwargs, *, global_seed: int | None = None,
         driver: Callable | None = None) -> Called:
    """Call `function(**kwargs)` (or `driver(function, **kwargs)`, a routine of the
    course that e.g. trains a student's model) and report what happened."""
    kwargs = decode_kwargs(encoded_kwargs)
    before = _snapshot(kwargs)
    if global_seed is not None:
        np.random.seed(global_seed)
    old = np.seterr(over="warn", invalid="warn", divide="warn", under="ignore")
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = driver(function, **kwargs) if driver else function(**kwargs)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the caller decides
        return Called(error=exc, elapsed=time.perf_counter() - start)
    finally:
        np.seterr(**old)
    elapsed = time.perf_counter() - start
    return Called(value=value, mutated=_mutated(before, kwargs), elapsed=elapsed,
                  warnings=sorted({f"{w.category.__name__}: {w.message}"[:WARNING_CHARS]
                                   for w in caught})[:MAX_WARNINGS])
