"""The GRU graders: correct solutions in many styles pass; known bugs fail
with the right diagnosis. The engine's own behaviour (wrong shapes, bad
behaviour, the report, check, hidden and instructor checks) is tested in
test_grading_engine.py."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from course_utils import reference as ref
from course_utils.grading import EXERCISES, grade
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
