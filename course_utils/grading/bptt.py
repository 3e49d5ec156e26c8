"""Graders for unit 04: ``gru_step_backward``, ``gru_backward``, ``lstm_step_backward``
and ``lstm_backward``.

Oracle: torch autograd in float64 (``course_utils.bptt``). The gradients are
checked in float64 only (say float32 inputs are not part of this exercise).
Every wrong gradient is named, with the gate blocks of a parameter gradient
that are wrong (r, z, n for the GRU; i, f, g, o for the LSTM); known bugs
(wrong sigmoid or tanh derivative, no accumulation over time, a mean over
the batch, a missing path) are recognised by the catalogues below, built on
:func:`gru_backward_variant`, :func:`lstm_backward_variant` and their step
versions: the reference backward passes of ``course_utils.bptt``, assembled
from the same pieces, with each known bug as a switch (the defaults give the
reference, bit for bit). A step's bug is a change of its local derivatives
(:func:`_gru_mistaken` and :func:`_lstm_mistaken`), the same in a step and in
a layer.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import bptt
from . import hints
from .build import F64, instructor_specs, rand_params
from .core import Case, Exercise, Mistake, register

__all__ = ["gru_backward_variant", "lstm_backward_variant", "GRU_BACKWARD_MISTAKES",
           "LSTM_BACKWARD_MISTAKES", "gru_step_backward_variant", "lstm_step_backward_variant",
           "GRU_STEP_MISTAKES", "LSTM_STEP_MISTAKES"]

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


def _wrong_blocks(got, want, blocks: str, rtol, atol) -> str:
    """The gate blocks (rows of H) of a parameter gradient that are wrong."""
    got = np.asarray(got, dtype=np.float64)
    H = want.shape[0] // len(blocks)
    bad = np.abs(got - want) > atol + rtol * np.abs(want)
    return "".join(b for k, b in enumerate(blocks) if bad[k * H:(k + 1) * H].any())


def _localiser(blocks: str, outputs: tuple, step: bool = False):
    """From a one-step case (a layer's T = 1 case; a step's first case): which gate
    block of which gradient is wrong. outputs: the exercise's output names."""
    when = "On the first check" if step else "At T = 1"

    def localise(outcomes) -> str:
        one = [o for o in outcomes if (step or o.case.size("T") == 1) and not o.case.hidden]
        if not one or one[0].kind != "values":
            return ""
        o = one[0]
        wrong_params, wrong_other = {}, []
        for name, got, want in zip(outputs, o.value, o.case.expected):
            got_a = np.asarray(got, dtype=np.float64)
            if got_a.shape != np.shape(want):
                return ""
            if name in _PARAM_GRADS:
                bad = _wrong_blocks(got_a, want, blocks, o.case.rtol, o.case.atol)
                if bad:
                    wrong_params[name] = bad
            elif not np.allclose(got_a, want, rtol=o.case.rtol, atol=o.case.atol):
                wrong_other.append(name)
        gates = set("".join(wrong_params.values()))
        if len(gates) == 1 and len(blocks) > 1:
            gate = gates.pop()
            grads = ", ".join(f"`{n}`" for n in wrong_params)
            return hints.ONE_BLOCK.format(when=when, gate=gate, grads=grads,
                                          meaning=hints.GATE_MEANING[gate])
        if not wrong_params and len(wrong_other) == 1:
            return hints.ONLY_GRAD.format(when=when, grad=f"`{wrong_other[0]}`",
                                          meaning=hints.GRAD_MEANING[wrong_other[0]])
        return ""
    return localise


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
    hint_of = {"general": "", "zero0": "", "last": hints.CASE["last_dh"],
               "sat": hints.CASE["sat_grad"]}

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
        return Case(name=name, args=args, expected=oracle(*args), hint=hint_of[kind],
                    hidden=hidden, kind="gradients", **F64)

    cases = [make(name, T, B, I, H, kind, rng, k >= 7)
             for k, (name, (T, B, I, H), kind) in enumerate(specs)]
    if hidden:                     # gradients are checked in float64 only
        cases += [make(name.replace(", float32", ""), z["T"], z["B"], z["I"], z["H"],
                       "general", r, True)
                  for name, z, _dtype, r in instructor_specs(seed, "TBIH")]
    return cases


