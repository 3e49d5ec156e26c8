"""Grader for unit 05: ``gru_stack_forward`` (deep and bidirectional GRUs).

Contract (as ``torch.nn.GRU(I, H, num_layers=L, bidirectional=...)``):

    gru_stack_forward(X, h0, params, bidirectional) -> (output, h_n)
    X (T, B, I); h0 (L * D, B, H) with D = 2 if bidirectional else 1;
    params[layer][direction] = (W_ih, W_hh, b_ih, b_hh), torch's layout, layer 0's
    W_ih (3H, I), later layers' (3H, D * H);
    output (T, B, D * H): the last layer's states, forward half first;
    h_n (L * D, B, H): row layer * D + direction.

The oracle is ``oracle.gru_stack_forward`` (torch, float64; ``torch_gru_stack``
here is the same function), the clean answer ``reference.gru_stack_forward``;
this module holds the mistakes (:func:`gru_stack_variant`) and the registration.
"""
from __future__ import annotations

import numpy as np

from ..oracle import gru_stack_forward as torch_gru_stack
from .. import reference
from ..oracle import rand_params
from ..reference import gru_direction, gru_stack_forward
from . import hints
from .build import F32, F64, instructor_specs
from .core import Case, Exercise, Mistake, register

__all__ = ["torch_gru_stack", "gru_stack_variant"]


def gru_stack_variant(X, h0, params, bidirectional, *, swap_concat=False, no_rereverse=False,
                      hn_direction_major=False, forward_half_only=False, h0_by_layer=False,
                      backward_hn_at_end=False, backward_not_reversed=False,
                      forward_weights_both=False):
    """``reference.gru_stack_forward`` in float64, with switchable bugs.

    Three bugs only change what goes in or comes out (the stack itself is the
    reference's, or the one below when a bug inside a layer is on too):
    h0_by_layer: layer l, direction d starts from h0[l] instead of h0[l * D + d].
    forward_weights_both: both directions use the forward direction's weights.
    hn_direction_major: h_n's rows ordered direction * L + layer.
    The others change a layer's inside; the stack is built from
    ``reference.gru_direction`` then:
    swap_concat: each layer's halves concatenated backward first.
    no_rereverse: the backward outputs left in reversed time order.
    forward_half_only: a deeper layer reads [forward, forward] of the layer below.
    backward_hn_at_end: the backward direction's h_n taken from its output at
    time T-1 (its first step) instead of its last step (output time 0).
    backward_not_reversed: the backward direction runs over X in forward time.
    With every switch off this is the reference.
    """
    L, D = len(params), 2 if bidirectional else 1
    X, h0 = np.asarray(X, np.float64), np.asarray(h0, np.float64)
    params = [[tuple(np.asarray(p, np.float64) for p in weights) for weights in directions]
              for directions in params]
    if h0_by_layer:
        h0 = h0[[min(layer, len(h0) - 1) for layer in range(L) for _ in range(D)]]
    if forward_weights_both:
        params = [[directions[0]] * D for directions in params]
    if swap_concat or no_rereverse or forward_half_only or backward_hn_at_end \
            or backward_not_reversed:
        output, h_n = _buggy_layers(X, h0, params, D, swap_concat, no_rereverse,
                                    forward_half_only, backward_hn_at_end, backward_not_reversed)
    else:
        output, h_n = gru_stack_forward(X, h0, params, bidirectional)
    if hn_direction_major:
        h_n = h_n[[layer * D + d for d in range(D) for layer in range(L)]]
    return output, h_n


def _buggy_layers(X, h0, params, D, swap_concat, no_rereverse, forward_half_only,
                  backward_hn_at_end, backward_not_reversed):
    """The stack with the bugs inside a layer (see :func:`gru_stack_variant`)."""
    layer_in, finals = X, []
    for layer, directions in enumerate(params):
        outs = []
        for d, weights in enumerate(directions[:D]):
            backward = d == 1 and not backward_not_reversed
            H_d, h_last = gru_direction(layer_in, h0[layer * D + d], *weights, reverse=backward)
            if backward and no_rereverse:
                H_d = H_d[::-1]
            outs.append(H_d)
            finals.append(H_d[-1] if d == 1 and backward_hn_at_end else h_last)
        out = np.concatenate(outs[::-1] if swap_concat else outs, axis=-1)
        H = outs[0].shape[-1]
        last = layer == len(params) - 1
        layer_in = (np.concatenate([out[..., :H], out[..., :H]], axis=-1)
                    if forward_half_only and D == 2 and not last else out)
    return layer_in, np.stack(finals)


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
    oracle=torch_gru_stack, blocks="rzn",
    calls={"gru_forward": reference.gru_forward, "gru_cell": reference.gru_cell},
    signature="gru_stack_forward(X, h0, params, bidirectional) -> (output, h_n)",
    arg_names=("X", "h0", "params", "bidirectional"),
    output=("output", "h_n"),
    make_cases=_cases,
    mistakes=[
        _m("swapped halves", hints.MISTAKE["stack"]["swapped halves"],
           swap_concat=True),
        _m("not re-reversed", hints.MISTAKE["stack"]["not re-reversed"], no_rereverse=True),
        _m("h_n direction-major", hints.MISTAKE["stack"]["h_n direction-major"], hn_direction_major=True),
        _m("forward half only", hints.MISTAKE["stack"]["forward half only"],
           forward_half_only=True),
        _m("backward h_n at the end", hints.MISTAKE["stack"]["backward h_n at the end"], backward_hn_at_end=True),
        _m("backward not reversed", hints.MISTAKE["stack"]["backward not reversed"], backward_not_reversed=True),
        _m("forward weights both", hints.MISTAKE["stack"]["forward weights both"],
           forward_weights_both=True),
        _m("h0 by layer", hints.MISTAKE["stack"]["h0 by layer"], h0_by_layer=True),
    ],
    where="solutions/05_deep_bidirectional.ipynb",
))
