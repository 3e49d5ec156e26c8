"""Synthetic tasks with long dependencies (unit 06) and the character data
of the capstone (unit 10).

Every generator takes a NumPy ``Generator`` (or a seed) so that data
reproduce exactly, and returns float32 arrays laid out time first like torch.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["adding_problem", "ADDING_BASELINE_MSE", "copy_task", "copy_baseline_ce",
           "load_corpus", "CharVocab"]

#: MSE of always predicting the mean (1) of a sum of two U[0, 1] values: Var = 2 / 12
ADDING_BASELINE_MSE = 1.0 / 6.0


def _rng(rng):
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def adding_problem(T: int, B: int, rng=0):
    """The adding problem (Hochreiter & Schmidhuber, 1997).

    Each step carries two numbers: a value in U[0, 1] and a marker in {0, 1}.
    Exactly two steps are marked, one in each half of the sequence; the target
    is the sum of the two marked values, so the network must remember a value
    for up to T steps.
    Returns X (T, B, 2) float32 and y (B,) float32.
    Used in notebooks/06_long_dependencies.ipynb, notebooks/08_variants.ipynb.
    """
    rng = _rng(rng)
    values = rng.uniform(0.0, 1.0, size=(T, B)).astype(np.float32)
    markers = np.zeros((T, B), dtype=np.float32)
    half = max(1, T // 2)
    first = rng.integers(0, half, size=B)
    second = rng.integers(half, T, size=B) if T > 1 else first
    cols = np.arange(B)
    markers[first, cols] = 1.0
    markers[second, cols] = 1.0
    y = values[first, cols] + values[second, cols]
    return np.stack([values, markers], axis=-1), y.astype(np.float32)


def copy_task(T_delay: int, B: int, n_symbols: int = 8, length: int = 5, rng=0):
    """The copy (memory) task.

    A sequence of ``length`` random symbols (1..n_symbols), then ``T_delay``
    blanks (0), then a go signal (n_symbols + 1) and ``length - 1`` more
    blanks, during which the network must output the symbols in order.
    Returns X (T, B) int64 input symbols and y (length, B) int64 targets for
    the last ``length`` steps, with T = 2 * length + T_delay.
    A second long-dependency task for lesson 06's exercises beyond the lesson.
    """
    rng = _rng(rng)
    symbols = rng.integers(1, n_symbols + 1, size=(length, B))
    T = 2 * length + T_delay
    X = np.zeros((T, B), dtype=np.int64)
    X[:length] = symbols
    X[length + T_delay] = n_symbols + 1
    return X, symbols.astype(np.int64)


def copy_baseline_ce(n_symbols: int = 8) -> float:
    """Cross-entropy of guessing uniformly among the symbols: log(n_symbols).

    The baseline of copy_task (lesson 06).
    """
    return float(np.log(n_symbols))


_DATA = Path(__file__).resolve().parent / "data"


def load_corpus(name: str = "genesis_kjv.txt") -> str:
    """A text shipped with the course (see course_utils/data/README.md).

    Used in notebooks/09_gru_vs_lstm.ipynb, notebooks/10_char_language_model.ipynb.
    """
    return (_DATA / name).read_text(encoding="utf-8")


class CharVocab:
    """Characters <-> integer ids for a text.

    ``encode(text) -> int64 array (N,)``, ``decode(ids) -> str``; ``size`` ids.
    Used in notebooks/09_gru_vs_lstm.ipynb, notebooks/10_char_language_model.ipynb.
    """

    def __init__(self, text: str):
        self.chars = sorted(set(text))
        self.index = {ch: k for k, ch in enumerate(self.chars)}

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        return np.array([self.index[ch] for ch in text], dtype=np.int64)

    def decode(self, ids) -> str:
        return "".join(self.chars[int(k)] for k in ids)
