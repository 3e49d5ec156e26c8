"""Unit 07: the fast reference, the timing helper, the benchmark script and the grader."""
from __future__ import annotations


import numpy as np
import pytest

from course_utils import bench, oracle
from course_utils import fast
from course_utils.fast import gru_forward_fast, lstm_forward_fast
from course_utils.grading import EXERCISES, grade, speed
from course_utils.grading.build import rand_params
from course_utils.reference import gru_forward, lstm_forward
from course_utils.timing import compare, measure, pinned_threads


def _leaves(value):
    """The arrays of a nested (H_all, h_n) or (H_all, (h_n, c_n)) output, in order."""
    return [x for v in value for x in _leaves(v)] if isinstance(value, tuple) else [value]


FAST = {"gru": (gru_forward_fast, oracle.gru_forward, 3, 1, 3),    # fn, oracle, gates,
        "lstm": (lstm_forward_fast, oracle.lstm_forward, 4, 2, 4)}  # states, seed


@pytest.mark.parametrize("cell", sorted(FAST))
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("I, H", [(5, 7), (9, 4)])   # the LSTM: I <= H fuses x_t into W h
@pytest.mark.parametrize("via_exp", [False, True])   # the sigmoids from tanh or from exp
def test_fast_forward_matches_torch(cell, dtype, tol, I, H, via_exp, monkeypatch):
    monkeypatch.setattr(fast, "SIGMOID_VIA_EXP", via_exp)
    fast_fn, oracle_fn, gates, n_states, seed = FAST[cell]
    rng = np.random.default_rng(seed)
    T, B = 13, 3
    p = [a.astype(dtype) for a in rand_params(rng, I, H, gates)]
    X = rng.standard_normal((T, B, I)).astype(dtype)
    states = list(rng.standard_normal((n_states, B, H)).astype(dtype))
    got, want = _leaves(fast_fn(X, *states, *p)), _leaves(oracle_fn(X, *states, *p))
    assert got[0].shape == (T, B, H) and all(g.dtype == dtype for g in got)
    assert len(got) == len(want) == 1 + n_states
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, atol=tol, rtol=0)


@pytest.mark.parametrize("I", [3, 11])                # H = 6: narrower and wider inputs
def test_both_ways_of_feeding_the_lstm_input_agree(I):
    """fuse_input=True (x_t inside the per-step product) and False (the projection
    before the loop) give lab 03's values whatever the widths."""
    rng = np.random.default_rng(9)
    T, B, H = 7, 8, 6
    X = rng.standard_normal((T, B, I))
    h0, c0 = rng.uniform(-0.5, 0.5, (2, B, H))
    p = rand_params(rng, I, H, 4)
    want = lstm_forward(X, h0, c0, *p)
    for fuse in (True, False, None):
        got = lstm_forward_fast(X, h0, c0, *p, fuse_input=fuse)
        for g, w in zip(_leaves(got), _leaves(want)):
            np.testing.assert_allclose(g, w, atol=1e-13, rtol=0)


def test_lstm_row_blocks_give_the_same_layer_and_are_chosen_once(monkeypatch):
    """row_blocks=1 and 4 (one per-step product or four of a quarter of the rows)
    agree with the plain loop; left to itself the function times both once per
    shape and dtype, keeps the choice (1 or 4), and skips timing for big products."""
    rng = np.random.default_rng(7)
    T, B, I, H = 5, 3, 4, 8
    X = rng.standard_normal((T, B, I))
    h0, c0 = rng.uniform(-0.5, 0.5, (2, B, H))
    p = rand_params(rng, I, H, 4)
    want = lstm_forward(X, h0, c0, *p)
    monkeypatch.setattr(fast, "_ROW_BLOCKS", {})
    for blocks in (1, 4, None):
        got = lstm_forward_fast(X, h0, c0, *p, row_blocks=blocks)
        for g, w in zip(_leaves(got), _leaves(want)):
            np.testing.assert_allclose(g, w, atol=1e-13, rtol=0)
    (key, choice), = fast._ROW_BLOCKS.items()
    assert key == ((4 * H, H + I + 1), B, "<f8") and choice in (1, 4)
    timed = []
    monkeypatch.setattr(fast, "_faster_split", lambda *a: timed.append(a) or 4)
    lstm_forward_fast(X, h0, c0, *p)
    assert timed == [] and fast._ROW_BLOCKS[key] == choice     # chosen once per shape
    monkeypatch.undo()
    W, x = np.ones((4096, 2048)), np.ones((2048, 64))
    assert fast._faster_split(W, x, np.empty((4096, 64))) == 1   # > 1 ms: not timed


