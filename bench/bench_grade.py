"""Where the time of `grade` goes. Timing lives here, never in tests.

Usage: .venv/bin/python bench/bench_grade.py [--repeat N]
Prints: `grade --help` wall time; `grade run` end to end on each solution and
untouched exercise (every registered assignment, dense_networks and
cnn_physics included); the split reported by the grader itself (student process
start, TensorFlow/reference import, waiting for the student's cells, checks)
and its three slowest tests (the training tests of the Keras assignments);
and the bare costs it is made of (python start, numpy import, TF import,
an empty sandboxed student process).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GRADE = str(BIN / "grade")


def wall(cmd, repeat=5, **kw) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, **kw)
        times.append(time.perf_counter() - start)
    return times


def fmt(times) -> str:
    return f"median {statistics.median(times):6.3f} s  (min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"


def sandbox_start(repeat=5) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from autograder.sandbox.launch import Limits
    from autograder.sandbox.session import Session

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        s = Session(["import numpy as np"], Limits()).start()
        s.close()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--assignments", nargs="*", help="default: every assignment")
    parser.add_argument("--skip-exercises", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from autograder import course

    ids = args.assignments or course.ids()
    n = args.repeat
    py = sys.executable
    print("bare costs")
    print(f"  python -c pass           {fmt(wall([py, '-c', 'pass'], n))}")
    print(f"  python -c 'import numpy' {fmt(wall([py, '-c', 'import numpy'], n))}")
    print(f"  import tensorflow        {fmt(wall([py, '-c', 'import tensorflow'], n, env={'TF_CPP_MIN_LOG_LEVEL': '3'}))}")
    print(f"  sandboxed student start  {fmt(sandbox_start(n))}  (bwrap + python + numpy, load 1 cell)")
    print(f"grade --help               {fmt(wall([GRADE, '--help'], max(n, 5)))}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("solutions",) if args.skip_exercises else ("solutions", "exercises"):
            for assignment in ids:
                nb = ROOT / kind / f"{assignment}.ipynb"
                out = Path(tmp) / "r.json"
                times, splits, per_test = [], [], []
                for _ in range(n):
                    start = time.perf_counter()
                    subprocess.run([GRADE, "run", str(nb), "-o", str(out), "-q"], check=True,
                                   capture_output=True, cwd=tmp)
                    times.append(time.perf_counter() - start)
                    data = json.loads(out.read_text())
                    splits.append(data["extra_data"]["timings"])
                    per_test.append({t["name"]: t["extra_data"]["seconds"] for t in data["tests"]})
                split = {k: statistics.median(s[k] for s in splits) for k in splits[0]}
                a = course.get(assignment)
                cases = [c for check in a.checks for c in check.cases]
                hidden = sum(c.hidden for c in cases)
                hints = sum(len(check.hints) for check in a.checks)
                print(f"grade run {kind}/{assignment}.ipynb  score {data['score']:g}  "
                      f"({len(a.checks)} functions, {len(cases) - hidden} visible + {hidden} hidden "
                      f"cases, {hints} hints)")
                print(f"  end to end               {fmt(times)}")
                print("  inside the grader        " + ", ".join(f"{k} {v:.3f}s" for k, v in split.items()))
                # Where a Keras assignment spends its time: the tests that train (dense_networks,
                # cnn_physics) dominate; each must stay within its TIME_LIMIT plus prediction.
                slowest = sorted(per_test[0], key=lambda name: -per_test[0][name])[:3]
                print("  slowest tests            " + ", ".join(
                    f"{name[:50]} {statistics.median(p[name] for p in per_test):.1f}s" for name in slowest))


if __name__ == "__main__":
    main()
