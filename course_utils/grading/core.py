"""The grading engine shared by every exercise.

An :class:`Exercise` is a list of :class:`Case` objects (inputs, expected
outputs from the oracle, a tolerance and a "where to look" hint) plus a
catalogue of :class:`Mistake` objects: functions with the exercise's signature
that reproduce a known learner bug. :func:`run_exercise` calls the learner's
function on every case and never raises: exceptions, time-outs, wrong
shapes or dtypes, NaN/inf, modified inputs and wrong values all become
:class:`CheckResult` lines in a :class:`Report`. Wrong values are compared
with every mistake's output on the same inputs, so the hint can name the bug
without printing the solution.
"""
from __future__ import annotations

import contextlib
import html
import io
import re
import signal
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "Case", "Mistake", "Exercise", "CheckResult", "Report", "register",
    "EXERCISES", "run_exercise", "OutputSpec",
]

#: id -> Exercise, filled by the per-unit modules via :func:`register`.
EXERCISES: dict[str, "Exercise"] = {}


def register(ex: "Exercise") -> "Exercise":
    """Add an exercise to :data:`EXERCISES` (an id may be registered once)."""
    if ex.id in EXERCISES and EXERCISES[ex.id] is not ex:
        raise ValueError(f"exercise id {ex.id!r} registered twice")
    EXERCISES[ex.id] = ex
    return ex


# --------------------------------------------------------------------------
# Data classes
# --------------------------------------------------------------------------

#: How an exercise's return value is structured: a name for one array, or a
#: tuple of specs for a tuple, e.g. ``("H", ("h_n", "c_n"))``.
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


@dataclass
class Mistake:
    """A known bug: a function with the exercise's signature and a hint.

    The hint says where to look; it never contains the fix in code.
    """

    name: str
    fn: Callable
    hint: str


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

    def __repr__(self):
        return f"Exercise({self.id!r}: {self.signature})"


@dataclass
class CheckResult:
    """The outcome of one check: a case, or an extra check."""

    name: str
    passed: bool
    message: str = ""
    hint: str = ""
    hidden: bool = False

    def line(self) -> str:
        """One line of feedback (for a failed check)."""
        text = f"{self.name}: {self.message}"
        if self.hint:
            text += f" Hint: {self.hint}"
        return text


