"""The `grade` command. Imports stay inside the commands: `grade --help` must
not pay for TensorFlow, nbformat or even the grading engine."""
from __future__ import annotations

import os
import sys

import click

# TensorFlow's C++ banners are noise for graders; set before any worker starts.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

EXIT_BELOW_THRESHOLD = 1
EXIT_BAD_INPUT = 2


class BadInput(click.ClickException):
    """Bad usage or an unreadable submission: one line, exit 2."""
    exit_code = EXIT_BAD_INPUT


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dlphys-autograder", prog_name="grade")
def main():
    """Grade 'Deep Learning for Physics Research' exercises against TensorFlow references.

    Student code runs in an isolated, resource-limited process; hidden test
    inputs are seeded per student from the course secret.
    """


def _use_course(ctx, param, value):
    from autograder import course

    try:
        return course.use(value)
    except course.CourseError as exc:
        raise BadInput(str(exc)) from None


# Every command grades, lists or writes one course's assignments.
course_option = click.option(
    "--course", "course_root", type=click.Path(file_okay=False), envvar="DLPHYS_COURSE",
    callback=_use_course, expose_value=False, is_eager=True,
    help="Course folder (default: $DLPHYS_COURSE, else the bundled course).")


def _assignment(assignment_id: str | None, path: str, named: str | None):
    from autograder import course

    if assignment_id is None and named in course.ids():
        by_name = course.detect(path, None)
        if by_name is not None and by_name != named:
            raise BadInput(f"{path}: its file name says {by_name} but its metadata says {named}; "
                           "pass --assignment to choose")
    chosen = assignment_id or course.detect(path, named)
    if chosen is None:
        raise BadInput(f"cannot tell the assignment of {path}: pass --assignment "
                       f"({', '.join(course.ids())})")
    try:
        return course.get(chosen)
    except course.UnknownAssignment:
        raise BadInput(f"unknown assignment {chosen!r}; known: "
                       f"{', '.join(course.ids())}") from None


@main.command()
@course_option
@click.argument("submission", type=click.Path(dir_okay=False))
@click.option("-a", "--assignment", "assignment_id", help="Assignment id (default: from the "
              "notebook's metadata or file name).")
@click.option("-o", "--output", default="results.json", show_default=True,
              type=click.Path(dir_okay=False), help="Where to write Gradescope's results.json.")
@click.option("--student", help="Student id for per-student hidden inputs (default: file name).")
@click.option("--fail-under", type=float, help="Exit 1 when the score is below this (for CI).")
@click.option("--seed", type=int, help="Use this student seed (reproduce a grading from its results.json).")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False),
              help="Course secret (default: $DLPHYS_GRADER_SECRET or ~/.config/dlphys-grader/secret).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="Also write the student's HTML feedback page here.")
@click.option("-q", "--quiet", is_flag=True, help="Only the score line.")
@click.option("-v", "--verbose", is_flag=True, help="Every test on its own row (default: one row "
              "per function, its failing tests under it).")
def run(submission, assignment_id, output, student, fail_under, seed, secret_file, html_path, quiet,
        verbose):
    """Grade one SUBMISSION (.ipynb or .py) and write results.json."""
    from autograder import results, seeds
    from autograder.names import from_file_name, printable
    from autograder.reference import prepare_reference
    from autograder.runner import grade
    from autograder.submission import SubmissionError, load

    try:
        sub = load(submission)
    except SubmissionError as exc:
        raise BadInput(str(exc)) from None
    assignment = _assignment(assignment_id, submission, sub.assignment)
    student = printable(student) if student else from_file_name(sub.path.stem)
    if seed is None:
        try:
            seed = seeds.student_seed(seeds.load_secret(secret_file), assignment.id, student)
        except OSError as exc:
            raise BadInput(f"cannot read the course secret: {exc}") from None
    report = grade(assignment, sub.cells, student, seed, prepare=prepare_reference(assignment))
    try:
        results.write(report, output)
        if html_path:
            from autograder.feedback_html import write_feedback

            write_feedback(results.to_gradescope(report), html_path)
    except OSError as exc:
        raise BadInput(f"cannot write {exc.filename or output}: {exc.strerror or exc}") from None
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    if quiet:
        console.print(f"{assignment.id} {escape(student)}: {report.score:.2f} / {report.max_score:.0f}",
                      highlight=False)
    else:
        from autograder.render import print_report

        print_report(report, console, verbose=verbose)
        console.print(f"[dim]wrote {escape(output)}[/]")
    if fail_under is not None and report.score < fail_under:
        console.print(f"[red]score {report.score:.2f} is below --fail-under {fail_under:g}[/]")
        sys.exit(EXIT_BELOW_THRESHOLD)


