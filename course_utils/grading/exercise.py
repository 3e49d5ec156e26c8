"""The exercise model and its registry.

An :class:`Exercise` is an id, a signature, a list of :class:`Case` objects
(inputs, the oracle's expected outputs, a tolerance and a "where to look"
hint) and a catalogue of :class:`Mistake` objects: functions with the
exercise's signature that reproduce a known learner bug. The per-unit modules
add their exercises to :data:`EXERCISES` with :func:`register`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

__all__ = ["Case", "Mistake", "Exercise", "OutputSpec", "EXERCISES", "register"]

#: id -> Exercise, filled by the per-unit modules via :func:`register`.
EXERCISES: dict[str, "Exercise"] = {}


def register(ex: "Exercise") -> "Exercise":
    """Add an exercise to :data:`EXERCISES` (an id may be registered once)."""
    if ex.id in EXERCISES and EXERCISES[ex.id] is not ex:
        raise ValueError(f"exercise id {ex.id!r} registered twice")
    EXERCISES[ex.id] = ex
    return ex


#: How an exercise's return value is structured: a name for one array, or a
#: tuple of specs for a tuple, e.g. ``("H_all", ("h_n", "c_n"))``.
OutputSpec = Any


@dataclass
class Case:
    """One call of the learner's function and what it must return.

    args: positional arguments (NumPy arrays), in the signature's order.
    expected: the oracle's answer, structured as the exercise's output spec.
    name: what the case is, in words ("float32 inputs, B=2, I=3, H=5").
    hint: where to look when only this case fails.
    rtol, atol: tolerance of the value comparison.
    diag_args: float64 version of ``args`` used to recognise mistakes
        (defaults to ``args``).
    hidden: a hidden test: feedback names only the kind of check.
    kind: short label of the kind of check, used for hidden feedback.
    hint_when: when ``hint`` is shown: "isolated" (only when a case of kind
        "values" passed, so this case's inputs single out the cause) or "nan"
        (only when the learner's output holds NaN or inf).
    """

    name: str
    args: tuple
    expected: Any
    hint: str = ""
    rtol: float = 1e-6
    atol: float = 1e-8
    diag_args: tuple | None = None
    hidden: bool = False
    kind: str = "values"
    hint_when: str = "isolated"

    def size(self, dim: str) -> int | None:
        """The size ``dim`` ("T" or "B") the case's name states (e.g. "T=1"), or None."""
        found = re.search(rf"\b{dim}=(\d+)", self.name)
        return int(found.group(1)) if found else None


@dataclass
class Mistake:
    """A known bug: a function with the exercise's signature and a hint.

    The hint says where to look; it never contains the fix in code.
    """

    name: str
    fn: Callable
    hint: str
    part: str = ""      # "cell": a bug of the cell a layer calls (lifted to the layer)


@dataclass
class Exercise:
    """An exercise id, its signature, its cases and its mistake catalogue."""

    id: str
    signature: str
    arg_names: tuple
    output: OutputSpec
    make_cases: Callable[[bool], list]      # make_cases(include_hidden) -> [Case]
    mistakes: Sequence[Mistake] = ()
    time_limit: float = 10.0
    extra_checks: Sequence[Callable] = ()  # fn(learner_fn, report) -> [CheckResult]
    where: str = ""                         # where the exercise lives
    explain: Callable | None = None         # (name, got, want, bad_mask) -> where it is wrong
    oracle: Callable | None = None          # args -> the expected output (float64)
    calls: Mapping[str, Callable] = ()      # graded names it may call -> the course's version
    blocks: str = ""                        # its gate blocks in torch's order ("rzn", "ifgo")
    localise: Callable | None = None        # (outcomes) -> a "most likely" from the evidence

    def __repr__(self):
        return f"Exercise({self.id!r}: {self.signature})"