@dataclass
class Report:
    """What the grader found. ``passed``, ``score`` and ``feedback`` as in the README."""

    exercise: str
    checks: list = field(default_factory=list)
    diagnosis: str = ""
    _shown_in: Any = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def score(self) -> float:
        if not self.checks:
            return 0.0
        return sum(c.passed for c in self.checks) / len(self.checks)

    @property
    def failed(self) -> list:
        return [c for c in self.checks if not c.passed]

    @property
    def feedback(self) -> str:
        """One line per failed check, each with a hint; empty when all pass."""
        return "\n".join(c.line() for c in self.failed)

    def summary(self) -> str:
        n, k = len(self.checks), sum(c.passed for c in self.checks)
        if self.passed:
            return f"{self.exercise}: all {n} checks passed."
        return f"{self.exercise}: {k} of {n} checks passed (score {self.score:.2f})."

    def _shown_failures(self) -> list:
        """[(check, hint to show)] with the diagnosis not repeated on every line
        and the checks skipped after a stub or a time-out folded into one."""
        shown, skipped = [], []
        for c in self.failed:
            if c.message.startswith("not run:"):
                skipped.append(c)
                continue
            shown.append((c, "" if c.hint == self.diagnosis else c.hint))
        if skipped:
            folded = CheckResult(f"{len(skipped)} more checks", False, skipped[0].message)
            shown.append((folded, ""))
        return shown

    def __str__(self) -> str:
        lines = [("PASSED  " if self.passed else "FAILED  ") + self.summary()]
        if self.diagnosis:
            lines.append("Most likely: " + self.diagnosis)
        for c, hint in self._shown_failures():
            lines.append(f"  - {c.name}: {c.message}" + (f" Hint: {hint}" if hint else ""))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        ok = self.passed
        colour, bg = ("#1a7f37", "#e9f7ef") if ok else ("#b42318", "#fdecea")
        mark = "&#10004;" if ok else "&#10008;"
        parts = [
            f'<div class="course-report" data-passed="{str(ok).lower()}" '
            f'style="border-left:6px solid {colour};background:{bg};'
            f'padding:0.5em 1em;margin:0.3em 0;font-family:sans-serif">',
            f'<b style="color:{colour}">{mark} {html.escape(self.summary())}</b>',
        ]
        if self.diagnosis:
            parts.append(f"<p><b>Most likely:</b> {html_text(self.diagnosis)}</p>")
        if self.failed:
            parts.append("<ul>")
            for c, hint in self._shown_failures():
                item = f"<b>{html.escape(c.name)}</b>: {html_text(c.message)}"
                if hint:
                    item += f"<br><i>Hint:</i> {html_text(hint)}"
                parts.append(f"<li>{item}</li>")
            parts.append("</ul>")
        parts.append("</div>")
        return "".join(parts)

    def _ipython_display_(self):
        # check() already displayed this report in the current cell: do not
        # show it a second time when it is also the cell's last expression.
        ip = _ipython()
        if ip is not None and self._shown_in == ip.execution_count:
            return
        from IPython.display import display
        display({"text/plain": str(self), "text/html": self._repr_html_()}, raw=True)

    def to_dict(self) -> dict:
        """A JSON-ready summary (used by the autograder)."""
        return {
            "exercise": self.exercise,
            "passed": self.passed,
            "score": self.score,
            "diagnosis": self.diagnosis,
            "checks": [
                {"name": c.name, "passed": c.passed, "message": c.message,
                 "hint": c.hint, "hidden": c.hidden}
                for c in self.checks
            ],
        }


