"""Gradient norms through time, for the lessons on vanishing and exploding
gradients (units 01 and 04)."""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["scaled_orthogonal", "rnn_gradient_norms", "gru_gradient_norms"]


def scaled_orthogonal(H: int, radius: float, seed: int = 0) -> torch.Tensor:
    """A (H, H) float64 matrix ``radius * Q`` with Q orthogonal.

    Every eigenvalue has modulus ``radius`` (so the spectral radius is
    ``radius``) and every singular value equals ``radius``.
    Used by rnn_gradient_norms and gru_gradient_norms (lesson 01).
    """
    g = torch.Generator().manual_seed(seed)
    Q, _ = torch.linalg.qr(torch.randn(H, H, generator=g, dtype=torch.float64))
    return radius * Q


def rnn_gradient_norms(radius: float, T: int = 60, H: int = 64, I: int = 4,
                       in_scale: float = 0.05, seed: int = 0):
    """||dL/dh_t|| for t = 1..T of a tanh RNN, with L = sum(h_T), by autograd.

    W_hh = radius * Q (orthogonal Q), W_ih random, no biases, h_0 = 0, one
    sequence of inputs scaled by ``in_scale``. Returns (norms (T,), hs (T, H),
    W_hh (H, H)) as NumPy float64 arrays.
    Used in notebooks/01_rnn.ipynb.
    """
    W_hh = scaled_orthogonal(H, radius, seed)
    g = torch.Generator().manual_seed(seed + 1)
    W_ih = torch.randn(H, I, generator=g, dtype=torch.float64) / 2
    X = in_scale * torch.randn(T, 1, I, generator=g, dtype=torch.float64)
    h = torch.zeros(1, H, dtype=torch.float64, requires_grad=True)
    hs = []
    for x_t in X:
        h = torch.tanh(x_t @ W_ih.T + h @ W_hh.T)
        h.retain_grad()
        hs.append(h)
    hs[-1].sum().backward()
    norms = np.array([h_t.grad.norm().item() for h_t in hs])
    hs_all = torch.stack(hs)
    return norms, hs_all[:, 0].detach().numpy(), W_hh.numpy()


def gru_gradient_norms(z_bias: float, T: int = 60, H: int = 64, I: int = 4,
                       in_scale: float = 0.05, seed: int = 0):
    """||dL/dh_t|| for a torch GRU whose update-gate biases are set to ``z_bias``.

    Same set-up as :func:`rnn_gradient_norms` (L = sum(h_T), h_0 = 0);
    other weights are torch's default initialisation under ``seed``.
    A large positive ``z_bias`` makes z close to 1: the state is copied and
    the Jacobian dh_t/dh_{t-1} is close to the identity. Returns norms (T,).
    Used in notebooks/01_rnn.ipynb.
    """
    torch.manual_seed(seed)
    cell = torch.nn.GRUCell(I, H).double()
    with torch.no_grad():
        cell.bias_ih[H:2 * H] = z_bias / 2
        cell.bias_hh[H:2 * H] = z_bias / 2
    g = torch.Generator().manual_seed(seed + 1)
    X = in_scale * torch.randn(T, 1, I, generator=g, dtype=torch.float64)
    h = torch.zeros(1, H, dtype=torch.float64, requires_grad=True)
    hs = []
    for x_t in X:
        h = cell(x_t, h)
        h.retain_grad()
        hs.append(h)
    hs[-1].sum().backward()
    return np.array([h_t.grad.norm().item() for h_t in hs])
