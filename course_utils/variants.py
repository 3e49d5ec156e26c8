"""Variants of gated cells (unit 08): NumPy references, parameter counts, and
small torch modules for training comparisons.

Layouts follow torch's wherever the variant has the same blocks:

* GRU-like cells take ``W_ih (gH, I), W_hh (gH, H), b_ih (gH,), b_hh (gH,)``
  with g gate blocks (3 for the GRU family, 2 for the MGU: blocks f, n).
* LSTM-like cells take torch's ``(4H, .)`` layout, blocks i, f, g, o; the
  peephole LSTM adds three vectors ``w_ci, w_cf, w_co`` of shape (H,).

Every cell: x (B, I), h_prev (B, H) [, c_prev (B, H)] -> h_next [, c_next].
"""
from __future__ import annotations

import numpy as np
import torch

from .reference import sigmoid

__all__ = [
    "cho_gru_cell", "gru_subtype_cell", "mgu_cell", "lstm_no_forget_cell", "peephole_lstm_cell",
    "cifg_lstm_cell", "param_count", "TorchCellRNN",
]


def _blocks(a, k):
    return np.split(a, k, axis=-1)


def cho_gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """The GRU of Cho et al. (2014): the reset gate scales h *before* the product.

    n = tanh(W_in x + b_in + W_hn (r * h) + b_hn); otherwise as torch's GRU
    (blocks r, z, n; h' = (1 - z) n + z h). -> h_next (B, H)
    """
    H = h_prev.shape[1]
    a_x = x @ W_ih.T + b_ih
    r = sigmoid(a_x[:, :H] + h_prev @ W_hh[:H].T + b_hh[:H])
    z = sigmoid(a_x[:, H:2 * H] + h_prev @ W_hh[H:2 * H].T + b_hh[H:2 * H])
    n = np.tanh(a_x[:, 2 * H:] + (r * h_prev) @ W_hh[2 * H:].T + b_hh[2 * H:])
    return (1 - z) * n + z * h_prev


def gru_subtype_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh, subtype: int = 1):
    """The GRU1, GRU2 and GRU3 of Dey & Salem (2017): cheaper gates.

    The gates r and z are computed from
    1: the state and a bias (sigma(W_h h + b)), 2: the state only (sigma(W_h h)),
    3: a bias only (sigma(b)). The candidate and the update are torch's GRU.
    The unused blocks of W_ih (and of the biases) are ignored. -> h_next (B, H)
    """
    H = h_prev.shape[1]

    def gate(k):
        sl = slice(k * H, (k + 1) * H)
        a = np.zeros((x.shape[0], H))
        if subtype in (1, 2):
            a = a + h_prev @ W_hh[sl].T
        if subtype in (1, 3):
            a = a + b_ih[sl] + b_hh[sl]
        return sigmoid(a)

    r, z = gate(0), gate(1)
    n = np.tanh(x @ W_ih[2 * H:].T + b_ih[2 * H:] + r * (h_prev @ W_hh[2 * H:].T + b_hh[2 * H:]))
    return (1 - z) * n + z * h_prev


def mgu_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """The minimal gated unit (Zhou et al., 2016): one forget gate f, blocks f, n.

    f = sigma(W_if x + b_if + W_hf h + b_hf)
    n = tanh(W_in x + b_in + W_hn (f * h) + b_hn)
    h' = (1 - f) * h + f * n
    W_ih (2H, I), W_hh (2H, H), b_ih (2H,), b_hh (2H,) -> h_next (B, H)
    """
    H = h_prev.shape[1]
    a_x = x @ W_ih.T + b_ih
    f = sigmoid(a_x[:, :H] + h_prev @ W_hh[:H].T + b_hh[:H])
    n = np.tanh(a_x[:, H:] + (f * h_prev) @ W_hh[H:].T + b_hh[H:])
    return (1 - f) * h_prev + f * n


