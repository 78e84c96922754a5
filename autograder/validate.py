"""`grade validate`: prove that every assignment is gradable as shipped.

For each assignment, with the same grader as `grade run` (sandbox included):
- the solution notebook scores full marks (and its cells all run),
- the untouched student notebook (exercises/<id>.ipynb) scores zero,
- grading the solution twice with the same seed gives the same result, test by test,
- exercises/ is what `grade release` would write from solutions/ today,
- the points add up to 100,
- the nbgrader points of the solution's test cells (what a student sees) equal
  the check table's, per function and in total.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder import seeds

FULL_MARKS = 100.0
VALIDATE_SECRET = b"grade validate"   # a fixed seed per assignment: validate is reproducible


@dataclass
class Validation:
    assignment: str
    solution_score: float | None = None
    exercise_score: float | None = None
    max_score: float = 0.0
    reproducible: bool | None = None
    compared: int = 0          # tests compared between the two runs
    in_sync: bool | None = None
    nbgrader_points: bool | None = None   # the notebook's points match the check table
    seed: int = 0
    seconds: float = 0.0
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def default_seed(assignment_id: str) -> int:
    return seeds.student_seed(VALIDATE_SECRET, assignment_id, "validate")


def disagreements(first, second) -> list[str]:
    """Names of the tests whose outcome differs between two GradeReports."""
    if len(first.tests) != len(second.tests):
        return [f"{len(first.tests)} tests vs {len(second.tests)}"]

    def outcome(t):
        return (t.name, t.passed, round(t.score, 9), t.kind, t.feedback, tuple(t.hints))
    return [a.name for a, b in zip(first.tests, second.tests) if outcome(a) != outcome(b)]


def _failing(report, limit=3) -> str:
    bad = [t for t in report.tests if not t.passed]
    text = "; ".join(f"{t.name} ({t.feedback.splitlines()[0][:120] if t.feedback else t.kind})"
                     for t in bad[:limit])
    return text + (f"; and {len(bad) - limit} more" if len(bad) > limit else "")


def nbgrader_points_problems(assignment, notebook: Path) -> list[str]:
    """Where the nbgrader points of `notebook`'s graded cells (grade_id
    `test_<function>`) differ from the check table's points."""
    import nbformat

    cells: dict[str, float] = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            grade_id = str(meta.get("grade_id", ""))
            cells[grade_id] = cells.get(grade_id, 0.0) + float(meta.get("points") or 0)
    total = sum(cells.values())
    problems = []
    for check in assignment.checks:
        got = cells.pop(f"test_{check.function}", None)
        if got is None:
            problems.append(f"no graded cell test_{check.function} ({check.points:g} points in the checks)")
        elif abs(got - check.points) > 1e-9:
            problems.append(f"cell test_{check.function} gives {got:g} points, the checks {check.points:g}")
    for grade_id, got in cells.items():
        problems.append(f"graded cell {grade_id} ({got:g} points) has no check")
    if abs(total - assignment.max_score) > 1e-9:
        problems.append(f"the notebook's points total {total:g}, the checks' {assignment.max_score:g}")
    return [f"nbgrader points: {p}" for p in problems]