@main.command()
@course_option
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("-a", "--assignment", "assignment_id", required=True, help="Assignment id.")
@click.option("-o", "--outdir", required=True, type=click.Path(file_okay=False),
              help="Where results, gradebook.sqlite, grades.csv and junit.xml go.")
@click.option("-j", "--jobs", type=int, default=0, help="Local worker processes (default: CPU count).")
@click.option("--scheduler", help="Address of a Dask scheduler (tcp://HOST:PORT) to grade on.")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False),
              help="Course secret (default: $DLPHYS_GRADER_SECRET or ~/.config/dlphys-grader/secret).")
@click.option("--force", is_flag=True, help="Regrade every submission, even those graded already "
              "by the same grader.")
@click.option("--only", "only", multiple=True, metavar="STUDENT",
              help="Regrade only this student (repeatable), e.g. for a regrade request.")
def batch(directory, assignment_id, outdir, jobs, scheduler, secret_file, force, only):
    """Grade every submission in DIRECTORY (flat or nbgrader layout); resumable."""
    from pathlib import Path

    from rich.console import Console
    from rich.markup import escape

    from autograder import seeds
    from autograder.batch import UnknownStudent, run_batch

    if not Path(directory).is_dir():
        raise BadInput(f"{directory}: no such folder")
    if jobs < 0:
        raise BadInput("--jobs must be positive")
    assignment = _assignment(assignment_id, directory, None)
    try:
        secret = seeds.load_secret(secret_file)
    except OSError as exc:
        raise BadInput(f"cannot read the course secret: {exc}") from None
    console = Console()
    try:
        summary = run_batch(Path(directory), assignment, Path(outdir), secret, jobs, scheduler, console,
                            force=force, only=tuple(only))
    except UnknownStudent as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise BadInput(f"cannot grade: {exc}") from None
    console.print(f"{summary.total} submissions: {summary.graded} graded, {summary.skipped} unchanged "
                  f"(skipped), {summary.unreadable} unreadable, {summary.failed} grader errors")
    console.print(f"[dim]wrote {escape(outdir)}/: grades.csv, junit.xml, gradebook.sqlite, report.html, "
                  "<student>/results.json and <student>/feedback.html[/]")
    if summary.failed:
        sys.exit(EXIT_BELOW_THRESHOLD)


@main.command()
@course_option
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("-a", "--assignment", "assignment_ids", multiple=True,
              help="Only this assignment (default: every assignment in the gradebook).")
def report(outdir, assignment_ids):
    """Rebuild the class report and every student's feedback page from OUTDIR/gradebook.sqlite."""
    from pathlib import Path

    from autograder.gradebook import Gradebook
    from autograder.html_outputs import write_pages

    if not (Path(outdir) / "gradebook.sqlite").is_file():
        raise BadInput(f"{outdir}: no gradebook.sqlite (run `grade batch` first)")
    with Gradebook(Path(outdir) / "gradebook.sqlite") as book:
        chosen = list(assignment_ids) or book.assignments()
        for assignment_id in chosen:
            assignment = _assignment(assignment_id, outdir, None)
            for path in write_pages(book, assignment, Path(outdir)):
                click.echo(f"wrote {path}")


