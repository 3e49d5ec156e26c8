"""Fast NumPy GRU and LSTM forwards: the references for unit 07.

Three ideas make them fast (see notebooks/07_speed.ipynb):

1. The input projection ``W_ih x_t + b_ih`` of all T steps is one matrix
   product, done before the loop; only ``W_hh h`` is sequential, written into
   a preallocated buffer (``np.matmul(..., out=)``).
2. The state is kept as ``(H, B)`` (hidden units as rows), so each gate is a
   contiguous block of rows and every element-wise operation runs over
   contiguous memory, in place (``out=``), with no temporary arrays.
3. Few passes over the gate block: every sigmoid is ``(1 + tanh(a / 2)) / 2``,
   and the factors 1/2 are moved into the weights (a multiplication by a
   power of two is exact, so the results agree with the plain loop to
   round-off). Gates of one kind sit next to each other, so one ``tanh`` call
   covers them all.
"""
from __future__ import annotations

import numpy as np

__all__ = ["gru_forward_fast", "lstm_forward_fast"]


def _float_dtype(*arrays):
    """The arrays' common float dtype (float64 for integer inputs)."""
    dt = np.result_type(*arrays)
    return dt if dt.kind == "f" else np.dtype(np.float64)


CHUNK = 1 << 15     # elements: a chunk of outputs that is still in the cache


