"""Text from the student's process, made safe to store and print."""
from __future__ import annotations


def printable(text: str) -> str:
    """Text that encodes as UTF-8: lone surrogates (e.g. from a student's
    exception message) become `\\udXXX` escapes."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
