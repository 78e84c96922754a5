"""Grading workers die with the process that started them.

A worker of `grade batch --jobs N` holds TensorFlow (hundreds of MB) and its
student processes; when the batch is killed (kill -9, a restarting server) its
workers must not live on with parent 1. The kernel's parent-death signal
(prctl PR_SET_PDEATHSIG) does it at once on Linux; a thread that watches the
parent's pid does it everywhere, and also where the parent-death signal would
fire too early (it fires when the parent *thread* that started us ends, which a
Dask nanny's threads may do). Student processes follow their worker:
bubblewrap runs them with --die-with-parent.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def tie_to_parent(parent: int | None = None, parent_death_signal: bool = True,
                  poll_seconds: float = 1.0) -> None:
    """End this process (os._exit) as soon as `parent` (default: the current
    parent) is no longer its parent."""
    parent = os.getppid() if parent is None else parent
    if parent_death_signal and sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before we were tied to it
        os._exit(1)
    threading.Thread(target=_watch, args=(parent, poll_seconds), name="dlphys-parent-watch",
                     daemon=True).start()


def _watch(parent: int, poll_seconds: float) -> None:
    while os.getppid() == parent:
        time.sleep(poll_seconds)
    os._exit(1)


try:
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # Dask is optional: the local pool needs none of it
    _WorkerPlugin = object


class TieToParent(_WorkerPlugin):
    """Dask worker plugin: each worker process of the cluster ends when the
    process that started it (its nanny, or `dask worker`) is gone. Only the
    watch thread: a nanny may start workers from a thread that ends."""

    name = "dlphys-tie-to-parent"

    def setup(self, worker=None):
        if os.getppid() > 1:  # a worker run by init or as a container's first process has no one to follow
            tie_to_parent(parent_death_signal=False)
