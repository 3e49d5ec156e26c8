"""The generated learner notebooks: up to date, and runnable up to the first stub."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course_utils import make_exercises

REPO = Path(__file__).resolve().parent.parent
EXERCISES = sorted((REPO / "exercises").glob("*.ipynb"))


def test_exercises_are_up_to_date(capsys):
    code = make_exercises.main(["--check"])
    assert code == 0, "exercises/ is stale: run `python -m course_utils.make_exercises`\n" \
        + capsys.readouterr().out


def test_every_lab_has_an_exercise():
    labs = {p.name for p in (REPO / "solutions").glob("*.ipynb")}
    assert labs, "no lab in solutions/"
    assert labs == {p.name for p in EXERCISES}


@pytest.mark.parametrize("path", EXERCISES, ids=[p.name for p in EXERCISES])
def test_exercise_runs_all_with_the_stubs(path, tmp_path, monkeypatch):
    """Run All on the learner's notebook never stops: no cell raises (the grader
    cells report the stubs, the comparison cells say what to do instead of
    raising), and every comparison cell names the function that is not written yet."""
    monkeypatch.delenv("COURSE_STRICT", raising=False)     # the kernel: as a learner has it
    nb = nbformat.read(path, as_version=4)
    first_stub = next(i for i, c in enumerate(nb.cells)
                      if "raise NotImplementedError()" in c.source and c.cell_type == "code")
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [(i, o) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    for i, err in errors:
        pytest.fail(f"cell {i} raised {err.ename}: {err.evalue} (Run All stops there)")
    guarded = [c for c in nb.cells[first_stub:] if c.cell_type == "code"
               and "with comparing(" in c.source
               and "cuda.is_available()" not in c.source]    # GPU cells: skipped on a CPU
    assert guarded, "no comparison cell after the first stub"
    for c in guarded:
        text = "".join(o.get("text", "") for o in c.outputs if o.output_type == "stream")
        assert "is not written yet" in text, c.source[:200]
    # the grader cells ran and reported the stub in words, without raising
    def reports(questions):
        return [o.data["text/plain"] for c in nb.cells if c.cell_type == "code"
                and "check(" in c.source and ('check("q' in c.source) == questions
                for o in c.outputs if o.output_type == "display_data"]
    assert reports(False), "no grader report shown"
    assert all("NotImplementedError" in text for text in reports(False))
    # the questions are left unanswered (`...`) and say so
    assert reports(True) and all("not answered yet" in text for text in reports(True))
