"""One submission's student process, kept alive across calls and restarted after a crash.

Loading runs the cells top to bottom. A cell that hangs or kills the process is
recorded and left out when the process is started again, so one bad cell costs
only what it defines. A call that crashes or times out costs only that call:
the next call gets a fresh process with the same cells. Restarts are bounded,
and so is the wall time of the whole submission.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from autograder.student_side import kinds
from autograder.names import printable
from autograder.student_side import wire
from autograder.sandbox.launch import Limits
from autograder.sandbox.process import StudentProcess, StudentProcessError

MAX_RESTARTS = 24  # the runner stops calling a function that killed the process
START_TIMEOUT = 60.0


@dataclass
class CellProblem:
    cell: int          # 0-based index into the code cells
    kind: str          # exception type, or 'timeout' / 'crash' / 'memory'
    message: str
    traceback: str = ""


@dataclass
class CallResult:
    ok: bool
    value: object = None
    kind: str = ""            # when not ok: 'exception', 'timeout', 'crash', 'memory', ...
    error_type: str = ""
    message: str = ""
    traceback: str = ""
    mutated: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    forbidden: list = field(default_factory=list)


class Session:
    def __init__(self, cells: list[str], limits: Limits, forbidden=(), time_budget=300.0,
                 load_timeout=60.0):
        self.cells = list(cells)
        self.limits, self.forbidden = limits, tuple(forbidden)
        self.deadline = time.monotonic() + time_budget
        self.load_timeout = load_timeout
        self.skipped: dict[int, CellProblem] = {}   # cells left out after killing the process
        self.cell_errors: list[CellProblem] = []
        self.names: list[str] = []
        self.restarts = 0
        self.proc: StudentProcess | None = None
        self._pending = False
        self._drains = []  # output readers of every process started
        self.load_seconds = 0.0   # running the cells (all starts), as the worker counted it
        self.call_seconds = 0.0   # wall time inside student calls, seen from here
        self._began = 0.0
        self._frozen = False
        self._request_id = 0      # each call's reply must carry its id
        self.start_error = ""     # set when the process can't even be started: fail everything

    # -- loading ---------------------------------------------------------------
    def begin(self) -> None:
        """Start the process and send the cells; `finish_loading` collects the answer.
        Split in two so the grader can import TensorFlow while the student loads."""
        self._began = time.monotonic()
        try:
            self.proc = StudentProcess(self.limits, self.forbidden)
        except OSError as exc:  # e.g. Python not executable by the sandbox user
            self.proc, self.start_error = None, f"the student process could not be started ({exc})"
            self._pending = False
            return
        self._drains.append(self.proc._drain)
        if self._frozen:
            self.proc._drain.frozen = True
        cells = ["" if i in self.skipped else c for i, c in enumerate(self.cells)]
        try:
            self.proc.send({"op": "load", "cells": cells, "forbidden": list(self.forbidden)})
            self._pending = True
        except StudentProcessError:
            self._pending = True  # the failure surfaces in finish_loading

    def finish_loading(self) -> None:
        if self.proc is None and self.start_error:
            self.names = []
            self.cell_errors.append(CellProblem(-1, "crash", self.start_error))
            return
        while self._pending:
            self._pending = False
            current = None
            try:
                deadline = min(time.monotonic() + self.load_timeout + START_TIMEOUT, self.deadline)
                while True:
                    message = self.proc.receive(deadline)
                    event = message.get("event")
                    if event == "cell":
                        current = message.get("index")
                        deadline = min(time.monotonic() + self.load_timeout, self.deadline)
                    elif event == "loaded":
                        # The worker's own count of its cells' run time (we may have
                        # been busy importing TensorFlow meanwhile); only for reports,
                        # so it is clamped, not trusted.
                        wall = time.monotonic() - self._began
                        said = message.get("seconds")
                        self.load_seconds += min(float(said), wall) if isinstance(said, (int, float)) \
                            and said >= 0 else wall
                        self._loaded(message)
                        return
            except StudentProcessError as exc:
                if not isinstance(current, int) or current in self.skipped \
                        or self.restarts >= MAX_RESTARTS or time.monotonic() >= self.deadline:
                    self.names = []
                    self.cell_errors.append(CellProblem(-1, exc.kind, f"{exc} while starting"))
                    return
                what = "did not finish in time" if exc.kind == kinds.TIMEOUT else str(exc)
                self.skipped[current] = CellProblem(current, exc.kind, f"this cell {what}; "
                                                    "it was skipped so the rest could be graded")
                self.restarts += 1
                self.begin()

    def _loaded(self, message) -> None:
        self.cell_errors = list(self.skipped.values()) + [
            CellProblem(e["cell"] if type(e.get("cell")) is int else -1, _text(e.get("type", "Error"), 100),
                        _text(e.get("message", ""), 2000), _text(e.get("traceback", ""), 4000))
            for e in _list(message.get("errors")) if isinstance(e, dict)]
        self.names = _strings(message.get("names"))

    def start(self) -> "Session":
        self.begin()
        self.finish_loading()
        return self

    # -- calls -------------------------------------------------------------------
    def call(self, function: str, kwargs: dict, timeout: float, global_seed=None,
             driver: str | None = None) -> CallResult:
        if time.monotonic() >= self.deadline:
            return CallResult(False, kind=kinds.BUDGET, message="the submission's total time budget "
                              "was used up before this test could run")
        if self.start_error:
            return CallResult(False, kind=kinds.CRASH, message=self.start_error)
        if self.proc is None or not self.proc.alive:
            if self.restarts >= MAX_RESTARTS:
                return CallResult(False, kind=kinds.CRASH, message="not run: the student process "
                                  f"crashed or timed out {self.restarts} times already")
            self.restarts += 1
            self.begin()
            self.finish_loading()
            if self.proc is None or not self.proc.alive:
                return CallResult(False, kind=kinds.CRASH, message="the student process could not be restarted")
        self._request_id += 1
        request = {"op": "call", "id": self._request_id, "function": function,
                   "kwargs": wire.encode(kwargs), "global_seed": global_seed, "driver": driver}
        started = time.monotonic()
        deadline = min(time.monotonic() + timeout, self.deadline)
        try:
            self.proc.send(request)
            reply = self._reply_to(self._request_id, deadline)
        except StudentProcessError as exc:
            self.call_seconds += time.monotonic() - started
            message = str(exc)
            if exc.kind == kinds.TIMEOUT:
                message = f"did not return within {timeout:g} s (infinite loop, or far too slow?)"
            return CallResult(False, kind=exc.kind, message=message)
        if reply.get("id") != self._request_id:
            # e.g. a forked child's forgery. Wait for the real reply and drop it (or let the
            # deadline kill the process), so that the next call's reply is its own.
            try:
                while self.proc.receive(deadline).get("id") != self._request_id:
                    pass
            except StudentProcessError:
                pass
            self.call_seconds += time.monotonic() - started
            return CallResult(False, kind=kinds.PROTOCOL, message="the student process sent an answer "
                              "that belongs to no request")
        self.call_seconds += time.monotonic() - started
        self.proc.reap_strays()
        return _call_result(reply)

    def _reply_to(self, request_id: int, deadline: float) -> dict:
        """The next reply that is not a late one to an earlier request."""
        while True:
            reply = self.proc.receive(deadline)
            said = reply.get("id")
            if not (type(said) is int and 0 < said < request_id):
                return reply

    def freeze_output(self) -> None:
        """Keep nothing the student prints from now on (see runner: hidden cases)."""
        self._frozen = True
        for drain in self._drains:
            drain.frozen = True

    def output(self) -> str:
        """What the student's code printed in its first process (capped); restarts
        rerun the same cells and would only repeat it."""
        if not self._drains:
            return ""
        text = self._drains[0].text()
        if len(self._drains) > 1:
            text += (f"\n[the student process was restarted {len(self._drains) - 1} times "
                     "after crashes or timeouts; later output is not shown]")
        return text

    def close(self) -> None:
        if self.proc is not None:
            self.proc.close()


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _strings(value) -> list:
    """The student process's lists are data from an untrusted source: keep strings only."""
    return [_text(v, 300) for v in _list(value) if isinstance(v, str)]


def _text(value, limit: int) -> str:
    """Untrusted text, cut, and safe to encode: JSON's "\\ud800" decodes to a lone
    surrogate, which would crash every UTF-8 writer downstream (SQLite, files)."""
    return printable(str(value)[:limit])


def _call_result(reply) -> CallResult:
    forbidden = _strings(reply.get("forbidden_imports"))
    if reply.get("event") != "result":
        return CallResult(False, kind=kinds.PROTOCOL, message="garbled answer from the student process")
    if reply.get("ok") is True:
        try:
            value = wire.decode(reply.get("value"))
        except wire.WireError as exc:
            return CallResult(False, kind=kinds.PROTOCOL, message=f"could not read the returned value ({exc})")
        mutated = _strings(reply.get("mutated"))
        warnings = _strings(reply.get("warnings"))
        return CallResult(True, value=value, mutated=mutated, warnings=warnings, forbidden=forbidden)
    error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
    return CallResult(False, kind=kinds.EXCEPTION, error_type=_text(error.get("type", "Error"), 100),
                      message=_text(error.get("message", ""), 2000),
                      traceback=_text(error.get("traceback", ""), 4000), forbidden=forbidden)
