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


def test_magics_and_shell_escapes_are_dropped_but_python_stays():
    src = "%matplotlib inline\nimport numpy as np\n!pip install x\nfiles = !ls\nnp.zeros?\nx = 5 % 2\n"
    cleaned = clean_cell(src)
    compile(cleaned, "<t>", "exec")
    assert "import numpy as np" in cleaned and "x = 5 % 2" in cleaned
    assert "pip" not in cleaned and "matplotlib" not in cleaned
    assert clean_cell("%%bash\nrm -rf /\n") == ""
    assert clean_cell("%%time\ny = 1\n").strip() == "y = 1"


def test_indented_magic_keeps_the_block_valid():
    cleaned = clean_cell("for i in range(2):\n    %time f(i)\n")
    compile(cleaned, "<t>", "exec")


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