def validate_assignment(assignment, root: Path, seed: int | None = None) -> Validation:
    from autograder import release
    from autograder.reference import prepare_reference
    from autograder.runner import grade
    from autograder.submission import SubmissionError, load

    start = time.perf_counter()
    result = Validation(assignment.id, max_score=assignment.max_score,
                        seed=default_seed(assignment.id) if seed is None else seed)
    problems = result.problems
    if abs(assignment.max_score - FULL_MARKS) > 1e-9:
        problems.append(f"points add up to {assignment.max_score:g}, not {FULL_MARKS:g}")
    prepare = prepare_reference(assignment)
    solution_path = root / release.SOLUTIONS / f"{assignment.id}.ipynb"
    exercise_path = root / release.EXERCISES / f"{assignment.id}.ipynb"

    try:
        solution = load(solution_path)
    except SubmissionError as exc:
        problems.append(f"solution: {exc}")
        solution = None
    if solution is not None:
        points_problems = nbgrader_points_problems(assignment, solution_path)
        result.nbgrader_points = not points_problems
        problems.extend(points_problems)
        first = grade(assignment, solution.cells, "validate-solution", result.seed, prepare=prepare)
        result.solution_score = first.score
        if first.score < first.max_score - 1e-9:
            problems.append(f"solution scores {first.score:.2f} / {first.max_score:g}: {_failing(first)}")
        for problem in first.notable_cell_problems:
            where = f"code cell {problem.cell + 1}" if problem.cell >= 0 else "the notebook"
            problems.append(f"solution: {where} failed while loading: {problem.kind}: "
                            f"{problem.message[:160]}")
        second = grade(assignment, solution.cells, "validate-solution", result.seed, prepare=prepare)
        differ = disagreements(first, second)
        result.compared, result.reproducible = len(first.tests), not differ
        if differ:
            problems.append(f"two runs with seed {result.seed} disagree on {len(differ)} tests: "
                            + ", ".join(differ[:3]) + (" ..." if len(differ) > 3 else ""))

    try:
        exercise = load(exercise_path)
    except SubmissionError as exc:
        problems.append(f"exercise: {exc}")
        exercise = None
    if exercise is not None:
        untouched = grade(assignment, exercise.cells, "validate-exercise", result.seed, prepare=prepare)
        result.exercise_score = untouched.score
        if untouched.score > 1e-9:
            passing = [t.name for t in untouched.tests if t.score > 0]
            problems.append(f"untouched exercise scores {untouched.score:.2f} (expected 0): "
                            + ", ".join(passing[:3]) + (" ..." if len(passing) > 3 else ""))

    if solution_path.exists():
        written = release.release(root, [assignment.id], write=False)
        result.in_sync = bool(written) and not any(changed for _, changed in written)
        if not result.in_sync:
            problems.append(f"{release.EXERCISES}/{assignment.id}.ipynb is not what "
                            f"`grade release {assignment.id}` writes from {release.SOLUTIONS}/: run it")
    result.seconds = time.perf_counter() - start
    return result


def table(v: Validation):
    from rich.table import Table
    from rich.text import Text

    def mark(ok):
        return Text("?", style="yellow") if ok is None else (
            Text("✓", style="bold green") if ok else Text("✗", style="bold red"))

    def score(value):
        return "-" if value is None else f"{value:.2f} / {v.max_score:g}"

    t = Table(title=f"{v.assignment}", title_justify="left", show_header=True)
    t.add_column("", width=1)
    t.add_column("check")
    t.add_column("result")
    sol_ok = None if v.solution_score is None else (v.solution_score >= v.max_score - 1e-9
                                                     and abs(v.max_score - FULL_MARKS) < 1e-9)
    t.add_row(mark(sol_ok), "solution score", score(v.solution_score))
    t.add_row(mark(None if v.exercise_score is None else v.exercise_score <= 1e-9),
              "exercise score", score(v.exercise_score))
    t.add_row(mark(v.reproducible), "reproducible",
              "-" if v.reproducible is None else
              f"{v.compared} tests {'agree' if v.reproducible else 'differ'} (seed {v.seed})")
    t.add_row(mark(v.in_sync), "in sync", "-" if v.in_sync is None else
              ("exercises/ matches solutions/" if v.in_sync else "exercises/ is stale"))
    t.add_row(mark(v.nbgrader_points), "cell points", "-" if v.nbgrader_points is None else
              ("nbgrader points = checks" if v.nbgrader_points else "nbgrader points differ"))
    t.add_row("", "time", f"{v.seconds:.1f} s")
    return t


def run(assignment_ids: list[str], root: Path, seed: int | None = None, console=None) -> list[Validation]:
    """Validate, print a table per assignment as it finishes, and a verdict."""
    from rich.console import Console

    from autograder import course

    console = console or Console()
    results = []
    for assignment_id in assignment_ids:
        v = validate_assignment(course.get(assignment_id), Path(root), seed)
        results.append(v)
        console.print(table(v))
        for problem in v.problems:
            console.print(f"  [red]✗[/] {problem}", highlight=False)
    bad = [v for v in results if not v.ok]
    if bad:
        console.print(f"[bold red]FAILED[/]: {', '.join(v.assignment for v in bad)} "
                      f"({len(bad)} of {len(results)} assignments)", highlight=False)
    else:
        console.print(f"[bold green]all {len(results)} assignments valid[/]", highlight=False)
    return results
