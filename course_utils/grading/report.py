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
            if c.skipped:
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
