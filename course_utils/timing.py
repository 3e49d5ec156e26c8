"""A small, honest timing helper: warm-up, repeats, medians, and ratios of
candidates measured side by side in the same run (interleaved, so a slow
moment of the machine hits every candidate alike)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["Timing", "measure", "compare", "pinned_threads"]


@dataclass
class Timing:
    """Seconds of each repeat; ``median`` is what we report.

    Used in notebooks/09_gru_vs_lstm.ipynb.
    """

    times: list = field(default_factory=list)

    @property
    def median(self) -> float:
        return float(np.median(self.times))

    @property
    def spread(self) -> float:
        """(max - min) / median: how noisy the repeats were."""
        return float((max(self.times) - min(self.times)) / self.median)

    def __str__(self) -> str:
        m = self.median
        text = f"{m * 1e3:.2f} ms" if m >= 1e-3 else f"{m * 1e6:.1f} µs"
        return f"{text} (median of {len(self.times)})"


def measure(fn: Callable[[], object], repeats: int = 7, warmup: int = 1,
            sync: Callable[[], None] | None = None) -> Timing:
    """Time ``fn()`` ``repeats`` times after ``warmup`` untimed calls.

    sync: called before reading the clock (``torch.cuda.synchronize`` for GPU
    work, whose launches return before the kernels finish).
    Used by compare (lesson 07, the benchmarks).
    """
    return compare({"fn": fn}, repeats=repeats, warmup=warmup, sync=sync)["fn"]


def compare(candidates: dict, repeats: int = 7, warmup: int = 1,
            sync: Callable[[], None] | None = None) -> dict:
    """Time several zero-argument callables, interleaved round by round.

    Returns {name: Timing}. Ratios of medians from one call of this
    function are the figures the course reports.
    Used in notebooks/07_speed.ipynb, notebooks/09_gru_vs_lstm.ipynb,
    solutions/07_speed.ipynb.
    """
    sync = sync or (lambda: None)
    for _ in range(warmup):
        for fn in candidates.values():
            fn()
            sync()
    result = {name: Timing() for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            sync()
            start = time.perf_counter()
            fn()
            sync()
            result[name].times.append(time.perf_counter() - start)
    return result


class pinned_threads:
    """Context manager: NumPy's BLAS and torch both limited to ``n`` threads.

    with pinned_threads(1):
        ...   # single-threaded, comparable timings
    Used in notebooks/07_speed.ipynb, notebooks/09_gru_vs_lstm.ipynb,
    solutions/07_speed.ipynb.
    """

    def __init__(self, n: int = 1):
        self.n = n

    def __enter__(self):
        import torch
        from threadpoolctl import threadpool_limits
        self._torch = torch.get_num_threads()
        torch.set_num_threads(self.n)
        self._limits = threadpool_limits(self.n)
        self._limits.__enter__()
        return self

    def __exit__(self, *exc):
        import torch
        self._limits.__exit__(*exc)
        torch.set_num_threads(self._torch)
        return False
