"""The GRU graders: correct solutions in many styles pass; known bugs fail
with the right diagnosis; bad behaviour is reported in words."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from course_utils import reference as ref
from course_utils.grading import EXERCISES, check, grade
from course_utils.grading.build import loop_cell
from course_utils.grading.gru import gru_cell_variant


# ---------------------------------------------------------------- correct styles

def naive_sigmoid(a):
    return 1 / (1 + np.exp(-a))


def cell_slices(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """Per-gate weight slices, naive (overflow-warning) sigmoid."""
    H = h_prev.shape[1]
    W_ir, W_iz, W_in = W_ih[:H], W_ih[H:2 * H], W_ih[2 * H:]
    W_hr, W_hz, W_hn = W_hh[:H], W_hh[H:2 * H], W_hh[2 * H:]
    b_ir, b_iz, b_in = b_ih[:H], b_ih[H:2 * H], b_ih[2 * H:]
    b_hr, b_hz, b_hn = b_hh[:H], b_hh[H:2 * H], b_hh[2 * H:]
    r = naive_sigmoid(x @ W_ir.T + b_ir + h_prev @ W_hr.T + b_hr)
    z = naive_sigmoid(x @ W_iz.T + b_iz + h_prev @ W_hz.T + b_hz)
    n = np.tanh(x @ W_in.T + b_in + r * (h_prev @ W_hn.T + b_hn))
    return (1 - z) * n + z * h_prev


def cell_einsum(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """einsum, the (H, B) layout, and sigmoid via tanh."""
    H = h_prev.shape[1]
    gi = np.einsum("gi,bi->gb", W_ih, x) + b_ih[:, None]
    gh = np.einsum("gh,bh->gb", W_hh, h_prev) + b_hh[:, None]
    sig = lambda a: 0.5 * (1 + np.tanh(0.5 * a))  # noqa: E731
    r = sig(gi[:H] + gh[:H])
    z = sig(gi[H:2 * H] + gh[H:2 * H])
    n = np.tanh(gi[2 * H:] + r * gh[2 * H:])
    return (z * h_prev.T + (1 - z) * n).T


def cell_loop(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """Explicit Python loops over batch and units, float output array."""
    B, H = h_prev.shape
    out = np.empty((B, H))
    for b in range(B):
        for j in range(H):
            a_r = W_ih[j] @ x[b] + b_ih[j] + W_hh[j] @ h_prev[b] + b_hh[j]
            a_z = W_ih[H + j] @ x[b] + b_ih[H + j] + W_hh[H + j] @ h_prev[b] + b_hh[H + j]
            r = ref.sigmoid(a_r)
            z = ref.sigmoid(a_z)
            n = np.tanh(W_ih[2 * H + j] @ x[b] + b_ih[2 * H + j]
                        + r * (W_hh[2 * H + j] @ h_prev[b] + b_hh[2 * H + j]))
            out[b, j] = n + z * (h_prev[b, j] - n)
    return out


def cell_torch_inside(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """Uses torch for the maths and returns a tensor."""
    import torch
    t = [torch.as_tensor(a) for a in (x, h_prev, W_ih, W_hh, b_ih, b_hh)]
    return torch.gru_cell(*t)


def cell_clip_sigmoid(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """Clips the pre-activation before exp: exact enough, never overflows."""
    H = h_prev.shape[1]
    a = x @ W_ih.T + b_ih
    c = h_prev @ W_hh.T + b_hh
    s = lambda v: 1 / (1 + np.exp(-np.clip(v, -500, 500)))  # noqa: E731
    r, z = s(a[:, :H] + c[:, :H]), s(a[:, H:2 * H] + c[:, H:2 * H])
    n = np.tanh(a[:, 2 * H:] + r * c[:, 2 * H:])
    return (1.0 - z) * n + z * h_prev


def cell_always_float32(*args):
    """Computes in float32 whatever it is given (a lossy but correct choice)."""
    return ref.gru_cell(*(np.asarray(a, np.float32) for a in args))


CORRECT_CELLS = [ref.gru_cell, cell_slices, cell_einsum, cell_loop, cell_torch_inside,
                 cell_clip_sigmoid, cell_always_float32]


@pytest.mark.parametrize("fn", CORRECT_CELLS, ids=lambda f: f.__name__)
def test_correct_cells_pass(fn):
    report = grade("gru_cell", fn, hidden=True)
    assert report.passed, str(report)
    assert report.score == 1.0 and report.feedback == ""


def forward_prealloc(X, h0, W_ih, W_hh, b_ih, b_hh):
    """Preallocated output in float32 when the inputs are float32."""
    T, B, _ = X.shape
    out = np.zeros((T, B, h0.shape[1]), dtype=X.dtype)
    h = h0
    for t in range(T):
        h = cell_slices(X[t], h, W_ih, W_hh, b_ih, b_hh)
        out[t] = h
    return out, out[-1]


def forward_list(X, h0, W_ih, W_hh, b_ih, b_hh):
    """Returns a list of arrays for H and a list for the pair."""
    h, hs = h0.copy(), []
    for x_t in X:
        h = cell_einsum(x_t, h, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
    return [hs, h]


def forward_projected(X, h0, W_ih, W_hh, b_ih, b_hh):
    """All input projections in one product, float64 buffer whatever the inputs."""
    T, B, I = X.shape
    H = h0.shape[1]
    GI = (X.reshape(T * B, I) @ W_ih.T + b_ih).reshape(T, B, 3 * H)
    out = np.zeros((T, B, H))
    h = h0
    for t in range(T):
        gh = h @ W_hh.T + b_hh
        r = ref.sigmoid(GI[t, :, :H] + gh[:, :H])
        z = ref.sigmoid(GI[t, :, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(GI[t, :, 2 * H:] + r * gh[:, 2 * H:])
        h = (1 - z) * n + z * h
        out[t] = h
    return out, h


@pytest.mark.parametrize("fn", [ref.gru_forward, forward_prealloc, forward_list,
                                forward_projected], ids=lambda f: f.__name__)
def test_correct_forwards_pass(fn):
    report = grade("gru_forward", fn, hidden=True)
    assert report.passed, str(report)


# ---------------------------------------------------------------- known bugs

CELL_BUGS = {
    "other convention": dict(convention="other"),
    "reset before product": dict(reset="before"),
    "b_hn outside reset": dict(b_hn_outside=True),
    "reset on everything": dict(reset_everything=True),
    "order zrn": dict(order="zrn"),
    "order nzr": dict(order="nzr"),
    "no b_ih": dict(drop_b_ih=True),
    "no b_hh": dict(drop_b_hh=True),
    "no biases": dict(drop_b_ih=True, drop_b_hh=True),
    "no reset": dict(no_reset=True),
    "sigmoid candidate": dict(cand_act=ref.sigmoid),
    "tanh gates": dict(gate_act=np.tanh),
    "returns candidate": dict(returns="n"),
    "other convention + reset before product": dict(convention="other", reset="before"),
}


@pytest.mark.parametrize("name", list(CELL_BUGS))
def test_cell_bugs_are_diagnosed(name):
    bug = partial(gru_cell_variant, **CELL_BUGS[name])
    report = grade("gru_cell", bug)
    assert not report.passed
    expected = next(m for m in EXERCISES["gru_cell"].mistakes if m.name == name)
    assert report.diagnosis == expected.hint, str(report)
    # the hint is words, never code of the solution
    assert "np." not in report.feedback and "def " not in report.feedback


def test_diagnosis_survives_a_differently_written_bug():
    """The other convention written from scratch (not via the variant)."""
    def other(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        H = h_prev.shape[1]
        gi, gh = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
        r = naive_sigmoid(gi[:, :H] + gh[:, :H])
        z = naive_sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        return z * n + (1 - z) * h_prev
    report = grade("gru_cell", other)
    assert "other way round" in report.diagnosis
    assert "other way round" in report.feedback


def _hand_written_gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, *, bug):
    """A learner's GRU cell with one hand-written bug."""
    H = h_prev.shape[1]
    gi, gh = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
    sig = (lambda a: 1 / (1 + np.exp(a))) if bug == "sign" else naive_sigmoid
    r = sig(gi[:, :H] + gh[:, :H])
    z = sig(gi[:, :H] + gh[:, :H]) if bug == "copy" else sig(gi[:, H:2 * H] + gh[:, H:2 * H])
    if bug == "no b_hn":              # W_hn h alone inside the reset
        n = np.tanh(gi[:, 2 * H:] + r * (h_prev @ W_hh[2 * H:].T))
    else:
        n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h_prev


