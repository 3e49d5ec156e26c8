"""Every exercise: each catalogued mistake fails and is recognised by its own hint.

(Hand-written bugs, written independently of the catalogue, are tested in the
per-unit test files.)"""
from __future__ import annotations

import pytest

from course_utils.grading import EXERCISES, grade

PAIRS = [(ex_id, m) for ex_id, ex in sorted(EXERCISES.items()) for m in ex.mistakes]


@pytest.mark.parametrize("ex_id, mistake", PAIRS, ids=[f"{e}:{m.name}" for e, m in PAIRS])
def test_catalogued_mistake_is_recognised(ex_id, mistake):
    report = grade(ex_id, mistake.fn)
    assert not report.passed
    assert report.diagnosis == mistake.hint, str(report)


def test_every_exercise_of_the_design_is_registered():
    expected = {"rnn_cell", "rnn_forward", "gru_cell", "gru_forward", "lstm_cell", "lstm_forward",
                "gru_backward", "lstm_backward", "gru_step_backward", "lstm_step_backward", "gru_stack_forward", "gru_forward_fast", "lstm_forward_fast",
                "cho_gru_cell", "mgu_cell", "peephole_lstm_cell"}
    assert expected <= set(EXERCISES)
    assert all(EXERCISES[e].mistakes for e in expected if e != "gru_forward_fast")
