"""Notebook file I/O shared by the exercise generator and the autograder.

Holds :func:`read_notebook` (a ``.ipynb`` file to its JSON, with a size
limit, a UTF-8 byte-order mark accepted, and a :class:`NotebookError` that
names the file and the reason), the accessors of a cell's source and its
nbgrader metadata, and :func:`write_atomic`, the one way the course writes a
generated file (exercise notebooks, gradebook, feedback, results).

Only the standard library: the autograder's workers read submissions with it
without importing nbformat.
"""
from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["NotebookError", "MAX_BYTES", "read_bytes", "read_notebook", "cell_source",
           "nbgrader", "is_solution", "write_atomic"]

#: the largest notebook file read (bytes); course notebooks are far smaller
MAX_BYTES = 32 * 2**20


class NotebookError(ValueError):
    """A notebook that cannot be used: ``NotebookError(path, reason)`` reads
    ``"<path>: <reason>"``; ``NotebookError(message)`` is the message alone.

    ``path`` and ``reason`` are kept apart for messages that name the file
    their own way.
    """

    def __init__(self, path_or_message, reason: str | None = None):
        if reason is None:
            self.path, self.reason = "", str(path_or_message)
        else:
            self.path, self.reason = str(path_or_message), reason
        super().__init__(f"{self.path}: {self.reason}" if self.path else self.reason)


def read_bytes(path, max_bytes: int = MAX_BYTES, follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Raises NotebookError when the file cannot be read, is larger than
    ``max_bytes``, is not a regular file (a folder, a FIFO, a device: opened
    without blocking and refused), or, with ``follow_symlinks=False``, is a
    symbolic link.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
        if os.path.islink(path):
            raise NotebookError(path, "it is a symbolic link, not a file (refused)")
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow_symlinks and exc.errno == getattr(os, "ELOOP", None):
            raise NotebookError(path, "it is a symbolic link, not a file (refused)") from None
        raise NotebookError(path, f"cannot read ({exc.strerror or exc})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotebookError(path, "it is not a regular file (a folder, a FIFO or a device: "
                                      "refused)")
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise NotebookError(path, f"cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if size > max_bytes:
        raise NotebookError(path, f"the file is larger than {max_bytes / 2**20:g} MiB")
    return b"".join(chunks)


def read_notebook(path, max_bytes: int = MAX_BYTES, follow_symlinks: bool = True) -> dict:
    """The JSON of notebook file ``path``: a dict whose ``cells`` is a list of dicts,
    each cell's ``source`` text (a string or a list of strings).

    Raises NotebookError (a ValueError) when the file cannot be read (see
    :func:`read_bytes`), is larger than ``max_bytes``, is not UTF-8 text (a
    leading byte-order mark is accepted), is not valid JSON, or is not a notebook.
    """
    data = read_bytes(path, max_bytes, follow_symlinks)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError(path, f"the file is not text (UTF-8): byte 0x{data[exc.start]:02x} "
                                  f"at offset {exc.start}") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(path, f"not valid JSON (line {exc.lineno}: {exc.msg}), so not "
                                  "valid notebook JSON") from None
    except RecursionError:
        raise NotebookError(path, "not valid notebook JSON (nested too deeply)") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(path, "not a notebook: the file has no list of cells")
    for k, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict):
            raise NotebookError(path, f"not a notebook: cell {k} is not an object")
        src = cell.get("source", "")
        if not (isinstance(src, str) or (isinstance(src, list)
                                         and all(isinstance(x, str) for x in src))):
            raise NotebookError(path, f"not a notebook: the source of cell {k} is not text")
    return nb


def cell_source(cell: dict) -> str:
    """A cell's source as one string (a notebook may store it as a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def nbgrader(cell: dict) -> dict:
    """A cell's ``metadata.nbgrader`` ({} when absent or not an object)."""
    meta = cell.get("metadata") or {}
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def is_solution(cell: dict) -> bool:
    """True for a cell that nbgrader marks ``solution: true``."""
    return bool(nbgrader(cell).get("solution"))


def write_atomic(path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines exactly as given) to ``path`` atomically.

    Guarantees: readers see the old file or the complete new one, never a part;
    the data is flushed to disk (fsync) before a temporary file in the same
    folder replaces ``path`` (os.replace); when anything fails, ``path`` is left
    as it was, the temporary file is removed and the error is raised. The parent
    folders are created. The new file has mode 0600 (from tempfile.mkstemp).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            fd = -1                               # closed by the file object from now on
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
