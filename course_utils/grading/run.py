"""The run loop: grading a learner's function on an exercise, with diagnosis.

:func:`run_exercise` calls the learner's function on every case and never
raises: exceptions, time-outs, wrong shapes or dtypes, NaN/inf, modified
inputs and wrong values all become :class:`CheckResult` lines in a
:class:`Report`. The diagnosis ("Most likely: ...") comes from evidence only:

1. a known mistake whose output the learner's matches on the same inputs;
2. two right arrays returned in each other's place;
3. a size fixed in the code (a shape error on some sizes only);
4. which cases pass: right for a batch of one but not for B > 1, right for
   one time step but not for longer sequences, and the exercise's own
   localisation (e.g. which gate block of which gradient is wrong at T = 1).

A case's own hint is shown only when the evidence points to it (see
``Case.hint_when``). A function that calls another graded function (a layer
calling the learner's cell) is graded a second time with the course's version
of that function in its place, so a bug of the layer and a bug of the cell are
both reported at once. A function that passes is called again with the same
weight arrays and new inputs, in another order, so that a function keeping
state between calls does not pass.
"""
from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import hints
from .calls import call_learner
from .compare import (_changed_inputs, _close, _compare, _copy_args, _spec_text,
                      _structure_problem, _swapped_pair)
from .exercise import Case, Exercise
from .report import CheckResult, Report

__all__ = ["run_exercise", "Outcome", "with_course_versions"]

_SHAPE_WORDS = ("matmul", "shapes", "not aligned", "broadcast", "mismatch", "reshape",
                "out of bounds", "dimension")
STATEFUL_NAME = "called again with the same weights and new inputs, in another order"


@dataclass
class Outcome:
    """What one case gave: its check, the learner's output and what it matched."""

    case: Case
    check: CheckResult
    value: Any = None            # the output, when the call returned
    kind: str = ""               # "" (passed), "values", "nan", "shape", "size", "dtype",
    #                              "error", "timeout", "modified", "structure", "skipped"
    matched: list = field(default_factory=list)   # mistakes whose output it matches
    swap: tuple | None = None


def _exception_hint(error: str, ex: Exercise) -> str:
    low = error.lower()
    gated = bool(ex.blocks)
    if "notimplementederror" in low:
        return ""
    if "broadcast" in low:
        return hints.EXCEPTION["broadcast_gates" if gated else "broadcast"]
    if any(s in low for s in ("matmul", "shapes", "not aligned", "mismatch")):
        return hints.EXCEPTION["matmul"]
    for key in ("floatingpointerror", "memoryerror", "recursionerror", "nameerror"):
        if key in low:
            return hints.EXCEPTION[key]
    if "index" in low:
        return hints.EXCEPTION["index_gates" if gated else "index"]
    if "attributeerror" in low:
        return hints.EXCEPTION["attributeerror"]
    return hints.EXCEPTION["other"]


def _run_case(ex: Exercise, fn: Callable, case: Case) -> Outcome:
    """Call ``fn`` on one case and compare (no diagnosis yet)."""
    label = case.kind if case.hidden else case.name
    args = _copy_args(case.args)
    result = call_learner(fn, args, ex.time_limit)

    def out(kind, message, hint="", value=None):
        passed = kind == ""
        return Outcome(case, CheckResult(label, passed, message, hint, case.hidden), value, kind)

    if result.timed_out:
        return out("timeout", f"your function did not return within {ex.time_limit:g} s.",
                   hints.TIMED_OUT)
    if result.error:
        if result.error_type == "NotImplementedError":
            return out("stub", hints.NOT_WRITTEN)
        if result.error_type == "SandboxError":       # the autograder's, not the learner's
            return out("error", result.error.split(": ", 1)[-1] + ".")
        return out("error", f"your function raised {result.error}",
                   _exception_hint(result.error, ex))
    changed = _changed_inputs(case.args, args, ex.arg_names)
    if changed:
        names = ", ".join(f"`{n}`" for n in changed)
        return out("modified", f"your function modified its input {names} in place.",
                   hints.MODIFIED_INPUT)
    problem = _structure_problem(result.value, ex.output)
    if problem:
        return out("structure", problem + ".",
                   hints.RETURNS.format(id=ex.id, spec=_spec_text(ex.output)))
    problem, kind, _err = _compare(result.value, case.expected, ex.output,
                                   case.rtol, case.atol, ex.explain)
    if not problem:
        return out("", "", value=result.value)
    o = out(kind, problem, value=result.value)
    if kind == "values":
        o.swap = _swapped_pair(result.value, case.expected, ex.output, case.rtol, case.atol)
    return o


