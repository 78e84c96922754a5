"""A stand-in for `get_ipython()` inside the student process (standard library only).

The grader rewrites IPython syntax with IPython's own transformer (see
submission.py), so `%time f(x)` arrives here as
`get_ipython().run_line_magic('time', 'f(x)')`. Grading runs no shell, shows no
help and draws no plots: every magic, `!` command and `obj?` is a no-op, except
the timing/profiling magics, whose statement or cell body is student code that
defines or computes things: it runs once, untimed.
"""
from __future__ import annotations

import ast
import linecache
import re
import sys

# Magics whose argument (line) or body (cell) is Python, with their getopt options.
RUNS_BODY = {"time": "", "timeit": "n:r:tcp:qo", "prun": "l:rs:T:qD:", "capture": "",
             "debug": ""}
_OPTION = re.compile(r"\s*-(\w)(\S*)\s*")


class StandIn:
    """What `get_ipython()` returns while a submission is graded."""

    def __init__(self, namespace: dict):
        self.user_ns = namespace
        self.filename = "<cell>"  # the cell being run, for tracebacks

    def get_ipython(self):
        return self

    def __repr__(self):
        return "<grader stand-in for IPython>"

    def run_line_magic(self, name, line):
        if name not in RUNS_BODY or name == "capture" or not line.strip():
            return None
        return self._run(strip_options(line, RUNS_BODY[name]), sys._getframe(1).f_lineno - 1,
                         expression_value=name == "time")  # `x = %time f()` is f()'s value

    def run_cell_magic(self, name, line, cell):
        if name not in RUNS_BODY:
            return None
        offset = sys._getframe(1).f_lineno  # the body starts on the line after the magic
        self._show_in_tracebacks(offset, cell)
        self._run(cell, offset, expression_value=False)
        return None

    def system(self, cmd):
        return None

    def getoutput(self, cmd, split=True, depth=0):
        return []

    def _run(self, source, line_offset, expression_value):
        """Run student code in the notebook's namespace, with line numbers as in its cell."""
        tree = ast.parse(source, self.filename)
        ast.increment_lineno(tree, line_offset)
        if expression_value and len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
            expression = ast.Expression(tree.body[0].value)
            return eval(compile(expression, self.filename, "eval"), self.user_ns)
        exec(compile(tree, self.filename, "exec"), self.user_ns)
        return None

    def _show_in_tracebacks(self, offset, cell):
        """The transformed cell holds the body as one string: put its lines back."""
        entry = linecache.cache.get(self.filename)
        if entry:
            lines = list(entry[2][:offset]) + cell.splitlines(True)
            linecache.cache[self.filename] = (entry[0], None, lines, self.filename)


def strip_options(line: str, spec: str) -> str:
    """`-n 10 -r 3 f(x)` -> `f(x)`: drop a magic's leading getopt-style options."""
    takes_value = {c for c, after in zip(spec, spec[1:] + " ") if after == ":" and c != ":"}
    while True:
        match = _OPTION.match(line)
        if not match or match.group(1) not in spec.replace(":", ""):
            return line.strip()
        line = line[match.end():]
        if match.group(1) in takes_value and not match.group(2):
            line = re.sub(r"^\S+\s*", "", line, count=1)
