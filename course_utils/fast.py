"""A fast NumPy GRU forward: the reference for unit 07.

Two ideas make it fast (see notebooks/07_speed.ipynb):

1. The input projection ``W_ih x_t + b_ih`` of all T steps is one matrix
   product, done before the loop; only ``W_hh h`` is sequential.
2. The state is kept as ``(H, B)`` (hidden units as rows), so each gate is a
   contiguous block of rows and every element-wise operation runs over
   contiguous memory, in place, in preallocated buffers.
"""
from __future__ import annotations

import numpy as np

__all__ = ["gru_forward_fast"]


def gru_forward_fast(X, h0, W_ih, W_hh, b_ih, b_hh):
    """One GRU layer over a sequence, as ``torch.nn.GRU`` (torch's form).

    X (T, B, I), h0 (B, H), W_ih (3H, I), W_hh (3H, H), b_ih (3H,), b_hh (3H,)
    -> (H_all (T, B, H), h_n (B, H)), in the inputs' float dtype.
    """
    T, B, I = X.shape
    H = h0.shape[1]
    dt = np.result_type(X, h0, W_ih, W_hh, b_ih, b_hh)
    dt = dt if dt.kind == "f" else np.dtype(np.float64)
    W_hh = np.ascontiguousarray(W_hh, dtype=dt)
    b = np.array(b_ih, dtype=dt)                   # r and z: both biases folded in
    b[:2 * H] += np.asarray(b_hh[:2 * H], dtype=dt)
    b_hn = np.asarray(b_hh[2 * H:], dtype=dt)[:, None]   # stays inside r * (.)
    # 1. all input projections at once: (3H, I) @ (I, T*B) -> (3H, T*B)
    GI = np.asarray(W_ih, dtype=dt) @ np.asarray(X, dtype=dt).reshape(T * B, I).T
    GI += b[:, None]
    GI = np.ascontiguousarray(GI.reshape(3 * H, T, B).transpose(1, 0, 2))  # (T, 3H, B)
    # 2. the recurrence in the (H, B) layout
    h = np.array(np.asarray(h0, dtype=dt).T, order="C")     # (H, B)
    out = np.empty((T, H, B), dtype=dt)
    rz = np.empty((2 * H, B), dtype=dt)
    n = np.empty((H, B), dtype=dt)
    for t in range(T):
        gh = W_hh @ h                                 # (3H, B), the only sequential GEMM
        np.add(GI[t, :2 * H], gh[:2 * H], out=rz)
        rz *= 0.5                                     # sigmoid(a) = (1 + tanh(a / 2)) / 2
        np.tanh(rz, out=rz)
        rz += 1.0
        rz *= 0.5
        r, z = rz[:H], rz[H:]
        np.add(gh[2 * H:], b_hn, out=n)
        n *= r
        n += GI[t, 2 * H:]
        np.tanh(n, out=n)
        h = n + z * (h - n)                           # (1 - z) n + z h
        out[t] = h
    H_all = np.ascontiguousarray(out.transpose(0, 2, 1))
    return H_all, H_all[-1].copy()
