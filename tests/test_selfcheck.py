"""The in-notebook self-check (autograder/selfcheck.py).

Fast tests use a toy assignment whose references are plain NumPy functions in
this file (no TensorFlow): same inputs as the grader, hidden cases never run,
the reference cached, mutation/warnings/hints/errors reported, nbgrader_check
with and without the course secret, nothing at all while grading.
Slow tests: the self-check agrees with the sandboxed grader on a real buggy
submission, and a real student notebook runs in a real Jupyter kernel.
"""
from __future__ import annotations

import ast
import html
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import hints, seeds, selfcheck
from autograder.spec import Assignment, Case, Check, Hint, Rng

ROOT = Path(__file__).resolve().parents[1]
HERE = __name__  # how resolve() finds the references below ("test_selfcheck:double_ref")

# ------------------------------------------------------------------ a toy assignment

REFERENCE_CALLS = []


def double_ref(x):
    REFERENCE_CALLS.append(np.shape(x))
    return 2.0 * np.asarray(x)


def log_ref(x):
    return np.log(x)


def _array(shape):
    return lambda rng: {"x": rng.standard_normal(shape)}


SAME_AS_INPUT = Hint("You returned x unchanged: multiply it by 2.",
                     hints.matches(lambda i: np.asarray(i["x"])))

TOY = Assignment(id="toy", title="toy", checks=[
    Check("double", 60, reference=f"{HERE}:double_ref", hints=[SAME_AS_INPUT], cases=[
        Case("a 3x4 array", _array((3, 4))),
        Case("hidden: a vector", _array((5,)), hidden=True),    # hidden between visible ones:
        Case("a 2x2 array", _array((2, 2))),                     # indices must stay the grader's
        Case("hidden: a tall array", _array((30, 3)), hidden=True),
    ]),
    Check("safe_log", 40, reference=f"{HERE}:log_ref", warning_free=True, cases=[
        Case("values in [1, 2)", lambda rng: {"x": rng.uniform(1.0, 2.0, 4)}),
        Case("hidden: values in [1, 3)", lambda rng: {"x": rng.uniform(1.0, 3.0, 7)}, hidden=True),
    ]),
])


def public_inputs(function, index):
    check = TOY.check(function)
    return check.cases[index].make(Rng(seeds.case_seed(function, index, False, 0)).make())


@pytest.fixture(autouse=True)
def no_secret(monkeypatch, tmp_path):
    """A student's machine: no course secret, not grading."""
    monkeypatch.delenv(seeds.SECRET_ENV, raising=False)
    monkeypatch.delenv(selfcheck.GRADING_ENV, raising=False)
    monkeypatch.delenv(selfcheck.HIDDEN_ENV, raising=False)
    monkeypatch.setattr(seeds, "DEFAULT_SECRET_FILE", tmp_path / "no-secret-here")


def correct_namespace(seen=None):
    def double(x):
        if seen is not None:
            seen.append(np.array(x))
        return 2 * x

    def safe_log(x):
        return np.log(x)
    return {"double": double, "safe_log": safe_log}


def test_public_cases_get_the_graders_inputs_and_hidden_cases_never_run():
    seen = []
    report = selfcheck.run(TOY, ["double", "safe_log"], correct_namespace(seen))
    assert (report.passed, report.total, report.hidden_not_run) == (3, 3, 3)
    assert [t.index for t in report.tests] == [0, 2, 0]
    assert len(seen) == 2
    np.testing.assert_array_equal(seen[0], public_inputs("double", 0)["x"])
    np.testing.assert_array_equal(seen[1], public_inputs("double", 2)["x"])
    assert "3 hidden tests not run here" in report.text()
    assert "hidden" not in report.text().replace("3 hidden tests not run here", "")


def test_expected_values_are_computed_once_per_case():
    namespace = correct_namespace()
    selfcheck._EXPECTED.clear()      # a fresh kernel
    REFERENCE_CALLS.clear()
    for _ in range(3):
        assert selfcheck.run(TOY, ["double"], namespace).passed == 2
    assert REFERENCE_CALLS == [(3, 4), (2, 2)]


def test_in_place_mutation_is_reported_like_the_grader_does():
    def double(x):
        x *= 2
        return x
    report = selfcheck.run(TOY, ["double"], {"double": double})
    assert report.passed == 0
    assert all("double modified its input x in place" in t.feedback for t in report.tests)


