"""Grade a folder of submissions: discovery, workers, resume, feedback, gradebook.

:func:`grade_folder` finds each student's lab notebooks (:func:`discover`),
grades the new or changed ones in worker processes (each notebook with
:func:`~course_utils.autograde.submission.grade_notebook`), keeps one results
record per student (reused on a rerun while the submission and the settings
are unchanged), writes each student's feedback rendered by the grading
:class:`~course_utils.grading.report.Report`, and the gradebook.
"""
from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

from ..grading.report import Report
from ..nbio import write_atomic
from .labs import SOLUTIONS

__all__ = ["discover", "grade_folder", "feedback_text", "feedback_html", "VERSION"]

VERSION = "4"


def discover(folder: Path, lab: str | None = None) -> dict:
    """{student: {lab: path}} for a submissions folder (see the module doc)."""
    labs = {p.stem for p in SOLUTIONS.glob("*.ipynb")}
    found: dict = {}
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            for nb in sorted(entry.glob("*.ipynb")):
                if nb.stem in labs and (lab is None or nb.stem == lab):
                    found.setdefault(entry.name, {})[nb.stem] = nb
        elif entry.suffix == ".ipynb" and lab is not None:
            found.setdefault(entry.stem, {})[lab] = entry
    return found


def _digest(paths: dict, settings=()) -> str:
    h = hashlib.sha256(VERSION.encode())
    h.update(repr(tuple(settings)).encode())      # other settings: graded anew
    for lab in sorted(paths):
        h.update(lab.encode())
        try:
            h.update(Path(paths[lab]).read_bytes())
        except OSError:
            h.update(b"<unreadable>")
    return h.hexdigest()


def _grade_student(task):
    student, paths, timeout, hidden, instructor = task
    from ..grading import set_instructor_checks
    from .submission import grade_notebook
    set_instructor_checks(*instructor)
    labs = {lab: grade_notebook(Path(p), lab, timeout, hidden) for lab, p in sorted(paths.items())}
    return student, labs


def _reports(labs: dict) -> dict:
    """{lab: {exercise id: Report}} from a results record's dicts."""
    return {lab: {ex: Report.from_dict(r) for ex, r in reports.items()}
            for lab, reports in labs.items()}


def _total(reports: dict) -> tuple:
    """(sum of the scores, number of exercises) over every lab."""
    scores = [r.score for by_ex in reports.values() for r in by_ex.values()]
    return sum(scores), len(scores)


def feedback_text(student: str, labs: dict) -> str:
    """A student's feedback file: each exercise's report (:meth:`Report.render_text`)."""
    reports = _reports(labs)
    total, n = _total(reports)
    out = [f"Feedback for {student}", f"Total: {total:.2f} of {n}", ""]
    for lab, by_ex in reports.items():
        out.append(f"== {lab} ==")
        out.extend(r.render_text() for r in by_ex.values())
        out.append("")
    return "\n".join(out)


def feedback_html(student: str, labs: dict) -> str:
    """The same feedback as a web page (:meth:`Report.render_html` per exercise)."""
    reports = _reports(labs)
    total, n = _total(reports)
    name = html.escape(student)
    parts = [f"<!doctype html><meta charset='utf-8'><title>Feedback: {name}</title>",
             "<body style='font-family:sans-serif;max-width:60em'>",
             f"<h1>Feedback for {name}</h1>", f"<p><b>Total: {total:.2f} of {n}</b></p>"]
    for lab, by_ex in reports.items():
        parts.append(f"<h2>{html.escape(lab)}</h2>")
        parts.extend(r.render_html() for r in by_ex.values())
    parts.append("</body>")
    return "\n".join(parts)


def grade_folder(submissions: Path, out: Path, lab: str | None = None, workers: int | None = None,
                 timeout: float = 10.0, hidden: bool = True, force: bool = False,
                 progress: bool = True, instructor_seed: int | None = None,
                 instructor_checks: int = 4) -> dict:
    """Grade every submission; write the gradebook and feedback. Returns
    {student: {exercise id: score}}. instructor_seed: a private seed for extra
    hidden checks (instructor_checks of them per exercise; needs hidden)."""
    out = Path(out)
    students = discover(Path(submissions), lab)
    instructor = (instructor_seed if hidden else None, instructor_checks)
    settings = (timeout, hidden, *instructor)
    todo, done, digests = [], {}, {}
    for student, paths in students.items():
        digest = digests[student] = _digest(paths, settings)   # of what is graded
        result_file = out / "results" / f"{student}.json"
        if not force and result_file.exists():
            try:
                saved = json.loads(result_file.read_text(encoding="utf-8"))
                if saved.get("digest") == digest:
                    done[student] = saved["labs"]
                    continue
            except (OSError, ValueError, KeyError):
                pass
        todo.append((student, {k: str(v) for k, v in paths.items()}, timeout, hidden,
                     instructor))
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    start = time.monotonic()
    if todo:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(workers, maxtasksperchild=25) as pool:
            for k, (student, labs) in enumerate(pool.imap_unordered(_grade_student, todo), 1):
                done[student] = labs
                record = {"digest": digests[student], "labs": labs}
                write_atomic(out / "results" / f"{student}.json", json.dumps(record, indent=1))
                write_atomic(out / "feedback" / f"{student}.txt", feedback_text(student, labs))
                write_atomic(out / "feedback" / f"{student}.html", feedback_html(student, labs))
                if progress:
                    print(f"[{k}/{len(todo)}] graded {student} "
                          f"({time.monotonic() - start:.0f} s)", file=sys.stderr)
    # the gradebook: one row per student, one column per exercise, plus the total
    columns = []
    for labs in done.values():
        for reports in labs.values():
            for ex_id in reports:
                if ex_id not in columns:
                    columns.append(ex_id)
    table = {}
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["student", *columns, "total"])
    for student in sorted(done):
        scores = {ex: r["score"] for reports in done[student].values() for ex, r in reports.items()}
        table[student] = scores
        row = [round(scores.get(c, 0.0), 3) for c in columns]
        writer.writerow([student, *row, round(sum(row), 3)])
    write_atomic(out / "gradebook.csv", buf.getvalue())
    return table
