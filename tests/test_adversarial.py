"""Hostile submissions the grader must survive with correct scores, end to end.

Every test builds a submission from the solution of `gradient_descent` (its
`import numpy` cell and the five graded functions) plus the cells of one file
in tests/hostile/, so exactly one function misbehaves. It then grades it in the
real sandbox (bubblewrap, an unprivileged uid) with the real TensorFlow references and
asserts that the misbehaving function, and only what it touches, scores zero
with a clear reason, that every other function keeps full marks, and that the
grader answers in bounded time.

Most tests call `autograder.runner.grade` on an assignment whose calls time out
after 2 s instead of 10 s; a few drive the `grade` CLI. Probes (can the student
read files, see the environment, reach the network?) also call their function
through `Session` directly to look at what came back.

The bugs this suite found (grader crashes on forged replies or huge ints, the
per-process memory limit, the student-side stray reaper, hidden inputs leaking
through printed output, ...) are fixed; their tests stay as regression tests.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from autograder import results, runner, seeds, submission
from checks import gradient_descent as gd
from autograder.sandbox import launch
from autograder.sandbox.session import Session
from autograder.spec import Rng

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).resolve().parent / "hostile"
GRADE = str(Path(sys.executable).with_name("grade"))
SOLUTION_NB = ROOT / "solutions" / "gradient_descent.ipynb"

TIMEOUT = 2.0   # seconds per call (the real table says 10)
FAST = dataclasses.replace(
    gd.ASSIGNMENT, time_budget=90.0,
    checks=[dataclasses.replace(c, timeout=TIMEOUT) for c in gd.ASSIGNMENT.checks])
POINTS = {c.function: c.points for c in FAST.checks}
FUNCTIONS = list(POINTS)
# Anything that hangs costs one timeout per function; leave room for loading,
# restarts and the first TensorFlow import of the session.
BOUND = 45.0

SANDBOXED = launch.isolation_mode().startswith("bubblewrap") and os.getuid() == 0
needs_sandbox = pytest.mark.skipif(
    not SANDBOXED, reason="probes of the isolation itself need bubblewrap and a root grader "
    "(without them the student would run as this user and could really delete files)")


# ----------------------------------------------------------------- building submissions

def _notebook() -> dict:
    return json.loads(SOLUTION_NB.read_text())


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _solution_cells() -> list[str]:
    """The solution's `import numpy` cell and the cells defining graded functions."""
    code = [_source(c) for c in _notebook()["cells"] if c["cell_type"] == "code"]
    defines = re.compile(r"^def (%s)\(" % "|".join(FUNCTIONS), re.M)
    cells = [code[0]] + [c for c in code if defines.search(c)]
    assert "import numpy" in cells[0] and len(cells) == 1 + len(FUNCTIONS)
    return cells


CORE = _solution_cells()


def hostile(name: str, **fill) -> list[str]:
    """The code cells of tests/hostile/<name>.py ("# %%" separates cells)."""
    text = (HOSTILE / f"{name}.py").read_text()
    for key, value in fill.items():
        text = text.replace("{{%s}}" % key, str(value))
    assert "{{" not in text, f"unfilled placeholder in {name}.py"
    return [c.strip("\n") + "\n" for c in re.split(r"^# %%.*$", text, flags=re.M) if c.strip()]


def appended(name: str, **fill) -> list[str]:
    return CORE + hostile(name, **fill)


def early(name: str, **fill) -> list[str]:
    """The hostile cells right after `import numpy`, before every graded function."""
    return CORE[:1] + hostile(name, **fill) + CORE[1:]


# ----------------------------------------------------------------- grading and verdicts

def grade(cells, assignment=FAST, student="mallory", seed=20240601):
    return runner.grade(assignment, cells, student, seed)


def describe(report) -> str:
    lines = [f"score {report.score} in {report.timings['total']:.1f} s"]
    lines += [f"  cell {p.cell}: {p.kind}: {p.message[:150]}" for p in report.cell_problems]
    for t in report.tests:
        lines.append(f"  {'PASS' if t.passed else 'FAIL'} {t.name} [{t.kind}] "
                     f"{t.feedback[:200]!r}".replace("\\n", " | "))
    return "\n".join(lines)


