"""Files made from the gradebook: grades.csv for an LMS, JUnit XML for CI."""
from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree as ET

from autograder import points
from autograder.results import write_text

# What XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF):
# a student's exception text may hold any of them, and a single one makes the file unparseable.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_text(text: str) -> str:
    """`text` with every character XML cannot hold shown as its escape (ESC -> \\x1b)."""
    return XML_FORBIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                             else f"\\u{ord(m.group()):04x}", text)


def csv_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading ' (OWASP's advice) when
    it would start a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def grades_csv(book, assignment) -> str:
    """One row per student; one column per function, then the total."""
    functions = [c.function for c in assignment.checks]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in ("student", *functions, "total", "max_score", "status", "sha256")])
    caps = [float(c.points) for c in assignment.checks]
    for row in book.rows(assignment.id):
        per_function = dict.fromkeys(functions, 0.0)
        for test in book.tests(assignment.id, row["student"]):
            if test["function"] in per_function:
                per_function[test["function"]] += test["score"]
        # two decimals that add up to the total shown
        shown = points.split([per_function[f] for f in functions], total=float(row["score"]), caps=caps,
                             places=2)
        writer.writerow([csv_cell(row["student"]), *(f"{value:.2f}" for value in shown),
                         f"{row['score']:.2f}", f"{row['max_score']:.0f}", csv_cell(row["status"]),
                         csv_cell(row["sha256"])])
    return out.getvalue()


def junit_xml(book, assignment) -> str:
    """One <testsuite> per student, one <testcase> per test (classname = function).
    A wrong answer is a <failure>; a test that got no answer out of the code
    (timeout, crash, unreadable notebook, ...) an <error>, as JUnit counts them."""
    from autograder.student_side.kinds import GRADING_FAILURES

    suites = ET.Element("testsuites", name=xml_text(assignment.id))
    for student, data in book.results(assignment.id).items():
        tests = data["tests"]
        failed = [t for t in tests if t["status"] != "passed"]
        errors = sum(t["extra_data"]["kind"] in GRADING_FAILURES for t in failed)
        suite = ET.SubElement(suites, "testsuite", name=xml_text(f"{assignment.id}.{student}"),
                              tests=str(len(tests)), failures=str(len(failed) - errors),
                              errors=str(errors), skipped="0",
                              time=f"{data.get('execution_time', 0):.3f}")
        for t in tests:
            case = ET.SubElement(suite, "testcase", classname=xml_text(f"{assignment.id}.{t['tags'][1]}"),
                                 name=xml_text(t["name"]), time=f"{t['extra_data']['seconds']:.4f}")
            if t["status"] != "passed":
                kind = t["extra_data"]["kind"]
                failure = ET.SubElement(case, "error" if kind in GRADING_FAILURES else "failure",
                                        type=xml_text(kind),
                                        message=xml_text((t["output"].splitlines() or [""])[0][:500]))
                failure.text = xml_text(t["output"])
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_all(book, assignment, outdir) -> None:
    write_text(grades_csv(book, assignment), outdir / "grades.csv")
    write_text(junit_xml(book, assignment), outdir / "junit.xml")
