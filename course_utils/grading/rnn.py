"""Graders for unit 01: ``rnn_cell`` and ``rnn_forward`` (tanh Elman RNN)."""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import oracle
from ..reference import rnn_cell as _ref_rnn_cell
from ..reference import sigmoid
from . import hints
from .build import (cell_cases, lift_cell_mistakes, sequence_cases,
                    sequence_mistakes)
from .core import Exercise, Mistake, register

__all__ = ["rnn_cell_variant", "RNN_CELL_MISTAKES"]


def rnn_cell_variant(x, h_prev, W_ih, W_hh, b_ih, b_hh, *, act=np.tanh, drop_b_ih=False,
                     drop_b_hh=False, tanh_input_only=False, no_recurrence=False,
                     W_hh_untransposed=False):
    """An RNN cell with switchable bugs (the defaults give torch's tanh RNN).

    tanh_input_only: tanh(W_ih x + b_ih) + W_hh h + b_hh.
    no_recurrence: the previous state is left out.
    W_hh_untransposed: h_prev @ W_hh (no error: W_hh is square) instead of @ W_hh.T.
    x (B, I), h_prev (B, H), W_ih (H, I), W_hh (H, H), b_ih (H,), b_hh (H,) -> (B, H)
    """
    b_ih = np.zeros_like(b_ih) if drop_b_ih else b_ih
    b_hh = np.zeros_like(b_hh) if drop_b_hh else b_hh
    a_x = x @ W_ih.T + b_ih
    a_h = h_prev @ (W_hh if W_hh_untransposed else W_hh.T) + b_hh
    if no_recurrence:
        return act(a_x + b_hh)
    if tanh_input_only:
        return act(a_x) + a_h
    return act(a_x + a_h)


RNN_CELL_MISTAKES = [
    Mistake("no b_ih", partial(rnn_cell_variant, drop_b_ih=True), hints.missing_bias("b_ih")),
    Mistake("no b_hh", partial(rnn_cell_variant, drop_b_hh=True), hints.missing_bias("b_hh")),
    Mistake("no biases", partial(rnn_cell_variant, drop_b_ih=True, drop_b_hh=True),
            hints.MISTAKE["rnn"]["no biases"]),
    Mistake("sigmoid", partial(rnn_cell_variant, act=sigmoid),
            hints.MISTAKE["rnn"]["sigmoid"]),
    Mistake("relu", partial(rnn_cell_variant, act=lambda a: np.maximum(a, 0.0)),
            hints.MISTAKE["rnn"]["relu"]),
    Mistake("no activation", partial(rnn_cell_variant, act=lambda a: a),
            hints.MISTAKE["rnn"]["no activation"]),
    Mistake("tanh on input only", partial(rnn_cell_variant, tanh_input_only=True),
            hints.MISTAKE["rnn"]["tanh on input only"]),
    Mistake("no recurrence", partial(rnn_cell_variant, no_recurrence=True),
            hints.MISTAKE["rnn"]["no recurrence"]),
    Mistake("W_hh not transposed", partial(rnn_cell_variant, W_hh_untransposed=True),
            hints.MISTAKE["rnn"]["W_hh not transposed"]),
]

RNN_CELL = register(Exercise(
    id="rnn_cell",
    oracle=oracle.rnn_cell,
    signature="rnn_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h_next",
    arg_names=("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
    output="h_next",
    make_cases=lambda hidden: cell_cases(oracle.rnn_cell, 1, 1, hidden, seed=1002),
    mistakes=RNN_CELL_MISTAKES,
    where="solutions/01_rnn.ipynb",
))

RNN_FORWARD = register(Exercise(
    id="rnn_forward",
    oracle=oracle.rnn_forward, calls={"rnn_cell": _ref_rnn_cell},
    signature="rnn_forward(X, h0, W_ih, W_hh, b_ih, b_hh) -> (H_all, h_n)",
    arg_names=("X", "h0", "W_ih", "W_hh", "b_ih", "b_hh"),
    output=("H_all", "h_n"),
    make_cases=lambda hidden: sequence_cases(oracle.rnn_forward, 1, 1, hidden, seed=1003),
    mistakes=sequence_mistakes(_ref_rnn_cell, 1) + lift_cell_mistakes(RNN_CELL_MISTAKES, 1),
    where="solutions/01_rnn.ipynb",
))
