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
import multiprocessing
import os
import stat
import sys
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ..grading import hints
from ..grading.report import Report
from . import records
from ..nbio import NotebookError, read_notebook
from .labs import SOLUTIONS, identify_lab, lab_exercises
from .sandbox import bounded_text, resolve_mode

__all__ = ["Student", "discover", "grade_folder", "feedback_text", "feedback_html",
           "gradebook_csv", "in_shard", "VERSION", "BUDGET"]

VERSION = "4"
#: seconds of wall time for one student's whole submission (every lab)
BUDGET = 900.0


@dataclass
class Student:
    """One student's submission: ``labs`` {lab: notebook path}; ``notes`` what
    the feedback says about the submission as a whole (files not graded, why)."""

    name: str
    labs: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    refused: dict = field(default_factory=dict)   # {lab: why it scores 0 ungraded}


def _first_holder(paths: list):
    """The one of ``paths`` (names of one file, hard-linked into several students'
    folders) whose owner the file is: the folder owned by the file's owner, if
    exactly one is; else the folder changed first (st_ctime, which no user can
    set back); None when that does not single one out."""
    try:
        st = [(os.lstat(p), os.lstat(p.parent)) for p in paths]
    except OSError:
        return None
    owners = [p for p, (f, d) in zip(paths, st) if d.st_uid == f.st_uid]
    if len(owners) == 1:
        return owners[0]
    times = sorted((d.st_ctime_ns, k) for k, (_, d) in enumerate(st))
    return paths[times[0][1]] if times[0][0] < times[1][0] else None


def _refuse_hard_links(found: dict) -> None:
    """A notebook that is a hard link to another student's (the same file: same
    st_dev and st_ino, st_nlink > 1) scores 0 with the reason, unless it is the
    first holder's (:func:`_first_holder`), whose grade is unchanged."""
    names: dict = {}
    for student in found.values():
        for lab_, path in student.labs.items():
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if st.st_nlink > 1 and stat.S_ISREG(st.st_mode):
                names.setdefault((st.st_dev, st.st_ino), []).append((student, lab_, path))
    for holders in names.values():
        if len({s.name for s, _, _ in holders}) < 2:
            continue
        keep = _first_holder([p for _, _, p in holders])
        for student, lab_, path in holders:
            if path != keep:
                why = hints.LINKED_NOTEBOOK.format(what="a hard link: the same file as "
                                                   "another student's notebook")
                student.refused[lab_] = why
                student.notes.append(f"{records.text_name(path.name)}: {why}")


def _lab_of(nb: Path):
    """The lab a notebook under another name is, by its cells (None if none)."""
    try:
        return identify_lab(read_notebook(nb, follow_symlinks=False))
    except NotebookError:
        return None


def _add_notebook(student: Student, folder: Path, nb: Path, labs: set, lab) -> None:
    """Give ``student`` the notebook ``nb``: by its name when that is a lab's,
    else by its cells' nbgrader metadata (``02_gru (1).ipynb``), else a note."""
    shown = records.text_name(str(nb.relative_to(folder)))
    by_name = nb.stem in labs
    name = nb.stem if by_name else _lab_of(nb)
    if not name:
        if lab is None:
            student.notes.append(f"{shown} is not graded: it is not one of the labs, by its "
                                 "name or by its cells.")
        return
    if lab is not None and name != lab:
        return
    if name in student.labs:
        student.notes.append(f"{shown} is not graded: lab {name} is already "
                             f"{records.text_name(str(student.labs[name].relative_to(folder)))}.")
        return
    student.labs[name] = nb
    if not by_name:
        student.notes.append(f"{shown} was graded as lab {name} (recognised by its cells); "
                             f"name it {name}.ipynb next time.")


