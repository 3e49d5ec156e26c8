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
    """The GRU with the reset gate applied *before* the recurrent product: the form of
    Cho et al. as revised for EMNLP 2014 (arXiv 1406.1078 v3).

    The paper's first version (v1) applies the reset after the product,
    r * (W_hn h + b_hn): that is torch's and cuDNN's GRU (``reference.gru_cell``).

    n = tanh(W_in x + b_in + W_hn (r * h) + b_hn); otherwise as torch's GRU
    (blocks r, z, n; h' = (1 - z) n + z h).
    x (B, I), h_prev (B, H), W_ih (3H, I), W_hh (3H, H), b_ih (3H,), b_hh (3H,)
    -> h_next (B, H)
    Used in notebooks/08_variants.ipynb.
    """
    H = h_prev.shape[1]
    a_x = x @ W_ih.T + b_ih
    r = sigmoid(a_x[:, :H] + h_prev @ W_hh[:H].T + b_hh[:H])
    z = sigmoid(a_x[:, H:2 * H] + h_prev @ W_hh[H:2 * H].T + b_hh[H:2 * H])
    n = np.tanh(a_x[:, 2 * H:] + (r * h_prev) @ W_hh[2 * H:].T + b_hh[2 * H:])
    return (1 - z) * n + z * h_prev


def gru_subtype_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh, subtype: int = 1, reset="after"):
    """The gates of Dey & Salem's GRU1, GRU2 and GRU3 (2017), on a GRU candidate.

    The gates r and z are computed from
    1: the state and a bias (sigma(W_h h + b)), 2: the state only (sigma(W_h h)),
    3: a bias only (sigma(b)). The unused blocks of W_ih (and of the biases) are
    ignored; the update is h' = (1 - z) n + z h.
    reset: the candidate. "after" (the default, what the course trains): torch's,
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)). "before": the paper's own
    candidate, n = tanh(W_in x + b_in + W_hn (r * h) + b_hn), as in
    :func:`cho_gru_cell`. The gates are the same either way.
    x (B, I), h_prev (B, H), W_ih (3H, I), W_hh (3H, H), b_ih (3H,), b_hh (3H,)
    -> h_next (B, H)
    Used in notebooks/08_variants.ipynb.
    """
    if reset not in ("after", "before"):
        raise ValueError(f"reset must be 'after' or 'before', not {reset!r}")
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
    a_n = x @ W_ih[2 * H:].T + b_ih[2 * H:]
    if reset == "after":
        n = np.tanh(a_n + r * (h_prev @ W_hh[2 * H:].T + b_hh[2 * H:]))
    else:
        n = np.tanh(a_n + (r * h_prev) @ W_hh[2 * H:].T + b_hh[2 * H:])
    return (1 - z) * n + z * h_prev


def mgu_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """The minimal gated unit (Zhou et al., 2016): one forget gate f, blocks f, n.

    f = sigma(W_if x + b_if + W_hf h + b_hf)
    n = tanh(W_in x + b_in + W_hn (f * h) + b_hn)
    h' = (1 - f) * h + f * n
    W_ih (2H, I), W_hh (2H, H), b_ih (2H,), b_hh (2H,) -> h_next (B, H)
    Used in notebooks/08_variants.ipynb.
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
    Used in notebooks/08_variants.ipynb.
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
    Used in notebooks/08_variants.ipynb.
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
    Used in notebooks/08_variants.ipynb, notebooks/09_gru_vs_lstm.ipynb.
    """
    _a_i, a_f, a_g, a_o = _lstm_pre(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    f = sigmoid(a_f)
    c_next = f * c_prev + (1 - f) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c_next), c_next


