"""Calling a student's function in the student's own kernel, for the kit.

Interim: the issue-11 branch brings student_side/calling.py, THE one "call a
student function" (used by the worker, the self-check and tests); when it
lands, this module becomes a thin adapter to it. Same steps as the sandbox's
worker: arguments and the value make the round trip through `wire` (so the
comparison sees what the grader would see), NumPy's overflow/invalid/divide
warnings are recorded, inputs are compared before and after the call, and
`global_seed` seeds np.random first.
"""
from __future__ import annotations

import contextlib
import io
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import wire
from .mutation import mutated as _mutated, snapshot as _snapshot

_HERE = str(Path(__file__).resolve().parent.parent)


@dataclass
class Outcome:
    ok: bool
    value: object = None
    kind: str = ""
    error_type: str = ""
    message: str = ""
    traceback: str = ""
    mutated: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    seconds: float = 0.0


def call_student(target, kwargs: dict, timeout: float, global_seed=None, driver=None) -> Outcome:
    args = wire.decode(wire.encode(kwargs), make_rng=np.random.default_rng)
    before = _snapshot(args)
    saved_state = np.random.get_state() if global_seed is not None else None
    old = np.seterr(over="warn", invalid="warn", divide="warn", under="ignore")
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("always")
            if global_seed is not None:
                np.random.seed(global_seed)
            value = driver(target, **args) if driver else target(**args)
    except KeyboardInterrupt:
        raise  # the student pressed stop: stop the self-check too
    except BaseException as exc:  # SystemExit included: like the worker, a failed call
        return Outcome(False, kind="exception", error_type=type(exc).__name__,
                       message=str(exc)[:2000], traceback=_student_traceback(exc))
    finally:
        np.seterr(**old)
        if saved_state is not None:
            np.random.set_state(saved_state)
    elapsed = time.perf_counter() - start
    if elapsed > timeout:
        return Outcome(False, kind="timeout", message=f"took {elapsed:.1f} s; the grader stops "
                       f"a call after {timeout:g} s (infinite loop, or far too slow?)")
    try:
        value = wire.decode(wire.encode(value))
    except (TypeError, ValueError, wire.WireError) as exc:
        return Outcome(False, kind="exception", error_type="ReturnValueError", message=str(exc))
    return Outcome(True, value=value, mutated=_mutated(before, args), seconds=elapsed,
                   warnings=sorted({f"{w.category.__name__}: {w.message}"[:300]
                                    for w in caught})[:10])


def _student_traceback(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_HERE)]
    text = "".join(traceback.format_list(frames[-8:]))
    return (text + "".join(traceback.format_exception_only(type(exc), exc)))[-4000:]
