"""Predict-then-run questions of the labs: a number, a shape or a choice.

    check("q02_copy", "b")      # in a lab: the same check() as for functions

A question is answered in its own cell before the lab runs the code that shows
the answer; a wrong answer gets the question's hint, never the answer. These
are for the learner (no nbgrader grade_id, so the autograder does not score
them). Answers that torch can compute (parameter counts) are computed by torch
when checked.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Callable

from . import hints
from .report import CheckResult, Report

__all__ = ["Question", "QUESTIONS", "grade_question"]


@dataclass(frozen=True)
class Question:
    """One question: ``kind`` is "number", "shape" or "choice"; ``answer()`` gives
    the right answer (an int or float, a tuple of ints, or a letter of ``choices``);
    ``tol`` the relative tolerance of a number; ``hint`` where to look; ``where`` the lab."""

    id: str
    kind: str
    answer: Callable[[], object]
    hint: str
    where: str
    choices: str = ""
    tol: float = 0.0


QUESTIONS: dict = {}


def _ask(question: Question) -> Question:
    QUESTIONS[question.id] = question
    return question


def _torch_count(kind: str, *args, **kwargs) -> Callable[[], int]:
    """The parameter count of ``torch.nn.<kind>(*args, **kwargs)``, computed when asked."""
    def count():
        import torch
        return sum(p.numel() for p in getattr(torch.nn, kind)(*args, **kwargs).parameters())
    return count


def _number(value):
    """value as a Python number, or None (bools and numpy scalars handled)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    if isinstance(value, numbers.Number):
        return value
    try:
        import numpy as np
        arr = np.asarray(value)
        if arr.ndim == 0 and arr.dtype.kind in "iuf":
            return arr.item()
    except Exception:  # noqa: BLE001 - anything else is not a number
        pass
    return None


def _shape(value):
    """value as a tuple of ints (a tuple, a list, a torch.Size or their text), or None."""
    if isinstance(value, str):
        import ast
        try:
            value = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
        value = (value,) if isinstance(value, int) else value
    if isinstance(value, (tuple, list)) and all(
            _number(v) is not None and float(_number(v)).is_integer() for v in value):
        return tuple(int(_number(v)) for v in value)
    return None


def _judge(q: Question, value) -> tuple:
    """(passed, message) for one answer."""
    if value is Ellipsis or value is None:
        return False, hints.QUESTION_UNANSWERED.format(what=hints.QUESTION_KIND[q.kind])
    want = q.answer()
    if q.kind == "number":
        got = _number(value)
        if got is None:
            return False, hints.QUESTION_WRONG_TYPE.format(
                what=hints.QUESTION_KIND["number"], got=type(value).__name__)
        ok = abs(got - want) <= q.tol * abs(want) if q.tol else got == want
        return ok, "" if ok else hints.QUESTION_WRONG
    if q.kind == "shape":
        got = _shape(value)
        if got is None:
            return False, hints.QUESTION_WRONG_TYPE.format(
                what=hints.QUESTION_KIND["shape"], got=type(value).__name__)
        if len(got) != len(want):
            return False, hints.QUESTION_WRONG_RANK.format(n=len(got))
        return got == tuple(want), "" if got == tuple(want) else hints.QUESTION_WRONG
    text = value.strip().strip("()").lower() if isinstance(value, str) else None
    if text is None or len(text) != 1 or text not in q.choices:
        options = ", ".join(repr(c) for c in q.choices)
        return False, hints.QUESTION_CHOICE.format(options=options)
    return text == want, "" if text == want else hints.QUESTION_WRONG


def grade_question(question_id: str, value) -> Report:
    """The report on one answer; never raises, never shows the answer."""
    q = QUESTIONS[question_id]
    try:
        passed, message = _judge(q, value)
    except Exception as exc:  # noqa: BLE001 - an odd object that breaks comparison
        passed, message = False, hints.QUESTION_WRONG_TYPE.format(
            what=hints.QUESTION_KIND[q.kind], got=type(exc).__name__)
    hint = "" if passed or message != hints.QUESTION_WRONG else q.hint
    return Report(q.id, [CheckResult("your answer", passed, message, hint)])


# ---------------------------------------------------------------- the labs' questions
_ask(Question("q01_params", "number", _torch_count("RNN", 10, 20),
              "Count W_ih (H, I), W_hh (H, H) and the two biases (H each).", "lab 01"))
_ask(Question("q01_shape", "shape", lambda: (30, 4, 5),
              "One state (B, H) per time step, stacked along a new first axis.", "lab 01"))
_ask(Question("q02_copy", "choice", lambda: "b",
              "In h' = (1 - z) * n + z * h_prev, which z leaves only the h_prev term?",
              "lab 02", choices="abcd"))
_ask(Question("q02_params", "number", _torch_count("GRU", 10, 20),
              "Three gate blocks (r, z, n), each with its share of W_ih, W_hh, b_ih and b_hh.",
              "lab 02"))
_ask(Question("q03_params", "number", _torch_count("LSTM", 10, 20, num_layers=2),
              "Four gate blocks per layer, and the second layer's input is the first layer's "
              "h, of size 20, not x.", "lab 03"))
_ask(Question("q03_keep", "choice", lambda: "a",
              "Write c' = f * c + i * g and ask which values leave c' equal to c for any g.",
              "lab 03", choices="abcd"))
_ask(Question("q04_shape", "shape", lambda: (15, 5),
              "Every gradient has the shape of the array it belongs to; a GRU's W_hh has "
              "three gate blocks.", "lab 04"))
_ask(Question("q04_bias", "choice", lambda: "a",
              "In the LSTM both biases enter only through the sum W_ih x + b_ih + W_hh h + b_hh.",
              "lab 04", choices="ab"))
_ask(Question("q05_h_n", "shape", lambda: (4, 3, 5),
              "torch keeps one final state per layer and direction, each (B, H).", "lab 05"))
_ask(Question("q05_width", "number", lambda: 10,
              "Layer 2 reads what layer 1 outputs at each step: both directions, concatenated.",
              "lab 05"))
_ask(Question("q07_share", "number", lambda: 1 / 3,
              "Compare the input product's multiply-adds, 3BIH per step, with both products' "
              "3BIH + 3BHH.", "lab 07", tol=0.02))
_ask(Question("q07_loop", "choice", lambda: "b",
              "Which product needs the result of the previous step?", "lab 07", choices="abc"))
_ask(Question("q08_cifg", "choice", lambda: "b",
              "The coupled gate makes forgetting and writing add up to one.", "lab 08",
              choices="abc"))
_ask(Question("q08_peepholes", "number", lambda: 12,
              "w_ci, w_cf and w_co are element-wise weights: one vector of H each.", "lab 08"))
