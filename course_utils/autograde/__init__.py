"""Grade a folder of submitted lab notebooks: gradebook, feedback, isolation.

    python -m course_utils.autograde SUBMISSIONS --out OUTDIR [--lab 02_gru]
                                     [--workers N] [--timeout S] [--force] [--no-hidden]
                                     [--instructor-seed N] [--instructor-checks K]

SUBMISSIONS holds either one folder per student with their lab notebooks
(``alice/02_gru.ipynb``, named as in ``exercises/``), or, with ``--lab``,
one notebook per student (``alice.ipynb``).

Writes ``OUTDIR/gradebook.csv`` (one row per student, one column per exercise
plus the total, written atomically), ``OUTDIR/feedback/<student>.txt`` and
``.html`` (what failed and the hints; hidden checks say only their kind), and
``OUTDIR/results/<student>.json`` (used to skip unchanged submissions on a
rerun; ``--force`` regrades). Submission files are only read.

What runs where: the grader and the torch oracle run in worker processes;
each submission's code runs in its own child process (``sandbox``)
with memory, CPU-time and process limits, started afresh after a time-out or
a crash. From the submission only the graded solution cells (by their
nbgrader ``grade_id``) run, after the imports, definitions and assignments of
lambdas or literals of the lab's other cells (the instructor's copy in
``solutions/``, then the submission's own); torch and the course's torch-based
modules are imported only when the learner's code first uses them. Only arrays
come back. This is process isolation, not a security sandbox.

The modules: ``cli`` (the command line; ``__main__`` runs it), ``batch``
(a folder: discovery, workers, resume, feedback files, gradebook),
``submission`` (one notebook), ``labs`` (a lab's exercises and the set-up code
of its cells), ``sandbox`` (the learner process and its protocol), ``bench``
(``python -m course_utils.autograde.bench``: times 100 submissions).
Names are imported on first use, so the learner process, which imports
``course_utils.autograde.sandbox``, loads none of the grader.
"""
from __future__ import annotations

import importlib

__all__ = ["grade_folder", "grade_notebook", "main", "lab_exercises", "setup_code", "discover"]

_WHERE = {"grade_folder": "batch", "discover": "batch", "grade_notebook": "submission",
          "main": "cli", "lab_exercises": "labs", "setup_code": "labs", "SOLUTIONS": "labs"}


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_WHERE))
