"""The labs' comparison cells: a stub, a wrong answer or an error prints guidance."""
from __future__ import annotations

import pytest

from course_utils.grading import comparing, hints


@pytest.fixture(autouse=True)
def as_a_learner(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT", raising=False)


def test_a_stub_is_named_and_run_all_goes_on(capsys):
    def gru_cell(*args):
        raise NotImplementedError()
    with comparing("gru_cell"):
        gru_cell(1, 2)
        print("unreachable")
    out = capsys.readouterr().out
    assert out.strip() == hints.GUARD_STUB.format(name="gru_cell")


def test_a_failed_comparison_says_by_how_much(capsys):
    with comparing("gru_forward"):
        err = 0.3
        assert err <= 1e-10, f"max |NumPy - torch| = {err:.1e} > 1e-10"
    out = capsys.readouterr().out
    assert "`gru_forward` does not agree yet: max |NumPy - torch| = 3.0e-01 > 1e-10" in out
    assert "grader cell above" in out


def test_an_error_is_named_with_the_learners_line(capsys):
    def lstm_cell(x):
        return x @ x.T          # an int has no .T
    with comparing("lstm_cell"):
        lstm_cell(3)
    out = capsys.readouterr().out
    assert "`lstm_cell` raised AttributeError" in out and "at `return x @ x.T" in out


def test_a_huge_message_is_cut(capsys):
    with comparing("rnn_cell"):
        raise ValueError("x" * 10_000)
    assert len(capsys.readouterr().out) < 600


def test_strict_mode_raises_so_the_solutions_fail_the_tests(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT", "1")
    with pytest.raises(AssertionError):
        with comparing("gru_cell"):
            raise AssertionError("differs")


def test_keyboard_interrupt_is_not_swallowed():
    with pytest.raises(KeyboardInterrupt):
        with comparing("gru_cell"):
            raise KeyboardInterrupt
