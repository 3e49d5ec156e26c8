"""The command line: ``python -m course_utils.autograde SUBMISSIONS --out OUTDIR``
(see :mod:`course_utils.autograde` for the options)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..nbio import NotebookError, read_bytes
from .batch import BUDGET, grade_folder
from .labs import SOLUTIONS
from .sandbox import MODES, SandboxError, resolve_mode

__all__ = ["main"]


def _instructor_seed(args):
    """The private seed: --instructor-seed, else --instructor-seed-file, else the
    environment's COURSE_INSTRUCTOR_SEED, else None. Raises ValueError."""
    if args.instructor_seed is not None:
        print("note: a seed given on the command line can be read by other processes "
              "(ps); COURSE_INSTRUCTOR_SEED or --instructor-seed-file keep it private",
              file=sys.stderr)
        return args.instructor_seed
    if args.instructor_seed_file is not None:
        try:
            text = read_bytes(args.instructor_seed_file, 1024).decode("ascii", "replace")
        except NotebookError as exc:
            raise ValueError(f"the seed file {exc}") from None
    else:
        text = os.environ.get("COURSE_INSTRUCTOR_SEED", "")
    if not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("the instructor seed is not a whole number") from None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m course_utils.autograde",
                                 description="Grade a folder of submitted lab notebooks.")
    ap.add_argument("submissions", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--lab", help="the lab of flat submissions (e.g. 02_gru)")
    ap.add_argument("--workers", type=int, default=None, help="default: one per core")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per call of a function")
    ap.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    ap.add_argument("--no-hidden", action="store_true", help="public checks only")
    ap.add_argument("--instructor-seed", type=int, default=None,
                    help="a private seed: extra hidden checks no student has seen (visible "
                         "to other processes: prefer COURSE_INSTRUCTOR_SEED or the file)")
    ap.add_argument("--instructor-seed-file", type=Path, default=None,
                    help="a file holding the private seed")
    ap.add_argument("--sandbox", choices=MODES, default="auto",
                    help="bwrap: learner code inside bubblewrap; none: process isolation "
                         "only; auto (default): bwrap where it works, else none with a warning")
    ap.add_argument("--shard", type=_shard, default=None, metavar="K/N",
                    help="grade only shard K of N into the shared OUT (no gradebook); a "
                         "final run without --shard writes the gradebook")
    ap.add_argument("--allow-course-code", action="append", default=[], metavar="LAB",
                    help="in LAB, functions may call the course's own answers (repeatable)")
    ap.add_argument("--budget", type=float, default=BUDGET,
                    help=f"seconds of wall time for each student's whole submission "
                         f"(default {BUDGET:g})")
    ap.add_argument("--instructor-checks", type=int, default=4,
                    help="how many such checks per exercise (default 4)")
    args = ap.parse_args(argv)
    if not args.submissions.is_dir():
        print(f"error: {args.submissions} is not a folder", file=sys.stderr)
        return 2
    labs = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))
    if args.lab and args.lab not in labs:
        print(f"error: no lab called {args.lab}; the labs are: {', '.join(labs)}",
              file=sys.stderr)
        return 2
    try:
        seed = _instructor_seed(args)
        resolve_mode(args.sandbox)
    except (ValueError, SandboxError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    table = grade_folder(args.submissions, args.out, args.lab, args.workers, args.timeout,
                         not args.no_hidden, args.force, instructor_seed=seed,
                         instructor_checks=args.instructor_checks, budget=args.budget,
                         sandbox=args.sandbox, shard=args.shard,
                         allow_course_code=args.allow_course_code)
    if not any(table.values()) and args.shard is None:
        layout = (f"one notebook per student (alice.ipynb) for --lab {args.lab}" if args.lab
                  else "one folder per student holding the labs (alice/02_gru.ipynb), or "
                       "nbgrader's submitted/<student>/<assignment>/<lab>.ipynb")
        print(f"error: nothing to grade in {args.submissions}: expected {layout}",
              file=sys.stderr)
        return 1
    if args.shard is not None:
        k, n = args.shard
        print(f"shard {k}/{n}: {len(table)} students graded; run without --shard to write "
              "the gradebook")
        return 0
    print(f"{len(table)} students graded; gradebook: {args.out / 'gradebook.csv'}")
    return 0


def _shard(text: str) -> tuple:
    """"K/N" -> (K, N), 1 <= K <= N."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError("--shard takes K/N, e.g. 2/8") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError("--shard K/N needs 1 <= K <= N")
    return k, n