def _step_cases(lstm: bool, seed: int, hidden: bool) -> list:
    """The cases of a step exercise: (dh_next, [dc_next,] cache, W_ih, W_hh), the
    cache made by the course's step forward, the expected gradients by torch."""
    rng = np.random.default_rng(seed)
    specs = [
        ("B=3, I=4, H=6", (3, 4, 6), "general"),
        ("B=2, I=3, H=5", (2, 3, 5), "general"),
        ("batch of one, B=1, I=4, H=3", (1, 4, 3), "general"),
        ("previous state(s) = 0, B=2, I=3, H=4", (2, 3, 4), "zero0"),
        ("partly saturated gates (weights x 3), B=2, I=3, H=4", (2, 3, 4), "sat"),
    ]
    if lstm:
        specs += [("dc_next = 0 (gradient through h_next only), B=2, I=3, H=4", (2, 3, 4),
                   "only_dh"),
                  ("dh_next = 0 (gradient through the cell only), B=2, I=3, H=4", (2, 3, 4),
                   "only_dc")]
    n_public = len(specs)
    if hidden:
        specs += [("B=4, I=2, H=7", (4, 2, 7), "general"), ("B=5, I=6, H=2", (5, 6, 2), "general")]
    hint_of = {"general": "", "zero0": "", "sat": hints.CASE["sat_grad"],
               "only_dh": hints.CASE["only_dh"], "only_dc": hints.CASE["only_dc"]}

    def make(name, B, I, H, kind, rng, hidden):
        params = rand_params(rng, I, H, 4 if lstm else 3)
        if kind == "sat":
            params = tuple(p * 3 for p in params)
        x_t = rng.standard_normal((B, I))
        states = [rng.uniform(-0.9, 0.9, (B, H)) for _ in range(2 if lstm else 1)]
        if kind == "zero0":
            states = [np.zeros_like(s) for s in states]
        grads = [rng.standard_normal((B, H)) for _ in range(2 if lstm else 1)]
        if kind == "only_dh":
            grads[1][:] = 0.0
        if kind == "only_dc":
            grads[0][:] = 0.0
        if lstm:
            *_, cache = bptt.lstm_step_forward(x_t, *states, *params)
            expected = bptt.torch_lstm_step_backward(*grads, x_t, *states, *params)
        else:
            _, cache = bptt.gru_step_forward(x_t, *states, *params)
            expected = bptt.torch_gru_step_backward(*grads, x_t, *states, *params)
        return Case(name=name, args=(*grads, cache, *params[:2]), expected=expected,
                    hint=hint_of[kind], hidden=hidden, kind="gradients", **F64)

    cases = [make(name, B, I, H, kind, rng, k >= n_public)
             for k, (name, (B, I, H), kind) in enumerate(specs)]
    if hidden:                     # gradients are checked in float64 only
        cases += [make(name.replace(", float32", ""), z["B"], z["I"], z["H"], "general", r, True)
                  for name, z, _dtype, r in instructor_specs(seed, "BIH")]
    return cases


def _fed(step, dH, accumulate, cell_carry, arrived):
    """The step, fed as a learner's loop feeds it.

    accumulate=False: step t gets dH[t] alone (nothing from step t + 1);
    cell_carry=False: the LSTM's dc from step t + 1 is dropped. arrived[t]
    records the dh that step t got.
    """
    def fed(t, dh, *dc):
        dh = dh if accumulate else dH[t]
        dc = dc if cell_carry else (np.zeros_like(dh),)
        arrived[t] = dh
        return step(t, dh, *dc)
    return fed


