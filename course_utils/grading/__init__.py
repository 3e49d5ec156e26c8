"""Graders for the course's labs.

    from course_utils.grading import grade, check
    report = grade("gru_cell", gru_cell)   # never raises on learner code
    report.passed, report.score, report.feedback
    check("gru_cell", gru_cell)            # in a notebook: shows the report

The engine is split by concern (``exercise``, ``report``, ``calls``,
``compare``, ``run``, ``guard`` for the labs' comparison cells; ``core`` re-exports their names; ``build`` holds the
helpers that build cases). Each unit's module (``rnn``, ``gru``, ``lstm``,
``bptt``, ``stack``, ``speed``, ``variants``) defines and registers that
unit's exercises; they are imported below, so a new unit's graders need a new
module and a name in that import.
"""
from __future__ import annotations

import difflib
import os

# the unit modules: importing one registers its exercises
from . import bptt, gru, lstm, rnn, speed, stack, variants  # noqa: F401
from .build import set_instructor_checks
from .exercise import EXERCISES
from .guard import comparing
from .questions import QUESTIONS, grade_question
from .report import CheckResult, Report
from .run import run_exercise

__all__ = ["grade", "check", "comparing", "EXERCISES", "Report", "list_exercises",
           "set_instructor_checks"]


def grade(exercise_id: str, fn, hidden: bool = False) -> Report:
    """Grade the learner's function ``fn`` for ``exercise_id``; never raises.
    For a lab's question (``QUESTIONS``) ``fn`` is the answer itself.

    hidden=True adds the hidden checks (their feedback names only the kind of
    check that failed), and the instructor's own ones when a private seed is
    set (:func:`set_instructor_checks` or COURSE_INSTRUCTOR_SEED).
    """
    if exercise_id in QUESTIONS:
        return grade_question(exercise_id, fn)
    ex = EXERCISES.get(exercise_id)
    if ex is None:
        report = Report(str(exercise_id))
        known = ", ".join(sorted(EXERCISES))
        close = difflib.get_close_matches(str(exercise_id), list(EXERCISES) + list(QUESTIONS),
                                          n=1)
        guess = f" Did you mean {close[0]!r}?" if close else ""
        report.checks.append(CheckResult(
            "exercise id", False, f"there is no exercise called {exercise_id!r}.{guess}",
            f"Known ids: {known}."))
        return report
    return run_exercise(ex, fn, include_hidden=hidden)


def check(exercise_id: str, fn, hidden: bool = False) -> Report:
    """Grade ``fn`` and show the report (HTML in Jupyter, text elsewhere).

    Returns the report; in a notebook it is shown once even when it is also
    the cell's last expression.
    """
    autograde = os.environ.get("NBGRADER_EXECUTION") == "autograde"
    report = grade(exercise_id, fn, hidden=hidden or autograde)
    if autograde and not report.passed:
        # nbgrader gives a graded cell its points unless the cell raises
        raise AssertionError(str(report))
    try:
        from IPython import get_ipython
        ip = get_ipython()
    except ImportError:  # pragma: no cover
        ip = None
    if ip is not None and hasattr(ip, "kernel"):
        from IPython.display import display
        display({"text/plain": str(report), "text/html": report._repr_html_()}, raw=True)
        report._shown_in = ip.execution_count
    else:
        print(report)
    return report


def list_exercises() -> str:
    """One line per exercise: id and signature."""
    return "\n".join(ex.signature for _, ex in sorted(EXERCISES.items()))
