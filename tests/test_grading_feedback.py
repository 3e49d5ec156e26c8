"""Feedback a learner can trust: one catalogue case for each rule of the run loop.

Hints come only from evidence, the wording fits the exercise, the offending
line is quoted, a layer and the cell it calls are graded apart, the backward
passes are localised from which cases pass, a function that keeps state
between calls does not pass, and containers are accepted alike everywhere.
"""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from course_utils import bptt
from course_utils import reference as ref
from course_utils.grading import EXERCISES, grade, hints
from course_utils.grading.gru import gru_cell_variant


# ---------------------------------------------------------------- hints from evidence only
def _overflowing_gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """torch's GRU with the sigmoid written as exp(a) / (1 + exp(a)) (overflows)."""
    def sig(a):
        return np.exp(a) / (1 + np.exp(a))
    H = h_prev.shape[1]
    gi, gh = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
    r = sig(gi[:, :H] + gh[:, :H])
    z = sig(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h_prev


def test_the_overflow_hint_comes_with_an_overflow_only():
    report = grade("gru_cell", _overflowing_gru_cell)
    failed = report.failed
    assert failed and all("saturating" in c.name for c in failed), str(report)
    assert all("NaN" in c.message or "inf" in c.message for c in failed)
    assert all("exp(a) / (1 + exp(a))" in c.hint for c in failed)


def test_no_case_hint_when_every_case_fails():
    # the other convention fails everywhere: the bias, x = 0, h = 0 and overflow hints
    # would be noise; the diagnosis names the mistake and nothing else is added
    report = grade("gru_cell", partial(gru_cell_variant, convention="other"))
    assert report.score == 0.0
    hints_shown = {c.hint for c in report.failed}
    assert hints_shown == {report.diagnosis}
    for text in (hints.CASE["sat"], hints.CASE["bias"], hints.CASE["x0"], hints.CASE["h0"]):
        assert text not in str(report)


def _wrong_without_input(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """Right, except when x is all zeros: then b_ih is halved (only the cases with
    x = 0 show it; no catalogued mistake does this)."""
    if not np.any(x):
        b_ih = 0.5 * b_ih
    return ref.gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh)


def test_a_case_hint_is_shown_when_its_case_singles_out_the_cause():
    report = grade("gru_cell", _wrong_without_input)
    assert 0 < report.score < 1
    bias = next(c for c in report.checks if c.name.startswith("only the biases"))
    assert not bias.passed and bias.hint == hints.CASE["bias"]


def test_backward_hints_about_saturation_and_the_last_step_need_evidence():
    def wrong_everywhere(dH, X, h0, *params):
        out = bptt.gru_backward(dH, X, h0, *params)
        return (2 * out[0],) + out[1:]          # dX doubled, at every size
    report = grade("gru_backward", wrong_everywhere)
    assert report.score == 0.0
    text = str(report)
    assert hints.CASE["sat_grad"] not in text and hints.CASE["last_dh"] not in text


# ---------------------------------------------------------------- wording fits the exercise
def test_a_squeezed_cell_output_is_called_a_lost_batch_axis_not_a_time_step():
    def squeezed(*args):
        return np.squeeze(ref.gru_cell(*args))
    report = grade("gru_cell", squeezed)
    assert "lost its batch axis" in report.feedback
    assert "time step" not in str(report)


def test_the_rnn_cell_is_not_told_about_gate_blocks():
    def broadcast_bug(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        return np.tanh(x @ W_ih.T + b_ih + (h_prev @ W_hh.T + b_hh)[:, :1].T)
    report = grade("rnn_cell", broadcast_bug)
    assert not report.passed
    assert "gate" not in str(report)


def test_the_offending_line_is_quoted():
    def broken(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        a = x @ W_ih + b_ih
        return a
    report = grade("rnn_cell", broken)
    assert "at `a = x @ W_ih + b_ih`" in report.feedback
    assert "line " not in report.feedback


# ---------------------------------------------------------------- a layer and its cell
def _namespace_with(cell, layer_source: str) -> dict:
    """A learner's notebook namespace: their cell and a layer that calls it by name."""
    namespace = {"np": np, "gru_cell": cell}
    exec(layer_source, namespace)
    return namespace


_CARRIED = '''
def gru_forward(X, h0, W_ih, W_hh, b_ih, b_hh):
    h, outs = h0, []
    for x_t in X:
        h = gru_cell(x_t, h, W_ih, W_hh, b_ih, b_hh)
        outs.append(h)
    return np.stack(outs), h
'''
_NOT_CARRIED = _CARRIED.replace("h = gru_cell(x_t, h,", "h = gru_cell(x_t, h0,")


def test_a_right_layer_over_a_wrong_cell_is_told_its_own_code_is_right():
    cell = partial(gru_cell_variant, convention="other")
    layer = _namespace_with(lambda *a: cell(*a), _CARRIED)["gru_forward"]
    report = grade("gru_forward", layer)
    assert not report.passed
    assert "`gru_forward` itself is right" in report.diagnosis
    assert "with torch's convention z = 1 keeps" in report.diagnosis   # what is wrong in the cell


def test_a_wrong_layer_over_a_wrong_cell_gets_both_findings_at_once():
    cell = partial(gru_cell_variant, convention="other")
    layer = _namespace_with(lambda *a: cell(*a), _NOT_CARRIED)["gru_forward"]
    report = grade("gru_forward", layer)
    assert report.diagnosis.startswith("Two problems")
    assert "The state is not carried" in report.diagnosis        # the layer's own bug
    assert "convention" in report.diagnosis                      # and the cell's


def test_a_wrong_layer_over_a_right_cell_names_the_layer_bug_alone():
    layer = _namespace_with(ref.gru_cell, _NOT_CARRIED)["gru_forward"]
    report = grade("gru_forward", layer)
    assert report.diagnosis.startswith("The state is not carried")


def test_the_learner_namespace_is_left_as_it_was():
    cell = partial(gru_cell_variant, convention="other")
    namespace = _namespace_with(cell, _CARRIED)
    grade("gru_forward", namespace["gru_forward"])
    assert namespace["gru_cell"] is cell


# ---------------------------------------------------------------- backward localisation
def _block_scaled(dH, X, h0, *params):
    """Right, except the update gate's block of every parameter gradient (x 1.5)."""
    out = list(bptt.gru_backward(dH, X, h0, *params))
    H = h0.shape[1]
    for k in range(2, 6):
        out[k] = out[k].copy()
        out[k][H:2 * H] *= 1.5
    return tuple(out)


def test_backward_names_the_wrong_gate_block_at_one_time_step():
    report = grade("gru_backward", _block_scaled)
    assert report.diagnosis.startswith("At T = 1 only the z block of"), str(report)
    assert "update gate" in report.diagnosis


def test_backward_right_for_a_batch_of_one_points_to_a_batch_reduction():
    def row_zero_only(dH, X, h0, *params):
        dX, dh0, *_ = bptt.gru_backward(dH, X, h0, *params)
        B = X.shape[1]
        _, _, *grads = bptt.gru_backward(dH[:, :1], X[:, :1], h0[:1], *params)
        return (dX, dh0, *(B * g for g in grads))
    report = grade("gru_backward", row_zero_only)
    assert report.diagnosis == hints.BATCH_BACKWARD, str(report)


def test_backward_right_at_one_step_points_to_the_time_loop():
    def early_steps_off(dH, X, h0, *params):
        dX, *rest = bptt.gru_backward(dH, X, h0, *params)
        dX = dX.copy()
        dX[:-1] *= 1.5
        return (dX, *rest)
    report = grade("gru_backward", early_steps_off)
    assert report.diagnosis == hints.TIME_LOOP_BACKWARD, str(report)


def test_lstm_backward_with_only_dc0_wrong_says_where_dc0_comes_from():
    def dc0_off(*args):
        out = list(bptt.lstm_backward(*args))
        out[2] = 0 * out[2]
        return tuple(out)
    report = grade("lstm_backward", dc0_off)
    assert "only `dc0` is wrong" in report.diagnosis, str(report)


# ---------------------------------------------------------------- no state between calls
def test_a_function_that_memoises_by_weights_does_not_pass():
    cache = {}

    def memo(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        key = W_ih.tobytes()
        if key not in cache:
            cache[key] = ref.gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh)
        return cache[key]
    report = grade("gru_cell", memo)
    assert not report.passed
    state = report.checks[-1]
    assert not state.passed and state.hint == hints.STATEFUL


def test_a_function_that_replays_answers_in_call_order_does_not_pass():
    answers = [c.expected for c in EXERCISES["rnn_cell"].make_cases(False)]
    calls = iter(range(10 ** 6))

    def replay(*args):
        k = next(calls)
        return answers[k] if k < len(answers) else answers[0]
    report = grade("rnn_cell", replay)
    assert not report.passed


def test_a_correct_function_passes_the_state_check_everywhere():
    report = grade("lstm_forward", ref.lstm_forward)
    assert report.passed and "same weights" in report.checks[-1].name


# ---------------------------------------------------------------- containers, alike everywhere
def _as_lists(value):
    if isinstance(value, tuple):
        return [_as_lists(v) for v in value]
    return value


_REFERENCES = {
    "rnn_cell": ref.rnn_cell, "rnn_forward": ref.rnn_forward, "gru_cell": ref.gru_cell,
    "gru_forward": ref.gru_forward, "lstm_cell": ref.lstm_cell, "lstm_forward": ref.lstm_forward,
    "gru_backward": bptt.gru_backward, "lstm_backward": bptt.lstm_backward,
    "gru_stack_forward": ref.gru_stack_forward,
}


@pytest.mark.parametrize("ex_id", sorted(_REFERENCES))
def test_lists_are_accepted_where_the_contract_says_tuple(ex_id):
    fn = _REFERENCES[ex_id]
    report = grade(ex_id, lambda *a: _as_lists(fn(*a)))
    assert report.passed, str(report)


@pytest.mark.parametrize("ex_id", ["rnn_forward", "gru_forward", "lstm_forward"])
def test_the_states_may_come_as_a_list_or_tuple_of_steps(ex_id):
    fn = _REFERENCES[ex_id]
    for container in (list, tuple):
        def steps(*a, container=container):
            H, final = fn(*a)
            return container(H), final
        assert grade(ex_id, steps).passed


@pytest.mark.parametrize("ex_id", ["rnn_cell", "gru_forward", "lstm_forward"])
def test_torch_tensors_are_converted_alike(ex_id):
    import torch

    def as_tensors(value):
        if isinstance(value, tuple):
            return tuple(as_tensors(v) for v in value)
        return torch.from_numpy(np.asarray(value))
    fn = _REFERENCES[ex_id]
    assert grade(ex_id, lambda *a: as_tensors(fn(*a))).passed