@pytest.mark.parametrize("via_exp", [False, True])
def test_saturated_gates_are_exact_and_silent(via_exp, monkeypatch):
    """Pre-activations of +-1000: every gate is exactly 0 or 1 on both routes (exp
    overflows to inf there, which must neither warn nor give NaN)."""
    import warnings
    monkeypatch.setattr(fast, "SIGMOID_VIA_EXP", via_exp)
    rng = np.random.default_rng(2)
    T, B, I, H = 4, 3, 2, 5
    X = rng.choice([-1.0, 1.0], (T, B, I))
    h0, c0 = rng.uniform(-0.5, 0.5, (2, B, H))
    p3 = [1000 * a for a in rand_params(rng, I, H, 3)]
    p4 = [1000 * a for a in rand_params(rng, I, H, 4)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = [gru_forward_fast(X, h0, *p3)[0], lstm_forward_fast(X, h0, c0, *p4)[0]]
    want = [gru_forward(X, h0, *p3)[0], lstm_forward(X, h0, c0, *p4)[0]]
    for g, w in zip(got, want):
        assert np.isfinite(g).all()
        np.testing.assert_allclose(g, w, atol=1e-12, rtol=0)


@pytest.mark.parametrize("B", [1, 9])               # both input-projection paths
def test_chunked_output_copies_cover_every_step(monkeypatch, B):
    """With tiny chunks the outputs are copied out, and the input projections computed
    ahead, every few steps (4 for the GRU, 3 for the LSTM); T is not a multiple of either.
    I = 9 > H: the LSTM's projection before the loop; I = 4: its fused product."""
    monkeypatch.setattr(fast, "CHUNK", 3 * 7 * B)
    monkeypatch.setattr(fast, "PROJ_CHUNK", 3 * 28 * B)
    rng = np.random.default_rng(5)
    T, H = 11, 7
    h0, c0 = rng.uniform(-0.5, 0.5, (2, B, H))
    for I in (9, 4):
        X = rng.standard_normal((T, B, I))
        p3, p4 = rand_params(rng, I, H, 3), rand_params(rng, I, H, 4)
        np.testing.assert_allclose(gru_forward_fast(X, h0, *p3)[0],
                                   gru_forward(X, h0, *p3)[0], atol=1e-13, rtol=0)
        np.testing.assert_allclose(lstm_forward_fast(X, h0, c0, *p4)[0],
                                   lstm_forward(X, h0, c0, *p4)[0], atol=1e-13, rtol=0)


def test_fast_lstm_passes_its_grader_and_the_loop_fails_the_speed_check():
    assert grade("lstm_forward_fast", lstm_forward_fast, hidden=True).passed
    report = grade("lstm_forward_fast", lstm_forward)
    (failed,) = report.failed
    assert failed.name == speed.SPEED_NAME and failed.hint == speed.PROJECTION_HINT
    assert EXERCISES["lstm_forward_fast"].signature.startswith("lstm_forward_fast(")


def test_fast_lstm_scrambled_projection_is_named():
    def scrambled(X, h0, c0, *params):
        T, B, I = X.shape
        return lstm_forward(X.transpose(1, 0, 2).reshape(T, B, I), h0, c0, *params)
    report = grade("lstm_forward_fast", scrambled)
    assert "wrong (t, b) pairs" in report.diagnosis and "4H" in report.diagnosis


def test_fast_forward_passes_its_grader():
    assert grade("gru_forward_fast", gru_forward_fast, hidden=True).passed


def test_a_slow_function_fails_only_the_speed_check():
    def slow(*args):          # the loop, three times: 3x its time and its extra time
        for _ in range(2):
            gru_forward(*args)
        return gru_forward(*args)
    report = grade("gru_forward_fast", slow)
    assert not report.passed
    (failed,) = report.failed
    assert failed.name.startswith("speed") and "per-step loop" in failed.message


def test_the_plain_per_step_loop_fails_the_one_product_check():
    """A per-step projection adds what the loop adds (share ~1.0 measured, bound 0.65)."""
    report = grade("gru_forward_fast", gru_forward)
    (failed,) = report.failed
    assert failed.name == speed.SPEED_NAME and failed.hint == speed.PROJECTION_HINT
    assert "times as much time to your function as to the per-step loop" in failed.message


class _Scripted:
    """A correct function whose timings are scripted: ``timers`` (the autograder's
    interface) gives (yours, loop) timed calls whose seconds are those of the case's
    width I, times ``load(number of timers asked for)``, a slowdown that hits both alike."""

    def __init__(self, yours, loop, load=lambda k: 1.0):
        self.yours, self.loop, self.load, self.calls = yours, loop, load, 0

    def __call__(self, *args):
        return gru_forward_fast(*args)

    def timers(self, other):
        assert other == speed.LOOP
        s = self.load(self.calls)
        self.calls += 1

        def timed(seconds):
            return lambda args: (gru_forward_fast(*args), seconds[args[0].shape[2]] * s)
        return timed(self.yours), timed(self.loop)


LO, HI = speed.SPEED_WIDTHS
LOOP_MS = {LO: 2.0e-3, HI: 7.0e-3}


def test_share_is_the_extra_time_of_the_wide_input_over_the_loops():
    fn = _Scripted({LO: 0.8e-3, HI: 2.5e-3}, LOOP_MS)
    m = speed.measure_speed(fn, rounds=3)
    assert m["share"] == pytest.approx((2.5 - 0.8) / (7.0 - 2.0), rel=1e-12, abs=0)
    assert m["ratio"] == pytest.approx(2.5 / 7.0, rel=1e-12, abs=0)
    assert fn.calls == 6


def test_load_that_slows_both_alike_changes_nothing():
    bursts = lambda k: (1.0, 3.0, 1.7, 5.0)[k % 4]   # noqa: E731 - every call a new load
    fn = _Scripted({LO: 0.8e-3, HI: 2.5e-3}, LOOP_MS, load=bursts)
    (result,) = speed.speed_check(fn)
    assert result.passed and fn.calls == 2 * speed.LOOKS[0][0]      # passed on the first look


def test_a_per_step_projection_fails_after_the_first_look():
    fn = _Scripted({LO: 1.0e-3, HI: 6.0e-3}, LOOP_MS)            # adds what the loop adds
    (result,) = speed.speed_check(fn)
    assert not result.passed and result.hint == speed.PROJECTION_HINT
    assert "1.00 times as much time" in result.message
    assert fn.calls == 2 * speed.LOOKS[0][0]                     # clearly failing: one look


def test_a_share_between_the_bounds_gets_every_look_before_it_fails():
    fn = _Scripted({LO: 1.0e-3, HI: 4.75e-3}, LOOP_MS)           # share 0.75: 0.65 < 0.75 < 0.85
    (result,) = speed.speed_check(fn)
    assert not result.passed and "0.75 times as much time" in result.message
    assert fn.calls == 2 * sum(rounds for rounds, _ in speed.LOOKS)


def test_a_share_under_the_final_bound_passes_on_the_last_look():
    fn = _Scripted({LO: 1.0e-3, HI: 3.75e-3}, LOOP_MS)           # share 0.55: 0.45 < 0.55 < 0.65
    (result,) = speed.speed_check(fn)
    assert result.passed and fn.calls == 2 * sum(rounds for rounds, _ in speed.LOOKS)


def test_one_product_but_a_slow_loop_body_fails_on_time():
    fn = _Scripted({LO: 10.0e-3, HI: 11.7e-3}, LOOP_MS)          # share 0.34, 1.7x the loop
    (result,) = speed.speed_check(fn)
    assert not result.passed and result.hint == speed.TIME_HINT
    assert "1.7x the time of a plain per-step loop" in result.message


def test_one_product_but_far_slower_than_the_loop_fails_after_the_first_look():
    fn = _Scripted({LO: 20.0e-3, HI: 22.0e-3}, LOOP_MS)          # share 0.40, 3.1x the loop
    (result,) = speed.speed_check(fn)
    assert not result.passed and result.hint == speed.TIME_HINT
    assert "3.1x the time of a plain per-step loop" in result.message
    assert fn.calls == 2 * speed.LOOKS[0][0]                     # clearly failing: one look


def test_a_timing_that_fails_is_reported_in_words():
    fn = _Scripted({LO: 1e-3, HI: 1e-3}, LOOP_MS)
    fn.timers = lambda *a: (_ for _ in ()).throw(RuntimeError("learner process died"))
    (result,) = speed.speed_check(fn)
    assert not result.passed and "could not time your function" in result.message


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


def _rows(out):
    """The table rows of the benchmark's output (lines that start with T B I H)."""
    return [line.split() for line in out.splitlines()
            if line.split()[:4] == [str(v) for v in bench.TINY[0]]]


def test_benchmark_runs_on_a_tiny_size(capsys):
    assert bench.main(["--tiny"]) == 0
    out = capsys.readouterr().out
    assert "fast/torch" in out and "naive/fast" in out and "f32 fast/torch" in out
    for key in ("machine:", "torch CPU capability", "NumPy", "SIMD", "BLAS"):
        assert key in out
    gru_row, lstm_row = _rows(out)
    assert all(float(v) > 0 for v in gru_row[-2:] + lstm_row[-3:-1])
    assert lstm_row[-1] in ("1/1", "1/4", "4/1", "4/4")      # the row blocks picked


def test_benchmark_device_path_runs_on_the_cpu(capsys):
    """The cuDNN column's code path (module moved to a device, synchronised timing),
    exercised with device="cpu" at a tiny size."""
    t = bench.bench_size(*bench.TINY[0], repeats=2, device="cpu")
    assert set(t) == {"naive NumPy", "fast NumPy", "torch CPU", "torch device"}
    assert t["torch device"].median > 0 and len(t["torch device"].times) == 2
    assert bench.main(["--tiny", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "torch/cpu" in out and "core" in out.splitlines()[0]
    gru_row, _ = _rows(out)
    assert float(gru_row[-1]) > 0


def test_lstm_benchmark_times_both_dtypes():
    t = bench.bench_lstm_size(*bench.TINY[0], repeats=2)
    assert set(t) == {"fast NumPy f32", "torch CPU f32", "fast NumPy f64", "torch CPU f64"}
    assert all(v.median > 0 and len(v.times) == 2 for v in t.values())


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


def test_the_reference_passes_when_timed_in_the_learner_process():
    """The autograder's path: the function runs in a sandbox and is timed there
    against the loop (``timers``); share ~0.35 measured, bound 0.65."""
    from course_utils.sandbox import Sandbox
    box = Sandbox()
    try:
        box.execute("from course_utils.fast import gru_forward_fast\n")
        (result,) = speed.speed_check(box.function("gru_forward_fast"))
        assert result.passed, result.message
    finally:
        box.kill()