def _scaled_param_grads(dA_x, dA_h, X, c, W_ih, batch_mean):
    """``bptt._param_grads``; batch_mean: the parameter gradients divided by B
    (as a learner writes it: the weights' products of s * dA, the biases' s * sum)."""
    grads = bptt._param_grads(dA_x, dA_h, X, c["h_prev"], W_ih)
    if not batch_mean:
        return grads
    s = 1.0 / X.shape[1]
    _, dW_ih, dW_hh, _, _ = bptt._param_grads(s * dA_x, s * dA_h, X, c["h_prev"], W_ih)
    return grads[0], dW_ih, dW_hh, s * grads[3], s * grads[4]


def _gru_mistaken(c, *, sigmoid_deriv="s(1-s)", tanh_deriv="1-n^2", reset_path=True,
                  z_path=True, dz_sign=1.0):
    """The GRU's local derivatives (``bptt._gru_factors`` of cache ``c``) with the
    bugs of one step switched on (see :func:`gru_backward_variant`)."""
    F = bptt._gru_factors(c)
    if sigmoid_deriv != "s(1-s)":
        F["a_r"], F["a_z"] = c["r"], c["z"]
    if tanh_deriv != "1-n^2":
        F["a_n"] = 1 - c["n"]
    if not reset_path:
        F["ah_n"] = np.ones_like(c["r"])
    if not z_path:
        F["h"] = np.zeros_like(c["z"])
    if dz_sign != 1.0:
        F["z"] = dz_sign * F["z"]
    return F


def gru_backward_variant(dH, X, h0, W_ih, W_hh, b_ih, b_hh, *, accumulate=True,
                         batch_mean=False, dr_with_b_hn=True, dh0_propagated=True, **step_bugs):
    """``bptt.gru_backward`` with switchable bugs (the defaults give it exactly).

    step_bugs (:func:`_gru_mistaken`): sigmoid_deriv="s": the gates' derivative
    taken as s; tanh_deriv="1-n": 1 - n; reset_path=False: the n-block of the
    recurrent gradient without its factor r; z_path=False: no direct path
    dh * z into h_prev; dz_sign=-1: dz negated. accumulate=False: no gradient
    from step t + 1; batch_mean: parameter gradients divided by B;
    dr_with_b_hn=False: b_hn left out of dr; dh0_propagated=False: the gradient
    arriving at step 0's output returned as dh0. Shapes as ``bptt.gru_backward``.
    """
    T, B, _ = X.shape
    H = h0.shape[1]
    _, c = bptt.gru_forward_cache(X, h0, W_ih, W_hh, b_ih, b_hh)
    F = _gru_mistaken(c, **step_bugs)
    if not dr_with_b_hn:
        F["r"] = c["gh_n"] - b_hh[2 * H:]
    dA_x, dA_h = np.empty((T, B, 3 * H)), np.empty((T, B, 3 * H))
    arrived = {}
    step = _fed(bptt._gru_stepper(lambda t: bptt._at(F, t), W_hh, dA_x, dA_h), dH,
                accumulate, True, arrived)
    (dh0,) = bptt._through_time(dH, step, 1)
    dX, *dparams = _scaled_param_grads(dA_x, dA_h, X, c, W_ih, batch_mean)
    return (dX, dh0 if dh0_propagated else arrived[0], *dparams)


