"""Unit 04: reference backward passes, the gradient checker and the graders."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from course_utils import bptt, fast
from course_utils.gradcheck import grad_check, numerical_gradient, rel_error
from course_utils.grading import grade
from course_utils.grading import hints
from course_utils.grading.bptt import (gru_backward_variant, gru_step_backward_variant,
                                       lstm_backward_variant, lstm_step_backward_variant)
from course_utils.grading.build import rand_params
from course_utils.reference import gru_forward, lstm_forward, sigmoid


def _setup(gates, n_states, seed=0, T=4, B=2, I=3, H=5):
    rng = np.random.default_rng(seed)
    params = rand_params(rng, I, H, gates)
    X = rng.standard_normal((T, B, I))
    states = [rng.uniform(-0.9, 0.9, (B, H)) for _ in range(n_states)]
    dH = rng.standard_normal((T, B, H))
    return dH, X, states, params


@pytest.mark.parametrize("via_exp", [False, True], ids=["tanh", "exp"])
@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_reference_matches_torch_autograd(kind, via_exp, monkeypatch):
    """On both sigmoid routes of the forward cache (course_utils.fast.SIGMOID_VIA_EXP)."""
    monkeypatch.setattr(fast, "SIGMOID_VIA_EXP", via_exp)
    dH, X, states, params = _setup(3 if kind == "gru" else 4, 1 if kind == "gru" else 2)
    ours = getattr(bptt, f"{kind}_backward")(dH, X, *states, *params)
    torch_ = getattr(bptt, f"torch_{kind}_backward")(dH, X, *states, *params)
    for a, b in zip(ours, torch_):
        np.testing.assert_allclose(a, b, atol=1e-12, rtol=0)


@pytest.mark.parametrize("via_exp", [False, True], ids=["tanh", "exp"])
@pytest.mark.parametrize("kind", ["gru", "lstm"])
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-13), (np.float32, 2e-6)])
def test_layer_forward_cache_is_the_plain_gate_math(kind, dtype, tol, via_exp, monkeypatch):
    """The in-place forward cache holds, step by step, what reference.gru_gates /
    lstm_gates give (its sigmoids are (1 + tanh(a / 2)) / 2, or 1 / (1 + exp(-a)) on
    the exp route), in the inputs' dtype, and leaves the inputs as they were."""
    monkeypatch.setattr(fast, "SIGMOID_VIA_EXP", via_exp)
    from course_utils.reference import gru_gates, lstm_gates
    dH, X, states, params = _setup(3 if kind == "gru" else 4, 1 if kind == "gru" else 2,
                                   seed=5, T=6, B=3, I=7, H=4)
    X, states, params = X.astype(dtype), [s.astype(dtype) for s in states], \
        [p.astype(dtype) for p in params]
    before = [a.copy() for a in (X, *states, *params)]
    H_all, c = getattr(bptt, f"{kind}_forward_cache")(X, *states, *params)
    W_ih, W_hh, b_ih, b_hh = (p.astype(np.float64) for p in params)
    h, cell = (s.astype(np.float64) for s in (states * 2)[:2])
    for t in range(X.shape[0]):
        gi = X[t].astype(np.float64) @ W_ih.T + b_ih
        if kind == "gru":
            gh = h @ W_hh.T + b_hh
            want = dict(zip(("r", "z", "n"), gru_gates(gi, gh)), h_prev=h,
                        gh_n=gh[:, 2 * h.shape[1]:])
            h = (1 - want["z"]) * want["n"] + want["z"] * h
        else:
            want = dict(zip("ifgo", lstm_gates(gi + h @ W_hh.T + b_hh)), h_prev=h, c_prev=cell)
            cell = want["f"] * cell + want["i"] * want["g"]
            want["tanh_c"] = np.tanh(cell)
            h = want["o"] * want["tanh_c"]
        for k, v in want.items():
            assert c[k].dtype == dtype
            np.testing.assert_allclose(c[k][t], v, atol=tol, rtol=0, err_msg=f"{k}[{t}]")
        np.testing.assert_allclose(H_all[t], h, atol=tol, rtol=0)
    assert H_all.dtype == dtype
    assert all(np.array_equal(a, b) for a, b in zip((X, *states, *params), before))