def assert_verdict(report, broken=(), kinds=None, says=(), bound=BOUND):
    """`broken` functions score zero (each test failed, of one of `kinds`, the
    first one's feedback containing every string of `says`); all others full."""
    broken = set(broken)
    info = describe(report)
    scores = report.function_scores()
    assert set(scores) == set(FUNCTIONS), info
    for function in FUNCTIONS:
        tests = [t for t in report.tests if t.function == function]
        if function in broken:
            assert scores[function][0] == 0 and not any(t.passed for t in tests), info
            if kinds is not None:
                assert {t.kind for t in tests} <= set(kinds), info
            for text in says:
                assert text.lower() in tests[0].feedback.lower(), info
        else:
            assert scores[function][0] == pytest.approx(POINTS[function]), info
    assert report.score == pytest.approx(100 - sum(POINTS[f] for f in broken)), info
    assert report.timings["total"] < bound, info
    # Whatever happened, the report still makes a valid results.json.
    json.dumps(results.to_gradescope(report))


def call_in_sandbox(cells, function, kwargs=None, timeout=20.0):
    """Run `function` in a fresh student process and return the CallResult."""
    session = Session(cells, runner.limits_for(FAST), FAST.forbidden, time_budget=60.0).start()
    try:
        return session.call(function, kwargs or {}, timeout)
    finally:
        session.close()


GD_ARGS = {"x": 0.0, "y_true": 0.0, "W": 0.0, "b": 0.0, "learning_rate": 0.0, "n_steps": 0}


# ----------------------------------------------------------------- processes left behind

def _status(pid: str) -> dict:
    with open(f"/proc/{pid}/status") as f:
        return dict(line.split(":", 1) for line in f if ":" in line)


def _descends_from(pid: int, ancestor: int) -> bool:
    for _ in range(64):
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
        try:
            pid = int(_status(str(pid))["PPid"])
        except (OSError, KeyError, ValueError):
            return False
    return False