def param_count(kind: str, I: int, H: int) -> int:
    """Parameters of one layer in torch's layout, counting torch's two bias vectors
    per block where the variant has both (the gates of GRU1-3 as in
    :func:`gru_subtype_cell`; either candidate has the same count).

    kind: "rnn", "gru", "cho_gru", "gru1", "gru2", "gru3", "mgu", "lstm",
    "lstm_no_forget", "peephole_lstm", "cifg_lstm".
    Used in notebooks/08_variants.ipynb, notebooks/09_gru_vs_lstm.ipynb.
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


#: per kind of TorchCellRNN: (blocks that see x, blocks that see h, bias blocks, b_hn?)
_TORCH_BLOCKS = {"gru": (3, 3, 3, True), "gru1": (1, 3, 3, True), "gru2": (1, 3, 1, True),
                 "gru3": (1, 1, 3, True), "mgu": (2, 2, 2, False)}


class TorchCellRNN(torch.nn.Module):
    """A small torch layer for the training comparison: a loop over time around one
    of the GRU-family variants, then a linear read-out of the last state.

    kind: "gru" (torch's form), "gru1", "gru2", "gru3" (Dey & Salem's gates on
    torch's candidate, ``gru_subtype_cell(..., reset="after")``) or "mgu"
    (``mgu_cell``). The module holds only the parameters its cell uses, one bias
    per gate (torch's two are one sum), so ``count`` is a fair parameter count:
    W_ih (x-blocks * H, I): the blocks that see x (gru: r, z, n; gru1-3: n; mgu: f, n);
    W_hh (h-blocks * H, H): the blocks that see h (gru, gru1, gru2: r, z, n;
    gru3: n; mgu: f, n); b (bias-blocks * H,); b_hn (H,) inside r * (W_hn h + b_hn)
    (GRU family); head: Linear(H, 1).
    forward: X (T, B, I) -> (B,)
    Used in notebooks/08_variants.ipynb.
    """

    def __init__(self, kind: str, I: int, H: int):
        super().__init__()
        if kind not in _TORCH_BLOCKS:
            raise ValueError(f"unknown kind {kind!r}; one of {sorted(_TORCH_BLOCKS)}")
        n_x, n_h, n_b, has_b_hn = _TORCH_BLOCKS[kind]
        self.kind, self.H = kind, H
        s = 1 / np.sqrt(H)

        def param(*shape):
            return torch.nn.Parameter(torch.empty(*shape).uniform_(-s, s))
        self.W_ih, self.W_hh, self.b = param(n_x * H, I), param(n_h * H, H), param(n_b * H)
        self.b_hn = param(H) if has_b_hn else None
        self.head = torch.nn.Linear(H, 1)

    @staticmethod
    def count(kind: str, I: int, H: int) -> int:
        """Trainable parameters of ``TorchCellRNN(kind, I, H)``, read-out included."""
        n_x, n_h, n_b, has_b_hn = _TORCH_BLOCKS[kind]
        return n_x * H * I + n_h * H * H + n_b * H + (H if has_b_hn else 0) + H + 1

    @staticmethod
    def hidden_for(kind: str, I: int, budget: int) -> int:
        """The hidden size whose ``count`` is closest to ``budget`` (the smaller on a tie)."""
        def gap(H):
            return abs(TorchCellRNN.count(kind, I, H) - budget), H
        return min(range(1, budget + 1), key=gap)

    def step(self, gx, h):
        """One step from gx = x W_ih^T (B, x-blocks * H), the state h (B, H) -> h' (B, H)."""
        H, kind = self.H, self.kind
        if kind == "mgu":
            f = torch.sigmoid(gx[:, :H] + h @ self.W_hh[:H].T + self.b[:H])
            n = torch.tanh(gx[:, H:] + self.b[H:] + (f * h) @ self.W_hh[H:].T)
            return h + f * (n - h)
        gh = h @ self.W_hh.T                             # every block that sees h, one product
        if kind == "gru":
            a = gx[:, :2 * H] + gh[:, :2 * H] + self.b[:2 * H]
        elif kind == "gru1":
            a = gh[:, :2 * H] + self.b[:2 * H]
        elif kind == "gru2":
            a = gh[:, :2 * H]
        else:                                            # gru3: the gates are constants
            a = self.b[:2 * H].expand(h.shape[0], 2 * H)
        r, z = torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H:])
        n = torch.tanh(gx[:, -H:] + self.b[-H:] + r * (gh[:, -H:] + self.b_hn))
        return n + z * (h - n)                           # (1 - z) n + z h

    def forward(self, X):
        GX = X @ self.W_ih.T                             # every step's input part, one product
        h = torch.zeros(X.shape[1], self.H, dtype=X.dtype, device=X.device)
        for gx in GX:
            h = self.step(gx, h)
        return self.head(h).squeeze(-1)