@pytest.mark.parametrize("via_exp", [False, True], ids=["tanh", "exp"])
def test_saturated_gates_give_finite_gradients_silently(via_exp, monkeypatch):
    """Weights x 1000: the gates of the forward cache are 0 or 1 on both routes
    (exp overflows to inf on one, which must neither warn nor give NaN), and the
    backward still equals autograd."""
    import warnings
    monkeypatch.setattr(fast, "SIGMOID_VIA_EXP", via_exp)
    for kind, gates, names in (("gru", 3, "rz"), ("lstm", 4, "ifo")):
        dH, X, states, params = _setup(gates, 1 if kind == "gru" else 2, seed=4)
        params = [1000 * p for p in params]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _, c = getattr(bptt, f"{kind}_forward_cache")(X, *states, *params)
            ours = getattr(bptt, f"{kind}_backward")(dH, X, *states, *params)
        for k in names:                                  # saturated: 0 or 1 to round-off
            assert ((c[k] >= 0) & (c[k] <= 1)).all(), k
            assert (np.minimum(c[k], 1 - c[k]) <= 1e-15).mean() > 0.9, k
        theirs = getattr(bptt, f"torch_{kind}_backward")(dH, X, *states, *params)
        for a, b in zip(ours, theirs):
            assert np.isfinite(a).all()
            np.testing.assert_allclose(a, b, atol=1e-9, rtol=1e-12)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_input_projections_computed_in_chunks_cover_every_step(kind, monkeypatch):
    """With a tiny chunk the projections are computed 3 steps ahead; T = 7 is not a
    multiple of 3. The backward still equals autograd."""
    gates = 3 if kind == "gru" else 4
    dH, X, states, params = _setup(gates, 1 if kind == "gru" else 2, seed=6, T=7)
    monkeypatch.setattr(fast, "PROJ_CHUNK", 3 * X.shape[1] * gates * 5)     # H = 5: k = 3
    ours = getattr(bptt, f"{kind}_backward")(dH, X, *states, *params)
    theirs = getattr(bptt, f"torch_{kind}_backward")(dH, X, *states, *params)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-12, rtol=0)


def test_gradcheck_agrees_with_the_reference_gru_backward():
    dH, X, (h0,), params = _setup(3, 1, seed=1, T=3, B=2, I=2, H=3)
    W_ih, W_hh, b_ih, b_hh = (p.copy() for p in params)
    loss = lambda: float(np.sum(dH * gru_forward(X, h0, W_ih, W_hh, b_ih, b_hh)[0]))  # noqa
    grads = bptt.gru_backward(dH, X, h0, W_ih, W_hh, b_ih, b_hh)
    errors = grad_check(loss, {"X": X, "h0": h0, "W_ih": W_ih, "W_hh": W_hh, "b_ih": b_ih,
                               "b_hh": b_hh}, dict(zip(["X", "h0", "W_ih", "W_hh", "b_ih",
                                                        "b_hh"], grads)))
    assert max(errors.values()) < 1e-6, errors
    wrong = gru_backward_variant(dH, X, h0, W_ih, W_hh, b_ih, b_hh, tanh_deriv="1-n")
    assert rel_error(wrong[2], grads[2]) > 1e-3


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_the_references_take_exactly_the_graded_signatures(kind):
    states = ["h0"] if kind == "gru" else ["h0", "c0"]
    expected = ["dH", "X", *states, "W_ih", "W_hh", "b_ih", "b_hh"]
    params = inspect.signature(getattr(bptt, f"{kind}_backward")).parameters
    assert list(params) == expected
    assert all(p.default is inspect.Parameter.empty for p in params.values())


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_each_variant_with_default_switches_is_the_reference_bit_for_bit(kind, seed):
    variant = {"gru": gru_backward_variant, "lstm": lstm_backward_variant}[kind]
    T, B, I, H = np.random.default_rng(100 + seed).integers(1, 7, 4)
    dH, X, states, params = _setup(3 if kind == "gru" else 4, 1 if kind == "gru" else 2,
                                   seed=seed, T=T, B=B, I=I, H=H)
    ours = getattr(bptt, f"{kind}_backward")(dH, X, *states, *params)
    for a, b in zip(variant(dH, X, *states, *params), ours, strict=True):
        assert a.shape == b.shape and np.array_equal(a, b)


