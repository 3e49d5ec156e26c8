"""Centred finite-difference gradient checking (unit 04).

    errors = grad_check(loss, params, grads)   # {name: relative error}

The relative error of two arrays a, b is max |a - b| / max(|a|, |b|), taken
element-wise with a floor so that entries that are both ~0 do not divide by
zero (the definition used by CS231n). In float64 with h = 1e-5, a correct
gradient gives about 1e-7 or less; a wrong one 1e-2 or more.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["rel_error", "numerical_gradient", "grad_check"]


def rel_error(a, b, floor: float = 1e-8) -> float:
    """max over entries of |a - b| / max(|a|, |b|, floor). Shapes must match.

    Used by grad_check (lab 04).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)))


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """dF/dx by centred differences, changing ``x`` in place and restoring it.

    f: a function of no arguments that reads ``x`` and returns a float.
    x: a float64 array (any shape). Returns an array of x's shape.
    Used by grad_check (lab 04).
    """
    if x.dtype != np.float64:
        raise TypeError("numerical gradients need float64 arrays (float32 rounding is ~1e-7)")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = x[idx]
        x[idx] = old + h
        f_plus = f()
        x[idx] = old - h
        f_minus = f()
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def grad_check(loss: Callable[[], float], params: dict, grads: dict, h: float = 1e-5) -> dict:
    """Relative error of each analytic gradient against centred differences.

    loss: function of no arguments computing the loss from the arrays in
    ``params`` (it must read them, as they are changed in place during the check).
    params: {name: float64 array}; grads: {name: analytic gradient, same shape}.
    Returns {name: relative error}.
    Used in solutions/04_bptt.ipynb.
    """
    return {name: rel_error(grads[name], numerical_gradient(loss, params[name], h))
            for name in params}
