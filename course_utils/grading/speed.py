"""Grader for unit 07: ``gru_forward_fast`` and ``lstm_forward_fast``.

Graded like ``gru_forward`` and ``lstm_forward`` (same kinds of cases and
mistakes, other seeds), plus one timing check once every value check passes.
It compares the function with a plain per-step loop (the loop of lab 02,
``course_utils.reference.gru_forward``, or of lab 03,
``course_utils.reference.lstm_forward``) on two float64 cases that differ only
in the input width, I = 8 and I = 8192 (T = 50, B = 4, H = 32; the wide W_ih, 6-8 MB,
exceeds every core's L2 cache, so a per-step projection re-reads it every step):

* **one input product**: the time that widening the input adds to the
  function, as a share of the time it adds to the loop, must be at most
  ``MAX_PROJECTION_SHARE`` (0.65). Only the input projection grows with I, so
  the rest of the code cancels, and with it how fast this CPU's NumPy runs
  ``tanh`` or ``exp`` (without its SIMD kernels NumPy's float32 ``tanh`` is ~40x
  slower and ``exp`` ~5x, which makes a correct solution with a ``tanh``-based
  sigmoid slower than the loop in float32 at the lab's sizes). A per-step
  projection, however tuned, adds about what the loop adds (0.94-1.0 measured);
  one product for all steps 0.18-0.25 (Intel Xeon, AVX-512, 4 MB L2, idle, with three
  busy processes and with NumPy's SIMD kernels disabled). At I = 1024 the two could
  not be told apart on that machine (0.79 and 0.81): its L2 held the whole W_ih.
* **not slower than the loop**: on the wide case, at most ``MAX_TIME_RATIO``
  (1.5) times the loop's time (correct solutions measured 0.3-0.7).

The figures were measured on the course's machine (2-core AMD EPYC, AVX-512)
with NumPy's native kernels and with its SIMD kernels disabled
(``tests/kernel_env.py``), idle and with a busy process on one core. Load
slows whatever runs at that moment, so only ratios of neighbouring timings
are used (see :func:`measure_speed`), with NumPy and torch pinned to one
thread; a figure is measured again, twice, with more rounds and repeats
before it fails, and a look before the last passes only with a clear margin
(share at most ``EARLY_SHARE``, 0.45). Measured with three busy processes on the
2 cores, single 6-round looks: the loop itself 0.69-1.09, the fast version
0.15-0.34 (with medians instead of the fastest repeat: 0.58-2.74 and 0.13-1.72).
A look before the last also fails at once, without the longer looks, when the
function is clearly on the wrong side: a share above ``CLEAR_FAIL_SHARE`` (0.85,
more than twice the largest a correct solution showed) or a time above
``CLEAR_FAIL_RATIO`` (3) times the loop's; a per-step projection then costs one
short look instead of three.

Every timed call gets a new X (random, not known ahead) and its answer is compared
with the loop's on that X: a function that caches answers, or answers otherwise
while timed, fails (``hints.SPEED_WRONG_WHILE_TIMED``). In the autograder a timed call
is an ordinary call of the learner process, timed there around the call (the pipe's
cost left out), and the loop runs in a second process without learner code.
"""
from __future__ import annotations

import time

import numpy as np

from .. import oracle
from .. import reference
from ..timing import pinned_threads
from . import hints
from .build import sequence_cases
from .core import CheckResult, Exercise, Mistake, call_learner, register
from .gru import GRU_FORWARD
from .lstm import LSTM_FORWARD

SPEED_T, SPEED_B, SPEED_H = 50, 4, 32
SPEED_WIDTHS = (8, 8192)        # I of the narrow and the wide case (the wide W_ih > any L2)
MAX_PROJECTION_SHARE = 0.65     # your extra time for the wide input / the loop's
MAX_TIME_RATIO = 1.5            # your time / the loop's, wide case
LOOKS = ((6, 3), (12, 5), (24, 7))   # (rounds, repeats per timing) of each look
EARLY_SHARE = 0.45              # a look before the last passes only under this share
CLEAR_FAIL_SHARE = 0.85         # ... and fails at once above this share (or ratio):
CLEAR_FAIL_RATIO = 3.0          # no correct solution came near either (see above)
LOOPS = {3: "gru_forward", 4: "lstm_forward"}     # gate blocks -> the per-step loop
LOOP = f"course_utils.reference:{LOOPS[3]}"
SPEED_NAME = (f"speed: one input product, not slower than a per-step loop (T={SPEED_T}, "
              f"B={SPEED_B}, H={SPEED_H}, I={SPEED_WIDTHS[0]} and {SPEED_WIDTHS[1]}, float64)")
PROJECTION_HINT = hints.SPEED_PROJECTION
TIME_HINT = hints.SPEED_TIME



