"""Grade one submitted notebook: its graded cells run in a learner process
(:mod:`course_utils.autograde.sandbox`), the grader calls the functions they
define; every failure becomes a score of 0 with the reason."""
from __future__ import annotations

from pathlib import Path

from ..grading.report import CheckResult, Report
from ..nbio import NotebookError, read_notebook
from .labs import LAZY_IMPORTS, SOLUTIONS, lab_exercises, setup_code, solution_cells, warm_up_code

__all__ = ["grade_notebook", "CELL_TIMEOUT"]

CELL_TIMEOUT = 60.0   # seconds to run one graded cell: its imports may load torch


def _zero(ex_id: str, reason: str) -> dict:
    """The report dict of an exercise that could not be graded: score 0, the reason."""
    return Report(ex_id, [CheckResult("submission", False, reason)]).to_dict()


def grade_notebook(path: Path, lab: str, timeout: float = 10.0, hidden: bool = True,
                   memory_mb: int = 3072) -> dict:
    """{exercise id: report dict} for one submitted notebook; never raises."""
    from ..grading import EXERCISES, grade
    from .sandbox import Sandbox, SandboxError

    ids = lab_exercises(lab)
    try:
        nb = read_notebook(path)
    except NotebookError as exc:
        return {i: _zero(i, f"could not read {Path(path).name}: {exc.reason}") for i in ids}
    cells = solution_cells(nb, ids)
    own_setup = setup_code(nb)
    prelude = "\n\n".join((LAZY_IMPORTS, setup_code(read_notebook(SOLUTIONS / f"{lab}.ipynb")),
                            own_setup))
    warm_up = warm_up_code(list(cells.values()) + [own_setup])
    results = {}
    box = None
    try:
        for ex_id in ids:
            if ex_id not in cells:
                results[ex_id] = _zero(ex_id, f"the cell defining {ex_id} is missing from the "
                                       "notebook (deleted, or its metadata changed).")
                continue
            if box is None or not box.alive:
                if box is not None:
                    box.kill()
                box = Sandbox(memory_mb=memory_mb)
                error = ""
                try:
                    error = box.execute(prelude, "<lab set-up>", timeout=60)
                    for other in ids:                 # every graded cell, in order
                        if other in cells:            # (a cell may import torch: slow)
                            box.execute(cells[other], f"<cell {other}>",
                                        timeout=max(timeout, CELL_TIMEOUT))
                    # import now what the learner's functions use, so that no call's
                    # time limit pays for importing torch
                    box.execute(warm_up, "<imports>", timeout=CELL_TIMEOUT)
                except (SandboxError, TimeoutError) as exc:
                    error = str(exc) or "the code of the notebook ran past the time limit"
                if error and not box.alive:
                    results[ex_id] = _zero(ex_id, f"running the notebook's code failed: {error}")
                    box = None
                    continue
            try:
                defined = box.has_function(ex_id)
            except (SandboxError, TimeoutError) as exc:
                results[ex_id] = _zero(ex_id, f"the learner process failed: {exc}")
                continue
            if not defined:
                results[ex_id] = _zero(ex_id, f"running the cell did not define a function "
                                       f"called {ex_id}.")
                continue
            EXERCISES[ex_id].time_limit = timeout
            report = grade(ex_id, box.function(ex_id, timeout=timeout + 5), hidden=hidden)
            results[ex_id] = report.to_dict()
    except Exception as exc:  # noqa: BLE001 - one submission must never stop the batch
        for ex_id in ids:
            results.setdefault(ex_id, _zero(ex_id, f"grading failed: {type(exc).__name__}: {exc}"))
    finally:
        if box is not None:
            box.kill()
    return results
