"""Gradient norms through time: autograd agrees with the explicit Jacobian product."""
from __future__ import annotations

import numpy as np

from course_utils.gradients import gru_gradient_norms, rnn_gradient_norms, scaled_orthogonal


def test_scaled_orthogonal_has_the_requested_radius():
    W = scaled_orthogonal(16, 0.7).numpy()
    assert np.allclose(np.abs(np.linalg.eigvals(W)), 0.7, rtol=1e-12, atol=0)
    assert np.allclose(np.linalg.svd(W, compute_uv=False), 0.7, rtol=1e-12, atol=0)


def test_rnn_norms_match_the_jacobian_product():
    norms, hs, W = rnn_gradient_norms(1.2, T=20, H=8)
    g, by_hand = np.ones(8), [np.sqrt(8.0)]
    for t in range(19, 0, -1):
        g = (g * (1 - hs[t] ** 2)) @ W
        by_hand.append(np.linalg.norm(g))
    assert np.allclose(by_hand[::-1], norms, rtol=1e-10, atol=0)


def test_open_update_gate_keeps_the_gradient():
    kept = gru_gradient_norms(8.0, T=40)
    lost = gru_gradient_norms(0.0, T=40)
    assert kept[0] / kept[-1] > 0.5 > 1e-6 > lost[0] / lost[-1]
