"""Benchmark: naive NumPy GRU vs fast NumPy GRU vs torch (CPU, and cuDNN when present).

    python -m course_utils.bench              # the course's figures
    python -m course_utils.bench --threads 2  # another thread count
    python -m course_utils.bench --tiny       # a smoke run (used by the tests)
    python -m course_utils.bench --device cpu # the device column on the CPU (a smoke test
                                              # of the cuDNN code path without a GPU)

Every row is measured in one run, candidates interleaved (course_utils.timing),
float32, threads pinned for NumPy and torch alike; the table prints ratios of
medians, which is what the course reports.
"""
from __future__ import annotations

import argparse
import copy
import os
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


def machine() -> str:
    """The machine in words: cores, architecture, CPU model, torch's SIMD level,
    e.g. "2-core x86_64 AMD EPYC, torch CPU capability AVX512"."""
    model = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f
                          if line.startswith("model name")), model)
    except OSError:
        pass
    return (f"{os.cpu_count()}-core {platform.machine()} {model}".rstrip()
            + f", torch CPU capability {torch.backends.cpu.get_cpu_capability()}")


def bench_size(T, B, I, H, repeats=7, device=None):
    """{name: Timing} for one size, float32: naive NumPy, fast NumPy, torch CPU and,
    when ``device`` is given ("cuda" for cuDNN; "cpu" runs the same code path on the
    CPU, for the tests), "torch device": the same layer moved to that device, timed
    with the device synchronised before each clock reading."""
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
    if device is not None:
        dev = torch.device(device)
        g = copy.deepcopy(gru).to(dev)
        Xg, h0g = Xt.to(dev), h0t.to(dev)
        sync = torch.cuda.synchronize if dev.type == "cuda" else None

        def torch_device():
            with torch.no_grad():
                g(Xg, h0g)
        timings.update(compare({"torch device": torch_device}, repeats=repeats, warmup=3,
                               sync=sync))
    return timings


def main(argv=None) -> int:
    """Print the table; argv as on the command line (see the module docstring)."""
    ap = argparse.ArgumentParser(description="GRU forward speed, NumPy vs torch")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--tiny", action="store_true", help="one tiny size, 2 repeats")
    ap.add_argument("--device", default=None,
                    help="device of the last column (default: cuda when present, else none)")
    args = ap.parse_args(argv)
    sizes, repeats = (TINY, 2) if args.tiny else (SIZES, args.repeats)
    device = args.device or ("cuda" if torch.cuda.is_available() else None)
    label = "cuDNN" if device == "cuda" else device
    print(f"GRU forward, float32, {args.threads} thread(s) for NumPy and torch; "
          f"median of {repeats}; torch {torch.__version__}, NumPy {np.__version__}; "
          f"{machine()}")
    if device == "cuda":
        print(f"GPU: {torch.cuda.get_device_name()}")
    elif device is None:
        print("No CUDA GPU: the cuDNN column is left out.")
    head = f"{'T':>5} {'B':>4} {'I':>4} {'H':>4} | {'naive ms':>9} {'fast ms':>8} {'torch ms':>9}"
    head += " | fast/torch  naive/fast"
    if device is not None:
        head += f"  torch/{label}"
    print(head)
    with pinned_threads(args.threads):
        for T, B, I, H in sizes:
            t = bench_size(T, B, I, H, repeats, device)
            m = {k: v.median for k, v in t.items()}
            row = (f"{T:>5} {B:>4} {I:>4} {H:>4} | {m['naive NumPy'] * 1e3:9.2f} "
                   f"{m['fast NumPy'] * 1e3:8.2f} {m['torch CPU'] * 1e3:9.2f} | "
                   f"{m['fast NumPy'] / m['torch CPU']:10.2f}  "
                   f"{m['naive NumPy'] / m['fast NumPy']:10.2f}")
            if device is not None:
                row += f"  {m['torch CPU'] / m['torch device']:{len(label) + 6}.1f}"
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
