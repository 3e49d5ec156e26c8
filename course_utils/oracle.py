"""torch, in float64, as the oracle for everything torch ships, and the
parameter helpers: torch's parameter names, random weights in torch's layout,
and copying weights into and out of a torch module.

Each oracle function takes NumPy arrays in the course's layout (see
``course_utils.reference``), copies them into the matching ``torch.nn``
module and returns NumPy float64 arrays. Inputs of any float dtype are
promoted to float64 first, so the oracle is the exact answer for the values
the learner was given.
"""
from __future__ import annotations

import numpy as np
import torch

__all__ = [
    "rnn_cell", "rnn_forward", "gru_cell", "gru_forward",
    "lstm_cell", "lstm_forward", "gru_stack_forward", "load_params", "params_of",
    "PARAM_NAMES", "param_names", "rand_params",
]

#: torch's names of the four parameters of an RNN/GRU/LSTM cell, in the course's
#: order (W_ih, W_hh, b_ih, b_hh); a layer module adds a suffix such as "_l0"
PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def param_names(suffix="_l0"):
    """torch's four parameter names with ``suffix``: ``"_l0"`` (layer 0 of a layer
    module, the default), ``f"_l{k}_reverse"`` (a backward direction), ``""`` (a cell).

    Used by params_of and load_params (labs 01-03, lessons 07-08).
    """
    return tuple(name + suffix for name in PARAM_NAMES)


def rand_params(rng, I, H, gates, scale=None, dtype=np.float64):
    """Random ``(W_ih (gH, I), W_hh (gH, H), b_ih (gH,), b_hh (gH,))``.

    Uniform in ±scale (default 1/sqrt(H), torch's init) but at least ±0.5 so
    every term visibly matters.
    Used in notebooks/04_bptt.ipynb, notebooks/08_variants.ipynb,
    notebooks/09_gru_vs_lstm.ipynb.
    """
    s = scale if scale is not None else max(0.5, 1.0 / np.sqrt(H))
    shapes = [(gates * H, I), (gates * H, H), (gates * H,), (gates * H,)]
    return tuple(rng.uniform(-s, s, size=sh).astype(dtype) for sh in shapes)


def _t(a):
    return torch.from_numpy(np.array(a, dtype=np.float64, copy=True))


def load_params(module, W_ih, W_hh, b_ih, b_hh, suffix="_l0"):
    """Copy NumPy weights into a torch RNN/GRU/LSTM (or *Cell) module in place.

    ``suffix`` is ``"_l0"`` for a layer module and ``""`` for a cell.
    Returns the module.
    Used by the oracles and course_utils.device (labs 01-03, lesson 07).
    """
    with torch.no_grad():
        for name, value in zip(param_names(suffix), (W_ih, W_hh, b_ih, b_hh)):
            getattr(module, name).copy_(_t(value))
    return module


def params_of(module, suffix="_l0"):
    """The four parameter arrays of a torch module as float64 NumPy arrays.

    Returns ``(W_ih, W_hh, b_ih, b_hh)`` in torch's layout.
    Used in notebooks/06_long_dependencies.ipynb, notebooks/07_speed.ipynb.
    """
    return tuple(
        getattr(module, name).detach().cpu().double().numpy().copy()
        for name in param_names(suffix)
    )


def _sizes(W_ih, W_hh, gates):
    H = np.shape(W_hh)[1]
    I = np.shape(W_ih)[1]
    assert np.shape(W_ih)[0] == gates * H, "W_ih must have gates*H rows"
    return I, H


@torch.no_grad()
def rnn_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """torch.nn.RNNCell (tanh) in float64. x (B, I), h_prev (B, H) -> (B, H).

    Used in notebooks/08_variants.ipynb.
    """
    I, H = _sizes(W_ih, W_hh, 1)
    cell = load_params(torch.nn.RNNCell(I, H).double(), W_ih, W_hh, b_ih, b_hh, "")
    return cell(_t(x), _t(h_prev)).numpy()


