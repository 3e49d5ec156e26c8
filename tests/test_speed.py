"""Unit 07: the fast reference, the timing helper, the benchmark script and the grader."""
from __future__ import annotations


import numpy as np
import pytest

from course_utils import bench, oracle
from course_utils.fast import gru_forward_fast
from course_utils.grading import EXERCISES, grade
from course_utils.grading.build import rand_params
from course_utils.reference import gru_forward
from course_utils.timing import compare, measure, pinned_threads


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_fast_forward_matches_torch(dtype, tol):
    rng = np.random.default_rng(3)
    T, B, I, H = 13, 3, 5, 7
    p = [a.astype(dtype) for a in rand_params(rng, I, H, 3)]
    X = rng.standard_normal((T, B, I)).astype(dtype)
    h0 = rng.standard_normal((B, H)).astype(dtype)
    H_all, h_n = gru_forward_fast(X, h0, *p)
    want_H, want_h = oracle.gru_forward(X, h0, *p)
    assert H_all.dtype == dtype and H_all.shape == (T, B, H)
    np.testing.assert_allclose(H_all, want_H, atol=tol, rtol=0)
    np.testing.assert_allclose(h_n, want_h, atol=tol, rtol=0)


def test_fast_forward_passes_its_grader():
    assert grade("gru_forward_fast", gru_forward_fast, hidden=True).passed


def test_a_slow_function_fails_only_the_speed_check():
    def slow(*args):          # the loop, three times: 3x its time on any machine
        for _ in range(2):
            gru_forward(*args)
        return gru_forward(*args)
    report = grade("gru_forward_fast", slow)
    assert not report.passed
    (failed,) = report.failed
    assert failed.name.startswith("speed") and "x the time" in failed.message


def test_wrong_values_are_diagnosed_like_gru_forward():
    def zero_init(X, h0, *p):
        return gru_forward(X, np.zeros_like(h0), *p)
    report = grade("gru_forward_fast", zero_init)
    assert "initial state is ignored" in report.diagnosis
    assert not any(c.name.startswith("speed") for c in report.checks)  # timed only once right
    assert EXERCISES["gru_forward_fast"].signature.startswith("gru_forward_fast(")


def test_timing_helper_interleaves_and_reports_medians():
    calls = []
    t = compare({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                repeats=3, warmup=1)
    assert calls == ["a", "b"] * 4
    assert len(t["a"].times) == 3 and t["a"].median >= 0
    assert "median of 3" in str(measure(lambda: None, repeats=3))


def test_pinned_threads_restores_torch_threads():
    import torch
    before = torch.get_num_threads()
    with pinned_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_benchmark_runs_on_a_tiny_size(capsys):
    assert bench.main(["--tiny"]) == 0
    out = capsys.readouterr().out
    assert "fast/torch" in out and "naive/fast" in out
    row = out.strip().splitlines()[-1].split()
    assert [int(v) for v in row[:4]] == list(bench.TINY[0])
    assert all(float(v) > 0 for v in row[-2:])


def test_fast_version_bugs_name_the_projection():
    def folded_all_of_b_hh(X, h0, W_ih, W_hh, b_ih, b_hh):
        T, B, I = X.shape
        H = h0.shape[1]
        GI = (X.reshape(T * B, I) @ W_ih.T + b_ih + b_hh).reshape(T, B, 3 * H)  # b_hn too
        h, outs = h0, []
        for t in range(T):
            gh = h @ W_hh.T                                           # no bias left here
            r = 1 / (1 + np.exp(-(GI[t, :, :H] + gh[:, :H])))
            z = 1 / (1 + np.exp(-(GI[t, :, H:2 * H] + gh[:, H:2 * H])))
            n = np.tanh(GI[t, :, 2 * H:] + r * gh[:, 2 * H:])
            h = (1 - z) * n + z * h
            outs.append(h)
        return np.stack(outs), h
    with np.errstate(over="ignore"):
        report = grade("gru_forward_fast", folded_all_of_b_hh)
    assert "folded" in report.diagnosis

    def scrambled(X, h0, *params):
        T, B, I = X.shape
        Xs = X.transpose(1, 0, 2).reshape(T, B, I)      # a reshape that mixes t and b
        return gru_forward(Xs, h0, *params)
    report = grade("gru_forward_fast", scrambled)
    assert "wrong (t, b) pairs" in report.diagnosis
