"""Graders for unit 01: ``rnn_cell`` and ``rnn_forward`` (tanh Elman RNN)."""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import oracle
from ..reference import rnn_cell as _ref_rnn_cell
from ..reference import sigmoid
from .build import (cell_cases, lift_cell_mistakes, missing_bias_hint, sequence_cases,
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
    Mistake("no b_ih", partial(rnn_cell_variant, drop_b_ih=True), missing_bias_hint("b_ih")),
    Mistake("no b_hh", partial(rnn_cell_variant, drop_b_hh=True), missing_bias_hint("b_hh")),
    Mistake("no biases", partial(rnn_cell_variant, drop_b_ih=True, drop_b_hh=True),
            "The biases seem to be missing: add both b_ih and b_hh."),
    Mistake("sigmoid", partial(rnn_cell_variant, act=sigmoid),
            "Wrong activation: the RNN state uses tanh (values in (-1, 1)), not sigmoid."),
    Mistake("relu", partial(rnn_cell_variant, act=lambda a: np.maximum(a, 0.0)),
            "Wrong activation: this exercise is the tanh RNN, not ReLU."),
    Mistake("no activation", partial(rnn_cell_variant, act=lambda a: a),
            "The activation is missing: the new state is tanh of the pre-activation."),
    Mistake("tanh on input only", partial(rnn_cell_variant, tanh_input_only=True),
            "The tanh covers only the input term: apply it to the sum of the input term, "
            "the recurrent term and both biases."),
    Mistake("no recurrence", partial(rnn_cell_variant, no_recurrence=True),
            "The previous state is not used: the recurrent term W_hh h_prev is missing."),
    Mistake("W_hh not transposed", partial(rnn_cell_variant, W_hh_untransposed=True),
            "The recurrent product uses W_hh the wrong way round: with states as rows, "
            "W_hh h becomes h_prev times the transpose of W_hh. (W_hh is square, so the "
            "shapes fit either way and no error warns you.)"),
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
    signature="rnn_forward(X, h0, W_ih, W_hh, b_ih, b_hh) -> (H, h_n)",
    arg_names=("X", "h0", "W_ih", "W_hh", "b_ih", "b_hh"),
    output=("H", "h_n"),
    make_cases=lambda hidden: sequence_cases(oracle.rnn_forward, 1, 1, hidden, seed=1003),
    mistakes=sequence_mistakes(_ref_rnn_cell, 1) + lift_cell_mistakes(RNN_CELL_MISTAKES, 1),
    where="solutions/01_rnn.ipynb",
))
