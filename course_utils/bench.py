"""Benchmark: naive NumPy GRU vs fast NumPy GRU vs torch (CPU, and cuDNN when present),
and the fast NumPy LSTM vs torch's LSTM (float32: oneDNN's fused kernel; float64: ATen's loop).

    python -m course_utils.bench              # the course's figures
    python -m course_utils.bench --repeats 15 # more repeats on a busy machine
    python -m course_utils.bench --threads 2  # another thread count
    python -m course_utils.bench --tiny       # a smoke run (used by the tests)
    python -m course_utils.bench --device cpu # the device column on the CPU (a smoke test
                                              # of the cuDNN code path without a GPU)

Every row is measured in one run, candidates interleaved (course_utils.timing),
threads pinned for NumPy and torch alike; the tables print ratios of medians,
which is what the course reports. The first lines name the machine: CPU model and
cores, the SIMD level of torch's ATen kernels and of NumPy's ufuncs, and the BLAS
libraries with the kernel each one picked (threadpoolctl). OpenBLAS takes its kernel
from ``OPENBLAS_CORETYPE`` when that is set; to measure the one it picks itself, unset
it for that command alone:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m course_utils.bench
"""
from __future__ import annotations

import argparse
import copy
import os
import platform
import sys

import numpy as np
import torch

from . import fast
from .fast import SIGMOID_VIA_EXP, gru_forward_fast, lstm_forward_fast
from .oracle import params_of
from .reference import gru_forward
from .timing import compare, pinned_threads

SIZES = [(200, 32, 64, 128), (50, 8, 32, 64), (200, 64, 128, 256), (1000, 1, 32, 64)]
TINY = [(5, 2, 3, 4)]


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    model = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f
                          if line.startswith("model name")), model)
    except OSError:
        pass
    return model


def numpy_simd() -> str:
    """NumPy's SIMD dispatch: the baseline it was built for and the dispatched
    features in use (those this CPU has, less any NPY_DISABLE_CPU_FEATURES)."""
    try:
        from numpy._core._multiarray_umath import (__cpu_baseline__, __cpu_dispatch__,
                                                   __cpu_features__)
    except ImportError:                                            # another NumPy layout
        return "unknown"
    on = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    return f"baseline {' '.join(__cpu_baseline__) or 'none'}, dispatched {' '.join(on) or 'none'}"


def blas() -> str:
    """The BLAS libraries loaded in this process, each with its version and kernel."""
    from threadpoolctl import threadpool_info
    libs = [f"{d.get('internal_api')} {d.get('version') or ''} ({d.get('architecture') or '-'})"
            .replace("  ", " ") for d in threadpool_info() if d.get("user_api") == "blas"]
    forced = [f"{k}={os.environ[k]}" for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
              if k in os.environ]
    text = ", ".join(libs) or "none found by threadpoolctl"
    return text + (f" [{' '.join(forced)} set]" if forced else "")


def machine() -> str:
    """The machine in one line: cores, architecture, CPU model, torch's SIMD level,
    e.g. "2-core x86_64 AMD EPYC, torch CPU capability AVX512"."""
    return (f"{os.cpu_count()}-core {platform.machine()} {cpu_model()}".rstrip()
            + f", torch CPU capability {torch.backends.cpu.get_cpu_capability()}")


def machine_report() -> str:
    """Several lines: :func:`machine`, NumPy's SIMD dispatch, the BLAS kernels,
    torch's own BLAS (MKL) and oneDNN, which runs its float32 LSTM, and the route
    the fast NumPy forwards take for their sigmoids."""
    mkl = "MKL" if torch.backends.mkl.is_available() else "no MKL"
    onednn = "oneDNN" if torch.backends.mkldnn.is_available() else "no oneDNN"
    return "\n".join([
        f"machine: {machine()}",
        f"torch {torch.__version__}: {mkl}, {onednn}",
        f"NumPy {np.__version__} SIMD: {numpy_simd()}",
        f"NumPy's BLAS: {blas()}",
        "course_utils.fast: sigmoids via " + ("exp (NumPy's tanh is not vectorised here)"
                                               if SIGMOID_VIA_EXP else "tanh"),
    ])


