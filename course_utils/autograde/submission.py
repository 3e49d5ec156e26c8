"""Grade one submitted notebook: its graded cells run in a learner process
(:mod:`course_utils.autograde.sandbox`), the grader calls the functions they
define; every failure becomes a score of 0 with the reason."""
from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

from ..grading.report import CheckResult, Report
from ..nbio import NotebookError, read_notebook
from .labs import (LAZY_IMPORTS, SOLUTIONS, course_code_problems, lab_exercises, setup_code,
                   solution_cells, warm_up_code)
from .sandbox import bounded_text

__all__ = ["grade_notebook", "CELL_TIMEOUT", "BUDGET"]

CELL_TIMEOUT = 60.0   # seconds to run one graded cell: its imports may load torch
BUDGET = 900.0        # seconds of wall time for one student's whole submission


def _zero(ex_id: str, reason: str) -> dict:
    """The report dict of an exercise that could not be graded: score 0, the reason."""
    return Report(ex_id, [CheckResult("submission", False, reason)]).to_dict()


def _hidden_only(ex):
    """``ex`` with its hidden cases alone and no extra checks (the second pass)."""
    return dataclasses.replace(ex, make_cases=lambda _: [c for c in ex.make_cases(True)
                                                         if c.hidden], extra_checks=())


class _Notebook:
    """A submission's code, ready to run in learner processes."""

    def __init__(self, nb: dict, lab: str, ids: list, mode: str = "none"):
        self.ids, self.mode = ids, mode
        self.cells = solution_cells(nb, ids)
        own_setup = setup_code(nb)
        self.prelude = "\n\n".join((LAZY_IMPORTS,
                                     setup_code(read_notebook(SOLUTIONS / f"{lab}.ipynb")),
                                     own_setup))
        self.warm_up = warm_up_code(list(self.cells.values()) + [own_setup])

    def start(self, timeout: float, memory_mb: int, deadline: float):
        """(a learner process with the notebook's code run in it, '') or (None, reason)."""
        from .sandbox import Sandbox, SandboxError
        box = Sandbox(memory_mb=memory_mb, mode=self.mode)
        box.deadline = deadline
        error = ""
        try:
            error = box.execute(self.prelude, "<lab set-up>", timeout=60)
            for other in self.ids:                 # every graded cell, in order
                if other in self.cells:            # (a cell may import torch: slow)
                    box.execute(self.cells[other], f"<cell {other}>",
                                timeout=max(timeout, CELL_TIMEOUT))
            # import now what the learner's functions use, so that no call's
            # time limit pays for importing torch
            box.execute(self.warm_up, "<imports>", timeout=CELL_TIMEOUT)
        except (SandboxError, TimeoutError) as exc:
            error = bounded_text(str(exc)) or "the code of the notebook ran past the time limit"
        if error and not box.alive:
            box.kill()
            return None, f"running the notebook's code failed: {error}"
        return box, ""

    def grade(self, ex_ids, timeout: float, memory_mb: int, deadline: float, hidden_pass: bool,
              budget: float) -> dict:
        """{exercise id: Report, or the reason it could not be graded}: the public
        checks, or (``hidden_pass``) the hidden ones alone, in one learner process
        (a new one after a crash)."""
        from ..grading import EXERCISES
        from ..grading.run import run_exercise
        from .sandbox import SandboxError
        out, box = {}, None
        try:
            for ex_id in ex_ids:
                if time.monotonic() >= deadline:
                    out[ex_id] = (f"not graded: the submission used up its time budget of "
                                  f"{budget:g} s.")
                    continue
                if box is None or not box.alive:
                    if box is not None:
                        box.kill()
                    box, reason = self.start(timeout, memory_mb, deadline)
                    if box is None:
                        out[ex_id] = reason
                        continue
                try:
                    defined = box.has_function(ex_id)
                except (SandboxError, TimeoutError) as exc:
                    out[ex_id] = f"the learner process failed: {bounded_text(str(exc))}"
                    continue
                if not defined:
                    out[ex_id] = f"running the cell did not define a function called {ex_id}."
                    continue
                ex = dataclasses.replace(EXERCISES[ex_id], time_limit=timeout)
                fn = box.function(ex_id, timeout=timeout + 5)
                out[ex_id] = (run_exercise(_hidden_only(ex), fn, include_hidden=True)
                              if hidden_pass else run_exercise(ex, fn))
        finally:
            if box is not None:
                box.kill()
        return out


