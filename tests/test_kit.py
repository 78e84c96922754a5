"""The student kit (`grade kit`): a small wheel that self-checks without the grader.

What is proved, on the wheel the real CLI builds:
- its file list is fixed, it is at most 2 MB and needs numpy only;
- its modules import only the standard library and NumPy at import time, and
  importing every one of them loads neither TensorFlow, Keras nor the grader;
- it holds no answers: every callable in it, private ones included, called
  with fresh random inputs of each graded NumPy function (as keywords and as
  one dict), returns neither the answer nor any array part of it;
- the builder refuses a hint it cannot express as data;
- it gives the grader's verdicts: on every public case of every NumPy
  assignment, for the solution, the untouched exercise and every
  implementation in tests/buggy_*.py, the same pass/fail and the same hints
  as the grader's judging (runner.grade_case, what `grade run` uses); slow:
  the same against real `grade run` results.json on the solution, the
  exercise and a notebook with one bug per function, Keras assignments too
  (the kit builds the model with this process's TensorFlow);
- check()/check_all() return the result object (.passed, .failed, a table in
  Jupyter and as text);
- slow, a student's machine: the kit installs alone into a fresh venv with
  numpy and checks a notebook from the command line; every NumPy exercise
  runs in a numpy-only kernel (first error: a stub's NotImplementedError, no
  ImportError) and prints one install line; with the kit, the table shows.
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import json
import os
import pkgutil
import signal
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autograder import course, hints
from autograder.spec import Assignment, Case, Check, Hint, Rng

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NUMPY_IDS = [a.id for a in course.all_assignments() if a.numpy_only]
BUGGY = {"gradient_descent": "buggy_impls", "convolution": "buggy_impls",
         "activations": "buggy_activations", "initialization": "buggy_initialization",
         "backprop": "buggy_backprop", "optimizers": "buggy_optimizers",
         "regularization": "buggy_regularization"}

EXPECTED_FILES = sorted(
    ["dlphys_selfcheck/__init__.py", "dlphys_selfcheck/__main__.py"]
    + [f"dlphys_selfcheck/course/{m}.py" for m in (
        "__init__", "activations", "backprop", "cnn_physics", "dense_networks", "gradient_descent",
        "initialization", "optimizers", "randomness", "regularization")]
    + [f"dlphys_selfcheck/data/{m}" for m in (
        "__init__.py", "activations.json", "backprop.json", "cnn_physics.json", "convolution.json",
        "dense_networks.json", "gradient_descent.json", "index.json", "initialization.json",
        "optimizers.json", "regularization.json")]
    + [f"dlphys_selfcheck/engine/{m}.py" for m in (
        "__init__", "calling", "compare", "hintdata", "ipython_standin", "kernel", "kinds", "kit", "kitcall",
        "kitcheck", "text",
        "mutation", "notebook", "report", "wire")]
    + [f"dlphys_selfcheck-1.0.0.dist-info/{m}" for m in ("METADATA", "WHEEL", "top_level.txt",
                                                         "RECORD")])


def env_with_repo() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kit")
    done = subprocess.run([str(BIN / "grade"), "kit", "-o", str(out)], capture_output=True,
                          text=True, timeout=900, env=env_with_repo())
    assert done.returncode == 0, done.stderr[-2000:]
    assert "9 assignments" in done.stdout
    (found,) = out.glob("*.whl")
    return found


@pytest.fixture(scope="module")
def site(wheel, tmp_path_factory) -> Path:
    """The kit installed (pip, no dependencies) into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                           "--target", str(target), str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return target


@pytest.fixture(scope="module")
def kit(site):
    """The installed kit, imported in this process (and forgotten afterwards)."""
    sys.path.insert(0, str(site))
    try:
        yield importlib.import_module("dlphys_selfcheck")
    finally:
        sys.path.remove(str(site))
        for name in [m for m in sys.modules if m == "dlphys_selfcheck" or m.startswith("dlphys_selfcheck.")]:
            del sys.modules[name]


