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
each submission's code runs in its own child process (``course_utils.sandbox``)
with memory, CPU-time and process limits, started afresh after a time-out or
a crash. From the submission only the graded solution cells (by their
nbgrader ``grade_id``) run, after the imports, definitions and assignments of
lambdas or literals of the lab's other cells (the instructor's copy in
``solutions/``, then the submission's own); torch and the course's torch-based
modules are imported only when the learner's code first uses them. Only arrays
come back. This is process isolation, not a security sandbox.
"""
from __future__ import annotations

import argparse
import ast
import csv
import functools
import hashlib
import html
import io
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

from .nbio import NotebookError, cell_source, is_solution, nbgrader, read_notebook, write_atomic

__all__ = ["lab_exercises", "setup_code", "grade_notebook", "grade_folder", "main"]

_REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = _REPO / "solutions"
VERSION = "3"
CELL_TIMEOUT = 60.0   # seconds to run one graded cell: its imports may load torch


# ------------------------------------------------------------------ notebooks

def lab_exercises(lab: str) -> list:
    """Exercise ids graded in lab ``lab`` (e.g. "02_gru"), in notebook order."""
    from .grading import EXERCISES
    nb = read_notebook(SOLUTIONS / f"{lab}.ipynb")
    ids = []
    for cell in nb["cells"]:
        gid = nbgrader(cell).get("grade_id")
        if is_solution(cell) and gid in EXERCISES and gid not in ids:
            ids.append(gid)
    return ids


def _is_safe_value(node) -> bool:
    """A lambda or a literal (numbers, strings, tuples of them): cheap to run, no effects."""
    if isinstance(node, ast.Lambda):
        return True
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


#: defined first in the learner process: stands for a module (or a name in one)
#: that is imported on first use, so a lab's `import torch` costs nothing unless
#: the learner's code uses torch
LAZY_IMPORTS = '''
class _CourseLazy:
    def __init__(self, module, attr=None):
        object.__setattr__(self, "_where", (module, attr))

    def _target(self):
        import importlib
        module, attr = object.__getattribute__(self, "_where")
        mod = importlib.import_module(module)
        if attr is None:
            return mod
        try:
            return getattr(mod, attr)
        except AttributeError:
            return importlib.import_module(module + "." + attr)

    def __getattr__(self, name):
        return getattr(self._target(), name)

    def __call__(self, *args, **kwargs):
        return self._target()(*args, **kwargs)
'''


@functools.lru_cache(maxsize=None)
def _heavy(module: str) -> bool:
    """True for torch, and for course_utils modules that import it (followed
    through their imports of other course_utils modules) or the graders."""
    top = module.split(".")[0]
    if top == "torch":
        return True
    if top != "course_utils":
        return False
    if module.startswith("course_utils.grading"):
        return True                      # imports its units (and torch) dynamically
    path = _REPO / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = _REPO / module.replace(".", "/") / "__init__.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return True
    for node in tree.body:
        if isinstance(node, ast.Import) and any(_heavy(a.name) for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom):
            name = node.module or ""
            if node.level:                # relative: inside course_utils
                base = module.rsplit(".", node.level)[0]
                name = f"{base}.{name}" if name else base
            if _heavy(name):
                return True
    return False


def _lazy_import(node) -> str:
    """An import of a heavy module rewritten as lazy proxies ('' if it is light)."""
    if isinstance(node, ast.Import):
        lines = [f"{a.asname or a.name.split('.')[0]} = _CourseLazy("
                 f"{(a.name if a.asname else a.name.split('.')[0])!r})"
                 for a in node.names if _heavy(a.name)]
        return "\n".join(lines) if len(lines) == len(node.names) else ""
    if node.level or not _heavy(node.module or ""):
        return ""
    return "\n".join(f"{a.asname or a.name} = _CourseLazy({node.module!r}, {a.name!r})"
                     for a in node.names if a.name != "*")


def _defs_and_imports(source: str) -> str:
    """Only the top-level imports (torch and the course's torch-based modules as
    lazy proxies), function and class definitions, and assignments of lambdas or
    literals (``sig = lambda a: ...``, ``EPS = 1e-8``) of a code cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    keep = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lazy = _lazy_import(node)
            keep.append(ast.parse(lazy) if lazy else node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            keep.append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None \
                and _is_safe_value(node.value):
            keep.append(node)
    return "\n\n".join(ast.unparse(n) for n in keep)


def _warm_up_code(sources) -> str:
    """Code that resolves the lazy imports named in ``sources`` (learner code)."""
    names = set()
    for src in sources:
        try:
            names |= {n.id for n in ast.walk(ast.parse(src))
                      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        except SyntaxError:
            continue
    return (f"for _name in {sorted(names)!r}:\n"
            "    if isinstance(globals().get(_name), _CourseLazy):\n"
            "        globals()[_name]._target()\n")


def setup_code(nb: dict) -> str:
    """Imports and helper functions from the non-graded code cells of ``nb``
    (run after :data:`LAZY_IMPORTS`)."""
    parts = []
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code" and not nbgrader(cell):
            code = _defs_and_imports(cell_source(cell))
            if code:
                parts.append(code)
    return "\n\n".join(parts)


def _solution_cells(nb: dict, ids) -> dict:
    """{exercise id: source of its solution cell}; a duplicated cell: the last one."""
    found = {}
    for cell in nb["cells"]:
        nbg = nbgrader(cell)
        if cell.get("cell_type") == "code" and is_solution(cell) and nbg.get("grade_id") in ids:
            found[nbg["grade_id"]] = cell_source(cell)
    return found


# ------------------------------------------------------------------ grading

def _zero(ex_id: str, reason: str) -> dict:
    return {"exercise": ex_id, "passed": False, "score": 0.0, "diagnosis": "",
            "checks": [{"name": "submission", "passed": False, "message": reason,
                        "hint": "", "hidden": False}]}


def grade_notebook(path: Path, lab: str, timeout: float = 10.0, hidden: bool = True,
                   memory_mb: int = 3072) -> dict:
    """{exercise id: report dict} for one submitted notebook; never raises."""
    from .grading import EXERCISES, grade
    from .sandbox import Sandbox, SandboxError

    ids = lab_exercises(lab)
    try:
        nb = read_notebook(path)
    except NotebookError as exc:
        return {i: _zero(i, f"could not read {Path(path).name}: {exc.reason}") for i in ids}
    cells = _solution_cells(nb, ids)
    own_setup = setup_code(nb)
    prelude = "\n\n".join((LAZY_IMPORTS, setup_code(read_notebook(SOLUTIONS / f"{lab}.ipynb")),
                            own_setup))
    warm_up = _warm_up_code(list(cells.values()) + [own_setup])
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


# ------------------------------------------------------------------ a folder

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
    from .grading import set_instructor_checks
    set_instructor_checks(*instructor)
    labs = {lab: grade_notebook(Path(p), lab, timeout, hidden) for lab, p in sorted(paths.items())}
    return student, labs


def _feedback_text(student: str, labs: dict) -> str:
    out = [f"Feedback for {student}", ""]
    for lab, reports in labs.items():
        out.append(f"== {lab} ==")
        for ex_id, r in reports.items():
            n = len(r["checks"])
            k = sum(c["passed"] for c in r["checks"])
            out.append(f"{ex_id}: {k} of {n} checks passed (score {r['score']:.2f})")
            if r["diagnosis"]:
                out.append(f"  Most likely: {r['diagnosis']}")
            for c in r["checks"]:
                if not c["passed"] and not c["message"].startswith("not run:"):
                    hint = f" Hint: {c['hint']}" if c["hint"] and c["hint"] != r["diagnosis"] else ""
                    out.append(f"  - {c['name']}: {c['message']}{hint}")
        out.append("")
    return "\n".join(out)


def _feedback_html(student: str, labs: dict) -> str:
    from .grading.core import html_text
    parts = [f"<!doctype html><meta charset='utf-8'><title>Feedback: {html.escape(student)}</title>",
             "<body style='font-family:sans-serif;max-width:60em'>",
             f"<h1>Feedback for {html.escape(student)}</h1>"]
    for lab, reports in labs.items():
        parts.append(f"<h2>{html.escape(lab)}</h2>")
        for ex_id, r in reports.items():
            ok = r["passed"]
            colour = "#1a7f37" if ok else "#b42318"
            parts.append(f"<h3 style='color:{colour}'>{html.escape(ex_id)}: score {r['score']:.2f}</h3>")
            if r["diagnosis"]:
                parts.append(f"<p><b>Most likely:</b> {html_text(r['diagnosis'])}</p>")
            items = [c for c in r["checks"] if not c["passed"] and not c["message"].startswith("not run:")]
            if items:
                parts.append("<ul>")
                for c in items:
                    hint = c["hint"] if c["hint"] != r["diagnosis"] else ""
                    parts.append(f"<li><b>{html.escape(c['name'])}</b>: {html_text(c['message'])}"
                                 + (f"<br><i>Hint:</i> {html_text(hint)}" if hint else "") + "</li>")
                parts.append("</ul>")
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
                write_atomic(out / "feedback" / f"{student}.txt", _feedback_text(student, labs))
                write_atomic(out / "feedback" / f"{student}.html", _feedback_html(student, labs))
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Grade a folder of submitted lab notebooks.")
    ap.add_argument("submissions", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--lab", help="the lab of flat submissions (e.g. 02_gru)")
    ap.add_argument("--workers", type=int, default=None, help="default: one per core")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per call of a function")
    ap.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    ap.add_argument("--no-hidden", action="store_true", help="public checks only")
    ap.add_argument("--instructor-seed", type=int, default=None,
                    help="a private seed: extra hidden checks no student has seen")
    ap.add_argument("--instructor-checks", type=int, default=4,
                    help="how many such checks per exercise (default 4)")
    args = ap.parse_args(argv)
    if not args.submissions.is_dir():
        print(f"error: {args.submissions} is not a folder", file=sys.stderr)
        return 2
    if args.lab and not (SOLUTIONS / f"{args.lab}.ipynb").exists():
        print(f"error: no lab called {args.lab} in {SOLUTIONS}", file=sys.stderr)
        return 2
    table = grade_folder(args.submissions, args.out, args.lab, args.workers, args.timeout,
                         not args.no_hidden, args.force, instructor_seed=args.instructor_seed,
                         instructor_checks=args.instructor_checks)
    print(f"{len(table)} students graded; gradebook: {args.out / 'gradebook.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
