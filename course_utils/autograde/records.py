"""What the grader keeps in OUT, and why it can trust it on a rerun.

Each student's results record (``OUT/results/<student>.json``) carries an
HMAC-SHA256 made with a key of this OUT folder (``OUT/.grader-key``, mode
0600, made on the first run; with ``--sandbox bwrap`` the learner process has
no view of OUT). A record is reused only when its MAC, its digest (itself an
HMAC of the submission's bytes and the grading settings, so no seed can be
guessed from it) and its contents (the labs submitted, each lab's exercise
ids, well-formed reports) all check out; anything else is regraded.

Files are written with :func:`course_utils.nbio.write_atomic`; a trap left in
OUT where a file or folder should be (a folder named ``gradebook.csv``, a
symbolic link named ``results``) is moved aside with a warning first.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
import time
from pathlib import Path

from ..grading.report import Report
from ..nbio import NotebookError, read_bytes, write_atomic

__all__ = ["load_key", "digest", "make_record", "verified_labs", "safe_write", "safe_folder",
           "text_name"]

_KEY_NAME = ".grader-key"
_MAX_RECORD = 16 * 2**20


def text_name(name: str) -> str:
    """A file name as text that any file can hold: bytes that are not UTF-8
    (kept by Python as surrogate escapes) are written as ``\\xNN``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _clear(path: Path, wanted) -> None:
    """Move what is at ``path`` out of the way unless it is what ``wanted``
    (stat.S_ISDIR or stat.S_ISREG) says the grader writes there; a link is never kept."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if wanted(mode):
        return
    target = path.with_name(f"{path.name}.moved-{time.time_ns()}")
    os.replace(path, target)
    print(f"warning: {text_name(str(path))} was not a plain file or folder; moved to "
          f"{text_name(target.name)}", file=sys.stderr)


def safe_folder(path: Path) -> Path:
    """``path`` as a real folder (not a link to one), made if missing."""
    _clear(path, stat.S_ISDIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_write(path: Path, text: str) -> None:
    """:func:`write_atomic` into a real folder; whatever is at ``path`` and is not
    a plain file (a folder, a link, a FIFO) is moved aside first."""
    safe_folder(path.parent)
    _clear(path, stat.S_ISREG)
    write_atomic(path, text.encode("utf-8", "backslashreplace").decode("utf-8"))


def load_key(out: Path) -> bytes:
    """The HMAC key of OUT (32 random bytes, made on first use; shards that start
    together agree on one: it is linked into place, never overwritten)."""
    path = safe_folder(Path(out)) / _KEY_NAME
    for _ in range(3):
        try:
            key = bytes.fromhex(read_bytes(path, 256, follow_symlinks=False).decode("ascii"))
            if len(key) == 32:
                return key
        except NotebookError:
            if os.path.lexists(path) and not os.path.isfile(path):
                _clear(path, stat.S_ISREG)
        except (ValueError, UnicodeDecodeError):
            os.replace(path, path.with_name(f"{_KEY_NAME}.bad-{time.time_ns()}"))
        tmp = path.with_name(f"{_KEY_NAME}.{os.getpid()}.{time.time_ns()}")
        write_atomic(tmp, secrets.token_bytes(32).hex())       # mode 0600
        try:
            os.link(tmp, path)                                  # fails if one exists
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    raise OSError(f"cannot make the key {text_name(str(path))}")


def digest(key: bytes, paths: dict, settings=()) -> str:
    """An HMAC of the submission (every lab's notebook bytes) and the settings."""
    h = hmac.new(key, repr(tuple(settings)).encode(), hashlib.sha256)
    for lab in sorted(paths):
        h.update(b"\0" + lab.encode() + b"\0")
        try:
            h.update(read_bytes(paths[lab], follow_symlinks=False))
        except NotebookError as exc:
            h.update(b"<unreadable>" + exc.reason.encode())
    return h.hexdigest()


def _mac(key: bytes, body: dict) -> str:
    data = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hmac.new(key, data.encode(), hashlib.sha256).hexdigest()


def make_record(key: bytes, student: str, digest_: str, labs: dict, notes=()) -> str:
    """A results record (JSON text) with its MAC; ``notes``: what the feedback
    says about the submission as a whole (a file not graded, and why)."""
    body = {"student": text_name(student), "digest": digest_, "labs": labs,
            "notes": list(notes)}
    return json.dumps({**body, "mac": _mac(key, body)}, indent=1)


def verified_labs(key: bytes, path: Path, student: str, digest_: str, expected: dict):
    """(labs, notes) of the record at ``path`` if it is ours, for this very
    submission, and well formed: ``expected`` is {lab: [exercise ids]}; else None."""
    try:
        saved = json.loads(read_bytes(path, _MAX_RECORD, follow_symlinks=False))
        body = {k: saved[k] for k in ("student", "digest", "labs", "notes")}
        if not hmac.compare_digest(str(saved["mac"]), _mac(key, body)):
            return None
        if body["student"] != text_name(student) or body["digest"] != digest_:
            return None
        labs = body["labs"]
        if not isinstance(labs, dict) or set(labs) != set(expected):
            return None
        for lab, reports in labs.items():
            if not isinstance(reports, dict) or list(reports) != list(expected[lab]):
                return None
            for ex_id, d in reports.items():
                r = Report.from_dict(d)
                if r.exercise != ex_id or not r.checks or d.get("score") != r.score \
                        or not 0.0 <= r.score <= 1.0:
                    return None
        notes = body["notes"]
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            return None
        return labs, notes
    except (NotebookError, ValueError, KeyError, TypeError, RecursionError):
        return None
