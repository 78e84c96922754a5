"""Calling a student's function in the student's own kernel, for the kit.

The call itself is `calling.call`, the one the sandbox's worker makes. Around
it, what the kit's place needs: the arguments and the value make the round
trip through `wire` (so the comparison sees exactly what the grader would see),
the student's prints are kept off the self-check's table, NumPy's global
random state is given back (it is the student's kernel), a press of stop stops
the self-check too, and a call slower than the grader's limit is reported as
a timeout (it ran to its end: the kernel is the student's, not a sandbox).
"""
from __future__ import annotations

import contextlib
import io
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import calling, kinds, wire

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
    saved_state = np.random.get_state() if global_seed is not None else None
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            called = calling.call(target, wire.encode(kwargs), global_seed=global_seed, driver=driver)
    finally:
        if saved_state is not None:
            np.random.set_state(saved_state)
    if isinstance(called.error, KeyboardInterrupt):
        raise called.error  # the student pressed stop: stop the self-check too
    if called.error is not None:  # SystemExit included: like the worker, a failed call
        exc = called.error
        return Outcome(False, kind=kinds.EXCEPTION, error_type=type(exc).__name__,
                       message=str(exc)[:2000], traceback=_student_traceback(exc))
    if called.elapsed > timeout:
        return Outcome(False, kind=kinds.TIMEOUT, message=f"took {called.elapsed:.1f} s; the grader "
                       f"stops a call after {timeout:g} s (infinite loop, or far too slow?)")
    try:
        value = wire.decode(wire.encode(called.value))
    except (TypeError, ValueError, wire.WireError) as exc:
        return Outcome(False, kind=kinds.EXCEPTION, error_type="ReturnValueError", message=str(exc))
    return Outcome(True, value=value, mutated=called.mutated, seconds=called.elapsed,
                   warnings=called.warnings)


def _student_traceback(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_HERE)]
    text = "".join(traceback.format_list(frames[-8:]))
    return (text + "".join(traceback.format_exception_only(type(exc), exc)))[-4000:]
