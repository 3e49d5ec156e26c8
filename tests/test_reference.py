"""The NumPy reference cells agree with torch (the oracle) in float64."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils import oracle, reference as ref
from course_utils.device import describe_device, pick_device
from course_utils.oracle import rand_params

GATES = {"rnn": 1, "gru": 3, "lstm": 4}


@pytest.mark.parametrize("kind", list(GATES))
def test_cells_and_sequences_match_torch(kind):
    rng = np.random.default_rng(7)
    T, B, I, H = 9, 3, 5, 4
    params = rand_params(rng, I, H, GATES[kind])
    X = rng.standard_normal((T, B, I))
    states = [rng.standard_normal((B, H)) for _ in range(2 if kind == "lstm" else 1)]
    got = getattr(ref, f"{kind}_cell")(X[0], *states, *params)
    want = getattr(oracle, f"{kind}_cell")(X[0], *states, *params)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-13)
    got = getattr(ref, f"{kind}_forward")(X, *states, *params)
    want = getattr(oracle, f"{kind}_forward")(X, *states, *params)
    np.testing.assert_allclose(got[0], want[0], rtol=0, atol=1e-13)
    np.testing.assert_allclose(np.asarray(got[1]), np.asarray(want[1]), rtol=0, atol=1e-13)


def test_sigmoid_is_finite_and_exact():
    a = np.array([-1e4, -800.0, -30.0, -1.0, 0.0, 1.0, 30.0, 800.0, 1e4])
    s = ref.sigmoid(a)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s, torch.sigmoid(torch.from_numpy(a)).numpy(), rtol=1e-15, atol=0)


def test_oracle_round_trips_torch_parameters():
    gru = torch.nn.GRU(3, 4).double()
    params = oracle.params_of(gru)
    fresh = oracle.load_params(torch.nn.GRU(3, 4).double(), *params)
    for a, b in zip(params, oracle.params_of(fresh)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls, suffix, gates", [(torch.nn.LSTM, "_l0", 4),
                                               (torch.nn.GRUCell, "", 3)])
def test_load_params_and_params_of_use_the_shared_names(cls, suffix, gates):
    """A layer and a cell: load_params writes, and params_of reads, torch's own names."""
    names = oracle.param_names(suffix)
    assert names == tuple(n + suffix for n in oracle.PARAM_NAMES)
    module = cls(3, 4).double()
    assert set(names) == {n for n, _ in module.named_parameters()}
    params = rand_params(np.random.default_rng(3), 3, 4, gates)
    assert oracle.load_params(module, *params, suffix=suffix) is module
    for name, want, got in zip(names, params, oracle.params_of(module, suffix)):
        np.testing.assert_array_equal(getattr(module, name).detach().numpy(), want)
        np.testing.assert_array_equal(got, want)


def test_device_sentence():
    assert pick_device(prefer_gpu=False).type == "cpu"
    text = describe_device(pick_device())
    assert ("GPU" in text) if torch.cuda.is_available() else ("CPU" in text)


@pytest.mark.parametrize("B", [1, 3])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["one direction", "bidirectional"])
@pytest.mark.parametrize("L", [1, 2, 3])
def test_gru_stack_matches_torch(L, bidirectional, B):
    """The stacked (bi)directional GRU of unit 05 against torch.nn.GRU, float64."""
    rng = np.random.default_rng(50 + L)
    D, T, I, H = 2 if bidirectional else 1, 6, 4, 5
    params = [[rand_params(rng, I if layer == 0 else D * H, H, 3) for _ in range(D)]
              for layer in range(L)]
    X, h0 = rng.standard_normal((T, B, I)), rng.standard_normal((L * D, B, H))
    got = ref.gru_stack_forward(X, h0, params, bidirectional)
    want = oracle.gru_stack_forward(X, h0, params, bidirectional)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=0, atol=1e-12)
