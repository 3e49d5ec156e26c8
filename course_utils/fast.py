"""Fast NumPy GRU and LSTM forwards: the references for unit 07.

Three ideas make them fast (see notebooks/07_speed.ipynb):

1. The input projection ``W_ih x_t + b_ih`` of all T steps is one matrix
   product, done before the loop; only ``W_hh h`` is sequential, written into
   a preallocated buffer (``np.matmul(..., out=)``). The LSTM turns this round
   when the input is no wider than the state: there one product
   ``[W_hh | W_ih | b] @ [h; x_t; 1]`` per step tends to cost less than the
   projection's own products plus a pass per step adding it in (lesson 07 times both).
2. The state is kept as ``(H, B)`` (hidden units as rows), so each gate is a
   contiguous block of rows and every element-wise operation runs over
   contiguous memory, in place (``out=``), with no temporary arrays.
3. Few passes over the gate block: every sigmoid is ``(1 + tanh(a / 2)) / 2``,
   and the factors 1/2 are moved into the weights (a multiplication by a
   power of two is exact, so the results agree with the plain loop to
   round-off). Gates of one kind sit next to each other, so one ``tanh`` call
   covers them all. Where NumPy's ``tanh`` is not vectorised
   (:data:`SIGMOID_VIA_EXP`), one ``exp`` call does the same: 1 / (1 + exp(-a)),
   the minus signs moved into the weights.

The LSTM's per-step product is one product or four of a quarter of the rows each,
whichever this machine's BLAS kernel does faster at that shape (:func:`split_product`
times both once).
"""
from __future__ import annotations

import numpy as np

__all__ = ["gru_forward_fast", "lstm_forward_fast", "split_product", "SIGMOID_VIA_EXP"]


def _float_dtype(*arrays):
    """The arrays' common float dtype (float64 for integer inputs)."""
    dt = np.result_type(*arrays)
    return dt if dt.kind == "f" else np.dtype(np.float64)


def _tanh_is_vectorised() -> bool:
    """Whether NumPy's ``tanh`` has a SIMD loop on this CPU. NumPy 2.4's has one on
    x86-64 only with AVX-512 (its ``X86_V4`` group, ``AVX512_SKX`` before): with AVX2
    alone it is scalar, about 6x slower in float64 than ``exp``, which is vectorised
    there (python -m course_utils.bench names the SIMD level in use)."""
    import platform
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return True
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as on
    except ImportError:                                            # another NumPy layout
        return True
    return bool(on.get("X86_V4", on.get("AVX512_SKX", False)))


#: the sigmoids as 1 / (1 + exp(-a)) (True) or (1 + tanh(a / 2)) / 2 (False): whichever
#: of ``exp`` and ``tanh`` NumPy vectorises here; both agree with torch to round-off
SIGMOID_VIA_EXP = not _tanh_is_vectorised()


def _tanh_via_exp(dt) -> bool:
    """Whether ``tanh`` itself pays to go through ``exp`` for arrays of dtype dt: in
    float64 where tanh is not vectorised (about half the time there: 2 / (1 + exp(-2x)) - 1,
    five passes that each cost less than the scalar loop); float32's scalar tanh
    keeps up with that."""
    return SIGMOID_VIA_EXP and np.dtype(dt) == np.float64


