"""`make demo`: grade the bundled example submissions with the real CLI.

alice is correct, bob makes the classic mistakes (watch the hints), mallory is
hostile (exits, hangs, forbidden imports, file snooping): the grader survives
and grades what it can. results.json files land in demo-out/.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRADE = Path(sys.executable).with_name("grade")


def main() -> int:
    out = ROOT / "demo-out"
    out.mkdir(exist_ok=True)
    submissions = sorted((ROOT / "examples" / "submissions").glob("*.ipynb"),
                         key=lambda p: (p.stem.split("_", 1)[1], p.stem))
    for sub in submissions:
        print(f"\n=== grade run {sub.relative_to(ROOT)}", flush=True)
        done = subprocess.run([str(GRADE), "run", str(sub), "-o", str(out / f"{sub.stem}.json")],
                              cwd=ROOT)
        if done.returncode != 0:
            print(f"grading {sub.name} failed with exit code {done.returncode}")
            return 1
    print(f"\nresults.json files are in {out.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
