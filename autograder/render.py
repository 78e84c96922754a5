"""A GradeReport as a rich table a person reads at a glance."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder.runner import GradeReport

MARK = {True: Text("✓", style="bold green"), False: Text("✗", style="bold red")}


def table(report: GradeReport, show_passed_details: bool = False) -> Table:
    t = Table(title=f"{report.assignment} — {report.student}", title_justify="left",
              show_lines=False, expand=False)
    t.add_column("", width=1)
    t.add_column("function", style="bold")
    t.add_column("test")
    t.add_column("points", justify="right")
    t.add_column("feedback", overflow="fold", max_width=80)
    previous = None
    for test in report.tests:
        name = test.function if test.function != previous else ""
        previous = test.function
        label = ("hidden: " if test.hidden and not test.label.startswith("hidden") else "") + test.label
        feedback = Text()
        if not test.passed:
            feedback.append(test.feedback.split("\n")[0][:300])
            for hint in test.hints:
                feedback.append("\nhint: ", style="yellow")
                feedback.append(hint)
        t.add_row(MARK[test.passed], name, label, f"{test.score:.1f}/{test.max_score:.1f}", feedback)
    return t


def print_report(report: GradeReport, console: Console | None = None) -> None:
    console = console or Console()
    console.print(table(report))
    for problem in report.notable_cell_problems:
        where = f"code cell {problem.cell + 1}" if problem.cell >= 0 else "notebook"
        console.print(f"[yellow]note[/]: {where} failed while loading: {problem.kind}: "
                      f"{problem.message[:200]}", highlight=False)
    per_function = "  ".join(f"{f} {g:.0f}/{m:.0f}" for f, (g, m) in report.function_scores().items())
    console.print(per_function, highlight=False)
    console.print(f"[bold]score {report.score:.2f} / {report.max_score:.0f}[/]   "
                  f"[dim]device {report.device or '-'} · isolation {report.isolation} · "
                  f"{report.timings.get('total', 0):.2f} s[/]")
