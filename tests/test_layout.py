"""The folder tree shows the trust boundary (issue 11): what enters the student's
process is autograder/student_side/ (mounted whole) plus the course's
checks/student_side/, and it imports only the standard library and NumPy. The
package has no import circles."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

from autograder import course
from autograder.sandbox import launch

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "autograder"
STUDENT_SIDE = PACKAGE / "student_side"
ALLOWED = set(sys.stdlib_module_names) | {"numpy"}


def _imports(path: Path, top_level_only: bool = False):
    """(line, absolute module name or None for a relative import) of a file's imports."""
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, None if node.level else node.module


def _outside(path: Path, top_level_only: bool = False) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{line} imports {name}"
            for line, name in _imports(path, top_level_only)
            if name is not None and name.split(".")[0] not in ALLOWED]


# Imported inside functions only, never at import time, and only where they can be
# missing: IPython (the kit's table in Jupyter, IPython syntax in `python -m
# dlphys_selfcheck`), and the instructor's grader, which the kit hands over to when
# nbgrader's configuration turns the hidden cases on (never in the sandbox: there
# the stub stands in for the kit).
OPTIONAL_INSIDE_FUNCTIONS = {"kit.py": {"IPython.display", "autograder.selfcheck"},
                             "notebook.py": {"IPython.core.inputtransformer2"}}


def test_student_side_imports_only_the_standard_library_and_numpy():
    files = [p for p in STUDENT_SIDE.rglob("*.py") if "stubs" not in p.parts]
    assert len(files) >= 6
    assert [bad for p in files for bad in _outside(p, top_level_only=True)] == []
    inside = [bad for p in files for bad in _outside(p)
              if bad.rsplit(" imports ", 1)[1] not in OPTIONAL_INSIDE_FUNCTIONS.get(p.name, ())]
    assert inside == []


def test_the_selfcheck_stub_imports_nothing():
    stubs = list((STUDENT_SIDE / "stubs").rglob("*.py"))
    assert stubs and [name for p in stubs for _, name in _imports(p) if name != "__future__"] == []


def test_the_courses_student_side_code_imports_only_the_standard_library_and_numpy_at_import():
    drivers = list(course.current().drivers_dir.glob("*.py"))
    assert drivers, "the bundled course has drivers"
    # Keras is imported inside the driver functions, from the student's environment.
    assert [bad for p in drivers for bad in _outside(p, top_level_only=True)] == []


def test_the_sandbox_mounts_student_side_whole_and_the_courses_drivers_and_nothing_else_of_ours():
    cmd = launch._bwrap_command(launch.Limits(), forbidden=(), uid=1000)
    mounts = [(cmd[i + 1], cmd[i + 2]) for i, arg in enumerate(cmd) if arg == "--ro-bind"]
    python = set(launch._python_roots())   # the read-only Python installation (a .venv may sit in ROOT)
    ours = {(src, dst) for src, dst in mounts if src not in python and
            (Path(src).resolve().is_relative_to(ROOT) or Path(src).resolve().is_relative_to(PACKAGE))}
    assert ours == {(str(STUDENT_SIDE), "/grader/student_side"),
                    (str(course.current().drivers_dir), "/grader/drivers")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """autograder module -> the autograder modules it imports (anywhere in the file)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "stubs" not in p.parts}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                if target in modules and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}   # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_package_has_no_import_circles():
    graph = _graph()
    assert "autograder.cli" in graph and graph["autograder.cli"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_failure_kinds_are_spelled_only_in_kinds_py():
    import re

    from autograder.student_side import kinds

    words = {v for k, v in vars(kinds).items() if k.isupper() and isinstance(v, str)}
    spelled = re.compile(r'(kind\s*(?:=|==|!=)\s*|_fail\(\w+, |StudentProcessError\()"(\w+)"')
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in PACKAGE.rglob("*.py") if p.name != "kinds.py"
             for m in spelled.finditer(p.read_text()) if m.group(2) in words]
    assert found == []


def test_only_the_gradebook_talks_to_its_database():
    import re

    direct = re.compile(r"\.db\.execute|sqlite3\.connect|import sqlite3")
    found = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
             if p.name != "gradebook.py" and direct.search(p.read_text())]
    assert found == []


def test_the_feedback_page_reads_fields_not_the_output_text():
    from autograder.feedback_html import render_feedback

    test = {"name": "f: a case", "score": 0, "max_score": 1, "status": "failed", "visibility": "visible",
            "output": "TEXT FOR GRADESCOPE\nHint: a hint", "tags": ["a", "f"],
            "extra_data": {"kind": "wrong", "hidden": False, "case": 0, "hints": ["a hint"],
                           "feedback": "the feedback field"}}
    page = render_feedback({"score": 0, "max_score": 1, "output": "a: 0 / 1\n\nWhat your code printed:\nOUTPUT",
                            "tests": [test], "extra_data": {"assignment": "a", "student": "s",
                                                            "printed": "the printed field"}})
    assert "the feedback field" in page and "the printed field" in page
    assert "TEXT FOR GRADESCOPE" not in page and "OUTPUT" not in page