def _tanh_(x, out, via_exp):
    """tanh(x) written into ``out`` (which may be x; any shape). via_exp: as
    2 / (1 + exp(-2 x)) - 1, within one rounding of tanh; exp(-2 x) = inf gives -1
    (call under np.errstate(over="ignore"))."""
    if not via_exp:
        np.tanh(x, out=out)
        return
    np.multiply(x, -2.0, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.divide(2.0, out, out=out)
    out -= 1.0


#: the factor folded into a sigmoid's pre-activation a on either route of
#: :data:`SIGMOID_VIA_EXP`: a / 2 for (1 + tanh(a / 2)) / 2, -a for 1 / (1 + exp(-a))
_SIGMOID_SCALE = {False: 0.5, True: -1.0}
#: the same for a tanh gate computed in the sigmoids' call: tanh(a), or on the exp
#: route 2 sigmoid(2a) - 1 (so -2a)
_TANH_GATE_SCALE = {False: 1.0, True: -2.0}


def _sigmoid_via_exp_(m, out):
    """1 / (1 + exp(m)) written into ``out`` (any shape), for m = -a, the sign folded
    in already; m is overwritten. Under np.errstate(over="ignore"): exp(m) = inf gives
    the gate 0, as it should."""
    np.exp(m, out=m)
    m += 1.0
    np.reciprocal(m, out=out)

CHUNK = 1 << 15     # elements: a chunk of outputs that is still in the cache


def _steps_per_chunk(rows, B):
    """How many time steps of (rows, B) arrays make one cache-sized chunk (>= 1)."""
    return max(1, CHUNK // (rows * B))


PROJ_CHUNK = 1 << 17    # elements: input projections computed ahead, still in the cache

#: row blocks chosen for a per-step product, by :func:`_split_key`: see split_product
_ROW_BLOCKS: dict = {}


def _split_key(shape, B, dtype):
    """The key of :data:`_ROW_BLOCKS` for a product of W (shape) and a (K, B) array."""
    return tuple(shape), B, np.dtype(dtype).str


def split_product(W, x, out, blocks=None):
    """The per-step product ``W @ x -> out`` as a list of (W rows, out rows) pairs.

    W (G, K), x (K, B), out (G, B). One pair is the plain product; four pairs of
    G / 4 rows give the same numbers (each output row is the same dot product), and
    on some BLAS kernels at some shapes they take less time, on others more
    (lesson 07 times both). ``blocks`` (1 or 4) forces a split; None picks, once per
    shape and dtype, the one that timed faster here (:func:`_faster_split`).
    Used by :func:`lstm_forward_fast`, and in notebooks/07_speed.ipynb.
    """
    G = W.shape[0]
    if blocks is None:
        key = _split_key(W.shape, x.shape[1], W.dtype)
        if key not in _ROW_BLOCKS:
            _ROW_BLOCKS[key] = _faster_split(W, x, out) if G % 4 == 0 else 1
        blocks = _ROW_BLOCKS[key]
    step = G // blocks
    return [(W[j * step:(j + 1) * step], out[j * step:(j + 1) * step]) for j in range(blocks)]


def _faster_split(W, x, out, budget=0.02):
    """1 or 4: the number of row blocks whose products ``W @ x -> out`` timed faster,
    medians of up to 15 interleaved rounds of 8 products each after a warm-up, within
    about ``budget`` seconds (4 only if at least 5 % faster; 1 without timing when
    one product takes more than a millisecond, where the BLAS is efficient anyway)."""
    import time
    ways = {n: split_product(W, x, out, n) for n in (1, 4)}

    def run(pairs, reps):
        start = time.perf_counter()
        for _ in range(reps):
            for W_k, out_k in pairs:
                np.matmul(W_k, x, out=out_k)
        return time.perf_counter() - start

    once = min(run(ways[1], 1), run(ways[1], 1))       # the second call is warm
    if once > 1e-3:
        return 1
    rounds = int(min(15, max(3, budget / (16 * max(once, 1e-7)))))
    times = {n: [] for n in ways}
    for _ in range(rounds):
        for n, pairs in ways.items():
            times[n].append(run(pairs, 8))
    return 4 if np.median(times[4]) < 0.95 * np.median(times[1]) else 1


def _input_projections(X, W_ih, bias, scale, dt):
    """The input projections of every step, in the (G, B) layout, one step at a time.

    X (T, B, I), W_ih (G, I), bias (G,), scale (G,) (+-powers of two) -> an iterator
    over T C-contiguous (G, B) arrays scale * (W_ih x_t + bias), dtype dt (each valid
    until the next one is taken).

    For B >= 8 they are computed a cache-sized chunk of steps ahead: the chunk of X is
    transposed to (k, I + 1, B) with a row of ones, so one batched product
    [W_ih | bias] @ X_t writes the chunk in its layout, bias included, and the loop
    reads it back from the cache, not from memory. For smaller B, where that many
    products of B columns cost more than their Python calls save, one (G, T * B)
    product covers every step and is transposed once.
    """
    T, B, I = X.shape
    W = np.asarray(W_ih, dtype=dt) * scale[:, None]
    b = (np.asarray(bias, dtype=dt) * scale)[:, None]
    G = W.shape[0]
    if B < 8:
        P = W @ np.asarray(X, dtype=dt).reshape(T * B, I).T                # (G, T B)
        GI = np.empty((T, G, B), dtype=dt)
        np.add(P.reshape(G, T, B).transpose(1, 0, 2), b, out=GI)
        yield from GI
        return
    k = max(1, min(T, PROJ_CHUNK // (G * B)))
    Wb = np.concatenate([W, b], axis=1)                  # (G, I + 1)
    XT = np.empty((k, I + 1, B), dtype=dt)
    XT[:, I] = 1.0
    chunk = np.empty((k, G, B), dtype=dt)
    X = np.asarray(X)
    for t0 in range(0, T, k):
        n = min(k, T - t0)
        np.copyto(XT[:n, :I], X[t0:t0 + n].transpose(0, 2, 1))
        np.matmul(Wb, XT[:n], out=chunk[:n])
        yield from chunk[:n]


def gru_forward_fast(X, h0, W_ih, W_hh, b_ih, b_hh):
    """One GRU layer over a sequence, as ``torch.nn.GRU`` (torch's form; lesson 07).

    X (T, B, I), h0 (B, H), W_ih (3H, I), W_hh (3H, H), b_ih (3H,), b_hh (3H,)
    -> (H_all (T, B, H), h_n (B, H)), in the inputs' float dtype.

    Where ``tanh`` is vectorised, with t_r = tanh(a_r / 2), t_z = tanh(a_z / 2) (so
    r = (1 + t_r) / 2): n = tanh(gi_n + (1 + t_r) * (W_hn h + b_hn) / 2) and
    h' = n + (1 + t_z) * (h - n) / 2. Elsewhere (:data:`SIGMOID_VIA_EXP`) r and z are
    1 / (1 + exp(-a)), with the minus signs folded into their weights.
    """
    T, B, _ = X.shape
    H = h0.shape[1]
    dt = _float_dtype(X, h0, W_ih, W_hh, b_ih, b_hh)
    via_exp, tanh_exp = SIGMOID_VIA_EXP, _tanh_via_exp(dt)
    k = 1.0 if via_exp else 0.5                          # tanh route: (W_hn h + b_hn) / 2
    scale = np.full(3 * H, k, dtype=dt)
    scale[:2 * H] = _SIGMOID_SCALE[via_exp]              # r, z: -a for exp, a / 2 for tanh
    b = np.array(b_ih, dtype=dt)
    b[:2 * H] += np.asarray(b_hh[:2 * H], dtype=dt)      # r and z: both biases folded in
    scale_i = np.concatenate([scale[:2 * H], np.ones(H, dt)])  # gi_n is not scaled
    GI = _input_projections(X, W_ih, b, scale_i, dt)          # T blocks (3H, B)
    W = np.asarray(W_hh, dtype=dt) * scale[:, None]           # (3H, H)
    b_hn = (np.asarray(b_hh[2 * H:], dtype=dt) * k)[:, None]  # stays inside r * (.)
    out = np.empty((T + 1, H, B), dtype=dt)              # out[0] = h0, out[t + 1] = h_t
    out[0] = np.asarray(h0, dtype=dt).T
    gh = np.empty((3 * H, B), dtype=dt)
    d = np.empty((H, B), dtype=dt)
    rz, r_, z_, n = gh[:2 * H], gh[:H], gh[H:2 * H], gh[2 * H:]   # r_, z_: r, z or 2r, 2z
    H_all = np.empty((T, B, H), dtype=dt)
    every = _steps_per_chunk(H, B)
    with np.errstate(over="ignore"):             # exp(-a) = inf: the gate is 0, as it should be
        for t, gi in enumerate(GI):
            h = out[t]
            np.matmul(W, h, out=gh)              # the only sequential product
            rz += gi[:2 * H]                     # -a or a / 2 for r and z
            if via_exp:
                _sigmoid_via_exp_(rz, rz)        # r, z
            else:
                np.tanh(rz, out=rz)
                rz += 1.0                        # 2r, 2z
            n += b_hn
            n *= r_                              # r * (W_hn h + b_hn)
            n += gi[2 * H:]
            _tanh_(n, n, tanh_exp)
            np.subtract(h, n, out=d)
            d *= z_
            if not via_exp:
                d *= 0.5                         # z * (h - n)
            np.add(n, d, out=out[t + 1])
            if (t + 1) % every == 0 or t + 1 == T:   # the last steps, still in the cache
                s = t + 1 - (t % every + 1)
                np.copyto(H_all[s:t + 1], out[s + 1:t + 2].transpose(0, 2, 1))
    return H_all, H_all[-1].copy()


def _fuses_input(I, H, fuse_input=None) -> bool:
    """Whether :func:`lstm_forward_fast` puts x_t into its per-step product: when the
    input is no wider than the state (I <= H), unless ``fuse_input`` forces either."""
    return I <= H if fuse_input is None else bool(fuse_input)


def _lstm_row_blocks(I, H, B, dtype):
    """The row blocks :func:`split_product` picked for :func:`lstm_forward_fast`'s
    per-step product at this size and dtype (its default input route), None before
    the function ran there (used by course_utils.bench)."""
    K = H + I + 1 if _fuses_input(I, H) else H           # [h; x_t; 1] or h alone
    return _ROW_BLOCKS.get(_split_key((4 * H, K), B, dtype))


def lstm_forward_fast(X, h0, c0, W_ih, W_hh, b_ih, b_hh, *, fuse_input=None, row_blocks=None):
    """One LSTM layer over a sequence, as ``torch.nn.LSTM`` (gate blocks i, f, g, o; lesson 07).

    X (T, B, I), h0 (B, H), c0 (B, H), W_ih (4H, I), W_hh (4H, H), b_ih (4H,),
    b_hh (4H,) -> (H_all (T, B, H), (h_n (B, H), c_n (B, H))), in the inputs' float dtype.

    Inside the loop the gates are reordered to o, i, f, g so that one ``tanh`` call
    covers all four blocks: t_s = tanh(a_s / 2) (s = o, i, f; the gate is (1 + t_s) / 2)
    and g = tanh(a_g); c is kept right after g, so that one product gives both
    (1 + t_i) g and (1 + t_f) c. The loop carries 2h instead of h (W_hh is halved once
    more to match), so h' needs no halving per step: 2h' = (1 + t_o) tanh(c') with
    c' = ((1 + t_f) c + (1 + t_i) g) / 2. Where ``tanh`` is not vectorised
    (:data:`SIGMOID_VIA_EXP`), one ``exp`` call does the four blocks instead:
    s = 1 / (1 + exp(-a)) for o, i, f and g = 2 / (1 + exp(-2 a_g)) - 1.

    Where the input is no wider than the state (I <= H), the step's input joins the
    recurrent product: one product [W_hh | W_ih | b] @ [2h; x_t; 1] per step (the weights
    at most double) tends to cost less than a precomputed projection added in a pass
    of its own; for wider inputs the projection of all steps is one product before the
    loop.
    ``fuse_input`` (True / False) forces one of the two (lesson 07 times both).

    The per-step product is done as one product or as four of a quarter of the rows
    each, whichever this machine's BLAS does faster at this shape (:func:`split_product`,
    timed once per shape); ``row_blocks`` (1 / 4) forces one.
    """
    T, B, I = X.shape
    H = h0.shape[1]
    dt = _float_dtype(X, h0, c0, W_ih, W_hh, b_ih, b_hh)
    order = np.r_[3 * H:4 * H, 0:2 * H, 2 * H:3 * H]     # i, f, g, o -> o, i, f, g
    via_exp, tanh_exp = SIGMOID_VIA_EXP, _tanh_via_exp(dt)
    h_scale = 1.0 if via_exp else 2.0                    # the loop carries h or 2h
    scale = np.full(4 * H, _SIGMOID_SCALE[via_exp], dtype=dt)    # o, i, f: -a or a / 2
    scale[3 * H:] = _TANH_GATE_SCALE[via_exp]            # g: tanh(a) = 2 sigmoid(2a) - 1
    b = (np.asarray(b_ih, dtype=dt) + np.asarray(b_hh, dtype=dt))[order]
    W_h = np.asarray(W_hh, dtype=dt)[order] * (scale / h_scale)[:, None]  # acts on S[t, :H]
    fused = _fuses_input(I, H, fuse_input)
    if fused:                                            # S[t] = [h_t or 2h_t; x_t; 1]
        W = np.concatenate([W_h, np.asarray(W_ih, dtype=dt)[order] * scale[:, None],
                            (b * scale)[:, None]], axis=1)               # (4H, H + I + 1)
        S = np.empty((T + 1, H + I + 1, B), dtype=dt)
        np.copyto(S[:T, H:H + I], np.asarray(X).transpose(0, 2, 1))
        S[:, H + I] = 1.0
        GI = None
    else:                                                # S[t] = h_t or 2h_t
        W = W_h
        S = np.empty((T + 1, H, B), dtype=dt)
        GI = _input_projections(X, np.asarray(W_ih)[order], b, scale, dt)  # (4H, B) blocks
    np.multiply(np.asarray(h0, dtype=dt).T, h_scale, out=S[0, :H])
    a = np.empty((5 * H, B), dtype=dt)                   # blocks o, i, f, g, then c
    a[4 * H:] = np.asarray(c0, dtype=dt).T
    gates, oif, o_, if_, gc, g, c = (a[:4 * H], a[:3 * H], a[:H], a[H:3 * H],
                                     a[3 * H:], a[3 * H:4 * H], a[4 * H:])
    tc = np.empty((H, B), dtype=dt)
    H_all = np.empty((T, B, H), dtype=dt)
    every = _steps_per_chunk(H, B)
    products = split_product(W, S[0], gates, row_blocks)
    with np.errstate(over="ignore"):             # exp(-a) = inf: the gate is 0, as it should be
        for t in range(T):
            s_t = S[t]
            for W_k, gates_k in products:        # the only sequential product
                np.matmul(W_k, s_t, out=gates_k)
            if GI is not None:
                gates += next(GI)
            if via_exp:
                _sigmoid_via_exp_(gates, gates)  # o, i, f and sigmoid(2 a_g)
                g *= 2.0
                g -= 1.0                         # g = tanh(a_g)
            else:
                np.tanh(gates, out=gates)        # t_o, t_i, t_f and g in one call
                oif += 1.0                       # 2o, 2i, 2f
            gc *= if_                            # i g and f c (or twice them) in one call
            np.add(g, c, out=c)
            if not via_exp:
                c *= 0.5                         # c' = f c + i g
            _tanh_(c, tc, tanh_exp)
            np.multiply(o_, tc, out=S[t + 1, :H])    # h' = o tanh(c') (or 2h')
            if (t + 1) % every == 0 or t + 1 == T:   # the last steps, still in the cache
                s = t + 1 - (t % every + 1)
                np.multiply(S[s + 1:t + 2, :H].transpose(0, 2, 1), 1.0 / h_scale,
                            out=H_all[s:t + 1])
    return H_all, (H_all[-1].copy(), np.ascontiguousarray(c.T))