def discover(folder: Path, lab: str | None = None) -> dict:
    """{student: Student} for a submissions folder (see the module doc).

    A student's folder holds the lab notebooks, or (nbgrader's exchange layout,
    ``submitted/<student>/<assignment>/<notebook>.ipynb``) folders holding
    them. Names are kept as the file system gives them (any bytes survive).
    Symbolic links and special files are refused with a reason: a student
    folder that is one gives that student a row and the reason; a notebook
    that is one scores 0 with the reason (:func:`course_utils.nbio.read_bytes`),
    and so does a hard link to another student's notebook (``Student.refused``,
    :func:`_refuse_hard_links`).
    """
    labs = {p.stem for p in SOLUTIONS.glob("*.ipynb")}
    found: dict = {}
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith("."):
            continue
        try:
            mode = os.lstat(entry).st_mode
        except OSError as exc:
            found[entry.name] = Student(entry.name, notes=[f"not graded: cannot read it "
                                                           f"({exc.strerror})"])
            continue
        if stat.S_ISDIR(mode):
            student = found.setdefault(entry.name, Student(entry.name))
            try:
                notebooks = list(entry.glob("*.ipynb")) + [
                    nb for sub in entry.iterdir()
                    if sub.is_dir() and not sub.is_symlink() and not sub.name.startswith(".")
                    for nb in sub.glob("*.ipynb")]
            except OSError as exc:
                student.notes.append(f"not graded: the folder cannot be read ({exc.strerror})")
                continue
            for nb in sorted(notebooks, key=lambda p: (p.stem not in labs, p)):  # names first
                _add_notebook(student, entry, nb, labs, lab)
        elif entry.suffix == ".ipynb" and lab is not None:
            found.setdefault(entry.stem, Student(entry.stem)).labs[lab] = entry
        elif stat.S_ISLNK(mode) and entry.is_dir():     # a link to a folder
            found[entry.name] = Student(entry.name, notes=[
                "not graded: the student's folder is a symbolic link (refused: only real "
                "folders are graded)"])
    _refuse_hard_links(found)
    return found


def _grade_student(task):
    """(student, {lab: {exercise id: report dict}}) in a worker; never raises."""
    student, paths, timeout, hidden, instructor, budget, mode, allowed = task
    from ..grading import set_instructor_checks
    from .submission import _zero, grade_notebook
    deadline = time.monotonic() + budget
    labs = {}
    for lab, p in sorted(paths.items()):
        try:
            set_instructor_checks(*instructor)
            labs[lab] = grade_notebook(Path(p), lab, timeout, hidden,
                                       budget=max(0.0, deadline - time.monotonic()),
                                       sandbox=mode, allow_course_code=lab in allowed)
        except Exception as exc:  # noqa: BLE001 - one submission never stops the batch
            why = bounded_text(f"{type(exc).__name__}: {exc}")
            labs[lab] = {i: _zero(i, f"grading failed: {why}") for i in lab_exercises(lab)}
    return student, labs


def _lost(task, why: str) -> dict:
    """The labs of a submission whose grading process died: every exercise 0."""
    from .submission import _zero
    return {lab: {i: _zero(i, why) for i in lab_exercises(lab)} for lab in sorted(task[1])}


_DIED = ("the grading process died while grading this submission (its code killed it, or "
         "the machine ran out of memory)")


def _pool_round(queue: deque, workers: int, on_done) -> list:
    """Grade the tasks of ``queue`` in a pool of ``workers`` processes, at most
    ``workers`` at a time; returns the tasks in flight when a worker died (the
    pool is then broken; the rest of ``queue`` is left for a fresh pool)."""
    ctx = multiprocessing.get_context("spawn")
    renew = {"max_tasks_per_child": 25} if sys.version_info >= (3, 11) else {}
    with ProcessPoolExecutor(workers, mp_context=ctx, **renew) as pool:
        flight = {}
        while queue or flight:
            while queue and len(flight) < workers:
                task = queue.popleft()
                flight[pool.submit(_grade_student, task)] = task
            finished, _ = wait(flight, return_when=FIRST_COMPLETED)
            for future in finished:
                task = flight.pop(future)
                try:
                    student, labs = future.result()
                except BrokenProcessPool:
                    lost = [task, *flight.values()]
                    for f in flight:
                        f.cancel()
                    return lost
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent
                    student, labs = task[0], _lost(task, f"grading failed: "
                                                         f"{bounded_text(repr(exc))}")
                on_done(student, labs)
    return []


