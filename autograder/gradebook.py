"""The SQLite gradebook: the store of truth for batch grading.

One row per (assignment, student) with the submission's hash, seed, grader
version and the full results.json; one row per test. A student's grading is
written in one transaction, so a grader killed at any moment leaves either the
old state or the new one, never half of it; a rerun regrades exactly the
students whose row is missing or stale.
"""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from autograder.names import printable

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    assignment     TEXT NOT NULL,
    student        TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    seed           INTEGER NOT NULL,
    grader_version TEXT NOT NULL,
    score          REAL NOT NULL,
    max_score      REAL NOT NULL,
    status         TEXT NOT NULL,          -- 'graded' or 'unreadable'
    graded_at      REAL NOT NULL,          -- unix time
    seconds        REAL NOT NULL,          -- grading wall time
    device         TEXT,
    source         TEXT,                   -- the submission's path when graded
    results        TEXT NOT NULL,          -- the full results.json
    fingerprint    TEXT NOT NULL DEFAULT '',  -- of the grader's deciding files (fingerprint.py)
    PRIMARY KEY (assignment, student)
);
CREATE TABLE IF NOT EXISTS tests (
    assignment TEXT NOT NULL,
    student    TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    function   TEXT NOT NULL,
    hidden     INTEGER NOT NULL,
    score      REAL NOT NULL,
    max_score  REAL NOT NULL,
    status     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    output     TEXT NOT NULL,
    hints      TEXT NOT NULL,              -- JSON list of the hints that fired
    seconds    REAL NOT NULL,
    feedback   TEXT NOT NULL DEFAULT '',   -- the test's own feedback (output without hints)
    PRIMARY KEY (assignment, student, idx)
);
CREATE INDEX IF NOT EXISTS tests_by_function ON tests (assignment, function);
"""


class Gradebook:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a commit survives a kill or power cut
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(submissions)")}
        if "fingerprint" not in columns:  # a gradebook from before fingerprints: all of it is stale
            self.db.execute("ALTER TABLE submissions ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''")
        if "feedback" not in {row[1] for row in self.db.execute("PRAGMA table_info(tests)")}:
            self.db.execute("ALTER TABLE tests ADD COLUMN feedback TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- reading -------------------------------------------------------------
    def current(self, assignment: str, student: str, sha256: str, seed: int, version: str,
                fingerprint: str) -> dict | None:
        """The stored results.json when this exact submission was graded by this
        grader version, with this seed, by checks, references, drivers and engine
        of this fingerprint; None when it must be (re)graded."""
        row = self.db.execute(
            "SELECT results FROM submissions WHERE assignment=? AND student=? AND sha256=? "
            "AND seed=? AND grader_version=? AND fingerprint=?",
            (assignment, student, sha256, seed, version, fingerprint)).fetchone()
        return json.loads(row[0]) if row else None

    def results(self, assignment: str) -> dict[str, dict]:
        rows = self.db.execute("SELECT student, results FROM submissions WHERE assignment=? "
                               "ORDER BY student", (assignment,))
        return {student: json.loads(results) for student, results in rows}

    def rows(self, assignment: str) -> list[sqlite3.Row]:
        self.db.row_factory = sqlite3.Row
        try:
            return list(self.db.execute("SELECT * FROM submissions WHERE assignment=? ORDER BY student",
                                        (assignment,)))
        finally:
            self.db.row_factory = None

    TEST_FIELDS = ("student", "idx", "name", "function", "hidden", "score", "max_score", "status", "kind",
                   "output", "hints", "seconds", "feedback")

    def tests(self, assignment: str, student: str | None = None) -> list[dict]:
        """Every test of `assignment` (or of one student's submission), by student
        and order, as dicts of TEST_FIELDS (hints decoded)."""
        where, args = "assignment=?", [assignment]
        if student is not None:
            where, args = where + " AND student=?", args + [student]
        rows = self.db.execute(f"SELECT {', '.join(self.TEST_FIELDS)} FROM tests WHERE {where} "
                               "ORDER BY student, idx", args).fetchall()
        out = []
        for row in rows:
            test = dict(zip(self.TEST_FIELDS, row))
            try:
                test["hints"] = list(json.loads(test["hints"] or "[]"))
            except ValueError:
                test["hints"] = []
            out.append(test)
        return out

    def assignments(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT assignment FROM submissions ORDER BY 1")]

    # -- writing -------------------------------------------------------------
    def record(self, results: dict, *, sha256: str, status: str = "graded", source: str = "") -> None:
        """Store one student's grading atomically (replacing an older one)."""
        extra = results["extra_data"]
        key = (printable(extra["assignment"]), printable(extra["student"]))
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM tests WHERE assignment=? AND student=?", key)
            self.db.execute(
                "INSERT OR REPLACE INTO submissions (assignment, student, sha256, seed, grader_version, "
                "score, max_score, status, graded_at, seconds, device, source, results, fingerprint) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*key, sha256, int(extra["seed"]), extra["versions"]["autograder"],
                 float(results["score"]), float(results["max_score"]), status, time.time(),
                 float(results.get("execution_time", 0.0)), extra.get("device", ""), printable(source),
                 json.dumps(results), extra.get("fingerprint", "")))
            self.db.executemany(
                f"INSERT INTO tests (assignment, {', '.join(self.TEST_FIELDS)}) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(*key, i, printable(t["name"]), t["tags"][1], int(t["extra_data"]["hidden"]), float(t["score"]),
                  float(t["max_score"]), t["status"], t["extra_data"]["kind"], printable(t["output"]),
                  json.dumps(t["extra_data"].get("hints", [])), float(t["extra_data"]["seconds"]),
                  printable(t["extra_data"].get("feedback", "")))
                 for i, t in enumerate(results["tests"])])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
