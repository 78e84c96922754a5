"""Where the thresholds of `dense_networks` sit: the lecture's recipe and the linear network.

Usage: .venv/bin/python bench/bench_dense_networks.py [--seeds N]

Trains the recipe (2 x 30 ReLU, Adam, linear / softmax output) and the same
network without activations exactly as the grader's driver does (same driver
code, in this process, one TensorFlow thread like the sandbox) on the public
training sets, and scores each on held-out points of N seeds (a different
weight initialisation and held-out set per seed): MSE relative to the noise,
accuracy, fraction of the performance points, training time. The training
times depend on the load of the machine: compare with TIME_LIMIT.
"""
from __future__ import annotations

import argparse
import os
import sys
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
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()

    from reference_impl import dense_networks as ref
    from reference_impl.dense_networks_data import TIME_LIMIT

    runs = [("regression", "recipe", ref.build_regressor), ("regression", "linear", ref.linear_regressor),
            ("classification", "recipe", ref.build_classifier),
            ("classification", "linear", ref.linear_classifier)]
    for task, name, build in runs:
        for k in range(args.seeds):
            r = ref.grade_like_the_grader(build, task, test_seed=5000 + k, keras_seed=k)
            what = "MSE/noise^2" if task == "regression" else "accuracy"
            print(f"{task:14s} {name:6s} seed {k}  params {r['n_params']:5d}  {what} {r['metric']:.3f}  "
                  f"score {r['score']:4.0%}  train {r['train_seconds']:5.1f} s (limit {TIME_LIMIT:.0f})"
                  f"{'  STOPPED' if r['stopped'] else ''}", flush=True)


if __name__ == "__main__":
    main()