def speed_cases(gates=3):
    """{I: (X (T, B, I), h0 (B, H), W_ih (G H, I), W_hh (G H, H), b_ih (G H,), b_hh (G H,))}
    for I = 8 and 8192, float64, G = ``gates`` (3: GRU; 4: LSTM, with c0 (B, H) after
    h0). W_hh, the biases and the states are shared; W_ih is scaled by 1/sqrt(I) so
    the pre-activations stay O(1) (no saturated or subnormal values to time)."""
    T, B, H = SPEED_T, SPEED_B, SPEED_H
    rng = np.random.default_rng(7007 if gates == 3 else 7008)
    W_hh = rng.uniform(-1, 1, (gates * H, H)) / np.sqrt(H)
    b_ih, b_hh = rng.uniform(-0.5, 0.5, (2, gates * H))
    states = [rng.uniform(-0.5, 0.5, (B, H)) for _ in range(gates - 2)]
    cases = {}
    for I in SPEED_WIDTHS:
        W_ih = rng.uniform(-1, 1, (gates * H, I)) * np.sqrt(3 / I)
        X = rng.standard_normal((T, B, I))
        cases[I] = (X, *states, W_ih, W_hh, b_ih, b_hh)
    return cases


class WrongWhileTimed(Exception):
    """A timed call returned something other than the loop's answer."""


def _local_timers(fn, loop_version):
    """(fn, loop_version) as ``args -> (value, seconds)``, timed in this process."""
    def timer(f):
        def timed(args):
            start = time.perf_counter()
            value = f(*args)
            return value, time.perf_counter() - start
        return timed
    return timer(fn), timer(loop_version)


def _leaves(value) -> list:
    """The arrays of a (nested) tuple or list, in order."""
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def _wrong(value, expected) -> str:
    """'' when ``value`` is the loop's answer (e.g. (H (T, B, H), h_n (B, H))) up to
    rounding, else what differs (in words); nested outputs compare leaf by leaf."""
    want = _leaves(expected)
    try:
        got = [np.asarray(v, dtype=np.float64) for v in _leaves(value)]
    except (TypeError, ValueError):
        return f"a {type(value).__name__} that is not arrays of numbers"
    if len(got) != len(want) or any(g.shape != np.shape(w) for g, w in zip(got, want)):
        return "arrays of other shapes than the loop's"
    if not all(np.allclose(g, w, rtol=1e-5, atol=1e-7) for g, w in zip(got, want)):
        return "other values than the loop's"
    return ""


def _timers(fn, gates):
    """(fn, the loop for ``gates``: 3 the GRU's, 4 the LSTM's), each
    ``args -> (value, seconds)``. A function run in the autograder's learner process
    offers ``timers``: each call is then an ordinary call of it (timed there, as
    every call is) and the loop runs in a second process that holds no learner code."""
    hook = getattr(fn, "timers", None)
    name = LOOPS[gates]
    if callable(hook):
        return hook(f"course_utils.reference:{name}")
    return _local_timers(fn, getattr(reference, name))


def _fastest(fn, args, repeats, rng, gates=3):
    """(fastest s of fn, fastest s of the loop) on args, interleaved, one thread:
    load only ever adds time, so the fastest of the repeats is the least disturbed.

    Each timed call gets a new X (the weights and h0 stay) and its output is
    compared with the loop's on the same X: a function that caches, or that
    answers otherwise while timed, raises WrongWhileTimed.
    """
    yours, loop = _timers(fn, gates)
    times = {"yours": [], "loop": []}
    with pinned_threads(1):
        for k in range(repeats + 1):             # the first round is a warm-up
            call = (rng.standard_normal(args[0].shape),) + tuple(args[1:])
            value, t_yours = yours(tuple(np.array(a) for a in call))   # its own copies:
            expected, t_loop = loop(call)              # what it changes, the loop never sees
            problem = _wrong(value, expected)
            if problem:
                raise WrongWhileTimed(problem)
            if k:
                times["yours"].append(t_yours)
                times["loop"].append(t_loop)
    return float(np.min(times["yours"])), float(np.min(times["loop"]))   # load only adds time


def measure_speed(fn, rounds=6, repeats=3, so_far=None, gates=3):
    """Time ``fn`` against the loop on the narrow and the wide case, ``rounds`` times.

    Load on the machine slows whatever runs at that moment, so only ratios of
    neighbouring timings are used: per round, a = yours / loop on the wide case and
    b = on the narrow case (each the fastest of ``repeats`` interleaved calls), and
    k = the loop's narrow / wide time (two calls in a row). With medians over the
    rounds (and those of an earlier measurement ``so_far``), the time the wide input
    adds to ``fn``, as a share of the time it adds to the loop (whose times are
    t_narrow and t_wide), is
    (a t_wide - b t_narrow) / (t_wide - t_narrow) = (a - b k) / (1 - k).
    gates: 3 for the GRU, 4 for the LSTM (its cases and its loop).
    Returns {"a", "b", "k" (lists per round), "share", "ratio" (= median a)}.
    """
    cases = speed_cases(gates)
    rng = np.random.default_rng()       # X not known ahead (no answers computed beforehand)
    got = {key: list(so_far[key]) if so_far else [] for key in "abk"}
    for _ in range(rounds):
        yours_lo, loop_lo = _fastest(fn, cases[SPEED_WIDTHS[0]], repeats, rng, gates)
        yours_hi, loop_hi = _fastest(fn, cases[SPEED_WIDTHS[1]], repeats, rng, gates)
        got["a"].append(yours_hi / loop_hi)
        got["b"].append(yours_lo / loop_lo)
        got["k"].append(loop_lo / loop_hi)
    a, b, k = (float(np.median(got[key])) for key in "abk")
    share = (a - b * k) / (1 - k) if k < 1 else np.inf
    return {**got, "share": share, "ratio": a}


