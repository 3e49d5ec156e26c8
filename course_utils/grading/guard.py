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
import sys
from contextlib import contextmanager

from ..tracebacks import learner_where
from . import hints

__all__ = ["comparing"]


def _strict() -> bool:
    return os.environ.get("COURSE_STRICT", "") not in ("", "0")


@contextmanager
def comparing(name: str):
    """Run a comparison of the learner's ``name`` (labs 01-05, 07, 08); a stub or an
    error prints guidance instead of raising (unless COURSE_STRICT=1)."""
    try:
        yield
    except NotImplementedError:
        if _strict():
            raise
        print(hints.GUARD_STUB.format(name=name))
    except AssertionError as exc:
        if _strict():
            raise
        print(hints.GUARD_DIFFERS.format(name=name, why=str(exc) or "the check above failed"))
    except Exception as exc:  # noqa: BLE001 - the learner's code, reported in words
        if _strict():
            raise
        where = learner_where(sys.exc_info()[2])
        text = str(exc)
        text = text if len(text) <= 200 else text[:197] + "..."
        print(hints.GUARD_RAISED.format(name=name, error=f"{type(exc).__name__}: {text}",
                                        where=where))