def html_text(text: str) -> str:
    """Plain report text as HTML: escaped, with `names` in backticks set as code."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", html.escape(text))


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    return get_ipython()


# --------------------------------------------------------------------------
# Calling learner code safely
# --------------------------------------------------------------------------

class _TimeLimit(BaseException):
    """Raised inside learner code when its time is up (not an Exception, so a
    learner's ``except Exception`` cannot swallow it)."""


@dataclass
class CallResult:
    value: Any = None
    error: str = ""          # one line: "ValueError: ... (line 12, in gru_cell)"
    error_type: str = ""
    timed_out: bool = False
    seconds: float = 0.0


def _describe_exception(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = ""
    # the deepest frame that is not this module nor NumPy/torch internals
    for frame in reversed(tb):
        fname = frame.filename.replace("\\", "/")
        if "/course_utils/grading/" in fname or "/site-packages/" in fname:
            continue
        where = f" (line {frame.lineno}, in {frame.name})"
        break
    msg = str(exc).strip().splitlines()
    first = msg[-1] if msg else ""
    return f"{type(exc).__name__}: {first}{where}" if first else f"{type(exc).__name__}{where}"


def call_learner(fn: Callable, args: tuple, time_limit: float) -> CallResult:
    """Call ``fn(*args)`` with a time limit; capture output, warnings, errors.

    Never raises (except KeyboardInterrupt from the user). Uses SIGALRM in the
    main thread; elsewhere, a daemon thread that is abandoned on time-out.
    """
    out = CallResult()
    sink = io.StringIO()

    def invoke():
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return fn(*args)

    start = time.perf_counter()
    use_alarm = (threading.current_thread() is threading.main_thread()
                 and hasattr(signal, "setitimer"))
    if use_alarm:
        def on_alarm(signum, frame):
            raise _TimeLimit()
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, time_limit)
        try:
            out.value = invoke()
        except _TimeLimit:
            out.timed_out = True
        except KeyboardInterrupt:
            raise
        except RecursionError as exc:
            out.error, out.error_type = _describe_exception(exc), "RecursionError"
        except BaseException as exc:  # SystemExit too: learner code must not end the kernel
            out.error, out.error_type = _describe_exception(exc), type(exc).__name__
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    else:
        box: dict = {}

        def target():
            try:
                box["value"] = invoke()
            except BaseException as exc:  # noqa: BLE001
                box["exc"] = exc

        worker = threading.Thread(target=target, daemon=True)
        worker.start()
        worker.join(time_limit)
        if worker.is_alive():
            out.timed_out = True
        elif "exc" in box:
            out.error, out.error_type = _describe_exception(box["exc"]), type(box["exc"]).__name__
        else:
            out.value = box.get("value")
    out.seconds = time.perf_counter() - start
    return out


# --------------------------------------------------------------------------
# Comparing outputs
# --------------------------------------------------------------------------

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
            return f"returned None where the array `{spec}` was expected (is a `return` missing?)"
        if isinstance(value, tuple) and not _same_shaped_arrays(value):
            return (f"returned a tuple of {len(value)} items where one array `{spec}` was "
                    f"expected")
        return ""
    if value is None:
        return f"returned None; expected a tuple {_spec_text(spec)} (is a `return` missing?)"
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
        return None, "is a dict: return the arrays themselves, in the signature's order"
    if hasattr(value, "__next__") or isinstance(value, (set, frozenset, range)):
        return None, (f"is a {type(value).__name__}, not an array (build the array, e.g. "
                      f"with np.stack, before returning it)")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # noqa: BLE001
        return None, f"could not be read as an array ({type(exc).__name__})"
    if arr.dtype == object:
        return None, "is an object array (mixed or ragged contents), not numbers"
    if arr.dtype.kind == "c":
        return None, f"has complex dtype {arr.dtype}"
    if arr.dtype.kind == "b":
        return None, "is an array of True/False values (a comparison?), not numbers"
    if arr.dtype == np.float16:
        return None, ("is float16 (half precision, about 3 significant digits): compute in "
                      "the inputs' dtype")
    if arr.dtype.kind in "biu":
        return None, (f"has integer dtype {arr.dtype}: an array made with an integer "
                      f"dtype (np.zeros(..., dtype=int), np.array([0, 1])) truncates values")
    if arr.dtype.kind != "f":
        return None, f"has dtype {arr.dtype}, not a float dtype"
    return arr, ""


def _shape_hint(got, want, name) -> str:
    if len(got) == len(want) and sorted(got) == sorted(want) and got != want:
        if len(got) == 3:
            return (f"`{name}` looks like its axes are in another order: sequences are "
                    f"time first (T, B, H).")
        if name.startswith(("dW", "W")):
            return (f"`{name}` looks transposed: a gradient has the shape of its parameter "
                    f"(W_ih is (gates * H, I), W_hh is (gates * H, H)).")
        return f"`{name}` looks transposed: the batch is the first axis (B, H)."
    if len(got) == len(want) - 1 and tuple(got) == tuple(want[1:]):
        return f"`{name}` lost its first axis: keep every time step (or the batch axis)."
    if len(got) == len(want) + 1 and got[0] == 1 and tuple(got[1:]) == tuple(want):
        return f"`{name}` has an extra leading axis of size 1 (torch's h_n has one; ours does not)."
    if len(got) == len(want) == 3 and tuple(got[1:]) == tuple(want[1:]):
        if got[0] == want[0] + 1:
            return (f"`{name}` has one time step too many: it seems to include the initial "
                    f"state; keep the T states computed by the steps.")
        if got[0] == want[0] - 1:
            return (f"`{name}` has one time step too few: check that the loop visits every "
                    f"t from 0 to T - 1.")
    if len(got) == 2 and len(want) == 2 and got[0] == want[0] and got[1] % want[1] == 0:
        return (f"`{name}` has {got[1] // want[1]}x the hidden size: split the stacked gate "
                f"blocks before combining them.")
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


# --------------------------------------------------------------------------
# Running an exercise
# --------------------------------------------------------------------------

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
            report.checks.append(CheckResult(label, False, stop_reason, "", case.hidden))
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