@torch.no_grad()
def rnn_forward(X, h0, W_ih, W_hh, b_ih, b_hh):
    """torch.nn.RNN (one layer, tanh) in float64. X (T, B, I) -> (H (T,B,H), h_n (B,H)).

    The graders' oracle for rnn_forward (lab 01).
    """
    I, H = _sizes(W_ih, W_hh, 1)
    rnn = load_params(torch.nn.RNN(I, H).double(), W_ih, W_hh, b_ih, b_hh)
    out, h_n = rnn(_t(X), _t(h0)[None])
    return out.numpy(), h_n[0].numpy()


@torch.no_grad()
def gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """torch.nn.GRUCell in float64. x (B, I), h_prev (B, H) -> h_next (B, H).

    Used in notebooks/06_long_dependencies.ipynb, notebooks/08_variants.ipynb,
    notebooks/09_gru_vs_lstm.ipynb.
    """
    I, H = _sizes(W_ih, W_hh, 3)
    cell = load_params(torch.nn.GRUCell(I, H).double(), W_ih, W_hh, b_ih, b_hh, "")
    return cell(_t(x), _t(h_prev)).numpy()


@torch.no_grad()
def gru_forward(X, h0, W_ih, W_hh, b_ih, b_hh):
    """torch.nn.GRU (one layer) in float64. X (T, B, I) -> (H (T,B,H), h_n (B,H)).

    Used in notebooks/07_speed.ipynb.
    """
    I, H = _sizes(W_ih, W_hh, 3)
    gru = load_params(torch.nn.GRU(I, H).double(), W_ih, W_hh, b_ih, b_hh)
    out, h_n = gru(_t(X), _t(h0)[None])
    return out.numpy(), h_n[0].numpy()


@torch.no_grad()
def lstm_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """torch.nn.LSTMCell in float64 -> (h_next (B, H), c_next (B, H)).

    Used in notebooks/08_variants.ipynb, notebooks/09_gru_vs_lstm.ipynb.
    """
    I, H = _sizes(W_ih, W_hh, 4)
    cell = load_params(torch.nn.LSTMCell(I, H).double(), W_ih, W_hh, b_ih, b_hh, "")
    h, c = cell(_t(x), (_t(h_prev), _t(c_prev)))
    return h.numpy(), c.numpy()


@torch.no_grad()
def lstm_forward(X, h0, c0, W_ih, W_hh, b_ih, b_hh):
    """torch.nn.LSTM (one layer) in float64 -> (H (T,B,H), (h_n (B,H), c_n (B,H))).

    The graders' oracle for lstm_forward (lab 03).
    """
    I, H = _sizes(W_ih, W_hh, 4)
    lstm = load_params(torch.nn.LSTM(I, H).double(), W_ih, W_hh, b_ih, b_hh)
    out, (h_n, c_n) = lstm(_t(X), (_t(h0)[None], _t(c0)[None]))
    return out.numpy(), (h_n[0].numpy(), c_n[0].numpy())


@torch.no_grad()
def gru_stack_forward(X, h0, params, bidirectional):
    """torch.nn.GRU(I, H, num_layers=L, bidirectional=...) in float64.

    X (T, B, I), h0 (L * D, B, H), params[layer][direction] = (W_ih, W_hh, b_ih, b_hh)
    -> (output (T, B, D * H), h_n (L * D, B, H)); see ``reference.gru_stack_forward``.
    The graders' oracle for gru_stack_forward (lab 05).
    """
    L, D = len(params), 2 if bidirectional else 1
    I, H = np.shape(X)[2], np.shape(h0)[2]
    gru = torch.nn.GRU(I, H, num_layers=L, bidirectional=bidirectional).double()
    for layer in range(L):
        for d in range(D):
            load_params(gru, *params[layer][d], suffix=f"_l{layer}" + ("_reverse" if d else ""))
    out, h_n = gru(_t(X), _t(h0))
    return out.numpy(), h_n.numpy()
