"""Benchmark: the reference NumPy GRU/LSTM backward vs torch autograd, on the CPU.

    python -m course_utils.bench_bptt            # T=100, B=32, I=64, H=128
    python -m course_utils.bench_bptt --tiny     # a smoke run (used by the tests)

Both sides do a forward pass and a backward pass of L = sum(dH * H), in
float64 and in float32, with one thread each (NumPy's BLAS and torch pinned);
candidates are interleaved in one run and the ratio of medians is printed. The
first lines name the machine (``course_utils.bench.machine_report``).

A third candidate runs only the matrix products of NumPy's forward and backward
(same shapes, same BLAS, nothing else): its time against torch's whole pass is
the ratio no rewriting of the element-wise work can go below.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np
import torch

from . import bptt
from .bench import machine_report
from .oracle import load_params, rand_params
from .timing import compare, pinned_threads


def _torch_step(module, X, states, dH):
    module.zero_grad()
    X.grad = None
    init = states[0] if len(states) == 1 else tuple(states)
    out, _ = module(X, init)
    (out * dH).sum().backward()


def products_only(T, B, I, H, G, dtype):
    """The matrix products of ``course_utils.bptt``'s forward + backward for G gate
    rows of width H (3H for the GRU, 4H for the LSTM), on random arrays of the same
    shapes: a zero-argument callable that does only them."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((T * B, I)).astype(dtype)
    h = rng.standard_normal((T, B, H)).astype(dtype)
    dA = rng.standard_normal((T, B, G)).astype(dtype)
    W_ihT = rng.standard_normal((I, G)).astype(dtype)
    W_hhT = rng.standard_normal((H, G)).astype(dtype)
    W_hh, W_ih = np.ascontiguousarray(W_hhT.T), np.ascontiguousarray(W_ihT.T)
    a = np.empty((B, G), dtype=dtype)

    def run():
        X @ W_ihT                                        # input projections
        for t in range(T):
            np.matmul(h[t], W_hhT, out=a)                # forward, step by step
        for t in range(T):
            dA[t] @ W_hh                                 # backward, step by step
        flat = dA.reshape(T * B, G)
        flat @ W_ih, flat.T @ X, flat.T @ h.reshape(T * B, H)   # dX, dW_ih, dW_hh
    return run


def bench(T, B, I, H, repeats=5, threads=1, dtype=np.float64):
    """{"gru": (NumPy s, torch s, products s), "lstm": (...)}: medians of the forward
    + backward pass, in ``dtype``, NumPy, torch autograd and NumPy's matrix products
    alone (:func:`products_only`) interleaved."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((T, B, I)).astype(dtype)
    dH = rng.standard_normal((T, B, H)).astype(dtype)
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    times = {}
    for kind, gates, cls in (("gru", 3, torch.nn.GRU), ("lstm", 4, torch.nn.LSTM)):
        p = [a.astype(dtype) for a in rand_params(rng, I, H, gates, scale=1 / np.sqrt(H))]
        states = [rng.uniform(-0.5, 0.5, (B, H)).astype(dtype)
                  for _ in range(1 if kind == "gru" else 2)]
        mod = load_params(cls(I, H).to(tdt), *p)
        Xt = torch.from_numpy(X).requires_grad_()
        st = [torch.from_numpy(s)[None] for s in states]
        dHt = torch.from_numpy(dH)
        numpy_fn = getattr(bptt, f"{kind}_backward")
        with pinned_threads(threads):
            t = compare({"numpy": lambda: numpy_fn(dH, X, *states, *p),
                         "torch": lambda: _torch_step(mod, Xt, st, dHt),
                         "products": products_only(T, B, I, H, gates * H, dtype)},
                        repeats=repeats, warmup=1)
        times[kind] = (t["numpy"].median, t["torch"].median, t["products"].median)
    return times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)
    size = (5, 2, 3, 4) if args.tiny else (100, 32, 64, 128)
    T, B, I, H = size
    print(machine_report())
    print(f"forward + backward, T={T}, B={B}, I={I}, H={H}, {args.threads} thread(s), "
          f"median of {2 if args.tiny else args.repeats}, interleaved")
    for dtype in (np.float64, np.float32):
        times = bench(*size, repeats=2 if args.tiny else args.repeats, threads=args.threads,
                      dtype=dtype)
        for kind, (t_np, t_torch, t_mm) in times.items():
            print(f"{np.dtype(dtype).name:>7} {kind.upper():>4}: NumPy {t_np * 1e3:8.2f} ms   "
                  f"torch autograd {t_torch * 1e3:8.2f} ms   NumPy / torch = {t_np / t_torch:.2f}"
                  f"   (NumPy's products alone / torch = {t_mm / t_torch:.2f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
