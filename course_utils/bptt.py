"""Backpropagation through time for the GRU and the LSTM (unit 04).

Reference NumPy backward passes (fast: the products that do not depend on
the recurrence are done once for all time steps) and torch-autograd oracles.
The loss is ``L = sum(dH * H)``, so ``dH (T, B, H)`` is dL/dH for every output;
the final states get no separate gradient.

Each backward takes switches that reproduce a known learner bug; the graders
use them to recognise mistakes. The defaults are the correct gradients.
"""
from __future__ import annotations

import numpy as np
import torch

from .oracle import param_names
from .reference import sigmoid

__all__ = ["gru_forward_cache", "gru_backward", "lstm_forward_cache", "lstm_backward",
           "torch_gru_backward", "torch_lstm_backward"]


def gru_forward_cache(X, h0, W_ih, W_hh, b_ih, b_hh):
    """GRU forward (torch's form) keeping what the backward needs.

    X (T, B, I), h0 (B, H) -> (H_all (T, B, H), cache dict of (T, B, .) arrays).
    """
    T, B, I = X.shape
    H = h0.shape[1]
    GI = (X.reshape(T * B, I) @ W_ih.T + b_ih).reshape(T, B, 3 * H)
    h = h0
    names = ("h_prev", "r", "z", "n", "gh_n")
    cache = {k: np.empty((T, B, H)) for k in names}
    H_all = np.empty((T, B, H))
    for t in range(T):
        gh = h @ W_hh.T + b_hh
        r = sigmoid(GI[t, :, :H] + gh[:, :H])
        z = sigmoid(GI[t, :, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(GI[t, :, 2 * H:] + r * gh[:, 2 * H:])
        for k, v in zip(names, (h, r, z, n, gh[:, 2 * H:])):
            cache[k][t] = v
        h = (1 - z) * n + z * h
        H_all[t] = h
    return H_all, cache


def gru_backward(dH, X, h0, W_ih, W_hh, b_ih, b_hh, *, sigmoid_deriv="s(1-s)",
                 tanh_deriv="1-n^2", accumulate=True, batch_mean=False, reset_path=True,
                 z_path=True, dz_sign=1.0, dr_with_b_hn=True, dh0_propagated=True):
    """Gradients of L = sum(dH * H) for one GRU layer (torch's form).

    dH (T, B, H), X (T, B, I), h0 (B, H), W_ih (3H, I), W_hh (3H, H),
    b_ih (3H,), b_hh (3H,) -> (dX (T, B, I), dh0 (B, H), dW_ih (3H, I),
    dW_hh (3H, H), db_ih (3H,), db_hh (3H,)).
    The keyword switches reproduce learner bugs (see the graders): dz_sign=-1
    negates dz; dr_with_b_hn=False leaves b_hn out of dr; dh0_propagated=False
    returns the gradient arriving at step 0's output instead of dh0.
    """
    T, B, I = X.shape
    H = h0.shape[1]
    _, c = gru_forward_cache(X, h0, W_ih, W_hh, b_ih, b_hh)
    dGI = np.empty((T, B, 3 * H))           # gradient of the input pre-activations
    dGH = np.empty((T, B, 3 * H))           # ... and of the recurrent ones
    dh = np.zeros((B, H))
    for t in reversed(range(T)):
        dh = dH[t] + (dh if accumulate else 0.0)
        dh_in = dh
        r, z, n, h_prev = c["r"][t], c["z"][t], c["n"][t], c["h_prev"][t]
        dn = dh * (1 - z)
        dz = dz_sign * dh * (h_prev - n)
        da_n = dn * ((1 - n * n) if tanh_deriv == "1-n^2" else (1 - n))
        dr = da_n * (c["gh_n"][t] if dr_with_b_hn else c["gh_n"][t] - b_hh[2 * H:])
        sd = (lambda s: s * (1 - s)) if sigmoid_deriv == "s(1-s)" else (lambda s: s)
        da_r, da_z = dr * sd(r), dz * sd(z)
        dGI[t, :, :H], dGI[t, :, H:2 * H], dGI[t, :, 2 * H:] = da_r, da_z, da_n
        dGH[t, :, :H], dGH[t, :, H:2 * H] = da_r, da_z
        dGH[t, :, 2 * H:] = da_n * r if reset_path else da_n
        dh = dGH[t] @ W_hh + (dh * z if z_path else 0.0)
    scale = 1.0 / B if batch_mean else 1.0
    dX = dGI @ W_ih
    dW_ih = scale * dGI.reshape(T * B, 3 * H).T @ X.reshape(T * B, I)
    dW_hh = scale * dGH.reshape(T * B, 3 * H).T @ c["h_prev"].reshape(T * B, H)
    db_ih = scale * dGI.sum(axis=(0, 1))
    db_hh = scale * dGH.sum(axis=(0, 1))
    return dX, dh if dh0_propagated else dh_in, dW_ih, dW_hh, db_ih, db_hh


def lstm_forward_cache(X, h0, c0, W_ih, W_hh, b_ih, b_hh):
    """LSTM forward (torch's form) keeping what the backward needs.

    X (T, B, I), h0 (B, H), c0 (B, H) -> (H_all (T, B, H), cache dict).
    """
    T, B, I = X.shape
    H = h0.shape[1]
    GI = (X.reshape(T * B, I) @ W_ih.T + b_ih + b_hh).reshape(T, B, 4 * H)
    h, cst = h0, c0
    names = ("h_prev", "c_prev", "i", "f", "g", "o", "tanh_c")
    cache = {k: np.empty((T, B, H)) for k in names}
    H_all = np.empty((T, B, H))
    for t in range(T):
        a = GI[t] + h @ W_hh.T
        i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
        g = np.tanh(a[:, 2 * H:3 * H])
        c_next = f * cst + i * g
        tanh_c = np.tanh(c_next)
        for k, v in zip(names, (h, cst, i, f, g, o, tanh_c)):
            cache[k][t] = v
        h, cst = o * tanh_c, c_next
        H_all[t] = h
    return H_all, cache


def lstm_backward(dH, X, h0, c0, W_ih, W_hh, b_ih, b_hh, *, sigmoid_deriv="s(1-s)",
                  tanh_deriv="1-t^2", accumulate=True, batch_mean=False, cell_carry=True,
                  h_to_c=True, df_with_c_prev=True, do_with_tanh=True):
    """Gradients of L = sum(dH * H) for one LSTM layer (torch's form, i, f, g, o).

    dH (T, B, H), X (T, B, I), h0 (B, H), c0 (B, H), W_ih (4H, I), W_hh (4H, H),
    b_ih (4H,), b_hh (4H,) -> (dX, dh0, dc0, dW_ih, dW_hh, db_ih, db_hh), shaped
    like the corresponding inputs. The switches reproduce learner bugs:
    df_with_c_prev=False uses c' in df; do_with_tanh=False uses c' for tanh(c') in do.
    """
    T, B, I = X.shape
    H = h0.shape[1]
    _, c = lstm_forward_cache(X, h0, c0, W_ih, W_hh, b_ih, b_hh)
    dA = np.empty((T, B, 4 * H))
    dh = np.zeros((B, H))
    dc = np.zeros((B, H))
    sd = (lambda s: s * (1 - s)) if sigmoid_deriv == "s(1-s)" else (lambda s: s)
    td = (lambda v: 1 - v * v) if tanh_deriv == "1-t^2" else (lambda v: 1 - v)
    for t in reversed(range(T)):
        dh = dH[t] + (dh if accumulate else 0.0)
        i, f, g, o, tc = (c[k][t] for k in ("i", "f", "g", "o", "tanh_c"))
        dc = (dc if cell_carry else 0.0) + (dh * o * td(tc) if h_to_c else 0.0)
        dA[t, :, :H] = dc * g * sd(i)
        c_prev = c["c_prev"][t]
        dA[t, :, H:2 * H] = dc * (c_prev if df_with_c_prev else f * c_prev + i * g) * sd(f)
        dA[t, :, 2 * H:3 * H] = dc * i * td(g)
        dA[t, :, 3 * H:] = dh * (tc if do_with_tanh else f * c_prev + i * g) * sd(o)
        dc = dc * f
        dh = dA[t] @ W_hh
    scale = 1.0 / B if batch_mean else 1.0
    dX = dA @ W_ih
    flat = dA.reshape(T * B, 4 * H)
    dW_ih = scale * flat.T @ X.reshape(T * B, I)
    dW_hh = scale * flat.T @ c["h_prev"].reshape(T * B, H)
    db = scale * flat.sum(axis=0)
    return dX, dh, dc, dW_ih, dW_hh, db, db.copy()


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
    """The oracle: torch.nn.GRU + autograd in float64, same outputs as gru_backward."""
    return _grads(torch.nn.GRU, dH, X, [h0], [W_ih, W_hh, b_ih, b_hh])


def torch_lstm_backward(dH, X, h0, c0, W_ih, W_hh, b_ih, b_hh):
    """The oracle: torch.nn.LSTM + autograd in float64, same outputs as lstm_backward."""
    return _grads(torch.nn.LSTM, dH, X, [h0, c0], [W_ih, W_hh, b_ih, b_hh])