def _grade_all(tasks: list, workers: int, on_done) -> None:
    """Grade every task; a worker that dies (killed by a learner's code, or by
    the out-of-memory killer) is replaced: the submissions it might have been
    grading are graded again one at a time, and the one that kills its worker
    alone scores 0 with the reason."""
    queue, suspects = deque(tasks), deque()
    while queue or suspects:
        if queue:
            suspects.extend(_pool_round(queue, workers, on_done))
            continue
        task = suspects.popleft()
        if _pool_round(deque([task]), 1, on_done):
            on_done(task[0], _lost(task, _DIED))


def _reports(labs: dict) -> dict:
    """{lab: {exercise id: Report}} from a results record's dicts."""
    return {lab: {ex: Report.from_dict(r) for ex, r in reports.items()}
            for lab, reports in labs.items()}


def _total(reports: dict) -> tuple:
    """(sum of the scores, number of exercises) over every lab."""
    scores = [r.score for by_ex in reports.values() for r in by_ex.values()]
    return sum(scores), len(scores)


def feedback_text(student: str, labs: dict, notes=()) -> str:
    """A student's feedback file: each exercise's report (:meth:`Report.render_text`)."""
    reports = _reports(labs)
    total, n = _total(reports)
    out = [f"Feedback for {records.text_name(student)}", f"Total: {total:.2f} of {n}", ""]
    if notes:
        out += [f"Note: {n}" for n in notes] + [""]
    for lab, by_ex in reports.items():
        out.append(f"== {lab} ==")
        out.extend(r.render_text() for r in by_ex.values())
        out.append("")
    return "\n".join(out)


def feedback_html(student: str, labs: dict, notes=()) -> str:
    """The same feedback as a web page (:meth:`Report.render_html` per exercise)."""
    reports = _reports(labs)
    total, n = _total(reports)
    name = html.escape(records.text_name(student))
    parts = [f"<!doctype html><meta charset='utf-8'><title>Feedback: {name}</title>",
             "<body style='font-family:sans-serif;max-width:60em'>",
             f"<h1>Feedback for {name}</h1>", f"<p><b>Total: {total:.2f} of {n}</b></p>"]
    parts.extend(f"<p><b>Note:</b> {html.escape(n)}</p>" for n in notes)
    for lab, by_ex in reports.items():
        parts.append(f"<h2>{html.escape(lab)}</h2>")
        parts.extend(r.render_html() for r in by_ex.values())
    parts.append("</body>")
    return "\n".join(parts)


def in_shard(student: str, k: int, n: int) -> bool:
    """True when ``student`` belongs to shard k of n (the same on every machine)."""
    h = hashlib.sha256(os.fsencode(student)).digest()
    return int.from_bytes(h[:8], "big") % n == k - 1


