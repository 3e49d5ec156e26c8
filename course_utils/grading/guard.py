"""Cells that compare the learner's function with torch or with finite differences.

    with comparing("gru_cell"):
        h_numpy = gru_cell(x, h_prev, *params)
        ...
        assert err <= 1e-10, f"max |NumPy - torch| = {err:.1e}"

A stub (NotImplementedError), an error or a failed assertion inside the block
prints what happened and where to look instead of stopping Run All; the
grader cell above the comparison gives the diagnosis. With COURSE_STRICT=1 in
the environment (``make test`` sets it) the exception is raised as usual, so a
comparison that fails in the solutions fails the tests.
"""
from __future__ import annotations

import os
from contextlib import contextmanager

from . import hints
from .calls import describe_exception

__all__ = ["comparing"]


def _guidance(name: str, exc: Exception) -> str:
    """What a comparison cell prints when ``exc`` ends it: a stub, a failed
    assertion or an error in the learner's code."""
    if isinstance(exc, NotImplementedError):
        return hints.GUARD_STUB.format(name=name)
    if isinstance(exc, AssertionError):
        return hints.GUARD_DIFFERS.format(name=name, why=str(exc) or "the check above failed")
    return hints.GUARD_RAISED.format(name=name, error=describe_exception(exc, limit=200))


@contextmanager
def comparing(name: str):
    """Run a comparison of the learner's ``name`` (labs 01-05, 07, 08); a stub or an
    error prints guidance instead of raising (unless COURSE_STRICT=1)."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the learner's code, reported in words
        if os.environ.get("COURSE_STRICT", "") not in ("", "0"):
            raise
        print(_guidance(name, exc))
