"""Building blocks for exercise modules: random inputs, standard case sets,
and turning a cell's mistakes into a sequence function's mistakes."""
from __future__ import annotations

import os
from typing import Callable, Sequence

import numpy as np

from ..oracle import rand_params  # re-exported: it lives with the parameter helpers
from ..reference import sigmoid
from . import hints
from .core import Case, Mistake

__all__ = [
    "rand_params", "cell_cases", "sequence_cases", "loop_cell", "lift_cell_mistakes",
    "sequence_mistakes", "single_bug_mistakes", "set_instructor_checks", "instructor_specs",
    "missing_bias_hint", "flipped_sigmoid", "SIGMOID_SIGN_HINT", "copied_slice_hint",
    "untransposed_blocks_hint", "F64", "F32",
]

#: tolerances for float64 and float32 inputs (the oracle is float64). Loose
#: enough for any correct summation order, or a float32 computation of a
#: float64 case; every known mistake is off by more than 1e-2.
F64 = dict(rtol=1e-5, atol=1e-6)
F32 = dict(rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------ mistakes every cell can have
def flipped_sigmoid(a):
    """1 / (1 + exp(a)): a sigmoid with the sign of the exponent lost (= 1 - sigmoid)."""
    return sigmoid(-a)


# the hints of mistakes every cell can have (written in hints.py, re-exported here)
missing_bias_hint = hints.missing_bias
copied_slice_hint = hints.copied_slice
untransposed_blocks_hint = hints.untransposed_blocks
SIGMOID_SIGN_HINT = hints.SIGMOID_SIGN


# ------------------------------------------------------------ instructor checks
#: extra hidden checks drawn from an instructor's private seed (see set_instructor_checks)
_INSTRUCTOR = {"seed": None, "count": 0}
_SIZE_RANGES = {"T": (1, 13), "B": (1, 7), "I": (1, 10), "H": (2, 11), "L": (1, 4)}


def set_instructor_checks(seed: int | None, count: int = 4) -> None:
    """Add ``count`` hidden checks to every exercise, with shapes and values drawn
    from the instructor's private ``seed`` (``None`` removes them).

    The package ships the standard and hidden checks; a seed that only the
    instructor knows gives checks that no student can have seen. They are
    hidden: their feedback names only their kind.
    """
    _INSTRUCTOR["seed"] = None if seed is None else int(seed)
    _INSTRUCTOR["count"] = max(0, int(count))


def _from_environment() -> None:
    """COURSE_INSTRUCTOR_SEED (and COURSE_INSTRUCTOR_CHECKS, default 4) turn the
    instructor's checks on for every grader in this process, e.g. under nbgrader."""
    seed = os.environ.get("COURSE_INSTRUCTOR_SEED", "").strip()
    if seed:
        try:
            set_instructor_checks(int(seed), int(os.environ.get("COURSE_INSTRUCTOR_CHECKS", 4)))
        except ValueError:
            raise SystemExit("COURSE_INSTRUCTOR_SEED and COURSE_INSTRUCTOR_CHECKS must be "
                             f"integers, got {seed!r}") from None


def instructor_specs(salt: int, dims: str) -> list:
    """The instructor's extra checks of one exercise: ``[(name, sizes, dtype, rng)]``.

    salt: the exercise's own seed (so exercises get different checks).
    dims: the sizes to draw, e.g. "BIH" or "TBIH"; ``sizes`` is a dict of them.
    """
    seed = _INSTRUCTOR["seed"]
    if seed is None:
        return []
    draw = np.random.default_rng([seed, salt])
    specs = []
    for k in range(_INSTRUCTOR["count"]):
        sizes = {d: int(draw.integers(*_SIZE_RANGES[d])) for d in dims}
        dtype = np.float64 if k % 2 == 0 else np.float32
        name = (f"instructor's check {k + 1}, " + ", ".join(f"{d}={v}" for d, v in sizes.items())
                + (", float32" if dtype == np.float32 else ""))
        specs.append((name, sizes, dtype, np.random.default_rng([seed, salt, k])))
    return specs


_from_environment()


def _cast(arrays, dtype):
    return tuple(np.asarray(a, dtype=dtype) for a in arrays)


#: the kind of each standard case, in words (hidden checks are named by it)
KIND_WORDS = {"general": "values", "bias": "bias-only inputs", "x0": "zero inputs",
              "h0": "zero states", "sat": "saturating inputs", "zero0": "zero initial states"}


def cell_cases(oracle: Callable, gates: int, n_states: int, include_hidden: bool,
               seed: int) -> list:
    """The standard case set of a cell exercise.

    The cell's signature is ``(x, *states, W_ih, W_hh, b_ih, b_hh)`` with
    ``n_states`` states of shape (B, H). Cases: general float64 shapes with
    I != H, batch of one, float32, one term at a time (only biases, h = 0,
    x = 0), and saturating pre-activations (|a| ~ 1e3).
    """
    rng = np.random.default_rng(seed)
    specs = [
        ("float64, B=3, I=5, H=4", (3, 5, 4), "general", np.float64),
        ("float64, B=2, I=3, H=7", (2, 3, 7), "general", np.float64),
        ("batch of one, B=1, I=4, H=3", (1, 4, 3), "general", np.float64),
        ("float32 inputs, B=4, I=6, H=5", (4, 6, 5), "general", np.float32),
        ("only the biases non-zero (x = 0, every state = 0)", (2, 3, 4), "bias", np.float64),
        ("x = 0 (only the recurrent term and the biases)", (2, 3, 4), "x0", np.float64),
        ("states = 0 (only the input term and the biases)", (2, 3, 4), "h0", np.float64),
        ("saturating pre-activations |a| ~ 1e3, float64", (3, 4, 5), "sat", np.float64),
        ("saturating pre-activations |a| ~ 1e3, float32", (3, 4, 5), "sat", np.float32),
    ]
    if include_hidden:
        specs += [
            ("float64, B=5, I=2, H=9", (5, 2, 9), "general", np.float64),
            ("float32, B=1, I=8, H=6", (1, 8, 6), "general", np.float32),
            ("saturating, B=2, I=6, H=3", (2, 6, 3), "sat", np.float64),
        ]
    rnn = gates == 1          # no gate blocks to slice
    hint_of = {"general": "", "bias": hints.CASE["bias_rnn" if rnn else "bias"],
               "x0": hints.CASE["x0"], "h0": hints.CASE["h0_rnn" if rnn else "h0"],
               "sat": hints.CASE["sat"]}

    def make(name, B, I, H, kind, dtype, rng, hidden):
        params = rand_params(rng, I, H, gates)
        x = rng.standard_normal((B, I))
        states = [rng.uniform(-0.9, 0.9, size=(B, H)) for _ in range(n_states)]
        if kind == "bias":
            x = np.zeros_like(x)
            states = [np.zeros_like(s) for s in states]
        elif kind == "x0":
            x = np.zeros_like(x)
        elif kind == "h0":
            states = [np.zeros_like(s) for s in states]
        elif kind == "sat":
            params = tuple(p * 300.0 for p in params)
            x = x * 3.0
        args = _cast((x, *states, *params), dtype)
        expected = oracle(*_cast(args, np.float64))
        tol = F64 if dtype == np.float64 else F32
        return Case(name=name, args=args, expected=expected, hint=hint_of[kind],
                    diag_args=_cast(args, np.float64), hidden=hidden, kind=KIND_WORDS[kind],
                    hint_when="nan" if kind == "sat" else "isolated", **tol)

    cases = [make(name, B, I, H, kind, dtype, rng, k >= 9)
             for k, (name, (B, I, H), kind, dtype) in enumerate(specs)]
    if include_hidden:
        cases += [make(name, z["B"], z["I"], z["H"], "general", dtype, r, True)
                  for name, z, dtype, r in instructor_specs(seed, "BIH")]
    return cases


def sequence_cases(oracle: Callable, gates: int, n_states: int, include_hidden: bool,
                   seed: int) -> list:
    """The standard case set of a sequence (layer) exercise.

    Signature ``(X, *states0, W_ih, W_hh, b_ih, b_hh)``, X (T, B, I).
    """
    rng = np.random.default_rng(seed)
    specs = [
        ("float64, T=6, B=3, I=5, H=4", (6, 3, 5, 4), "general", np.float64),
        ("float64, T=4, B=2, I=3, H=6", (4, 2, 3, 6), "general", np.float64),
        ("one time step, T=1, B=2, I=3, H=4", (1, 2, 3, 4), "general", np.float64),
        ("batch of one, T=5, B=1, I=4, H=3", (5, 1, 4, 3), "general", np.float64),
        ("float32 inputs, T=7, B=4, I=6, H=5", (7, 4, 6, 5), "general", np.float32),
        ("initial state(s) = 0, T=5, B=2, I=3, H=4", (5, 2, 3, 4), "zero0", np.float64),
        ("saturating pre-activations |a| ~ 1e3, T=5", (5, 3, 4, 5), "sat", np.float64),
        ("saturating pre-activations |a| ~ 1e3, float32, T=5", (5, 3, 4, 5), "sat", np.float32),
    ]
    if include_hidden:
        specs += [
            ("float64, T=12, B=5, I=2, H=9", (12, 5, 2, 9), "general", np.float64),
            ("float32, T=3, B=1, I=8, H=6", (3, 1, 8, 6), "general", np.float32),
        ]
    hint_of = {"general": "", "zero0": "", "sat": hints.CASE["sat"]}

    def make(name, T, B, I, H, kind, dtype, rng, hidden):
        params = rand_params(rng, I, H, gates)
        X = rng.standard_normal((T, B, I))
        states = [rng.uniform(-0.9, 0.9, size=(B, H)) for _ in range(n_states)]
        if kind == "zero0":
            states = [np.zeros_like(s) for s in states]
        elif kind == "sat":
            params = tuple(p * 300.0 for p in params)
            X = X * 3.0
        args = _cast((X, *states, *params), dtype)
        expected = oracle(*_cast(args, np.float64))
        tol = F64 if dtype == np.float64 else F32
        return Case(name=name, args=args, expected=expected, hint=hint_of[kind],
                    diag_args=_cast(args, np.float64), hidden=hidden, kind=KIND_WORDS[kind],
                    hint_when="nan" if kind == "sat" else "isolated", **tol)

    cases = [make(name, T, B, I, H, kind, dtype, rng, k >= 8)
             for k, (name, (T, B, I, H), kind, dtype) in enumerate(specs)]
    if include_hidden:
        cases += [make(name, z["T"], z["B"], z["I"], z["H"], "general", dtype, r, True)
                  for name, z, dtype, r in instructor_specs(seed, "TBIH")]
    return cases


def loop_cell(cell: Callable, n_states: int, *, reverse=False, shift=False,
              carry=True, ignore_init=False, final="last", alias=False):
    """A sequence function built from ``cell``, optionally with a layer bug.

    reverse: walk time backwards and store outputs in walking order.
    shift: store the state *before* each update (H[0] = initial state).
    carry: False feeds the initial state(s) to every step; a tuple of bools, one
        per state, carries only some (e.g. (True, False): h carried, c not).
    ignore_init: start from zeros instead of the given state(s).
    final: "last" (right), "first" (the state after step 0) or "init".
    alias: every stored output is the last state (a reused buffer).
    Returns ``f(X, *states0, W_ih, W_hh, b_ih, b_hh)`` with the outputs
    ``(H_all, h_n)`` for one state, ``(H_all, (h_n, c_n))`` for two.
    """
    def run(X, *rest):
        init = tuple(np.asarray(s, dtype=np.float64) for s in rest[:n_states])
        params = rest[n_states:]
        carried = carry if isinstance(carry, tuple) else (carry,) * n_states
        if ignore_init:
            init = tuple(np.zeros_like(s) for s in init)
        states = init
        outs, all_states = [], []
        steps = X[::-1] if reverse else X
        for x_t in steps:
            prev = tuple(s if c else s0 for s, s0, c in zip(states, init, carried))
            new = cell(x_t, *prev, *params)
            new = new if isinstance(new, tuple) else (new,)
            outs.append(states[0] if shift else new[0])
            states = new
            all_states.append(new)
        Hs = np.stack(outs)
        if alias:
            Hs = np.stack([states[0]] * len(outs))
        if final == "first":
            fin = all_states[0]
        elif final == "init":
            fin = init
        else:
            fin = states
        return (Hs, fin[0]) if n_states == 1 else (Hs, tuple(fin))
    return run


def single_bug_mistakes(mistakes: Sequence[Mistake]) -> list:
    """A cell's one-bug mistakes (named without " + "), and its first two-bug one
    (the most common pair), to lift to the layer."""
    first_combo = next(k for k, m in enumerate(mistakes) if " + " in m.name)
    return list(mistakes[:first_combo + 1])


def lift_cell_mistakes(cell_mistakes: Sequence[Mistake], n_states: int) -> list:
    """Each cell mistake, run over a sequence (the hint still names the cell)."""
    return [Mistake(m.name, loop_cell(m.fn, n_states), m.hint, part="cell")
            for m in cell_mistakes]


def sequence_mistakes(cell: Callable, n_states: int) -> list:
    """The usual layer bugs around a correct cell (h0 ignored, time reversed, ...)."""
    state = "h0" if n_states == 1 else "h0 and c0"
    return [
        Mistake("init ignored", loop_cell(cell, n_states, ignore_init=True),
                hints.init_ignored(state)),
        Mistake("time reversed", loop_cell(cell, n_states, reverse=True),
                hints.MISTAKE["layer"]["time reversed"]),
        Mistake("shifted", loop_cell(cell, n_states, shift=True),
                hints.MISTAKE["layer"]["shifted"]),
        Mistake("not carried", loop_cell(cell, n_states, carry=False),
                hints.MISTAKE["layer"]["not carried"]),
        Mistake("final first", loop_cell(cell, n_states, final="first"),
                hints.MISTAKE["layer"]["final first"]),
        Mistake("final init", loop_cell(cell, n_states, final="init"),
                hints.MISTAKE["layer"]["final init"]),
        Mistake("aliased", loop_cell(cell, n_states, alias=True),
                hints.MISTAKE["layer"]["aliased"]),
    ]
