"""Generate the learner notebooks ``exercises/`` from ``solutions/``.

    python -m course_utils.make_exercises            # write exercises/
    python -m course_utils.make_exercises --check    # exit 1 if any is out of date

Every code cell of a solution notebook that holds a ``### BEGIN SOLUTION`` /
``### END SOLUTION`` block must carry ``metadata.nbgrader`` with
``solution: true`` (the markers nbgrader users know). In the exercise the
block becomes ``# YOUR CODE HERE`` + ``raise NotImplementedError()`` at the
block's indentation; a markdown cell's block becomes ``YOUR ANSWER HERE``. A
line ``name = value  ### ANSWER`` (a lab question's answer) becomes
``name = ...  # your answer``, so that Run All goes on.
Outputs and execution counts are cleared.

All notebooks are read and checked first; if any is broken, the command
says which file and why and writes nothing. Files are written atomically.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

import nbformat

from . import nbio
from .nbio import NotebookError

__all__ = ["strip_solutions", "convert_notebook", "main", "NotebookError"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
ANSWER = re.compile(r"^(\s*)([A-Za-z_]\w*)\s*=.*###\s*ANSWER\s*$")
_REPO = Path(__file__).resolve().parent.parent


def strip_solutions(source: str, cell_type: str = "code", where: str = "") -> str:
    """Replace every BEGIN/END SOLUTION block of one cell's source.

    Raises NotebookError for an unclosed, unopened or nested block.
    """
    lines = source.split("\n")
    out, inside, indent = [], False, ""
    for k, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            if inside:
                raise NotebookError(f"{where}line {k}: nested '{BEGIN}'")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            if cell_type == "code":
                out.append(f"{indent}# YOUR CODE HERE")
                out.append(f"{indent}raise NotImplementedError()")
            else:
                out.append("YOUR ANSWER HERE")
            continue
        if stripped.startswith(END):
            if not inside:
                raise NotebookError(f"{where}line {k}: '{END}' without '{BEGIN}'")
            inside = False
            continue
        answer = ANSWER.match(line) if cell_type == "code" and not inside else None
        if answer:
            out.append(f"{answer.group(1)}{answer.group(2)} = ...  # your answer")
        elif not inside:
            out.append(line)
    if inside:
        raise NotebookError(f"{where}'{BEGIN}' is never closed by '{END}'")
    return "\n".join(out)


def convert_notebook(nb, name: str = "notebook"):
    """A new notebook: the exercise version of solution notebook ``nb``."""
    ex = copy.deepcopy(nb)
    n_blocks = 0
    for i, cell in enumerate(ex.cells):
        src = cell.get("source", "")
        has_block = BEGIN in src or END in src
        if has_block:
            if not nbio.is_solution(cell):
                raise NotebookError(
                    f"{name}: cell {i} has a solution block but no metadata.nbgrader "
                    f"with solution: true")
            n_blocks += 1
        if has_block or cell.cell_type == "code":      # code cells: also ### ANSWER lines
            cell["source"] = strip_solutions(src, cell.cell_type, f"{name}: cell {i}: ")
        if cell.cell_type == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    if n_blocks == 0:
        raise NotebookError(f"{name}: no '{BEGIN}' block: a lab needs at least one")
    ex.metadata.pop("widgets", None)
    return ex


def _read(path: Path):
    data = nbio.read_notebook(path)
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)   # as nbformat reads a file
        nbformat.validate(nb)
    except Exception as exc:  # noqa: BLE001 - any validation problem, said plainly
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NotebookError(path, f"not a valid notebook ({first})") from None
    return nb


def _render(nb) -> str:
    return nbformat.writes(nb) + "\n"


def build_all(src_dir: Path, dst_dir: Path) -> dict:
    """{destination path: text} for every solution notebook; raises on any error."""
    sources = sorted(src_dir.glob("*.ipynb"))
    if not sources:
        raise NotebookError(f"{src_dir}: no notebooks found")
    result, errors = {}, []
    for path in sources:
        try:
            result[dst_dir / path.name] = _render(convert_notebook(_read(path), str(path)))
        except NotebookError as exc:
            errors.append(str(exc))
    if errors:
        raise NotebookError("\n".join(errors))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--solutions", type=Path, default=_REPO / "solutions")
    parser.add_argument("--exercises", type=Path, default=_REPO / "exercises")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if an exercise is missing or out of date")
    args = parser.parse_args(argv)
    try:
        outputs = build_all(args.solutions, args.exercises)
    except NotebookError as exc:
        print(f"error: nothing written.\n{exc}", file=sys.stderr)
        return 2
    stale = [p for p, text in outputs.items()
             if not p.exists() or p.read_bytes() != text.encode("utf-8")]
    extra = sorted(set(args.exercises.glob("*.ipynb")) - set(outputs))
    if args.check:
        for p in stale:
            print(f"out of date: {p} (run: python -m course_utils.make_exercises)")
        for p in extra:
            print(f"no solution notebook for: {p}")
        return 1 if stale or extra else 0
    for p in stale:
        nbio.write_atomic(p, outputs[p])
        print(f"wrote {p}")
    for p in extra:
        print(f"warning: {p} has no solution notebook (left alone)")
    if not stale:
        print("exercises/ is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
