"""The student process: runs a submission's cells, then calls its functions on request.

This folder (student_side/, mounted whole) and the course's drivers are the only
grader code inside the sandbox, and they
hold no tests, inputs, references or scores: only requests arrive here. The
grader treats everything this process says as untrusted data.

Protocol (stdin/stdout, `wire` framing): the worker first says
{"event": "ready"}; then answers each request:
  {"op": "load", "cells": [...], "forbidden": [...]}
      -> {"event": "cell", "index": i} before each cell, then
         {"event": "loaded", "errors": [...], "names": [...]}
  {"op": "call", "id": n, "function": f, "kwargs": {...}, "global_seed": k}
      -> {"event": "result", "id": n, "ok": true, "value": ..., "mutated": [...], "warnings": [...]}
       | {"event": "result", "id": n, "ok": false, "error": {"type", "message", "traceback"}}
Student output (print, warnings) goes to stderr, which the grader drains and caps.
"""
from __future__ import annotations

if __name__ == "__main__" and not __package__:
    # Started as a script (`python -I student_side/worker.py DRIVERS_DIR`, see
    # sandbox/launch.py): load this folder as the package `student_side`, whose
    # modules import each other relatively, and run as its module `worker`.
    import importlib.util as _util
    import os as _os
    import sys as _sys

    _folder = _os.path.dirname(_os.path.abspath(__file__))
    if _folder in _sys.path:
        _sys.path.remove(_folder)
    _spec = _util.spec_from_file_location("student_side", _os.path.join(_folder, "__init__.py"),
                                          submodule_search_locations=[_folder])
    _sys.modules["student_side"] = _util.module_from_spec(_spec)
    _spec.loader.exec_module(_sys.modules["student_side"])
    __import__("student_side.worker").worker.main()
    raise SystemExit(0)

import importlib.abc
import importlib.machinery
import linecache
import os
import sys
import time
import traceback
import types

_HERE = os.path.dirname(os.path.abspath(__file__))
# The assignment's drivers (the course's checks/student_side/), as the package `drivers`.
_DRIVERS = sys.argv[1] if len(sys.argv) > 1 else None
# The notebooks' self-check cells import dlphys_selfcheck (older ones autograder.selfcheck):
# give them no-ops.
sys.path.insert(0, os.path.join(_HERE, "stubs"))
os.environ["DLPHYS_GRADING"] = "1"
import numpy as np  # noqa: E402,F401  (loaded before student code can patch the import system)

from . import wire  # noqa: E402
from .ipython_standin import StandIn  # noqa: E402

# Bound now, before student code can monkeypatch what it uses.
from .calling import call as _call  # noqa: E402

# Keep private copies of the protocol channel, then point the standard streams
# away from it so that student prints can't corrupt (or fake) the framing by
# accident. (On purpose they could; the grader trusts none of it anyway.)
_IN = os.fdopen(os.dup(0), "rb", buffering=0)
_OUT = os.fdopen(os.dup(1), "wb", buffering=0)
_devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(_devnull, 0)
os.dup2(2, 1)
sys.stdout = os.fdopen(1, "w", buffering=1, errors="replace")
sys.stdin = open(os.devnull)


class ForbiddenModuleError(ImportError):
    """Raised when a NumPy assignment touches a forbidden library."""


class _Poison(types.ModuleType):
    """Stands in for a forbidden module: importing it works (so the rest of a
    cell still runs), but any use fails with a clear reason."""

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        raise ForbiddenModuleError(
            f"{self.__name__.split('.')[0]} is not allowed in this assignment (NumPy only)")


