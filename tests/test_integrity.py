"""Integrity around the sandbox (issue 9): what the grader itself does with
hostile submissions. Links out of the submission, hidden-test feedback that
quotes student text, student names that are not folder names, text that
crashes writers or the terminal, one odd answer costing more than its test,
a submission whose file name and metadata disagree.

Each test is one attack; each failed on the code before the fix.
"""
from __future__ import annotations

import csv
import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import names, results, runner, seeds, submission
from autograder.student_side.compare import compare
from autograder.sandbox import launch
from autograder.sandbox.session import Session
from autograder.spec import Assignment, Case, Check, Rng

ROOT = Path(__file__).resolve().parents[1]
GRADE = str(Path(sys.executable).with_name("grade"))
EXAMPLES = ROOT / "examples" / "submissions"
SOLUTION = ROOT / "solutions" / "gradient_descent.ipynb"
# What a default secret looked like before the fix: token_hex(32), here one starting with a letter.
OLD_STYLE_SECRET = "abcdef" + "0123456789" * 5 + "abcdefab"


def grade_cli(*args, cwd=None, timeout=300):
    return subprocess.run([GRADE, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)


def everything_written(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(folder.rglob("*"))
                     if p.is_file())


# ================================================================= 1. links out of the submission

def test_load_refuses_a_link_to_the_secret(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(OLD_STYLE_SECRET)
    link = tmp_path / "subs" / "mallory.py"
    link.parent.mkdir()
    link.symlink_to(secret)
    with pytest.raises(submission.SubmissionError, match="symbolic link"):
        submission.load(link)


def test_load_refuses_a_file_reached_through_a_linked_folder(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "mallory").symlink_to(ROOT / "solutions")
    with pytest.raises(submission.SubmissionError, match="outside the submission folder"):
        submission.load(tmp_path / "subs" / "mallory" / "gradient_descent.ipynb", within=tmp_path / "subs")


def test_grade_run_refuses_a_link_to_the_solution(tmp_path):
    link = tmp_path / "alice_gradient_descent.ipynb"
    link.symlink_to(SOLUTION)
    done = grade_cli("run", link, "-o", tmp_path / "r.json", "-q")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and "symbolic link" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "r.json").exists()


def test_grade_run_refuses_a_link_to_the_secret_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(OLD_STYLE_SECRET + "\n")
    link = tmp_path / "gradient_descent.py"
    link.symlink_to(secret)
    done = grade_cli("run", link, "-o", tmp_path / "r.json", "--secret-file", secret)
    assert done.returncode == 2
    assert OLD_STYLE_SECRET not in done.stdout + done.stderr
    assert not (tmp_path / "r.json").exists()


def test_a_fifo_or_a_huge_file_is_refused_without_reading_it(tmp_path):
    fifo = tmp_path / "gradient_descent.py"
    os.mkfifo(fifo)   # reading it would block forever
    with pytest.raises(submission.SubmissionError, match="not a regular file"):
        submission.load(fifo)
    huge = tmp_path / "huge.py"
    with open(huge, "wb") as f:
        f.truncate(submission.MAX_BYTES + 1)
    with pytest.raises(submission.SubmissionError, match="larger than"):
        submission.load(huge)


def test_a_new_default_secret_is_never_a_python_name(tmp_path, monkeypatch):
    """Defence in depth: even run as a cell, the secret's NameError can't repeat it."""
    monkeypatch.setattr(seeds, "DEFAULT_SECRET_FILE", tmp_path / "cfg" / "secret")
    monkeypatch.delenv(seeds.SECRET_ENV, raising=False)
    monkeypatch.setattr(seeds.secrets, "token_hex", lambda n: OLD_STYLE_SECRET)
    secret = seeds.load_secret().decode()
    assert not secret.isidentifier()
    assert oct((tmp_path / "cfg" / "secret").stat().st_mode & 0o777) == "0o600"
    with pytest.raises(Exception) as raised:
        exec(compile(secret, "<cell 1>", "exec"), {})
    assert OLD_STYLE_SECRET not in str(raised.value)


@pytest.mark.slow
def test_batch_records_linked_submissions_as_unreadable_and_grades_the_rest(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(OLD_STYLE_SECRET + "\n")
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(EXAMPLES / "alice_gradient_descent.ipynb", subs / "alice.ipynb")
    (subs / "mallory.py").symlink_to(secret)                      # flat layout
    (subs / "trudy").mkdir()                                      # nbgrader layout
    (subs / "trudy" / "gradient_descent").symlink_to(ROOT / "solutions")
    (subs / "eve.ipynb").symlink_to(SOLUTION)
    out = tmp_path / "out"
    done = grade_cli("batch", subs, "-a", "gradient_descent", "-o", out, "--jobs", "1",
                     "--secret-file", secret, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    db = sqlite3.connect(out / "gradebook.sqlite")
    rows = {s: (score, status) for s, score, status in db.execute(
        "SELECT student, score, status FROM submissions")}
    db.close()
    assert rows == {"alice": (100.0, "graded"), "mallory": (0.0, "unreadable"),
                    "trudy": (0.0, "unreadable"), "eve": (0.0, "unreadable")}
    written = everything_written(out)
    assert OLD_STYLE_SECRET not in written and "symbolic link" in written


# ================================================================= 2. hidden tests' words

def _leak(value) -> str:
    return repr(float(value))


class _Sneak:
    pass


# One graded function per channel; every case hidden, the input a distinctive float.
# `round` and `dict` accept number=... and make fine grader-side references.
CHANNELS = {
    "as_type_name": ("builtins:round", "int",
                     "def as_type_name(number):\n"
                     "    return type(repr(float(number)), (), {})()\n"),
    "as_whole_number": ("builtins:round", "int",
                        "def as_whole_number(number):\n    return float(number)\n"),
    "as_mutation": ("builtins:round", "int",
                    "import sys\n"   # the grader's modules in the student process
                    "def as_mutation(number):\n"
                    "    sys.modules['student_side.calling']._mutated = lambda before, after: [repr(float(number))]\n"
                    "    return round(number)\n"),
    "as_wire_tag": ("builtins:round", "int",
                    "import sys\n"
                    "_worker = sys.modules['student_side.worker']\n"
                    "_encode = _worker.wire.encode\n"
                    "class Tagged:\n    def __init__(self, tag):\n        self.tag = tag\n"
                    "def _forged(value, depth=0):\n"
                    "    return {value.tag: 0} if isinstance(value, Tagged) else _encode(value, depth)\n"
                    "_worker.wire.encode = _forged\n"
                    "def as_wire_tag(number):\n    return Tagged(repr(float(number)))\n"),
    "as_dict_key": ("builtins:dict", "dict",
                    "def as_dict_key(number):\n    return {repr(float(number)): 1}\n"),
    # the size of an error, computed from the student's value, is a channel too
    "as_scalar_error": ("builtins:round", "scalar",
                        "def as_scalar_error(number):\n    return round(number) * (1 + 1000 * number)\n"),
    "as_array_error": ("numpy:asarray", "array",
                       "def as_array_error(a):\n    return 1000 * a\n"),
}
NO_NUMBERS = ("as_scalar_error", "as_array_error")
LEAKY = Assignment(
    id="leaky", title="hidden-test channels", numpy_only=True, time_budget=90.0,
    checks=[Check(function=f, points=1, reference=ref, returns=returns, timeout=5.0,
                  cases=[Case(f"hidden: {i}", (lambda rng: {"a": np.full(3, rng.uniform(1, 2))})
                              if ref == "numpy:asarray" else
                              (lambda rng: {"number": float(rng.uniform(1, 2))}), hidden=True)
                         for i in range(2)])
            for f, (ref, returns, _) in CHANNELS.items()])


def test_no_hidden_input_reaches_any_output_through_any_channel():
    seed = 4242
    report = runner.grade(LEAKY, ["import numpy as np\n"] + [c for *_, c in CHANNELS.values()],
                          "mallory", seed)
    hidden = [_leak(case.make(Rng(seeds.case_seed(check.function, i, True, seed)).make())["number"])
              for check in LEAKY.checks for i, case in enumerate(check.cases)
              if check.function not in NO_NUMBERS]
    data = results.to_gradescope(report)
    written = json.dumps(data) + "".join(t.feedback for t in report.tests)
    assert all(t.kind != "passed" for t in report.tests), [t.feedback for t in report.tests]
    assert [v for v in hidden if v in written] == [], [t.feedback for t in report.tests]
    sized = [t.feedback for t in report.tests if t.function in NO_NUMBERS]
    assert sized and not any(c.isdigit() for c in "".join(sized)), sized


@pytest.mark.parametrize("got, expected, returns", [
    ((1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0), (1.0, 2.0), "tuple"),   # how many values came back
    ([1.0] * 1234, [1.0, 2.0], "list"),
])
def test_hidden_feedback_does_not_count_what_the_student_sent(got, expected, returns):
    mismatch = compare(got, expected, rtol=1e-6, atol=0, hidden=True, returns=returns)
    assert str(len(got)) not in mismatch.message
    visible = compare(got, expected, rtol=1e-6, atol=0, hidden=False, returns=returns)
    assert str(len(got)) in visible.message


# ================================================================= 3. names are data

HOSTILE_NAMES = ["gradebook.sqlite", "grades.csv", "junit.xml", "report.html", "back\\slash",
                 "-dash", ".dot", "tab\there", "Bob", "bob", "..", "a/b", "", "~tilde", "x" * 300]


def test_every_name_gets_its_own_safe_folder():
    folders = [names.folder_for(n) for n in HOSTILE_NAMES]
    assert len({f.lower() for f in folders}) == len(HOSTILE_NAMES)
    for name, folder in zip(HOSTILE_NAMES, folders):
        assert folder and folder not in (".", "..") and len(folder) < 100, name
        assert not folder.startswith((".", "-")) and "/" not in folder and "\\" not in folder, name
        assert folder.isprintable() and folder == folder.strip(), name
    assert names.folder_for("alice") == "alice" and names.folder_for("s01@uni.edu") == "s01@uni.edu"


@pytest.mark.slow
def test_batch_grades_students_with_hostile_names_into_their_own_folders(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    flat = ["gradebook.sqlite", "grades.csv", "junit.xml", "report.html", "back\\slash", "-dash",
            ".dot", "tab\there", "Bob", "bob"]
    for name in flat:
        shutil.copy(EXAMPLES / "alice_gradient_descent.ipynb", subs / f"{name}.ipynb")
    undecodable = os.fsdecode(b"caf\xe9")
    shutil.copy(EXAMPLES / "bob_gradient_descent.ipynb", subs / f"{undecodable}.ipynb")
    out = tmp_path / "out"
    for _ in range(2):   # and a rerun (which skips everyone) still works
        done = grade_cli("batch", subs, "-a", "gradient_descent", "-o", out, "--jobs", "2", timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
    expected = set(flat) | {"caf\\xe9"}
    with open(out / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    # grades.csv neutralises cells that a spreadsheet would run as a formula ("-dash")
    rows = {(n[1:] if n.startswith("'") and n[1:2] in ("=", "+", "-", "@", "\t", "\r") else n): r
            for n, r in rows.items()}
    assert set(rows) == expected
    assert all(rows[n]["status"] == "graded" for n in expected)
    assert float(rows["caf\\xe9"]["total"]) < 100 <= float(rows["Bob"]["total"])
    for name in expected:
        folder = out / names.folder_for(name)
        assert json.loads((folder / "results.json").read_text())["extra_data"]["student"] == name
        assert (folder / "feedback.html").is_file(), name
    from xml.etree import ElementTree as ET

    suites = {s.get("name") for s in ET.parse(out / "junit.xml").getroot()}
    assert suites == {f"gradient_descent.{n}" for n in expected}
    assert (out / "report.html").read_text().count("feedback.html") >= len(expected)


# ================================================================= 4. text that crashes writers

SURROGATE = ("import numpy as np\n"
             "def linear_model(x, W, b):\n    raise ValueError('\\ud800 lone surrogate')\n")


def test_a_lone_surrogate_in_an_exception_message_reaches_the_gradebook(tmp_path):
    from checks import gradient_descent as gd
    from autograder.feedback_html import write_feedback
    from autograder.gradebook import Gradebook

    report = runner.grade(gd.ASSIGNMENT, [SURROGATE], "mallory", 1)
    data = results.to_gradescope(report)
    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        book.record(data, sha256="0" * 64)
        stored = book.db.execute("SELECT output FROM tests WHERE function='linear_model'").fetchone()[0]
    assert "lone surrogate" in stored
    write_feedback(data, tmp_path / "feedback.html")
    assert "lone surrogate" in (tmp_path / "feedback.html").read_text()


def test_seeds_of_undecodable_names_are_distinct():
    a, b = os.fsdecode(b"caf\xe9"), os.fsdecode(b"caf\xe8")
    assert seeds.student_seed(b"s", "x", a) != seeds.student_seed(b"s", "x", b)
    assert names.from_file_name(a) == "caf\\xe9"


def test_rich_markup_in_the_student_name_does_not_crash_grade_run(tmp_path):
    shutil.copy(SOLUTION, tmp_path / "gradient_descent.ipynb")
    done = grade_cli("run", tmp_path / "gradient_descent.ipynb", "-o", tmp_path / "r.json", "-q",
                     "--student", "[/] x", "--fail-under", "50")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[/] x" in done.stdout and "100.00 / 100" in done.stdout


# ================================================================= 5. one bad answer, one test

def test_an_empty_batch_on_one_visible_case_costs_that_test_only():
    from checks import convolution as conv

    wrapper = ("_conv2d_right = conv2d\n_calls = []\n"
               "def conv2d(*args, **kwargs):\n"
               "    _calls.append(1)\n"
               "    if len(_calls) == 1:   # the first visible case\n"
               "        return np.zeros((0, 3, 4, 1))\n"
               "    return _conv2d_right(*args, **kwargs)\n")
    cells = submission.load(ROOT / "solutions" / "convolution.ipynb").cells + [wrapper]
    report = runner.grade(conv.ASSIGNMENT, cells, "mallory", 3)
    tests = [t for t in report.tests if t.function == "conv2d"]
    assert [t.passed for t in tests] == [False] + [True] * (len(tests) - 1), \
        [(t.kind, t.feedback) for t in tests]
    assert tests[0].kind == "wrong"


# ================================================================= 10. file name vs metadata

def test_file_name_and_metadata_that_disagree_are_refused(tmp_path):
    path = tmp_path / "alice_convolution.ipynb"
    shutil.copy(SOLUTION, path)      # metadata: gradient_descent
    done = grade_cli("run", path, "-o", tmp_path / "r.json", "-q")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "convolution" in done.stderr and "gradient_descent" in done.stderr
    assert not (tmp_path / "r.json").exists()
    chosen = grade_cli("run", path, "-o", tmp_path / "r.json", "-q", "-a", "gradient_descent")
    assert chosen.returncode == 0 and "100.00 / 100" in chosen.stdout


# ================================================================= 7. out of memory is out of memory

FLOODS = {
    "memfd": "import os\ndef flood():\n    fds = []\n    while True:\n"
             "        fd = os.memfd_create('x')\n        os.write(fd, b'x' * (8 << 20))\n        fds.append(fd)\n",
    "inodes": "import os\ndef flood():\n    i = 0\n    while True:\n"
              "        open(os.path.expanduser(f'~/f{i}-' + 'x' * 200), 'w').close()\n        i += 1\n",
}


@pytest.mark.skipif(not launch.cgroups_available(), reason="needs a root grader with cgroups")
@pytest.mark.parametrize("flood", list(FLOODS))
def test_memory_floods_are_reported_as_memory_and_leave_no_cgroup(flood):
    from checks import gradient_descent as gd

    limits = dataclasses.replace(runner.limits_for(gd.ASSIGNMENT), memory_mb=256)
    session = Session([FLOODS[flood]], limits, (), time_budget=120).start()
    try:
        folders = list(session.proc.cgroup.dirs.values())
        outcome = session.call("flood", {}, 60)
    finally:
        session.close()
    assert (outcome.kind, "out of memory" in outcome.message) == ("memory", True), outcome
    assert [f for f in folders if f.exists()] == []


# ================================================================= 6. the grader's memory is bounded

def test_a_reply_of_millions_of_tiny_values_is_refused_before_it_is_built():
    from autograder.student_side import wire

    payload = ('{"event":"result","ok":true,"value":[' + ",".join(["[]"] * 3_000_000) + "]}").encode()
    with pytest.raises(wire.WireTooLarge):
        wire.loads(payload)
    assert wire.loads(b'{"value": [1, 2, 3]}') == {"value": [1, 2, 3]}


def test_returning_millions_of_empty_lists_fails_that_call_as_too_large():
    from checks import gradient_descent as gd

    cells = ["def many():\n    return [[] for _ in range(3_000_000)]\n", "def fine():\n    return 7\n"]
    session = Session(cells, runner.limits_for(gd.ASSIGNMENT), (), time_budget=120).start()
    try:
        outcome = session.call("many", {}, 60)
        after = session.call("fine", {}, 60)
    finally:
        session.close()
    assert outcome.kind == "too_large" and "parts" in outcome.message, outcome
    assert after.ok and after.value == 7


# ================================================================= 9. replies belong to requests

FORKED_FORGERY = '''
import json, os, sys, time
worker = sys.modules["student_side.worker"]   # the grader's module in this process

def forge():
    if os.fork() == 0:   # a child writes one well-formed reply of its own, first
        payload = json.dumps({"event": "result", "ok": True, "value": "forged"}).encode()
        os.write(worker._OUT.fileno(), worker.wire.HEADER.pack(len(payload)) + payload)
        os._exit(0)
    time.sleep(1.0)
    return "real"

def seven():
    return 7
'''


def test_a_forged_reply_fails_its_call_only_and_later_replies_stay_in_step():
    from checks import gradient_descent as gd

    session = Session([FORKED_FORGERY], runner.limits_for(gd.ASSIGNMENT), (), time_budget=120).start()
    try:
        forged = session.call("forge", {}, 30)
        later = [session.call("seven", {}, 30) for _ in range(2)]
    finally:
        session.close()
    assert (forged.ok, forged.kind) == (False, "protocol"), forged
    assert [(r.ok, r.value) for r in later] == [(True, 7), (True, 7)]


# ================================================================= 8. workers die with their batch

def _children(pid: int) -> list[int]:
    try:
        return [int(c) for task in os.listdir(f"/proc/{pid}/task")
                for c in open(f"/proc/{pid}/task/{task}/children").read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(condition, seconds: float) -> bool:
    """Poll until condition() (generous bound; not a timing assertion)."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.slow
def test_batch_workers_die_when_the_batch_is_killed(tmp_path):
    import signal

    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(8):
        shutil.copy(EXAMPLES / "alice_gradient_descent.ipynb", subs / f"s{i}.ipynb")
    out = tmp_path / "out"
    proc = subprocess.Popen([GRADE, "batch", str(subs), "-a", "gradient_descent", "-o", str(out),
                             "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def graded_one():  # the workers are up (tied to the batch first thing, then warmed)
            results = list(out.glob("*/results.json"))
            return bool(results) or proc.poll() is not None
        assert _wait(graded_one, 600) and proc.poll() is None
        workers = [c for c in _children(proc.pid)
                   if b"spawn_main" in open(f"/proc/{c}/cmdline", "rb").read()]
        assert len(workers) == 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _wait(lambda: not any(_alive(w) for w in workers), 60), \
            [w for w in workers if _alive(w)]
    finally:
        if proc.poll() is None:
            proc.kill()


ORPHAN = '''
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time\\n"
                          "from autograder.lifetime import TieToParent\\n"
                          "TieToParent().setup(worker=None)\\n"
                          "print('tied', flush=True)\\n"
                          "time.sleep(600)\\n"], stdout=sys.stdout)
print(child.pid, flush=True)
time.sleep(600)
'''


def test_the_dask_worker_plugin_ends_a_worker_whose_parent_died():
    import signal

    parent = subprocess.Popen([sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        worker = int(parent.stdout.readline())
        import select

        assert select.select([parent.stdout], [], [], 60)[0], "the worker never said it was tied"
        assert parent.stdout.readline().strip() == "tied"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert _wait(lambda: not _alive(worker), 30)
    finally:
        parent.kill()
        try:
            os.kill(worker, signal.SIGKILL)
        except (OSError, UnboundLocalError):
            pass


@pytest.mark.slow
def test_dask_pool_registers_the_plugin_on_its_workers():
    distributed = pytest.importorskip("dask.distributed")
    from autograder.batch import DaskPool

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        pool = DaskPool(cluster.scheduler_address, "gradient_descent")
        try:
            plugins = pool.client.run(lambda dask_worker: sorted(dask_worker.plugins))
        finally:
            pool.close()
    assert all("dlphys-tie-to-parent" in names for names in plugins.values()), plugins
