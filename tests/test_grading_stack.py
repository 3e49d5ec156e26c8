"""The stacked / bidirectional GRU grader."""
from __future__ import annotations

import numpy as np
import pytest

from course_utils.grading import EXERCISES, grade
from course_utils import oracle, reference
from course_utils.grading.stack import _cases, gru_stack_variant, torch_gru_stack
from course_utils.reference import gru_cell, gru_forward


def stack_with_loops(X, h0, params, bidirectional):
    """Independent style: explicit time loops with gru_cell, preallocated outputs."""
    D = 2 if bidirectional else 1
    T, B, _ = X.shape
    H = h0.shape[2]
    inp, h_n = X, np.empty((len(params) * D, B, H))
    for layer, dirs in enumerate(params):
        out = np.empty((T, B, D * H))
        for d, p in enumerate(dirs):
            h = h0[layer * D + d]
            steps = range(T) if d == 0 else range(T - 1, -1, -1)
            for t in steps:
                h = gru_cell(inp[t], h, *p)
                out[t, :, d * H:(d + 1) * H] = h
            h_n[layer * D + d] = h
        inp = out
    return inp, h_n


def stack_with_list_returns(X, h0, params, bidirectional):
    """Reuses gru_forward and returns lists."""
    D = 2 if bidirectional else 1
    inp, finals = X, []
    for layer, dirs in enumerate(params):
        fwd, hf = gru_forward(inp, h0[layer * D], *dirs[0])
        finals.append(hf)
        if D == 2:
            bwd, hb = gru_forward(inp[::-1], h0[layer * D + 1], *dirs[1])
            finals.append(hb)
            inp = np.concatenate([fwd, bwd[::-1]], axis=2)
        else:
            inp = fwd
    return [inp, list(finals)]


@pytest.mark.parametrize("fn", [gru_stack_variant, stack_with_loops, stack_with_list_returns],
                         ids=lambda f: f.__name__)
def test_correct_stacks_pass(fn):
    assert grade("gru_stack_forward", fn, hidden=True).passed


def test_variant_without_switches_is_the_reference():
    assert torch_gru_stack is oracle.gru_stack_forward
    for case in _cases(hidden=True):
        got = gru_stack_variant(*case.args)
        want = reference.gru_stack_forward(*case.diag_args)
        for g, w in zip(got, want):
            assert g.dtype == np.float64
            np.testing.assert_array_equal(g, w)


def test_every_catalogued_mistake_is_recognised():
    for m in EXERCISES["gru_stack_forward"].mistakes:
        report = grade("gru_stack_forward", m.fn)
        assert not report.passed and report.diagnosis == m.hint, m.name


def test_modifying_the_nested_params_is_reported():
    def mutating(X, h0, params, bidirectional):
        params[0][0][0][...] *= 2
        return gru_stack_variant(X, h0, params, bidirectional)
    report = grade("gru_stack_forward", mutating)
    assert "modified its input `params[0][0][0]` in place" in report.feedback


def test_only_last_layer_h_n_is_a_shape_message():
    def last_only(*args):
        out, h_n = gru_stack_variant(*args)
        return out, h_n[-2:]
    report = grade("gru_stack_forward", last_only)
    assert not report.passed and "has shape" in report.feedback


def stack_float32_einsum(X, h0, params, bidirectional):
    """Keeps float32, builds each layer with an einsum-based cell."""
    from course_utils.reference import sigmoid
    D = 2 if bidirectional else 1
    H = h0.shape[2]

    def cell(x, h, W_ih, W_hh, b_ih, b_hh):
        gi = np.einsum("bi,gi->bg", x, W_ih) + b_ih
        gh = np.einsum("bh,gh->bg", h, W_hh) + b_hh
        r, z = sigmoid(gi[:, :H] + gh[:, :H]), sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        return ((1 - z) * n + z * h).astype(x.dtype)

    inp, finals = X, []
    for layer, dirs in enumerate(params):
        halves = []
        for d, p in enumerate(dirs):
            h, seq = h0[layer * D + d], []
            order = range(len(inp)) if d == 0 else reversed(range(len(inp)))
            for t in order:
                h = cell(inp[t], h, *p)
                seq.append((t, h))
            finals.append(h)
            halves.append(np.stack([v for _, v in sorted(seq, key=lambda tv: tv[0])]))
        inp = np.concatenate(halves, axis=-1)
    return inp, np.stack(finals)


def test_float32_einsum_style_passes():
    assert grade("gru_stack_forward", stack_float32_einsum, hidden=True).passed


def test_hand_written_backward_final_state_bug_is_named():
    """h_n of the backward direction read from the output at t = T - 1."""
    def last_output_as_h_n(X, h0, params, bidirectional):
        D = 2 if bidirectional else 1
        inp, finals = X, []
        for layer, dirs in enumerate(params):
            halves = []
            for d, p in enumerate(dirs):
                xs = inp if d == 0 else inp[::-1]
                out, _ = gru_forward(xs, h0[layer * D + d], *p)
                halves.append(out if d == 0 else out[::-1])
                finals.append(halves[-1][-1])          # wrong for d = 1
            inp = np.concatenate(halves, axis=2)
        return inp, np.stack(finals)
    report = grade("gru_stack_forward", last_output_as_h_n)
    assert not report.passed and "ends at time 0" in report.diagnosis
