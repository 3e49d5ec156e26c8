"""Graders for unit 04: ``gru_backward`` and ``lstm_backward``.

Oracle: torch autograd in float64 (``course_utils.bptt``). The gradients are
checked in float64 only (say float32 inputs are not part of this exercise).
Every wrong gradient is named, with the gate blocks of a parameter gradient
that are wrong (r, z, n for the GRU; i, f, g, o for the LSTM); known bugs
(wrong sigmoid or tanh derivative, no accumulation over time, a mean over
the batch, a missing path) are recognised by the catalogue below.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import bptt
from .build import F64, instructor_specs, rand_params
from .core import Case, Exercise, Mistake, register

_PARAM_GRADS = ("dW_ih", "dW_hh", "db_ih", "db_hh")


def _block_explainer(blocks: str):
    def explain(name, got, want, mask):
        if name not in _PARAM_GRADS:
            return ""
        H = want.shape[0] // len(blocks)
        wrong = [blocks[k] for k in range(len(blocks)) if mask[k * H:(k + 1) * H].any()]
        if len(wrong) == len(blocks):
            return "every gate block"
        return "gate block" + ("s " if len(wrong) > 1 else " ") + " and ".join(wrong)
    return explain


def _cases(n_states, gates, oracle, seed, hidden):
    rng = np.random.default_rng(seed)
    specs = [
        ("T=5, B=3, I=4, H=6", (5, 3, 4, 6), "general"),
        ("T=4, B=2, I=3, H=5", (4, 2, 3, 5), "general"),
        ("one time step, T=1, B=2, I=3, H=4", (1, 2, 3, 4), "general"),
        ("batch of one, T=6, B=1, I=4, H=3", (6, 1, 4, 3), "general"),
        ("initial state(s) = 0, T=4, B=2, I=3, H=4", (4, 2, 3, 4), "zero0"),
        ("dH only at the last step, T=6, B=2, I=3, H=4", (6, 2, 3, 4), "last"),
        ("partly saturated gates (weights x 3), T=5, B=2, I=3, H=4", (5, 2, 3, 4), "sat"),
    ]
    if hidden:
        specs += [("T=8, B=4, I=2, H=7", (8, 4, 2, 7), "general"),
                  ("T=3, B=5, I=6, H=2", (3, 5, 6, 2), "general")]
    hints = {
        "general": "",
        "zero0": "",
        "last": ("With dH non-zero only at the last step, every earlier gradient comes "
                 "through the recurrence: check how dh (and dc) flow from step t to t-1."),
        "sat": "Check the derivatives of the sigmoid and tanh where they saturate.",
    }

    def make(name, T, B, I, H, kind, rng, hidden):
        params = rand_params(rng, I, H, gates)
        if kind == "sat":
            params = tuple(p * 3 for p in params)
        X = rng.standard_normal((T, B, I))
        states = [rng.uniform(-0.9, 0.9, (B, H)) for _ in range(n_states)]
        if kind == "zero0":
            states = [np.zeros_like(s) for s in states]
        dH = rng.standard_normal((T, B, H))
        if kind == "last":
            dH[:-1] = 0.0
        args = (dH, X, *states, *params)
        return Case(name=name, args=args, expected=oracle(*args), hint=hints[kind],
                    hidden=hidden, kind="gradients", **F64)

    cases = [make(name, T, B, I, H, kind, rng, k >= 7)
             for k, (name, (T, B, I, H), kind) in enumerate(specs)]
    if hidden:                     # gradients are checked in float64 only
        cases += [make(name.replace(", float32", ""), z["T"], z["B"], z["I"], z["H"],
                       "general", r, True)
                  for name, z, _dtype, r in instructor_specs(seed, "TBIH")]
    return cases


_DH0 = ("dh0 is the gradient arriving at the first step's output, not the one leaving "
        "it: backpropagate through step 0 (into its h_prev) before returning it.")

# ---------------------------------------------------------------- GRU
_GRU = bptt.gru_backward
GRU_BACKWARD_MISTAKES = [
    Mistake("sigmoid derivative", partial(_GRU, sigmoid_deriv="s"),
            "The gate derivatives look wrong: the derivative of the sigmoid s is s * (1 - s), "
            "written with the gate value itself (r or z), not s alone."),
    Mistake("tanh derivative", partial(_GRU, tanh_deriv="1-n"),
            "The candidate's derivative looks wrong: the derivative of tanh is 1 - n**2 "
            "(n squared), not 1 - n."),
    Mistake("no accumulation", partial(_GRU, accumulate=False),
            "The gradient is not accumulated over time: at step t, dh is dH[t] plus the "
            "gradient flowing back from step t + 1."),
    Mistake("batch mean", partial(_GRU, batch_mean=True),
            "The parameter gradients look divided by the batch size: the loss is a sum over "
            "the batch, so sum the per-sequence gradients, do not average them."),
    Mistake("reset path", partial(_GRU, reset_path=False),
            "The path through the reset gate into the recurrent product is missing its "
            "factor: the n-block of the recurrent pre-activation is multiplied by r in the "
            "forward pass, so its gradient is multiplied by r too."),
    Mistake("z path", partial(_GRU, z_path=False),
            "The direct path h' = ... + z * h is missing from dh_prev: besides the gradient "
            "through W_hh, h_prev receives dh * z."),
    Mistake("dz sign", partial(_GRU, dz_sign=-1.0),
            "The update gate's gradient looks negated: differentiate h' = (1 - z) n + z h "
            "with respect to z and check which term carries the minus sign."),
    Mistake("dr without b_hn", partial(_GRU, dr_with_b_hn=False),
            "The reset gate's gradient leaves out b_hn: r multiplies the whole recurrent "
            "term W_hn h + b_hn, so the gradient into r is the candidate's pre-activation "
            "gradient times that whole term."),
    Mistake("dh0 not propagated", partial(_GRU, dh0_propagated=False), _DH0),
]

register(Exercise(
    id="gru_backward",
    signature="gru_backward(dH, X, h0, W_ih, W_hh, b_ih, b_hh) -> "
              "(dX, dh0, dW_ih, dW_hh, db_ih, db_hh)",
    arg_names=("dH", "X", "h0", "W_ih", "W_hh", "b_ih", "b_hh"),
    output=("dX", "dh0", "dW_ih", "dW_hh", "db_ih", "db_hh"),
    make_cases=lambda hidden: _cases(1, 3, bptt.torch_gru_backward, 4002, hidden),
    mistakes=GRU_BACKWARD_MISTAKES,
    explain=_block_explainer("rzn"),
    where="solutions/04_bptt.ipynb",
))

# ---------------------------------------------------------------- LSTM
_LSTM = bptt.lstm_backward
LSTM_BACKWARD_MISTAKES = [
    Mistake("sigmoid derivative", partial(_LSTM, sigmoid_deriv="s"),
            "The gate derivatives look wrong: the derivative of the sigmoid s is s * (1 - s) "
            "for each of i, f and o."),
    Mistake("tanh derivative", partial(_LSTM, tanh_deriv="1-t"),
            "A tanh derivative looks wrong: for g and for tanh(c') it is 1 - t**2 (t "
            "squared), not 1 - t."),
    Mistake("no accumulation", partial(_LSTM, accumulate=False),
            "The gradient is not accumulated over time: at step t, dh is dH[t] plus the "
            "gradient flowing back from step t + 1."),
    Mistake("no cell carry", partial(_LSTM, cell_carry=False),
            "The cell-state gradient does not flow back through time: dc at step t gets "
            "dc from step t + 1 multiplied by that step's forget gate f."),
    Mistake("h to c", partial(_LSTM, h_to_c=False),
            "dc is missing the contribution of h' = o * tanh(c'): add dh * o * (1 - tanh(c')**2)."),
    Mistake("df with new c", partial(_LSTM, df_with_c_prev=False),
            "The forget gate's gradient uses the new cell state: in c' = f * c_prev + i * g "
            "the forget gate multiplies the previous cell state."),
    Mistake("do without tanh", partial(_LSTM, do_with_tanh=False),
            "The output gate's gradient is missing the tanh: h' = o * tanh(c'), so o's "
            "gradient is dh times tanh(c'), not dh times c'."),
    Mistake("batch mean", partial(_LSTM, batch_mean=True),
            "The parameter gradients look divided by the batch size: the loss is a sum over "
            "the batch, so sum the per-sequence gradients, do not average them."),
]

register(Exercise(
    id="lstm_backward",
    signature="lstm_backward(dH, X, h0, c0, W_ih, W_hh, b_ih, b_hh) -> "
              "(dX, dh0, dc0, dW_ih, dW_hh, db_ih, db_hh)",
    arg_names=("dH", "X", "h0", "c0", "W_ih", "W_hh", "b_ih", "b_hh"),
    output=("dX", "dh0", "dc0", "dW_ih", "dW_hh", "db_ih", "db_hh"),
    make_cases=lambda hidden: _cases(2, 4, bptt.torch_lstm_backward, 4003, hidden),
    mistakes=LSTM_BACKWARD_MISTAKES,
    explain=_block_explainer("ifgo"),
    where="solutions/04_bptt.ipynb",
))
