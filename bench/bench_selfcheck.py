"""How long the in-notebook self-check takes in a real Jupyter kernel. Timing
lives here, never in tests.

Usage: .venv/bin/python bench/bench_selfcheck.py [ASSIGNMENT ...] [--repeat N]
For each assignment (default: every one with a solution notebook) a fresh
kernel runs the solution's code cells, then, measured inside the kernel:
  - the first check_all() (imports TensorFlow and computes the references),
  - later check_all() calls (expected values cached per case),
  - one later check(function) per graded function.
The requirement: later calls well under 2 s for a NumPy assignment.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = '''
import time
from autograder.selfcheck import check, check_all, _assignment_for
_functions = [c.function for c in _assignment_for(None, {assignment!r}, globals()).checks]
_t = time.perf_counter(); check_all({assignment!r}); print("BENCH first_check_all", time.perf_counter() - _t)
for _ in range({repeat}):
    _t = time.perf_counter(); check_all({assignment!r}); print("BENCH check_all", time.perf_counter() - _t)
for _f in _functions:
    _t = time.perf_counter(); check(_f, assignment={assignment!r}); print("BENCH check", _f, time.perf_counter() - _t)
'''


def measure(assignment: str, repeat: int) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"
                and "nbgrader_check" not in c.source and "check_all" not in c.source]
    nb.cells.append(nbformat.v4.new_code_cell(PROBE.format(assignment=assignment, repeat=repeat)))
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if k not in ("DLPHYS_GRADER_SECRET", "DLPHYS_GRADING")}
        env["HOME"] = home                       # a student's machine: no course secret
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": home}}).execute(env=env)
    times: dict = {"check_all": [], "check": {}}
    for out in nb.cells[-1].outputs:
        for line in out.get("text", "").splitlines():
            parts = line.split()
            if not parts or parts[0] != "BENCH":
                continue
            if parts[1] == "first_check_all":
                times["first"] = float(parts[2])
            elif parts[1] == "check_all":
                times["check_all"].append(float(parts[2]))
            else:
                times["check"][parts[2]] = float(parts[3])
        if out.output_type == "error":
            raise RuntimeError(f"{out.ename}: {out.evalue}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from autograder import course

    ids = args.assignments or [a for a in course.ids()
                               if (ROOT / "solutions" / f"{a}.ipynb").exists()]
    for assignment in ids:
        t = measure(assignment, args.repeat)
        later = t["check_all"]
        print(f"{assignment}")
        print(f"  first check_all()  {t['first']:7.3f} s   (TensorFlow import + references)")
        print(f"  later check_all()  median {statistics.median(later):.3f} s  "
              f"(min {min(later):.3f}, max {max(later):.3f}, n={len(later)})")
        slowest = max(t["check"], key=t["check"].get)
        print(f"  later check(f)     max {t['check'][slowest]:.3f} s ({slowest}); "
              + ", ".join(f"{f} {s:.3f}" for f, s in t["check"].items()))


if __name__ == "__main__":
    main()
