"""The grading engine's names in one place, for existing imports.

The engine is split by concern: :mod:`.exercise` (the exercise model and the
registry), :mod:`.report` (the report and its rendering), :mod:`.calls`
(time-limited calls of learner code), :mod:`.compare` (output comparison) and
:mod:`.run` (the run loop with diagnosis). This module only re-exports them,
so ``from course_utils.grading.core import ...`` keeps working.
"""
from __future__ import annotations

from .calls import CallResult, call_learner
from .exercise import EXERCISES, Case, Exercise, Mistake, OutputSpec, register
from .report import CheckResult, Report, html_text
from .run import run_exercise

__all__ = [
    "Case", "Mistake", "Exercise", "CheckResult", "Report", "register",
    "EXERCISES", "run_exercise", "OutputSpec", "CallResult", "call_learner", "html_text",
]
