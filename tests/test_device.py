"""The device comparison of the lessons and labs, run on the CPU: the same code
path the notebooks take on a GPU, so a typo or a wrong dtype there fails here."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils import reference as ref
from course_utils.device import (FLOAT32_BOUND, TF32_BOUND, agreement_on_device,
                                 pick_device, tf32_for_rnns)
from course_utils.grading.build import rand_params

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def _case(kind, T=30, B=4, I=5, H=6, seed=3):
    rng = np.random.default_rng(seed)
    params = rand_params(rng, I, H, GATES[kind])
    X = rng.standard_normal((T, B, I))
    h0 = rng.standard_normal((B, H)) * 0.5
    if kind == "LSTM":
        state = (h0, rng.standard_normal((B, H)))
        H_ref, _ = ref.lstm_forward(X, *state, *params)
    else:
        state = h0
        H_ref, _ = getattr(ref, f"{kind.lower()}_forward")(X, h0, *params)
    return X, state, params, H_ref


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", list(GATES))
def test_float32_layer_agrees_with_numpy(kind, device):
    X, state, params, H_ref = _case(kind)
    check = agreement_on_device(kind, X, state, params, H_ref, device=device, tf32=False)
    assert check.passed, str(check)
    assert 0 < check.max_err <= FLOAT32_BOUND          # float32 round-off is never exactly 0 here
    assert check.steps == 30 and check.bound == FLOAT32_BOUND
    assert "agrees with" in str(check) and f"torch.nn.{kind}" in str(check)


@pytest.mark.parametrize("kind", list(GATES))
def test_a_wrong_reference_fails_in_words(kind):
    X, state, params, H_ref = _case(kind)
    check = agreement_on_device(kind, X, state, params, H_ref + 1e-3, device="cpu")
    assert not check.passed
    assert "DIFFERS from" in str(check)


def test_tf32_applies_only_on_a_gpu():
    X, state, params, H_ref = _case("GRU")
    check = agreement_on_device("GRU", X, state, params, H_ref, device="cpu", tf32=True)
    assert check.tf32 is False and check.bound == FLOAT32_BOUND
    assert TF32_BOUND > FLOAT32_BOUND


def test_tf32_switch_is_restored():
    before = torch.backends.cudnn.rnn.fp32_precision
    with tf32_for_rnns(False):
        assert torch.backends.cudnn.rnn.fp32_precision == "ieee"
    assert torch.backends.cudnn.rnn.fp32_precision == before
    with pytest.raises(RuntimeError):
        with tf32_for_rnns(True):
            assert torch.backends.cudnn.rnn.fp32_precision == "tf32"
            raise RuntimeError("inside")
    assert torch.backends.cudnn.rnn.fp32_precision == before


def test_picked_device_runs_the_comparison():
    X, state, params, H_ref = _case("LSTM", T=5)
    assert agreement_on_device("LSTM", X, state, params, H_ref, device=pick_device()).passed