def _csv_text(text: str) -> str:
    """A name as a spreadsheet shows it, never as a formula: text starting with
    = + - @ (or a tab or carriage return) gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def gradebook_csv(done: dict) -> str:
    """The gradebook: one row per student (sorted), one column per exercise, the total."""
    columns = []
    for labs in done.values():
        for reports in labs.values():
            for ex_id in reports:
                if ex_id not in columns:
                    columns.append(ex_id)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["student", *columns, "total"])
    for student in sorted(done):
        scores = {ex: Report.from_dict(r).score
                  for reports in done[student].values() for ex, r in reports.items()}
        row = [round(scores.get(c, 0.0), 3) for c in columns]
        writer.writerow([_csv_text(records.text_name(student)), *row, round(sum(row), 3)])
    return buf.getvalue()


def refused(student: Student) -> dict:
    """{lab: {exercise id: report dict}} of the labs refused ungraded: every exercise 0."""
    from .submission import _zero
    return {lab_: {i: _zero(i, why) for i in lab_exercises(lab_)}
            for lab_, why in student.refused.items()}


def grade_folder(submissions: Path, out: Path, lab: str | None = None, workers: int | None = None,
                 timeout: float = 10.0, hidden: bool = True, force: bool = False,
                 progress: bool = True, instructor_seed: int | None = None,
                 instructor_checks: int = 4, budget: float = BUDGET,
                 sandbox: str = "auto", shard: tuple | None = None,
                 allow_course_code=()) -> dict:
    """Grade every submission; write the gradebook and feedback. Returns
    {student: {exercise id: score}}. instructor_seed: a private seed for extra
    hidden checks (instructor_checks of them per exercise; needs hidden).
    budget: seconds of wall time for each student's whole submission.
    sandbox: "auto", "bwrap" or "none" (:func:`~.sandbox.resolve_mode`).
    shard: (k, n) grades only shard k of n (1 <= k <= n; a fixed share of the
    students by a hash of their names) and writes no gradebook: a final run
    without ``shard`` reuses every verified record and writes it.
    allow_course_code: the labs whose functions may call the course's own
    answers (elsewhere such a function scores 0 with the reason)."""
    mode, warning = resolve_mode(sandbox)
    if warning:
        print(warning, file=sys.stderr)
    out = records.safe_folder(Path(os.path.realpath(out)))   # OUT itself may be a link
    key = records.load_key(out)
    students = discover(Path(submissions), lab)
    if shard is not None:
        k, n = shard
        if not 1 <= k <= n:
            raise ValueError(f"shard {k}/{n}: K must be between 1 and N")
        students = {s: sub for s, sub in students.items() if in_shard(s, k, n)}
    instructor = (instructor_seed if hidden else None, instructor_checks)
    allowed = tuple(sorted(allow_course_code))
    settings = (VERSION, timeout, hidden, *instructor, budget, allowed)
    todo, done, digests, graded = [], {}, {}, []
    start = time.monotonic()

    def finish(student: str, labs: dict) -> None:
        notes = students[student].notes
        labs = dict(sorted({**refused(students[student]), **labs}.items()))
        done[student] = labs
        records.safe_write(out / "results" / f"{student}.json",
                           records.make_record(key, student, digests[student], labs, notes))
        records.safe_write(out / "feedback" / f"{student}.txt",
                           feedback_text(student, labs, notes))
        records.safe_write(out / "feedback" / f"{student}.html",
                           feedback_html(student, labs, notes))
        graded.append(student)
        if progress:
            print(f"[{len(graded)}/{len(todo) or 1}] graded {records.text_name(student)} "
                  f"({time.monotonic() - start:.0f} s)", file=sys.stderr)

    for student, sub in students.items():
        digest = digests[student] = records.digest(key, sub.labs, (*settings, *sub.notes))
        expected = {lab_: lab_exercises(lab_) for lab_ in sub.labs}
        saved = None if force else records.verified_labs(
            key, out / "results" / f"{student}.json", student, digest, expected)
        if saved is not None:
            done[student] = saved[0]
        elif not set(sub.labs) - set(sub.refused):
            finish(student, {})
        else:
            todo.append((student, {k: str(v) for k, v in sub.labs.items() if k not in sub.refused},
                         timeout, hidden, instructor, budget, mode, allowed))
    if todo:
        _grade_all(todo, max(1, min(workers or os.cpu_count() or 1, len(todo))), finish)
    if shard is None:
        records.safe_write(out / "gradebook.csv", gradebook_csv(done))
    return {student: {ex: Report.from_dict(r).score for reports in labs.values()
                      for ex, r in reports.items()} for student, labs in sorted(done.items())}
