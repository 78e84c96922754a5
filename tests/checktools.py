"""Scaffolding shared by the check-table tests (test_check_tables.py,
test_*_checks.py) and the reference tests (test_reference_*.py).

No sandbox in those tests: student functions are called in-process. The
helpers here stand in for what the sandbox and the runner do (fresh copies of
the inputs, Rng -> Generator, the reference value of a case, the check's
tolerance), and hold the test bodies every assignment's table must pass in the
same way (points, case labels, hints and their buggy implementations,
detectors that never raise). What is particular to one assignment stays in
its test file.

Test files register this module for pytest's assertion rewriting before they
import it, so its assertions fail with the same detail as theirs.
"""
from __future__ import annotations

import copy
import inspect
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.student_side import calling, wire
from autograder.student_side.wire import Unsupported
from autograder.spec import Rng

ROOT = Path(__file__).resolve().parents[1]
# Hidden cases draw shapes/sizes per student: try a few seeds.
SEEDS = [0, 1, 2, 12345]


# ------------------------------------------------------------------ calling, reference values

def local_call(fn):
    """The sandbox's call, in this process (student_side.calling, as the worker):
    inputs wire-encoded and decoded (fresh copies, Rng -> Generator), and
    `_global_seed` seeds NumPy's global state first. Raises what `fn` raises."""
    def call(**kwargs):
        global_seed = kwargs.pop("_global_seed", None)
        called = calling.call(fn, wire.encode(kwargs), global_seed=global_seed)
        if not called.ok:
            raise called.error
        return called.value
    return call


def inputs_for(case, seed):
    return case.make(np.random.default_rng(seed))


_expected_cache: dict = {}


def expected(check, case_index, seed):
    """Reference value for one case (TF; cached, it is the slow part)."""
    key = (check.reference, check.function, case_index, seed)
    if key not in _expected_cache:
        ref = check.reference_function()
        _expected_cache[key] = ref(**copy.deepcopy(inputs_for(check.cases[case_index], seed)))
    return _expected_cache[key]


def tolerance(check, case):
    """(rtol, atol) of a case: its own where it sets them, else the check's."""
    return (case.rtol if case.rtol is not None else check.rtol,
            case.atol if case.atol is not None else check.atol)


def assert_array_close(got, want, rtol, atol, *, float_and_finite=False):
    """One value against the reference: same shape, then (with float_and_finite:
    a floating-point array or a scalar, all finite) close within the tolerance."""
    g, w = np.asarray(got), np.asarray(want)
    assert g.shape == w.shape, f"shape {g.shape} != {w.shape}"
    if float_and_finite:
        assert g.dtype.kind == "f" or np.ndim(w) == 0, f"dtype {g.dtype}"
        assert np.all(np.isfinite(g)), "non-finite values"
    assert np.allclose(g, w, rtol=rtol, atol=atol), f"max |diff| {np.max(np.abs(g - w))}"


def assertion_fails(assertion, *args) -> bool:
    """True if assertion(*args) raises AssertionError (any other error propagates)."""
    try:
        assertion(*args)
    except AssertionError:
        return True
    return False


def passing_value(check, k, seed, call, inputs, assert_close, where):
    """Call a correct implementation on case k and check it as the runner does:
    by the check's property check (the value is then compared with nothing:
    want is None), or against the reference with the case's tolerance.
    Returns (got, want) for the detectors."""
    if check.verify is not None:
        assert check.verify(call, inputs) == [], where
        return call(**inputs), None
    got, want = call(**inputs), expected(check, k, seed)
    assert_close(got, want, *tolerance(check, check.cases[k]))
    return got, want


# ------------------------------------------------------------------ structure of a table

def assert_points_sum_to_100(checks):
    assert all(float(c.points).is_integer() and c.points > 0 for c in checks)
    assert sum(c.points for c in checks) == 100


