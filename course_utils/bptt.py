"""Backpropagation through time for the GRU and the LSTM (unit 04).

Reference NumPy backward passes (fast: the products that do not depend on
the recurrence are done once for all time steps) and torch-autograd oracles.
The loss is ``L = sum(dH * H)``, so ``dH (T, B, H)`` is dL/dH for every output;
the final states get no separate gradient.

Each backward is written once, in pieces: the forward with its cache, the
local derivatives of every step (``_gru_factors``, ``_lstm_factors``), one
step backwards (``_gru_stepper``, ``_lstm_stepper``), the time loop
(``_through_time``) and the products outside it (``_param_grads``). The
graders' mistakes (``course_utils.grading.bptt``) are built from the same
pieces; nothing here is a grading switch.
"""
from __future__ import annotations

import numpy as np
import torch

from . import fast
from .oracle import param_names
from .reference import gru_gates, lstm_gates

__all__ = ["gru_forward_cache", "gru_backward", "lstm_forward_cache", "lstm_backward",
           "torch_gru_backward", "torch_lstm_backward", "GRU_STEP_CACHE", "LSTM_STEP_CACHE",
           "gru_step_forward", "gru_step_backward", "lstm_step_forward", "lstm_step_backward",
           "torch_gru_step_backward", "torch_lstm_step_backward"]

#: what one step's cache holds, in order (lab 04 states the same): each (B, I) or (B, H);
#: gh_n = W_hn h_prev + b_hn, the recurrent part of the candidate's pre-activation
GRU_STEP_CACHE = ("x_t", "h_prev", "r", "z", "n", "gh_n")
#: the LSTM step's cache; tanh_c = tanh(c_next)
LSTM_STEP_CACHE = ("x_t", "h_prev", "c_prev", "i", "f", "g", "o", "tanh_c")


def _dtype(*arrays):
    """The arrays' common float dtype (float64 for integer inputs): caches and
    gradients keep the inputs' precision."""
    dt = np.result_type(*arrays)
    return dt if dt.kind == "f" else np.dtype(np.float64)


def _gru_step(gi, h, W_hh, b_hh):
    """One GRU step from its input projection gi (B, 3H) -> (h_next, r, z, n, gh_n)."""
    H = h.shape[1]
    gh = h @ W_hh.T + b_hh
    r, z, n = gru_gates(gi, gh)
    return (1 - z) * n + z * h, r, z, n, gh[:, 2 * H:]


def _half_sigmoid_(t, out):
    """sigmoid(a) from t = tanh(a / 2), written into ``out``: (1 + t) / 2 (any shape)."""
    np.multiply(t, 0.5, out=out)
    out += 0.5


def _sigmoid_(a, out, via_exp):
    """sigmoid of the pre-activations whose scaled value ``a`` holds (a / 2 for the
    tanh route, -a for the exp route), written into ``out`` (any shape); ``a`` is
    overwritten. Under np.errstate(over="ignore") on the exp route: exp(-a) = inf
    gives the gate 0, as it should."""
    if via_exp:
        fast._sigmoid_via_exp_(a, out)
    else:
        np.tanh(a, out=a)
        _half_sigmoid_(a, out)


