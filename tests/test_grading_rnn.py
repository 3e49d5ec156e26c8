"""The vanilla RNN graders: correct styles pass, catalogued bugs are recognised."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import reference as ref
from course_utils.grading import EXERCISES, grade
from course_utils.grading.build import loop_cell


def cell_loops(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """Python loops over batch and units."""
    B, H = h_prev.shape
    out = np.zeros((B, H))
    for b in range(B):
        for j in range(H):
            out[b, j] = np.tanh(W_ih[j] @ x[b] + b_ih[j] + W_hh[j] @ h_prev[b] + b_hh[j])
    return out


def cell_einsum(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(np.einsum("hi,bi->bh", W_ih, x) + np.einsum("hk,bk->bh", W_hh, h_prev)
                   + b_ih + b_hh)


def cell_float32(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """Everything cast to float32 (accepted within the float32 tolerance)."""
    f = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
    return np.tanh(f(x) @ f(W_ih).T + f(b_ih) + f(h_prev) @ f(W_hh).T + f(b_hh))


def cell_exp_tanh(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """tanh written as 1 - 2 / (exp(2a) + 1) (saturates without NaN)."""
    a = (W_ih @ x.T).T + (W_hh @ h_prev.T).T + (b_ih + b_hh)[None, :]
    with np.errstate(over="ignore"):
        return 1.0 - 2.0 / (np.exp(2.0 * a) + 1.0)


@pytest.mark.parametrize("fn", [ref.rnn_cell, cell_loops, cell_einsum, cell_float32,
                                cell_exp_tanh], ids=lambda f: f.__name__)
def test_correct_cells_pass(fn):
    assert grade("rnn_cell", fn, hidden=True).passed


def forward_prealloc_list(X, h0, W_ih, W_hh, b_ih, b_hh):
    """Preallocated float32-preserving buffer, returned as a list of steps."""
    out = np.empty((X.shape[0],) + h0.shape, dtype=np.result_type(X, h0))
    h = h0
    for t, x_t in enumerate(X):
        h = cell_einsum(x_t, h, W_ih, W_hh, b_ih, b_hh)
        out[t] = h
    return list(out), h


def forward_projected(X, h0, W_ih, W_hh, b_ih, b_hh):
    """Input projection of all steps at once."""
    A = X @ W_ih.T + b_ih + b_hh
    hs, h = [], h0
    for a_t in A:
        h = np.tanh(a_t + h @ W_hh.T)
        hs.append(h)
    return np.array(hs), h


def forward_stack(X, h0, W_ih, W_hh, b_ih, b_hh):
    """List of copies + np.stack, h_n taken from H."""
    hs, h = [], h0.copy()
    for t in range(len(X)):
        h = cell_loops(X[t], h, W_ih, W_hh, b_ih, b_hh)
        hs.append(h.copy())
    H = np.stack(hs, axis=0)
    return H, H[-1]


def forward_float32(X, h0, W_ih, W_hh, b_ih, b_hh):
    """The whole layer in float32, H as a list of per-step arrays."""
    h = h0.astype(np.float32)
    out = []
    for x_t in X.astype(np.float32):
        h = cell_float32(x_t, h, W_ih, W_hh, b_ih, b_hh)
        out.append(h)
    return out, h


@pytest.mark.parametrize("fn", [ref.rnn_forward, forward_prealloc_list, forward_projected,
                                forward_stack, forward_float32], ids=lambda f: f.__name__)
def test_correct_forwards_pass(fn):
    assert grade("rnn_forward", fn, hidden=True).passed


# ---------------------------------------------------------------- hand-written bugs
# Written from scratch (not via rnn_cell_variant), so the diagnosis must come
# from the numbers alone.

def _hint(ex_id, name):
    return next(m for m in EXERCISES[ex_id].mistakes if m.name == name).hint


def _pre(x, h, W_ih, W_hh):
    return np.einsum("bi,hi->bh", x, W_ih), np.einsum("bk,hk->bh", h, W_hh)


CELL_BUGS = {
    "no b_ih": lambda x, h, Wi, Wh, bi, bh: np.tanh(sum(_pre(x, h, Wi, Wh)) + bh),
    "no b_hh": lambda x, h, Wi, Wh, bi, bh: np.tanh(sum(_pre(x, h, Wi, Wh)) + bi),
    "no biases": lambda x, h, Wi, Wh, bi, bh: np.tanh(sum(_pre(x, h, Wi, Wh))),
    "sigmoid": lambda x, h, Wi, Wh, bi, bh: 1 / (1 + np.exp(-(sum(_pre(x, h, Wi, Wh)) + bi + bh))),
    "relu": lambda x, h, Wi, Wh, bi, bh: np.clip(sum(_pre(x, h, Wi, Wh)) + bi + bh, 0, None),
    "no activation": lambda x, h, Wi, Wh, bi, bh: sum(_pre(x, h, Wi, Wh)) + bi + bh,
    "tanh on input only": lambda x, h, Wi, Wh, bi, bh: (
        np.tanh(_pre(x, h, Wi, Wh)[0] + bi) + _pre(x, h, Wi, Wh)[1] + bh),
    "no recurrence": lambda x, h, Wi, Wh, bi, bh: np.tanh(_pre(x, h, Wi, Wh)[0] + bi + bh),
}


@pytest.mark.parametrize("name", list(CELL_BUGS))
def test_cell_bugs_are_diagnosed(name):
    report = grade("rnn_cell", CELL_BUGS[name])
    assert not report.passed
    assert report.diagnosis == _hint("rnn_cell", name), str(report)
    assert "np." not in report.feedback and "def " not in report.feedback


# the layer bugs of the catalogue are covered by tests/test_grading_catalogue.py


def test_aliased_buffer_written_by_hand():
    """The classic: one state array updated in place and appended every step."""
    def aliased(X, h0, W_ih, W_hh, b_ih, b_hh):
        h, hs = h0.copy(), []
        for x_t in X:
            h[...] = np.tanh(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
            hs.append(h)
        return np.array(hs), h
    report = grade("rnn_forward", aliased)
    assert not report.passed
    assert report.diagnosis == _hint("rnn_forward", "aliased"), str(report)


def test_forward_with_a_buggy_cell_names_the_cell_bug():
    report = grade("rnn_forward", loop_cell(CELL_BUGS["no b_hh"], 1))
    assert report.diagnosis == _hint("rnn_forward", "no b_hh"), str(report)



def test_untransposed_weights_are_a_shape_error_with_a_hint():
    report = grade("rnn_cell", lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi + h @ Wh + bi + bh))
    assert not report.passed and "transpose" in report.feedback


def test_time_limit_and_exceptions(monkeypatch):
    def boom(*args):
        raise KeyError("W")
    report = grade("rnn_forward", boom)
    assert not report.passed and report.score == 0.0
    assert "KeyError" in report.feedback

    monkeypatch.setattr(EXERCISES["rnn_forward"], "time_limit", 0.5)

    def forever(*args):
        while True:
            pass
    report = grade("rnn_forward", forever)
    assert not report.passed
    assert "did not return within 0.5 s" in report.feedback


@pytest.mark.parametrize("ex_id, arg", [("rnn_cell", "h_prev"), ("rnn_forward", "h0"),
                                        ("rnn_forward", "X")])
def test_input_mutation_is_reported(ex_id, arg):
    correct = {"rnn_cell": ref.rnn_cell, "rnn_forward": ref.rnn_forward}[ex_id]
    index = EXERCISES[ex_id].arg_names.index(arg)

    def mutating(*args):
        out = correct(*args)
        args[index][...] = 0.0
        return out
    report = grade(ex_id, mutating)
    assert not report.passed
    assert f"modified its input `{arg}` in place" in report.feedback


def test_nan_and_none_are_described():
    assert "returned None" in grade("rnn_cell", lambda *a: None).feedback
    nan = grade("rnn_forward", lambda X, h0, *p: (np.full((len(X),) + h0.shape, np.nan), h0))
    assert not nan.passed and "NaN" in nan.feedback


def test_states_returned_as_a_tuple_are_accepted():
    """H as a tuple of per-step arrays is the stacked states, like a list."""
    def forward_tuple(X, h0, *p):
        H_all, h_n = ref.rnn_forward(X, h0, *p)
        return tuple(H_all), h_n
    assert grade("rnn_forward", forward_tuple, hidden=True).passed


def test_an_untransposed_square_W_hh_is_named():
    def untransposed(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh + b_hh)    # W_hh is (H, H)
    report = grade("rnn_cell", untransposed)
    assert not report.passed and "W_hh the wrong way round" in report.diagnosis
