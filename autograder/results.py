"""GradeReport -> Gradescope's results.json (the schema in shared/interface.md)."""
from __future__ import annotations

import json
import platform
from pathlib import Path

from autograder import __version__, points
from autograder.runner import GradeReport, TestResult

OUTPUT_TAIL = 4000
HIDDEN_NOTE = "(hidden test: its inputs are not shown)"


def test_entry(report: GradeReport, test: TestResult, score: float | None = None,
               max_score: float | None = None) -> dict:
    """`score`/`max_score`: the test's share of a split that adds up (points.split_tests)."""
    # A partial-credit test explains its score (the achieved metric) even at full marks.
    feedback = test.feedback if not test.passed or (test.fraction is not None and test.feedback) else ""
    # `output` is the text Gradescope shows; the pages read the fields it is made of.
    lines = [feedback] if feedback else []
    lines += [f"Hint: {h}" for h in test.hints]
    if test.hidden:
        lines.append(HIDDEN_NOTE)
    return {
        "name": test.name,
        "score": round(test.score, 4) if score is None else score,
        "max_score": round(test.max_score, 4) if max_score is None else max_score,
        "status": "passed" if test.passed else "failed",
        "output": "\n".join(lines),
        "visibility": "after_published" if test.hidden else "visible",
        "tags": [report.assignment, test.function],
        "extra_data": {"kind": test.kind, "hidden": test.hidden, "case": test.index,
                       "seconds": round(test.seconds, 4), "hints": list(test.hints), "feedback": feedback,
                       **({"preview": test.preview} if test.preview else {}),
                       **({"metrics": dict(test.metrics)} if test.metrics else {})},
    }


def summary_output(report: GradeReport) -> str:
    lines = [f"{report.assignment}: {report.score:.2f} / {report.max_score:.0f}"]
    for function, (got, total) in report.function_scores().items():
        lines.append(f"  {function}: {got:.2f} / {total:.2f}")
    for problem in report.notable_cell_problems:
        where = f"code cell {problem.cell + 1}" if problem.cell >= 0 else "your notebook"
        lines.append(f"Note: {where} failed while loading: {problem.kind}: {problem.message}".rstrip(": "))
    if printed(report):
        lines += ["", "What your code printed:", printed(report)]
    return "\n".join(lines)


def printed(report: GradeReport) -> str:
    """What the student's code printed, as shown (its start, cut)."""
    out = report.output.strip()
    return out[:OUTPUT_TAIL] + ("\n[... cut]" if len(out) > OUTPUT_TAIL else "") if out else ""


def versions() -> dict:
    import numpy

    out = {"autograder": __version__, "python": platform.python_version(), "numpy": numpy.__version__}
    try:
        import sys

        if "tensorflow" in sys.modules:
            out["tensorflow"] = sys.modules["tensorflow"].__version__
    except Exception:
        pass
    return out


def grader_fingerprint(assignment_id: str) -> str:
    """What decided this grade (autograder/fingerprint.py); "" for an unknown assignment."""
    from autograder import course, fingerprint

    if assignment_id not in course.ids():
        return ""
    try:
        return fingerprint.fingerprint(assignment_id)
    except (OSError, SyntaxError):  # metadata only: never costs a student the grade
        return ""


def to_gradescope(report: GradeReport) -> dict:
    scores, maxes = points.split_tests([t.function for t in report.tests], [t.score for t in report.tests],
                                       [t.max_score for t in report.tests])
    return {
        "score": round(report.score, 4),
        "max_score": round(report.max_score, 4),
        "execution_time": round(report.timings.get("total", 0.0), 3),
        "output": summary_output(report),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [test_entry(report, t, s, m) for t, s, m in zip(report.tests, scores, maxes)],
        "extra_data": {
            "assignment": report.assignment,
            "student": report.student,
            "seed": report.seed,
            "fingerprint": grader_fingerprint(report.assignment),
            "device": report.device,
            "isolation": report.isolation,
            "versions": versions(),
            "timings": {k: round(v, 4) for k, v in report.timings.items()},
            "cell_problems": [{"cell": p.cell, "kind": p.kind, "message": p.message}
                              for p in report.cell_problems],
            "printed": printed(report),
        },
    }


def write(report: GradeReport, path: str | Path) -> None:
    write_json(to_gradescope(report), path)


def write_json(data: dict, path: str | Path) -> None:
    """Atomic: a reader never sees half a file."""
    write_text(json.dumps(data, indent=2) + "\n", path)


def write_text(text: str, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", errors="backslashreplace")  # never fails on a lone surrogate
    tmp.replace(path)
