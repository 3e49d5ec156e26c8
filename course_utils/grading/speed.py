"""Grader for unit 07: ``gru_forward_fast``.

Graded like ``gru_forward`` (same kinds of cases and mistakes, other
seeds), plus one timing check once every value check passes: on a mid-size
float32 case the function must not be slower than a plain per-step loop
(the loop of lab 02, ``course_utils.reference.gru_forward``). Timings are
medians of interleaved repeats with NumPy and torch pinned to one thread;
"not slower" allows 20 % for noise, and a failing ratio is measured once
more, with more repeats, before it counts.
"""
from __future__ import annotations

import numpy as np

from .. import oracle
from ..reference import gru_forward as loop_version
from ..timing import compare, pinned_threads
from .build import rand_params, sequence_cases
from .core import CheckResult, Exercise, Mistake, call_learner, register
from .gru import GRU_FORWARD

SPEED_SIZE = (100, 32, 64, 128)   # T, B, I, H
SLACK = 1.2


def speed_check(fn) -> list:
    """One CheckResult: is ``fn`` at most SLACK x the loop version's time?"""
    T, B, I, H = SPEED_SIZE
    rng = np.random.default_rng(7007)
    params = [p.astype(np.float32) for p in rand_params(rng, I, H, 3)]
    X = rng.standard_normal((T, B, I)).astype(np.float32)
    h0 = np.zeros((B, H), np.float32)
    name = f"speed: not slower than a per-step loop (T={T}, B={B}, I={I}, H={H}, float32)"
    first = call_learner(fn, (X, h0, *params), 30.0)
    if first.error or first.timed_out:
        why = first.error or "it ran past 30 s"
        return [CheckResult(name, False, f"could not time your function: {why}", "")]
    ratio = np.inf
    timer = getattr(fn, "time_against", None)   # a function run in the autograder's
    for repeats in (5, 9):       # learner process is timed there, against the loop there
        if timer is not None:
            try:
                yours, loop = timer("course_utils.reference:gru_forward", (X, h0, *params),
                                    repeats)
            except Exception as exc:  # noqa: BLE001 - the learner process failed
                return [CheckResult(name, False, f"could not time your function: {exc}", "")]
        else:
            with pinned_threads(1):
                t = compare({"yours": lambda: fn(X, h0, *params),
                             "loop": lambda: loop_version(X, h0, *params)},
                            repeats=repeats, warmup=1)
            yours, loop = t["yours"].median, t["loop"].median
        ratio = min(ratio, yours / loop)       # a second, longer look before failing
        if ratio <= SLACK:
            break
    if ratio <= SLACK:
        return [CheckResult(name, True)]
    return [CheckResult(
        name, False,
        f"your function took {ratio:.1f}x the time of a plain per-step loop.",
        "Do the input projection of all T steps as one matrix product before the loop, "
        "and keep the work inside the loop to the recurrent product and element-wise "
        "operations on whole gate blocks.")]


def _scrambled_projection(X, h0, *params):
    """The input projection flattened batch-major but unflattened time-major: the
    loop run on X's rows reshuffled the same way."""
    return loop_version(X.transpose(1, 0, 2).reshape(X.shape), h0, *params)


_FOLDED = (" In a fast version this happens when all of b_hh is folded into the input "
           "projection: b_hn must stay inside r * (W_hn h + b_hn).")


def _fast_mistakes():
    """gru_forward's mistakes (b_hn's hint says how folding causes it), plus the
    bugs of a precomputed input projection."""
    inherited = [Mistake(m.name, m.fn, m.hint + _FOLDED) if m.name == "b_hn outside reset"
                 else m for m in GRU_FORWARD.mistakes]
    return inherited + [
        Mistake("scrambled projection", _scrambled_projection,
                "The precomputed input projections belong to the wrong (t, b) pairs: X is "
                "(T, B, I), so flatten it to (T * B, I) and reshape the product back to "
                "(T, B, 3H) in that same order (or transpose consistently both ways)."),
    ]


GRU_FORWARD_FAST = register(Exercise(
    id="gru_forward_fast",
    signature="gru_forward_fast(X, h0, W_ih, W_hh, b_ih, b_hh) -> (H, h_n)",
    arg_names=GRU_FORWARD.arg_names,
    output=("H", "h_n"),
    make_cases=lambda hidden: sequence_cases(oracle.gru_forward, 3, 1, hidden, seed=2007),
    mistakes=_fast_mistakes(),
    extra_checks=(speed_check,),
    where="solutions/07_speed.ipynb",
))