def _match_mistakes(ex: Exercise, fn: Callable, o: Outcome) -> None:
    """Fill ``o.matched`` with the known mistakes the learner's output matches
    (compared on float64 inputs)."""
    case = o.case
    diag_args = case.diag_args or case.args
    value = o.value
    if diag_args is not case.args:
        r2 = call_learner(fn, _copy_args(diag_args), ex.time_limit)
        value = r2.value if not (r2.error or r2.timed_out) else None
    if value is None or _structure_problem(value, ex.output):
        return
    for m in ex.mistakes:
        mres = call_learner(m.fn, _copy_args(diag_args), 30.0)
        if mres.error or mres.timed_out:
            continue
        if _close(mres.value, case.expected, ex.output, 1e-9):
            continue  # the mistake is invisible on this case
        if _close(value, mres.value, ex.output, 1e-6):
            o.matched.append(m)


def _grade_cases(ex: Exercise, fn: Callable, cases: list) -> list:
    """[Outcome] of every case, in order; after a time-out or a stub the rest are skipped."""
    outcomes, stop = [], ""
    for case in cases:
        if stop:
            label = case.kind if case.hidden else case.name
            outcomes.append(Outcome(case, CheckResult(label, False, stop, "", case.hidden,
                                                      skipped=True), kind="skipped"))
            continue
        o = _run_case(ex, fn, case)
        outcomes.append(o)
        if o.kind == "timeout":
            stop = f"not run: an earlier call ran past the {ex.time_limit:g} s limit."
        elif o.kind == "stub":
            stop = "not run: the function is not written yet."
        elif o.kind in ("values", "nan", "shape", "size") and ex.mistakes:
            _match_mistakes(ex, fn, o)
    return outcomes


def _case_hints(outcomes: list) -> None:
    """Give each failed check its case's hint where the evidence points to it."""
    general_passed = any(o.kind == "" and o.case.kind == "values" for o in outcomes)
    for o in outcomes:
        if o.kind == "nan":
            if o.case.hint and o.case.hint_when == "nan":
                o.check.hint = o.case.hint
            else:
                o.check.hint = hints.NAN
        elif o.kind == "values" and o.case.hint and o.case.hint_when == "isolated" \
                and general_passed:
            o.check.hint = o.case.hint


def _fails(o: Outcome) -> bool:
    return o.kind in ("values", "nan", "shape", "size", "error")


def _evidence(ex: Exercise, outcomes: list) -> str:
    """A "most likely" from which cases pass (when no known mistake matched)."""
    if ex.localise is not None:
        found = ex.localise(outcomes)
        if found:
            return found
    backward = ex.id.endswith("backward")
    ones = {"B": [o for o in outcomes if o.case.size("B") == 1],
            "T": [o for o in outcomes if o.case.size("T") == 1]}
    for dim, text in (("B", hints.BATCH_BACKWARD if backward else hints.BATCH),
                      ("T", hints.TIME_LOOP_BACKWARD if backward else hints.TIME_LOOP)):
        small = ones[dim]
        large = [o for o in outcomes if (o.case.size(dim) or 0) > 1]
        if small and large and all(o.kind == "" for o in small) \
                and any(o.kind in ("values", "nan") for o in large):
            return text
    return ""