def _lstm_pre(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _blocks(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh, 4)


def lstm_no_forget_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """The original LSTM (1997) without a forget gate: c' = c + i * g.

    The f-block of the parameters is ignored. -> (h_next, c_next)
    """
    a_i, _a_f, a_g, a_o = _lstm_pre(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    c_next = c_prev + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c_next), c_next


def peephole_lstm_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, w_ci, w_cf, w_co):
    """LSTM with peephole connections (Gers & Schmidhuber, 2000).

    i and f also see the previous cell state, o sees the new one:
    i = sigma(a_i + w_ci * c), f = sigma(a_f + w_cf * c), g = tanh(a_g),
    c' = f * c + i * g, o = sigma(a_o + w_co * c'), h' = o * tanh(c').
    w_ci, w_cf, w_co (H,) -> (h_next (B, H), c_next (B, H))
    """
    a_i, a_f, a_g, a_o = _lstm_pre(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    i = sigmoid(a_i + w_ci * c_prev)
    f = sigmoid(a_f + w_cf * c_prev)
    c_next = f * c_prev + i * np.tanh(a_g)
    o = sigmoid(a_o + w_co * c_next)
    return o * np.tanh(c_next), c_next


def cifg_lstm_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """Coupled input and forget gates: i = 1 - f (the i-block is ignored).

    -> (h_next, c_next)
    """
    _a_i, a_f, a_g, a_o = _lstm_pre(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    f = sigmoid(a_f)
    c_next = f * c_prev + (1 - f) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c_next), c_next


def param_count(kind: str, I: int, H: int) -> int:
    """Trainable parameters of one layer, counting torch's two bias vectors per block
    where the variant has both.

    kind: "rnn", "gru", "cho_gru", "gru1", "gru2", "gru3", "mgu", "lstm",
    "lstm_no_forget", "peephole_lstm", "cifg_lstm".
    """
    block = H * I + H * H + 2 * H          # one block with input and recurrent weights
    candidate = block
    gates_gru = {"gru": 2 * block, "cho_gru": 2 * block, "gru1": 2 * (H * H + 2 * H),
                 "gru2": 2 * H * H, "gru3": 2 * 2 * H}
    if kind == "rnn":
        return block
    if kind in gates_gru:
        return candidate + gates_gru[kind]
    if kind == "mgu":
        return 2 * block
    if kind == "lstm":
        return 4 * block
    if kind in ("lstm_no_forget", "cifg_lstm"):
        return 3 * block
    if kind == "peephole_lstm":
        return 4 * block + 3 * H
    raise ValueError(f"unknown kind {kind!r}")


class TorchCellRNN(torch.nn.Module):
    """A small torch layer for the training comparison: a Python loop over time
    around one of the GRU-family variants, then a linear read-out of the last state.

    kind: "gru" (torch's form), "mgu", "gru1", "gru2" or "gru3".
    forward: X (T, B, I) -> (B,)
    """

    def __init__(self, kind: str, I: int, H: int):
        super().__init__()
        self.kind, self.H = kind, H
        blocks = 2 if kind == "mgu" else 3
        s = 1 / np.sqrt(H)
        self.W_ih = torch.nn.Parameter(torch.empty(blocks * H, I).uniform_(-s, s))
        self.W_hh = torch.nn.Parameter(torch.empty(blocks * H, H).uniform_(-s, s))
        self.b = torch.nn.Parameter(torch.empty(blocks * H).uniform_(-s, s))
        self.b_hn = torch.nn.Parameter(torch.empty(H).uniform_(-s, s))
        self.head = torch.nn.Linear(H, 1)

    def step(self, x, h):
        H = self.H
        if self.kind == "mgu":
            f = torch.sigmoid(x @ self.W_ih[:H].T + h @ self.W_hh[:H].T + self.b[:H])
            n = torch.tanh(x @ self.W_ih[H:].T + self.b[H:] + (f * h) @ self.W_hh[H:].T + self.b_hn)
            return (1 - f) * h + f * n
        gx = x @ self.W_ih[:2 * H].T
        gh = h @ self.W_hh[:2 * H].T
        gb = self.b[:2 * H]
        a = {"gru": gx + gh + gb, "gru1": gh + gb, "gru2": gh, "gru3": gb.expand_as(gx)}[self.kind]
        r, z = torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H:])
        n = torch.tanh(x @ self.W_ih[2 * H:].T + self.b[2 * H:]
                       + r * (h @ self.W_hh[2 * H:].T + self.b_hn))
        return (1 - z) * n + z * h

    def forward(self, X):
        h = torch.zeros(X.shape[1], self.H, dtype=X.dtype, device=X.device)
        for x_t in X:
            h = self.step(x_t, h)
        return self.head(h).squeeze(-1)