def _merge(public: Report, hidden) -> Report:
    """The public checks, then the hidden ones (or one failed check saying why
    they could not run); the diagnosis of the public checks first."""
    if isinstance(hidden, str):
        extra = [CheckResult("hidden checks", False, hidden, hidden=True)]
        return Report(public.exercise, public.checks + extra, public.diagnosis)
    return Report(public.exercise, public.checks + hidden.checks,
                  public.diagnosis or hidden.diagnosis)


def _skipped_hidden(ex_id: str, reason: str) -> Report:
    """The hidden checks of ``ex_id`` marked as not run (after a stub or a time-out)."""
    from ..grading import EXERCISES
    n = sum(c.hidden for c in EXERCISES[ex_id].make_cases(True))
    return Report(ex_id, [CheckResult("hidden check", False, reason, hidden=True, skipped=True)
                          for _ in range(n)])


def grade_notebook(path: Path, lab: str, timeout: float = 10.0, hidden: bool = True,
                   memory_mb: int = 3072, budget: float = BUDGET, sandbox: str = "none",
                   allow_course_code: bool = False) -> dict:
    """{exercise id: report dict} for one submitted notebook; never raises.

    The public checks of every exercise run first, in one learner process; the
    hidden checks then run in a fresh one, so nothing the learner's code saw of
    the hidden inputs can come back in a public check's feedback. ``budget``
    seconds of wall time cover the whole notebook (every learner process, every
    call); what is not graded by then scores 0 with the reason. ``sandbox``:
    "none" or "bwrap" (see :class:`~course_utils.autograde.sandbox.Sandbox`).
    A graded function that is or calls the course's own answer for it (see
    :func:`~course_utils.autograde.labs.course_code_problems`) scores 0 with
    the reason, unless ``allow_course_code``.
    """
    deadline = time.monotonic() + budget
    ids = lab_exercises(lab)
    name = bounded_text(os.fsdecode(Path(path).name), 120)
    try:
        nb = read_notebook(path, follow_symlinks=False)
    except NotebookError as exc:
        return {i: _zero(i, f"could not read {name}: {exc.reason}") for i in ids}
    results = {}
    try:
        code = _Notebook(nb, lab, ids, sandbox)
        copied = {} if allow_course_code else course_code_problems(nb, lab)
        todo = [i for i in ids if i in code.cells and i not in copied]
        for ex_id in ids:
            if ex_id not in code.cells:
                results[ex_id] = _zero(ex_id, f"the cell defining {ex_id} is missing from the "
                                       "notebook (deleted, or its metadata changed).")
            elif ex_id in copied:
                results[ex_id] = _zero(ex_id, copied[ex_id])
        public = code.grade(todo, timeout, memory_mb, deadline, False, budget)
        graded = [i for i in todo if isinstance(public[i], Report)]
        second = [i for i in graded if hidden and not any(c.skipped for c in public[i].checks)]
        hidden_reports = code.grade(second, timeout, memory_mb, deadline, True, budget) \
            if second else {}
        for ex_id in todo:
            report = public[ex_id]
            if isinstance(report, str):
                results[ex_id] = _zero(ex_id, report)
                continue
            if ex_id in hidden_reports:
                report = _merge(report, hidden_reports[ex_id])
            elif hidden:
                first = next(c.message for c in report.checks if c.skipped)
                report = _merge(report, _skipped_hidden(ex_id, first))
            results[ex_id] = report.to_dict()
    except Exception as exc:  # noqa: BLE001 - one submission must never stop the batch
        why = bounded_text(f"{type(exc).__name__}: {exc}")
        for ex_id in ids:
            results.setdefault(ex_id, _zero(ex_id, f"grading failed: {why}"))
    return {ex_id: results[ex_id] for ex_id in ids}