def test_numpy_warnings_fail_a_warning_free_function():
    def safe_log(x):
        np.log(-1.0)            # right answer, but an invalid operation on the way
        return np.log(x)
    report = selfcheck.run(TOY, ["safe_log"], {"safe_log": safe_log})
    assert report.passed == 0
    assert "NumPy warned during the call" in report.tests[0].feedback


def test_hints_fire_and_are_shown_once_per_function():
    report = selfcheck.run(TOY, ["double"], {"double": lambda x: x.copy()})
    assert all(t.hints == [SAME_AS_INPUT.message] for t in report.tests)
    assert report.text().count(SAME_AS_INPUT.message) == 1
    assert html.escape(SAME_AS_INPUT.message) in report.html()
    assert report.html().count("hint:") == 1


def test_unfinished_missing_and_crashing_functions_get_one_clear_row():
    def double(x):
        raise NotImplementedError()

    def safe_log(x):
        y = x.reshape(3)
        return y
    report = selfcheck.run(TOY, ["double", "safe_log"], {"double": double, "safe_log": safe_log})
    text = report.text()
    assert "✗ double\n    double is not implemented yet" in text
    assert "safe_log raised ValueError: cannot reshape" in text
    assert "at line" in text and "y = x.reshape(3)" in text
    missing = selfcheck.run(TOY, ["double"], {})
    assert "double is not defined yet: run the cell that defines it first" in missing.text()


def test_prints_are_swallowed_and_the_global_random_state_is_restored(capsys):
    def double(x):
        print("debugging output")
        return 2 * x + 0 * np.random.random()
    np.random.seed(5)
    before = np.random.get_state()[1].copy()
    result = selfcheck._InProcess({"double": double}, None).call("double", {"x": np.ones(2)}, 10.0,
                                                                global_seed=1)
    assert result.ok and result.value.tolist() == [2.0, 2.0]
    assert np.array_equal(np.random.get_state()[1], before)
    assert "debugging output" not in capsys.readouterr().out


def test_check_prints_a_table_outside_jupyter(capsys):
    selfcheck.check("double", assignment=TOY, namespace=correct_namespace())
    out = capsys.readouterr().out
    assert out.startswith("Self-check · toy · double\n✓ double · all 2 public tests passed\n")
    assert "2 of 2 public tests passed · 2 hidden tests not run here" in out
    selfcheck.check_all(TOY, namespace=correct_namespace())
    assert "3 of 3 public tests passed · 3 hidden tests not run" in capsys.readouterr().out


def test_nbgrader_check_without_the_secret_shows_public_results_and_never_raises(capsys):
    assert selfcheck.nbgrader_check("double", assignment=TOY, namespace={"double": lambda x: x}) is None
    out = capsys.readouterr().out
    assert "✗ double" in out and "2 hidden tests not run here" in out


def test_nbgrader_validate_fails_the_cell_on_a_public_failure(monkeypatch):
    monkeypatch.setenv("NBGRADER_VALIDATING", "1")   # the student pressed nbgrader's Validate
    with pytest.raises(AssertionError, match="double: 2 of 2 tests failed"):
        selfcheck.nbgrader_check("double", assignment=TOY, namespace={"double": lambda x: x})
    selfcheck.nbgrader_check("double", assignment=TOY, namespace=correct_namespace())


def test_a_secret_on_the_machine_does_not_turn_the_hidden_cases_on(monkeypatch, tmp_path, capsys):
    secret_file = tmp_path / "secret"
    secret_file.write_text("course-secret")
    monkeypatch.setattr(seeds, "DEFAULT_SECRET_FILE", secret_file)   # `grade` ran here once
    monkeypatch.setenv(seeds.SECRET_ENV, "course-secret")
    assert selfcheck.nbgrader_check("double", assignment=TOY, namespace={"double": lambda x: x}) is None
    out = capsys.readouterr().out
    assert "✗ double" in out and "2 hidden tests not run here" in out


def test_hidden_cases_on_without_a_secret_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(selfcheck.HIDDEN_ENV, "1")
    with pytest.raises(RuntimeError, match="no course secret"):
        selfcheck.nbgrader_check("double", assignment=TOY, namespace=correct_namespace())


