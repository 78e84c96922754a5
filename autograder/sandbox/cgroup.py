"""Memory and process limits for a whole student process tree (cgroups).

RLIMIT_AS and RLIMIT_NPROC bound each process, not a submission: a student
that forks can hold the memory limit once per child. A cgroup bounds the sum.
Needs root and a writable cgroup hierarchy (v1 `memory` and `pids`
controllers, or v2 with both enabled); anywhere else `create` returns None
and the rlimits alone apply.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def _own_path(controller: str | None) -> str:
    """This process's cgroup path for a v1 controller, or the v2 one (None)."""
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, names, path = line.split(":", 2)
            if (controller is None and names == "") or (controller in names.split(",")):
                return path.lstrip("/")
    except (OSError, ValueError):
        pass
    return ""


class Cgroup:
    def __init__(self, dirs: dict[str, Path], v2: bool):
        self.dirs, self.v2 = dirs, v2

    @classmethod
    def create(cls, name: str, memory_mb: int, pids: int) -> "Cgroup | None":
        if os.geteuid() != 0 or os.environ.get("DLPHYS_NO_CGROUP"):
            return None
        try:
            if (ROOT / "memory" / "memory.limit_in_bytes").exists() and (ROOT / "pids").is_dir():
                return cls._create_v1(name, memory_mb, pids)
            unified = next((p for p in (ROOT, ROOT / "unified")
                            if {"memory", "pids"} <= set((p / "cgroup.controllers").read_text().split())
                            if (p / "cgroup.controllers").exists()), None)
            if unified is not None:
                return cls._create_v2(unified, name, memory_mb, pids)
        except OSError:
            return None
        return None

    @classmethod
    def _create_v1(cls, name, memory_mb, pids):
        mem = ROOT / "memory" / _own_path("memory") / name
        pid = ROOT / "pids" / _own_path("pids") / name
        mem.mkdir(exist_ok=True)
        pid.mkdir(exist_ok=True)
        group = cls({"memory": mem, "pids": pid}, v2=False)
        try:
            (mem / "memory.limit_in_bytes").write_text(str(memory_mb * 2**20))
            swap = mem / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(memory_mb * 2**20))
            (pid / "pids.max").write_text(str(pids))
        except OSError:
            group.remove()
            raise
        return group

    @classmethod
    def _create_v2(cls, unified, name, memory_mb, pids):
        path = unified / _own_path(None) / name
        path.mkdir(exist_ok=True)
        group = cls({"memory": path, "pids": path}, v2=True)
        try:
            (path / "memory.max").write_text(str(memory_mb * 2**20))
            if (path / "memory.swap.max").exists():
                (path / "memory.swap.max").write_text("0")
            (path / "pids.max").write_text(str(pids))
        except OSError:
            group.remove()
            raise
        return group

    def enter(self) -> None:
        """Move the calling process in (used in the child before exec)."""
        for folder in set(self.dirs.values()):
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def oom_killed(self) -> bool:
        """Did the kernel kill something in here for lack of memory?"""
        try:
            if self.v2:
                events = (self.dirs["memory"] / "memory.events").read_text()
                return any(line.split()[0] == "oom_kill" and int(line.split()[1]) > 0
                           for line in events.splitlines())
            control = (self.dirs["memory"] / "memory.oom_control").read_text()
            return any(line.startswith("oom_kill ") and int(line.split()[1]) > 0
                       for line in control.splitlines()) \
                or int((self.dirs["memory"] / "memory.failcnt").read_text()) > 0 and "under_oom 1" in control
        except (OSError, ValueError, IndexError):
            return False

    def pids(self) -> list[int]:
        found = set()
        for folder in set(self.dirs.values()):
            try:
                found |= {int(pid) for pid in (folder / "cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                pass
        return sorted(found)

    def close(self, wait: float = 10.0) -> bool:
        """Kill whatever is still inside, then remove the groups as soon as the
        kernel lets go of them (after an OOM kill that can take a while).
        True when nothing is left behind."""
        import signal
        import time

        deadline = time.monotonic() + wait
        while True:
            for pid in self.pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            self.remove()
            if not any(folder.exists() for folder in self.dirs.values()):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def remove(self) -> None:
        """Remove the (empty) groups; the caller has killed every process first."""
        for folder in set(self.dirs.values()):
            try:
                folder.rmdir()
            except OSError:
                pass