def test_numerical_gradient_restores_and_refuses_float32():
    x = np.array([1.0, 2.0])
    g = numerical_gradient(lambda: float(np.sum(x ** 2)), x)
    assert np.allclose(g, [2.0, 4.0], rtol=1e-8, atol=0) and np.array_equal(x, [1.0, 2.0])
    with pytest.raises(TypeError):
        numerical_gradient(lambda: 0.0, np.zeros(2, np.float32))
    with pytest.raises(ValueError):
        rel_error(np.zeros(2), np.zeros(3))


def gru_backward_stepwise(dH, X, h0, W_ih, W_hh, b_ih, b_hh):
    """A different style: a cell backward with an explicit cache per step."""
    T, B, _ = X.shape
    H = h0.shape[1]
    caches, h = [], h0
    for x in X:
        gi, gh = x @ W_ih.T + b_ih, h @ W_hh.T + b_hh
        r = sigmoid(gi[:, :H] + gh[:, :H])
        z = sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        caches.append((x, h, r, z, n, gh[:, 2 * H:]))
        h = (1 - z) * n + z * h
    grads = [np.zeros_like(a) for a in (W_ih, W_hh, b_ih, b_hh)]
    dX, dh = np.zeros_like(X), np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        x, hp, r, z, n, ghn = caches[t]
        dh = dh + dH[t]
        da_n = dh * (1 - z) * (1 - n ** 2)
        da_z = dh * (hp - n) * z * (1 - z)
        da_r = da_n * ghn * r * (1 - r)
        dgi = np.hstack([da_r, da_z, da_n])
        dgh = np.hstack([da_r, da_z, da_n * r])
        dX[t] = dgi @ W_ih
        grads[0] += dgi.T @ x
        grads[1] += dgh.T @ hp
        grads[2] += dgi.sum(0)
        grads[3] += dgh.sum(0)
        dh = dgh @ W_hh + dh * z
    return (dX, dh, *grads)


def gru_backward_autograd(dH, X, h0, *params):
    """Another: torch autograd inside, returning tensors."""
    return bptt.torch_gru_backward(dH, X, h0, *params)


@pytest.mark.parametrize("fn", [bptt.gru_backward, gru_backward_stepwise, gru_backward_autograd],
                         ids=lambda f: getattr(f, "__name__", "fn"))
def test_correct_gru_backwards_pass(fn):
    assert grade("gru_backward", fn, hidden=True).passed


def test_correct_lstm_backward_passes():
    assert grade("lstm_backward", bptt.lstm_backward, hidden=True).passed




def test_wrong_gradient_and_gate_block_are_named():
    def only_db_hh_n_wrong(*args):
        out = list(bptt.gru_backward(*args))
        H = args[2].shape[1]
        out[5] = out[5].copy()
        out[5][2 * H:] *= 2
        return tuple(out)
    report = grade("gru_backward", only_db_hh_n_wrong)
    assert not report.passed
    assert all("`db_hh` has wrong values" in c.message and "gate block n" in c.message
               for c in report.failed), report.feedback
    assert "`dW_ih`" not in report.feedback


def test_lstm_forget_block_named_on_one_step():
    def wrong_f(*args):
        out = list(bptt.lstm_backward(*args))
        H = args[2].shape[1]
        out[3] = out[3].copy()
        out[3][H:2 * H] += 1.0
        return tuple(out)
    report = grade("lstm_backward", wrong_f)
    assert "`dW_ih` has wrong values" in report.feedback and "gate block f" in report.feedback


@pytest.mark.parametrize("exercise, backward, a, b", [
    ("lstm_backward", bptt.lstm_backward, 1, 2),      # dh0 and dc0
    ("gru_backward", bptt.gru_backward, 4, 5),        # db_ih and db_hh
])
def test_two_gradients_in_each_other_place_are_named(exercise, backward, a, b):
    def swapped(*args):
        out = list(backward(*args))
        out[a], out[b] = out[b], out[a]
        return tuple(out)
    report = grade(exercise, swapped)
    assert not report.passed and "in each other's place" in report.diagnosis
    names = ["dX", "dh0", "dc0", "dW_ih", "dW_hh", "db_ih", "db_hh"]
    if exercise == "gru_backward":
        names.remove("dc0")
    assert f"`{names[a]}` and `{names[b]}`" in report.diagnosis


def test_a_transposed_weight_gradient_is_not_called_a_batch_problem():
    def transposed(*args):
        out = list(bptt.gru_backward(*args))
        out[2] = out[2].T
        return tuple(out)
    report = grade("gru_backward", transposed)
    assert "shape of its parameter" in report.feedback
    assert "batch is the first axis" not in report.feedback