def test_nbgrader_check_with_the_secret_runs_hidden_cases_and_raises(monkeypatch, capsys):
    monkeypatch.setenv(seeds.SECRET_ENV, "course-secret")
    monkeypatch.setenv(selfcheck.HIDDEN_ENV, "1")        # the instructor's nbgrader_config.py
    seen = []
    selfcheck.nbgrader_check("double", assignment=TOY, namespace=correct_namespace(seen))
    assert "double: all 4 tests passed (2 public, 2 hidden; student nbgrader)" in capsys.readouterr().out
    student = seeds.student_seed(b"course-secret", "toy", "nbgrader")
    hidden = TOY.check("double").cases[1].make(Rng(seeds.case_seed("double", 1, True, student)).make())
    np.testing.assert_array_equal(seen[1], hidden["x"])   # the grader's hidden inputs for that student
    with pytest.raises(AssertionError) as failed:
        selfcheck.nbgrader_check("double", assignment=TOY, namespace={"double": lambda x: x})
    message = str(failed.value)
    assert message.startswith("double: 4 of 4 tests failed")
    assert "hidden: a tall array" in message and SAME_AS_INPUT.message in message


def test_nbgrader_check_uses_the_student_folder_under_nbgrader_autograde(monkeypatch, tmp_path):
    folder = tmp_path / "autograded" / "alice" / "toy"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert selfcheck._nbgrader_student() == "alice"
    monkeypatch.delenv("NBGRADER_EXECUTION")
    assert selfcheck._nbgrader_student() == "nbgrader"


def test_nothing_happens_while_grading(monkeypatch):
    monkeypatch.setenv(selfcheck.GRADING_ENV, "1")
    monkeypatch.setenv(seeds.SECRET_ENV, "course-secret")
    called = []
    namespace = {"double": lambda x: called.append(1)}
    assert selfcheck.check("double", assignment=TOY, namespace=namespace) is None
    assert selfcheck.check_all(TOY, namespace=namespace) is None
    assert selfcheck.nbgrader_check("double", assignment=TOY, namespace=namespace) is None
    assert called == []


def test_the_sandbox_stub_offers_the_same_names():
    stub = ROOT / "autograder" / "student_side" / "stubs" / "autograder" / "selfcheck.py"
    names = {n.name for n in ast.parse(stub.read_text()).body if isinstance(n, ast.FunctionDef)}
    assert names == set(selfcheck.__all__)


def test_the_assignment_is_found_from_the_function_name():
    chosen = selfcheck._assignment_for(["conv2d"], None, {})
    assert chosen.id == "convolution"
    with pytest.raises(ValueError, match="did you mean 'conv2d'"):
        selfcheck._assignment_for(["conv2"], None, {})
    with pytest.raises(ValueError, match="none of the graded functions is defined"):
        selfcheck._assignment_for(None, None, {})
    assert selfcheck._assignment_for(None, None, {"mse_loss": len}).id == "gradient_descent"
    with pytest.raises(ValueError, match="not graded in convolution"):
        selfcheck._assignment_for(["mse_loss"], "convolution", {})


# ------------------------------------------------------------------ against the real grader

@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", ["gradient_descent", "convolution"])
def test_self_check_and_grader_agree_on_every_visible_case(assignment_id, grade_cells, monkeypatch):
    """bob's typical mistakes (examples/): same verdicts, messages and hints as the sandboxed grader."""
    from autograder import course
    from autograder.submission import load

    cells = load(ROOT / "examples" / "submissions" / f"bob_{assignment_id}.ipynb").cells
    assignment = course.get(assignment_id)
    graded = grade_cells(assignment_id, cells)
    namespace = {"__name__": "__main__"}
    monkeypatch.setenv(selfcheck.GRADING_ENV, "1")   # the notebook's own test cells: no-ops here
    for source in cells:
        try:
            exec(compile(source, "<cell>", "exec"), namespace)
        except Exception:
            pass
    monkeypatch.delenv(selfcheck.GRADING_ENV)
    mine = selfcheck.run(assignment, [c.function for c in assignment.checks], namespace)

    def outcome(t):
        return t.function, t.index, t.passed, t.kind, t.feedback.split("\n")[0], t.hints
    visible = [outcome(t) for t in graded.tests if not t.hidden]
    assert [outcome(t) for t in mine.tests] == visible
    assert any(not t.passed for t in mine.tests) and any(t.hints for t in mine.tests)


# ------------------------------------------------------------------ in a real Jupyter kernel

