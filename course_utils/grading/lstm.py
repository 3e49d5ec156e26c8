"""Graders for unit 03: ``lstm_cell`` and ``lstm_forward``.

The mistake catalogue is one parameterised LSTM cell
(:func:`lstm_cell_variant`) with each known bug as a switch.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import oracle
from ..reference import lstm_cell as _ref_lstm_cell
from ..reference import sigmoid
from . import hints
from .build import (cell_cases, flipped_sigmoid, lift_cell_mistakes, loop_cell, sequence_cases,
                    sequence_mistakes, single_bug_mistakes)
from .core import Exercise, Mistake, register

__all__ = ["lstm_cell_variant", "LSTM_CELL_MISTAKES"]


def lstm_cell_variant(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, *, order="ifgo",
                      drop_b_ih=False, drop_b_hh=False, no_forget=False, swap_fi=False,
                      gate_act=sigmoid, cand_act=np.tanh, cell_out="tanh",
                      h_from_c_prev=False, swap_return=False, copied=None,
                      forget_shift=0.0, coupled=False, g_tanh_twice=False,
                      hh_untransposed=False):
    """An LSTM cell with switchable bugs (the defaults give torch's LSTM).

    order: the block order the code assumes (torch stores "ifgo").
    swap_fi: c' = i * c + f * g (forget and input gates exchanged).
    cell_out: "tanh" h' = o * tanh(c') (right); "none" h' = o * c';
        "outer" h' = tanh(o * c').
    h_from_c_prev: h' = o * tanh(c) with the *old* cell state.
    swap_return: returns (c', h') instead of (h', c').
    copied: (gate, source), e.g. ("f", "i"): that gate is computed from the
        source gate's rows (a copy-pasted slice).
    forget_shift: added to the forget gate's pre-activation inside the cell.
    coupled: i = 1 - f (the CIFG variant, not torch's LSTM).
    g_tanh_twice: tanh applied to g twice.
    hh_untransposed: each (H, H) block of W_hh used untransposed.
    x (B, I), h_prev (B, H), c_prev (B, H), W_ih (4H, I), W_hh (4H, H)
    -> (h_next (B, H), c_next (B, H))
    """
    H = h_prev.shape[1]
    b_ih = np.zeros_like(b_ih) if drop_b_ih else b_ih
    b_hh = np.zeros_like(b_hh) if drop_b_hh else b_hh
    if hh_untransposed:
        a_h = np.concatenate([h_prev @ W_hh[k * H:(k + 1) * H] for k in range(4)], axis=1)
    else:
        a_h = h_prev @ W_hh.T
    a = x @ W_ih.T + b_ih + a_h + b_hh

    def block(name):
        if copied and name == copied[0]:
            name = copied[1]
        k = order.index(name)
        return a[:, k * H:(k + 1) * H]

    i, f, o = gate_act(block("i")), gate_act(block("f") + forget_shift), gate_act(block("o"))
    g = cand_act(block("g"))
    if g_tanh_twice:
        g = np.tanh(g)
    if coupled:
        i = 1.0 - f
    if no_forget:
        f = np.ones_like(f)
    if swap_fi:
        f, i = i, f
    c_next = f * c_prev + i * g
    c_used = c_prev if h_from_c_prev else c_next
    if cell_out == "none":
        h_next = o * c_used
    elif cell_out == "outer":
        h_next = np.tanh(o * c_used)
    else:
        h_next = o * np.tanh(c_used)
    return (c_next, h_next) if swap_return else (h_next, c_next)


def _mistakes():
    v = lstm_cell_variant
    base = [Mistake("order ifog", partial(v, order="ifog"), hints.lstm_gate_order("ifog"))]
    for order in ("figo", "iofg", "gifo", "oifg", "fiog"):
        base.append(Mistake(f"order {order}", partial(v, order=order), hints.lstm_gate_order(order)))
    base += [
        Mistake("no tanh on cell", partial(v, cell_out="none"),
                hints.MISTAKE["lstm"]["no tanh on cell"]),
        Mistake("tanh around o*c", partial(v, cell_out="outer"),
                hints.MISTAKE["lstm"]["tanh around o*c"]),
        Mistake("h from c_prev", partial(v, h_from_c_prev=True),
                hints.MISTAKE["lstm"]["h from c_prev"]),
        Mistake("sigmoid on g", partial(v, cand_act=sigmoid),
                hints.MISTAKE["lstm"]["sigmoid on g"]),
        Mistake("linear g", partial(v, cand_act=lambda a: a),
                hints.MISTAKE["lstm"]["linear g"]),
        Mistake("tanh gates", partial(v, gate_act=np.tanh),
                hints.MISTAKE["lstm"]["tanh gates"]),
        Mistake("sigmoid sign", partial(v, gate_act=flipped_sigmoid), hints.SIGMOID_SIGN),
        Mistake("forget bias in the cell", partial(v, forget_shift=1.0),
                hints.MISTAKE["lstm"]["forget bias in the cell"]),
        *(Mistake(f"{gate} from {src}'s rows", partial(v, copied=(gate, src)),
                  hints.copied_slice(gate, src))
          for gate, src in (("f", "i"), ("o", "i"), ("o", "f"), ("i", "f"))),
        Mistake("coupled input gate", partial(v, coupled=True),
                hints.MISTAKE["lstm"]["coupled input gate"]),
        Mistake("g tanh twice", partial(v, g_tanh_twice=True),
                hints.MISTAKE["lstm"]["g tanh twice"]),
        Mistake("W_hh blocks untransposed", partial(v, hh_untransposed=True),
                hints.untransposed_blocks("W_hi")),
        Mistake("no forget gate", partial(v, no_forget=True),
                hints.MISTAKE["lstm"]["no forget gate"]),
        Mistake("no b_ih", partial(v, drop_b_ih=True), hints.missing_bias("b_ih")),
        Mistake("no b_hh", partial(v, drop_b_hh=True), hints.missing_bias("b_hh")),
        Mistake("no biases", partial(v, drop_b_ih=True, drop_b_hh=True),
                hints.MISTAKE["lstm"]["no biases"]),
        Mistake("returns (c, h)", partial(v, swap_return=True),
                hints.MISTAKE["lstm"]["returns (c, h)"]),
    ]
    combos = []
    for m in base[1:]:
        kw = dict(m.fn.keywords)
        if "order" in kw:
            continue
        combos.append(Mistake(f"order ifog + {m.name}", partial(v, order="ifog", **kw),
                              hints.lstm_gate_order("ifog") + " Also: " + m.hint))
    combos.append(Mistake("no tanh on cell + returns (c, h)",
                          partial(v, cell_out="none", swap_return=True),
                          hints.MISTAKE["lstm"]["no tanh on cell + returns (c, h)"]))
    return base + combos


LSTM_CELL_MISTAKES = _mistakes()


def _returns_h_twice(X, h0, c0, *params):
    H_all, (h_n, _c_n) = loop_cell(_ref_lstm_cell, 2)(X, h0, c0, *params)
    return H_all, (h_n, h_n)


def _outputs_c(X, h0, c0, *params):
    """Stores the cell states as the outputs."""
    c, h, outs = c0, h0, []
    for x_t in X:
        h, c = _ref_lstm_cell(x_t, h, c, *params)
        outs.append(c)
    return np.stack(outs), (h, c)


LSTM_LAYER_MISTAKES = [
    Mistake("c not carried", loop_cell(_ref_lstm_cell, 2, carry=(True, False)),
            hints.MISTAKE["lstm"]["c not carried"]),
    Mistake("h not carried", loop_cell(_ref_lstm_cell, 2, carry=(False, True)),
            hints.MISTAKE["lstm"]["h not carried"]),
    Mistake("returns h twice", _returns_h_twice,
            hints.MISTAKE["lstm"]["returns h twice"]),
    Mistake("outputs c", _outputs_c,
            hints.MISTAKE["lstm"]["outputs c"]),
]

LSTM_CELL = register(Exercise(
    id="lstm_cell",
    oracle=oracle.lstm_cell, blocks="ifgo",
    signature="lstm_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h_next, c_next)",
    arg_names=("x", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
    output=("h_next", "c_next"),
    make_cases=lambda hidden: cell_cases(oracle.lstm_cell, 4, 2, hidden, seed=3002),
    mistakes=LSTM_CELL_MISTAKES,
    where="solutions/03_lstm.ipynb",
))

LSTM_FORWARD = register(Exercise(
    id="lstm_forward",
    oracle=oracle.lstm_forward, calls={"lstm_cell": _ref_lstm_cell}, blocks="ifgo",
    signature="lstm_forward(X, h0, c0, W_ih, W_hh, b_ih, b_hh) -> (H_all, (h_n, c_n))",
    arg_names=("X", "h0", "c0", "W_ih", "W_hh", "b_ih", "b_hh"),
    output=("H_all", ("h_n", "c_n")),
    make_cases=lambda hidden: sequence_cases(oracle.lstm_forward, 4, 2, hidden, seed=3003),
    mistakes=(sequence_mistakes(_ref_lstm_cell, 2) + LSTM_LAYER_MISTAKES
              + lift_cell_mistakes(single_bug_mistakes(LSTM_CELL_MISTAKES), 2)),
    where="solutions/03_lstm.ipynb",
))
