"""Reading submissions: notebooks of every shape students produce, and .py files."""
import json

import pytest

from autograder.submission import SubmissionError, clean_cell, join_split_cells, load


def notebook(tmp_path, cells, name="sub.ipynb", **meta):
    nb = {"nbformat": 4, "nbformat_minor": 2, "metadata": meta,
          "cells": [{"cell_type": t, "metadata": {}, "source": s, **({"outputs": [], "execution_count": None}
                     if t == "code" else {})} for t, s in cells]}
    path = tmp_path / name
    path.write_text(json.dumps(nb))
    return path


# Every form IPython accepts, each next to plain Python that must survive it.
IPYTHON_FORMS = {
    "obj?": "np.sum?\n",
    "?obj": "?np.sum\n",
    "obj??": "np.sum??\n",
    "%magic": "%matplotlib inline\n",
    "!cmd": "!pip install x\n",
    "x = !cmd": "files = !ls\n",
    "x = %magic": "here = %pwd\n",
    "%%cell_magic": "%%bash\nrm -rf /\n",
}


@pytest.mark.parametrize("form", IPYTHON_FORMS)
def test_every_ipython_form_becomes_python_that_keeps_the_rest_of_the_cell(form):
    src = IPYTHON_FORMS[form] + ("" if form == "%%cell_magic" else "def f(x):\n    return x % 2\n")
    cleaned = clean_cell(src)
    compile(cleaned, "<t>", "exec")
    assert "get_ipython()" in cleaned
    assert cleaned.count("\n") == src.count("\n") or form == "%%cell_magic"  # line numbers kept


def test_plain_python_that_looks_like_a_magic_is_untouched():
    src = "x = 5 % 2\na = x != 3\nprint('%d' % x)\n"
    assert clean_cell(src) == src


def test_indented_magic_keeps_the_block_valid():
    cleaned = clean_cell("for i in range(2):\n    %time f(i)\n")
    compile(cleaned, "<t>", "exec")


def test_a_body_continued_from_the_previous_cell_keeps_its_indent():
    cells = join_split_cells([clean_cell("def f(x):\n    y = x"), clean_cell("    %time y = y * 2\n    return y")])
    assert cells[0].splitlines()[-2].startswith("    get_ipython()")


MAGIC_NOTEBOOK = [
    "import numpy as np\n?np.sum\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\nsigmoid?\n",
    "%matplotlib inline\n!echo hi\nlisting = !ls\nhere = %pwd\nnp.sum??\n",
    "%time timed = sigmoid(0.0)\nvalue = %time 2 + 3\n%timeit -n 10 -r 2 repeated = 7\nquiet = %timeit 1\n",
    "%%time\ndef from_cell_magic():\n    return 'body ran'\n",
    "%%timeit -n1\ncounter = 41 + 1\n",
    "%%bash\necho not python at all ((\n",
    "%%writefile x.py\nraise SystemExit('never run')\n",
    "%%time\nx = 1\nraise ValueError('on line 3')\n",
    "def probe():\n    return [timed, value, repeated, quiet, from_cell_magic(), counter, listing, here]\n",
]


def test_the_student_process_runs_ipython_syntax_like_ipython(tmp_path):
    from autograder import course, runner
    from autograder.sandbox.session import Session

    sub = load(notebook(tmp_path, [("code", c) for c in MAGIC_NOTEBOOK]))
    gd = course.get("gradient_descent")
    session = Session(sub.cells, runner.limits_for(gd), gd.forbidden, time_budget=60.0).start()
    try:
        assert [(p.cell, p.kind) for p in session.cell_errors] == [(7, "ValueError")]
        assert 'line 3' in session.cell_errors[0].traceback and "on line 3" in session.cell_errors[0].traceback
        assert {"sigmoid", "from_cell_magic", "probe"} <= set(session.names)
        assert "get_ipython" not in session.names
        call = session.call("probe", {}, timeout=20)
        assert call.ok, call.message
        assert call.value == [0.5, 5, 7, None, "body ran", 42, [], None]
    finally:
        session.close()


def test_function_split_across_cells_is_joined():
    cells = join_split_cells(["import numpy as np", "def f(x):\n    y = x", "    return y * 2", "print(1)"])
    ns = {}
    exec(cells[1], ns)
    assert ns["f"](3) == 6
    assert len(cells) == 4 and cells[2] == ""  # numbering kept


def test_markdown_is_ignored_and_metadata_names_the_assignment(tmp_path):
    path = notebook(tmp_path, [("markdown", "# hi"), ("code", ["x = 1\n", "y = 2"]), ("raw", "z")],
                    dlphys={"assignment": "convolution"})
    sub = load(path)
    assert sub.cells == ["x = 1\ny = 2"] and sub.assignment == "convolution"
    assert len(sub.sha256) == 64


def test_nbformat3_worksheets_are_read(tmp_path):
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps({"nbformat": 3, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "a = 1"}]}]}))
    assert load(path).cells == ["a = 1"]


def test_py_files_are_one_cell(tmp_path):
    path = tmp_path / "conv.py"
    path.write_text("def f():\n    return 1\n")
    assert load(path).cells == ["def f():\n    return 1\n"]


@pytest.mark.parametrize("content,name", [("{not json", "a.ipynb"), ('{"foo": 1}', "b.ipynb"),
                                          ("x", "c.txt")])
def test_unreadable_submissions_raise_one_line_errors(tmp_path, content, name):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(SubmissionError) as info:
        load(path)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(SubmissionError):
        load(tmp_path / "nope.ipynb")


def test_deeply_nested_json_is_a_bad_input_with_one_line(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    depth = 200_000
    path = tmp_path / "deep.ipynb"
    path.write_text('{"nbformat": 4, "cells": [], "metadata": {"x": ' + "[" * depth + "]" * depth + "}}")
    grade = str(Path(sys.executable).with_name("grade"))
    done = subprocess.run([grade, "run", str(path), "--assignment", "convolution",
                           "-o", str(tmp_path / "r.json")], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr[-500:]
    assert len(done.stderr.strip().splitlines()) == 1 and "nested too deeply" in done.stderr


@pytest.mark.parametrize("deep", ["x = " + "-" * 200_000 + "1\n", "y = 1" + "+1" * 200_000 + "\n"])
def test_python_nested_too_deeply_for_the_parser_is_a_failing_cell_not_a_crash(tmp_path, deep):
    path = tmp_path / "deep.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "source": "def f():\n    return 1\n"},
        {"cell_type": "code", "metadata": {}, "source": deep}]}))
    cells = load(path).cells
    assert cells[0] == "def f():\n    return 1\n" and len(cells) == 2  # the sandbox reports cell 2