def test_benchmark_runs_on_a_tiny_size(capsys):
    from course_utils import bench_bptt
    assert bench_bptt.main(["--tiny"]) == 0
    out = capsys.readouterr().out
    assert "GRU" in out and "LSTM" in out and "NumPy / torch" in out


# ---------------------------------------------------------------- one step (lab 04)
def _step_setup(lstm, seed=0, B=3, I=4, H=5):
    rng = np.random.default_rng(seed)
    params = rand_params(rng, I, H, 4 if lstm else 3)
    x_t = rng.standard_normal((B, I))
    states = [rng.uniform(-0.9, 0.9, (B, H)) for _ in range(2 if lstm else 1)]
    grads = [rng.standard_normal((B, H)) for _ in range(2 if lstm else 1)]
    return x_t, states, params, grads


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("lstm", [False, True], ids=["gru", "lstm"])
def test_step_reference_matches_torch_and_the_layer(lstm, seed):
    x_t, states, params, grads = _step_setup(lstm, seed)
    if lstm:
        h_next, c_next, cache = bptt.lstm_step_forward(x_t, *states, *params)
        ours = bptt.lstm_step_backward(*grads, cache, *params[:2])
        theirs = bptt.torch_lstm_step_backward(*grads, x_t, *states, *params)
        H_all, (h_n, c_n) = lstm_forward(x_t[None], *states, *params)
        assert np.allclose(c_next, c_n, rtol=0, atol=1e-14)
    else:
        h_next, cache = bptt.gru_step_forward(x_t, *states, *params)
        ours = bptt.gru_step_backward(*grads, cache, *params[:2])
        theirs = bptt.torch_gru_step_backward(*grads, x_t, *states, *params)
        H_all, h_n = gru_forward(x_t[None], *states, *params)
    assert np.allclose(h_next, h_n, rtol=0, atol=1e-14)
    for a, b in zip(ours, theirs, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=1e-12, rtol=0)


@pytest.mark.parametrize("lstm", [False, True], ids=["gru", "lstm"])
def test_step_variants_with_default_switches_are_the_reference_bit_for_bit(lstm):
    x_t, states, params, grads = _step_setup(lstm, 7, B=2, I=3, H=4)
    if lstm:
        *_, cache = bptt.lstm_step_forward(x_t, *states, *params)
        pairs = zip(lstm_step_backward_variant(*grads, cache, *params[:2]),
                    bptt.lstm_step_backward(*grads, cache, *params[:2]), strict=True)
    else:
        _, cache = bptt.gru_step_forward(x_t, *states, *params)
        pairs = zip(gru_step_backward_variant(*grads, cache, *params[:2]),
                    bptt.gru_step_backward(*grads, cache, *params[:2]), strict=True)
    assert all(np.array_equal(a, b) for a, b in pairs)


def gru_step_backward_einsum(dh_next, cache, W_ih, W_hh):
    """Another style: np.split of the weights, einsum, lists returned."""
    x_t, h_prev, r, z, n, gh_n = cache
    W_ir, W_iz, W_in = np.split(W_ih, 3)
    W_hr, W_hz, W_hn = np.split(W_hh, 3)
    dz = dh_next * (h_prev - n)
    dn = dh_next - dh_next * z
    dan = dn * (1.0 - np.square(n))
    dar = dan * gh_n * r * (1.0 - r)
    daz = dz * z * (1.0 - z)
    dx = dar @ W_ir + daz @ W_iz + dan @ W_in
    dh = dar @ W_hr + daz @ W_hz + (dan * r) @ W_hn + z * dh_next
    dWi = np.vstack([np.einsum("bj,bk->jk", g, x_t) for g in (dar, daz, dan)])
    dWh = np.vstack([np.einsum("bj,bk->jk", g, h_prev) for g in (dar, daz, dan * r)])
    return [dx, dh, dWi, dWh, np.concatenate([dar.sum(0), daz.sum(0), dan.sum(0)]),
            np.concatenate([dar.sum(0), daz.sum(0), (dan * r).sum(0)])]


