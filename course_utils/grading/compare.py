"""Comparing the learner's output with the expected one.

The structure of a returned value against the exercise's output spec, the
dtype, shape, finiteness and values of every array in it (with a hint for a
recognisable wrong shape), two right arrays returned in each other's place,
and the arguments a call modified in place.
"""
from __future__ import annotations

import numpy as np

from . import hints

def _flatten_spec(spec, prefix=()) -> list:
    """[(path, name)] for every array in an output spec, in order."""
    if isinstance(spec, str):
        return [(prefix, spec)]
    items = []
    for i, sub in enumerate(spec):
        items += _flatten_spec(sub, prefix + (i,))
    return items


def _spec_text(spec) -> str:
    if isinstance(spec, str):
        return spec
    return "(" + ", ".join(_spec_text(s) for s in spec) + ")"


def _pick(value, path):
    for i in path:
        value = value[i]
    return value


def _same_shaped_arrays(items) -> bool:
    """True for a non-empty tuple of arrays of one shape (e.g. the states of every
    time step): it is read as those arrays stacked, like a list."""
    shapes = {np.shape(v) for v in items if hasattr(v, "shape")}
    return len(items) > 0 and len(shapes) == 1 and all(hasattr(v, "shape") for v in items)


def _structure_problem(value, spec) -> str:
    """'' when ``value`` has the structure of ``spec``, else what is wrong."""
    if isinstance(spec, str):
        if value is None:
            return f"returned None where the array `{spec}` was expected ({hints.MISSING_RETURN})"
        if isinstance(value, tuple) and not _same_shaped_arrays(value):
            return (f"returned a tuple of {len(value)} items where one array `{spec}` was "
                    f"expected")
        return ""
    if value is None:
        return f"returned None; expected a tuple {_spec_text(spec)} ({hints.MISSING_RETURN})"
    if not isinstance(value, (tuple, list)):
        return (f"returned a single {type(value).__name__}; expected a tuple "
                f"{_spec_text(spec)} of {len(spec)} items")
    if len(value) != len(spec):
        return (f"returned {len(value)} items; expected {len(spec)}: {_spec_text(spec)}")
    for v, s in zip(value, spec):
        problem = _structure_problem(v, s)
        if problem:
            return problem
    return ""


