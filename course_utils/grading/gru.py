"""Graders for unit 02: ``gru_cell`` and ``gru_forward``.

The mistake catalogue is one parameterised GRU cell (:func:`gru_cell_variant`)
with each known bug as a switch, so combinations of two bugs are recognised
too.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import oracle
from ..reference import gru_cell as _ref_gru_cell
from ..reference import sigmoid
from . import hints
from .build import (cell_cases, flipped_sigmoid, lift_cell_mistakes, sequence_cases,
                    sequence_mistakes, single_bug_mistakes)
from .core import Exercise, Mistake, register

__all__ = ["gru_cell_variant", "GRU_CELL_MISTAKES"]


def _relu(a):
    return np.maximum(a, 0.0)


def gru_cell_variant(x, h_prev, W_ih, W_hh, b_ih, b_hh, *, order="rzn",
                     convention="torch", reset="after", drop_b_ih=False, drop_b_hh=False,
                     b_hn_outside=False, no_reset=False, reset_everything=False,
                     gate_act=sigmoid, cand_act=np.tanh, returns="h", copied=None,
                     drop_b_hn=False, hh_untransposed=False):
    """A GRU cell with switchable bugs (the defaults give torch's GRU).

    order: the block order the code assumes (torch stores "rzn").
    convention: "torch" h' = (1-z) n + z h; "other" h' = z n + (1-z) h.
    reset: "after" r * (W_hn h + b_hn) (torch); "before" W_hn (r * h) (Cho et al., EMNLP 2014 / arXiv v3).
    b_hn_outside: r * (W_hn h) + b_hn.  reset_everything: tanh(r * (all of a_n)).
    drop_b_hn: b_hn left out (the other biases in place).
    hh_untransposed: each (H, H) block of W_hh used untransposed (h @ W_hr, ...).
    returns: "h", "n" (the candidate), "z" or "r".
    copied: (gate, source), e.g. ("z", "r"): that gate is computed from the
        source gate's rows (a copy-pasted slice).
    x (B, I), h_prev (B, H), W_ih (3H, I), W_hh (3H, H) -> (B, H)
    """
    H = h_prev.shape[1]
    b_ih = np.zeros_like(b_ih) if drop_b_ih else b_ih
    b_hh = np.zeros_like(b_hh) if drop_b_hh else b_hh
    if drop_b_hn:
        b_hh = np.concatenate([b_hh[:2 * H], np.zeros_like(b_hh[2 * H:])])

    def block(M, name):
        if copied and name == copied[0]:
            name = copied[1]
        k = order.index(name)
        rows = M[k * H:(k + 1) * H]
        return rows.T if hh_untransposed and M is W_hh else rows

    a_r = x @ block(W_ih, "r").T + block(b_ih, "r") + h_prev @ block(W_hh, "r").T + block(b_hh, "r")
    a_z = x @ block(W_ih, "z").T + block(b_ih, "z") + h_prev @ block(W_hh, "z").T + block(b_hh, "z")
    r = np.ones_like(a_r) if no_reset else gate_act(a_r)
    z = gate_act(a_z)
    i_n = x @ block(W_ih, "n").T + block(b_ih, "n")
    if reset == "before":
        h_n = (r * h_prev) @ block(W_hh, "n").T + block(b_hh, "n")
        a_n = i_n + h_n
    elif b_hn_outside:
        a_n = i_n + r * (h_prev @ block(W_hh, "n").T) + block(b_hh, "n")
    elif reset_everything:
        a_n = r * (i_n + h_prev @ block(W_hh, "n").T + block(b_hh, "n"))
    else:
        a_n = i_n + r * (h_prev @ block(W_hh, "n").T + block(b_hh, "n"))
    n = cand_act(a_n)
    if returns == "n":
        return n
    if returns == "z":
        return z
    if returns == "r":
        return r
    if convention == "other":
        return z * n + (1.0 - z) * h_prev
    return (1.0 - z) * n + z * h_prev


def _mistakes():
    v = gru_cell_variant
    base = [
        Mistake("other convention", partial(v, convention="other"), hints.GRU_OTHER),
        Mistake("reset before product", partial(v, reset="before"), hints.GRU_CHO),
        Mistake("b_hn outside reset", partial(v, b_hn_outside=True), hints.GRU_B_HN),
        Mistake("reset on everything", partial(v, reset_everything=True), hints.GRU_RESET_ALL),
    ]
    for order in ("zrn", "nrz", "nzr", "rnz", "znr"):
        base.append(Mistake(f"order {order}", partial(v, order=order), hints.gru_gate_order(order)))
    base += [
        Mistake("no b_ih", partial(v, drop_b_ih=True), hints.missing_bias("b_ih")),
        Mistake("no b_hh", partial(v, drop_b_hh=True), hints.missing_bias("b_hh")),
        Mistake("no biases", partial(v, drop_b_ih=True, drop_b_hh=True),
                hints.MISTAKE["gru"]["no biases"]),
        Mistake("no b_hn", partial(v, drop_b_hn=True),
                hints.MISTAKE["gru"]["no b_hn"]),
        Mistake("W_hh blocks untransposed", partial(v, hh_untransposed=True),
                hints.untransposed_blocks("W_hr")),
        Mistake("no reset", partial(v, no_reset=True),
                hints.MISTAKE["gru"]["no reset"]),
        Mistake("sigmoid candidate", partial(v, cand_act=sigmoid),
                hints.MISTAKE["gru"]["sigmoid candidate"]),
        Mistake("relu candidate", partial(v, cand_act=_relu),
                hints.MISTAKE["gru"]["relu candidate"]),
        Mistake("linear candidate", partial(v, cand_act=lambda a: a),
                hints.MISTAKE["gru"]["linear candidate"]),
        Mistake("tanh gates", partial(v, gate_act=np.tanh),
                hints.MISTAKE["gru"]["tanh gates"]),
        Mistake("sigmoid sign", partial(v, gate_act=flipped_sigmoid), hints.SIGMOID_SIGN),
        *(Mistake(f"{gate} from {src}'s rows", partial(v, copied=(gate, src)),
                  hints.copied_slice(gate, src)) for gate, src in (("z", "r"), ("r", "z"))),
        Mistake("returns candidate", partial(v, returns="n"),
                hints.MISTAKE["gru"]["returns candidate"]),
        Mistake("returns z", partial(v, returns="z"),
                hints.MISTAKE["gru"]["returns z"]),
    ]
    # two bugs at once: the other convention combined with each other bug,
    # and Cho's placement with a gate-order bug
    combos = []
    for m in base[1:]:
        kw = dict(m.fn.keywords)
        if "returns" in kw:
            continue      # returning n or z: the convention makes no difference
        combos.append(Mistake(f"other convention + {m.name}",
                              partial(v, convention="other", **kw),
                              hints.GRU_OTHER + " Also: " + m.hint))
    for order in ("zrn", "nrz", "nzr", "rnz", "znr"):
        combos.append(Mistake(f"reset before + order {order}",
                              partial(v, reset="before", order=order),
                              hints.GRU_CHO + " Also: " + hints.gru_gate_order(order)))
    return base + combos


GRU_CELL_MISTAKES = _mistakes()

GRU_CELL = register(Exercise(
    id="gru_cell",
    oracle=oracle.gru_cell, blocks="rzn",
    signature="gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h_next",
    arg_names=("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
    output="h_next",
    make_cases=lambda hidden: cell_cases(oracle.gru_cell, 3, 1, hidden, seed=2002),
    mistakes=GRU_CELL_MISTAKES,
    where="solutions/02_gru.ipynb",
))

GRU_FORWARD = register(Exercise(
    id="gru_forward",
    oracle=oracle.gru_forward, calls={"gru_cell": _ref_gru_cell}, blocks="rzn",
    signature="gru_forward(X, h0, W_ih, W_hh, b_ih, b_hh) -> (H_all, h_n)",
    arg_names=("X", "h0", "W_ih", "W_hh", "b_ih", "b_hh"),
    output=("H_all", "h_n"),
    make_cases=lambda hidden: sequence_cases(oracle.gru_forward, 3, 1, hidden, seed=2003),
    mistakes=(sequence_mistakes(_ref_gru_cell, 1)
              + lift_cell_mistakes(single_bug_mistakes(GRU_CELL_MISTAKES), 1)),
    where="solutions/02_gru.ipynb",
))