def leftovers(marker: str | None = None) -> list[str]:
    """Processes of a sandbox user (any uid but the grader's) that this test
    started: descendants of this process, or carrying `marker` on their command
    line. Other graders may run on the machine at the same time: theirs are not
    ours to judge."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if int(_status(pid)["Uid"].split()[0]) == os.getuid():
                continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except (OSError, KeyError, ValueError):
            continue
        if (marker and marker in cmd) or _descends_from(int(pid), os.getpid()):
            found.append(f"{pid}: {cmd or '<zombie>'}")
    return found


def assert_no_leftovers(marker: str | None = None, wait: float = 10.0):
    deadline = time.monotonic() + wait
    while (left := leftovers(marker)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"sandbox processes left behind: {left}"


@pytest.fixture
def world_dir():
    """A folder in the grader's /tmp that the sandbox user could read and write
    if it were visible at all."""
    path = Path(tempfile.mkdtemp(prefix="dlphys-hostile-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


# ================================================================= exits and crashes

def test_sys_exit_at_top_level_fails_only_its_cell():
    report = grade(early("exit_top_level"))
    assert_verdict(report)
    assert [(p.cell, p.kind) for p in report.cell_problems] == [(1, "SystemExit")], describe(report)


def test_os_exit_at_top_level_skips_that_cell_and_grades_the_rest():
    report = grade(early("os_exit_top_level"))
    assert_verdict(report)
    [problem] = report.cell_problems
    assert problem.cell == 1 and problem.kind == "crash", describe(report)
    assert "skipped" in problem.message and "exited with code 1" in problem.message


def test_os_exit_inside_a_graded_function_fails_that_function_only():
    report = grade(appended("os_exit_in_function"))
    assert_verdict(report, broken={"gradient_descent"}, kinds={"crash"},
                   says=["exited with code 1"])


@pytest.mark.parametrize("what", ["KeyboardInterrupt", "SystemExit", "sys.exit(0)", "GeneratorExit",
                                  "signal.SIGINT"])
def test_base_exceptions_raised_in_a_function_are_ordinary_failures(what):
    body = {"KeyboardInterrupt": "raise KeyboardInterrupt",
            "SystemExit": "raise SystemExit(3)",
            "sys.exit(0)": "sys.exit(0)",
            "GeneratorExit": "raise GeneratorExit",
            "signal.SIGINT": "os.kill(os.getpid(), signal.SIGINT)"}[what]
    bad = ("import os, signal, sys\n\n"
           f"def gradient_descent(x, y_true, W, b, learning_rate, n_steps):\n    {body}\n")
    expected = {"sys.exit(0)": "SystemExit", "signal.SIGINT": "KeyboardInterrupt"}.get(what, what)
    report = grade(CORE + [bad])
    assert_verdict(report, broken={"gradient_descent"}, kinds={"error"},
                   says=[f"raised {expected}"])


# ================================================================= hangs

def test_infinite_loop_in_a_function_times_out_and_the_rest_is_graded():
    report = grade(appended("loop_in_function"))
    assert_verdict(report, broken={"gradient_descent"}, kinds={"timeout"},
                   says=[f"did not return within {TIMEOUT:g} s"])


def test_infinite_loop_at_top_level_skips_that_cell(monkeypatch):
    class QuickLoad(Session):  # the real table waits 60 s for a cell
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **{**kwargs, "load_timeout": 3.0})
    monkeypatch.setattr(runner, "Session", QuickLoad)
    report = grade(early("loop_top_level"))
    assert_verdict(report)
    [problem] = report.cell_problems
    assert problem.cell == 1 and problem.kind == "timeout", describe(report)
    assert "did not finish in time" in problem.message and "skipped" in problem.message


def test_a_function_ignoring_sigterm_is_killed_anyway():
    report = grade(appended("sigterm_ignored"))
    assert_verdict(report, broken={"gradient_descent"}, kinds={"timeout"},
                   says=[f"did not return within {TIMEOUT:g} s"])
    assert_no_leftovers()


# ================================================================= memory

def with_timeout(seconds: float):
    """FAST, with more time per call (filling 1 GB page by page takes ~1.5 s)."""
    return dataclasses.replace(FAST, checks=[dataclasses.replace(c, timeout=seconds)
                                             for c in FAST.checks])


def test_memory_bomb_fails_with_out_of_memory():
    report = grade(appended("memory_bomb"), assignment=with_timeout(10))
    assert_verdict(report, broken={"gradient_descent"}, kinds={"memory"},
                   says=["ran out of memory"])


def test_memory_bomb_that_swallows_memory_error_is_stopped():
    report = grade(appended("memory_bomb_catching"), assignment=with_timeout(5))
    assert_verdict(report, broken={"gradient_descent"}, kinds={"timeout", "memory", "crash"})
    assert_no_leftovers()


def _sandbox_memory_mb() -> float:
    """Proportional set size of all sandbox processes this test started."""
    total = 0
    for entry in leftovers():
        try:
            with open(f"/proc/{entry.split(':')[0]}/smaps_rollup") as f:
                total += sum(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except OSError:
            pass
    return total / 1024


@needs_sandbox
def test_memory_limit_holds_for_the_whole_sandbox_not_each_process():
    limit = runner.limits_for(FAST).memory_mb
    session = Session(appended("memory_by_forking"), runner.limits_for(FAST), FAST.forbidden,
                      time_budget=60.0).start()
    caller = threading.Thread(target=session.call, args=("gradient_descent", GD_ARGS, 8.0))
    caller.start()
    peak = 0.0
    try:
        while caller.is_alive():
            peak = max(peak, _sandbox_memory_mb())
            time.sleep(0.25)
    finally:
        caller.join()
        session.close()
    assert_no_leftovers()
    assert peak <= limit * 1.1, f"the sandbox held {peak:.0f} MB with a {limit} MB limit"


def test_returning_a_200_mb_array_fails_cleanly():
    report = grade(appended("huge_return"), assignment=with_timeout(15))
    assert_verdict(report, broken={"gradient_descent"}, kinds={"too_large", "memory", "crash"},
                   bound=60)
    feedback = next(t.feedback for t in report.tests if t.function == "gradient_descent")
    assert "larger than" in feedback or "out of memory" in feedback, describe(report)


# ================================================================= processes

@needs_sandbox
def test_fork_bomb_is_bounded_and_later_functions_are_graded():
    report = grade(appended("fork_bomb"))
    # minibatch_indices comes after gradient_descent: the grader survived.
    assert_verdict(report, broken={"gradient_descent"}, kinds={"error", "crash", "timeout"})
    assert_no_leftovers()


@needs_sandbox
def test_daemons_left_behind_by_a_function_are_ended():
    marker = f"dlphys-daemon-{uuid.uuid4().hex}"
    report = grade(appended("fork_sleepers", MARKER=marker))
    assert_verdict(report)   # forking is no crime; the answers are right
    assert_no_leftovers(marker)


TAMPER_WITH_REAPER = {
    "untouched": "",
    "environment cleared": "import os\nos.environ.clear()\n",
    "fork guard removed": "import sys\nsys.modules['student_side.worker']._only_main_process = lambda: None\n",
}


@needs_sandbox
@pytest.mark.parametrize("tamper", list(TAMPER_WITH_REAPER))
def test_processes_left_by_a_call_are_ended_before_the_next_call(tamper):
    """Between two calls nothing of the student's may keep running (a busy
    daemon would steal CPU from every later test, and from other gradings on
    the machine), whatever the student did to the worker at top level."""
    marker = f"dlphys-daemon-{uuid.uuid4().hex}"
    cells = appended("fork_sleepers", MARKER=marker) + [TAMPER_WITH_REAPER[tamper]]
    session = Session(cells, runner.limits_for(FAST), FAST.forbidden, time_budget=60.0).start()
    try:
        args = {"x": np.ones((3, 1)), "y_true": np.ones((3, 1)), "W": np.zeros((1, 1)),
                "b": np.zeros(1), "learning_rate": 0.5, "n_steps": 2}
        call = session.call("gradient_descent", args, 10.0)
        assert call.ok, call.message
        time.sleep(0.5)
        between_calls = [p for p in leftovers(marker) if marker in p]
    finally:
        session.close()
    assert between_calls == []
    assert_no_leftovers(marker)


# ================================================================= output

@pytest.mark.parametrize("where", ["top_level", "in_function"])
def test_100_mb_of_output_is_capped(where):
    report = grade(appended(f"print_flood_{where}"))
    assert_verdict(report, bound=90)
    assert len(report.output) < 200_000, len(report.output)
    assert "dropped" in report.output
    gradescope = results.to_gradescope(report)
    assert len(json.dumps(gradescope)) < 100_000


def test_hidden_inputs_do_not_leak_through_printed_output():
    seed = 777
    report = grade(appended("print_inputs"), seed=seed)
    assert_verdict(report)
    check = FAST.check("gradient_descent")
    hidden = [case.make(Rng(seeds.case_seed(check.function, i, True, seed)).make())["x"]
              for i, case in enumerate(check.cases) if case.hidden]
    visible_to_student = json.dumps([results.to_gradescope(report)["output"]] + [
        t for t in results.to_gradescope(report)["tests"] if t["visibility"] == "visible"])
    assert "INPUT x =" in report.output   # the student did print them ...
    firsts = [repr(float(x.ravel()[0])) for x in hidden]
    leaked = [v for v in firsts if v in visible_to_student]
    assert leaked == []                   # ... but sees no hidden input


# ================================================================= values that lie

def test_objects_equal_to_everything_do_not_pass():
    report = grade(appended("always_equal"))
    assert_verdict(report, broken={"gradient_descent", "minibatch_indices"}, kinds={"wrong"})
    feedback = next(t.feedback for t in report.tests if t.function == "gradient_descent")
    assert "AlwaysEqual" in feedback, describe(report)


def test_patching_numpy_comparisons_does_not_help():
    report = grade(appended("patch_numpy"))
    assert_verdict(report, broken={"gradient_descent"}, kinds={"wrong"}, says=["entries differ"])


ODD_RETURNS = {
    "instance of a class": ("class Thing:\n    pass\n", "Thing()", "Thing"),
    "generator": ("", "(v for v in (W, b, []))", "generator"),
    "lambda": ("", "lambda: (W, b, [])", "function"),
    "module": ("", "np", "module"),
    "set": ("", "{1, 2, 3}", "set"),
    "tuple of lambdas": ("", "(lambda: W, lambda: b, lambda: [])", "function"),
    "object array": ("", "(np.array([W, 'x'], dtype=object), b, [])", "object"),
    # cut at wire.MAX_DEPTH while encoding: arrives as a short list, fails the tuple check
    "self-containing list": ("", "(lambda l: (l.append(l), l)[1])([])", "tuple of 3"),
    "dict with int keys": ("", "{1: W}", "dict"),
    "float subclass": ("class F(float):\n    def __eq__(self, o):\n        return True\n",
                       "(F(0), F(0), F(0))", "F"),
}


@pytest.mark.parametrize("what", list(ODD_RETURNS))
def test_odd_return_values_fail_cleanly(what):
    prelude, value, mentioned = ODD_RETURNS[what]
    bad = (f"import numpy as np\n{prelude}\n"
           f"def gradient_descent(x, y_true, W, b, learning_rate, n_steps):\n    return {value}\n")
    report = grade(CORE + [bad])
    assert_verdict(report, broken={"gradient_descent"}, kinds={"wrong"}, says=[mentioned])


def test_in_place_mutation_fails_with_a_message():
    report = grade(appended("mutate_in_place"))
    assert_verdict(report, broken={"gradient_descent"}, kinds={"wrong"}, says=["in place"])


def test_in_place_mutation_is_caught_even_when_the_student_patches_the_check():
    report = grade(appended("mutate_in_place_hidden"))
    assert_verdict(report, broken={"gradient_descent"}, kinds={"wrong"}, says=["in place"])


# ================================================================= forbidden libraries

def test_tensorflow_is_forbidden_with_a_clear_reason():
    report = grade(appended("tensorflow_import"))
    assert_verdict(report, broken={"gradient_descent"}, kinds={"forbidden"},
                   says=["tensorflow", "not allowed"])
    problems = [p for p in report.cell_problems]
    assert [p.cell for p in problems] == [len(CORE) + 1], describe(report)
    assert "tensorflow" in problems[0].message


def test_scipy_is_forbidden_with_a_clear_reason():
    report = grade(appended("scipy_import"))
    assert_verdict(report, broken={"minibatch_indices"}, kinds={"forbidden"},
                   says=["scipy", "not allowed"])


# ================================================================= isolation probes

@needs_sandbox
def test_course_files_and_the_secret_cannot_be_read(world_dir):
    canary = world_dir / "grader-canary.txt"
    canary.write_text("CANARY-CONTENT")
    canary.chmod(0o644)
    paths = [str(ROOT / "solutions" / "convolution.ipynb"),
             str(ROOT / "solutions" / "gradient_descent.ipynb"),
             str(ROOT / "reference_impl" / "convolution.py"),
             str(ROOT / "autograder" / "runner.py"),
             str(seeds.DEFAULT_SECRET_FILE), "/root/.config/dlphys-grader/secret",
             str(canary), "/etc/shadow", "/etc/passwd"]
    cells = appended("read_secrets", PATHS=repr(paths))
    assert_verdict(grade(cells), broken={"gradient_descent"}, kinds={"wrong"})

    call = call_in_sandbox(cells, "gradient_descent", GD_ARGS)
    assert call.ok, call.message
    found = call.value
    for path in paths:
        assert found[path] in ("FileNotFoundError", "PermissionError"), (path, found[path])
    assert found["ls /work/main"] in ("FileNotFoundError", "LISTED: .venv"), found
    for folder in ("/root", "/work/main/solutions", "/work/main/reference_impl"):
        assert not found["ls " + folder].startswith("LISTED") or found["ls " + folder] in (
            "LISTED: ", "LISTED: .pyenv"), found
    assert "CANARY-CONTENT" not in json.dumps(found)


@needs_sandbox
def test_grader_environment_is_invisible(monkeypatch):
    monkeypatch.setenv("DLPHYS_CANARY", "secret-canary")
    monkeypatch.setenv("DLPHYS_GRADER_SECRET", "course-secret-canary")
    cells = appended("environ")
    assert_verdict(grade(cells), broken={"gradient_descent"}, kinds={"wrong"})

    call = call_in_sandbox(cells, "gradient_descent", GD_ARGS)
    assert call.ok, call.message
    seen = json.dumps(call.value)
    assert "secret-canary" not in seen and "course-secret-canary" not in seen
    assert "DLPHYS_GRADER_SECRET" not in seen and "DLPHYS_CANARY" not in seen
    assert "pytest" not in seen            # no grader command line either
    env = call.value["os.environ"]
    assert env["HOME"] != os.environ.get("HOME") and "VIRTUAL_ENV" not in env


@needs_sandbox
def test_no_network_at_all():
    tcp = socket.socket()
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(5)
    tcp.settimeout(0.5)
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    udp.settimeout(0.5)
    cells = appended("network", PORT=port)
    try:
        assert_verdict(grade(cells), broken={"minibatch_indices"}, kinds={"wrong"})
        call = call_in_sandbox(cells, "minibatch_indices",
                               {"n_samples": 1, "batch_size": 1, "rng": None})
        assert call.ok, call.message
        tried = call.value
        assert not any(v in ("CONNECTED", "RESOLVED") for v in tried.values()), tried
        assert tried[f"127.0.0.1:{port}"] == "ConnectionRefusedError", tried   # its own loopback
        for outside in ("1.1.1.1:53", "8.8.8.8:53", "10.0.0.1:80"):
            assert tried[outside] == "OSError", tried                         # unreachable
        with pytest.raises(socket.timeout):
            tcp.accept()
        with pytest.raises(socket.timeout):
            udp.recvfrom(100)
    finally:
        tcp.close()
        udp.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@needs_sandbox
def test_deleting_everything_reachable_harms_nothing_of_the_grader(world_dir):
    canary = world_dir / "do-not-delete.txt"
    canary.write_text("still here")
    canary.chmod(0o666)
    guarded = [launch.SANDBOX_DIR / "worker.py", launch.SANDBOX_DIR / "wire.py", SOLUTION_NB,
               ROOT / "solutions" / "convolution.ipynb",
               ROOT / "exercises" / "gradient_descent.ipynb"]
    before = {p: _digest(p) for p in guarded}
    cells = appended("delete_files", CANARY=canary)

    report = grade(cells)   # deletes its cwd at load, everything reachable on every call
    assert_verdict(report, broken={"gradient_descent"}, kinds={"wrong"})
    call = call_in_sandbox(cells, "gradient_descent", GD_ARGS)
    assert call.ok, call.message
    removed, refused = call.value
    assert not [p for p in removed if p.startswith("/grader") or "do-not-delete" in p], removed
    assert refused["/grader/student_side/worker.py"] in ("OSError", "PermissionError"), refused
    assert canary.read_text() == "still here"
    assert {p: _digest(p) for p in guarded} == before
    # ... and the grader still grades: the solution gets full marks.
    assert_verdict(grade(CORE))


@needs_sandbox
def test_fake_results_json_in_the_student_process_changes_nothing(tmp_path):
    out = tmp_path / "out" / "results.json"
    cells = appended("fake_results", OUT=out)
    report = grade(cells)
    assert_verdict(report, broken={"gradient_descent"}, kinds={"wrong"})
    assert not out.exists()   # the student could not write it


# ================================================================= the protocol channel

def test_garbage_and_closed_descriptors_on_the_protocol_channel():
    report = grade(appended("protocol_garbage"))
    assert_verdict(report, broken={"gradient_descent", "minibatch_indices"},
                   kinds={"protocol", "crash", "timeout"})


def test_an_integer_too_large_for_a_float_fails_cleanly():
    report = grade(appended("big_int"))
    # gradient_descent records mse_loss values: it touches mse_loss.
    assert_verdict(report, broken={"mse_loss", "gradient_descent"}, kinds={"wrong", "error"})


def test_a_forged_reply_with_wrong_types_fails_cleanly():
    report = grade(appended("forged_reply"))
    # the forgery answers the first call; the sleeping function then times out the rest
    assert_verdict(report, broken={"gradient_descent"}, kinds={"protocol", "wrong", "crash", "timeout"})


def test_a_forged_deeply_nested_reply_fails_cleanly():
    report = grade(appended("forged_deep_json"))
    assert_verdict(report, broken={"gradient_descent"}, kinds={"protocol", "crash"})


# ================================================================= restarts, start, neighbours

def test_out_of_memory_deaths_do_not_use_up_the_restarts_of_other_functions():
    # What returning a 200 MB array does to the process (it dies with MemoryError
    # in its output), made quick: print the word and exit.
    dies = ("import os, sys\n\n"
            "def _die():\n    sys.stderr.write('MemoryError\\n')\n    sys.stderr.flush()\n"
            "    os._exit(1)\n\n"
            "def linear_model(x, W, b): _die()\n"
            "def mse_loss(y_pred, y_true): _die()\n"
            "def mse_gradients(x, y_true, W, b): _die()\n"
            "def gradient_descent(x, y_true, W, b, learning_rate, n_steps): _die()\n")
    report = grade(CORE + [dies])
    assert_verdict(report, broken=set(FUNCTIONS) - {"minibatch_indices"}, kinds={"memory"},
                   says=["out of memory"])


def test_a_student_process_that_cannot_start_fails_closed(monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", sys.executable)
    monkeypatch.setattr(launch, "start", refuse)
    report = grade(CORE)
    assert report.score == 0 and all(t.kind in ("crash", "missing") for t in report.tests)


@needs_sandbox
def test_one_submissions_processes_do_not_starve_other_gradings():
    """Regression: with one shared sandbox uid, RLIMIT_NPROC (counted per uid
    on the whole machine) let a submission holding its 256 processes make
    every sandbox started meanwhile fail (setpriv's exec got EAGAIN: exit 126)."""
    bully = Session(appended("hold_processes"), runner.limits_for(FAST), FAST.forbidden,
                    60.0).start()
    holder = threading.Thread(target=bully.call, args=("gradient_descent", GD_ARGS, 6.0))
    holder.start()
    bystander = None
    try:
        time.sleep(3.0)   # time to fill the process table
        # Two other students graded at the same time (as with --jobs 3).
        bystander = Session(CORE, runner.limits_for(FAST), FAST.forbidden, 60.0).start()
        report = grade(CORE)
        first = bystander.call("linear_model", {"x": np.ones((1, 1)), "W": np.ones((1, 1)),
                                                "b": np.ones(1)}, 5.0)
    finally:
        holder.join()
        bully.close()
        if bystander is not None:
            bystander.close()
    assert_no_leftovers()
    assert first.ok and first.value.tolist() == [[2.0]], first
    assert_verdict(report)


# ================================================================= notebooks

def _write_notebook(path: Path, cells, *, ids=True, minor=5, metadata=True) -> Path:
    """cells: (cell_type, source) pairs -> an nbformat 4 file."""
    nb_cells = []
    for i, (kind, source) in enumerate(cells):
        cell = {"cell_type": kind, "metadata": {}, "source": source.splitlines(True)}
        if ids:
            cell["id"] = f"cell-{i}"
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        nb_cells.append(cell)
    nb = {"cells": nb_cells, "nbformat": 4, "nbformat_minor": minor,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"}} if metadata else {}}
    path.write_text(json.dumps(nb, indent=1))
    return path


def _grade_notebook(path: Path):
    return grade(submission.load(path).cells)


def _code(cells):
    return [("code", c) for c in cells]


def test_notebook_with_ipython_magics(tmp_path):
    imports, *functions = CORE
    cells = [("code", "%matplotlib inline\n%load_ext autoreload\n%autoreload 2\n" + imports),
             ("code", "!pip install numpy\n!ls -la | head\nfiles = !ls\nhere = %pwd\n"
                      "print('shell lines dropped')"),
             ("code", "%%time\n" + functions[0]),
             ("code", "%%timeit -n 1\nlinear_model(np.ones((2, 3)), np.ones((3, 2)), np.ones(2))"),
             ("code", "%%bash\necho 'a bash cell'\nls /\n"),
             ("code", "np.mean?\n%whos\n%env\n"),
             ("code", "%%capture captured\n" + functions[1]),
             *_code(functions[2:]),
             ("code", "for i in range(3):\n"
                      "    %time linear_model(np.ones((1, 1)), np.ones((1, 1)), 0)\n"
                      "    !echo {i}\n"),
             ("code", "result = 7 % 3\nassert result != 2 or True\n")]
    report = _grade_notebook(_write_notebook(tmp_path / "magics.ipynb", cells))
    assert_verdict(report)
    assert report.cell_problems == [], describe(report)


def test_notebook_with_a_syntax_error_cell(tmp_path):
    cells = _code(CORE[:3]) + [("code", "def half_typed(:\n    retrun 1\n")] + _code(CORE[3:])
    report = _grade_notebook(_write_notebook(tmp_path / "syntax.ipynb", cells))
    assert_verdict(report)
    assert [p.kind for p in report.cell_problems] == ["SyntaxError"], describe(report)


def test_markdown_between_code_cells_is_ignored(tmp_path):
    cells = []
    for source in CORE:
        cells += [("markdown", "## A heading\n\n```python\ndef linear_model(x, W, b):\n"
                               "    return 0  # code in markdown never runs\n```\n"),
                  ("raw", "def mse_loss(y_pred, y_true):\n    return 0\n"),
                  ("code", source)]
    report = _grade_notebook(_write_notebook(tmp_path / "markdown.ipynb", cells))
    assert_verdict(report)


def test_cells_in_a_different_order(tmp_path):
    # Functions defined before the helpers they call, numpy imported last.
    cells = _code(list(reversed(CORE)))
    report = _grade_notebook(_write_notebook(tmp_path / "reordered.ipynb", cells))
    assert_verdict(report)


def _split(source: str, after: str) -> tuple[str, str]:
    cut = source.index(after) + len(after)
    return source[:cut], source[cut:].lstrip("\n")


def test_function_split_across_cells(tmp_path):
    functions = dict(zip(FUNCTIONS, CORE[1:]))
    # Mid-block: the first part does not parse on its own.
    gd_head, gd_tail = _split(functions["gradient_descent"], "for t in range(n_steps):\n")
    # At a statement boundary: the first part parses alone (and would return None).
    grad_head, grad_tail = _split(functions["mse_gradients"],
                                  "residual.size         # dL/dy_pred, mean over N * n_out\n")
    assert not gd_tail.startswith("def") and grad_tail.startswith("    ")
    cells = _code([CORE[0], functions["linear_model"], functions["mse_loss"], grad_head, grad_tail,
                   gd_head]) + [("markdown", "a note in between")] + _code(
        [gd_tail, functions["minibatch_indices"]])
    report = _grade_notebook(_write_notebook(tmp_path / "split.ipynb", cells))
    assert_verdict(report)


def test_notebook_v4_without_cell_ids(tmp_path):
    import nbformat

    cells = [("markdown", "# no ids, no metadata")] + _code(CORE)
    path = _write_notebook(tmp_path / "old.ipynb", cells, ids=False, minor=4, metadata=False)
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)   # a valid v4.4 notebook ...
    assert not any("id" in c for c in json.loads(path.read_text())["cells"])   # ... without ids
    assert_verdict(_grade_notebook(path))


# ================================================================= the real CLI

def _run_cli(notebook: Path, out: Path, cwd: Path, *extra):
    start = time.monotonic()
    proc = subprocess.run([GRADE, "run", str(notebook), "-o", str(out), *extra], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    return proc, time.monotonic() - start


def _function_scores(data: dict) -> dict:
    scores: dict = {}
    for test in data["tests"]:
        assert test["tags"][0] == "gradient_descent"
        scores[test["tags"][1]] = scores.get(test["tags"][1], 0) + test["score"]
    return scores


@pytest.mark.slow
def test_cli_ignores_fake_results_json(tmp_path):
    """The student writes a perfect results.json in its cwd and at the grader's
    -o path; the file the CLI leaves there is the grader's own."""
    out = tmp_path / "out" / "results.json"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    nb = _notebook()
    nb["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                        "source": "\n# %%\n".join(hostile("fake_results", OUT=out))})
    path = tmp_path / "mallory.ipynb"   # metadata names the assignment
    path.write_text(json.dumps(nb))
    proc, seconds = _run_cli(path, out, cwd)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text())
    assert "FAKED" not in out.read_text()
    assert data["score"] == pytest.approx(70.0) and data["max_score"] == pytest.approx(100.0)
    scores = _function_scores(data)
    assert scores["gradient_descent"] == 0
    assert {f: round(s, 3) for f, s in scores.items() if f != "gradient_descent"} == \
        {f: POINTS[f] for f in FUNCTIONS if f != "gradient_descent"}
    assert data["extra_data"]["assignment"] == "gradient_descent"
    assert data["extra_data"]["student"] == "mallory"
    assert list(cwd.iterdir()) == []
    assert seconds < 120


@pytest.mark.slow
def test_cli_grades_a_notebook_full_of_trouble(tmp_path):
    """nbformat 4.4 without ids, magics, a top-level os._exit, 100 MB of prints
    and tensorflow in one function, through the CLI: exit 0, a right score, a
    capped output."""
    imports, *functions = CORE
    flood = hostile("print_flood_top_level")[0]
    cells = [("code", "%matplotlib inline\n" + imports),
             ("code", flood),
             ("markdown", "### the next cell kills the process"),
             ("code", "import os\nos._exit(3)\n"),
             *_code(functions),
             ("code", "!pip install tensorflow\nimport tensorflow as tf\n\n"
                      "def minibatch_indices(n_samples, batch_size, rng):\n"
                      "    order = tf.random.shuffle(tf.range(n_samples)).numpy()\n"
                      "    return [order[i:i + batch_size]\n"
                      "            for i in range(0, n_samples, batch_size)]\n")]
    path = _write_notebook(tmp_path / "trouble_gradient_descent.ipynb", cells, ids=False, minor=4)
    out = tmp_path / "results.json"
    proc, seconds = _run_cli(path, out, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text())
    assert data["score"] == pytest.approx(80.0), data["output"]
    scores = _function_scores(data)
    assert scores["minibatch_indices"] == 0
    mb = [t for t in data["tests"] if t["tags"][1] == "minibatch_indices"]
    assert all(t["status"] == "failed" and "tensorflow" in t["output"] for t in mb)
    assert [p["cell"] for p in data["extra_data"]["cell_problems"]] == [2]
    assert len(data["output"]) < 10_000 and len(out.read_text()) < 200_000
    assert seconds < 120
