"""The variant graders accept correct cells written in unusual styles."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils.grading import grade


def _sig(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def cho_einsum(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """einsum, (H, B) layout, sigmoid via tanh."""
    H = h_prev.shape[1]
    a_x = np.einsum("gi,bi->gb", W_ih, x) + b_ih[:, None]
    hT = h_prev.T
    r = _sig(a_x[:H] + W_hh[:H] @ hT + b_hh[:H, None])
    z = _sig(a_x[H:2 * H] + W_hh[H:2 * H] @ hT + b_hh[H:2 * H, None])
    n = np.tanh(a_x[2 * H:] + W_hh[2 * H:] @ (r * hT) + b_hh[2 * H:, None])
    return (n + z * (hT - n)).T


def cho_float32(*args):
    """Computes in float32 whatever it is given, returns a list of rows."""
    from course_utils.variants import cho_gru_cell
    return list(cho_gru_cell(*(np.asarray(a, np.float32) for a in args)))


def mgu_loops(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """Python loops over the batch, clipped exp sigmoid."""
    H = h_prev.shape[1]
    out = np.empty_like(h_prev, dtype=np.float64)
    for b in range(x.shape[0]):
        a_f = W_ih[:H] @ x[b] + b_ih[:H] + W_hh[:H] @ h_prev[b] + b_hh[:H]
        f = 1 / (1 + np.exp(-np.clip(a_f, -500, 500)))
        n = np.tanh(W_ih[H:] @ x[b] + b_ih[H:] + W_hh[H:] @ (f * h_prev[b]) + b_hh[H:])
        out[b] = (1 - f) * h_prev[b] + f * n
    return out


def peephole_slices(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, w_ci, w_cf, w_co):
    """Per-gate slices, naive sigmoid (overflow warnings are not failures), a list result."""
    H = h_prev.shape[1]
    s = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    pre = [x @ W_ih[k * H:(k + 1) * H].T + h_prev @ W_hh[k * H:(k + 1) * H].T
           + b_ih[k * H:(k + 1) * H] + b_hh[k * H:(k + 1) * H] for k in range(4)]
    i, f = s(pre[0] + w_ci * c_prev), s(pre[1] + w_cf * c_prev)
    c = f * c_prev + i * np.tanh(pre[2])
    return [s(pre[3] + w_co * c) * np.tanh(c), c]


@pytest.mark.parametrize("ex_id, fn", [
    ("cho_gru_cell", cho_einsum), ("cho_gru_cell", cho_float32),
    ("mgu_cell", mgu_loops), ("peephole_lstm_cell", peephole_slices)],
    ids=lambda v: getattr(v, "__name__", v))
def test_unusual_correct_styles_pass(ex_id, fn):
    report = grade(ex_id, fn, hidden=True)
    assert report.passed, str(report)


def test_peephole_i_and_f_peeking_at_the_new_cell_is_rejected():
    """A bug outside the catalogue: i and f look at a first guess of c' instead of c."""
    from course_utils.variants import peephole_lstm_cell

    def wrong(x, h, c, W_ih, W_hh, b_ih, b_hh, w_ci, w_cf, w_co):
        _, c_guess = peephole_lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh, 0 * w_ci, 0 * w_cf, 0 * w_co)
        return peephole_lstm_cell(x, h, c_guess, W_ih, W_hh, b_ih, b_hh, w_ci, w_cf, w_co)
    report = grade("peephole_lstm_cell", wrong)
    assert not report.passed and "wrong values" in report.feedback
