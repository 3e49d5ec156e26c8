"""The grading report and its rendering.

A :class:`Report` is the list of :class:`CheckResult` lines of one grading
run plus the diagnosis; it renders as plain text (``str``), as HTML in
JupyterLab (``_repr_html_``) and as a JSON-ready dict for the autograder.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CheckResult", "Report", "html_text"]

@dataclass
class CheckResult:
    """The outcome of one check: a case, or an extra check."""

    name: str
    passed: bool
    message: str = ""
    hint: str = ""
    hidden: bool = False
    skipped: bool = False   # not run: an earlier call timed out or raised NotImplementedError

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

    # ------------------------------------------------------------ rendering

    def _counted(self, public_only: bool) -> list:
        """The checks a rendering counts and lists (the public ones, or all)."""
        return [c for c in self.checks if not (public_only and c.hidden)]

    def summary(self, public_only: bool = False) -> str:
        """One line: the exercise, how many checks passed and the score."""
        checks = self._counted(public_only)
        n, k = len(checks), sum(c.passed for c in checks)
        what = "public checks" if public_only else "checks"
        if checks and k == n:
            if n == 1:
                return f"{self.exercise}: {checks[0].name} passed."
            return f"{self.exercise}: all {n} {what} passed."
        score = k / n if n else 0.0
        return f"{self.exercise}: {k} of {n} {what} passed (score {score:.2f})."

    def groups(self, public_only: bool = False) -> list:
        """The failed checks as shown: ``[(checks, hint)]``, in report order.

        Checks that share a hint form one group, so the hint is said once
        (and checks without a hint that say the same form one, "name (x3)");
        a hint that is the diagnosis is not repeated (the diagnosis is shown
        once, above); the checks skipped after a stub or a time-out are folded
        into one entry ("8 more checks: not run: ...").
        """
        shown, skipped, by_hint = [], [], {}
        for c in self._counted(public_only):
            if c.passed:
                continue
            if c.skipped:
                skipped.append(c)
                continue
            hint = "" if c.hint == self.diagnosis else c.hint
            key = hint or ("", c.name, c.message)     # no hint: the same line said once
            if key in by_hint:
                by_hint[key][0].append(c)
                continue
            shown.append(([c], hint))
            by_hint[key] = shown[-1]
        if skipped:
            folded = CheckResult(f"{len(skipped)} more checks", False, skipped[0].message,
                                 skipped=True)
            shown.append(([folded], ""))
        return shown

    def render_text(self, public_only: bool = False) -> str:
        """The report in plain text: status and summary, the diagnosis once,
        then each failed check (checks sharing a hint grouped under it)."""
        checks = self._counted(public_only)
        ok = bool(checks) and all(c.passed for c in checks)
        lines = [("PASSED  " if ok else "FAILED  ") + self.summary(public_only)]
        if self.diagnosis:
            lines.append("Most likely: " + self.diagnosis)
        for members, hint in self.groups(public_only):
            tail = f" Hint: {hint}" if hint else ""
            messages = {c.message for c in members}
            if len(members) == 1 or len(messages) == 1:
                lines.append(f"  - {_names(members)}: {members[0].message}{tail}")
                continue
            lines.append(f"  - {_names(members)}:")
            lines.extend(f"      {c.name}: {c.message}" for c in members)
            lines.append(f"    Hint: {hint}")
        return "\n".join(lines)

    def render_html(self, public_only: bool = False) -> str:
        """The report as an HTML block (the same content as :meth:`render_text`)."""
        checks = self._counted(public_only)
        ok = bool(checks) and all(c.passed for c in checks)
        colour, bg = ("#1a7f37", "#e9f7ef") if ok else ("#b42318", "#fdecea")
        mark = "&#10004;" if ok else "&#10008;"
        parts = [
            f'<div class="course-report" data-passed="{str(ok).lower()}" '
            f'style="border-left:6px solid {colour};background:{bg};'
            f'padding:0.5em 1em;margin:0.3em 0;font-family:sans-serif">',
            f'<b style="color:{colour}">{mark} {html.escape(self.summary(public_only))}</b>',
        ]
        if self.diagnosis:
            parts.append(f"<p><b>Most likely:</b> {html_text(self.diagnosis)}</p>")
        groups = self.groups(public_only)
        if groups:
            parts.append("<ul>")
            for members, hint in groups:
                tail = f"<br><i>Hint:</i> {html_text(hint)}" if hint else ""
                if len(members) == 1 or len({c.message for c in members}) == 1:
                    item = (f"<b>{html.escape(_names(members))}</b>: "
                            f"{html_text(members[0].message)}")
                else:
                    item = (f"<b>{html.escape(_names(members))}</b>:<ul>"
                            + "".join(f"<li>{html.escape(c.name)}: {html_text(c.message)}</li>"
                                      for c in members) + "</ul>")
                parts.append(f"<li>{item}{tail}</li>")
            parts.append("</ul>")
        parts.append("</div>")
        return "".join(parts)

    def __str__(self) -> str:
        return self.render_text()

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return self.render_html()

    def _ipython_display_(self):
        # check() already displayed this report in the current cell: do not
        # show it a second time when it is also the cell's last expression.
        ip = _ipython()
        if ip is not None and self._shown_in == ip.execution_count:
            return
        from IPython.display import display
        display({"text/plain": str(self), "text/html": self._repr_html_()}, raw=True)

    def to_dict(self) -> dict:
        """A JSON-ready dict (the autograder's results records); ``passed`` and
        ``score`` are included for readers, :meth:`from_dict` recomputes them."""
        return {
            "exercise": self.exercise,
            "passed": self.passed,
            "score": self.score,
            "diagnosis": self.diagnosis,
            "checks": [{k: getattr(c, k) for k in _CHECK_FIELDS} for c in self.checks],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Report":
        """The report :meth:`to_dict` wrote (``Report.from_dict(r.to_dict()) == r``).

        Raises ValueError when ``d`` is not such a dict (a field missing or of
        the wrong type); fields other than ``name`` and ``passed`` may be absent.
        """
        if not isinstance(d, dict) or not isinstance(d.get("checks"), list):
            raise ValueError("not a report: no list of checks")
        checks = []
        for c in d["checks"]:
            if not isinstance(c, dict):
                raise ValueError("not a report: a check is not an object")
            values = {k: c.get(k, _CHECK_DEFAULTS[k]) for k in _CHECK_FIELDS}
            for k, v in values.items():
                if not isinstance(v, type(_CHECK_DEFAULTS[k])):
                    raise ValueError(f"not a report: a check's {k} is {type(v).__name__}")
            checks.append(CheckResult(**values))
        exercise, diagnosis = d.get("exercise", ""), d.get("diagnosis", "")
        if not isinstance(exercise, str) or not isinstance(diagnosis, str):
            raise ValueError("not a report: exercise and diagnosis are text")
        return cls(exercise, checks, diagnosis)


_CHECK_FIELDS = ("name", "passed", "message", "hint", "hidden", "skipped")
_CHECK_DEFAULTS = {"name": "", "passed": False, "message": "", "hint": "", "hidden": False,
                   "skipped": False}


def _names(checks) -> str:
    """The names of a group of checks in words: "a", "checks a and b", "checks a,
    b and c" (a name that occurs several times is said once, with the count: "a (x3)")."""
    counts: dict = {}
    for c in checks:
        counts[c.name] = counts.get(c.name, 0) + 1
    names = [n if k == 1 else f"{n} (x{k})" for n, k in counts.items()]
    if len(names) == 1:
        return names[0]
    return "checks " + ", ".join(names[:-1]) + " and " + names[-1]


def html_text(text: str) -> str:
    """Plain report text as HTML: escaped, with `names` in backticks set as code."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", html.escape(text))


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    return get_ipython()
