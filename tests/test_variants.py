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
                               oracle.gru_cell(x, h, W_ih, W_hh, b_ih, b_hh), rtol=0, atol=1e-12)
    b_ih[:H] = -0.3                                 # generic r: they differ
    assert not np.allclose(V.cho_gru_cell(x, h, W_ih, W_hh, b_ih, b_hh),
                           oracle.gru_cell(x, h, W_ih, W_hh, b_ih, b_hh), rtol=0, atol=1e-3)


@pytest.mark.parametrize("subtype", [1, 2, 3])
def test_gru_subtypes_reduce_to_their_full_gru_when_unused_weights_are_zero(subtype):
    W_ih, W_hh, b_ih, b_hh = (p.copy() for p in rand_params(rng, I, H, 3))
    W_ih[:2 * H] = 0.0                              # no input in the gates, for all subtypes
    if subtype == 2:
        b_ih[:2 * H] = b_hh[:2 * H] = 0.0
    if subtype == 3:
        W_hh[:2 * H] = 0.0
    p = (W_ih, W_hh, b_ih, b_hh)
    np.testing.assert_allclose(V.gru_subtype_cell(x, h, *p, subtype),            # torch's candidate
                               oracle.gru_cell(x, h, *p), rtol=0, atol=1e-12)
    np.testing.assert_allclose(V.gru_subtype_cell(x, h, *p, subtype, reset="before"),
                               V.cho_gru_cell(x, h, *p), rtol=0, atol=1e-12)  # the paper's


def test_gru_subtype_candidates_differ_and_share_their_gates():
    p = rand_params(rng, I, H, 3)
    for subtype in (1, 2, 3):
        after = V.gru_subtype_cell(x, h, *p, subtype)
        before = V.gru_subtype_cell(x, h, *p, subtype, reset="before")
        assert np.abs(after - before).max() > 1e-2
    open_reset = [a.copy() for a in p]
    open_reset[2][:H] = 50.0                        # GRU1/GRU3 gate r = 1: the candidates agree
    for subtype in (1, 3):
        np.testing.assert_allclose(V.gru_subtype_cell(x, h, *open_reset, subtype),
                                   V.gru_subtype_cell(x, h, *open_reset, subtype, reset="before"),
                                   rtol=0, atol=1e-12)
    with pytest.raises(ValueError):
        V.gru_subtype_cell(x, h, *p, 1, reset="inside")


def test_mgu_by_hand_on_one_unit():
    W_ih, W_hh = np.array([[0.5], [1.0]]), np.array([[2.0], [-1.0]])
    b_ih, b_hh = np.array([0.1, 0.0]), np.array([0.0, 0.2])
    x1, h1 = np.array([[1.0]]), np.array([[0.5]])
    f = 1 / (1 + np.exp(-(0.5 + 0.1 + 1.0)))        # sigma(0.5*1 + 0.1 + 2*0.5)
    n = np.tanh(1.0 + (-1.0) * (f * 0.5) + 0.2)
    np.testing.assert_allclose(V.mgu_cell(x1, h1, W_ih, W_hh, b_ih, b_hh),
                               [[(1 - f) * 0.5 + f * n]], rtol=0, atol=1e-15)


