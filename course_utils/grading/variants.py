"""Graders for unit 08: ``cho_gru_cell`` (the reset before the product, Cho et al.'s
EMNLP 2014 form, arXiv 1406.1078 v3), ``mgu_cell``, ``peephole_lstm_cell``.

torch ships none of these cells, so the oracle is the reference in
``course_utils.variants``, itself checked against torch in special cases
where a variant reduces to a torch cell, and against hand-computed values
(``tests/test_variants.py``).
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import variants as V
from ..reference import gru_cell as torch_form_gru_cell
from ..reference import sigmoid
from .build import cell_cases
from .core import Case, Exercise, Mistake, register
from . import hints
from .build import F32, F64, instructor_specs, rand_params


def _zeroed(cell, k):
    """``cell`` with its k-th argument replaced by zeros (a term left out)."""
    def run(*args):
        args = list(args)
        args[k] = np.zeros_like(args[k])
        return cell(*args)
    return run


def _bias_mistakes(cell, k_ih):
    """A missing b_ih or b_hh, for a cell whose b_ih is argument k_ih (b_hh the next)."""
    return [Mistake("no b_ih", _zeroed(cell, k_ih), hints.missing_bias("b_ih")),
            Mistake("no b_hh", _zeroed(cell, k_ih + 1), hints.missing_bias("b_hh"))]


# ---------------------------------------------------------------- Cho et al.'s EMNLP 2014 GRU
def _cho_other(x, h, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    z = sigmoid(x @ W_ih[H:2 * H].T + b_ih[H:2 * H] + h @ W_hh[H:2 * H].T + b_hh[H:2 * H])
    h_cho = V.cho_gru_cell(x, h, W_ih, W_hh, b_ih, b_hh)
    n = (h_cho - z * h) / (1 - z)                   # recover n, then mix the other way round
    return z * n + (1 - z) * h


register(Exercise(
    id="cho_gru_cell",
    oracle=V.cho_gru_cell, blocks="rzn",
    signature="cho_gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h_next",
    arg_names=("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
    output="h_next",
    make_cases=lambda hidden: cell_cases(V.cho_gru_cell, 3, 1, hidden, seed=8001),
    mistakes=[
        Mistake("torch placement", torch_form_gru_cell,
                hints.MISTAKE["variants"]["torch placement"]),
        Mistake("other convention", _cho_other,
                hints.MISTAKE["variants"]["other convention"]),
        *_bias_mistakes(V.cho_gru_cell, 4),
    ],
    where="solutions/08_variants.ipynb",
))


# ---------------------------------------------------------------- MGU
def _mgu_variant(x, h, W_ih, W_hh, b_ih, b_hh, *, flip=False, no_reset=False, after=False):
    H = h.shape[1]
    f = sigmoid(x @ W_ih[:H].T + b_ih[:H] + h @ W_hh[:H].T + b_hh[:H])
    a_n = x @ W_ih[H:].T + b_ih[H:]
    if no_reset:
        a_n = a_n + h @ W_hh[H:].T + b_hh[H:]
    elif after:
        a_n = a_n + f * (h @ W_hh[H:].T + b_hh[H:])
    else:
        a_n = a_n + (f * h) @ W_hh[H:].T + b_hh[H:]
    n = np.tanh(a_n)
    return f * h + (1 - f) * n if flip else (1 - f) * h + f * n


register(Exercise(
    id="mgu_cell",
    oracle=V.mgu_cell, blocks="fn",
    signature="mgu_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h_next",
    arg_names=("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
    output="h_next",
    make_cases=lambda hidden: cell_cases(V.mgu_cell, 2, 1, hidden, seed=8002),
    mistakes=[
        Mistake("f flipped", partial(_mgu_variant, flip=True),
                hints.MISTAKE["variants"]["f flipped"]),
        Mistake("no reset by f", partial(_mgu_variant, no_reset=True),
                hints.MISTAKE["variants"]["no reset by f"]),
        Mistake("reset after product", partial(_mgu_variant, after=True),
                hints.MISTAKE["variants"]["reset after product"]),
        *_bias_mistakes(V.mgu_cell, 4),
    ],
    where="solutions/08_variants.ipynb",
))


# ---------------------------------------------------------------- peephole LSTM
def _peep_variant(x, h, c, W_ih, W_hh, b_ih, b_hh, w_ci, w_cf, w_co, *, o_prev=False,
                  none=False, order="ifgo", swap_if=False):
    H = h.shape[1]
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    blk = {name: a[:, k * H:(k + 1) * H] for k, name in enumerate(order)}
    if none:
        w_ci = w_cf = w_co = np.zeros_like(w_ci)
    if swap_if:
        w_ci, w_cf = w_cf, w_ci
    i = sigmoid(blk["i"] + w_ci * c)
    f = sigmoid(blk["f"] + w_cf * c)
    c_next = f * c + i * np.tanh(blk["g"])
    o = sigmoid(blk["o"] + w_co * (c if o_prev else c_next))
    return o * np.tanh(c_next), c_next


def _peephole_cases(hidden):
    rng = np.random.default_rng(8003)
    specs = [("float64, B=3, I=5, H=4", (3, 5, 4), "values", np.float64),
             ("batch of one, B=1, I=3, H=6", (1, 3, 6), "values", np.float64),
             ("float32 inputs, B=2, I=4, H=5", (2, 4, 5), "values", np.float32),
             ("previous cell state = 0 (no peeking at c_prev)", (2, 3, 4), "c0", np.float64),
             ("saturating pre-activations |a| ~ 1e3", (3, 4, 5), "saturating inputs", np.float64)]
    if hidden:
        specs += [("float64, B=5, I=2, H=7", (5, 2, 7), "values", np.float64)]
    cases = []
    rows = [(*spec, rng) for spec in specs]
    if hidden:
        rows += [(name, (z["B"], z["I"], z["H"]), "values", dt, r)
                 for name, z, dt, r in instructor_specs(8003, "BIH")]
    for k, (name, (B, I, H), kind, dt, rng) in enumerate(rows):
        params = list(rand_params(rng, I, H, 4))
        peeps = [rng.uniform(-1, 1, H) for _ in range(3)]
        x, h, c = rng.standard_normal((B, I)), rng.uniform(-1, 1, (B, H)), rng.uniform(-2, 2, (B, H))
        if kind == "c0":
            c = np.zeros_like(c)
        if kind == "saturating inputs":
            params = [p * 300 for p in params]
        args64 = (x, h, c, *params, *peeps)
        args = tuple(np.asarray(a, dt) for a in args64)
        diag = tuple(np.asarray(a, np.float64) for a in args)
        cases.append(Case(name=name, args=args, expected=V.peephole_lstm_cell(*diag),
                          diag_args=diag, hidden=k >= 5, kind=kind,
                          hint=hints.CASE["peephole_c0"] if kind == "c0" else "",
                          **(F64 if dt == np.float64 else F32)))
    return cases


register(Exercise(
    id="peephole_lstm_cell",
    oracle=V.peephole_lstm_cell, blocks="ifgo",
    signature="peephole_lstm_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, w_ci, w_cf, w_co)"
              " -> (h_next, c_next)",
    arg_names=("x", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh", "w_ci", "w_cf", "w_co"),
    output=("h_next", "c_next"),
    make_cases=_peephole_cases,
    mistakes=[
        Mistake("o sees c_prev", partial(_peep_variant, o_prev=True),
                hints.MISTAKE["variants"]["o sees c_prev"]),
        Mistake("no peepholes", partial(_peep_variant, none=True),
                hints.MISTAKE["variants"]["no peepholes"]),
        Mistake("order ifog", partial(_peep_variant, order="ifog"),
                hints.MISTAKE["variants"]["order ifog"]),
        Mistake("peepholes of i and f swapped", partial(_peep_variant, swap_if=True),
                hints.MISTAKE["variants"]["peepholes of i and f swapped"]),
        *_bias_mistakes(V.peephole_lstm_cell, 5),
    ],
    where="solutions/08_variants.ipynb",
))
