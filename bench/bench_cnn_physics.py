"""Where the thresholds of `cnn_physics` sit, and what grading it costs.

Usage: .venv/bin/python bench/bench_cnn_physics.py [--seeds N] [--quick] [--grade]

Trains the reference CNN and the baselines exactly as the grader's driver does
(same driver code, in this process, one TensorFlow thread like the sandbox)
on the public training set and scores each on held-out showers of several
seeds: pion rejection at 90 % electron efficiency, ROC AUC, fraction of the
performance points and training time. Also prints the classic shower-shape
cut (no training). With --grade it times `grade run` on the solution.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Like the sandbox (autograder/sandbox/launch.clean_env): one thread each.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
            "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
    os.environ[var] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="held-out seeds for the reference")
    parser.add_argument("--quick", action="store_true", help="one seed per baseline")
    parser.add_argument("--grade", action="store_true", help="also time `grade run` on the solution")
    args = parser.parse_args()

    from reference_impl import cnn_physics as ref
    from reference_impl.cnn_physics_data import generate_showers, performance_score, pion_rejection, roc_auc

    x_test, y_test, _ = generate_showers(10_000, 777)
    cut = ref.shower_shape_cut(x_test)
    r = pion_rejection(y_test, cut)
    print(f"{'shower-shape cut (no training)':34s} rejection {r:6.2f}  AUC {roc_auc(y_test, cut):.4f}  "
          f"score {performance_score(r):4.0%}")

    runs = [("reference CNN", ref.build_model, args.seeds)]
    baselines = [("constant", ref.constant_model), ("logistic regression", ref.logistic_regression),
                 ("tiny CNN (4 filters)", ref.tiny_cnn), ("dense network", ref.dense_network)]
    runs += [(name, build, 1 if args.quick else 2) for name, build in baselines]
    for name, build, n in runs:
        rows = []
        for k in range(n):
            rows.append(ref.grade_like_the_grader(build, test_seed=9000 + k, keras_seed=k))
            r = rows[-1]
            print(f"{name:24s} seed {k}  params {r['n_params']:6d}  rejection {r['rejection']:6.2f}  "
                  f"AUC {r['auc']:.4f}  score {r['score']:4.0%}  train {r['train_seconds']:5.1f} s  "
                  f"(loss {r['losses'][0]:.3f} -> {r['losses'][-1]:.3f})", flush=True)
        if n > 1:
            rej = [r["rejection"] for r in rows]
            print(f"{name:24s} rejection mean {statistics.mean(rej):.2f}, min {min(rej):.2f}, "
                  f"max {max(rej):.2f}; train time median "
                  f"{statistics.median(r['train_seconds'] for r in rows):.1f} s")

    if args.grade:
        out = Path(tempfile.mkdtemp()) / "r.json"
        start = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "grade"), "run",
                        str(ROOT / "solutions" / "cnn_physics.ipynb"), "-o", str(out), "-q"], check=True)
        print(f"grade run solutions/cnn_physics.ipynb: {time.perf_counter() - start:.1f} s wall")


if __name__ == "__main__":
    main()
