"""The HTML pages of a batch, written from the gradebook alone.

Layout of OUTDIR (the folder of `grade batch -o OUTDIR`):

one assignment in the gradebook (the usual case)
    OUTDIR/report.html                    the class report
    OUTDIR/<folder>/feedback.html         each student's feedback page (folder: names.folder_for)

several assignments in one gradebook
    OUTDIR/report.html                    an index: one line per assignment
    OUTDIR/report-<assignment>.html       the class report of each assignment
    OUTDIR/<student>/feedback.html        an index of that student's pages
    OUTDIR/<student>/feedback-<assignment>.html

When a second assignment arrives in a gradebook that had one, the first
assignment's pages are rewritten under the per-assignment names the first time
(report.html and feedback.html become indexes). Every file is written
atomically; `grade report OUTDIR` rebuilds them all from gradebook.sqlite.
"""
from __future__ import annotations

import statistics
from pathlib import Path
from urllib.parse import quote

from autograder.class_report import render_class_report
from autograder.feedback_html import assignment_title, bar, esc, fmt, page, render_feedback
from autograder.names import folder_for
from autograder.results import write_text


def _multi(book) -> bool:
    return len(book.assignments()) > 1


def report_name(assignment_id: str, multi: bool) -> str:
    return f"report-{assignment_id}.html" if multi else "report.html"


def feedback_name(assignment_id: str, multi: bool) -> str:
    return f"feedback-{assignment_id}.html" if multi else "feedback.html"


def write_pages(book, assignment, outdir: Path) -> list[Path]:
    """Write every student's feedback page and the class report of one
    assignment (and, with several assignments, the indexes). Returns the paths."""
    outdir = Path(outdir)
    assignment_id = getattr(assignment, "id", assignment)
    multi = _multi(book)
    written = _assignment_pages(book, assignment, outdir, multi)
    if multi:
        for other in book.assignments():  # pages still under the single-assignment names
            if other != assignment_id and not (outdir / report_name(other, True)).exists():
                written += _assignment_pages(book, other, outdir, True)
        written += _indexes(book, outdir)
    return written


def _assignment_pages(book, assignment, outdir: Path, multi: bool) -> list[Path]:
    assignment_id = getattr(assignment, "id", assignment)
    name = feedback_name(assignment_id, multi)
    written = []
    students = set()
    for student, results in book.results(assignment_id).items():
        path = outdir / folder_for(student) / name
        write_text(render_feedback(results), path)
        written.append(path)
        students.add(student)

    def href(student: str):
        return f"{quote(folder_for(student))}/{name}" if student in students else None

    path = outdir / report_name(assignment_id, multi)
    write_text(render_class_report(book, assignment, feedback_href=href), path)
    written.append(path)
    return written


def _indexes(book, outdir: Path) -> list[Path]:
    ids = book.assignments()
    rows, per_student = [], {}
    for assignment_id in ids:
        subs = book.rows(assignment_id)
        scores = [float(r["score"]) for r in subs]
        top = max((float(r["max_score"]) for r in subs), default=0.0)
        mean = statistics.fmean(scores) if scores else 0.0
        rows.append(f'<tr data-assignment="{esc(assignment_id)}"><td><a href="{esc(report_name(assignment_id, True))}">'
                    f"{esc(assignment_id)}</a></td><td>{esc(assignment_title(assignment_id))}</td>"
                    f'<td class="num">{len(subs)}</td><td class="num">{fmt(mean)} / {fmt(top)}</td>'
                    f"<td>{bar(mean / top if top else 0)}</td></tr>")
        for r in subs:
            per_student.setdefault(r["student"], []).append(
                (assignment_id, float(r["score"]), float(r["max_score"])))
    body = ('<header><h1>Class reports</h1></header><table class="assignments"><thead><tr><th>assignment</th>'
            '<th>title</th><th class="num">students</th><th class="num">mean</th><th></th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')
    written = [outdir / "report.html"]
    write_text(page("Class reports", body), written[0])
    for student, graded in sorted(per_student.items()):
        items = "".join(f'<tr data-assignment="{esc(a)}"><td><a href="{esc(feedback_name(a, True))}">{esc(a)}</a></td>'
                        f'<td class="num">{fmt(s)} / {fmt(m)}</td><td>{bar(s / m if m else 0)}</td></tr>'
                        for a, s, m in graded)
        body = (f'<header><h1>Feedback</h1><p class="meta">Student: <strong class="student">{esc(student)}'
                '</strong></p></header><table class="assignments"><thead><tr><th>assignment</th>'
                f'<th class="num">score</th><th></th></tr></thead><tbody>{items}</tbody></table>')
        path = outdir / folder_for(student) / "feedback.html"
        write_text(page(f"Feedback: {student}", body), path)
        written.append(path)
    return written
