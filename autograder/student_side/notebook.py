"""`python -m dlphys_selfcheck NOTEBOOK [--assignment ID] [--fail-under PERCENT]`

The public tests of a notebook outside Jupyter, e.g. in the CI of a student's
repository: runs the notebook's code cells top to bottom in this process
(IPython syntax through IPython's own transformer when IPython is installed,
magics and `!` lines as no-ops; a failing cell does not stop the rest), then
the kit's check_all. Prints the table and the share of public tests passed;
exit 1 when that share (in percent) is below --fail-under, 2 for bad usage.
This is feedback, not a grade: grades of record come from the course's grader.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import sys
import types
from pathlib import Path

from . import kit, kitcheck
from .ipython_standin import StandIn


def code_cells(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in notebook.get("cells", []):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append("".join(source) if isinstance(source, list) else str(source))
    return cells


def assignment_of(path: Path, explicit: str | None) -> str | None:
    known = kitcheck.index()
    if explicit:
        return explicit if explicit in known else None
    try:
        named = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}) \
            .get("dlphys", {}).get("assignment")
    except (ValueError, AttributeError):
        named = None
    if named in known:
        return named
    hits = [a for a in known if a in path.stem.lower()]
    return max(hits, key=len) if hits else None


def _python(source: str) -> str:
    try:
        ast.parse(source)
        return source
    except SyntaxError:
        pass
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # no IPython: magics and shell lines become no-ops
        return "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line
                         for line in source.splitlines())


def run_cells(cells: list[str], namespace: dict) -> list[str]:
    """Run every cell; returns one line per cell that raised."""
    shell = StandIn(namespace)
    namespace["get_ipython"] = shell.get_ipython
    problems = []
    for number, source in enumerate(cells, 1):
        try:
            code = compile(_python(source), f"<cell {number}>", "exec")
            with contextlib.redirect_stdout(io.StringIO()):  # the notebook's own prints
                exec(code, namespace)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # an unfinished exercise, an exit(): the next cell runs
            problems.append(f"cell {number}: {type(exc).__name__}: {str(exc)[:200]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlphys_selfcheck",
                                     description="Run a notebook's public self-check tests.")
    parser.add_argument("notebook")
    parser.add_argument("-a", "--assignment", help="assignment id (default: from the notebook)")
    parser.add_argument("--fail-under", type=float, metavar="PERCENT",
                        help="exit 1 when fewer than PERCENT %% of the public tests pass")
    args = parser.parse_args(argv)
    path = Path(args.notebook)
    try:
        cells = code_cells(path)
    except (OSError, ValueError) as exc:
        print(f"dlphys_selfcheck: cannot read {args.notebook}: {exc}", file=sys.stderr)
        return 2
    assignment = assignment_of(path, args.assignment)
    if assignment is None:
        print(f"dlphys_selfcheck: cannot tell the assignment of {args.notebook}: pass --assignment "
              f"({', '.join(kitcheck.index())})", file=sys.stderr)
        return 2
    # The cells run as the main module, as in a kernel: check_all() in a cell finds them there.
    module = types.ModuleType("__main__")
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        problems = run_cells(cells, vars(module))
    finally:
        sys.modules["__main__"] = saved
    report = kit.check_all(assignment, namespace=vars(module))
    print(report.text())
    for line in problems:
        print(f"note: {line}")
    percent = 100.0 * report.n_passed / report.total if report.total else 100.0
    print(f"public tests passed: {report.n_passed} of {report.total} ({percent:.0f} %)")
    if args.fail_under is not None and percent < args.fail_under:
        print(f"below --fail-under {args.fail_under:g} %")
        return 1
    return 0
