"""The grading engine, through the GRU cell and forward graders: wrong shapes
are described, bad behaviour of learner code (exceptions, time-outs, stubs,
modified inputs, odd return values, warnings, SystemExit) is reported in
words, the report renders as text and HTML, check() shows it, and hidden and
instructor checks say only the kind of check that failed."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from course_utils import reference as ref
from course_utils.grading import EXERCISES, check, grade
from course_utils.grading.gru import gru_cell_variant


# ---------------------------------------------------------------- wrong shapes

@pytest.mark.parametrize("states, words", [
    (lambda X, h0, H: np.concatenate([h0[None], H]), "one time step too many"),
    (lambda X, h0, H: H[1:], "one time step too few"),
])
def test_an_off_by_one_in_time_is_named(states, words):
    def fn(X, h0, *params):
        H, h_n = ref.gru_forward(X, h0, *params)
        return states(X, h0, H), h_n
    report = grade("gru_forward", fn)
    assert not report.passed and words in report.feedback, report.feedback


def test_time_major_confusion_is_a_shape_message():
    def batch_first(X, h0, *p):
        H, h_n = ref.gru_forward(X, h0, *p)
        return H.transpose(1, 0, 2), h_n
    report = grade("gru_forward", batch_first)
    assert not report.passed
    assert "time first" in report.feedback


# ---------------------------------------------------------------- bad behaviour

def test_exception_is_reported_with_its_line_quoted():
    # the notebook editor shows no line numbers: the offending line is quoted
    def broken(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        return x @ W_ih + h_prev  # wrong product: shapes do not align
    report = grade("gru_cell", broken)
    assert report.score == 0.0
    assert "ValueError" in report.feedback
    assert "(in broken, at `return x @ W_ih + h_prev  # wrong product" in report.feedback
    assert "transpose" in report.feedback  # the shape hint


HIDDEN_SIZE_FIXED_IN_THE_NOTEBOOK = 4


def test_a_size_fixed_in_the_code_is_named_as_the_likely_bug():
    def fixed_size(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        H = HIDDEN_SIZE_FIXED_IN_THE_NOTEBOOK          # not h_prev.shape[1]
        a_i, a_h = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
        r = ref.sigmoid(a_i[:, :H] + a_h[:, :H])
        z = ref.sigmoid(a_i[:, H:2 * H] + a_h[:, H:2 * H])
        n = np.tanh(a_i[:, 2 * H:] + r * a_h[:, 2 * H:])
        return (1 - z) * n + z * h_prev
    report = grade("gru_cell", fixed_size)
    assert 0 < report.score < 1                        # right wherever H == 4
    assert "h_prev.shape[1]" in report.diagnosis
    assert "transpose" not in report.feedback          # not a matrix-product problem


def test_a_squeezed_batch_of_one_is_not_called_a_fixed_size():
    def squeezed(*args):
        return ref.gru_cell(*args).squeeze()
    report = grade("gru_cell", squeezed)
    assert 0 < report.score < 1 and "lost its batch axis" in report.feedback
    assert "h_prev.shape[1]" not in report.feedback


def test_not_implemented_says_so_once():
    def stub(*args):
        raise NotImplementedError()
    report = grade("gru_cell", stub)
    assert not report.passed
    assert "NotImplementedError" in report.checks[0].message
    assert all("not written yet" in c.message for c in report.checks[1:])


def test_infinite_loop_is_stopped_quickly(monkeypatch):
    monkeypatch.setattr(EXERCISES["gru_cell"], "time_limit", 0.5)

    def forever(*args):
        while True:
            pass
    report = grade("gru_cell", forever)
    assert not report.passed
    assert "did not return within 0.5 s" in report.feedback


def test_input_mutation_is_reported():
    def mutating(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        h_next = ref.gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh)
        h_prev += 1.0
        return h_next
    report = grade("gru_cell", mutating)
    assert not report.passed
    assert "modified its input `h_prev` in place" in report.feedback


@pytest.mark.parametrize("ret, words", [
    (lambda h: None, "returned None"),
    (lambda h: h.astype(int), "integer dtype"),
    (lambda h: h.T, "shape"),
    (lambda h: h[0], "shape"),
    (lambda h: np.full_like(h, np.nan), "NaN"),
    (lambda h: (h, h), "returned a tuple"),
    (lambda h: "hello", "dtype"),
    (lambda h: (row for row in h), "is a generator, not an array"),
    (lambda h: {"h_next": h}, "is a dict"),
    (lambda h: h > 0, "True/False values"),
    (lambda h: h.astype(np.float16), "float16"),
    (lambda h: h.astype(complex), "complex dtype"),
])
def test_wrong_returns_are_described(ret, words):
    def fn(*args):
        return ret(ref.gru_cell(*args))
    report = grade("gru_cell", fn)
    assert not report.passed
    assert words in report.feedback, report.feedback


def test_overflowing_sigmoid_is_a_nan_with_a_hint():
    def overflow(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        s = lambda a: np.exp(a) / (1 + np.exp(a))  # noqa: E731
        H = h_prev.shape[1]
        gi, gh = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
        r, z = s(gi[:, :H] + gh[:, :H]), s(gi[:, H:2 * H] + gh[:, H:2 * H])
        return (1 - z) * np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:]) + z * h_prev
    report = grade("gru_cell", overflow)
    assert not report.passed
    failed = [c.name for c in report.failed]
    assert all("saturating" in name for name in failed), failed
    assert "overflow" in report.feedback


def test_warnings_are_not_failures(recwarn):
    def noisy(*args):
        import warnings
        warnings.warn("something odd")
        print("passed!")  # printing does not count either way
        return ref.gru_cell(*args)
    assert grade("gru_cell", noisy).passed


def test_system_exit_and_keyboard_free_failures_do_not_escape():
    def exits(*args):
        raise SystemExit(3)
    report = grade("gru_cell", exits)
    assert not report.passed and "SystemExit" in report.feedback


def test_bad_arguments_to_grade():
    assert not grade("no_such_id", ref.gru_cell).passed
    assert "Known ids" in grade("no_such_id", ref.gru_cell).feedback
    assert "Did you mean 'gru_cell'?" in grade("gru_cel", ref.gru_cell).feedback
    report = grade("gru_cell", "not a function")
    assert not report.passed and "expected a function" in report.feedback


def test_hidden_feedback_names_only_the_kind():
    """A bug that shows only in the hidden (larger) cases says only the kind."""
    def only_small(x, h_prev, *p):
        out = ref.gru_cell(x, h_prev, *p)
        return out if h_prev.shape[1] < 9 else out + 1.0
    public = grade("gru_cell", only_small)
    assert public.passed
    hidden = grade("gru_cell", only_small, hidden=True)
    assert not hidden.passed
    (failed,) = hidden.failed
    assert failed.name == "hidden check"
    assert "B=5" not in hidden.feedback and "H=9" not in hidden.feedback


def test_report_renders_as_text_and_html():
    bad = grade("gru_cell", partial(gru_cell_variant, convention="other"))
    good = grade("gru_cell", ref.gru_cell)
    assert str(good).startswith("PASSED") and str(bad).startswith("FAILED")
    assert 'data-passed="true"' in good._repr_html_()
    html = bad._repr_html_()
    assert 'data-passed="false"' in html and "Most likely" in html and "<ul>" in html
    assert html.count("other way round") == 1 and str(bad).count("other way round") == 1
    assert "<code>h_next</code>" in html and "`" not in html      # names set as code
    assert bad.feedback.count("other way round") == len(bad.failed)  # one hint per line
    assert bad.to_dict()["score"] == bad.score


def test_report_folds_checks_not_run():
    def stub(*args):
        raise NotImplementedError()
    text = str(grade("gru_cell", stub))
    assert "8 more checks: not run" in text and len(text.splitlines()) == 3


def test_check_prints_in_a_terminal(capsys):
    report = check("gru_cell", ref.gru_cell)
    assert report.passed
    assert "all 10 checks passed" in capsys.readouterr().out   # 9 cases + the state check


def test_check_raises_under_nbgrader_autograde(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError):
        check("gru_cell", partial(gru_cell_variant, convention="other"))
    report = check("gru_cell", ref.gru_cell)
    assert report.passed and len(report.checks) > 9        # the hidden checks ran too


def test_every_registered_exercise_has_a_signature_and_cases():
    for ex_id, ex in EXERCISES.items():
        assert ex.signature.startswith(ex_id + "(")
        assert ex.make_cases(False), ex_id


@pytest.mark.parametrize("error, words", [(FloatingPointError("overflow encountered in exp"),
                                           "np.seterr"),
                                          (MemoryError(), "more memory"),
                                          (RecursionError("maximum recursion depth"),
                                           "calls itself")])
def test_exception_hints_name_the_cause(error, words):
    def fn(*args):
        raise error
    report = grade("gru_cell", fn)
    assert not report.passed and words in report.feedback, report.feedback


def test_an_instructor_seed_adds_hidden_checks_no_student_has_seen():
    from course_utils.grading import set_instructor_checks
    base = len(grade("gru_cell", ref.gru_cell, hidden=True).checks)
    try:
        set_instructor_checks(20261123, 3)
        good = grade("gru_cell", ref.gru_cell, hidden=True)
        assert good.passed and len(good.checks) == base + 3
        seq = grade("gru_forward", ref.gru_forward, hidden=True)
        assert seq.passed
        assert len(grade("gru_cell", ref.gru_cell).checks) < base   # only with hidden=True
        bad = grade("gru_cell", partial(gru_cell_variant, convention="other"), hidden=True)
        # base: 9 public checks, the hidden ones and the state check (a passing function only)
        assert sum(c.name == "hidden check" for c in bad.checks) >= 3 + (base - 10)
        shapes = [c.args[0].shape for c in EXERCISES["gru_cell"].make_cases(True)[-3:]]
        set_instructor_checks(7, 3)                                   # another seed
        other = [c.args[0].shape for c in EXERCISES["gru_cell"].make_cases(True)[-3:]]
        assert shapes != other
    finally:
        set_instructor_checks(None)
    assert len(grade("gru_cell", ref.gru_cell, hidden=True).checks) == base


def test_the_instructor_seed_can_come_from_the_environment():
    import os
    import subprocess
    import sys
    code = ("from course_utils.grading import EXERCISES;"
            "print(len(EXERCISES['lstm_backward'].make_cases(True)))")
    env = dict(os.environ, COURSE_INSTRUCTOR_SEED="")
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout
    env.update(COURSE_INSTRUCTOR_SEED="99", COURSE_INSTRUCTOR_CHECKS="2")
    seeded = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True).stdout
    assert int(seeded) == int(plain) + 2
