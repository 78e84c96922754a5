"""Talking to one student process with deadlines, size caps and a hard kill.

Every read has a deadline; a message over MAX_MESSAGE bytes, a malformed frame,
an exit or a timeout ends the process and raises `StudentProcessError` with a
`kind` the runner turns into a clear, fail-closed test result.
"""
from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from autograder.student_side import kinds
from autograder.sandbox import launch
from autograder.student_side import wire

MAX_MESSAGE = 64 * 1024 * 1024
OUTPUT_CAP = 64 * 1024


class StudentProcessError(Exception):
    """kind: 'timeout', 'crash', 'memory', 'protocol', 'too_large'."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class _OutputDrain(threading.Thread):
    """Reads the student's stdout+stderr forever, keeping only the first bytes,
    so 100 MB of prints neither block the student nor fill the grader's memory."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream, self.kept, self.dropped = stream, bytearray(), 0
        self.frozen = False   # once set, output is read (so the student never blocks) but not kept

    def run(self):
        for chunk in iter(lambda: self.stream.read1(65536), b""):
            if self.frozen:
                continue
            room = OUTPUT_CAP - len(self.kept)
            self.kept += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)

    def text(self) -> str:
        out = self.kept.decode("utf-8", "replace")
        if self.dropped:
            out += f"\n[... {self.dropped} more bytes of output dropped]"
        return out


class StudentProcess:
    def __init__(self, limits: launch.Limits, forbidden=()):
        self.limits = limits
        self._tmp = None
        self.proc = None
        self.uid = launch.sandbox_uid()
        if not launch.bwrap_available():
            self._tmp = tempfile.mkdtemp(prefix="dlphys-student-")
            if os.getuid() == 0:
                os.chown(self._tmp, self.uid, self.uid)
        from autograder.sandbox.cgroup import Cgroup

        self.cgroup = Cgroup.create(f"dlphys-{self.uid}", limits.memory_mb, limits.processes) \
            if launch.cgroups_available() else None
        try:
            self.proc = launch.start(limits, forbidden, workdir=self._tmp, uid=self.uid,
                                     cgroup=self.cgroup)
        except BaseException:
            self._cleanup()
            raise
        self._out = self.proc.stdout.fileno()
        self._drain = _OutputDrain(self.proc.stderr)
        self._drain.start()
        self._buffer = bytearray()
        self.alive = True

    # -- framing -------------------------------------------------------------
    def send(self, message) -> None:
        try:
            self.proc.stdin.write(wire.dumps(message))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._died() from None

    def receive(self, deadline: float):
        header = self._read(wire.HEADER.size, deadline)
        (size,) = wire.HEADER.unpack(header)
        if size > MAX_MESSAGE:
            self.kill()
            raise StudentProcessError(kinds.TOO_LARGE, f"the returned value is larger than "
                                                   f"{MAX_MESSAGE // 2**20} MB")
        try:
            message = wire.loads(self._read(size, deadline))
        except wire.WireTooLarge:
            self.kill()
            raise StudentProcessError(kinds.TOO_LARGE, f"the returned value has more than "
                                                   f"{wire.MAX_VALUES:,} parts") from None
        except wire.WireError as exc:
            self.kill()
            raise StudentProcessError(kinds.PROTOCOL, f"garbled answer from the student process ({exc})")
        if not isinstance(message, dict):
            self.kill()
            raise StudentProcessError(kinds.PROTOCOL, "garbled answer from the student process")
        return message

    def _read(self, n: int, deadline: float) -> bytes:
        while len(self._buffer) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise StudentProcessError(kinds.TIMEOUT, "timed out")
            ready, _, _ = select.select([self._out], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._out, max(n - len(self._buffer), 1 << 16))
            if not chunk:
                raise self._died()
            self._buffer += chunk
        data, self._buffer = bytes(self._buffer[:n]), self._buffer[n:]
        return data

    # -- life and death --------------------------------------------------------
    def _died(self) -> StudentProcessError:
        self.alive = False
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        # Read before the cleanup removes the group (and its counters with it).
        oom = self.cgroup is not None and self.cgroup.oom_killed()
        self._cleanup()
        tail = self.output()[-600:]
        if oom:
            return StudentProcessError(kinds.MEMORY, f"the student process ran out of memory "
                                                 f"(limit {self.limits.memory_mb} MB for all its processes)")
        # bubblewrap reports a child killed by signal N as exit code 128 + N.
        fatal = {-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT,
                 128 + signal.SIGKILL, 128 + signal.SIGSEGV, 128 + signal.SIGABRT}
        if "MemoryError" in tail or code in fatal and ("memory" in tail.lower() or "bad_alloc" in tail):
            return StudentProcessError(kinds.MEMORY, f"the student process ran out of memory "
                                                 f"(limit {self.limits.memory_mb} MB)")
        if code is not None and code < 0:
            try:
                how = f"was killed by signal {signal.Signals(-code).name}"
            except ValueError:  # real-time signals have no name
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        return StudentProcessError(kinds.CRASH, f"the student process {how}")

    def kill(self) -> None:
        self.alive = False
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self._cleanup()

    def close(self) -> None:
        if self.alive and self.proc.poll() is None:
            try:
                self.send({"op": "exit"})
                self.proc.wait(timeout=2)
            except (StudentProcessError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def _cleanup(self) -> None:
        if getattr(self, "proc", None) is None:
            if self._tmp:
                shutil.rmtree(self._tmp, ignore_errors=True)
            if getattr(self, "cgroup", None) is not None:
                self.cgroup.close()
            return
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        if getattr(self, "cgroup", None) is not None and self.proc.poll() is not None:
            self.cgroup.close()

    def output(self) -> str:
        """What the student's code printed so far (capped)."""
        return self._drain.text()

    def reap_strays(self) -> int:
        """Kill every process the student left running besides the worker
        (daemons, fork-bomb survivors), from the grader's side so student code
        can't switch it off. The worker is the oldest process of the sandbox's
        own uid under our child. Scans until one finds nothing, so a child forked
        while we were killing its parent is caught too; returns how many died."""
        killed = 0
        for _ in range(20):
            if not self.alive:
                break
            mine = sorted((start, pid) for pid in [self.proc.pid, *_descendants(self.proc.pid)]
                          if (start := _owned_start(pid, self.uid)) is not None)
            strays = [pid for _, pid in mine[1:]]
            if not strays:
                break
            for pid in strays:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            killed += len(strays)
        return killed


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except (OSError, ValueError):
        pass
    return found


def _descendants(pid: int, limit: int = 4096) -> list[int]:
    seen, todo = [], _children(pid)
    while todo and len(seen) < limit:
        child = todo.pop()
        seen.append(child)
        todo += _children(child)
    return seen


def _owned_start(pid: int, uid: int) -> int | None:
    """Start time (clock ticks) of `pid` when its real uid is `uid`, else None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            real = next(int(line.split()[1]) for line in f if line.startswith("Uid:"))
        if real != uid:
            return None
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, StopIteration, ValueError, IndexError):
        return None