def assert_case_counts_and_labels(check):
    """2 to 4 visible and 3 to 6 hidden cases, unique labels, "hidden: " on
    exactly the hidden ones."""
    visible = [c for c in check.cases if not c.hidden]
    hidden = [c for c in check.cases if c.hidden]
    assert 2 <= len(visible) <= 4 and 3 <= len(hidden) <= 6
    labels = [c.label for c in check.cases]
    assert len(set(labels)) == len(labels)
    assert all(c.label.startswith("hidden: ") for c in hidden)
    assert not any(c.label.startswith("hidden") for c in visible)


def inputs_twice(check, seeds=SEEDS):
    """(case, a, b) for every case and seed: the inputs made twice from the
    same seed (with the same keys), for the determinism tests to compare."""
    for case in check.cases:
        for seed in seeds:
            a, b = inputs_for(case, seed), inputs_for(case, seed)
            assert a.keys() == b.keys(), case.label
            yield case, a, b


def assert_imports_fast_without_tensorflow(*modules):
    """Importing the modules (in a fresh interpreter) pulls in neither TensorFlow
    nor Keras (how long it takes is measured in bench/, not asserted here)."""
    code = (f"import sys; import {', '.join(modules)};"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def assert_notebook_test_cells_carry_the_table_points(assignment, notebook):
    """The solution notebook's graded cells are test_<function>, worth the
    table's points, and each only calls nbgrader_check on its function."""
    nb = json.loads((ROOT / "solutions" / notebook).read_text())
    assert nb["metadata"]["dlphys"]["assignment"] == assignment.id
    cells = {c["metadata"]["nbgrader"]["grade_id"]: c for c in nb["cells"]
             if c["metadata"].get("nbgrader", {}).get("grade")}
    assert {k: c["metadata"]["nbgrader"]["points"] for k, c in cells.items()} == \
        {f"test_{c.function}": c.points for c in assignment.checks}
    for check in assignment.checks:
        assert "".join(cells[f"test_{check.function}"]["source"]) == (
            f'nbgrader_check("{check.function}")')


# ------------------------------------------------------------------ hints and their buggy implementations

def hint_table(checks, bugs):
    """`bugs` maps every hint to an implementation that makes exactly that
    mistake, or to a list of them (several ways to make it, each must trigger
    the hint). Returns (bugs with a list for every hint, [(check, hint)],
    [(check, hint, bug)])."""
    bugs = {hint: b if isinstance(b, list) else [b] for hint, b in bugs.items()}
    hints = [(check, hint) for check in checks for hint in check.hints]
    hint_bugs = [(check, hint, bug) for check, hint in hints for bug in bugs.get(hint, [])]
    return bugs, hints, hint_bugs


def bug_id(value):
    """Test id of a (check, hint, bug) parameter."""
    if hasattr(value, "function"):
        return value.function
    if hasattr(value, "message"):
        return value.message[:30]
    return getattr(getattr(value, "func", value), "__name__", "bug")


def hint_id(value):
    """Test id of a (check, hint) parameter."""
    return getattr(value, "function", None) or getattr(value, "message", "")[:40]


def case_id(value):
    """Test id of a (check, case index) parameter."""
    return getattr(value, "function", str(value))


def assert_every_hint_has_a_bug(hints, bugs):
    in_table = {id(h) for _, h in hints}
    assert in_table == {id(h) for h in bugs}
    assert len(in_table) == len(hints), "a Hint object is shared between checks"
    for _, hint in hints:
        assert hint.message.strip() and len(hint.message) < 300


def assert_no_hint_fires(hints, got, want, *inputs, where=()):
    """No hint fires on a right answer (given each of the `inputs` a detector may see)."""
    for hint in hints:
        for given in inputs:
            assert hint.detect(copy.deepcopy(given), got, want) is False, (*where, hint.message)


def assert_hint_fires_on_its_bug(check, hint, attempt, seeds=SEEDS):
    """`hint` fires on some case and seed of `check`, and only ever on an
    answer the runner fails.

    attempt(k, case, seed) runs the buggy implementation on case k as the
    runner would and returns None where the call raised (the runner reports the
    exception; no hint is asked), else (inputs, got, want, fails): what the
    detectors are given, and a function saying whether the runner fails `got`.
    """
    fired = []
    for k, case in enumerate(check.cases):
        for seed in seeds:
            outcome = attempt(k, case, seed)
            if outcome is None:
                continue
            inputs, got, want, fails = outcome
            if hint.detect(copy.deepcopy(inputs), got, want):
                fired.append(case.label)
                # a hint only ever explains a failing answer
                assert fails(), (case.label, seed, hint.message)
    assert fired, f"no case of {check.function} triggers: {hint.message}"


def graded(assignment, function, fn, seeds=SEEDS):
    """Grade `fn` as `function` the way the grader does (selfcheck.run: the
    runner's grade_case, values through the wire, warnings recorded), on the
    visible cases and the hidden cases of every student seed in `seeds`.
    Returns (visible results, {seed: hidden results})."""
    from autograder import selfcheck

    visible, hidden = None, {}
    for seed in seeds:
        tests = selfcheck.run(assignment, [function], {function: fn}, seed=seed, hidden=True).tests
        visible = [t for t in tests if not t.hidden]
        hidden[seed] = [t for t in tests if t.hidden]
    return visible, hidden


def assert_fails_publicly_and_hidden(assignment, function, fn, seeds=SEEDS, *, public=True):
    """The mistake `fn` loses points for `function` for every student: a hidden
    case fails on every seed and (with public) a visible case fails too, so the
    self-check sees it. Returns the failing tests, for hint assertions."""
    visible, hidden = graded(assignment, function, fn, seeds)
    failed = [t for t in visible if not t.passed]
    if public:
        assert failed, f"{function}: every visible case passes {getattr(fn, '__name__', fn)}"
    for seed, tests in hidden.items():
        bad = [t for t in tests if not t.passed]
        assert bad, f"{function}: every hidden case passes for seed {seed}"
        failed += bad
    return failed


# What a student function may return instead of an answer.
GARBAGE = [None, "text", 3, 2.5, np.zeros(3), np.zeros((2, 2, 2)), [1, [2, 3]], (), (None, None),
           (np.zeros(2), "x", None), Unsupported("builtins.object"), {"a": 1}, [np.ones(2)] * 3]


def assert_detector_never_raises(hint, inputs, want, garbage=GARBAGE):
    for got in garbage:
        assert isinstance(hint.detect(copy.deepcopy(inputs), got, want), bool), hint.message
    assert hint.detect({}, None, None) is False


# ------------------------------------------------------------------ reference tests

# Tight: a float32 step anywhere in a reference fails it.
REFERENCE_RTOL = 1e-12


def assert_float64_close(got, want, rtol=REFERENCE_RTOL, *, min_scale=1.0):
    """A NumPy float64 array of the right shape first, then its values, with
    atol scaled to the data (the largest |want|, at least `min_scale`; None:
    no floor)."""
    want = np.asarray(want, dtype=np.float64)
    assert isinstance(got, np.ndarray), f"expected a NumPy array, got {type(got).__name__}"
    assert got.dtype == np.float64, f"dtype {got.dtype}, expected float64"
    assert got.shape == want.shape, f"shape {got.shape}, expected {want.shape}"
    scale = float(np.max(np.abs(want))) if want.size else 1.0
    if want.size and min_scale is not None:
        scale = max(min_scale, scale)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


def signature_test(signatures):
    """The test that each reference function has the curriculum's signature
    (`signatures`: function -> "(args)"); assign it to a test_ name."""
    @pytest.mark.parametrize("func", list(signatures), ids=lambda f: f.__name__)
    def test_signature_matches_curriculum(func):
        assert str(inspect.signature(func)) == signatures[func]
    return test_signature_matches_curriculum
