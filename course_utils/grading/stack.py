"""Grader for unit 05: ``gru_stack_forward`` (deep and bidirectional GRUs).

Contract (as ``torch.nn.GRU(I, H, num_layers=L, bidirectional=...)``):

    gru_stack_forward(X, h0, params, bidirectional) -> (output, h_n)
    X (T, B, I); h0 (L * D, B, H) with D = 2 if bidirectional else 1;
    params[layer][direction] = (W_ih, W_hh, b_ih, b_hh), torch's layout, layer 0's
    W_ih (3H, I), later layers' (3H, D * H);
    output (T, B, D * H): the last layer's states, forward half first;
    h_n (L * D, B, H): row layer * D + direction.
"""
from __future__ import annotations

import numpy as np
import torch

from ..oracle import load_params, rand_params
from ..reference import gru_forward
from .build import F32, F64, instructor_specs
from .core import Case, Exercise, Mistake, register

__all__ = ["torch_gru_stack", "gru_stack_variant"]


@torch.no_grad()
def torch_gru_stack(X, h0, params, bidirectional):
    """The oracle: torch.nn.GRU with these weights, in float64."""
    L, D = len(params), 2 if bidirectional else 1
    I, H = np.shape(X)[2], np.shape(h0)[2]
    gru = torch.nn.GRU(I, H, num_layers=L, bidirectional=bidirectional).double()
    for layer in range(L):
        for d in range(D):
            load_params(gru, *params[layer][d], suffix=f"_l{layer}" + ("_reverse" if d else ""))
    out, h_n = gru(torch.from_numpy(np.asarray(X, np.float64)),
                   torch.from_numpy(np.asarray(h0, np.float64)))
    return out.numpy(), h_n.numpy()


def gru_stack_variant(X, h0, params, bidirectional, *, swap_concat=False, no_rereverse=False,
                      hn_direction_major=False, forward_half_only=False, h0_by_layer=False,
                      backward_hn_at_end=False, backward_not_reversed=False,
                      forward_weights_both=False):
    """A stacked (bi)directional GRU built on gru_forward, with switchable bugs.

    backward_hn_at_end: the backward direction's h_n taken from its output at
    time T-1 (its first step) instead of its last step (output time 0).
    backward_not_reversed: the backward direction runs over X in forward time.
    forward_weights_both: both directions use the forward direction's weights.
    """
    L, D = len(params), 2 if bidirectional else 1
    layer_in, finals = np.asarray(X, np.float64), {}
    for layer in range(L):
        outs = []
        for d in range(D):
            row = layer if h0_by_layer else layer * D + d
            h_init = np.asarray(h0[min(row, len(h0) - 1)], np.float64)
            xs = layer_in if d == 0 or backward_not_reversed else layer_in[::-1]
            weights = params[layer][0 if forward_weights_both else d]
            H_d, h_last = gru_forward(xs, h_init, *[np.asarray(p, np.float64) for p in weights])
            if d == 1 and not no_rereverse and not backward_not_reversed:
                H_d = H_d[::-1]
            outs.append(H_d)
            finals[(layer, d)] = H_d[-1] if d == 1 and backward_hn_at_end else h_last
        if swap_concat:
            outs = outs[::-1]
        out = np.concatenate(outs, axis=-1)
        if forward_half_only and D == 2 and layer < L - 1:
            layer_in = np.concatenate([outs[0], outs[0]], axis=-1)
        else:
            layer_in = out
    order = ([(l, d) for d in range(D) for l in range(L)] if hn_direction_major
             else [(l, d) for l in range(L) for d in range(D)])
    return layer_in, np.stack([finals[k] for k in order])