@pytest.mark.parametrize("bug, words", [("sign", "check the sign in your sigmoid"),
                                        ("copy", "copy-pasted"),
                                        ("no b_hn", "b_hn (the candidate's block of b_hh)")])
def test_hand_written_sigmoid_sign_and_copied_slice_are_named(bug, words):
    with np.errstate(over="ignore"):
        report = grade("gru_cell", partial(_hand_written_gru, bug=bug))
    assert not report.passed and words in report.diagnosis, report.diagnosis


FORWARD_BUGS = {
    "init ignored": dict(ignore_init=True),
    "time reversed": dict(reverse=True),
    "shifted": dict(shift=True),
    "not carried": dict(carry=False),
    "final first": dict(final="first"),
    "aliased": dict(alias=True),
}


@pytest.mark.parametrize("name", list(FORWARD_BUGS))
def test_forward_bugs_are_diagnosed(name):
    report = grade("gru_forward", loop_cell(ref.gru_cell, 1, **FORWARD_BUGS[name]))
    assert not report.passed
    expected = next(m for m in EXERCISES["gru_forward"].mistakes if m.name == name)
    assert report.diagnosis == expected.hint, str(report)


def test_forward_with_a_buggy_cell_names_the_cell_bug():
    bug = loop_cell(partial(gru_cell_variant, reset="before"), 1)
    report = grade("gru_forward", bug)
    assert "Cho" in report.diagnosis


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