@main.command()
@course_option
@click.argument("outdir", type=click.Path(file_okay=False, exists=True))
@click.option("-a", "--assignment", "assignment_id", required=True, help="Assignment id.")
@click.option("--nbgrader-db", required=True, help="nbgrader gradebook: a path to gradebook.db or an SQLAlchemy URL.")
def export(outdir, assignment_id, nbgrader_db):
    """Write the scores of OUTDIR/gradebook.sqlite into an nbgrader gradebook."""
    from pathlib import Path

    from autograder.gradebook import Gradebook
    from autograder.nbgrader_export import export_to_nbgrader

    assignment = _assignment(assignment_id, outdir, None)
    if not (Path(outdir) / "gradebook.sqlite").is_file():
        raise BadInput(f"{outdir}: no gradebook.sqlite (run `grade batch` first)")
    with Gradebook(Path(outdir) / "gradebook.sqlite") as book:
        count = export_to_nbgrader(book, assignment, nbgrader_db)
    click.echo(f"exported {count} students' {assignment.id} scores to {nbgrader_db}")


@main.command()
@course_option
@click.option("-a", "--assignment", "assignment_id", required=True, help="Assignment id.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The autograder .zip to upload to Gradescope.")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False),
              help="Course secret baked into the bundle (hidden inputs per student).")
def gradescope(assignment_id, output, secret_file):
    """Build a Gradescope autograder bundle (setup.sh, run_autograder) for one assignment."""
    from pathlib import Path

    from autograder import seeds
    from autograder.gradescope import build_bundle

    assignment = _assignment(assignment_id, output, None)
    try:
        path = build_bundle(assignment, Path(output), seeds.load_secret(secret_file))
    except (RuntimeError, ValueError, OSError) as exc:
        raise BadInput(str(exc)) from None
    click.echo(f"wrote {path}")


@main.command(name="list")
@course_option
@click.argument("assignment_id", required=False)
def list_(assignment_id):
    """Show the assignments, or one assignment's functions, points and cases."""
    from rich.console import Console
    from rich.table import Table

    from autograder import course

    console = Console()
    if assignment_id is None:
        t = Table(title="assignments")
        for col in ("id", "title", "functions", "points"):
            t.add_column(col)
        for a in course.all_assignments():
            t.add_row(a.id, a.title, str(len(a.checks)), f"{a.max_score:g}")
        console.print(t)
        return
    try:
        a = course.get(assignment_id)
    except course.UnknownAssignment:
        raise BadInput(f"unknown assignment {assignment_id!r}; known: "
                       f"{', '.join(course.ids())}") from None
    from rich.padding import Padding
    from rich.text import Text

    from autograder.fingerprint import fingerprint

    def item(text, style=""):  # indented, and wrapped lines stay indented
        console.print(Padding(Text(text, style=style), (0, 0, 0, 2), expand=False))

    t = Table(title=f"{a.id}: {a.title}")
    for col in ("function", "points", "visible", "hidden", "hints"):
        t.add_column(col, justify="left" if col == "function" else "right")
    for c in a.checks:
        visible = sum(not case.hidden for case in c.cases)
        t.add_row(c.function, f"{c.points:g}", str(visible), str(len(c.cases) - visible), str(len(c.hints)))
    console.print(t)
    # Per function: the visible cases by label (hidden ones only counted: their labels
    # are for the grader) and the text of every hint. Text(), not markup: labels hold [brackets].
    for c in a.checks:
        hidden = sum(case.hidden for case in c.cases)
        console.print(Text.assemble("\n", (c.function, "bold"), f"  {c.points:g} points"))
        for case in c.cases:
            if not case.hidden:
                item(f"case: {case.label}")
        if hidden:
            item(f"+ {hidden} hidden case{'s' if hidden > 1 else ''}", style="dim")
        for h in c.hints:
            item(f"hint: {h.message}")
    console.print(Text(f"\ngrader fingerprint {fingerprint(a.id)} (checks, references, drivers, engine)",
                       style="dim"))


@main.command()
@course_option
@click.option("--root", type=click.Path(file_okay=False, exists=True),
              help="Folder holding solutions/ and exercises/ (default: the course's).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if exercises/ is out of date.")