def speed_check(fn, gates=3) -> list:
    """One CheckResult: one input product (MAX_PROJECTION_SHARE) and not slower than the
    loop (MAX_TIME_RATIO); see the module docstring. gates: 3 GRU, 4 LSTM."""
    first = call_learner(fn, speed_cases(gates)[SPEED_WIDTHS[1]], 30.0)
    if first.error or first.timed_out:
        why = first.error or "it ran past 30 s"
        return [CheckResult(SPEED_NAME, False, f"could not time your function: {why}", "")]
    m = None
    for look, (rounds, repeats) in enumerate(LOOKS, 1):  # earlier rounds count too
        try:
            m = measure_speed(fn, rounds, repeats, so_far=m, gates=gates)
        except WrongWhileTimed as exc:
            return [CheckResult(SPEED_NAME, False, hints.SPEED_WRONG_WHILE_TIMED.format(
                what=exc), hints.SPEED_WRONG_WHILE_TIMED_HINT)]
        except Exception as exc:  # noqa: BLE001 - the learner process failed
            return [CheckResult(SPEED_NAME, False, f"could not time your function: {exc}", "")]
        bound = MAX_PROJECTION_SHARE if look == len(LOOKS) else EARLY_SHARE
        if m["share"] <= bound and m["ratio"] <= MAX_TIME_RATIO:
            return [CheckResult(SPEED_NAME, True)]
        if m["share"] > CLEAR_FAIL_SHARE or m["ratio"] > CLEAR_FAIL_RATIO:
            break                                        # clearly failing: no longer look
    lo, hi = SPEED_WIDTHS
    if m["share"] > MAX_PROJECTION_SHARE:
        return [CheckResult(
            SPEED_NAME, False,
            f"widening the input from I={lo} to I={hi} added {m['share']:.2f} times as much "
            f"time to your function as to the per-step loop; one input product for all steps "
            f"keeps this under {MAX_PROJECTION_SHARE} (about 0.2 on the course's machines).",
            PROJECTION_HINT)]
    return [CheckResult(
        SPEED_NAME, False,
        f"your input projection is one product, but your function took {m['ratio']:.1f}x the "
        f"time of a plain per-step loop (I={hi}; allowed: {MAX_TIME_RATIO}x).", TIME_HINT)]


def lstm_speed_check(fn) -> list:
    """:func:`speed_check` for ``lstm_forward_fast``: the LSTM's cases and loop."""
    return speed_check(fn, gates=4)


def _scrambled_projection(loop):
    """The input projection flattened batch-major but unflattened time-major: ``loop``
    (a reference forward, X (T, B, I) first) run on X's rows reshuffled the same way."""
    def scrambled(X, *rest):
        return loop(X.transpose(1, 0, 2).reshape(X.shape), *rest)
    return scrambled



def _fast_mistakes():
    """gru_forward's mistakes (b_hn's hint says how folding causes it), plus the
    bugs of a precomputed input projection."""
    inherited = [Mistake(m.name, m.fn, m.hint + hints.SPEED_FOLDED) if m.name == "b_hn outside reset"
                 else m for m in GRU_FORWARD.mistakes]
    return inherited + [
        Mistake("scrambled projection", _scrambled_projection(reference.gru_forward),
                hints.MISTAKE["speed"]["scrambled projection"]),
    ]


GRU_FORWARD_FAST = register(Exercise(
    id="gru_forward_fast",
    oracle=oracle.gru_forward, blocks="rzn",
    signature="gru_forward_fast(X, h0, W_ih, W_hh, b_ih, b_hh) -> (H_all, h_n)",
    arg_names=GRU_FORWARD.arg_names,
    output=("H_all", "h_n"),
    make_cases=lambda hidden: sequence_cases(oracle.gru_forward, 3, 1, hidden, seed=2007),
    mistakes=_fast_mistakes(),
    extra_checks=(speed_check,),
    where="solutions/07_speed.ipynb",
))


LSTM_FORWARD_FAST = register(Exercise(
    id="lstm_forward_fast",
    oracle=oracle.lstm_forward, blocks="ifgo",
    signature="lstm_forward_fast(X, h0, c0, W_ih, W_hh, b_ih, b_hh) -> (H_all, (h_n, c_n))",
    arg_names=LSTM_FORWARD.arg_names,
    output=("H_all", ("h_n", "c_n")),
    make_cases=lambda hidden: sequence_cases(oracle.lstm_forward, 4, 2, hidden, seed=3007),
    mistakes=list(LSTM_FORWARD.mistakes) + [
        Mistake("scrambled projection", _scrambled_projection(reference.lstm_forward),
                hints.LSTM_FAST_SCRAMBLED_PROJECTION),
    ],
    extra_checks=(lstm_speed_check,),
    where="solutions/07_speed.ipynb",
))
