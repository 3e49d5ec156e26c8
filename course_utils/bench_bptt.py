"""Benchmark: the reference NumPy GRU/LSTM backward vs torch autograd, on the CPU.

    python -m course_utils.bench_bptt            # T=100, B=32, I=64, H=128
    python -m course_utils.bench_bptt --tiny     # a smoke run (used by the tests)

Both sides do a forward pass and a backward pass of L = sum(dH * H), in
float64 and in float32, with one thread each (NumPy's BLAS and torch pinned);
candidates are interleaved in one run and the ratio of medians is printed. The
first lines name the machine (``course_utils.bench.machine_report``).
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


def bench(T, B, I, H, repeats=5, threads=1, dtype=np.float64):
    """{"gru": (NumPy s, torch s), "lstm": (NumPy s, torch s)}: medians of the forward
    + backward pass, in ``dtype``, NumPy and torch autograd interleaved."""
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
                         "torch": lambda: _torch_step(mod, Xt, st, dHt)},
                        repeats=repeats, warmup=1)
        times[kind] = (t["numpy"].median, t["torch"].median)
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
        for kind, (t_np, t_torch) in times.items():
            print(f"{np.dtype(dtype).name:>7} {kind.upper():>4}: NumPy {t_np * 1e3:8.2f} ms   "
                  f"torch autograd {t_torch * 1e3:8.2f} ms   NumPy / torch = {t_np / t_torch:.2f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