def _steps_per_chunk(rows, B):
    """How many time steps of (rows, B) arrays make one cache-sized chunk (>= 1)."""
    return max(1, CHUNK // (rows * B))


def _input_projection(X, W_ih, bias, scale, dt):
    """All input projections, in the (T, G, B) layout.

    X (T, B, I), W_ih (G, I), bias (G,), scale (G,) (powers of two) ->
    GI (T, G, B) = scale * (W_ih x_t + bias), C-contiguous, dtype dt.

    For B >= 8: X is transposed to (T, I + 1, B) with a row of ones, so one batched
    product [W_ih | bias] @ X_t writes GI in its layout, bias included (X is the small
    array: transposing it is cheaper than transposing the (T * B, G) product). For
    smaller B, where T products of B columns cost more than their Python calls save,
    one (G, T * B) product is transposed into GI.
    """
    T, B, I = X.shape
    W = np.asarray(W_ih, dtype=dt) * scale[:, None]
    b = (np.asarray(bias, dtype=dt) * scale)[:, None]
    G = W.shape[0]
    GI = np.empty((T, G, B), dtype=dt)
    if B >= 8:
        XT = np.empty((T, I + 1, B), dtype=dt)
        np.copyto(XT[:, :I], np.asarray(X).transpose(0, 2, 1))
        XT[:, I] = 1.0
        np.matmul(np.concatenate([W, b], axis=1), XT, out=GI)
    else:
        P = W @ np.asarray(X, dtype=dt).reshape(T * B, I).T                # (G, T B)
        np.add(P.reshape(G, T, B).transpose(1, 0, 2), b, out=GI)
    return GI


def gru_forward_fast(X, h0, W_ih, W_hh, b_ih, b_hh):
    """One GRU layer over a sequence, as ``torch.nn.GRU`` (torch's form; lesson 07).

    X (T, B, I), h0 (B, H), W_ih (3H, I), W_hh (3H, H), b_ih (3H,), b_hh (3H,)
    -> (H_all (T, B, H), h_n (B, H)), in the inputs' float dtype.

    Inside the loop, with t_r = tanh(a_r / 2), t_z = tanh(a_z / 2) (so r = (1 + t_r) / 2):
    n = tanh(gi_n + (1 + t_r) * (W_hn h + b_hn) / 2) and h' = n + (1 + t_z) * (h - n) / 2.
    """
    T, B, _ = X.shape
    H = h0.shape[1]
    dt = _float_dtype(X, h0, W_ih, W_hh, b_ih, b_hh)
    half = np.full(3 * H, 0.5, dtype=dt)                 # r, z: a / 2; n: (W_hn h + b_hn) / 2
    b = np.array(b_ih, dtype=dt)
    b[:2 * H] += np.asarray(b_hh[:2 * H], dtype=dt)      # r and z: both biases folded in
    scale_i = np.concatenate([half[:2 * H], np.ones(H, dt)])   # gi_n is not halved
    GI = _input_projection(X, W_ih, b, scale_i, dt)           # (T, 3H, B)
    W = np.asarray(W_hh, dtype=dt) * half[:, None]            # (3H, H)
    b_hn = (np.asarray(b_hh[2 * H:], dtype=dt) * 0.5)[:, None]  # stays inside r * (.)
    out = np.empty((T + 1, H, B), dtype=dt)              # out[0] = h0, out[t + 1] = h_t
    out[0] = np.asarray(h0, dtype=dt).T
    gh = np.empty((3 * H, B), dtype=dt)
    d = np.empty((H, B), dtype=dt)
    rz, t_r, t_z, n = gh[:2 * H], gh[:H], gh[H:2 * H], gh[2 * H:]
    H_all = np.empty((T, B, H), dtype=dt)
    every = _steps_per_chunk(H, B)
    for t in range(T):
        h = out[t]
        np.matmul(W, h, out=gh)                  # the only sequential product
        np.add(rz, GI[t, :2 * H], out=rz)        # a / 2 for r and z
        np.tanh(rz, out=rz)                      # t_r, t_z
        rz += 1.0                                # 2r, 2z
        n += b_hn
        n *= t_r                                 # r * (W_hn h + b_hn)
        n += GI[t, 2 * H:]
        np.tanh(n, out=n)
        np.subtract(h, n, out=d)
        d *= t_z
        d *= 0.5                                 # z * (h - n)
        np.add(n, d, out=out[t + 1])
        if (t + 1) % every == 0 or t + 1 == T:   # the last steps, still in the cache
            s = t + 1 - (t % every + 1)
            np.copyto(H_all[s:t + 1], out[s + 1:t + 2].transpose(0, 2, 1))
    return H_all, H_all[-1].copy()


def lstm_forward_fast(X, h0, c0, W_ih, W_hh, b_ih, b_hh):
    """One LSTM layer over a sequence, as ``torch.nn.LSTM`` (gate blocks i, f, g, o; lesson 07).

    X (T, B, I), h0 (B, H), c0 (B, H), W_ih (4H, I), W_hh (4H, H), b_ih (4H,),
    b_hh (4H,) -> (H_all (T, B, H), (h_n (B, H), c_n (B, H))), in the inputs' float dtype.

    Inside the loop the gates are reordered to i, f, o, g so that one ``tanh`` call
    covers all four blocks: t_s = tanh(a_s / 2) (s = i, f, o; the gate is (1 + t_s) / 2)
    and g = tanh(a_g). The loop carries 2h instead of h (W_hh is halved once more to
    match), so h' needs no halving per step: 2h' = (1 + t_o) tanh(c') with
    c' = ((1 + t_f) c + (1 + t_i) g) / 2.
    """
    T, B, _ = X.shape
    H = h0.shape[1]
    dt = _float_dtype(X, h0, c0, W_ih, W_hh, b_ih, b_hh)
    order = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]     # i, f, g, o -> i, f, o, g
    scale = np.full(4 * H, 0.5, dtype=dt)
    scale[3 * H:] = 1.0                                  # g is a tanh: not halved
    b = (np.asarray(b_ih, dtype=dt) + np.asarray(b_hh, dtype=dt))[order]
    GI = _input_projection(X, np.asarray(W_ih)[order], b, scale, dt)     # (T, 4H, B)
    W = np.asarray(W_hh, dtype=dt)[order] * (0.5 * scale)[:, None]       # acts on 2h
    out = np.empty((T + 1, H, B), dtype=dt)              # out[t + 1] = 2 h_t
    np.multiply(np.asarray(h0, dtype=dt).T, 2.0, out=out[0])
    c = np.array(np.asarray(c0, dtype=dt).T, order="C")  # (H, B)
    a = np.empty((4 * H, B), dtype=dt)
    tc = np.empty((H, B), dtype=dt)
    ifo, t_i, t_f, t_o, g = a[:3 * H], a[:H], a[H:2 * H], a[2 * H:3 * H], a[3 * H:]
    H_all = np.empty((T, B, H), dtype=dt)
    every = _steps_per_chunk(H, B)
    for t in range(T):
        np.matmul(W, out[t], out=a)              # the only sequential product
        a += GI[t]
        np.tanh(a, out=a)                        # t_i, t_f, t_o and g in one call
        ifo += 1.0                               # 2i, 2f, 2o
        c *= t_f
        g *= t_i
        c += g
        c *= 0.5                                 # c' = f c + i g
        np.tanh(c, out=tc)
        np.multiply(t_o, tc, out=out[t + 1])     # 2h' = 2o tanh(c')
        if (t + 1) % every == 0 or t + 1 == T:   # the last steps, still in the cache
            s = t + 1 - (t % every + 1)
            np.multiply(out[s + 1:t + 2].transpose(0, 2, 1), 0.5, out=H_all[s:t + 1])
    return H_all, (H_all[-1].copy(), np.ascontiguousarray(c.T))
