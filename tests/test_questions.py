"""The labs' predict-then-run questions: right answers in any reasonable form pass,
wrong ones get a hint and never the answer, odd objects are reported in words."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.grading import QUESTIONS, grade
from course_utils.make_exercises import strip_solutions

RIGHT = {"q01_params": 640, "q01_shape": (30, 4, 5), "q02_copy": "b", "q02_params": 1920,
         "q03_params": 5920, "q03_keep": "a", "q04_shape": (15, 5), "q04_bias": "a",
         "q05_h_n": (4, 3, 5), "q05_width": 10, "q07_share": 1 / 3, "q07_loop": "b",
         "q08_cifg": "b", "q08_peepholes": 12}
WRONG = {"q01_params": 440, "q01_shape": (4, 30, 5), "q02_copy": "a", "q02_params": 640,
         "q03_params": 2560, "q03_keep": "b", "q04_shape": (5, 15), "q04_bias": "b",
         "q05_h_n": (2, 3, 5), "q05_width": 5, "q07_share": 0.5, "q07_loop": "c",
         "q08_cifg": "a", "q08_peepholes": 4}


def test_every_question_has_a_right_and_a_wrong_answer_here():
    assert set(RIGHT) == set(QUESTIONS) == set(WRONG)


@pytest.mark.parametrize("qid", sorted(RIGHT))
def test_the_right_answer_passes_and_a_wrong_one_gets_the_hint(qid):
    assert grade(qid, RIGHT[qid]).passed
    report = grade(qid, WRONG[qid])
    (failed,) = report.failed
    assert failed.hint == QUESTIONS[qid].hint and "not right yet" in failed.message
    assert repr(RIGHT[qid]) not in str(report)


def test_parameter_counts_are_torchs():
    assert RIGHT["q03_params"] == sum(
        p.numel() for p in torch.nn.LSTM(10, 20, num_layers=2).parameters())


@pytest.mark.parametrize("qid, answer", [
    ("q01_params", np.int64(640)), ("q01_params", 640.0), ("q01_params", " 640 "),
    ("q01_shape", [30, 4, 5]), ("q01_shape", torch.Size([30, 4, 5])), ("q01_shape", "(30, 4, 5)"),
    ("q01_shape", (np.int32(30), 4, 5)), ("q02_copy", "B"), ("q02_copy", "(b)"),
    ("q07_share", 0.333), ("q07_share", np.float32(1 / 3))])
def test_unusual_but_right_answers_pass(qid, answer):
    assert grade(qid, answer).passed


class _Weird:
    def __eq__(self, other):
        raise RuntimeError("no")


@pytest.mark.parametrize("answer, words", [
    (..., "not answered yet"), (None, "not answered yet"), ("six hundred", "expected a number"),
    (True, "expected a number"), (_Weird(), "expected a number"), ([1.5, 2], "expected a number"),
    ("9" * 5000, "not right yet")])
def test_odd_answers_are_reported_in_words(answer, words):
    report = grade("q01_params", answer)
    assert not report.passed and words in report.checks[0].message


def test_odd_shapes_and_choices():
    assert "axes" in grade("q05_h_n", (3, 5)).checks[0].message
    assert "a shape" in grade("q05_h_n", "four by three").checks[0].message
    assert "one of 'a', 'b', 'c', 'd'" in grade("q02_copy", "z = 1").checks[0].message
    assert "one of" in grade("q02_copy", 2).checks[0].message


def test_an_unknown_question_id_suggests_the_closest():
    assert "q02_copy" in str(grade("q02_cpy", "b"))


def test_the_exercise_keeps_the_question_and_blanks_the_answer():
    src = '# which gate?\ncopy_gate = "b"  ### ANSWER\ncheck("q02_copy", copy_gate)'
    out = strip_solutions(src)
    assert out == '# which gate?\ncopy_gate = ...  # your answer\ncheck("q02_copy", copy_gate)'