def _diagnose(ex: Exercise, report: Report, outcomes: list):
    """Set the report's diagnosis and the checks' hints; returns the known
    mistake it names, if any."""
    votes: dict[str, int] = {}
    for o in outcomes:
        for m in o.matched:
            votes[m.name] = votes.get(m.name, 0) + 1
    swaps = [o for o in outcomes if o.swap]
    sizes = [o for o in outcomes if o.kind == "size"
             or (o.kind == "error" and any(w in o.check.message.lower() for w in _SHAPE_WORDS))]
    if votes:
        best = max(votes, key=lambda k: votes[k])
        mistake = next(m for m in ex.mistakes if m.name == best)
        report.diagnosis = mistake.hint
        for o in outcomes:
            if any(m.name == best for m in o.matched):
                o.check.hint = mistake.hint
        return mistake
    elif swaps:
        pairs = [o.swap for o in swaps]
        a, b = max(pairs, key=pairs.count)
        report.diagnosis = hints.SWAPPED.format(a=a, b=b, id=ex.id, spec=_spec_text(ex.output))
        for o in swaps:
            if o.swap == (a, b):
                o.check.hint = report.diagnosis
    elif sizes and any(o.kind == "" for o in outcomes):
        # right on some sizes, a shape error on others: a size fixed in the code
        report.diagnosis = hints.FIXED_SIZE
        for o in sizes:
            o.check.hint = hints.FIXED_SIZE
    elif any(_fails(o) for o in outcomes):
        report.diagnosis = _evidence(ex, outcomes)
    return None


def _report(ex: Exercise, fn: Callable, cases: list) -> tuple[Report, list, Any]:
    """(report, outcomes, the known mistake diagnosed or None)."""
    report = Report(ex.id)
    outcomes = _grade_cases(ex, fn, cases)
    _case_hints(outcomes)
    report.checks = [o.check for o in outcomes]
    cause = _diagnose(ex, report, outcomes)
    return report, outcomes, cause


# ---------------------------------------------------------------- composite functions
def _rebind(f: types.FunctionType, namespace: dict) -> types.FunctionType:
    g = types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
    g.__kwdefaults__ = f.__kwdefaults__
    return g


def with_course_versions(fn: Callable, calls) -> tuple[Callable | None, list]:
    """``fn`` with each graded function it can call replaced by the course's version.

    calls: {name: the course's function}, e.g. {"gru_cell": reference.gru_cell}.
    Returns (the substituted function, the names replaced), or (None, []) when
    ``fn`` has no such name in its namespace. Functions defined in the same
    namespace (the learner's helpers) see the course's versions too; the
    learner's namespace itself is not changed. A function running in the
    autograder's learner process offers the same through its
    ``with_course_versions`` attribute.
    """
    hook = getattr(fn, "with_course_versions", None)
    if callable(hook):
        return hook({n: f"{f.__module__}:{f.__name__}" for n, f in calls.items()})
    namespace = getattr(fn, "__globals__", None)
    if not isinstance(fn, types.FunctionType) or not isinstance(namespace, dict):
        return None, []
    names = [n for n, f in calls.items() if n in namespace and namespace[n] is not f]
    if not names:
        return None, []
    copy = dict(namespace)
    copy.update({n: calls[n] for n in names})
    for key, value in namespace.items():
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace \
                and key not in names:
            copy[key] = _rebind(value, copy)
    return _rebind(fn, copy), names


def _same_outputs(a: list, b: list, spec) -> bool:
    for x, y in zip(a, b):
        if (x.value is None) != (y.value is None) or x.kind != y.kind:
            return False
        if x.value is not None and not _close(x.value, y.value, spec, 1e-12):
            return False
    return True


