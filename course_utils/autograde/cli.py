"""The command line: ``python -m course_utils.autograde SUBMISSIONS --out OUTDIR``
(see :mod:`course_utils.autograde` for the options)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .batch import grade_folder
from .labs import SOLUTIONS

__all__ = ["main"]


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
