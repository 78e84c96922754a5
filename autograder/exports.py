"""Files made from the gradebook: grades.csv for an LMS, JUnit XML for CI."""
from __future__ import annotations

import csv
import io
from xml.etree import ElementTree as ET

from autograder.results import write_text


def grades_csv(book, assignment) -> str:
    """One row per student; one column per function, then the total."""
    functions = [c.function for c in assignment.checks]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *functions, "total", "max_score", "status", "sha256"])
    for row in book.rows(assignment.id):
        per_function = dict.fromkeys(functions, 0.0)
        for test in _tests(book, assignment.id, row["student"]):
            per_function[test[0]] = per_function.get(test[0], 0.0) + test[1]
        writer.writerow([row["student"], *(f"{per_function[f]:.2f}" for f in functions),
                         f"{row['score']:.2f}", f"{row['max_score']:.0f}", row["status"], row["sha256"]])
    return out.getvalue()


def _tests(book, assignment_id, student):
    return book.db.execute("SELECT function, score FROM tests WHERE assignment=? AND student=?",
                           (assignment_id, student)).fetchall()


def junit_xml(book, assignment) -> str:
    """One <testsuite> per student, one <testcase> per test (classname = function)."""
    suites = ET.Element("testsuites", name=assignment.id)
    for student, data in book.results(assignment.id).items():
        tests = data["tests"]
        suite = ET.SubElement(suites, "testsuite", name=f"{assignment.id}.{student}",
                              tests=str(len(tests)),
                              failures=str(sum(t["status"] != "passed" for t in tests)),
                              time=f"{data.get('execution_time', 0):.3f}")
        for t in tests:
            case = ET.SubElement(suite, "testcase", classname=f"{assignment.id}.{t['tags'][1]}",
                                 name=t["name"], time=f"{t['extra_data']['seconds']:.4f}")
            if t["status"] != "passed":
                failure = ET.SubElement(case, "failure", type=t["extra_data"]["kind"],
                                        message=(t["output"].splitlines() or [""])[0][:500])
                failure.text = t["output"]
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_all(book, assignment, outdir) -> None:
    write_text(grades_csv(book, assignment), outdir / "grades.csv")
    write_text(junit_xml(book, assignment), outdir / "junit.xml")
