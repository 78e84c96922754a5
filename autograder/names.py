"""Student names are data: how one becomes a folder name, and how a file name becomes one.

A student's name (from a file name, nbgrader's folder, Gradescope's metadata or
--student) is kept as it is in the gradebook and every export. On disk each
student gets `OUTDIR/<folder>/`, where the folder is the name itself only when
it is plainly safe: lowercase letters, digits and `_ . @ + -`, not starting
with a dot or a dash, and not the name of a file the batch writes next to the
folders. Any other name becomes a sanitized slug plus `~` and a hash of the
whole name. `~` never occurs in a plain folder name and hashes differ, so two
students never share a folder, even on a case-insensitive file system.
"""
from __future__ import annotations

import hashlib
import re

from autograder.student_side.text import printable  # noqa: F401  (re-exported)

_PLAIN = re.compile(r"[a-z0-9_][a-z0-9_.@+-]{0,99}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@+-]+")
# Files grade batch writes in OUTDIR itself (and their temporary / SQLite siblings).
_RESERVED_SUFFIXES = (".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal", ".csv", ".xml",
                      ".html", ".json", ".tmp")


def folder_for(student: str) -> str:
    """The one folder name of `student` inside OUTDIR (see the module doc)."""
    if _PLAIN.fullmatch(student) and not student.endswith(_RESERVED_SUFFIXES):
        return student
    slug = _UNSAFE.sub("_", student).lstrip(".-")[:60] or "student"
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{slug}~{digest}"


def from_file_name(name: str) -> str:
    """A file or folder name as a student name: bytes that are not UTF-8 (which
    Python hands over as lone surrogates) are written as `\\xNN`, so the name
    can be stored, printed and exported, and stays distinct from the others."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
