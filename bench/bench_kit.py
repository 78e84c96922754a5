"""How fast the student kit's first check_all() is, against a cold `import numpy`.
Timing lives here, never in tests.

Usage: .venv/bin/python bench/bench_kit.py [ASSIGNMENT ...] [--wheel FILE] [--repeat N]

Builds the kit (`grade kit`, unless --wheel names one), installs it into a
temporary folder, then for every NumPy assignment (default) starts fresh
Python processes and measures, inside each:
  - import numpy, cold (the yardstick);
  - then, once the solution's function cells are defined, a cold
    `from dlphys_selfcheck import check_all; check_all(ID)` (importing the kit,
    reading its data, judging every public case).
The target: the cold check_all() within 3x the cold import of numpy.
Medians over --repeat processes (default 5).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r'''
import json, sys, time
t = time.perf_counter()
import numpy
numpy_seconds = time.perf_counter() - t
namespace = {"__name__": "__main__"}
for source in json.loads(sys.argv[2]):
    exec(compile(source, "<cell>", "exec"), namespace)
t = time.perf_counter()
from dlphys_selfcheck import check_all
report = check_all(sys.argv[1], namespace=namespace)
check_seconds = time.perf_counter() - t
assert report.passed, report
print(json.dumps({"numpy": numpy_seconds, "check_all": check_seconds, "tests": report.total}))
'''


def function_cells(assignment: str) -> list[str]:
    """The solution's function cells (nbgrader solution cells), without the demos."""
    nb = json.loads((ROOT / "solutions" / f"{assignment}.ipynb").read_text())
    out = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution"):
            out.append("".join(cell["source"]))
    return ["import numpy as np"] + out


def build_kit(outdir: Path) -> Path:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([str(Path(sys.executable).parent / "grade"), "kit", "-o", str(outdir)],
                   check=True, env=env, capture_output=True)
    (wheel,) = outdir.glob("*.whl")
    return wheel


def main() -> None:
    from autograder import course

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--wheel", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ids = args.assignments or [a.id for a in course.all_assignments() if a.numpy_only]
    with tempfile.TemporaryDirectory(prefix="bench-kit-") as tmp:
        tmp = Path(tmp)
        wheel = args.wheel or build_kit(tmp / "dist")
        site = tmp / "site"
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                        "--target", str(site), str(wheel)], check=True)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PYTHONPATH"] = str(site)   # the kit only: no grader, no course on the path
        print(f"kit: {wheel.name}, {wheel.stat().st_size / 1e6:.2f} MB; python {sys.version.split()[0]}")
        print(f"{'assignment':<18} {'tests':>5} {'import numpy':>13} {'check_all':>10} {'ratio':>6}")
        worst = 0.0
        for assignment in ids:
            cells = json.dumps(function_cells(assignment))
            runs = []
            for _ in range(args.repeat):
                done = subprocess.run([sys.executable, "-c", PROBE, assignment, cells], env=env,
                                      cwd=tmp, capture_output=True, text=True, check=True)
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            numpy_s = statistics.median(r["numpy"] for r in runs)
            check_s = statistics.median(r["check_all"] for r in runs)
            ratio = check_s / numpy_s
            worst = max(worst, ratio)
            print(f"{assignment:<18} {runs[0]['tests']:>5} {numpy_s * 1000:>10.0f} ms "
                  f"{check_s * 1000:>7.0f} ms {ratio:>5.2f}x")
        print(f"worst ratio {worst:.2f}x (target: within 3x)")


if __name__ == "__main__":
    main()