def _projections(X, W_ih, b, scale, dt):
    """The input projections of a layer's forward cache, per-gate scales folded in.

    X (T, B, I), W_ih (G, I), b (G,), scale (G,) (powers of two: exact) -> an iterator
    over T arrays (B, G) = scale * (x_t W_ih^T + b), dtype dt, each valid until the
    next one is taken. They are computed k steps at a time, one product per chunk of
    about :data:`course_utils.fast.PROJ_CHUNK` elements, so the loop reads them back from the cache, not from
    memory (timed against one product for all T steps before the loop: clearly
    faster in float64, about the same in float32).
    """
    T, B, I = X.shape
    W = np.ascontiguousarray(np.asarray(W_ih, dtype=dt).T * scale)   # (I, G), row-major
    b = np.asarray(b, dtype=dt) * scale
    G = W.shape[1]
    k = max(1, min(T, fast.PROJ_CHUNK // (B * G)))
    chunk = np.empty((k, B, G), dtype=dt)
    X = np.asarray(X, dtype=dt)
    for t0 in range(0, T, k):
        m = min(k, T - t0)
        out = chunk[:m].reshape(m * B, G)
        np.matmul(X[t0:t0 + m].reshape(m * B, I), W, out=out)
        out += b
        yield from chunk[:m]


def gru_forward_cache(X, h0, W_ih, W_hh, b_ih, b_hh):
    """GRU forward (torch's form) keeping what the backward needs (lesson 04).

    X (T, B, I), h0 (B, H) -> (H_all (T, B, H), cache dict of (T, B, .) arrays).

    The gate math of :func:`course_utils.reference.gru_gates`, in place: every buffer
    preallocated, each step's values written straight into the cache, and the
    sigmoids as (1 + tanh(a / 2)) / 2 with the halving folded into the r and z
    weights (exact: a power of two), so r and z share one ``tanh`` call; where
    NumPy's tanh is not vectorised (:data:`course_utils.fast.SIGMOID_VIA_EXP`) as
    1 / (1 + exp(-a)), the minus sign folded in instead.
    """
    T, B, _ = X.shape
    H = h0.shape[1]
    dt = _dtype(X, h0, W_ih, W_hh, b_ih, b_hh)
    via_exp, tanh_exp = fast.SIGMOID_VIA_EXP, fast._tanh_via_exp(dt)
    half = np.ones(3 * H, dtype=dt)
    half[:2 * H] = fast._SIGMOID_SCALE[via_exp]          # r, z: a / 2 or -a
    b = np.array(b_ih, dtype=dt)
    b[:2 * H] += np.asarray(b_hh[:2 * H], dtype=dt)      # r and z: both biases folded in
    GI = _projections(X, W_ih, b, half, dt)              # T arrays (B, 3H)
    W_hhT = np.ascontiguousarray(np.asarray(W_hh, dtype=dt).T * half)   # (H, 3H), row-major
    b_hn = np.asarray(b_hh[2 * H:], dtype=dt)
    hs = np.empty((T + 1, B, H), dtype=dt)               # hs[t] = h_{t-1}: h_prev, then H_all
    hs[0] = h0
    RZ = np.empty((T, B, 2 * H), dtype=dt)               # r and z side by side: one pass
    cache = {"h_prev": hs[:T], "r": RZ[..., :H], "z": RZ[..., H:]}
    cache.update({k: np.empty((T, B, H), dtype=dt) for k in ("n", "gh_n")})
    r, z, n, gh_n = (cache[k] for k in ("r", "z", "n", "gh_n"))
    gh = np.empty((B, 3 * H), dtype=dt)
    d = np.empty((B, H), dtype=dt)
    with np.errstate(over="ignore"):
        for t, gi in enumerate(GI):
            np.matmul(hs[t], W_hhT, out=gh)
            rz = gh[:, :2 * H]
            rz += gi[:, :2 * H]
            _sigmoid_(rz, RZ[t], via_exp)                # r, z
            np.add(gh[:, 2 * H:], b_hn, out=gh_n[t])    # W_hn h + b_hn
            np.multiply(r[t], gh_n[t], out=n[t])
            n[t] += gi[:, 2 * H:]
            fast._tanh_(n[t], n[t], tanh_exp)
            np.subtract(hs[t], n[t], out=d)
            d *= z[t]
            np.add(n[t], d, out=hs[t + 1])               # (1 - z) n + z h
    return hs[1:], cache


def _gru_factors(c):
    """The local derivatives of GRU steps, from their cache: a dict of arrays shaped
    like the cache's, (T, B, H) for a layer or (B, H) for one step (``_at(cache, t)``).

    Each entry is the factor that takes a gradient from one quantity to the next:
    "n" dh'/dn = 1 - z, "z" dh'/dz = h - n, "h" dh'/dh (the direct path) = z,
    "a_n" dn/da_n = 1 - n^2, "r" da_n/dr = W_hn h + b_hn, "ah_n" da_n/d(W_hn h + b_hn) = r,
    "a_r" dr/da_r = r (1 - r), "a_z" dz/da_z = z (1 - z).
    """
    r, z, n = c["r"], c["z"], c["n"]
    one_minus_z = 1 - z
    return {"n": one_minus_z, "z": c["h_prev"] - n, "h": z, "a_n": 1 - n * n, "r": c["gh_n"],
            "ah_n": r, "a_r": r * (1 - r), "a_z": z * one_minus_z}


def _at(arrays, t):
    """Step t of a dict of (T, ...) arrays (a layer's cache or factors): {name: array[t]}."""
    return {k: v[t] for k, v in arrays.items()}


def _gru_stepper(factors, W_hh, dA_x, dA_h):
    """One GRU step backwards, as ``step(t, dh) -> (dh_prev,)``.

    dh (B, H) is dL/dh_t (total); ``factors(t)`` the factors of ``_gru_factors``
    for step t, each (B, H). The step writes the gradients of its input and
    recurrent pre-activations into dA_x[t] and dA_h[t] (B, 3H), blocks r, z, n.
    """
    H = W_hh.shape[1]

    def step(t, dh):
        F = factors(t)
        dax, dah = dA_x[t], dA_h[t]
        da_r, da_z, da_n = dax[:, :H], dax[:, H:2 * H], dax[:, 2 * H:]
        np.multiply(dh * F["n"], F["a_n"], out=da_n)
        np.multiply(dh * F["z"], F["a_z"], out=da_z)
        np.multiply(da_n * F["r"], F["a_r"], out=da_r)
        dah[:, :2 * H] = dax[:, :2 * H]                  # r and z: the same in both
        np.multiply(da_n, F["ah_n"], out=dah[:, 2 * H:])
        return (dah @ W_hh + dh * F["h"],)
    return step


def _through_time(dH, step, n_carried):
    """Run ``step(t, dh, *carried)`` for t = T-1, ..., 0 -> what step 0 returns.

    dh = dH[t] + the dh that step t + 1 returned (the state is an output and the
    next step's input: its gradient is the sum); the other carried gradients
    (the LSTM's dc) are passed on as they are. All start at zero.
    """
    carried = (np.zeros_like(dH[0]),) * n_carried
    for t in reversed(range(len(dH))):
        carried = step(t, dH[t] + carried[0], *carried[1:])
    return carried


def _param_grads(dA_x, dA_h, X, h_prev, W_ih):
    """The products outside the time loop -> (dX, dW_ih, dW_hh, db_ih, db_hh).

    dA_x, dA_h (T, B, G): gradients of the input and recurrent pre-activations;
    X (T, B, I), h_prev (T, B, H) the state each step received.
    """
    T, B, I = X.shape
    G = dA_x.shape[2]
    flat_x, flat_h = dA_x.reshape(T * B, G), dA_h.reshape(T * B, G)
    db_ih = flat_x.sum(axis=0)
    db_hh = db_ih.copy() if dA_h is dA_x else flat_h.sum(axis=0)   # the LSTM: one dA for both
    return ((flat_x @ W_ih).reshape(T, B, I), flat_x.T @ X.reshape(T * B, I),
            flat_h.T @ h_prev.reshape(T * B, h_prev.shape[2]), db_ih, db_hh)


def gru_backward(dH, X, h0, W_ih, W_hh, b_ih, b_hh):
    """Gradients of L = sum(dH * H) for one GRU layer (torch's form; lab 04).

    dH (T, B, H), X (T, B, I), h0 (B, H), W_ih (3H, I), W_hh (3H, H),
    b_ih (3H,), b_hh (3H,) -> (dX (T, B, I), dh0 (B, H), dW_ih (3H, I),
    dW_hh (3H, H), db_ih (3H,), db_hh (3H,)).
    """
    T, B, _ = X.shape
    _, c = gru_forward_cache(X, h0, W_ih, W_hh, b_ih, b_hh)
    dt = c["r"].dtype
    dA_x, dA_h = (np.empty((T, B, W_ih.shape[0]), dtype=dt) for _ in range(2))
    step = _gru_stepper(lambda t: _gru_factors(_at(c, t)), W_hh, dA_x, dA_h)
    (dh0,) = _through_time(dH, step, 1)
    dX, dW_ih, dW_hh, db_ih, db_hh = _param_grads(dA_x, dA_h, X, c["h_prev"], W_ih)
    return dX, dh0, dW_ih, dW_hh, db_ih, db_hh


def _lstm_step(a, c_prev):
    """One LSTM step from its pre-activations a (B, 4H) -> (h_next, c_next, i, f, g, o, tanh_c)."""
    i, f, g, o = lstm_gates(a)
    c_next = f * c_prev + i * g
    tanh_c = np.tanh(c_next)
    return o * tanh_c, c_next, i, f, g, o, tanh_c


def lstm_forward_cache(X, h0, c0, W_ih, W_hh, b_ih, b_hh):
    """LSTM forward (torch's form) keeping what the backward needs (lesson 04).

    X (T, B, I), h0 (B, H), c0 (B, H) -> (H_all (T, B, H), cache dict).

    The gate math of :func:`course_utils.reference.lstm_gates`, in place, as in
    :func:`gru_forward_cache`: i, f, o from one ``tanh`` call of halved
    pre-activations, g from the same call; on the exp route one ``exp`` call
    covers the four blocks, g = 2 sigmoid(2 a_g) - 1.
    """
    T, B, _ = X.shape
    H = h0.shape[1]
    dt = _dtype(X, h0, c0, W_ih, W_hh, b_ih, b_hh)
    via_exp, tanh_exp = fast.SIGMOID_VIA_EXP, fast._tanh_via_exp(dt)
    half = np.full(4 * H, fast._SIGMOID_SCALE[via_exp], dtype=dt)
    half[2 * H:3 * H] = fast._TANH_GATE_SCALE[via_exp]   # g = tanh(a_g) = 2 sigmoid(2 a_g) - 1
    b = np.asarray(b_ih, dtype=dt) + np.asarray(b_hh, dtype=dt)
    GI = _projections(X, W_ih, b, half, dt)              # T arrays (B, 4H)
    W_hhT = np.ascontiguousarray(np.asarray(W_hh, dtype=dt).T * half)   # (H, 4H), row-major
    hs, cs = (np.empty((T + 1, B, H), dtype=dt) for _ in range(2))   # [t] = state before t
    hs[0], cs[0] = h0, c0
    gates = np.empty((T, B, 4 * H), dtype=dt)            # i, f, g, o side by side: one pass
    cache = {"h_prev": hs[:T], "c_prev": cs[:T], "tanh_c": np.empty((T, B, H), dtype=dt)}
    cache.update({k: gates[..., j * H:(j + 1) * H] for j, k in enumerate("ifgo")})
    i, f, g, o, tanh_c = (cache[k] for k in ("i", "f", "g", "o", "tanh_c"))
    a = np.empty((B, 4 * H), dtype=dt)
    ig = np.empty((B, H), dtype=dt)
    with np.errstate(over="ignore"):
        for t, gi in enumerate(GI):
            np.matmul(hs[t], W_hhT, out=a)
            a += gi
            if via_exp:
                fast._sigmoid_via_exp_(a, gates[t])      # i, f, o and sigmoid(2 a_g)
                g[t] *= 2.0
                g[t] -= 1.0
            else:
                np.tanh(a, out=a)
                _half_sigmoid_(a, gates[t])              # i, f, o (and g, overwritten next)
                g[t] = a[:, 2 * H:3 * H]
            np.multiply(f[t], cs[t], out=cs[t + 1])
            np.multiply(i[t], g[t], out=ig)
            cs[t + 1] += ig                              # c' = f c + i g
            fast._tanh_(cs[t + 1], tanh_c[t], tanh_exp)
            np.multiply(o[t], tanh_c[t], out=hs[t + 1])
    return hs[1:], cache


def _lstm_factors(c):
    """The local derivatives of LSTM steps, from their cache: a dict of arrays shaped
    like the cache's, (T, B, H) for a layer or (B, H) for one step (``_at(cache, t)``).

    "o" dh'/do = tanh(c'), "tanh_c" dh'/d tanh(c') = o, "c'" d tanh(c')/dc' = 1 - tanh(c')^2,
    "i" dc'/di = g, "f" dc'/df = c, "g" dc'/dg = i, "c" dc'/dc = f,
    "a_i", "a_f", "a_o" the sigmoid's derivative s (1 - s), "a_g" dg/da_g = 1 - g^2.
    """
    i, f, g, o, tc = (c[k] for k in ("i", "f", "g", "o", "tanh_c"))
    return {"o": tc, "tanh_c": o, "c'": 1 - tc * tc, "i": g, "f": c["c_prev"], "g": i,
            "c": f, "a_i": i * (1 - i), "a_f": f * (1 - f), "a_g": 1 - g * g,
            "a_o": o * (1 - o)}


def _lstm_stepper(factors, W_hh, dA):
    """One LSTM step backwards, as ``step(t, dh, dc) -> (dh_prev, dc_prev)``.

    dh (B, H) is dL/dh_t (total), dc (B, H) the cell gradient from step t + 1;
    ``factors(t)`` the factors of ``_lstm_factors`` for step t, each (B, H). The
    step writes the gradient of its pre-activations into dA[t] (B, 4H), blocks
    i, f, g, o.
    """
    H = W_hh.shape[1]

    def step(t, dh, dc):
        F = factors(t)
        dc = dc + dh * F["tanh_c"] * F["c'"]
        da = dA[t]
        np.multiply(dc * F["i"], F["a_i"], out=da[:, :H])
        np.multiply(dc * F["f"], F["a_f"], out=da[:, H:2 * H])
        np.multiply(dc * F["g"], F["a_g"], out=da[:, 2 * H:3 * H])
        np.multiply(dh * F["o"], F["a_o"], out=da[:, 3 * H:])
        return da @ W_hh, dc * F["c"]
    return step


def lstm_backward(dH, X, h0, c0, W_ih, W_hh, b_ih, b_hh):
    """Gradients of L = sum(dH * H) for one LSTM layer (torch's form, i, f, g, o; lab 04).

    dH (T, B, H), X (T, B, I), h0 (B, H), c0 (B, H), W_ih (4H, I), W_hh (4H, H),
    b_ih (4H,), b_hh (4H,) -> (dX, dh0, dc0, dW_ih, dW_hh, db_ih, db_hh), shaped
    like the corresponding inputs (both biases get the same gradient).
    """
    T, B, _ = X.shape
    _, c = lstm_forward_cache(X, h0, c0, W_ih, W_hh, b_ih, b_hh)
    dA = np.empty((T, B, W_ih.shape[0]), dtype=c["i"].dtype)
    step = _lstm_stepper(lambda t: _lstm_factors(_at(c, t)), W_hh, dA)
    dh0, dc0 = _through_time(dH, step, 2)
    dX, dW_ih, dW_hh, db_ih, db_hh = _param_grads(dA, dA, X, c["h_prev"], W_ih)
    return dX, dh0, dc0, dW_ih, dW_hh, db_ih, db_hh


# ---------------------------------------------------------------- one step (lab 04)
def gru_step_forward(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    """One GRU step (torch's form) and what its backward needs (lab 04).

    x_t (B, I), h_prev (B, H) -> (h_next (B, H), cache): the tuple
    (x_t, h_prev, r, z, n, gh_n) of :data:`GRU_STEP_CACHE`.
    """
    h_next, *parts = _gru_step(x_t @ W_ih.T + b_ih, h_prev, W_hh, b_hh)
    return h_next, (x_t, h_prev, *parts)


def lstm_step_forward(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """One LSTM step (torch's form) and what its backward needs (lab 04).

    x_t (B, I), h_prev (B, H), c_prev (B, H) -> (h_next, c_next, cache): the tuple
    (x_t, h_prev, c_prev, i, f, g, o, tanh_c) of :data:`LSTM_STEP_CACHE`.
    """
    a = x_t @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    h_next, c_next, *gates = _lstm_step(a, c_prev)
    return h_next, c_next, (x_t, h_prev, c_prev, *gates)


def _as_layer_cache(names, cache):
    """A step's cache (tuple) as the layer pieces' dict of (1, B, .) arrays."""
    return {k: np.asarray(v)[None] for k, v in zip(names, cache)}


def _gru_step_back(F, c, dh_next, W_hh):
    """One GRU step backwards from factors F and cache c (both T = 1)
    -> (dh_prev (B, H), dA_x, dA_h (1, B, 3H))."""
    dt = _dtype(dh_next, c["r"])
    dA_x, dA_h = (np.empty((1, dh_next.shape[0], W_hh.shape[0]), dtype=dt) for _ in range(2))
    (dh_prev,) = _gru_stepper(lambda t: _at(F, t), W_hh, dA_x, dA_h)(0, dh_next)
    return dh_prev, dA_x, dA_h


def _lstm_step_back(F, c, dh_next, dc_next, W_hh):
    """One LSTM step backwards from factors F and cache c (both T = 1)
    -> (dh_prev, dc_prev (B, H), dA (1, B, 4H))."""
    dA = np.empty((1, dh_next.shape[0], W_hh.shape[0]), dtype=_dtype(dh_next, c["i"]))
    dh_prev, dc_prev = _lstm_stepper(lambda t: _at(F, t), W_hh, dA)(0, dh_next, dc_next)
    return dh_prev, dc_prev, dA


def gru_step_backward(dh_next, cache, W_ih, W_hh):
    """One GRU step backwards (lab 04).

    dh_next (B, H): the whole gradient arriving at h_next; cache: what
    :func:`gru_step_forward` returned -> (dx (B, I), dh_prev (B, H), dW_ih (3H, I),
    dW_hh (3H, H), db_ih (3H,), db_hh (3H,)): this step's share of each gradient.
    """
    c = _as_layer_cache(GRU_STEP_CACHE, cache)
    dh_prev, dA_x, dA_h = _gru_step_back(_gru_factors(c), c, np.asarray(dh_next), W_hh)
    dx, dW_ih, dW_hh, db_ih, db_hh = _param_grads(dA_x, dA_h, c["x_t"], c["h_prev"], W_ih)
    return dx[0], dh_prev, dW_ih, dW_hh, db_ih, db_hh


def lstm_step_backward(dh_next, dc_next, cache, W_ih, W_hh):
    """One LSTM step backwards (lab 04).

    dh_next (B, H): the whole gradient arriving at h_next; dc_next (B, H): the
    gradient arriving at c_next from the step after (not through h_next); cache:
    what :func:`lstm_step_forward` returned -> (dx (B, I), dh_prev, dc_prev (B, H),
    dW_ih (4H, I), dW_hh (4H, H), db_ih (4H,), db_hh (4H,)).
    """
    c = _as_layer_cache(LSTM_STEP_CACHE, cache)
    dh_prev, dc_prev, dA = _lstm_step_back(_lstm_factors(c), c, np.asarray(dh_next),
                                           np.asarray(dc_next), W_hh)
    dx, dW_ih, dW_hh, db_ih, db_hh = _param_grads(dA, dA, c["x_t"], c["h_prev"], W_ih)
    return dx[0], dh_prev, dc_prev, dW_ih, dW_hh, db_ih, db_hh


# ---------------------------------------------------------------- torch oracles
def _grads(module_cls, dH, X, states, params):
    T_ = lambda a: torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)  # noqa: E731
    X_t = T_(X)
    st = [T_(s) for s in states]
    W = [T_(p) for p in params]
    I, H = X.shape[2], st[0].shape[1]
    mod = module_cls(I, H).double()
    with torch.no_grad():
        for name, p in zip(param_names(), W):
            getattr(mod, name).copy_(p)
    # functional call so that the gradients land on our leaf tensors
    names = param_names()
    init = st[0][None] if len(st) == 1 else tuple(s[None] for s in st)
    out, _ = torch.func.functional_call(mod, dict(zip(names, W)), (X_t, init))
    (out * torch.as_tensor(np.asarray(dH, dtype=np.float64))).sum().backward()
    return (X_t.grad.numpy(), *[s.grad.numpy() for s in st], *[w.grad.numpy() for w in W])


def torch_gru_backward(dH, X, h0, W_ih, W_hh, b_ih, b_hh):
    """The oracle: torch.nn.GRU + autograd in float64, same outputs as gru_backward (lab 04)."""
    return _grads(torch.nn.GRU, dH, X, [h0], [W_ih, W_hh, b_ih, b_hh])


def torch_lstm_backward(dH, X, h0, c0, W_ih, W_hh, b_ih, b_hh):
    """The oracle: torch.nn.LSTM + autograd in float64, same outputs as lstm_backward (lab 04)."""
    return _grads(torch.nn.LSTM, dH, X, [h0, c0], [W_ih, W_hh, b_ih, b_hh])


def torch_gru_step_backward(dh_next, x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    """The step oracle: one step of torch.nn.GRU + autograd in float64, for the
    step that :func:`gru_step_forward` takes from x_t, h_prev and the parameters
    -> the outputs of :func:`gru_step_backward` (lab 04)."""
    out = _grads(torch.nn.GRU, np.asarray(dh_next)[None], np.asarray(x_t)[None], [h_prev],
                 [W_ih, W_hh, b_ih, b_hh])
    return (out[0][0], *out[1:])


def torch_lstm_step_backward(dh_next, dc_next, x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """The step oracle for the LSTM: L = sum(dh_next * h_next) + sum(dc_next * c_next)
    through one step of torch.nn.LSTM, float64 -> the outputs of
    :func:`lstm_step_backward` (lab 04)."""
    T_ = lambda a: torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)  # noqa: E731
    leaves = [T_(a) for a in (x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)]
    x, h, c, *W = leaves
    cell = torch.nn.LSTMCell(x.shape[1], h.shape[1]).double()
    h_next, c_next = torch.func.functional_call(
        cell, dict(zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), W)), (x, (h, c)))
    loss = (h_next * torch.as_tensor(np.asarray(dh_next, dtype=np.float64))).sum() + \
        (c_next * torch.as_tensor(np.asarray(dc_next, dtype=np.float64))).sum()
    loss.backward()
    return tuple(a.grad.numpy() for a in leaves)
