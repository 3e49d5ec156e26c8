"""Where in the learner's code an exception was raised, in words (standard
library only: the autograder's learner process uses it too)."""
from __future__ import annotations

import traceback

__all__ = ["learner_where", "MAX_QUOTE"]

MAX_QUOTE = 120   # the most characters of the quoted line


def _is_ours(filename: str) -> bool:
    """A frame of the course package or of an installed library (NumPy, torch)."""
    name = filename.replace("\\", "/")
    return "/course_utils/" in name or "/site-packages/" in name


def learner_where(tb) -> str:
    """" (in fn, at `line`)" for the deepest frame of ``tb`` (a traceback) that is
    the learner's (the notebook editor shows no line numbers), " (line N, in fn)"
    when the line's text is not known, '' when no frame is the learner's."""
    for frame in reversed(traceback.extract_tb(tb)):
        if _is_ours(frame.filename):
            continue
        text = (frame.line or "").strip()
        if not text:
            return f" (line {frame.lineno}, in {frame.name})"
        if len(text) > MAX_QUOTE:
            text = text[:MAX_QUOTE - 3] + "..."
        return f" (in {frame.name}, at `{text.replace('`', chr(39))}`)"
    return ""
