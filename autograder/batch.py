"""`grade batch`: a whole class, in parallel, resumable.

The main process finds the submissions, reads them (cheap JSON), skips those
the gradebook already holds for the same file, seed and grader version, and
hands the rest to workers: local processes (`--jobs`) or a Dask cluster
(`--scheduler`). A worker imports TensorFlow once and grades many submissions;
each submission still gets its own sandboxed student process. Results come
back as plain results.json dicts; the main process alone writes them, one
atomic gradebook transaction per student, so a SIGKILL loses at most the
submissions in flight.
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path

from autograder import __version__
from autograder.student_side import kinds
from autograder.names import folder_for, from_file_name

NOTEBOOK_SUFFIXES = (".ipynb", ".py")


@dataclass
class Found:
    student: str
    path: Path


@dataclass
class Job:
    assignment: str
    student: str
    seed: int
    cells: list
    sha256: str
    source: str
    course: str   # the course folder's root: a worker (local or Dask) loads it itself


def discover(directory: Path, assignment: str) -> list[Found]:
    """Flat `DIR/<student>.ipynb` (or .py), or nbgrader's `DIR/<student>/<assignment>/*.ipynb`.
    Links are listed too, so that `load` refuses them and the student is told."""
    found: dict[str, Path] = {}
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith("._"):  # macOS archive debris, not a student
            continue
        if entry.suffix in NOTEBOOK_SUFFIXES and (entry.is_symlink() or entry.is_file()):
            found.setdefault(from_file_name(entry.stem), entry)
        elif entry.is_dir() and not entry.name.startswith("."):  # .git, .ipynb_checkpoints
            folder = entry / assignment
            if not folder.is_dir():
                continue
            notebooks = sorted(p for p in folder.iterdir() if p.suffix == ".ipynb")
            preferred = [p for p in notebooks if p.stem == assignment]
            if preferred or notebooks:
                found.setdefault(from_file_name(entry.name), (preferred or notebooks)[0])
    return [Found(student, path) for student, path in found.items()]


def _unreadable_fingerprint(path: Path, reason: str) -> str:
    """Stands for the hash of a file that was not read (a link, a huge file):
    what lstat says about it and why it was refused, so a changed file is seen."""
    import hashlib

    try:
        info = path.lstat()
        about = f"{info.st_mode}:{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        about = "missing"
    return hashlib.sha256(f"unreadable\0{about}\0{reason}".encode("utf-8", "backslashreplace")).hexdigest()


# ---------------------------------------------------------------- in a worker

_prepared: dict[str, str] = {}


def warm(assignment_id: str, course_root: str) -> str:
    """Import the references once per worker process; returns the device name."""
    from autograder import course

    course.use(course_root)
    if assignment_id not in _prepared:
        from autograder import runner
        from autograder.reference import prepare_reference

        if runner.visible_cache is None:
            runner.visible_cache = {}

        _prepared[assignment_id] = prepare_reference(course.get(assignment_id))()
    return _prepared[assignment_id]


def _start_worker(assignment_id: str, course_root: str, batch_pid: int) -> None:
    """A local pool worker: dies with the batch (see lifetime), then warms up."""
    from autograder.lifetime import tie_to_parent

    tie_to_parent(batch_pid)
    warm(assignment_id, course_root)


def grade_job(job: Job) -> dict:
    """Runs in a worker (local or Dask): one submission -> its results.json dict."""
    from autograder import course, results
    from autograder.runner import grade

    device = warm(job.assignment, job.course)
    report = grade(course.get(job.assignment), job.cells, job.student, job.seed,
                   prepare=lambda: device)
    return results.to_gradescope(report)


# ---------------------------------------------------------------- executors

class LocalPool:
    """Worker processes that outlive submissions. A worker that dies (the
    grader's own process, not a student's: those are sandboxed) breaks the
    pool; it is rebuilt and the unfinished jobs are retried once."""

    def __init__(self, jobs: int, assignment: str, course_root: str):
        self.jobs, self.assignment, self.course_root = jobs, assignment, course_root
        self.pool = self._new()

    def _new(self):
        return cf.ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                      initializer=_start_worker, initargs=(self.assignment, self.course_root, os.getpid()))

    def run(self, jobs: list[Job]):
        """Yield (job, results-or-exception) as they finish."""
        pending = list(jobs)
        tries: dict[str, int] = {}
        while pending:
            futures = {self.pool.submit(grade_job, job): job for job in pending}
            pending = []
            for future in cf.as_completed(futures):
                job = futures[future]
                try:
                    yield job, future.result()
                except cf.process.BrokenProcessPool as exc:
                    tries[job.student] = tries.get(job.student, 0) + 1
                    if tries[job.student] < 2:
                        pending.append(job)
                    else:
                        yield job, exc
                except Exception as exc:  # a grader bug on one submission: record it, go on
                    yield job, exc
            if pending:
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._new()

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskPool:
    """The same work on an existing dask.distributed cluster. Only the seed
    leaves this machine, never the course secret."""

    def __init__(self, address: str, assignment: str):
        from dask.distributed import Client

        from autograder.lifetime import TieToParent

        self.client = Client(address, timeout="30s")
        self.client.register_plugin(TieToParent())
        self.assignment = assignment

    def run(self, jobs: list[Job]):
        from dask.distributed import as_completed

        futures = {self.client.submit(grade_job, job, pure=False, key=f"grade-{job.assignment}-"
                                      f"{job.student}-{job.sha256[:12]}", retries=1): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                yield job, future.result()
            except Exception as exc:
                yield job, exc

    def close(self):
        self.client.close()


# ---------------------------------------------------------------- the batch

class UnknownStudent(ValueError):
    """--only named a student without a submission."""


@dataclass
class BatchSummary:
    graded: int       # graded now
    skipped: int      # already in the gradebook, unchanged
    unreadable: int   # recorded as zero with the reason
    failed: int       # grader errors: not recorded, retried on the next run
    total: int


def run_batch(directory: Path, assignment, outdir: Path, secret: bytes, jobs: int = 0,
              scheduler: str | None = None, console=None, force: bool = False,
              only: tuple[str, ...] = ()) -> BatchSummary:
    """force: regrade even what the gradebook holds as current. only: grade just
    these students (always regraded: a regrade request); the exports still cover everyone."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    from rich.markup import escape

    from autograder import course, exports, fingerprint, results, seeds
    from autograder.gradebook import Gradebook
    from autograder.runner import failed_report
    from autograder.submission import SubmissionError, load

    course_root = str(course.current().root)
    outdir.mkdir(parents=True, exist_ok=True)
    found = discover(directory, assignment.id)
    if only:
        missing = sorted(set(only) - {item.student for item in found})
        if missing:
            raise UnknownStudent(f"no submission for {', '.join(missing)} in {directory}")
        found = [item for item in found if item.student in only]
        force = True
    grader = fingerprint.fingerprint(assignment.id)

    def current(book, student, sha, seed):
        return None if force else book.current(assignment.id, student, sha, seed, __version__, grader)

    todo, skipped, unreadable = [], 0, 0
    with Gradebook(outdir / "gradebook.sqlite") as book:
        for item in found:
            seed = seeds.student_seed(secret, assignment.id, item.student)
            try:
                sub = load(item.path, within=directory)
            except SubmissionError as exc:
                # Unreadable: graded as zero with the reason, right here.
                sha = _unreadable_fingerprint(item.path, str(exc))
                if current(book, item.student, sha, seed) is None:
                    data = results.to_gradescope(failed_report(assignment, item.student, seed,
                                                               kinds.UNREADABLE, f"unreadable submission: {exc}"))
                    results.write_json(data, outdir / folder_for(item.student) / "results.json")
                    book.record(data, sha256=sha, status="unreadable", source=from_file_name(str(item.path)))
                unreadable += 1
                continue
            stored = current(book, item.student, sub.sha256, seed)
            if stored is not None:
                if not (outdir / folder_for(item.student) / "results.json").exists():
                    results.write_json(stored, outdir / folder_for(item.student) / "results.json")
                skipped += 1
                continue
            todo.append(Job(assignment.id, item.student, seed, sub.cells, sub.sha256,
                            from_file_name(str(item.path)), course_root))

        graded = failed = 0
        if todo:
            pool = DaskPool(scheduler, assignment.id) if scheduler else \
                LocalPool(jobs or max(os.cpu_count() or 1, 1), assignment.id, course_root)
            columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"),
                       TimeRemainingColumn())
            try:
                with Progress(*columns, console=console, transient=False) as progress:
                    task = progress.add_task(f"grading {assignment.id}", total=len(todo), rate="")
                    for job, outcome in pool.run(todo):
                        if isinstance(outcome, Exception):
                            failed += 1
                            progress.console.print(f"[red]{escape(job.student)}: grader error "
                                                   f"({type(outcome).__name__}: {escape(str(outcome))}); "
                                                   "rerun to retry[/]")
                        else:
                            results.write_json(outcome, outdir / folder_for(job.student) / "results.json")
                            book.record(outcome, sha256=job.sha256, source=job.source)
                            graded += 1
                        progress.advance(task)
                        elapsed = progress.tasks[0].elapsed or 0
                        done = progress.tasks[0].completed
                        if elapsed > 0:
                            progress.update(task, rate=f"{60 * done / elapsed:.1f}/min")
            finally:
                pool.close()
        exports.write_all(book, assignment, outdir)
        from autograder.html_outputs import write_pages

        write_pages(book, assignment, outdir)
    return BatchSummary(graded, skipped, unreadable, failed, len(found))
