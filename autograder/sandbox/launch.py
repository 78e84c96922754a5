"""How a student process is started: bubblewrap when the machine has it, rlimits otherwise.

With bubblewrap the student sees a read-only Python installation, an empty
private /tmp and home (a size-capped tmpfs), no network, its own PID namespace
(so no grader process, environment or command line under /proc) and no course
files at all: the project folder, solutions, references and the secret are
simply not mounted. Libraries a NumPy assignment may not use are hidden behind
empty directories. Either way the process runs as an unprivileged user when the
grader is root, with a clean environment and resource limits.
"""
from __future__ import annotations

import functools
import glob
import os
import resource
import secrets
import shutil
import subprocess
import sys
import sysconfig
import warnings
from dataclasses import dataclass
from pathlib import Path

# Everything of the grader that enters the sandbox: this folder, mounted whole,
# plus the course's drivers (its checks/student_side/ folder).
SANDBOX_DIR = Path(__file__).resolve().parents[1] / "student_side"
# Each student process gets a uid of its own, mapped to no account: RLIMIT_NPROC
# counts per uid, so with one shared uid a fork bomb in one submission would
# starve every other sandbox of the class running at the same time.
UID_BASE, UID_SPAN = 200_000, 1_000_000


def sandbox_uid() -> int:
    return UID_BASE + secrets.randbelow(UID_SPAN)


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1024        # address space
    cpu_seconds: int = 600       # CPU time of the whole student process
    processes: int = 256         # RLIMIT_NPROC (threads count too): bounds fork bombs
    file_mb: int = 64            # largest file it may write
    tmp_mb: int = 128            # size of its private home/tmp (bubblewrap only)
    open_files: int = 256
    gpu: bool = False            # pass NVIDIA device nodes through (Keras assignments)


def clean_env(home: str) -> dict:
    """None of the grader's variables: only what Python and BLAS need."""
    return {
        "HOME": home, "TMPDIR": home, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2", "MALLOC_ARENA_MAX": "2",
        "TF_FORCE_GPU_ALLOW_GROWTH": "true",  # several sandboxes can share one card
    }


def _site_packages() -> list[str]:
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return [p for p in paths if os.path.isdir(p)]


def _hidden_dirs(forbidden) -> list[str]:
    """Package folders of the forbidden libraries: mounted over with empty tmpfs."""
    hidden = []
    for site in _site_packages():
        for entry in os.listdir(site):
            base = entry.split("-")[0].split(".")[0].lower()
            if base in forbidden and os.path.isdir(os.path.join(site, entry)) \
                    and not entry.endswith(("dist-info", "egg-info")):
                hidden.append(os.path.join(site, entry))
    return hidden


def _python_roots() -> list[str]:
    roots = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), sys.prefix}
    return sorted(r for r in roots if os.path.isdir(r))


@functools.lru_cache(maxsize=1)
def bwrap_available() -> bool:
    """bubblewrap installed and able to make namespaces as the sandbox user."""
    bwrap = shutil.which("bwrap")
    if not bwrap or os.environ.get("DLPHYS_NO_BWRAP"):
        return False
    probe = [bwrap, "--ro-bind", "/", "/", *_unshare(), "--die-with-parent", *_as_student(sandbox_uid()),
             "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _unshare() -> list[str]:
    """As root no user namespace is needed (and one would map the student to
    root outside); as anyone else bubblewrap needs one."""
    if os.getuid() == 0:
        return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try"]
    return ["--unshare-all"]


def _as_student(uid: int) -> list[str]:
    """Inside the sandbox, a root grader drops to `uid` with no capabilities."""
    if os.getuid() != 0:
        return []
    return [shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}",
            "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]


def _drop_privileges(uid: int):
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)


