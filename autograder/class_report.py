"""The class report: one self-contained HTML page per assignment, from the
gradebook alone (no results.json files, no submissions, no TensorFlow).

What an instructor wants after a batch: the score distribution, which
functions the class struggles with, which misconceptions are common (the hints
that fired, counted in students), whose grading hit a wall (timeouts, crashes,
...) and why, and which submissions were slow to grade.
"""
from __future__ import annotations

import json
import statistics
import time
from urllib.parse import quote

from autograder.student_side.kinds import GRADING_FAILURES, LABELS as KIND_LABELS
from autograder.feedback_html import (assignment_title, bar,
                                      esc, fmt, new_figure, page, png_data_uri)

SLOWEST = 10

EXTRA_CSS = """
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 16px; min-width: 120px; }
.card .value { font-size: 1.6em; font-weight: 700; font-variant-numeric: tabular-nums; }
.card .label { color: var(--muted); font-size: 0.85em; }
.chart { display: block; max-width: 100%; height: auto; margin: 8px 0; }
td.hint-text { max-width: 620px; }
table.students td, table.students th { padding: 4px 8px; }
table.students th.fn { font-weight: 400; font-size: 0.85em; max-width: 110px; }
.reason { white-space: pre-wrap; word-break: break-word; margin: 0; background: none; border: none;
          padding: 0; }
"""


def default_href(student: str) -> str:
    return f"{quote(student)}/feedback.html"


def _tests(book, assignment_id: str) -> list[dict]:
    return book.tests(assignment_id)


def _functions(assignment, tests: list[dict]) -> list[str]:
    order = [] if isinstance(assignment, str) else [c.function for c in assignment.checks]
    for t in sorted(tests, key=lambda t: t["idx"]):
        if t["function"] not in order:
            order.append(t["function"])
    return order


# ---------------------------------------------------------------- charts

