"""Time the batch grader: N synthetic submissions of lab 02 graded in one run.

    python -m course_utils.autograde.bench            # 100 submissions
    python -m course_utils.autograde.bench -n 10

Half the submissions are the solution, half carry the other update
convention (so the mistake diagnosis runs too). Prints the wall time.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from .batch import grade_folder
from .labs import SOLUTIONS
from .sandbox import MODES, resolve_mode


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--sandbox", choices=MODES, default="auto")
    args = ap.parse_args(argv)
    mode, _ = resolve_mode(args.sandbox)
    lab = json.loads((SOLUTIONS / "02_gru.ipynb").read_text(encoding="utf-8"))
    wrong = json.loads(json.dumps(lab))
    for cell in wrong["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "gru_cell":
            cell["source"] = "".join(cell["source"]).replace(
                "(1 - z) * n + z * h_prev", "z * n + (1 - z) * h_prev")
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "submissions"
        for k in range(args.n):
            folder = subs / f"student{k:03d}"
            folder.mkdir(parents=True)
            (folder / "02_gru.ipynb").write_text(json.dumps(lab if k % 2 else wrong))
        start = time.perf_counter()
        table = grade_folder(subs, Path(tmp) / "out", workers=args.workers, progress=False,
                             sandbox=args.sandbox)
        seconds = time.perf_counter() - start
    assert len(table) == args.n
    print(f"{args.n} submissions of lab 02 graded in {seconds:.1f} s "
          f"({args.workers or os.cpu_count()} workers, {os.cpu_count()} cores, "
          f"sandbox {mode})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