def _lstm_inputs(T, B, I, H, dtype):
    """(torch LSTM, its parameters as NumPy, X, h0, torch X, torch (h0, c0)) in dtype."""
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(I, H).to(torch.float64 if dtype == np.float64 else torch.float32)
    p = [a.astype(dtype) for a in params_of(lstm)]
    X = np.random.default_rng(0).standard_normal((T, B, I)).astype(dtype)
    h0 = np.zeros((B, H), dtype)
    h0t = torch.from_numpy(h0)[None]
    return lstm, p, X, h0, torch.from_numpy(X), (h0t, h0t)


def _row_blocks_picked(T, B, I, H) -> str:
    """"f32/f64": how many row blocks ``fast.split_product`` picked for the LSTM's
    per-step product at this size (after :func:`bench_lstm_size` ran it)."""
    return "/".join(str(fast._lstm_row_blocks(I, H, B, dt) or "-")
                    for dt in (np.float32, np.float64))


def bench_lstm_size(T, B, I, H, repeats=7):
    """{name: Timing} for one size: the fast NumPy LSTM and torch's CPU LSTM in float32
    ("... f32"; torch runs oneDNN's fused kernel) and float64 ("... f64"; ATen's loop),
    all four interleaved in one run."""
    candidates = {}
    for dtype, tag in ((np.float32, "f32"), (np.float64, "f64")):
        lstm, p, X, h0, Xt, st = _lstm_inputs(T, B, I, H, dtype)

        def torch_cpu(lstm=lstm, Xt=Xt, st=st):
            with torch.no_grad():
                lstm(Xt, st)
        candidates[f"fast NumPy {tag}"] = lambda p=p, X=X, h0=h0: lstm_forward_fast(X, h0, h0, *p)
        candidates[f"torch CPU {tag}"] = torch_cpu
    return compare(candidates, repeats=repeats, warmup=2)


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
    """Print the tables; argv as on the command line (see the module docstring)."""
    ap = argparse.ArgumentParser(description="GRU and LSTM forward speed, NumPy vs torch")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--tiny", action="store_true", help="one tiny size, 2 repeats")
    ap.add_argument("--device", default=None,
                    help="device of the last column (default: cuda when present, else none)")
    args = ap.parse_args(argv)
    sizes, repeats = (TINY, 2) if args.tiny else (SIZES, args.repeats)
    device = args.device or ("cuda" if torch.cuda.is_available() else None)
    label = "cuDNN" if device == "cuda" else device
    print(machine_report())
    print(f"{args.threads} thread(s) for NumPy and torch; median of {repeats}, candidates "
          "interleaved; ratios < 1: NumPy faster")
    if device == "cuda":
        print(f"GPU: {torch.cuda.get_device_name()}")
    elif device is None:
        print("No CUDA GPU: the cuDNN column is left out.")
    print("\nGRU forward, float32")
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
        print("\nLSTM forward: fast NumPy vs torch CPU (float32: oneDNN's fused kernel; "
              "float64: ATen's loop)")
        print(f"{'T':>5} {'B':>4} {'I':>4} {'H':>4} | {'f32 fast':>9} {'torch':>8} "
              f"{'f64 fast':>9} {'torch':>8} | {'f32 fast/torch':>14} {'f64 fast/torch':>14}"
              "  row blocks f32/f64")
        for T, B, I, H in sizes:
            m = {k: v.median * 1e3 for k, v in bench_lstm_size(T, B, I, H, repeats).items()}
            print(f"{T:>5} {B:>4} {I:>4} {H:>4} | {m['fast NumPy f32']:9.2f} "
                  f"{m['torch CPU f32']:8.2f} {m['fast NumPy f64']:9.2f} {m['torch CPU f64']:8.2f}"
                  f" | {m['fast NumPy f32'] / m['torch CPU f32']:14.2f} "
                  f"{m['fast NumPy f64'] / m['torch CPU f64']:14.2f}  "
                  f"{_row_blocks_picked(T, B, I, H):>18}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
