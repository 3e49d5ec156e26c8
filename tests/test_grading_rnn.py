"""The vanilla RNN graders: correct styles pass, catalogued bugs are recognised."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils import reference as ref
from course_utils.grading import grade


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


@pytest.mark.parametrize("fn", [ref.rnn_cell, cell_loops, cell_einsum], ids=lambda f: f.__name__)
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


@pytest.mark.parametrize("fn", [ref.rnn_forward, forward_prealloc_list, forward_projected],
                         ids=lambda f: f.__name__)
def test_correct_forwards_pass(fn):
    assert grade("rnn_forward", fn, hidden=True).passed




def test_untransposed_weights_are_a_shape_error_with_a_hint():
    report = grade("rnn_cell", lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi + h @ Wh + bi + bh))
    assert not report.passed and "transpose" in report.feedback


def test_time_limit_and_exceptions():
    def boom(*args):
        raise KeyError("W")
    assert "KeyError" in grade("rnn_forward", boom).feedback
