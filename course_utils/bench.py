"""Benchmark: naive NumPy GRU vs fast NumPy GRU vs torch (CPU, and cuDNN when present).

    python -m course_utils.bench              # the course's figures
    python -m course_utils.bench --threads 2  # another thread count
    python -m course_utils.bench --tiny       # a smoke run (used by the tests)

Every row is measured in one run, candidates interleaved (course_utils.timing),
float32, threads pinned for NumPy and torch alike; the table prints ratios of
medians, which is what the course reports.
"""
from __future__ import annotations

import argparse
import platform
import sys

import numpy as np
import torch

from .fast import gru_forward_fast
from .oracle import params_of
from .reference import gru_forward
from .timing import compare, pinned_threads

SIZES = [(200, 32, 64, 128), (50, 8, 32, 64), (200, 64, 128, 256), (1000, 1, 32, 64)]
TINY = [(5, 2, 3, 4)]


def bench_size(T, B, I, H, repeats=7, device="cpu"):
    """{name: Timing} for one size; float32."""
    torch.manual_seed(0)
    gru = torch.nn.GRU(I, H)
    p = [a.astype(np.float32) for a in params_of(gru)]
    X = np.random.default_rng(0).standard_normal((T, B, I)).astype(np.float32)
    h0 = np.zeros((B, H), np.float32)
    Xt, h0t = torch.from_numpy(X), torch.from_numpy(h0)[None]

    def torch_cpu():
        with torch.no_grad():
            gru(Xt, h0t)

    candidates = {
        "naive NumPy": lambda: gru_forward(X, h0, *p),
        "fast NumPy": lambda: gru_forward_fast(X, h0, *p),
        "torch CPU": torch_cpu,
    }
    timings = compare(candidates, repeats=repeats, warmup=2)
    if device == "cuda":
        g = gru.cuda()
        Xg, h0g = Xt.cuda(), h0t.cuda()

        def torch_gpu():
            with torch.no_grad():
                g(Xg, h0g)
        timings.update(compare({"torch cuDNN": torch_gpu}, repeats=repeats, warmup=3,
                               sync=torch.cuda.synchronize))
    return timings


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="GRU forward speed, NumPy vs torch")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--tiny", action="store_true", help="one tiny size, 2 repeats")
    args = ap.parse_args(argv)
    sizes, repeats = (TINY, 2) if args.tiny else (SIZES, args.repeats)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"GRU forward, float32, {args.threads} thread(s) for NumPy and torch; "
          f"median of {repeats}; torch {torch.__version__}, NumPy {np.__version__}, "
          f"{platform.processor() or platform.machine()}")
    if device == "cuda":
        print(f"GPU: {torch.cuda.get_device_name()}")
    else:
        print("No CUDA GPU: the cuDNN column is left out.")
    head = f"{'T':>5} {'B':>4} {'I':>4} {'H':>4} | {'naive ms':>9} {'fast ms':>8} {'torch ms':>9}"
    head += " | fast/torch  naive/fast"
    if device == "cuda":
        head += "  torch/cuDNN"
    print(head)
    with pinned_threads(args.threads):
        for T, B, I, H in sizes:
            t = bench_size(T, B, I, H, repeats, device)
            m = {k: v.median for k, v in t.items()}
            row = (f"{T:>5} {B:>4} {I:>4} {H:>4} | {m['naive NumPy'] * 1e3:9.2f} "
                   f"{m['fast NumPy'] * 1e3:8.2f} {m['torch CPU'] * 1e3:9.2f} | "
                   f"{m['fast NumPy'] / m['torch CPU']:10.2f}  "
                   f"{m['naive NumPy'] / m['fast NumPy']:10.2f}")
            if device == "cuda":
                row += f"  {m['torch CPU'] / m['torch cuDNN']:11.1f}"
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
