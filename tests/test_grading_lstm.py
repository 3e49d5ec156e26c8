"""The LSTM graders: correct solutions in many styles pass; known bugs fail
with the right diagnosis; bad behaviour is reported in words."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import reference as ref
from course_utils.grading import grade


def cell_slices(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """Per-gate slices, naive sigmoid (overflow warnings are not failures)."""
    H = h_prev.shape[1]
    s = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    pre = [x @ W_ih[k * H:(k + 1) * H].T + b_ih[k * H:(k + 1) * H]
           + h_prev @ W_hh[k * H:(k + 1) * H].T + b_hh[k * H:(k + 1) * H] for k in range(4)]
    i, f, g, o = s(pre[0]), s(pre[1]), np.tanh(pre[2]), s(pre[3])
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def cell_einsum_list(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """einsum, (4H, B) layout, sigmoid via tanh, returns a list."""
    a = np.einsum("gi,bi->gb", W_ih, x) + np.einsum("gh,bh->gb", W_hh, h_prev) \
        + (b_ih + b_hh)[:, None]
    i, f, g, o = np.split(a, 4)
    sig = lambda v: 0.5 + 0.5 * np.tanh(0.5 * v)  # noqa: E731
    c = sig(f) * c_prev.T + sig(i) * np.tanh(g)
    return [(sig(o) * np.tanh(c)).T, c.T]


def cell_float32(*args):
    """Computes in float32 whatever it is given."""
    return ref.lstm_cell(*(np.asarray(a, np.float32) for a in args))


@pytest.mark.parametrize("fn", [ref.lstm_cell, cell_slices, cell_einsum_list, cell_float32],
                         ids=lambda f: f.__name__)
def test_correct_cells_pass(fn):
    report = grade("lstm_cell", fn, hidden=True)
    assert report.passed, str(report)


def forward_prealloc(X, h0, c0, *p):
    T, B, _ = X.shape
    out = np.empty((T, B, h0.shape[1]), dtype=np.result_type(X, h0))
    h, c = h0, c0
    for t in range(T):
        h, c = cell_slices(X[t], h, c, *p)
        out[t] = h
    return out, (out[-1], c)


def forward_lists(X, h0, c0, *p):
    hs, h, c = [], h0, c0
    for x_t in X:
        h, c = cell_einsum_list(x_t, h, c, *p)
        hs.append(h)
    return hs, [h, c]


@pytest.mark.parametrize("fn", [ref.lstm_forward, forward_prealloc, forward_lists],
                         ids=lambda f: f.__name__)
def test_correct_forwards_pass(fn):
    report = grade("lstm_forward", fn, hidden=True)
    assert report.passed, str(report)




def test_a_hand_written_gate_order_bug_is_named():
    def ifog(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
        i, f, o, g = np.split(a, 4, axis=1)   # the i, f, o, g order of other libraries
        c = ref.sigmoid(f) * c_prev + ref.sigmoid(i) * np.tanh(g)
        return ref.sigmoid(o) * np.tanh(c), c
    report = grade("lstm_cell", ifog)
    assert "i, f, o, g" in report.diagnosis and "i, f, g, o" in report.diagnosis


def test_overflowing_sigmoid_fails_only_saturating_cases():
    def overflow(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        s = lambda a: np.exp(a) / (1 + np.exp(a))  # noqa: E731
        i, f, g, o = np.split(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh, 4, axis=1)
        c = s(f) * c_prev + s(i) * np.tanh(g)
        return s(o) * np.tanh(c), c
    report = grade("lstm_cell", overflow)
    assert not report.passed
    assert all("saturating" in c.name for c in report.failed)
    assert "NaN" in report.feedback


def test_mutation_of_the_cell_state_is_reported():
    def mutating(x, h_prev, c_prev, *p):
        h, c = ref.lstm_cell(x, h_prev, c_prev, *p)
        c_prev[...] = c
        return h, c
    report = grade("lstm_cell", mutating)
    assert "modified its input `c_prev` in place" in report.feedback


def test_single_array_instead_of_pair():
    report = grade("lstm_cell", lambda *a: ref.lstm_cell(*a)[0])
    assert not report.passed and "returned a single ndarray" in report.feedback


def test_forward_final_state_structure():
    report = grade("lstm_forward", lambda *a: (ref.lstm_forward(*a)[0], ref.lstm_forward(*a)[1][0]))
    assert not report.passed and "`h_n`" not in report.feedback
    assert "returned a single ndarray" in report.feedback


def test_hand_written_state_carrying_bugs_are_named():
    def h0_every_step(X, h0, c0, *params):
        c, outputs = c0, []
        for x_t in X:
            h, c = ref.lstm_cell(x_t, h0, c, *params)     # h0, not the last h
            outputs.append(h)
        return np.array(outputs), (h, c)
    report = grade("lstm_forward", h0_every_step)
    assert not report.passed and "hidden state is not carried" in report.diagnosis

    def c0_every_step(X, h0, c0, *params):
        h, outputs = h0, []
        for x_t in X:
            h, c = ref.lstm_cell(x_t, h, c0, *params)     # c0, not the last c
            outputs.append(h)
        return np.array(outputs), (h, c)
    report = grade("lstm_forward", c0_every_step)
    assert not report.passed and "cell state is not carried" in report.diagnosis


def _hand_written_lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, *, bug):
    """A learner's LSTM cell with one hand-written bug."""
    H = h_prev.shape[1]
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    sig = (lambda v: 1 / (1 + np.exp(v))) if bug == "sign" else ref.sigmoid
    i = sig(a[:, :H])
    f = sig(a[:, :H]) if bug == "copy" else sig(a[:, H:2 * H] + (1.0 if bug == "bias" else 0))
    g = np.tanh(a[:, 2 * H:3 * H])
    g = np.tanh(g) if bug == "twice" else g
    o = sig(a[:, 3 * H:])
    c = f * c_prev + i * g
    return o * np.tanh(c), c


@pytest.mark.parametrize("bug, words", [("sign", "check the sign in your sigmoid"),
                                        ("copy", "copy-pasted"),
                                        ("bias", "shifted by +1"),
                                        ("twice", "squashed twice")])
def test_more_hand_written_cell_bugs_are_named(bug, words):
    from functools import partial
    with np.errstate(over="ignore"):
        report = grade("lstm_cell", partial(_hand_written_lstm, bug=bug))
    assert not report.passed and words in report.diagnosis, report.diagnosis


def test_per_gate_slices_with_untransposed_W_hh_blocks_are_named():
    def per_gate(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        H = h_prev.shape[1]
        pre = [x @ W_ih[k * H:(k + 1) * H].T + h_prev @ W_hh[k * H:(k + 1) * H]   # no .T
               + b_ih[k * H:(k + 1) * H] + b_hh[k * H:(k + 1) * H] for k in range(4)]
        i, f, o = ref.sigmoid(pre[0]), ref.sigmoid(pre[1]), ref.sigmoid(pre[3])
        c = f * c_prev + i * np.tanh(pre[2])
        return o * np.tanh(c), c
    report = grade("lstm_cell", per_gate)
    assert not report.passed and "blocks of W_hh the wrong way round" in report.diagnosis