def _composite(ex: Exercise, fn: Callable, cases: list, report: Report, outcomes: list,
               cause) -> None:
    """Grade a failing function again with the course's versions of the graded
    functions it calls, and say where each bug is."""
    sub, names = with_course_versions(fn, dict(ex.calls))
    if sub is None:
        return
    sub_report, sub_outcomes, _ = _report(ex, sub, cases)
    if _same_outputs(outcomes, sub_outcomes, ex.output):
        return          # the functions it calls are right (or not used)
    cell = " and ".join(f"`{n}`" for n in names)
    mine = report.diagnosis if cause is not None and cause.part == "cell" else ""
    if sub_report.passed:
        report.diagnosis = hints.LAYER_RIGHT.format(id=f"`{ex.id}`", cell=cell) + (
            " " + mine if mine else "")
    else:
        layer = sub_report.diagnosis or hints.LAYER_ALSO.format(id=f"`{ex.id}`", cell=cell)
        report.diagnosis = hints.TWO_PROBLEMS.format(
            id=f"`{ex.id}`", layer=layer, cell=cell, cell_hint=mine or hints.CELL_ALSO)
    for o in outcomes:
        if o.check.hint and o.check.hint == mine:
            o.check.hint = ""


# ---------------------------------------------------------------- state between calls
def _is_weight(name: str) -> bool:
    return name.startswith(("W", "w_", "b_", "params"))


def _fresh_inputs(args: tuple, arg_names: tuple) -> tuple:
    """The case's arguments with every input that is not a weight changed
    (negated and reversed along its first axis); the weights are the same objects."""
    new = []
    for a, name in zip(args, arg_names):
        if isinstance(a, np.ndarray) and a.ndim and not _is_weight(name):
            a = np.ascontiguousarray(-a[::-1])
        new.append(a)
    return tuple(new)


def _stateful_check(ex: Exercise, fn: Callable, cases: list) -> list:
    """Call ``fn`` on the first case again (after all the others), with the same
    weight arrays and new inputs, then on the first case once more."""
    if ex.oracle is None or not cases:
        return []
    first = cases[0]
    args = _copy_args(first.args)
    weights = tuple(a if _is_weight(n) else None for a, n in zip(args, ex.arg_names))
    fresh = _fresh_inputs(args, ex.arg_names)
    calls = [(fresh, ex.oracle(*_copy_args(fresh))), (args, first.expected)]
    for call_args, expected in calls:
        shared = tuple(w if w is not None else a for w, a in zip(weights, call_args))
        result = call_learner(fn, shared, ex.time_limit)
        problem = result.error or ("timed out" if result.timed_out else "")
        if not problem:
            problem = _structure_problem(result.value, ex.output)
        if not problem:
            problem, _, _ = _compare(result.value, expected, ex.output, first.rtol, first.atol)
        if problem:
            return [CheckResult(STATEFUL_NAME, False,
                                "your function gave a wrong answer when called again with "
                                "the same weight arrays and new inputs: " + problem,
                                hints.STATEFUL)]
    return [CheckResult(STATEFUL_NAME, True)]


# ---------------------------------------------------------------- the entry point
def run_exercise(ex: Exercise, fn: Callable, include_hidden: bool = False) -> Report:
    """Grade ``fn`` on ``ex``. Never raises on anything ``fn`` does."""
    if not callable(fn):
        report = Report(ex.id)
        report.checks.append(CheckResult(
            "calling your function", False, f"expected a function, got {type(fn).__name__}.",
            hints.NOT_A_FUNCTION.format(id=ex.id)))
        return report
    try:
        cases = ex.make_cases(include_hidden)
    except Exception as exc:  # pragma: no cover - a bug of ours, said plainly
        report = Report(ex.id)
        report.checks.append(CheckResult("building the test cases", False,
                                         f"internal grader error: {exc!r}", ""))
        return report
    report, outcomes, cause = _report(ex, fn, cases)
    if not report.passed and ex.calls:
        _composite(ex, fn, cases, report, outcomes, cause)
    if report.passed:
        report.checks.extend(_stateful_check(ex, fn, [c for c in cases if not c.hidden]))
    for extra in ex.extra_checks if report.passed else ():
        try:
            report.checks.extend(extra(fn))
        except Exception as exc:  # pragma: no cover
            report.checks.append(CheckResult("extra check", False, f"grader error: {exc!r}"))
    # hidden checks say only what kind of check failed
    for c in report.checks:
        if c.hidden and not c.passed:
            c.message = f"a hidden check of {c.name} failed."
            c.hint = c.hint if c.hint and c.hint == report.diagnosis else ""
            c.name = "hidden check"
    return report