def test_exception_is_reported_with_its_line():
    def broken(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        return x @ W_ih + h_prev  # wrong product: shapes do not align
    report = grade("gru_cell", broken)
    assert report.score == 0.0
    assert "ValueError" in report.feedback and "line" in report.feedback
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
    assert 0 < report.score < 1 and "lost its first axis" in report.feedback
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
    assert "all 9 checks passed" in capsys.readouterr().out


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
        assert sum(c.name == "hidden check" for c in bad.checks) >= 3 + (base - 9)
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


def test_per_gate_slices_with_untransposed_W_hh_blocks_are_named():
    def per_gate(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        H = h_prev.shape[1]
        W_ir, W_iz, W_in = W_ih[:H], W_ih[H:2 * H], W_ih[2 * H:]
        W_hr, W_hz, W_hn = W_hh[:H], W_hh[H:2 * H], W_hh[2 * H:]
        b_ir, b_iz, b_in = np.split(b_ih, 3)
        b_hr, b_hz, b_hn = np.split(b_hh, 3)
        r = naive_sigmoid(x @ W_ir.T + b_ir + h_prev @ W_hr + b_hr)    # W_hr, not W_hr.T
        z = naive_sigmoid(x @ W_iz.T + b_iz + h_prev @ W_hz + b_hz)
        n = np.tanh(x @ W_in.T + b_in + r * (h_prev @ W_hn + b_hn))
        return (1 - z) * n + z * h_prev
    with np.errstate(over="ignore"):
        report = grade("gru_cell", per_gate)
    assert not report.passed and "blocks of W_hh the wrong way round" in report.diagnosis