def _histogram(percents: list[float]) -> str:
    import numpy as np

    fig = new_figure(6.4, 2.6, layout="constrained")
    ax = fig.add_subplot()
    edges = np.linspace(0, 100, 11)
    counts, _ = np.histogram(np.clip(percents, 0, 100), bins=edges)
    ax.bar(edges[:-1], counts, width=10, align="edge", color="#2f81f7", edgecolor="white")
    for left, n in zip(edges[:-1], counts):
        if n:
            ax.text(left + 5, n, str(int(n)), ha="center", va="bottom", fontsize=8)
    if percents:
        mean, median = float(np.mean(percents)), float(np.median(percents))
        ax.axvline(mean, color="#c62828", lw=1.2, ls="--", label=f"mean {mean:.1f}")
        ax.axvline(median, color="#1a7f37", lw=1.2, ls=":", label=f"median {median:.1f}")
        ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, max(int(counts.max()) if counts.size else 1, 1) * 1.2)
    ax.set_xticks(edges)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("score (% of the maximum)", fontsize=9)
    ax.set_ylabel("students", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return png_data_uri(fig)


def _pass_rate_chart(functions: list[str], visible: dict, hidden: dict) -> str:
    import numpy as np

    height = 0.42 * len(functions) + 0.9
    fig = new_figure(6.4, height, layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(functions))
    for offset, label, rates, color in ((-0.2, "visible tests", visible, "#2f81f7"),
                                        (0.2, "hidden tests", hidden, "#8250df")):
        values = [100 * rates[f] if rates.get(f) is not None else 0.0 for f in functions]
        ax.barh(y + offset, values, height=0.38, color=color, label=label)
        for yi, f, v in zip(y, functions, values):
            if rates.get(f) is not None:
                ax.text(v + 1, yi + offset, f"{v:.0f}%", va="center", fontsize=7)
    ax.set_yticks(y, functions, fontsize=8, fontfamily="monospace")
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("tests passed (%)", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2,
              borderaxespad=0.1)
    ax.spines[["top", "right"]].set_visible(False)
    return png_data_uri(fig)


# ---------------------------------------------------------------- the report

def render_class_report(book, assignment, feedback_href=default_href) -> str:
    """assignment: an Assignment (or its id). feedback_href(student) -> the
    relative link of that student's feedback page, or None for no link."""
    if isinstance(assignment, str):
        try:  # the registry knows the order of the functions and the title
            from autograder import course

            assignment = course.get(assignment)
        except Exception:
            pass
    if isinstance(assignment, str):
        assignment_id, title = assignment, assignment_title(assignment)
    else:
        assignment_id, title = assignment.id, assignment.title
    every_row = book.rows(assignment_id)
    # An unreadable file is not a student who scored 0: it stays out of every statistic.
    unreadable_rows = [r for r in every_row if r["status"] == "unreadable"]
    apart = {r["student"] for r in unreadable_rows}
    rows = [r for r in every_row if r["student"] not in apart]
    every_test = _tests(book, assignment_id)
    tests = [t for t in every_test if t["student"] not in apart]
    functions = _functions(assignment, every_test)

    students = [r["student"] for r in rows]
    max_score = max((float(r["max_score"]) for r in rows), default=0.0)
    scores = {r["student"]: float(r["score"]) for r in rows}
    percents = [100 * float(r["score"]) / float(r["max_score"]) if float(r["max_score"]) else 0.0
                for r in rows]
    full = sum(float(r["score"]) >= float(r["max_score"]) > 0 for r in rows)
    unreadable = len(unreadable_rows)
    failures = [t for t in tests if t["kind"] in GRADING_FAILURES]
    failed_students = sorted({t["student"] for t in failures})

    parts = [f'<header><h1>Class report: {esc(assignment_id)}</h1>'
             + (f'<p class="meta">{esc(title)}</p>' if title else "")
             + "</header>"]
    mean = statistics.fmean(scores.values()) if scores else 0.0
    median = statistics.median(scores.values()) if scores else 0.0
    cards = [("students", str(len(students)), "students"), ("mean", fmt(mean), "mean score"),
             ("median", fmt(median), "median score"), ("full", str(full), "full marks"),
             ("max", fmt(max_score), "maximum score"),
             ("failures", str(len(failed_students)), "with grading failures")]
    if unreadable:
        cards.append(("unreadable", str(unreadable), "unreadable notebooks"))
    parts.append('<section id="summary"><div class="cards">' + "".join(
        f'<div class="card" data-stat="{key}"><div class="value">{value}</div><div class="label">{label}</div></div>'
        for key, value, label in cards) + "</div></section>")

    if unreadable_rows:
        parts.append(_unreadable_section(unreadable_rows, every_test, feedback_href))
    if not rows:
        parts.append("<p>No graded submissions for this assignment yet.</p>")
        return page(f"{assignment_id} class report", "\n".join(parts), EXTRA_CSS)

    parts.append('<section id="distribution"><h2>Score distribution</h2>'
                 f'<img class="chart" src="{_histogram(percents)}" alt="Histogram of the scores of '
                 f'{len(students)} students">'
                 "</section>")
    parts.append(_function_section(functions, tests, rows))
    parts.append(_misconceptions(tests, functions))
    parts.append(_failures_section(failures, functions, feedback_href))
    parts.append(_slowest(rows, feedback_href))
    parts.append(_students_table(rows, tests, functions, feedback_href))
    latest = max(float(r["graded_at"]) for r in every_row)
    versions = sorted({r["grader_version"] for r in every_row})
    parts.append(f"<footer>From gradebook.sqlite &middot; last grading "
                 f"{esc(time.strftime('%Y-%m-%d %H:%M', time.localtime(latest)))} &middot; grader "
                 f"{esc(', '.join(versions))}</footer>")
    return page(f"{assignment_id} class report", "\n".join(parts), EXTRA_CSS)


def _function_section(functions: list[str], tests: list[dict], rows) -> str:
    n_students = len(rows)
    visible, hidden, table = {}, {}, []
    for f in functions:
        mine = [t for t in tests if t["function"] == f]
        vis = [t["status"] == "passed" for t in mine if not t["hidden"]]
        hid = [t["status"] == "passed" for t in mine if t["hidden"]]
        visible[f] = sum(vis) / len(vis) if vis else None
        hidden[f] = sum(hid) / len(hid) if hid else None
        per_student: dict = {}
        for t in mine:
            got, total = per_student.get(t["student"], (0.0, 0.0))
            per_student[t["student"]] = (got + t["score"], total + t["max_score"])
        points = max((total for _, total in per_student.values()), default=0.0)
        mean_points = statistics.fmean(got for got, _ in per_student.values()) if per_student else 0.0
        full = sum(got >= total > 0 for got, total in per_student.values())
        passed = sum(t["status"] == "passed" for t in mine)
        rate = passed / len(mine) if mine else 0.0
        table.append(f'<tr data-function="{esc(f)}"><td><code>{esc(f)}</code></td>'
                     f'<td class="num">{fmt(points)}</td><td class="num">{fmt(mean_points)}</td>'
                     f'<td class="num">{rate:.0%}</td><td>{bar(rate, label=f"{rate:.0%} of the tests passed")}</td>'
                     f'<td class="num">{full} / {n_students}</td></tr>')
    chart = _pass_rate_chart(functions, visible, hidden)
    return ('<section id="functions"><h2>Pass rate per function</h2>'
            f'<img class="chart" src="{chart}" alt="Share of visible and hidden tests passed per function">'
            '<div class="scroll"><table class="functions"><thead><tr><th>function</th><th class="num">points</th>'
            '<th class="num">mean points</th><th class="num">tests passed</th><th></th>'
            '<th class="num">students with full marks</th></tr></thead>'
            f'<tbody>{"".join(table)}</tbody></table></div></section>')


def _misconceptions(tests: list[dict], functions: list[str]) -> str:
    fired: dict = {}
    for t in tests:
        for hint in t["hints"]:
            entry = fired.setdefault(hint, {"students": set(), "functions": set(), "tests": 0})
            entry["students"].add(t["student"])
            entry["functions"].add(t["function"])
            entry["tests"] += 1
    head = ('<section id="misconceptions"><h2>Most frequent misconceptions</h2>'
            '<p class="muted small">Hints that fired, counted in students.</p>')
    if not fired:
        return head + "<p>No hint fired for any student.</p></section>"
    position = {f: i for i, f in enumerate(functions)}
    ranked = sorted(fired.items(), key=lambda kv: (-len(kv[1]["students"]), -kv[1]["tests"], kv[0]))
    rows = []
    for message, entry in ranked:
        who = sorted(entry["students"])
        funcs = sorted(entry["functions"], key=lambda f: position.get(f, len(position)))
        rows.append(f'<tr class="misconception"><td class="num count" data-students="{len(who)}">{len(who)}</td>'
                    f'<td class="hint-text">{esc(message)}</td>'
                    f'<td>{", ".join(f"<code>{esc(f)}</code>" for f in funcs)}</td>'
                    f'<td class="num">{entry["tests"]}</td>'
                    f'<td class="small">{esc(", ".join(who))}</td></tr>')
    return (head + '<div class="scroll"><table class="misconceptions"><thead><tr><th class="num">students</th>'
            '<th>hint</th><th>function</th><th class="num">tests</th><th>who</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div></section>')


def _reason(test: dict) -> str:
    text = (test.get("feedback") or "").strip()
    return text if len(text) <= 400 else text[:400] + " [...]"


def _student_cell(student: str, feedback_href) -> str:
    href = feedback_href(student) if feedback_href else None
    return f'<a href="{esc(href)}">{esc(student)}</a>' if href else esc(student)


def _failures_section(failures: list[dict], functions: list[str], feedback_href) -> str:
    head = ('<section id="grading-failures"><h2>Grading failures</h2>'
            '<p class="muted small">Tests that got no answer out of the code: '
            + ", ".join(esc(KIND_LABELS.get(k, k)) for k in GRADING_FAILURES) + ".</p>")
    if not failures:
        return head + "<p>None: every test got an answer.</p></section>"
    by_function: dict = {}
    for t in failures:  # per student, function and kind, the first test carries the cause
        by_function.setdefault((t["student"], t["function"], t["kind"]), []).append(t)
    groups: dict = {}    # functions of one student that failed the same way (an unreadable notebook)
    for (student, function, kind), tests in by_function.items():
        reason = _reason(min(tests, key=lambda t: t["idx"]))
        entry = groups.setdefault((student, kind, reason), {"functions": [], "tests": 0})
        entry["functions"].append(function)
        entry["tests"] += len(tests)
    position = {f: i for i, f in enumerate(functions)}
    rows = []
    for (student, kind, reason), entry in sorted(groups.items()):
        names = sorted(entry["functions"], key=lambda f: (position.get(f, len(position)), f))
        where = ("all functions" if len(names) > 1 and set(names) >= set(functions) else
                 ", ".join(f"<code>{esc(f)}</code>" for f in names))
        rows.append(f'<tr class="failure" data-student="{esc(student)}" data-kind="{esc(kind)}">'
                    f"<td>{_student_cell(student, feedback_href)}</td><td>{where}</td>"
                    f'<td><span class="badge kind">{esc(KIND_LABELS.get(kind, kind))}</span></td>'
                    f'<td class="num">{entry["tests"]}</td><td><pre class="reason">{esc(reason)}</pre></td></tr>')
    return (head + '<div class="scroll"><table class="failures"><thead><tr><th>student</th><th>function</th>'
            '<th>kind</th><th class="num">tests</th><th>reason</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div></section>')


def _unreadable_section(unreadable_rows, every_test: list[dict], feedback_href) -> str:
    """The files that could not be opened, with why: not in any statistic above or below."""
    first: dict = {}
    for t in every_test:
        if t["student"] not in first or t["idx"] < first[t["student"]]["idx"]:
            first[t["student"]] = t
    body = []
    for r in unreadable_rows:
        reason = _reason(first[r["student"]]) if r["student"] in first else ""
        body.append(f'<tr class="unreadable" data-student="{esc(r["student"])}">'
                    f'<td>{_student_cell(r["student"], feedback_href)}</td>'
                    f'<td><pre class="reason">{esc(reason)}</pre></td></tr>')
    return (f'<section id="unreadable"><h2>Unreadable submissions ({len(unreadable_rows)})</h2>'
            '<p class="muted small">Files that could not be opened as a notebook. They are not counted '
            'as students: not in the mean, the median or any pass rate.</p>'
            '<table class="unreadable"><thead><tr><th>submission</th><th>reason</th></tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></section>')


def _slowest(rows, feedback_href) -> str:
    ranked = sorted(rows, key=lambda r: (-float(r["seconds"]), r["student"]))[:SLOWEST]
    body = "".join(f'<tr class="slow"><td>{_student_cell(r["student"], feedback_href)}</td>'
                   f'<td class="num">{float(r["seconds"]):.1f}</td>'
                   f'<td class="num">{fmt(float(r["score"]))} / {fmt(float(r["max_score"]))}</td>'
                   f'<td>{esc(r["device"] or "")}</td></tr>' for r in ranked)
    return ('<section id="slowest"><h2>Slowest submissions</h2>'
            '<p class="muted small">Grading wall time, including the student process start-up.</p>'
            '<table class="slowest"><thead><tr><th>student</th><th class="num">seconds</th>'
            f'<th class="num">score</th><th>device</th></tr></thead><tbody>{body}</tbody></table></section>')


def _students_table(rows, tests: list[dict], functions: list[str], feedback_href) -> str:
    per: dict = {}
    for t in tests:
        got, total = per.get((t["student"], t["function"]), (0.0, 0.0))
        per[(t["student"], t["function"])] = (got + t["score"], total + t["max_score"])
    # <wbr> after underscores: long function names may wrap in the narrow columns
    head = "".join(f'<th class="num fn"><code>{esc(f).replace("_", "_<wbr>")}</code></th>' for f in functions)
    body = []
    for r in rows:
        score, max_score = float(r["score"]), float(r["max_score"])
        cells = "".join(f'<td class="num">{fmt(per.get((r["student"], f), (0.0, 0.0))[0])}</td>'
                        for f in functions)
        body.append(f'<tr class="student" data-student="{esc(r["student"])}">'
                    f'<td>{_student_cell(r["student"], feedback_href)}</td>'
                    f'<td class="num">{fmt(score)}</td>'
                    f'<td>{bar(score / max_score if max_score else 0, label=f"{fmt(score)} of {fmt(max_score)}")}</td>'
                    f"{cells}<td>{esc(r['status'])}</td><td class=\"num\">{float(r['seconds']):.1f}</td></tr>")
    return ('<section id="students"><h2>Students</h2><div class="scroll"><table class="students"><thead><tr>'
            f'<th>student</th><th class="num">score</th><th></th>{head}<th>status</th><th class="num">seconds</th>'
            f'</tr></thead><tbody>{"".join(body)}</tbody></table></div></section>')
