"""The run loop: grading a learner's function on an exercise, with diagnosis.

:func:`run_exercise` calls the learner's function on every case and never
raises: exceptions, time-outs, wrong shapes or dtypes, NaN/inf, modified
inputs and wrong values all become :class:`CheckResult` lines in a
:class:`Report`. Wrong values are compared with every mistake's output on the
same inputs, so the hint can name the bug without printing the solution; a
size fixed in the code and swapped outputs are recognised too.
"""
from __future__ import annotations

from typing import Callable

from .calls import call_learner
from .compare import (_changed_inputs, _close, _compare, _copy_args, _spec_text,
                      _structure_problem, _swapped_pair)
from .exercise import Exercise
from .report import CheckResult, Report

__all__ = ["run_exercise"]

_FIXED_SIZE = ("Your function works for some sizes and fails for others: read every size "
               "from the shapes of the arguments (e.g. H = h_prev.shape[1]) instead of a "
               "global variable or a fixed number.")
_SHAPE_WORDS = ("matmul", "shapes", "not aligned", "broadcast", "mismatch", "reshape",
                "out of bounds", "dimension")

_NOT_WRITTEN = ("your function still raises NotImplementedError: replace the "
                "`raise NotImplementedError()` line with your code.")


def _exception_hint(error: str) -> str:
    low = error.lower()
    if "notimplementederror" in low:
        return ""
    if "broadcast" in low:
        return ("An elementwise operation met arrays of different shapes: every gate and "
                "state is (B, H), so check how you slice the stacked gate blocks (each is "
                "H wide) and which arrays you combine.")
    if any(s in low for s in ("matmul", "shapes", "not aligned", "mismatch")):
        return ("Check the shapes of every product: x is (B, I) and W_ih has I columns, "
                "so multiply x by the transpose of W_ih; the same for h and W_hh.")
    if "floatingpointerror" in low:
        return ("NumPy is set to raise on floating-point warnings (np.seterr or np.errstate "
                "in your notebook): make the operation it names safe (an exp that overflows "
                "in a sigmoid, say), or undo that setting.")
    if "memoryerror" in low:
        return ("Your function asked for more memory than there is: look for an array far "
                "larger than (T, B, H), e.g. an outer product or a size typed by hand.")
    if "recursionerror" in low:
        return "Your function calls itself without end: did a name end up pointing to itself?"
    if "nameerror" in low:
        return "A name is not defined: did you run the cell that defines it (e.g. sigmoid)?"
    if "index" in low:
        return "An index is out of range: check how you slice the stacked gate blocks."
    if "attributeerror" in low:
        return "An attribute does not exist: NumPy arrays are not torch tensors."
    return "Read the error above and the line it points to."