def gru_step_backward_variant(dh_next, cache, W_ih, W_hh, *, batch_mean=False,
                              dh_prev_through_W=True, unpack=None, **step_bugs):
    """``bptt.gru_step_backward`` with switchable bugs (the defaults give it exactly):
    those of :func:`_gru_mistaken`, batch_mean (parameter gradients divided by
    B), dh_prev_through_W=False (dh_prev only the direct path dh_next * z) and
    unpack (the cache's items taken in this order of indices)."""
    cache = cache if unpack is None else tuple(cache[k] for k in unpack)
    c = bptt._as_layer_cache(bptt.GRU_STEP_CACHE, cache)
    F = _gru_mistaken(c, **step_bugs)
    dh_prev, dA_x, dA_h = bptt._gru_step_back(F, c, np.asarray(dh_next), W_hh)
    if not dh_prev_through_W:
        dh_prev = dh_next * F["h"][0]
    dx, *dparams = _scaled_param_grads(dA_x, dA_h, c["x_t"], c, W_ih, batch_mean)
    return (dx[0], dh_prev, *dparams)


def _lstm_mistaken(c, *, sigmoid_deriv="s(1-s)", tanh_deriv="1-t^2", h_to_c=True,
                   df_with_c_prev=True, do_with_tanh=True):
    """The LSTM's local derivatives (``bptt._lstm_factors`` of cache ``c``) with
    the bugs of one step switched on (see :func:`lstm_backward_variant`)."""
    F = bptt._lstm_factors(c)
    if sigmoid_deriv != "s(1-s)":
        F["a_i"], F["a_f"], F["a_o"] = c["i"], c["f"], c["o"]
    if tanh_deriv != "1-t^2":
        F["c'"], F["a_g"] = 1 - c["tanh_c"], 1 - c["g"]
    if not h_to_c:
        F["c'"] = np.zeros_like(c["tanh_c"])
    c_next = c["f"] * c["c_prev"] + c["i"] * c["g"]
    if not df_with_c_prev:
        F["f"] = c_next
    if not do_with_tanh:
        F["o"] = c_next
    return F


def lstm_backward_variant(dH, X, h0, c0, W_ih, W_hh, b_ih, b_hh, *, accumulate=True,
                          batch_mean=False, cell_carry=True, **step_bugs):
    """``bptt.lstm_backward`` with switchable bugs (the defaults give it exactly).

    step_bugs (:func:`_lstm_mistaken`): sigmoid_deriv="s": the gates' derivative
    taken as s; tanh_deriv="1-t": 1 - t for g and tanh(c'); h_to_c=False: no
    path from h' into dc; df_with_c_prev=False: c' for c in df;
    do_with_tanh=False: c' for tanh(c') in do. accumulate=False: no dh from
    step t + 1; batch_mean: parameter gradients divided by B;
    cell_carry=False: no dc from step t + 1. Shapes as ``bptt.lstm_backward``.
    """
    T, B, _ = X.shape
    _, c = bptt.lstm_forward_cache(X, h0, c0, W_ih, W_hh, b_ih, b_hh)
    F = _lstm_mistaken(c, **step_bugs)
    dA = np.empty((T, B, W_ih.shape[0]))
    step = _fed(bptt._lstm_stepper(lambda t: bptt._at(F, t), W_hh, dA), dH, accumulate,
                cell_carry, {})
    dh0, dc0 = bptt._through_time(dH, step, 2)
    dX, *dparams = _scaled_param_grads(dA, dA, X, c, W_ih, batch_mean)
    return (dX, dh0, dc0, *dparams)


def lstm_step_backward_variant(dh_next, dc_next, cache, W_ih, W_hh, *, batch_mean=False,
                               cell_carry=True, dc_prev_times_f=True, unpack=None, **step_bugs):
    """``bptt.lstm_step_backward`` with switchable bugs (the defaults give it
    exactly): those of :func:`_lstm_mistaken`, batch_mean, cell_carry=False
    (dc_next ignored), dc_prev_times_f=False (dc_prev the cell's whole
    gradient, without the forget gate's factor) and unpack (the cache's items
    taken in this order of indices)."""
    cache = cache if unpack is None else tuple(cache[k] for k in unpack)
    c = bptt._as_layer_cache(bptt.LSTM_STEP_CACHE, cache)
    F = _lstm_mistaken(c, **step_bugs)
    dh_next = np.asarray(dh_next)
    dc_next = np.asarray(dc_next) if cell_carry else np.zeros_like(dh_next)
    dh_prev, dc_prev, dA = bptt._lstm_step_back(F, c, dh_next, dc_next, W_hh)
    if not dc_prev_times_f:
        dc_prev = dc_next + dh_next * F["tanh_c"][0] * F["c'"][0]
    dx, *dparams = _scaled_param_grads(dA, dA, c["x_t"], c, W_ih, batch_mean)
    return (dx[0], dh_prev, dc_prev, *dparams)


