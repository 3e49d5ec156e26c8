"""Unit 08: each variant reference checked independently (special cases where it
reduces to a torch cell, hand-computed values), parameter counts, and graders."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils import oracle
from course_utils import variants as V
from course_utils.grading import EXERCISES, grade
from course_utils.grading.build import rand_params

rng = np.random.default_rng(0)
B, I, H = 3, 4, 5
x, h, c = rng.standard_normal((B, I)), rng.uniform(-1, 1, (B, H)), rng.uniform(-2, 2, (B, H))


def test_cho_equals_torch_when_the_reset_gate_is_open():
    W_ih, W_hh, b_ih, b_hh = rand_params(rng, I, H, 3)
    b_ih = b_ih.copy()
    b_ih[:H] = 50.0                                 # r = 1: both placements agree
    np.testing.assert_allclose(V.cho_gru_cell(x, h, W_ih, W_hh, b_ih, b_hh),
                               oracle.gru_cell(x, h, W_ih, W_hh, b_ih, b_hh), atol=1e-12)
    b_ih[:H] = -0.3                                 # generic r: they differ
    assert not np.allclose(V.cho_gru_cell(x, h, W_ih, W_hh, b_ih, b_hh),
                           oracle.gru_cell(x, h, W_ih, W_hh, b_ih, b_hh), atol=1e-3)


@pytest.mark.parametrize("subtype", [1, 2, 3])
def test_gru_subtypes_reduce_to_torch_when_unused_weights_are_zero(subtype):
    W_ih, W_hh, b_ih, b_hh = (p.copy() for p in rand_params(rng, I, H, 3))
    W_ih[:2 * H] = 0.0                              # no input in the gates, for all subtypes
    if subtype == 2:
        b_ih[:2 * H] = b_hh[:2 * H] = 0.0
    if subtype == 3:
        W_hh[:2 * H] = 0.0
    np.testing.assert_allclose(V.gru_subtype_cell(x, h, W_ih, W_hh, b_ih, b_hh, subtype),
                               oracle.gru_cell(x, h, W_ih, W_hh, b_ih, b_hh), atol=1e-12)


def test_mgu_by_hand_on_one_unit():
    W_ih, W_hh = np.array([[0.5], [1.0]]), np.array([[2.0], [-1.0]])
    b_ih, b_hh = np.array([0.1, 0.0]), np.array([0.0, 0.2])
    x1, h1 = np.array([[1.0]]), np.array([[0.5]])
    f = 1 / (1 + np.exp(-(0.5 + 0.1 + 1.0)))        # sigma(0.5*1 + 0.1 + 2*0.5)
    n = np.tanh(1.0 + (-1.0) * (f * 0.5) + 0.2)
    np.testing.assert_allclose(V.mgu_cell(x1, h1, W_ih, W_hh, b_ih, b_hh),
                               [[(1 - f) * 0.5 + f * n]], atol=1e-15)


def test_peephole_with_zero_peepholes_is_torch_lstm():
    p = rand_params(rng, I, H, 4)
    z = np.zeros(H)
    got = V.peephole_lstm_cell(x, h, c, *p, z, z, z)
    want = oracle.lstm_cell(x, h, c, *p)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_peephole_by_hand_on_one_unit():
    W = np.zeros((4, 1))
    b = np.array([0.2, -0.1, 0.3, 0.4])
    zero = np.zeros(4)
    c0, w = np.array([[1.5]]), np.array([0.7])
    s = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    i, f = s(0.2 + 0.7 * 1.5), s(-0.1 + 0.7 * 1.5)
    c1 = f * 1.5 + i * np.tanh(0.3)
    o = s(0.4 + 0.7 * c1)
    h1, c_next = V.peephole_lstm_cell(np.zeros((1, 1)), np.zeros((1, 1)), c0, W, W, b, zero, w, w, w)
    np.testing.assert_allclose(c_next, [[c1]], atol=1e-15)
    np.testing.assert_allclose(h1, [[o * np.tanh(c1)]], atol=1e-15)


def test_cifg_is_an_lstm_whose_input_gate_mirrors_the_forget_gate():
    W_ih, W_hh, b_ih, b_hh = (p.copy() for p in rand_params(rng, I, H, 4))
    for p in (W_ih, W_hh, b_ih, b_hh):
        p[:H] = -p[H:2 * H]                        # a_i = -a_f  =>  i = 1 - f
    for a, b in zip(V.cifg_lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh),
                    oracle.lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_lstm_without_forget_gate_is_torch_lstm_with_f_pinned_to_one():
    W_ih, W_hh, b_ih, b_hh = (p.copy() for p in rand_params(rng, I, H, 4))
    W_ih[H:2 * H] = W_hh[H:2 * H] = 0.0
    b_ih[H:2 * H], b_hh[H:2 * H] = 50.0, 0.0
    for a, b in zip(V.lstm_no_forget_cell(x, h, c, W_ih, W_hh, b_ih, b_hh),
                    oracle.lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_parameter_counts_match_torch_where_torch_has_the_model():
    for I_, H_ in [(3, 4), (64, 128)]:
        assert V.param_count("gru", I_, H_) == sum(p.numel() for p in torch.nn.GRU(I_, H_).parameters())
        assert V.param_count("lstm", I_, H_) == sum(p.numel() for p in torch.nn.LSTM(I_, H_).parameters())
        assert V.param_count("rnn", I_, H_) == sum(p.numel() for p in torch.nn.RNN(I_, H_).parameters())
        assert V.param_count("gru3", I_, H_) < V.param_count("gru2", I_, H_) < V.param_count("gru1", I_, H_)
        assert V.param_count("mgu", I_, H_) == 2 * V.param_count("rnn", I_, H_)
    with pytest.raises(ValueError):
        V.param_count("nope", 1, 1)


def test_torch_variant_modules_run_and_train_a_step():
    for kind in ("gru", "mgu", "gru1", "gru2", "gru3"):
        m = V.TorchCellRNN(kind, 2, 8)
        out = m(torch.randn(5, 3, 2))
        assert out.shape == (3,)
        out.sum().backward()
        assert m.W_hh.grad is not None


@pytest.mark.parametrize("ex_id, fn", [("cho_gru_cell", V.cho_gru_cell), ("mgu_cell", V.mgu_cell),
                                       ("peephole_lstm_cell", V.peephole_lstm_cell)])
def test_variant_graders(ex_id, fn):
    assert grade(ex_id, fn, hidden=True).passed
    for m in EXERCISES[ex_id].mistakes:
        report = grade(ex_id, m.fn)
        assert not report.passed and report.diagnosis == m.hint, m.name