def kit_modules(kit) -> list[types.ModuleType]:
    names = [kit.__name__] + [m.name for m in pkgutil.walk_packages(kit.__path__, kit.__name__ + ".")
                              if not m.name.endswith(".__main__")]
    return [importlib.import_module(n) for n in names]


# ------------------------------------------------------------------ the wheel

def test_the_wheels_file_list_is_fixed(wheel):
    assert sorted(zipfile.ZipFile(wheel).namelist()) == EXPECTED_FILES


def test_the_wheel_is_small_and_needs_numpy_only(wheel):
    assert wheel.stat().st_size <= 2_000_000
    with zipfile.ZipFile(wheel) as z:
        metadata = z.read("dlphys_selfcheck-1.0.0.dist-info/METADATA").decode()
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines()
                if line.startswith("Requires-Dist:")]
    assert requires == ["numpy", 'ipython; extra == "notebook"']
    assert "Name: dlphys-selfcheck" in metadata


def test_every_assignment_is_in_the_kit(wheel):
    with zipfile.ZipFile(wheel) as z:
        index = json.loads(z.read("dlphys_selfcheck/data/index.json"))
    assert list(index) == course.ids()
    for a in course.all_assignments():
        assert index[a.id]["functions"] == [c.function for c in a.checks]


def _module_level_imports(tree):
    """(module name, level, guarded) of every import not inside a function;
    guarded: inside a try that catches ImportError, or in its handler."""
    out = []

    def walk(nodes, guarded):
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(node, ast.Import):
                out.extend((alias.name, 0, guarded) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                out.append((node.module or "", node.level, guarded))
            elif isinstance(node, ast.Try):
                catches = any(isinstance(h.type, ast.Name) and h.type.id in ("ImportError",
                              "ModuleNotFoundError") for h in node.handlers)
                walk(node.body, guarded or catches)
                for h in node.handlers:  # runs only where the first import failed
                    walk(h.body, guarded or catches)
            elif isinstance(node, ast.ClassDef):
                walk(node.body, guarded)
            elif isinstance(node, (ast.If, ast.With)):
                walk(node.body, guarded)
                walk(getattr(node, "orelse", []), guarded)
    walk(tree.body, False)
    return out


def test_the_kit_imports_only_the_standard_library_and_numpy(wheel):
    with zipfile.ZipFile(wheel) as z:
        sources = {n: z.read(n).decode() for n in z.namelist() if n.endswith(".py")}
    for name, source in sources.items():
        for module, level, guarded in _module_level_imports(ast.parse(source)):
            top = module.split(".")[0]
            if level or top in sys.stdlib_module_names or top == "numpy":
                continue
            # the optimizers check falls back to the grader's copy of compare.py, in the grader only
            assert guarded and top == "autograder", (name, module)


def test_importing_every_kit_module_loads_no_tensorflow_and_no_grader(site):
    code = ("import importlib, pkgutil, sys, dlphys_selfcheck as k\n"
            "for m in pkgutil.walk_packages(k.__path__, 'dlphys_selfcheck.'):\n"
            "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
            "print(sorted(n for n in ('tensorflow', 'keras', 'autograder', 'reference_impl', 'checks',"
            " 'IPython') if n in sys.modules))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=str(site), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def copy_reference(x):
    return np.array(x)


def test_the_builder_refuses_a_hint_it_cannot_ship():
    from autograder import kit as builder

    hand_written = Hint("you doubled it", hints.detector(lambda i, got, exp: np.allclose(got, 2 * exp)))
    check = Check("f", 100, [Case("one", lambda rng: {"x": np.ones(3)})],
                  reference="test_kit:copy_reference", hints=[hand_written])
    toy = Assignment("toy", "toy", [check])
    with pytest.raises(builder.KitError, match=r"toy.f: hint 1 .*hand-written code"):
        builder.assignment_data(toy)
    shippable = Check("f", 100, check.cases, reference="test_kit:copy_reference",
                      hints=[Hint("doubled", hints.scaled(lambda i: [2.0]))])
    data = builder.assignment_data(Assignment("toy", "toy", [shippable]))
    (case,) = data["functions"][0]["cases"]
    assert case["hints"][0]["__dict__"][0] == ["kind", "scaled"]


def test_the_builder_refuses_a_property_check_outside_the_student_side():
    from autograder import kit as builder

    check = Check("f", 100, [Case("one", lambda rng: {"n": 3})], verify=lambda call, i: [])
    with pytest.raises(builder.KitError, match="property check of f is not in checks/student_side"):
        builder.assignment_data(Assignment("gradient_descent", "toy", [check]))


def test_grade_kit_bad_usage_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run([str(BIN / "grade"), "kit", "-o", str(tmp_path), "-a", "nope"],
                          capture_output=True, text=True, env=env_with_repo(), timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "unknown assignment 'nope'" in done.stderr


# ------------------------------------------------------------------ no answers

def _array_parts(value):
    """Every array (of at least 2 entries) inside a value."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf" and value.size >= 2:
            yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _array_parts(v)
    elif isinstance(value, (list, tuple)):
        arr = None
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            pass
        if arr is not None and arr.ndim >= 1 and arr.size >= 2:
            yield arr
        for v in value:
            yield from _array_parts(v)


def _returned_arrays(value, depth=0):
    """Arrays anywhere in a returned value, objects' attributes included."""
    if depth > 6:
        return
    yield from _array_parts(value)
    if isinstance(value, (dict, list, tuple)):
        for v in (value.values() if isinstance(value, dict) else value):
            if not isinstance(v, (np.ndarray, dict, list, tuple)):
                yield from _returned_arrays(v, depth + 1)
    elif hasattr(value, "__dict__") and not isinstance(value, (type, types.ModuleType)):
        for v in vars(value).values():
            yield from _returned_arrays(v, depth + 1)


def _fresh_cases():
    """(function, inputs, answer parts) per graded NumPy function: inputs from the
    table's own generators with seeds no kit case uses, the answer from the reference."""
    from autograder.reference import prepare_reference
    from checks.student_side.optimizers import STATE, step_kwargs

    out = []
    for assignment in course.all_assignments():
        if not assignment.numpy_only:
            continue
        prepare_reference(assignment)()
        for check in assignment.checks:
            if check.reference is None:
                continue
            for index, case in enumerate(check.cases[:2]):
                inputs = case.make(Rng(987_654 + index).make())
                task = inputs.get("_task")
                if task in STATE:  # optimizers: a trajectory case; the graded call is one step
                    inputs = step_kwargs(task, inputs, inputs["param"],
                                         [inputs[s] for s in STATE[task]], 0)
                if check.verify is not None and task not in STATE:
                    continue  # random by design (initializers, splits, dropout): no single answer
                from autograder import runner

                answer = check.reference_function()(**runner._for_reference(inputs))
                given = list(_array_parts(inputs))
                # A part equal to an input (l2_penalty_grad at lam = 0.5 is w) is no secret:
                # every function that hands its argument back "returns" it.
                parts = [p for p in _array_parts(answer) if np.ptp(p) > 0 and not any(
                    g.shape == p.shape and np.allclose(g, p) for g in given)]
                if parts:
                    out.append((f"{assignment.id}.{check.function}", inputs, parts))
    return out


@contextlib.contextmanager
def _time_limit(seconds):
    def stop(signum, frame):
        raise TimeoutError
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _callables(kit):
    """Every callable of the kit: module functions and classes (private ones
    too), methods of its classes, and callables kept in module-level tables."""
    seen, out = set(), []

    def add(name, obj):
        if callable(obj) and id(obj) not in seen and not isinstance(obj, types.ModuleType):
            seen.add(id(obj))
            out.append((name, obj))
    for module in kit_modules(kit):
        for name, obj in vars(module).items():
            owner = getattr(obj, "__module__", None)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                if owner == module.__name__:
                    add(f"{module.__name__}.{name}", obj)
                    if inspect.isclass(obj):
                        for attr, member in vars(obj).items():
                            fn = member.__func__ if isinstance(member, (staticmethod, classmethod)) \
                                else member
                            if inspect.isfunction(fn):
                                add(f"{module.__name__}.{name}.{attr}", fn)
            elif isinstance(obj, dict):
                for key, value in obj.items():
                    if inspect.isfunction(value):
                        add(f"{module.__name__}.{name}[{key!r}]", value)
    return out


def test_no_callable_in_the_kit_returns_an_answer(kit):
    cases = _fresh_cases()
    assert len(cases) > 30
    functions = _callables(kit)
    assert len(functions) > 150
    leaks = []
    for where, inputs, parts in cases:
        for name, fn in functions:
            for call in (lambda: fn(**{k: v for k, v in inputs.items()}), lambda: fn(dict(inputs))):
                try:
                    with _time_limit(2.0), np.errstate(all="ignore"), \
                            contextlib.redirect_stdout(open(os.devnull, "w")):
                        value = call()
                except BaseException:  # noqa: B036  (SystemExit, TimeoutError: no answer either)
                    continue
                for got in _returned_arrays(value):
                    for part in parts:
                        scale = float(np.max(np.abs(part)))  # tiny answers (Adagrad's g**2) too
                        if got.shape == part.shape and np.allclose(got, part, rtol=1e-6,
                                                                   atol=1e-9 * scale):
                            leaks.append((where, name))
    assert leaks == [], sorted(set(leaks))


# ------------------------------------------------------------------ the grader's verdicts

def _notebook_namespace(path: Path) -> dict:
    """The functions a notebook defines (its code cells run here; failing cells skipped)."""
    from autograder.submission import load

    namespace = {"__name__": "__notebook__"}
    for source in load(path).cells:
        if source.strip().startswith(("nbgrader_check(", "check_all(", "check(")):
            continue  # the notebook's own self-check calls
        try:
            with contextlib.redirect_stdout(open(os.devnull, "w")), np.errstate(all="ignore"):
                exec(compile(source, str(path), "exec"), namespace)
        except Exception:
            pass
    return namespace


def _implementations(assignment_id):
    """(label, namespace) for the solution, the untouched exercise and every
    buggy implementation (the solution with that one function replaced)."""
    solution = _notebook_namespace(ROOT / "solutions" / f"{assignment_id}.ipynb")
    yield "solution", solution
    yield "exercise", _notebook_namespace(ROOT / "exercises" / f"{assignment_id}.ipynb")
    module = importlib.import_module(BUGGY[assignment_id])
    functions = sorted((c.function for c in course.get(assignment_id).checks), key=len,
                       reverse=True)
    for name, obj in sorted(vars(module).items()):
        target = next((f for f in functions if name == f or name.startswith(f + "_")), None)
        if target is None or not callable(obj) or name.startswith("_"):
            continue
        yield name, {**solution, target: obj}


def _verdicts_of_the_grader(assignment, namespace):
    from autograder import selfcheck

    report = selfcheck.run(assignment, [c.function for c in assignment.checks], namespace)
    return {(t.function, t.index): (t.passed, list(t.hints)) for t in report.tests}


def _verdicts_of_the_kit(kit, assignment_id, namespace):
    engine = importlib.import_module("dlphys_selfcheck.engine.kitcheck")
    functions = engine.index()[assignment_id]["functions"]
    report = engine.run(assignment_id, functions, namespace)
    return {(t.function, t.index): (t.passed, list(t.hints)) for t in report.tests}


@pytest.mark.parametrize("assignment_id", NUMPY_IDS)
def test_the_kit_gives_the_graders_verdicts_and_hints(kit, assignment_id):
    from autograder.reference import prepare_reference

    assignment = course.get(assignment_id)
    prepare_reference(assignment)()
    compared = failed_somewhere = hinted = 0
    for label, namespace in _implementations(assignment_id):
        with contextlib.redirect_stdout(open(os.devnull, "w")):
            grader = _verdicts_of_the_grader(assignment, namespace)
            mine = _verdicts_of_the_kit(kit, assignment_id, namespace)
        in_kit = {key: value for key, value in grader.items()
                  if assignment.check(key[0]).cases[key[1]].in_kit}
        assert mine == in_kit, label
        if label == "solution":
            assert all(passed and not h for passed, h in mine.values())
        if label == "exercise":
            assert not any(passed for passed, _ in mine.values())
        compared += 1
        failed_somewhere += any(not passed for passed, _ in mine.values())
        hinted += any(h for _, h in mine.values())
    # (the buggy modules hold correct versions too, and mistakes that only hidden cases catch)
    assert compared >= 10 and failed_somewhere >= compared // 2 and hinted >= compared // 4


def _labelled_verdicts_of_the_kit(assignment_id, namespace):
    engine = importlib.import_module("dlphys_selfcheck.engine.kitcheck")
    report = engine.run(assignment_id, engine.index()[assignment_id]["functions"], namespace)
    return {f"{t.function}: {t.label}": (t.passed, list(t.hints)) for t in report.tests}


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", NUMPY_IDS)
def test_the_kit_agrees_with_grade_run(kit, assignment_id, tmp_path):
    """Real `grade run` (sandbox, results.json) on the solution, the exercise and
    a notebook with one buggy function per graded function."""
    import nbformat

    module = importlib.import_module(BUGGY[assignment_id])
    broken = nbformat.read(ROOT / "solutions" / f"{assignment_id}.ipynb", as_version=4)
    functions = [c.function for c in course.get(assignment_id).checks]

    def is_bug_of(name, f):  # conv2d_flipped is conv2d's; conv2d_param_count_... is not
        longer = [g for g in functions if len(g) > len(f) and (name == g or name.startswith(g + "_"))]
        return name.startswith(f + "_") and not longer
    bugs = {}
    for f in functions:  # the first listed bug of each function
        name = next((k for k, v in sorted(vars(module).items()) if is_bug_of(k, f)
                     and callable(v) and not isinstance(v, type)), None)
        if name is not None:
            bugs[f] = name
    # The buggy module runs in a namespace of its own (as in this process), so a bug that
    # calls another graded function calls the module's version, not itself.
    source = inspect.getsource(module)
    broken.cells.append(nbformat.v4.new_code_cell(
        f"_bugs = {{}}\nexec({source!r}, _bugs)\n"
        + "\n".join(f"{f} = _bugs[{name!r}]" for f, name in bugs.items())))
    (tmp_path / "broken.ipynb").write_text(nbformat.writes(broken))
    for notebook in (ROOT / "solutions" / f"{assignment_id}.ipynb",
                     ROOT / "exercises" / f"{assignment_id}.ipynb", tmp_path / "broken.ipynb"):
        out = tmp_path / "results.json"
        done = subprocess.run([str(BIN / "grade"), "run", str(notebook), "-a", assignment_id,
                               "-o", str(out), "-q"], capture_output=True, text=True,
                              env=env_with_repo(), timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
        graded = {t["name"]: t for t in json.loads(out.read_text())["tests"]
                  if t["visibility"] == "visible"}
        mine = _labelled_verdicts_of_the_kit(assignment_id, _notebook_namespace(notebook))
        assert set(mine) == set(graded), notebook.name
        if notebook.name == "broken.ipynb":
            assert bugs and any(not passed for passed, _ in mine.values())
        for name, (passed, hint_list) in mine.items():
            assert (graded[name]["status"] == "passed") == passed, (notebook.name, name)
            flat = " ".join(graded[name]["output"].split())
            for h in hint_list:
                assert " ".join(h.split()) in flat, (notebook.name, name, h)


KERAS_BUGS = {"dense_networks": {"build_regressor": "wide_regressor",  # over the budget
                                  "build_classifier": "wide_classifier"},
              "cnn_physics": {}}


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", sorted(KERAS_BUGS))
def test_the_kit_agrees_with_grade_run_on_the_keras_assignments(kit, assignment_id, tmp_path,
                                                                monkeypatch):
    """The student's own TensorFlow builds the model (here: this process's); the kit
    judges its public structure cases as `grade run` does."""
    import nbformat

    notebooks = [ROOT / "solutions" / f"{assignment_id}.ipynb",
                 ROOT / "exercises" / f"{assignment_id}.ipynb"]
    if KERAS_BUGS[assignment_id]:
        import buggy_dense_networks

        broken = nbformat.read(notebooks[0], as_version=4)
        source = inspect.getsource(buggy_dense_networks)
        broken.cells.append(nbformat.v4.new_code_cell(
            f"_bugs = {{}}\nexec({source!r}, _bugs)\n" + "\n".join(
                f"{f} = _bugs[{name!r}]" for f, name in KERAS_BUGS[assignment_id].items())))
        notebooks.append(tmp_path / "broken.ipynb")
        notebooks[-1].write_text(nbformat.writes(broken))
    in_kit = {f"{c.function}: {case.label}" for c in course.get(assignment_id).checks
              for case in c.cases if not case.hidden and case.in_kit}
    for notebook in notebooks:
        out = tmp_path / "results.json"
        done = subprocess.run([str(BIN / "grade"), "run", str(notebook), "-a", assignment_id,
                               "-o", str(out), "-q"], capture_output=True, text=True,
                              env=env_with_repo(), timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
        graded = {t["name"]: t for t in json.loads(out.read_text())["tests"] if t["name"] in in_kit}
        monkeypatch.setenv("DLPHYS_GRADING", "1")        # skip the notebook's training demos
        namespace = _notebook_namespace(notebook)
        monkeypatch.delenv("DLPHYS_GRADING")
        mine = _labelled_verdicts_of_the_kit(assignment_id, namespace)
        assert set(mine) == set(graded) == in_kit, notebook.name
        for name, (passed, hint_list) in mine.items():
            assert (graded[name]["status"] == "passed") == passed, (notebook.name, name)
            flat = " ".join(graded[name]["output"].split())
            for h in hint_list:
                assert " ".join(h.split()) in flat, (notebook.name, name, h)
        if notebook.name == "broken.ipynb":
            assert any(not p for p, _ in mine.values()) and any(h for _, h in mine.values())


# ------------------------------------------------------------------ the result object

def test_check_and_check_all_return_the_result(kit):
    import buggy_impls as bi

    solution = _notebook_namespace(ROOT / "solutions" / "convolution.ipynb")
    good = kit.check("conv2d", namespace=solution)
    assert good.passed is True and good.failed == []
    assert "✓ conv2d · all 4 public tests passed" in repr(good)
    everything = kit.check_all(namespace=solution)
    assert everything.passed is True and everything.assignment == "convolution"
    bad = kit.check_all("convolution", namespace={**solution, "conv2d": bi.conv2d_flipped})
    assert bad.passed is False and bad.failed == ["conv2d"]
    from checks import convolution as conv

    assert " ".join(conv.CONV_FLIPPED.message.split()) in " ".join(str(bad).split())
    page = bad._repr_html_()
    assert page.startswith('<div class="dlphys-selfcheck">') and "<table" in page
    assert "hidden tests not run here" in str(bad)


def test_nbgrader_check_shows_public_results_and_never_raises_without_hidden_on(kit, monkeypatch,
                                                                               capsys):
    monkeypatch.delenv("DLPHYS_NBGRADER_HIDDEN", raising=False)
    monkeypatch.delenv("DLPHYS_GRADING", raising=False)
    assert kit.nbgrader_check("conv2d", namespace={"conv2d": lambda **kw: 0}) is None
    assert "✗ conv2d" in capsys.readouterr().out
    monkeypatch.setenv("NBGRADER_VALIDATING", "1")
    with pytest.raises(AssertionError, match="conv2d: 4 of 4 tests failed"):
        kit.nbgrader_check("conv2d", namespace={"conv2d": lambda **kw: 0})


# ------------------------------------------------------------------ a student's machine (slow)

@pytest.fixture(scope="module")
def student_venv(tmp_path_factory) -> Path:
    """A fresh virtualenv with numpy and ipykernel only (pip reuses its cache)."""
    venv = tmp_path_factory.mktemp("student") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "numpy", "ipykernel"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return venv


def _installed(venv: Path) -> set[str]:
    done = subprocess.run([str(venv / "bin" / "pip"), "list", "--format=json"], capture_output=True,
                          text=True, check=True)
    return {p["name"].lower() for p in json.loads(done.stdout)}


def _execute(notebook: Path, venv: Path, tmp_path: Path):
    """Run a notebook in a kernel of `venv` (a kernel spec of its own) -> the executed notebook."""
    import nbformat
    from nbclient import NotebookClient

    spec = tmp_path / "jupyter" / "kernels" / "student"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "numpy only", "language": "python"}))
    nb = nbformat.read(notebook, as_version=4)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DLPHYS_GRADER_SECRET")}
    env["JUPYTER_PATH"] = str(tmp_path / "jupyter")
    env["HOME"] = str(tmp_path)
    os.environ["JUPYTER_PATH"] = env["JUPYTER_PATH"]  # the client looks the spec up here
    try:
        NotebookClient(nb, timeout=600, kernel_name="student", allow_errors=True,
                       resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)
    finally:
        del os.environ["JUPYTER_PATH"]
    return nb


@pytest.mark.slow
def test_the_kit_installs_into_a_fresh_venv_and_checks_a_notebook(wheel, student_venv):
    before = _installed(student_venv)
    done = subprocess.run([str(student_venv / "bin" / "pip"), "install", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _installed(student_venv) - before == {"dlphys-selfcheck"}   # nothing else came along
    python = str(student_venv / "bin" / "python")
    good = subprocess.run([python, "-m", "dlphys_selfcheck", str(ROOT / "solutions" / "convolution.ipynb"),
                           "--fail-under", "100"], capture_output=True, text=True, timeout=300)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "public tests passed: 24 of 24 (100 %)" in good.stdout
    bad = subprocess.run([python, "-m", "dlphys_selfcheck", str(ROOT / "exercises" / "convolution.ipynb"),
                          "--fail-under", "50"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "below --fail-under 50 %" in bad.stdout
    subprocess.run([str(student_venv / "bin" / "pip"), "uninstall", "-q", "-y", "dlphys-selfcheck"],
                   check=True)


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", NUMPY_IDS)
def test_every_exercise_runs_in_a_numpy_only_kernel(student_venv, assignment_id, tmp_path):
    assert "dlphys-selfcheck" not in _installed(student_venv)
    nb = _execute(ROOT / "exercises" / f"{assignment_id}.ipynb", student_venv, tmp_path)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert not {o.ename for o in errors} & {"ImportError", "ModuleNotFoundError"}
    # The first error is a stub's NotImplementedError; later ones (a NameError for a result
    # the stub never made) are its consequences.
    assert errors and errors[0].ename == "NotImplementedError"
    first = next(c for c in nb.cells if c.cell_type == "code")
    printed = "".join(o.get("text", "") for o in first.outputs if o.output_type == "stream")
    assert printed.count("\n") == 1 and "Self-check not installed: run  %pip install" in printed


@pytest.mark.slow
def test_with_the_kit_the_notebook_shows_the_table(wheel, student_venv, tmp_path):
    subprocess.run([str(student_venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True,
                   timeout=300)
    try:
        nb = _execute(ROOT / "solutions" / "convolution.ipynb", student_venv, tmp_path)
    finally:
        subprocess.run([str(student_venv / "bin" / "pip"), "uninstall", "-q", "-y",
                        "dlphys-selfcheck"], check=True)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert errors == []
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert "".join(last.source).strip() == "check_all()"
    (result,) = [o for o in last.outputs if o.output_type == "execute_result"]
    assert result.data["text/html"].startswith('<div class="dlphys-selfcheck">')
    assert "24 of 24 public tests passed" in result.data["text/plain"]