# ---------------------------------------------------------------- GRU
def _step_mistakes(variant, unit: str, switches: dict) -> list:
    """Mistake objects of a step exercise: {name: the variant's switches}, each
    with its hint from ``hints.MISTAKE[unit]``."""
    return [Mistake(name, partial(variant, **kw), hints.MISTAKE[unit][name])
            for name, kw in switches.items()]


GRU_STEP_MISTAKES = _step_mistakes(gru_step_backward_variant, "gru_step_backward", {
    "sigmoid derivative": {"sigmoid_deriv": "s"},
    "tanh derivative": {"tanh_deriv": "1-n"},
    "batch mean": {"batch_mean": True},
    "reset path": {"reset_path": False},
    "z path": {"z_path": False},
    "dz sign": {"dz_sign": -1.0},
    "dh_prev without W_hh": {"dh_prev_through_W": False},
    "cache order r z": {"unpack": (0, 1, 3, 2, 4, 5)},
})

register(Exercise(
    id="gru_step_backward",
    oracle=bptt.gru_step_backward, blocks="rzn",
    localise=_localiser("rzn", ("dx", "dh_prev") + _PARAM_GRADS, step=True),
    signature="gru_step_backward(dh_next, cache, W_ih, W_hh) -> "
              "(dx, dh_prev, dW_ih, dW_hh, db_ih, db_hh)",
    arg_names=("dh_next", "cache", "W_ih", "W_hh"),
    output=("dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh"),
    make_cases=lambda hidden: _step_cases(False, 4004, hidden),
    mistakes=GRU_STEP_MISTAKES,
    explain=_block_explainer("rzn"),
    where="solutions/04_bptt.ipynb",
))

_GRU = gru_backward_variant
GRU_BACKWARD_MISTAKES = [
    Mistake("sigmoid derivative", partial(_GRU, sigmoid_deriv="s"),
            hints.MISTAKE["gru_backward"]["sigmoid derivative"]),
    Mistake("tanh derivative", partial(_GRU, tanh_deriv="1-n"),
            hints.MISTAKE["gru_backward"]["tanh derivative"]),
    Mistake("no accumulation", partial(_GRU, accumulate=False),
            hints.MISTAKE["gru_backward"]["no accumulation"]),
    Mistake("batch mean", partial(_GRU, batch_mean=True),
            hints.MISTAKE["gru_backward"]["batch mean"]),
    Mistake("reset path", partial(_GRU, reset_path=False),
            hints.MISTAKE["gru_backward"]["reset path"]),
    Mistake("z path", partial(_GRU, z_path=False),
            hints.MISTAKE["gru_backward"]["z path"]),
    Mistake("dz sign", partial(_GRU, dz_sign=-1.0),
            hints.MISTAKE["gru_backward"]["dz sign"]),
    Mistake("dr without b_hn", partial(_GRU, dr_with_b_hn=False),
            hints.MISTAKE["gru_backward"]["dr without b_hn"]),
    Mistake("dh0 not propagated", partial(_GRU, dh0_propagated=False), hints.DH0),
]