def run_exercise(ex: Exercise, fn: Callable, include_hidden: bool = False) -> Report:
    """Grade ``fn`` on ``ex``. Never raises on anything ``fn`` does."""
    report = Report(ex.id)
    if not callable(fn):
        report.checks.append(CheckResult(
            "calling your function", False,
            f"expected a function, got {type(fn).__name__}.",
            f"Pass the function itself: check({ex.id!r}, {ex.id}) without parentheses "
            f"after {ex.id}."))
        return report
    try:
        cases = ex.make_cases(include_hidden)
    except Exception as exc:  # pragma: no cover - a bug of ours, said plainly
        report.checks.append(CheckResult("building the test cases", False,
                                         f"internal grader error: {exc!r}", ""))
        return report

    mistake_votes: dict[str, int] = {}
    failed_info = []   # (index, case, value_for_diag, kind)
    size_failures = []  # checks failed by a shape error or a wrong shape
    swaps = []          # (check, (name, name)): two right arrays in each other's place
    stop_reason = ""
    for case in cases:
        label = case.kind if case.hidden else case.name
        if stop_reason:
            report.checks.append(CheckResult(label, False, stop_reason, "", case.hidden,
                                             skipped=True))
            continue
        args = _copy_args(case.args)
        result = call_learner(fn, args, ex.time_limit)
        if result.timed_out:
            stop_reason = (f"not run: an earlier call ran past the {ex.time_limit:g} s limit.")
            report.checks.append(CheckResult(
                label, False,
                f"your function did not return within {ex.time_limit:g} s.",
                "Look for a loop that never ends (a while loop whose condition never "
                "changes, or a loop over the wrong axis).", case.hidden))
            continue
        if result.error:
            if result.error_type == "NotImplementedError":
                report.checks.append(CheckResult(label, False, _NOT_WRITTEN, "", case.hidden))
                stop_reason = "not run: the function is not written yet."
                continue
            report.checks.append(CheckResult(
                label, False, f"your function raised {result.error}",
                _exception_hint(result.error), case.hidden))
            if any(w in result.error.lower() for w in _SHAPE_WORDS):
                size_failures.append(report.checks[-1])
            continue
        changed = _changed_inputs(case.args, args, ex.arg_names)
        if changed:
            names = ", ".join(f"`{n}`" for n in changed)
            report.checks.append(CheckResult(
                label, False, f"your function modified its input {names} in place.",
                "Operators such as `+=`, `*=` or slice assignment on an argument change "
                "the caller's array: compute into a new array instead.", case.hidden))
            continue
        problem = _structure_problem(result.value, ex.output)
        if problem:
            report.checks.append(CheckResult(
                label, False, problem + ".",
                f"{ex.id} returns {_spec_text(ex.output)}.", case.hidden))
            continue
        problem, kind, _err = _compare(result.value, case.expected, ex.output,
                                       case.rtol, case.atol, ex.explain)
        if not problem:
            report.checks.append(CheckResult(label, True, "", "", case.hidden))
            continue
        if kind == "values" or (kind == "nan" and case.kind == "saturating inputs"):
            hint = case.hint
        elif kind == "nan":
            hint = ("NaN or inf appeared: look for an exp that overflows, a division by "
                    "zero or a log of a non-positive number.")
        else:
            hint = ""
        check = CheckResult(label, False, problem, hint, case.hidden)
        report.checks.append(check)
        if kind == "size":
            size_failures.append(check)
        pair = kind == "values" and _swapped_pair(result.value, case.expected, ex.output,
                                                  case.rtol, case.atol)
        if pair:
            swaps.append((check, pair))
        if kind in ("values", "nan", "shape", "size") and ex.mistakes:
            # recognise a known mistake on float64 inputs (the learner's own
            # output on those, compared with each mistake's output)
            diag_args = case.diag_args or case.args
            value = result.value
            if diag_args is not case.args:
                r2 = call_learner(fn, _copy_args(diag_args), ex.time_limit)
                value = r2.value if not (r2.error or r2.timed_out) else None
            matched = []
            if value is not None and not _structure_problem(value, ex.output):
                for m in ex.mistakes:
                    mres = call_learner(m.fn, _copy_args(diag_args), 30.0)
                    if mres.error or mres.timed_out:
                        continue
                    if _close(mres.value, case.expected, ex.output, 1e-9):
                        continue  # the mistake is invisible on this case
                    if _close(value, mres.value, ex.output, 1e-6):
                        matched.append(m)
            for m in matched:
                mistake_votes[m.name] = mistake_votes.get(m.name, 0) + 1
            failed_info.append((check, matched))

    if mistake_votes:
        best = max(mistake_votes, key=lambda k: mistake_votes[k])
        mistake = next(m for m in ex.mistakes if m.name == best)
        report.diagnosis = mistake.hint
        for check, matched in failed_info:
            if any(m.name == best for m in matched):
                check.hint = mistake.hint
    elif swaps:
        a, b = max((pair for _, pair in swaps), key=[p for _, p in swaps].count)
        report.diagnosis = (f"`{a}` and `{b}` are right but in each other's place: "
                            f"{ex.id} returns {_spec_text(ex.output)}, in that order.")
        for check, pair in swaps:
            if pair == (a, b):
                check.hint = report.diagnosis
    elif size_failures and any(c.passed for c in report.checks):
        # right on some sizes, a shape error on others: a size fixed in the code
        report.diagnosis = _FIXED_SIZE
        for check in size_failures:
            check.hint = _FIXED_SIZE
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