@click.argument("assignment_ids", nargs=-1)
def release(root, check, assignment_ids):
    """Write the student notebooks in exercises/ from solutions/ (nbgrader's preprocessors)."""
    from pathlib import Path

    from autograder import course
    from autograder import release as rel

    root = root or course.current().root
    if not (Path(root) / rel.SOLUTIONS).is_dir():
        raise BadInput(f"no {rel.SOLUTIONS}/ folder in {root}")
    outcome = rel.release(root, list(assignment_ids) or None, write=not check)
    if check:
        stale = [path for path, changed in outcome if changed]
        for path in stale:
            click.echo(f"out of date: {path}")
        sys.exit(1 if stale else 0)
    for path, changed in outcome:
        click.echo(f"{'wrote    ' if changed else 'unchanged'} {path}")


@main.command()
@course_option
@click.option("--root", type=click.Path(file_okay=False, exists=True),
              help="Folder holding solutions/ and exercises/ (default: the course's).")
@click.option("--seed", type=int, help="Student seed for the hidden cases (default: a fixed one "
              "per assignment).")
@click.argument("assignment_ids", nargs=-1)
def validate(root, seed, assignment_ids):
    """Prove every assignment (or the ones named): the solution scores full marks,
    the untouched exercise zero, two runs agree, exercises/ is in sync."""
    from pathlib import Path

    from autograder import course
    from autograder import validate as checker

    unknown = [a for a in assignment_ids if a not in course.ids()]
    if unknown:
        raise BadInput(f"unknown assignment {unknown[0]!r}; known: "
                       f"{', '.join(course.ids())}")
    outcome = checker.run(list(assignment_ids) or list(course.ids()), Path(root or course.current().root), seed)
    sys.exit(0 if all(v.ok for v in outcome) else 1)


@main.command()
@click.argument("assignment_id")
@click.option("--course", "course_root", type=click.Path(file_okay=False), envvar="DLPHYS_COURSE",
              help="Course folder, created if missing (default: $DLPHYS_COURSE, else the bundled course).")
def new(assignment_id, course_root):
    """Scaffold assignment ASSIGNMENT_ID: a solution notebook, its checks and its TF reference."""
    from pathlib import Path

    from autograder import course
    from autograder.scaffold import ScaffoldError, new_assignment

    root = Path(course_root) if course_root else course.bundled_root()
    if root.exists() and not root.is_dir():
        raise BadInput(f"{root}: not a folder")
    try:
        written = new_assignment(root, assignment_id)
    except ScaffoldError as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise BadInput(f"cannot write {exc.filename or root}: {exc.strerror or exc}") from None
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: grade release --course {root} {assignment_id} && "
               f"grade validate --course {root} {assignment_id}")


@main.command()
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False),
              help="Folder to write the kit's wheel into.")
@click.option("-a", "--assignment", "assignment_ids", multiple=True,
              help="Only this assignment (repeatable; default: all of them).")
@course_option
def kit(outdir, assignment_ids):
    """Build the student kit: a small wheel (numpy only) with the public tests as data.

    Students install it to self-check in their notebooks (`%pip install FILE-or-URL`).
    It holds no references, hidden cases, secret or code that computes an answer;
    a hint or check that cannot travel as data stops the build with its name."""
    from autograder import course
    from autograder import kit as builder
    from autograder.reference import prepare_reference

    unknown = [a for a in assignment_ids if a not in course.ids()]
    if unknown:
        raise BadInput(f"unknown assignment {unknown[0]!r}; known: {', '.join(course.ids())}")
    chosen = [course.get(a) for a in (assignment_ids or course.ids())]
    for assignment in chosen:  # float64 TensorFlow, exactly as `grade run` prepares it
        prepare_reference(assignment)()
    try:
        wheel = builder.build(outdir, chosen)
    except builder.KitError as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise BadInput(f"cannot write {exc.filename or outdir}: {exc.strerror or exc}") from None
    click.echo(f"wrote {wheel} ({wheel.stat().st_size / 1e6:.2f} MB, "
               f"{len(chosen)} assignment{'s' if len(chosen) != 1 else ''})")


def cli():
    """Entry point: click's errors become one line and exit code 2."""
    try:
        main.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"grade: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code if isinstance(exc, BadInput) else EXIT_BAD_INPUT)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    cli()