register(Exercise(
    id="gru_backward",
    oracle=bptt.torch_gru_backward, blocks="rzn",
    localise=_localiser("rzn", ("dX", "dh0") + _PARAM_GRADS),
    calls={"gru_step_backward": bptt.gru_step_backward},
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
LSTM_STEP_MISTAKES = _step_mistakes(lstm_step_backward_variant, "lstm_step_backward", {
    "sigmoid derivative": {"sigmoid_deriv": "s"},
    "tanh derivative": {"tanh_deriv": "1-t"},
    "no cell carry": {"cell_carry": False},
    "h to c": {"h_to_c": False},
    "df with new c": {"df_with_c_prev": False},
    "do without tanh": {"do_with_tanh": False},
    "batch mean": {"batch_mean": True},
    "dc_prev without f": {"dc_prev_times_f": False},
    "cache order g o": {"unpack": (0, 1, 2, 3, 4, 6, 5, 7)},
    "cache order h c": {"unpack": (0, 2, 1, 3, 4, 5, 6, 7)},
})

register(Exercise(
    id="lstm_step_backward",
    oracle=bptt.lstm_step_backward, blocks="ifgo",
    localise=_localiser("ifgo", ("dx", "dh_prev", "dc_prev") + _PARAM_GRADS, step=True),
    signature="lstm_step_backward(dh_next, dc_next, cache, W_ih, W_hh) -> "
              "(dx, dh_prev, dc_prev, dW_ih, dW_hh, db_ih, db_hh)",
    arg_names=("dh_next", "dc_next", "cache", "W_ih", "W_hh"),
    output=("dx", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db_ih", "db_hh"),
    make_cases=lambda hidden: _step_cases(True, 4005, hidden),
    mistakes=LSTM_STEP_MISTAKES,
    explain=_block_explainer("ifgo"),
    where="solutions/04_bptt.ipynb",
))

_LSTM = lstm_backward_variant
LSTM_BACKWARD_MISTAKES = [
    Mistake("sigmoid derivative", partial(_LSTM, sigmoid_deriv="s"),
            hints.MISTAKE["lstm_backward"]["sigmoid derivative"]),
    Mistake("tanh derivative", partial(_LSTM, tanh_deriv="1-t"),
            hints.MISTAKE["lstm_backward"]["tanh derivative"]),
    Mistake("no accumulation", partial(_LSTM, accumulate=False),
            hints.MISTAKE["lstm_backward"]["no accumulation"]),
    Mistake("no cell carry", partial(_LSTM, cell_carry=False),
            hints.MISTAKE["lstm_backward"]["no cell carry"]),
    Mistake("h to c", partial(_LSTM, h_to_c=False),
            hints.MISTAKE["lstm_backward"]["h to c"]),
    Mistake("df with new c", partial(_LSTM, df_with_c_prev=False),
            hints.MISTAKE["lstm_backward"]["df with new c"]),
    Mistake("do without tanh", partial(_LSTM, do_with_tanh=False),
            hints.MISTAKE["lstm_backward"]["do without tanh"]),
    Mistake("batch mean", partial(_LSTM, batch_mean=True),
            hints.MISTAKE["lstm_backward"]["batch mean"]),
]

register(Exercise(
    id="lstm_backward",
    oracle=bptt.torch_lstm_backward, blocks="ifgo",
    localise=_localiser("ifgo", ("dX", "dh0", "dc0") + _PARAM_GRADS),
    calls={"lstm_step_backward": bptt.lstm_step_backward},
    signature="lstm_backward(dH, X, h0, c0, W_ih, W_hh, b_ih, b_hh) -> "
              "(dX, dh0, dc0, dW_ih, dW_hh, db_ih, db_hh)",
    arg_names=("dH", "X", "h0", "c0", "W_ih", "W_hh", "b_ih", "b_hh"),
    output=("dX", "dh0", "dc0", "dW_ih", "dW_hh", "db_ih", "db_hh"),
    make_cases=lambda hidden: _cases(2, 4, bptt.torch_lstm_backward, 4003, hidden),
    mistakes=LSTM_BACKWARD_MISTAKES,
    explain=_block_explainer("ifgo"),
    where="solutions/04_bptt.ipynb",
))
