"""`grade export`: our gradebook's scores into an nbgrader gradebook.

Written through nbgrader's own API (`nbgrader.api.Gradebook`), so formgrader,
`nbgrader export` and the course's LMS plug-ins see the grades as if nbgrader's
autograder had made them. The layout matches the solution notebooks: the
assignment holds one notebook named after the assignment id, with one
autograder test cell per graded function, grade_id `test_<function>`, worth
the function's points. A student's grade for that cell is the sum of the
function's test scores.

Scores go into `auto_score`; a `manual_score` a grader typed into formgrader is
never touched (it still wins in nbgrader's totals), and such a cell is flagged
for review, exactly as nbgrader's own autograder does on a regrade. Running the
export again updates in place: nothing is duplicated.
"""
from __future__ import annotations

import os
import shutil
import sys
import warnings
from pathlib import Path


def database_url(db: str) -> str:
    """A path to gradebook.db -> sqlite:///<absolute path>; a URL stays as it is."""
    if "://" in db:
        return db
    path = Path(db).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def cell_name(function: str) -> str:
    return f"test_{function}"


def function_scores(results: dict, functions, max_scores: dict | None = None) -> dict[str, float]:
    """Per graded function, the sum of its tests' scores in a results.json
    (tags[1] names the function); functions without tests score 0. Rounded
    with a largest-remainder split so that the cells add up to the rounded sum
    and none exceeds its `max_scores` entry (the cell's points)."""
    from autograder import points

    scores = dict.fromkeys(functions, 0.0)
    for test in results.get("tests", []):
        tags = test.get("tags") or []
        if len(tags) > 1 and tags[1] in scores:
            scores[tags[1]] += float(test.get("score") or 0.0)
    names = list(scores)
    caps = None if max_scores is None else [float(max_scores[f]) for f in names]
    if caps is not None:  # a stored score above its cell's maximum is capped, not spread
        scores = {f: min(scores[f], cap) for f, cap in zip(names, caps)}
    total = sum(scores.values())
    if caps is not None and results.get("score") is not None:  # old results.json rounded each test
        total = min(float(results["score"]), sum(caps))
    return dict(zip(names, points.split([scores[f] for f in names], total=total, caps=caps)))


def _alembic_on_path() -> None:
    """nbgrader's Gradebook runs `alembic` as a subprocess when it creates a
    database: make the one installed next to this Python findable."""
    if shutil.which("alembic") is None:
        here = str(Path(sys.executable).parent)
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")


def export_to_nbgrader(book, assignment, db: str, course_id: str = "default_course") -> int:
    """Write every graded student of `assignment` in `book` (our Gradebook)
    into the nbgrader gradebook at `db` (a path or an SQLAlchemy URL).
    Returns the number of students exported."""
    _alembic_on_path()
    with warnings.catch_warnings():
        # nbgrader's add_submission builds objects before adding them to its session;
        # SQLAlchemy 2 warns about that on every new submission. Harmless: not ours to fix.
        warnings.filterwarnings("ignore", message=".*not in session.*")
        return _export(book, assignment, db, course_id)


def _export(book, assignment, db: str, course_id: str) -> int:
    from nbgrader.api import Grade, Gradebook, MissingEntry, SubmittedNotebook

    functions = [check.function for check in assignment.checks]
    results = book.results(assignment.id)
    notebook = assignment.id
    with Gradebook(database_url(db), course_id=course_id) as nb:
        nb.update_or_create_assignment(assignment.id)
        nb.update_or_create_notebook(notebook, assignment.id)
        cells = {f: nb.update_or_create_grade_cell(cell_name(f), notebook, assignment.id,
                                                   max_score=float(assignment.check(f).points),
                                                   cell_type="code")
                 for f in functions}
        for student, data in results.items():
            nb.update_or_create_student(student)
            submission = nb.update_or_create_submission(assignment.id, student)
            try:
                submitted = nb.find_submission_notebook(notebook, assignment.id, student)
            except MissingEntry:  # the submission predates this notebook
                submitted = SubmittedNotebook(notebook=cells[functions[0]].notebook, assignment=submission)
                nb.db.add(submitted)
            maxima = {f: assignment.check(f).points for f in functions}
            for function, score in function_scores(data, functions, maxima).items():
                try:
                    grade = nb.find_grade(cell_name(function), notebook, assignment.id, student)
                except MissingEntry:  # the cell is newer than the submission
                    grade = Grade(cell_id=cells[function].id, notebook=submitted)
                    nb.db.add(grade)
                grade.auto_score = score
                # nbgrader's rule (SaveAutoGrades): a human's score means a human looks again.
                grade.needs_manual_grade = grade.manual_score is not None
            nb.db.commit()
    return len(results)
