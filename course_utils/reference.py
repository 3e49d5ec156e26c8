"""Reference NumPy implementations of the cells the course teaches.

These are the course's own answers, used by the lessons (to draw pictures)
and by the graders (to recognise known mistakes). The graders' *oracle* for
anything torch ships is torch itself in float64 (see ``course_utils.oracle``);
these functions are tested against it in ``tests/test_reference.py``.

Conventions (torch's layout, see the README):

* GRU: ``W_ih (3H, I)``, ``W_hh (3H, H)``, ``b_ih (3H,)``, ``b_hh (3H,)``,
  gate blocks in the order r, z, n.
* LSTM: ``W_ih (4H, I)``, ``W_hh (4H, H)``, ``b_ih (4H,)``, ``b_hh (4H,)``,
  gate blocks in the order i, f, g, o.
* ``x (B, I)``, ``h (B, H)``, ``c (B, H)``, sequences ``X (T, B, I)``.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid",
    "rnn_cell",
    "rnn_forward",
    "gru_gates",
    "gru_cell",
    "gru_forward",
    "lstm_gates",
    "lstm_cell",
    "lstm_forward",
    "gru_direction",
    "gru_stack_forward",
]


def sigmoid(a):
    """Logistic function that never overflows.

    ``1 / (1 + exp(-a))`` for ``a >= 0`` and ``exp(a) / (1 + exp(a))`` for
    ``a < 0``, so ``exp`` only ever sees non-positive numbers.

    a: array of any shape -> array of the same shape, values in [0, 1].
    Used in notebooks/02_gru.ipynb, notebooks/03_lstm.ipynb, notebooks/04_bptt.ipynb,
    notebooks/09_gru_vs_lstm.ipynb, solutions/04_bptt.ipynb, solutions/07_speed.ipynb,
    solutions/08_variants.ipynb.
    """
    a = np.asarray(a)
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def rnn_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """One step of the Elman RNN (tanh), as ``torch.nn.RNNCell``.

    x (B, I), h_prev (B, H), W_ih (H, I), W_hh (H, H), b_ih (H,), b_hh (H,)
    -> h_next (B, H) = tanh(x W_ih^T + b_ih + h_prev W_hh^T + b_hh)
    Used in notebooks/01_rnn.ipynb.
    """
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)


def rnn_forward(X, h0, W_ih, W_hh, b_ih, b_hh):
    """Run :func:`rnn_cell` over a sequence.

    X (T, B, I), h0 (B, H) -> (H_all (T, B, H), h_n (B, H))
    Used in notebooks/01_rnn.ipynb.
    """
    h = h0
    outputs = []
    for x_t in X:
        h = rnn_cell(x_t, h, W_ih, W_hh, b_ih, b_hh)
        outputs.append(h)
    return np.stack(outputs), h


def gru_gates(gi, gh):
    """The three GRU gates of one step, from its two projections (torch's form).

    gi (B, 3H) = x W_ih^T + b_ih and gh (B, 3H) = h_prev W_hh^T + b_hh, gate
    blocks r, z, n -> (r, z, n), each (B, H):

    r = sigmoid(gi_r + gh_r),  z = sigmoid(gi_z + gh_z),  n = tanh(gi_n + r * gh_n)

    The library's plain statement of the GRU's gate math: :func:`gru_cell`, the
    one-step caches of ``course_utils.bptt`` and the lessons (notebooks/02_gru.ipynb,
    06) use it; the in-place forms of ``course_utils.fast`` and of the layer
    forward cache in ``course_utils.bptt`` are tested against it.
    """
    i_r, i_z, i_n = np.split(gi, 3, axis=1)
    h_r, h_z, h_n = np.split(gh, 3, axis=1)
    r = sigmoid(i_r + h_r)
    z = sigmoid(i_z + h_z)
    n = np.tanh(i_n + r * h_n)
    return r, z, n


def gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """One GRU step in torch's form (reset applied after the recurrent product).

    r, z, n from :func:`gru_gates`, then h' = (1 - z) * n + z * h.
    Taught in notebooks/02_gru.ipynb, written by the learner in lab 02.

    x (B, I), h_prev (B, H), W_ih (3H, I), W_hh (3H, H), b_ih (3H,), b_hh (3H,)
    -> h_next (B, H)
    """
    r, z, n = gru_gates(x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh)
    return (1.0 - z) * n + z * h_prev


def gru_forward(X, h0, W_ih, W_hh, b_ih, b_hh):
    """Run :func:`gru_cell` over a sequence, as a one-layer ``torch.nn.GRU``.

    X (T, B, I), h0 (B, H) -> (H_all (T, B, H), h_n (B, H))
    Used in notebooks/02_gru.ipynb, notebooks/05_deep_bidirectional.ipynb,
    notebooks/07_speed.ipynb, notebooks/10_char_language_model.ipynb,
    solutions/04_bptt.ipynb, solutions/05_deep_bidirectional.ipynb,
    solutions/07_speed.ipynb.
    """
    h = h0
    outputs = []
    for x_t in X:
        h = gru_cell(x_t, h, W_ih, W_hh, b_ih, b_hh)
        outputs.append(h)
    return np.stack(outputs), h


def lstm_gates(a):
    """The four LSTM gates of one step from its pre-activations (torch's form).

    a (B, 4H) = x W_ih^T + b_ih + h_prev W_hh^T + b_hh, gate blocks i, f, g, o
    -> (i, f, g, o), each (B, H): i, f, o = sigmoid(.), g = tanh(.).

    The library's plain statement of the LSTM's gate math: :func:`lstm_cell`, the
    one-step caches of ``course_utils.bptt`` and the lessons (notebooks/03_lstm.ipynb)
    use it; the in-place forms of ``course_utils.fast`` and of the layer forward
    cache in ``course_utils.bptt`` are tested against it.
    """
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    return sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)


def lstm_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """One LSTM step in torch's form (gate blocks i, f, g, o).

    i, f, g, o from :func:`lstm_gates`, then c' = f * c + i * g, h' = o * tanh(c').
    Taught in notebooks/03_lstm.ipynb, written by the learner in lab 03.

    x (B, I), h_prev (B, H), c_prev (B, H), W_ih (4H, I), W_hh (4H, H),
    b_ih (4H,), b_hh (4H,) -> (h_next (B, H), c_next (B, H))
    """
    i, f, g, o = lstm_gates(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next


def lstm_forward(X, h0, c0, W_ih, W_hh, b_ih, b_hh):
    """Run :func:`lstm_cell` over a sequence, as a one-layer ``torch.nn.LSTM``.

    X (T, B, I), h0 (B, H), c0 (B, H)
    -> (H_all (T, B, H), (h_n (B, H), c_n (B, H)))
    Used in solutions/04_bptt.ipynb.
    """
    h, c = h0, c0
    outputs = []
    for x_t in X:
        h, c = lstm_cell(x_t, h, c, W_ih, W_hh, b_ih, b_hh)
        outputs.append(h)
    return np.stack(outputs), (h, c)


def gru_direction(X, h0, W_ih, W_hh, b_ih, b_hh, reverse=False):
    """One direction of one layer of a (bidirectional) GRU, built on :func:`gru_forward`.

    reverse=False is the forward direction (plain :func:`gru_forward`);
    reverse=True is torch's backward direction: it reads X from the end
    (X[T-1] first), its outputs are put back in time order, and its final
    state is the one after reading X[0] (it sits next to output[0]).

    X (T, B, I), h0 (B, H) -> (H_all (T, B, H) in time order, h_n (B, H))
    Used by gru_stack_forward (unit 05, lab 05) and its grader.
    """
    if not reverse:
        return gru_forward(X, h0, W_ih, W_hh, b_ih, b_hh)
    H_rev, h_n = gru_forward(X[::-1], h0, W_ih, W_hh, b_ih, b_hh)
    return H_rev[::-1], h_n


def gru_stack_forward(X, h0, params, bidirectional):
    """A stacked, optionally bidirectional GRU, as ``torch.nn.GRU(I, H,
    num_layers=L, bidirectional=...)`` (taught in lesson/lab 05).

    Each layer runs every direction with :func:`gru_direction` and
    concatenates them (forward half first) as the next layer's input.

    X (T, B, I); h0 (L * D, B, H) with D = 2 if bidirectional else 1, row
    layer * D + direction; params[layer][direction] = (W_ih, W_hh, b_ih, b_hh)
    in torch's layout, layer 0's W_ih (3H, I), later layers' (3H, D * H)
    -> (output (T, B, D * H): the last layer's states, h_n (L * D, B, H):
    row layer * D + direction)
    """
    D = 2 if bidirectional else 1
    layer_input, h_n = X, []
    for layer, directions in enumerate(params):
        halves = []
        for d, weights in enumerate(directions[:D]):
            H_d, h_last = gru_direction(layer_input, h0[layer * D + d], *weights,
                                        reverse=d == 1)
            halves.append(H_d)
            h_n.append(h_last)
        layer_input = np.concatenate(halves, axis=-1)   # (T, B, D * H)
    return layer_input, np.stack(h_n)
