"""A submission file -> the list of code cells the student process runs.

Notebooks are read as plain JSON, not through nbformat: students' notebooks
often carry odd metadata, and nbformat's import costs seconds. Nothing here
relies on cell ids or metadata: only the order of the code cells matters.
IPython syntax (magics, `!` commands, `obj?` help) is rewritten by IPython's
own transformer into calls on `get_ipython()`, which the student process
provides as a stand-in (see sandbox/worker.py); a cell that only parses
together with the next one (a function split across cells) is joined with it.
"""
from __future__ import annotations

import ast
import functools
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024



class SubmissionError(Exception):
    """The file can't be read as a submission (one-line reason)."""


@dataclass
class Submission:
    path: Path
    cells: list[str]
    assignment: str | None   # named in the notebook's metadata, if any
    sha256: str


def load(path: str | Path, within: str | Path | None = None) -> Submission:
    """Read a submission file. It must be a regular file reached without any
    symbolic link, inside `within` (default: its own folder): a link could make
    the grader, running as root, read the course secret or the solutions."""
    import hashlib

    path = Path(path)
    raw = read_bounded(path, Path(within) if within is not None else path.absolute().parent)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError(f"{_shown(path)}: not UTF-8 text") from None
    if path.suffix == ".py":
        return Submission(path, [clean_cell(text)], None, digest)
    if path.suffix != ".ipynb":
        raise SubmissionError(f"{_shown(path)}: expected a .ipynb notebook or a .py file")
    try:
        notebook = json.loads(text)
    except ValueError as exc:
        raise SubmissionError(f"{_shown(path)}: not a valid notebook (JSON error: {exc})") from None
    except RecursionError:  # the parser recurses once per nesting level
        raise SubmissionError(f"{_shown(path)}: not a valid notebook (JSON nested too deeply)") from None
    sources = code_sources(notebook)
    if sources is None:
        raise SubmissionError(f"{_shown(path)}: not a Jupyter notebook (no cells)")
    meta = notebook.get("metadata") if isinstance(notebook, dict) else None
    named = meta.get("dlphys", {}).get("assignment") if isinstance(meta, dict) \
        and isinstance(meta.get("dlphys"), dict) else None
    return Submission(path, join_split_cells([clean_cell(s) for s in sources]),
                      named if isinstance(named, str) else None, digest)


def read_bounded(path: Path, within: Path) -> bytes:
    """The bytes of `path`, refusing links, non-files and files over MAX_BYTES
    (checked with fstat before anything is read)."""
    try:
        inside = path.resolve().is_relative_to(within.resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, an undecodable name, ...
        inside = False
    if path.is_symlink() or not inside:
        raise SubmissionError(f"{_shown(path)}: is a symbolic link or leads outside the submission "
                              "folder; submit the file itself")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise SubmissionError(f"{_shown(path)}: no such file") from None
    except OSError as exc:
        raise SubmissionError(f"{_shown(path)}: cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError(f"{_shown(path)}: not a regular file")
        if info.st_size > MAX_BYTES:
            raise SubmissionError(f"{_shown(path)}: larger than {MAX_BYTES // 2**20} MB")
        raw = f.read(MAX_BYTES + 1)   # the file may grow after the fstat
    if len(raw) > MAX_BYTES:
        raise SubmissionError(f"{_shown(path)}: larger than {MAX_BYTES // 2**20} MB")
    return raw


def _shown(path: Path) -> str:
    """A path for a one-line message: undecodable bytes and control characters escaped."""
    return ascii(str(path))[1:-1] if not str(path).isprintable() else str(path)


def code_sources(notebook) -> list[str] | None:
    """Code cell sources in order (nbformat 4, or 3's worksheets)."""
    if not isinstance(notebook, dict):
        return None
    cells = notebook.get("cells")
    key = "source"
    if cells is None and isinstance(notebook.get("worksheets"), list):
        cells = [c for ws in notebook["worksheets"] if isinstance(ws, dict)
                 for c in ws.get("cells", [])]
        key = "input"
    if not isinstance(cells, list):
        return None
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            src = cell.get(key, "")
            sources.append("".join(src) if isinstance(src, list) else str(src))
    return sources


def clean_cell(source: str) -> str:
    """IPython syntax -> the Python IPython itself would run (`%time f(x)` ->
    `get_ipython().run_line_magic('time', 'f(x)')`). A cell that parses is
    plain Python and is left alone, so IPython is imported only when needed."""
    if _parses(source):
        return source
    try:
        return _ipython_transformer().transform_cell(source)
    except Exception:  # IPython can't read it either: the cell stays a SyntaxError
        return source


@functools.lru_cache(maxsize=1)
def _ipython_transformer():
    from IPython.core.inputtransformer2 import (TransformerManager, leading_empty_lines,
                                                leading_indent)

    manager = TransformerManager()
    # Removing leading blank lines would shift line numbers in messages, and
    # dedenting would break a function body continued from the previous cell.
    manager.cleanup_transforms = [t for t in manager.cleanup_transforms
                                  if t not in (leading_empty_lines, leading_indent)]
    return manager


def join_split_cells(cells: list[str], reach: int = 3) -> list[str]:
    """Join a cell that does not parse with the previous code cell, or with up to
    `reach` following ones, when together they do (a function whose body
    continues in the next cell). Joined cells leave empty places behind so cell
    numbers in messages still match the notebook."""
    out, i = [], 0
    while i < len(cells):
        if _parses(cells[i]):
            out.append(cells[i])
            i += 1
            continue
        back = next((k for k in range(len(out) - 1, -1, -1) if out[k].strip()), None)
        if back is not None and cells[i].strip() and _parses(out[back] + "\n" + cells[i]):
            out[back] = out[back] + "\n" + cells[i]
            out.append("")
            i += 1
            continue
        for j in range(i + 1, min(i + 1 + reach, len(cells))):
            joined = "\n".join(cells[i:j + 1])
            if _parses(joined):
                out.append(joined)
                out.extend([""] * (j - i))  # keep cell numbering stable for messages
                i = j + 1
                break
        else:
            out.append(cells[i])
            i += 1
    return out


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
        return True
    except SyntaxError:
        return False
    except ValueError:  # null bytes
        return False
    except (RecursionError, MemoryError):  # nested too deeply for the parser: not Python we run
        return False