def _cases(hidden):
    rng = np.random.default_rng(5005)
    specs = [  # (L, bidirectional, T, B, I, H, dtype)
        (2, True, 5, 3, 4, 6, np.float64),
        (1, True, 4, 2, 3, 5, np.float64),
        (2, False, 5, 2, 3, 4, np.float64),
        (3, True, 3, 2, 5, 3, np.float64),
        (2, True, 4, 1, 3, 4, np.float64),
        (2, True, 6, 3, 2, 5, np.float32),
    ]
    if hidden:
        specs += [(3, False, 7, 4, 2, 6, np.float64), (1, False, 5, 2, 4, 3, np.float64)]
    cases = []
    extra = [(z["L"], k % 4 != 1, z["T"], z["B"], z["I"], z["H"], dtype, r, True)
             for k, (_, z, dtype, r) in enumerate(instructor_specs(5005, "LTBIH"))]
    rows = [(*spec, rng, False) for spec in specs] + (extra if hidden else [])
    for k, (L, bi, T, B, I, H, dt, rng, instructors) in enumerate(rows):
        D = 2 if bi else 1
        params = [[tuple(p.astype(dt) for p in rand_params(rng, I if layer == 0 else D * H, H, 3))
                   for _ in range(D)] for layer in range(L)]
        X = rng.standard_normal((T, B, I)).astype(dt)
        h0 = rng.uniform(-0.9, 0.9, (L * D, B, H)).astype(dt)
        name = (f"{L} layer{'s' if L > 1 else ''}, {'bidirectional' if bi else 'one direction'}, "
                f"T={T}, B={B}, I={I}, H={H}" + (", float32" if dt == np.float32 else ""))
        if instructors:
            name = "instructor's check, " + name
        args = (X, h0, params, bi)
        diag = (X.astype(np.float64), h0.astype(np.float64),
                [[tuple(p.astype(np.float64) for p in d) for d in layer] for layer in params], bi)
        cases.append(Case(name=name, args=args, expected=torch_gru_stack(*diag), diag_args=diag,
                          hidden=k >= 6, kind="stacked layers",
                          **(F64 if dt == np.float64 else F32)))
    return cases


def _m(name, hint, **kw):
    return Mistake(name, lambda *a, **_: gru_stack_variant(*a, **kw), hint)


register(Exercise(
    id="gru_stack_forward",
    signature="gru_stack_forward(X, h0, params, bidirectional) -> (output, h_n)",
    arg_names=("X", "h0", "params", "bidirectional"),
    output=("output", "h_n"),
    make_cases=_cases,
    mistakes=[
        _m("swapped halves", "The two directions are concatenated in the wrong order: "
           "output[..., :H] is the forward direction, output[..., H:] the backward one.",
           swap_concat=True),
        _m("not re-reversed", "The backward direction's outputs are still in reversed time "
           "order: after running it on X[::-1], reverse its outputs back so that output[t] "
           "belongs to time t in both halves.", no_rereverse=True),
        _m("h_n direction-major", "h_n's rows are in the wrong order: row layer * D + direction "
           "(layer 0 forward, layer 0 backward, layer 1 forward, ...).", hn_direction_major=True),
        _m("forward half only", "A deeper layer gets only part of the layer below: its input is "
           "the full output of the layer below, both directions concatenated (D * H features).",
           forward_half_only=True),
        _m("backward h_n at the end", "The backward direction's final state is wrong: it "
           "ends at time 0, so its h_n is its output at t = 0 (output[0, :, H:] of the "
           "last layer), not at t = T - 1.", backward_hn_at_end=True),
        _m("backward not reversed", "The backward direction runs forward in time: feed it "
           "X reversed (X[::-1]) and reverse its outputs back.", backward_not_reversed=True),
        _m("forward weights both", "Both directions use the same weights: direction d of "
           "layer l has its own params[l][d] (torch's ..._reverse parameters for d = 1).",
           forward_weights_both=True),
        _m("h0 by layer", "The initial states are taken from the wrong rows of h0: layer l, "
           "direction d starts from h0[l * D + d].", h0_by_layer=True),
    ],
    where="solutions/05_deep_bidirectional.ipynb",
))