def _as_float_array(value):
    """(array, problem) where problem is '' when the value is a usable float array."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):   # a torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, dict):
        return None, hints.DTYPE["dict"]
    if hasattr(value, "__next__") or isinstance(value, (set, frozenset, range)):
        return None, hints.DTYPE["iterator"].format(type=type(value).__name__)
    try:
        arr = np.asarray(value)
    except Exception as exc:  # noqa: BLE001
        return None, f"could not be read as an array ({type(exc).__name__})"
    if arr.dtype == object:
        return None, hints.DTYPE["object"]
    if arr.dtype.kind == "c":
        return None, f"has complex dtype {arr.dtype}"
    if arr.dtype.kind == "b":
        return None, hints.DTYPE["bool"]
    if arr.dtype == np.float16:
        return None, hints.DTYPE["float16"]
    if arr.dtype.kind in "biu":
        return None, hints.DTYPE["int"].format(dtype=arr.dtype)
    if arr.dtype.kind != "f":
        return None, f"has dtype {arr.dtype}, not a float dtype"
    return arr, ""


def _shape_hint(got, want, name) -> str:
    """Where a wrong shape comes from, in words fitting the array (a sequence
    (T, B, .), a state (B, H) or a gradient of a weight)."""
    S = hints.SHAPE
    if len(got) == len(want) and sorted(got) == sorted(want) and got != want:
        if len(got) == 3:
            return S["time_first"].format(name=name)
        if name.startswith(("dW", "W")):
            return S["grad_transposed"].format(name=name)
        return S["batch_first"].format(name=name)
    if len(got) == len(want) - 1 and tuple(got) == tuple(want[1:]):
        key = {3: "lost_time", 2: "lost_batch"}.get(len(want), "lost_axis")
        if name.startswith(("dW", "db")):
            key = "lost_axis"
        return S[key].format(name=name)
    if len(got) == len(want) + 1 and got[0] == 1 and tuple(got[1:]) == tuple(want):
        return S["extra_one"].format(name=name)
    if len(got) == len(want) == 3 and tuple(got[1:]) == tuple(want[1:]):
        if got[0] == want[0] + 1:
            return S["step_too_many"].format(name=name)
        if got[0] == want[0] - 1:
            return S["step_too_few"].format(name=name)
    if len(got) == 2 and len(want) == 2 and got[0] == want[0] and got[1] % want[1] == 0:
        return S["gate_multiple"].format(name=name, k=got[1] // want[1])
    return ""


def _compare(value, expected, spec, rtol, atol, explain=None) -> tuple[str, str, float]:
    """(problem, kind, max_err). problem == '' when every array matches.

    A wrong dtype, shape or a NaN is reported for the first array that has
    it; wrong values are reported for every array that has them. ``explain``
    (name, got, want, bad_mask) -> str may add where in an array the error
    sits (e.g. which gate block).
    """
    worst, wrong = 0.0, []
    for path, name in _flatten_spec(spec):
        raw = _pick(value, path)
        got, problem = _as_float_array(raw)
        want = np.asarray(_pick(expected, path))
        if problem:
            return f"`{name}` {problem}.", "dtype", np.inf
        if got.shape != want.shape and isinstance(raw, tuple):
            return (f"returned a tuple of {len(raw)} arrays where one array `{name}` of shape "
                    f"{tuple(want.shape)} was expected.", "shape", np.inf)
        if got.shape != want.shape:
            msg = f"`{name}` has shape {tuple(got.shape)}, expected {tuple(want.shape)}."
            hint = _shape_hint(tuple(got.shape), tuple(want.shape), name)
            # "size": the same axes with other sizes, which no shape hint explains
            return msg + (" " + hint if hint else ""), "shape" if hint else "size", np.inf
        bad = ~np.isfinite(got) & np.isfinite(want)
        if bad.any():
            what = "NaN" if np.isnan(got[bad]).any() else "inf"
            return (f"`{name}` contains {what} ({int(bad.sum())} of {got.size} values) where "
                    f"the answer is finite.", "nan", np.inf)
        err = np.abs(got.astype(np.float64) - want)
        mask = err > atol + rtol * np.abs(want)
        if mask.any():
            idx = np.unravel_index(np.argmax(err), err.shape)
            idx_txt = ", ".join(str(int(i)) for i in idx)
            where = explain(name, got, want, mask) if explain else ""
            wrong.append((name, float(err.max()), f"{name}[{idx_txt}]", where))
            worst = max(worst, float(err.max()))
        elif err.size:
            worst = max(worst, float(err.max()))
    if len(wrong) == 1:
        name, e, at, where = wrong[0]
        text = f"`{name}` has wrong values: max abs error {e:.2g} (at {at})"
        return text + (f", {where}" if where else "") + ".", "values", worst
    if wrong:
        names = ", ".join(f"`{n}`" + (f" ({w})" if w else "") for n, _, _, w in wrong)
        name, e, at, _ = max(wrong, key=lambda w: w[1])
        return (f"wrong values in {names}; the largest error is {e:.2g} (at {at}).",
                "values", worst)
    return "", "", worst


def _close(a, b, spec, tol=1e-6) -> bool:
    try:
        for path, _ in _flatten_spec(spec):
            x = np.asarray(_pick(a, path), dtype=np.float64)
            y = np.asarray(_pick(b, path), dtype=np.float64)
            if x.shape != y.shape or not np.allclose(x, y, rtol=tol, atol=tol, equal_nan=False):
                return False
        return True
    except Exception:  # noqa: BLE001
        return False


def _swapped_pair(value, expected, spec, rtol, atol) -> tuple[str, str] | None:
    """Names (a, b) of two returned arrays that are right but in each other's place."""
    def ok(x, y):
        return x.shape == y.shape and np.allclose(x, y, rtol=rtol, atol=atol)
    try:
        leaves = [(name, np.asarray(_pick(value, path), dtype=np.float64),
                   np.asarray(_pick(expected, path), dtype=np.float64))
                  for path, name in _flatten_spec(spec)]
    except Exception:  # noqa: BLE001 - no structure to compare: no swap to name
        return None
    wrong = [leaf for leaf in leaves if not ok(leaf[1], leaf[2])]
    for k, (name_a, got_a, want_a) in enumerate(wrong):
        for name_b, got_b, want_b in wrong[k + 1:]:
            if ok(got_a, want_b) and ok(got_b, want_a):
                return name_a, name_b
    return None


def _copy_args(args):
    """Copies of the arguments; arrays inside lists and tuples are copied too."""
    def copy(a):
        if isinstance(a, np.ndarray):
            return np.array(a, copy=True)
        if isinstance(a, (list, tuple)):
            return type(a)(copy(v) for v in a)
        return a
    return tuple(copy(a) for a in args)


def _leaves(value, name):
    """[(name, array)] for every array in a (nested) argument."""
    if isinstance(value, np.ndarray):
        return [(name, value)]
    if isinstance(value, (list, tuple)):
        return [leaf for k, v in enumerate(value) for leaf in _leaves(v, f"{name}[{k}]")]
    return []


def _changed_inputs(before, after, names) -> list:
    changed = []
    for b, a, n in zip(before, after, names):
        for (name, x), (_, y) in zip(_leaves(b, n), _leaves(a, n)):
            if x.shape != y.shape or not np.array_equal(x, y, equal_nan=True):
                changed.append(name)
    return changed
