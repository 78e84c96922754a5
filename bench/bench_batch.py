"""Class-scale throughput: `grade batch` against `nbgrader autograde` on the same notebooks.

Usage:
  .venv/bin/python bench/bench_batch.py --sizes 10 50 200 [--nbgrader-sizes 10 50] [--jobs 2]

For each size N it writes N synthetic gradient_descent submissions with a
realistic mix (about 60 % correct, 25 % with classic mistakes, 15 % broken:
syntax errors, exceptions, unfinished functions), derived from the solution
notebook so that nbgrader accepts them (same cells, same grade ids). Then:
  ours     : grade batch DIR -a gradient_descent -o OUT --jobs J
  nbgrader : nbgrader autograde in a throw-away course folder (its test cells
             call our checks through autograder.selfcheck.nbgrader_check)
It prints submissions per minute for both, the ratio, how our time grows with
N, and our per-submission cost against a bare `python -c pass` plus the
student's own compute (the grader's `student_load` + `student_calls` timings).
Timing lives here, never in tests. Run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ASSIGNMENT = "gradient_descent"

BUGS = [
    ("mse_loss", "def mse_loss(y_pred, y_true):\n    return float(np.sum((y_pred - y_true) ** 2))\n"),
    ("mse_gradients", "def mse_gradients(x, y_true, W, b):\n    err = x @ W + b - y_true\n"
                      "    return x.T @ err, err.sum(axis=0)\n"),
    ("minibatch_indices", "def minibatch_indices(n_samples, batch_size, rng):\n"
                          "    idx = np.arange(n_samples)\n"
                          "    return [idx[i:i + batch_size] for i in range(0, n_samples, batch_size)]\n"),
    ("linear_model", "def linear_model(x, W, b):\n    return x @ W\n"),
]
BROKEN = [
    "def gradient_descent(x, y_true, W, b, learning_rate, n_steps:\n    pass\n",   # syntax error
    "raise RuntimeError('half-finished cell')\n",
    "def mse_gradients(x, y_true, W, b):\n    raise NotImplementedError()\n",
]


def synthesize(folder: Path, n: int, seed: int = 0, nbgrader_layout: bool = False) -> dict:
    """N submissions; returns student -> kind."""
    rng = random.Random(seed)
    solution = nbformat.read(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", as_version=4)
    kinds = {}
    for i in range(n):
        student = f"student{i:03d}"
        roll = rng.random()
        nb = nbformat.from_dict(solution)
        extra = [f"# {student}'s notebook\n"]
        if roll < 0.60:
            kind = "correct"
        elif roll < 0.85:
            kind = "buggy"
            extra += [src for _, src in rng.sample(BUGS, rng.randint(1, 2))]
        else:
            kind = "broken"
            extra.append(rng.choice(BROKEN))
        for j, src in enumerate(extra):
            cell = nbformat.v4.new_code_cell(src)
            cell["id"] = f"synth-{j}"
            nb.cells.append(cell)
        target = (folder / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb") if nbgrader_layout \
            else folder / f"{student}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        kinds[student] = kind
    return kinds


def time_ours(folder: Path, out: Path, jobs: int) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    # GNU time reports the largest resident set of any process of the run: a grading
    # worker (TensorFlow + references), since student processes are far smaller.
    timer = ["/usr/bin/time", "-f", "MAXRSS %M"] if Path("/usr/bin/time").exists() else []
    done = subprocess.run([*timer, str(BIN / "grade"), "batch", str(folder),
                           "-a", ASSIGNMENT, "-o", str(out), "--jobs", str(jobs)],
                          check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    peak = [line for line in done.stderr.splitlines() if line.startswith("MAXRSS")]
    if peak:
        print(f"  peak memory of one process (a worker): {int(peak[-1].split()[1]) / 1024:.0f} MB",
              flush=True)
    timings = [json.loads(p.read_text())["extra_data"]["timings"] for p in out.glob("*/results.json")]
    return elapsed, timings


def time_nbgrader(n: int, tmp: Path) -> float:
    course = tmp / "course"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", course / "source" / ASSIGNMENT)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course / 'gradebook.db'}'\n"
        "c.ExecutePreprocessor.timeout = 120\n")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "DLPHYS_GRADER_SECRET": os.environ.get("DLPHYS_GRADER_SECRET", "bench-secret")}
    nbg = str(BIN / "nbgrader")
    subprocess.run([nbg, "generate_assignment", ASSIGNMENT, "--force"], cwd=course, env=env,
                   check=True, capture_output=True)
    synthesize(course / "submitted", n, nbgrader_layout=True)  # autograde creates the students
    start = time.perf_counter()
    subprocess.run([nbg, "autograde", ASSIGNMENT, "--force"], cwd=course, env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--nbgrader-sizes", type=int, nargs="*", default=None,
                        help="sizes to run nbgrader on (default: the same sizes)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    nb_sizes = args.sizes if args.nbgrader_sizes is None else args.nbgrader_sizes
    python_start = statistics.median(_wall([sys.executable, "-c", "pass"]) for _ in range(5))
    print(f"bare python start: {python_start * 1000:.0f} ms; jobs {args.jobs}; "
          f"{os.cpu_count()} cores")
    print(f"{'N':>5} {'ours s':>8} {'ours /min':>10} {'nbgrader s':>11} {'nbg /min':>9} {'ratio':>6} "
          f"{'ours s/sub':>10} {'cost/(py+student)':>18}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            synthesize(tmp / "subs", n)
            ours, timings = time_ours(tmp / "subs", tmp / "out", args.jobs)
            student = statistics.mean(t.get("student_load", 0) + t.get("student_calls", 0) for t in timings)
            per_sub = ours * args.jobs / n   # worker-seconds per submission
            cost_ratio = per_sub / (python_start + student)
            nbg = time_nbgrader(n, tmp) if n in nb_sizes else None
            nbg_text = f"{nbg:11.1f} {60 * n / nbg:9.1f} {nbg / ours:6.1f}" if nbg else f"{'-':>11} {'-':>9} {'-':>6}"
            print(f"{n:5d} {ours:8.1f} {60 * n / ours:10.1f} {nbg_text} {per_sub:10.2f} {cost_ratio:18.2f}",
                  flush=True)


def _wall(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