def test_peephole_with_zero_peepholes_is_torch_lstm():
    p = rand_params(rng, I, H, 4)
    z = np.zeros(H)
    got = V.peephole_lstm_cell(x, h, c, *p, z, z, z)
    want = oracle.lstm_cell(x, h, c, *p)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


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
    np.testing.assert_allclose(c_next, [[c1]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(h1, [[o * np.tanh(c1)]], rtol=0, atol=1e-15)


def test_cifg_is_an_lstm_whose_input_gate_mirrors_the_forget_gate():
    W_ih, W_hh, b_ih, b_hh = (p.copy() for p in rand_params(rng, I, H, 4))
    for p in (W_ih, W_hh, b_ih, b_hh):
        p[:H] = -p[H:2 * H]                        # a_i = -a_f  =>  i = 1 - f
    for a, b in zip(V.cifg_lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh),
                    oracle.lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_lstm_without_forget_gate_is_torch_lstm_with_f_pinned_to_one():
    W_ih, W_hh, b_ih, b_hh = (p.copy() for p in rand_params(rng, I, H, 4))
    W_ih[H:2 * H] = W_hh[H:2 * H] = 0.0
    b_ih[H:2 * H], b_hh[H:2 * H] = 50.0, 0.0
    for a, b in zip(V.lstm_no_forget_cell(x, h, c, W_ih, W_hh, b_ih, b_hh),
                    oracle.lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


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
        assert all(p.grad is not None for p in m.parameters()), kind   # no unused parameter
        assert sum(p.numel() for p in m.parameters()) == V.TorchCellRNN.count(kind, 2, 8)
    with pytest.raises(ValueError):
        V.TorchCellRNN("lstm", 2, 8)


@pytest.mark.parametrize("kind, subtype", [("gru", None), ("gru1", 1), ("gru2", 2), ("gru3", 3)])
def test_torch_variant_modules_compute_the_numpy_cells(kind, subtype):
    """TorchCellRNN's step is gru_subtype_cell (torch's candidate) with its one bias per
    gate as b_ih and b_hn as the candidate's b_hh; float64, to <= 1e-12."""
    torch.manual_seed(0)
    T_, I_, H_ = 4, 3, 5
    m = V.TorchCellRNN(kind, I_, H_).double()
    X = rng.standard_normal((T_, 2, I_))
    W_ih, W_hh = np.zeros((3 * H_, I_)), np.zeros((3 * H_, H_))
    b_ih, b_hh = np.zeros(3 * H_), np.zeros(3 * H_)
    w_x, w_h, b = (t.detach().numpy() for t in (m.W_ih, m.W_hh, m.b))
    W_ih[-len(w_x):], W_hh[-len(w_h):], b_ih[-len(b):] = w_x, w_h, b
    b_hh[2 * H_:] = m.b_hn.detach().numpy()
    h_np = np.zeros((2, H_))
    for x_t in X:
        h_np = (oracle.gru_cell(x_t, h_np, W_ih, W_hh, b_ih, b_hh) if subtype is None else
                V.gru_subtype_cell(x_t, h_np, W_ih, W_hh, b_ih, b_hh, subtype))
    with torch.no_grad():
        want = m.head(torch.from_numpy(h_np)).squeeze(-1).numpy()
        got = m(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_torch_mgu_module_computes_the_numpy_mgu():
    torch.manual_seed(1)
    m = V.TorchCellRNN("mgu", 3, 4).double()
    X = rng.standard_normal((6, 2, 3))
    b = m.b.detach().numpy()
    p = (m.W_ih.detach().numpy(), m.W_hh.detach().numpy(), b, np.zeros_like(b))
    h_np = np.zeros((2, 4))
    for x_t in X:
        h_np = V.mgu_cell(x_t, h_np, *p)
    with torch.no_grad():
        want = m.head(torch.from_numpy(h_np)).squeeze(-1).numpy()
        np.testing.assert_allclose(m(torch.from_numpy(X)).numpy(), want, rtol=0, atol=1e-12)


def test_hidden_size_for_a_parameter_budget():
    budget = V.TorchCellRNN.count("gru", 2, 32)
    assert V.TorchCellRNN.hidden_for("gru", 2, budget) == 32
    for kind in ("mgu", "gru1", "gru2", "gru3"):
        H_ = V.TorchCellRNN.hidden_for(kind, 2, budget)
        gap = abs(V.TorchCellRNN.count(kind, 2, H_) - budget)
        assert gap <= min(abs(V.TorchCellRNN.count(kind, 2, H_ + d) - budget) for d in (-1, 1))


@pytest.mark.parametrize("ex_id, fn", [("cho_gru_cell", V.cho_gru_cell), ("mgu_cell", V.mgu_cell),
                                       ("peephole_lstm_cell", V.peephole_lstm_cell)])
def test_variant_graders(ex_id, fn):
    assert grade(ex_id, fn, hidden=True).passed
    for m in EXERCISES[ex_id].mistakes:
        report = grade(ex_id, m.fn)
        assert not report.passed and report.diagnosis == m.hint, m.name
