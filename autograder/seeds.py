"""Where case inputs come from.

Visible cases use public seeds: every student sees the same inputs, and the
in-notebook self-check reproduces them. Hidden cases are seeded per student
from a course secret the students never have, so hard-coding the answers of a
classmate (or of last year) does not work.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_ENV = "DLPHYS_GRADER_SECRET"
DEFAULT_SECRET_FILE = Path.home() / ".config" / "dlphys-grader" / "secret"


def load_secret(path: str | Path | None = None) -> bytes:
    """The course secret: --secret-file, $DLPHYS_GRADER_SECRET, or a file in the
    instructor's home made on first use (mode 600, so the sandbox user can't read it)."""
    if path is not None:
        return Path(path).read_bytes().strip()
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV].encode()
    if not DEFAULT_SECRET_FILE.exists():
        DEFAULT_SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(DEFAULT_SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(new_secret())
    return DEFAULT_SECRET_FILE.read_bytes().strip()


def new_secret() -> str:
    """A fresh course secret. The dash makes it no Python name: should it ever be
    run as code (a submission linking to the file), no NameError can repeat it."""
    return f"dlphys-{secrets.token_hex(32)}"


def student_seed(secret: bytes, assignment: str, student: str) -> int:
    """One 63-bit seed per (assignment, student); reported in results.json so an
    instructor can reproduce a grading with --seed."""
    # surrogatepass: a name from an undecodable file name still gets its own seed
    mac = hmac.new(secret, f"{assignment}\0{student}".encode("utf-8", "surrogatepass"),
                   hashlib.sha256).digest()
    return int.from_bytes(mac[:8], "big") >> 1


def case_seed(function: str, index: int, hidden: bool, student_seed_value: int) -> int:
    """Visible cases ignore the student seed: same inputs for everyone."""
    base = student_seed_value if hidden else 0
    digest = hashlib.sha256(f"{base}\0{function}\0{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1