def lstm_step_backward_loops(dh_next, dc_next, cache, W_ih, W_hh):
    """Another style: one row of the batch at a time, outer products, float32-free."""
    x_t, h_prev, c_prev, i, f, g, o, tc = cache
    B = x_t.shape[0]
    out = [np.zeros_like(x_t), np.zeros_like(h_prev), np.zeros_like(c_prev),
           np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros(W_ih.shape[0]),
           np.zeros(W_ih.shape[0])]
    for b in range(B):
        dc = dc_next[b] + dh_next[b] * o[b] * (1 - tc[b] * tc[b])
        da = np.concatenate([dc * g[b] * i[b] * (1 - i[b]), dc * c_prev[b] * f[b] * (1 - f[b]),
                             dc * i[b] * (1 - g[b] * g[b]), dh_next[b] * tc[b] * o[b] * (1 - o[b])])
        out[0][b], out[1][b], out[2][b] = W_ih.T @ da, W_hh.T @ da, dc * f[b]
        out[3] += np.outer(da, x_t[b])
        out[4] += np.outer(da, h_prev[b])
        out[5] += da
        out[6] += da
    return tuple(out)


@pytest.mark.parametrize("ex_id, fn", [
    ("gru_step_backward", bptt.gru_step_backward),
    ("gru_step_backward", gru_step_backward_einsum),
    ("lstm_step_backward", bptt.lstm_step_backward),
    ("lstm_step_backward", lstm_step_backward_loops),
], ids=["gru-ref", "gru-einsum", "lstm-ref", "lstm-loops"])
def test_correct_step_backwards_in_other_styles_pass(ex_id, fn):
    report = grade(ex_id, fn, hidden=True)
    assert report.passed and report.score == 1.0, str(report)


def test_a_step_that_writes_into_its_cache_is_told_so():
    def in_place(dh_next, cache, W_ih, W_hh):
        out = bptt.gru_step_backward(dh_next, cache, W_ih, W_hh)
        r = cache[2]
        r *= 0.5                                         # the cache's r, in place
        return out
    report = grade("gru_step_backward", in_place)
    assert not report.passed and "cache" in report.feedback and "modif" in report.feedback


def test_a_step_without_dc_next_gets_the_cells_hint_and_names_the_case():
    def no_dc(dh_next, dc_next, cache, W_ih, W_hh):
        return bptt.lstm_step_backward(dh_next, np.zeros_like(dc_next), cache, W_ih, W_hh)
    report = grade("lstm_step_backward", no_dc)
    assert report.diagnosis == hints.MISTAKE["lstm_step_backward"]["no cell carry"]
    assert not [c for c in report.checks if "dc_next = 0" in c.name and not c.passed]


def test_a_layer_on_a_wrong_step_is_told_the_step_is_wrong():
    namespace = {"np": np, "gru_step_forward": bptt.gru_step_forward}

    def wrong_step(dh_next, cache, W_ih, W_hh):
        return gru_step_backward_variant(dh_next, cache, W_ih, W_hh, tanh_deriv="1-n")
    namespace["gru_step_backward"] = wrong_step
    exec(compile(_LAB_GRU_LAYER, "<cell>", "exec"), namespace)
    report = grade("gru_backward", namespace["gru_backward"])
    assert not report.passed
    assert "`gru_step_backward`" in report.diagnosis and "itself is right" in report.diagnosis


def test_the_labs_layer_on_the_course_step_passes():
    namespace = {"np": np, "gru_step_forward": bptt.gru_step_forward,
                 "gru_step_backward": bptt.gru_step_backward}
    exec(compile(_LAB_GRU_LAYER, "<cell>", "exec"), namespace)
    assert grade("gru_backward", namespace["gru_backward"], hidden=True).passed


_LAB_GRU_LAYER = '''
def gru_backward(dH, X, h0, W_ih, W_hh, b_ih, b_hh):
    caches, h = [], h0
    for x_t in X:
        h, cache = gru_step_forward(x_t, h, W_ih, W_hh, b_ih, b_hh)
        caches.append(cache)
    dX = np.zeros_like(X)
    dparams = [np.zeros_like(p) for p in (W_ih, W_hh, b_ih, b_hh)]
    dh_prev = np.zeros_like(h0)
    for t in reversed(range(len(X))):
        dX[t], dh_prev, *step = gru_step_backward(dH[t] + dh_prev, caches[t], W_ih, W_hh)
        for total, share in zip(dparams, step):
            total += share
    return (dX, dh_prev, *dparams)
'''