class _Blocker(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, forbidden):
        self.forbidden = set(forbidden)
        self.attempted = []

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.forbidden:
            if name not in self.attempted:
                self.attempted.append(name)
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _Poison(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


_MAIN_PID = os.getpid()


def _only_main_process():
    """A child the student forked must never speak for the worker: it ends here."""
    if os.getpid() != _MAIN_PID:
        os._exit(0)


def send(message):
    _only_main_process()
    _OUT.write(wire.dumps(message))


def receive():
    _only_main_process()
    header = _read(wire.HEADER.size)
    if header is None:
        return None
    (size,) = wire.HEADER.unpack(header)
    return wire.loads(_read(size))


def _read(n):
    chunks, remaining = [], n
    while remaining:
        chunk = _IN.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _error(exc):
    """Exception -> data, with a traceback trimmed to the student's own cells."""
    frames = traceback.extract_tb(exc.__traceback__)
    frames = [f for f in frames if f.filename.startswith("<cell")] or frames[-1:]
    text = "".join(traceback.format_list(frames[-8:]))
    text += "".join(traceback.format_exception_only(type(exc), exc))
    return {"type": type(exc).__name__, "message": str(exc)[:2000], "traceback": text[-4000:]}


def load(cells, namespace, shell):
    errors = []
    for index, source in enumerate(cells):
        send({"event": "cell", "index": index})
        filename = shell.filename = f"<cell {index + 1}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            code = compile(source, filename, "exec")
            exec(code, namespace)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt included: the cell failed
            errors.append({"cell": index, **_error(exc)})
    names = sorted(k for k, v in namespace.items() if callable(v) and not k.startswith("__")
                   and not isinstance(v, type) and k != "get_ipython")
    return errors, names


def _driver(name):
    """A grader-written routine that runs here, next to the student's code (e.g.
    build, train and predict with a student's Keras model). Its answer is data
    like any other and is judged in the grader."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError("bad driver name")
    import importlib

    if "drivers" not in sys.modules:
        if _DRIVERS is None:
            raise ImportError("this course has no drivers (checks/student_side/)")
        package = types.ModuleType("drivers")
        package.__path__ = [_DRIVERS]
        sys.modules["drivers"] = package
    return importlib.import_module(f"drivers.{name}").run


def call(request, namespace):
    function = namespace.get(request["function"])
    if not callable(function):
        return {"ok": False, "error": {"type": "NameError", "traceback": "",
                                       "message": f"{request['function']} is not defined"}}
    try:
        driver = _driver(request["driver"]) if request.get("driver") else None
    except Exception as exc:
        return {"ok": False, "error": _error(exc)}
    called = _call(function, request["kwargs"], global_seed=request.get("global_seed"), driver=driver)
    if not called.ok:
        return {"ok": False, "error": _error(called.error)}
    return {"ok": True, "value": wire.encode(called.value), "mutated": called.mutated,
            "warnings": called.warnings, "elapsed": called.elapsed}


def main():
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    # Cells with IPython syntax arrive as calls on get_ipython() (submission.py).
    shell = StandIn(namespace)
    namespace["get_ipython"] = shell.get_ipython
    blocker = None
    send({"event": "ready"})
    while True:
        request = receive()
        if request is None or request.get("op") == "exit":
            break
        if request["op"] == "load":
            if request.get("forbidden"):
                blocker = _Blocker(request["forbidden"])
                sys.meta_path.insert(0, blocker)
                for name in list(sys.modules):  # nothing forbidden may be preloaded
                    if name.split(".")[0] in blocker.forbidden:
                        del sys.modules[name]
            started = time.perf_counter()
            errors, names = load(request["cells"], namespace, shell)
            send({"event": "loaded", "errors": errors, "names": names,
                  "seconds": time.perf_counter() - started,
                  "forbidden_imports": blocker.attempted if blocker else []})
        elif request["op"] == "call":
            reply = call(request, namespace)
            _only_main_process()
            if blocker is not None and blocker.attempted:
                reply["forbidden_imports"] = blocker.attempted
            try:
                send({"event": "result", **reply, "id": request.get("id")})
            except (TypeError, ValueError) as exc:  # e.g. a value JSON can't hold
                send({"event": "result", "ok": False, "id": request.get("id"),
                      "error": {"type": "ReturnValueError", "message": str(exc), "traceback": ""}})
        sys.stdout.flush()


if __name__ == "__main__":
    main()