def _solution_source(grade_id: str) -> str:
    import nbformat

    nb = nbformat.read(ROOT / "solutions" / "convolution.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "\n".join(line for line in cell.source.splitlines() if "### " not in line)


def _student_notebook():
    """exercises/convolution.ipynb as a student would leave it: conv_output_size
    and global_avg_pool right, conv2d flipping the kernel (otherwise right; it
    uses conv_output_size), the rest unfinished."""
    import nbformat

    nb = nbformat.read(ROOT / "exercises" / "convolution.ipynb", as_version=4)
    sources = {
        "conv_output_size": _solution_source("conv_output_size"),
        "conv2d": _solution_source("conv2d").replace("def conv2d(", "def _cross_correlation(") +
        '\n\ndef conv2d(x, w, b, stride=1, padding="valid", dilation=1):\n'
        "    return _cross_correlation(x, np.asarray(w)[::-1, ::-1], b, stride, padding, dilation)\n",
        "global_avg_pool": "def global_avg_pool(x):\n    return x.mean(axis=(1, 2))\n",
    }
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in sources:
            cell.source = sources[grade_id]
    for cell_id, source in [
        ("t-one", 'from autograder.selfcheck import check, check_all\ncheck("conv2d")'),
        ("t-all", "from autograder.selfcheck import check_all\ncheck_all()"),
        ("t-timed", 'import time\nstarted = time.perf_counter()\ncheck("conv2d")\n'
                    'print(f"SECOND_CHECK_SECONDS={time.perf_counter() - started:.3f}")'),
    ]:
        cell = nbformat.v4.new_code_cell(source)
        cell["id"] = cell_id
        nb.cells.append(cell)
    return nb


def _outputs(nb, cell_id):
    cell = next(c for c in nb.cells if c.get("id") == cell_id)
    return cell.outputs


def _shown(outputs, mime):
    return "\n".join(o["data"][mime] for o in outputs if o.output_type == "display_data"
                     and mime in o.get("data", {}))


@pytest.mark.slow
def test_student_notebook_in_a_real_kernel(tmp_path):
    from nbclient import NotebookClient

    from autograder import course
    from checks import convolution as conv

    nb = _student_notebook()
    env = {k: v for k, v in os.environ.items() if k not in (seeds.SECRET_ENV, selfcheck.GRADING_ENV)}
    env["HOME"] = str(tmp_path)             # a student's machine: no course secret file either
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)

    conv2d = course.get("convolution").check("conv2d")
    public = [c.label for c in conv2d.cases if not c.hidden]
    n_hidden = sum(c.hidden for c in conv2d.cases)
    hint = " ".join(conv.CONV_FLIPPED.message.split())

    one = _outputs(nb, "t-one")
    text, page = _shown(one, "text/plain"), _shown(one, "text/html")
    flat = " ".join(text.split())
    for label in public:
        assert f"✗ conv2d · {label}" in text
        assert html.escape(label) in page
    assert hint in flat and html.escape(conv.CONV_FLIPPED.message) in page
    assert f"0 of {len(public)} public tests passed · {n_hidden} hidden tests not run here" in flat
    assert "hidden:" not in text + page     # no hidden label, let alone hidden inputs

    everything = " ".join(_shown(_outputs(nb, "t-all"), "text/plain").split())
    assert "✓ global_avg_pool · all 2 public tests passed" in everything
    assert "✓ conv_output_size · all 4 public tests passed" in everything
    assert "✗ conv2d · " in everything and "✗ max_pool2d max_pool2d is not implemented yet" in everything
    total_hidden = sum(c.hidden for check in conv.ASSIGNMENT.checks for c in check.cases)
    assert f"{total_hidden} hidden tests not run here" in everything

    for cell in nb.cells:   # appended cells and nbgrader test cells: no error, nothing on stderr
        if cell.get("id", "").startswith(("t-", "test-")):
            assert not [o for o in cell.outputs if o.output_type == "error"
                        or (o.output_type == "stream" and o.name == "stderr")], cell.id
    test_conv2d = " ".join(_shown(_outputs(nb, "test-conv2d"), "text/plain").split())
    # Run All without the student kit: the test cells' stand-in does nothing (with the kit they
    # show the public results: tests/test_kit.py), and the imports cell said how to install it.
    assert test_conv2d == ""
    imports = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                   == "imports")
    assert "Self-check not installed" in "".join(o.get("text", "") for o in imports.outputs)

    timed = "".join(o.get("text", "") for o in _outputs(nb, "t-timed") if o.output_type == "stream")
    print(timed.strip())            # timing is reported, never asserted (bench/bench_selfcheck.py)
    assert "SECOND_CHECK_SECONDS=" in timed