def _preexec(limits: Limits, drop_to: int | None, cgroup=None):
    def apply():
        os.setsid()  # own process group: one kill reaches every child
        if cgroup is not None:
            cgroup.enter()  # before exec: every descendant is born inside the limits
        mb = 1024 * 1024
        # CUDA reserves far more address space than any sane RLIMIT_AS: with a GPU
        # passed through, the cgroup (when there is one) bounds the memory instead.
        gpu = limits.gpu and bool(glob.glob("/dev/nvidia*")) and cgroup is not None
        address_space = resource.RLIM_INFINITY if gpu else limits.memory_mb * mb
        for what, value in ((resource.RLIMIT_AS, address_space),
                            (resource.RLIMIT_CPU, limits.cpu_seconds),
                            (resource.RLIMIT_FSIZE, limits.file_mb * mb),
                            (resource.RLIMIT_NOFILE, limits.open_files),
                            (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(what, (value, value))
        if drop_to is not None:
            _drop_privileges(drop_to)
        # Set last: after dropping root: RLIMIT_NPROC is not enforced for root.
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    return apply


def _bwrap_command(limits: Limits, forbidden, uid: int) -> list[str]:
    home = "/home/student"
    cmd = [shutil.which("bwrap"), *_unshare(), "--die-with-parent", "--new-session",
           "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for link in ("lib", "lib64", "bin", "sbin"):
        target = os.path.join("/", link)
        if os.path.islink(target):
            cmd += ["--symlink", os.readlink(target), target]
        elif os.path.isdir(target):
            cmd += ["--ro-bind", target, target]
    for etc in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/alternatives"):
        if os.path.exists(etc):
            cmd += ["--ro-bind", etc, etc]
    made = set()
    for root in _python_roots():
        cmd += _parents(root, made) + ["--ro-bind", root, root]
    if limits.gpu:
        # CUDA needs the device nodes and reads driver facts under /sys and /proc/driver.
        for node in sorted(glob.glob("/dev/nvidia*")):
            cmd += ["--dev-bind", node, node]
        if glob.glob("/dev/nvidia*"):
            cmd += ["--ro-bind", "/sys", "/sys"]
    for hidden in _hidden_dirs(forbidden):
        cmd += ["--tmpfs", hidden, "--remount-ro", hidden]
    cmd += ["--dir", "/home", "--perms", "0777", "--size", str(limits.tmp_mb * 1024 * 1024),
            "--tmpfs", home,
            "--perms", "0755", "--dir", "/grader",
            "--ro-bind", str(SANDBOX_DIR), "/grader/student_side"]
    drivers = _drivers_dir()
    if drivers is not None:
        cmd += ["--ro-bind", str(drivers), "/grader/drivers"]
    cmd += ["--chdir", home, "--clearenv"]
    for key, value in clean_env(home).items():
        cmd += ["--setenv", key, value]
    return cmd + ["--", *_as_student(uid), sys.executable, "-I", "/grader/student_side/worker.py",
                  *(["/grader/drivers"] if drivers is not None else [])]


def _drivers_dir() -> Path | None:
    from autograder import course

    drivers = course.current().drivers_dir
    return drivers if drivers.is_dir() else None


def _parents(path: str, made: set) -> list[str]:
    """Mount points' parents readable by the student (bubblewrap makes them 0700 as root)."""
    args = []
    parts = path.strip("/").split("/")[:-1]
    for i in range(1, len(parts) + 1):
        parent = "/" + "/".join(parts[:i])
        if parent not in made and parent not in ("/usr",):
            made.add(parent)
            args += ["--perms", "0755", "--dir", parent]
    return args


_warned = False


def start(limits: Limits, forbidden=(), workdir: str | None = None,
          uid: int | None = None, cgroup=None) -> subprocess.Popen:
    """Start a worker as `uid` (when the grader is root); the caller owns the
    process (see process.StudentProcess)."""
    global _warned
    uid = uid if uid is not None else sandbox_uid()
    sandboxed = bwrap_available()
    if sandboxed:
        cmd, env, cwd = _bwrap_command(limits, forbidden, uid), {}, "/"
    else:
        if not _warned:
            warnings.warn("bubblewrap is not available: student code runs with resource limits "
                          "only; it can read files the sandbox user can read (install 'bubblewrap')",
                          RuntimeWarning, stacklevel=2)
            _warned = True
        cwd = workdir or "/tmp"
        drivers = _drivers_dir()
        cmd = [sys.executable, "-I", str(SANDBOX_DIR / "worker.py"), *([str(drivers)] if drivers else [])]
        env = clean_env(cwd)
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd, env=env,
                            preexec_fn=_preexec(limits, drop_to=None if sandboxed else uid, cgroup=cgroup),
                            close_fds=True)


@functools.lru_cache(maxsize=1)
def cgroups_available() -> bool:
    from autograder.sandbox.cgroup import Cgroup

    probe = Cgroup.create(f"dlphys-probe-{os.getpid()}", 64, 8)
    if probe is None:
        return False
    probe.remove()
    return True


def isolation_mode() -> str:
    mode = "bubblewrap" if bwrap_available() else "rlimits"
    return mode + ("+cgroup" if cgroups_available() else "")
