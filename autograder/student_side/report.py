"""The self-check's result: a table in Jupyter (`_repr_html_`) and as text.

`.passed` is True when every public test passed; `.failed` names the graded
functions with a failed public test. Student values never become markup: every
text is escaped.
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

from . import kinds

NOT_STARTED = (kinds.NOT_IMPLEMENTED, kinds.MISSING)


@dataclass(repr=False)
class Report:
    assignment: str
    functions: list
    tests: list              # kitcheck.CaseResult, in check order
    hidden_not_run: int
    seconds: float
    grader_only: int = 0     # public tests the kit leaves to the grader (e.g. a timing)

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.tests)

    @property
    def failed(self) -> list[str]:
        return [f for f in self.functions if any(not t.passed for t in self.tests if t.function == f)]

    @property
    def n_passed(self) -> int:
        return sum(t.passed for t in self.tests)

    @property
    def total(self) -> int:
        return len(self.tests)

    def text(self) -> str:
        return "\n".join([self.title()] + text_rows(self) + [self.footer()])

    def html(self) -> str:
        return render_html(self)

    def failure_summary(self) -> str:
        head = f"{', '.join(self.functions)}: {self.total - self.n_passed} of {self.total} tests failed"
        return "\n".join([head] + text_rows(self, only_failed=True))

    def title(self) -> str:
        which = self.functions[0] if len(self.functions) == 1 else "all functions"
        return f"Self-check · {self.assignment} · {which}"

    def footer(self) -> str:
        text = f"{self.n_passed} of {self.total} public tests passed"
        if self.hidden_not_run:
            text += (f" · {self.hidden_not_run} hidden test{'s' if self.hidden_not_run != 1 else ''}"
                     " not run here: the grader runs them on fresh inputs")
        if self.grader_only:
            text += (f" · {self.grader_only} public test{'s' if self.grader_only != 1 else ''} "
                     "run on the grader only")
        return text + f" · {self.seconds:.1f} s"

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return self.text()

    __str__ = __repr__


@dataclass
class Row:
    ok: bool
    function: str
    label: str
    message: str = ""
    hints: tuple = ()


def _first_line(text: str) -> str:
    return (text.strip().split("\n")[0] if text else "")[:400]


def rows(report: Report) -> list[Row]:
    out = []
    for function in report.functions:
        tests = [t for t in report.tests if t.function == function]
        if not tests:
            out.append(Row(True, function, "no public tests (graded on hidden tests only)"))
        elif all(t.passed for t in tests):
            out.append(Row(True, function, f"all {len(tests)} public tests passed" if len(tests) > 1
                           else "its public test passed"))
        elif len({t.kind for t in tests}) == 1 and tests[0].kind in NOT_STARTED:
            out.append(Row(False, function, "", _first_line(tests[0].feedback)))
        else:
            seen: set = set()
            for t in tests:
                fresh = tuple(h for h in t.hints if h not in seen)
                seen.update(t.hints)
                out.append(Row(t.passed, function, t.label,
                               "" if t.passed else _first_line(t.feedback), fresh))
    return out


def text_rows(report: Report, width: int = 100, only_failed: bool = False) -> list[str]:
    lines = []
    for row in rows(report):
        if only_failed and row.ok:
            continue
        lines.append(f"{'✓' if row.ok else '✗'} {row.function}" + (f" · {row.label}" if row.label else ""))
        if row.message:
            lines.append(textwrap.fill(row.message, width, initial_indent="    ",
                                       subsequent_indent="    ", break_on_hyphens=False))
        for hint in row.hints:
            lines.append(textwrap.fill(f"hint: {hint}", width, initial_indent="    ",
                                       subsequent_indent="          ", break_on_hyphens=False))
    return lines


_GREEN, _RED, _AMBER, _GREY = "#1a7f37", "#cf222e", "#9a6700", "#6e7781"


def render_html(report: Report) -> str:
    esc = html.escape
    cell = "text-align:left;vertical-align:top;padding:2px 8px"
    out = [f'<div class="dlphys-selfcheck"><div style="font-weight:bold;margin-bottom:4px">'
           f"{esc(report.title())}</div>", '<table style="border-collapse:collapse">']
    previous = None
    for row in rows(report):
        name = row.function if row.function != previous else ""
        previous = row.function
        mark = (f'<span style="color:{_GREEN};font-weight:bold">✓</span>' if row.ok
                else f'<span style="color:{_RED};font-weight:bold">✗</span>')
        notes = [esc(row.message)] if row.message else []
        notes += [f'<span style="color:{_AMBER}"><b>hint:</b> {esc(h)}</span>' for h in row.hints]
        out.append(f'<tr><td style="{cell}">{mark}</td><td style="{cell}"><code>{esc(name)}'
                   f'</code></td><td style="{cell}">{esc(row.label)}</td>'
                   f'<td style="{cell}">{"<br>".join(notes)}</td></tr>')
    out.append("</table>")
    out.append(f'<div style="color:{_GREY};margin-top:4px">{esc(report.footer())}</div></div>')
    return "".join(out)
