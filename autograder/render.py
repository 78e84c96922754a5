"""A GradeReport as a rich table a person reads at a glance.

By default one row per graded function with its points, the failing tests
under it and each hint once; `verbose=True` gives every test its own row.
The points on screen add up to the total shown: each figure is rounded by a
largest-remainder split of the total it is part of.

Everything a student controls (student name, exception messages, printed
text) is untrusted: it is shown as plain text, never as rich markup, and
terminal control characters are replaced.
"""
from __future__ import annotations

import re

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from autograder import points
from autograder.runner import GradeReport

MARK = {True: Text("✓", style="bold green"), False: Text("✗", style="bold red")}
DECIMALS = 1   # points on screen (the total too, so that they add up)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text) -> str:
    """Untrusted text -> safe in a rich Text: control characters (ANSI escapes) as '?'."""
    return _CONTROL.sub("?", str(text))


def markup_safe(text) -> str:
    """Untrusted text -> safe inside a rich markup string."""
    return escape(plain(text))


def _functions(report: GradeReport) -> dict:
    """function -> its tests, in report order."""
    out: dict = {}
    for test in report.tests:
        out.setdefault(test.function, []).append(test)
    return out


def _shown_points(report: GradeReport) -> dict:
    """function -> (points shown, max shown), adding up to the totals shown."""
    return points.function_points(report, places=DECIMALS)


def _fmt(points: float) -> str:
    return f"{points:.{DECIMALS}f}"


def _label(test) -> str:
    hidden = "hidden: " if test.hidden and not test.label.startswith("hidden") else ""
    return hidden + test.label


def _first_line(feedback: str) -> str:
    return plain(feedback.split("\n")[0][:300])


def summary(report: GradeReport) -> Table:
    """One row per function; its failing tests (same message: once) and hints below it."""
    t = Table(title=Text(plain(f"{report.assignment} — {report.student}")), title_justify="left",
              box=box.SIMPLE_HEAD, expand=False, pad_edge=False)
    t.add_column("", width=1, no_wrap=True)
    t.add_column("function · failing tests", overflow="fold", ratio=1)
    t.add_column("points", justify="right", no_wrap=True)
    shown = _shown_points(report)
    for function, tests in _functions(report).items():
        failed = [test for test in tests if not test.passed]
        got, top = shown[function]
        count = f"all {len(tests)} tests passed" if not failed else \
            f"{len(tests) - len(failed)} of {len(tests)} tests passed"
        t.add_row(MARK[not failed], Text.assemble((function, "bold"), "  ", (count, "dim")),
                  f"{_fmt(got)}/{_fmt(top)}")
        details = []
        for feedback, labels in _grouped(failed).items():
            which = f"all {len(tests)} tests" if len(labels) == len(tests) > 1 else "; ".join(labels)
            details.append(Text.assemble(("✗ ", "red"), which))
            details.append(Padding(Text(feedback), (0, 0, 0, 2)))
        for hint in dict.fromkeys(h for test in failed for h in test.hints):
            details.append(Text.assemble(("hint: ", "yellow"), plain(hint)))
        if details:
            t.add_row("", Padding(Group(*details), (0, 0, 0, 2)), "")
    return t


def _grouped(failed) -> dict:
    """Failing tests with the same first line of feedback (not implemented, the
    same exception) are listed together: feedback -> labels."""
    groups: dict = {}
    for test in failed:
        groups.setdefault(_first_line(test.feedback), []).append(plain(_label(test)))
    return groups


def table(report: GradeReport) -> Table:
    """Every test on its own row (--verbose)."""
    t = Table(title=Text(plain(f"{report.assignment} — {report.student}")), title_justify="left",
              show_lines=False, expand=False)
    t.add_column("", width=1)
    t.add_column("function", style="bold")
    t.add_column("test")
    t.add_column("points", justify="right")
    t.add_column("feedback", overflow="fold", max_width=80)
    # Per test, split so that tests add up to their function and functions to the total.
    got, top = points.split_tests([t.function for t in report.tests], [t.score for t in report.tests],
                                  [t.max_score for t in report.tests], places=DECIMALS)
    shown = {id(test): (g, m) for test, g, m in zip(report.tests, got, top)}
    previous = None
    for function, tests in _functions(report).items():
        for test in tests:
            g, m = shown[id(test)]
            name = test.function if test.function != previous else ""
            previous = test.function
            feedback = Text()
            if not test.passed:
                feedback.append(_first_line(test.feedback))
                for hint in test.hints:
                    feedback.append("\nhint: ", style="yellow")
                    feedback.append(plain(hint))
            t.add_row(MARK[test.passed], Text(name), Text(plain(_label(test))), f"{_fmt(g)}/{_fmt(m)}",
                      feedback)
    return t


def print_report(report: GradeReport, console: Console | None = None, verbose: bool = False) -> None:
    console = console or Console()
    console.print(table(report) if verbose else summary(report))
    for problem in report.notable_cell_problems:
        where = f"code cell {problem.cell + 1}" if problem.cell >= 0 else "notebook"
        console.print(f"[yellow]note[/]: {where} failed while loading: {markup_safe(problem.kind)}: "
                      f"{markup_safe(problem.message[:200])}", highlight=False)
    shown = _shown_points(report)
    got = sum(g for g, _ in shown.values())
    top = sum(m for _, m in shown.values())
    console.print(f"[bold]score {_fmt(got)} / {_fmt(top)}[/]   "
                  f"[dim]device {markup_safe(report.device or '-')} · isolation {markup_safe(report.isolation)} · "
                  f"{report.timings.get('total', 0):.2f} s[/]")
