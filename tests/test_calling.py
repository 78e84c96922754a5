"""student_side.calling: the one way a student function is called (worker,
self-check, tests/checktools)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from autograder.spec import Rng
from autograder.student_side import calling, wire

ROOT = Path(__file__).resolve().parents[1]


def test_a_call_reports_value_mutation_warnings_and_time():
    def double_in_place(x):
        x *= 2
        return np.log(x - x)   # divide by zero: a recorded warning, not an error

    called = calling.call(double_in_place, wire.encode({"x": np.ones(3)}))
    assert called.ok and called.mutated == ["x"]
    assert any(w.startswith("RuntimeWarning") for w in called.warnings)
    assert called.elapsed >= 0 and np.all(np.isneginf(called.value))


def test_arguments_are_decoded_and_the_global_seed_set_first():
    called = calling.call(lambda rng: (rng.integers(1 << 30), np.random.rand()),
                          wire.encode({"rng": Rng(5)}), global_seed=3)
    np.random.seed(3)
    assert called.value == (np.random.default_rng(5).integers(1 << 30), np.random.rand())


def test_an_exception_is_returned_not_raised():
    def fails():
        raise SystemExit(3)

    called = calling.call(fails, wire.encode({}))
    assert not called.ok and isinstance(called.error, SystemExit)


def test_worker_selfcheck_and_checktools_all_call_through_it():
    for path in ("autograder/student_side/worker.py", "autograder/selfcheck.py", "tests/checktools.py"):
        text = (ROOT / path).read_text()
        assert "calling" in text and "np.seterr(over=" not in text, path
