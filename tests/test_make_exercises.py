"""The solution -> exercise generator, including broken inputs."""
from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_utils.make_exercises import NotebookError, convert_notebook, main, strip_solutions

SOL = {"grade": False, "solution": True, "locked": False, "grade_id": "f", "schema_version": 3}


def _lab(src="def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n"):
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# Lab"), new_code_cell(src, metadata={"nbgrader": SOL})]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi")]
    nb.cells[1].execution_count = 3
    return nb


def test_block_becomes_stub_at_its_indentation():
    out = strip_solutions("def f(x):\n    ### BEGIN SOLUTION\n    y = x\n    return y\n"
                          "    ### END SOLUTION\n")
    assert out == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"


def test_outputs_cleared_and_metadata_kept():
    ex = convert_notebook(_lab())
    cell = ex.cells[1]
    assert "return 2 * x" not in cell.source and "raise NotImplementedError()" in cell.source
    assert cell.outputs == [] and cell.execution_count is None
    assert cell.metadata["nbgrader"] == SOL


@pytest.mark.parametrize("src, why", [
    ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n### END SOLUTION\n", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "nested"),
])
def test_broken_blocks_are_named(src, why):
    with pytest.raises(NotebookError, match=why):
        convert_notebook(_lab(src), "lab.ipynb")


def test_solution_without_nbgrader_metadata_is_refused():
    nb = _lab()
    del nb.cells[1].metadata["nbgrader"]
    with pytest.raises(NotebookError, match="metadata.nbgrader"):
        convert_notebook(nb, "lab.ipynb")


def test_broken_file_writes_nothing(tmp_path, capsys):
    sol, ex = tmp_path / "solutions", tmp_path / "exercises"
    sol.mkdir()
    nbformat.write(_lab(), sol / "01_good.ipynb")
    (sol / "02_bad.ipynb").write_text('{"cells": [', encoding="utf-8")
    code = main(["--solutions", str(sol), "--exercises", str(ex)])
    err = capsys.readouterr().err
    assert code == 2
    assert "02_bad.ipynb" in err and "not valid JSON" in err
    assert not ex.exists() or not list(ex.iterdir())


def test_writes_then_check_passes(tmp_path):
    sol, ex = tmp_path / "solutions", tmp_path / "exercises"
    sol.mkdir()
    nbformat.write(_lab(), sol / "01_good.ipynb")
    assert main(["--solutions", str(sol), "--exercises", str(ex), "--check"]) == 1
    assert main(["--solutions", str(sol), "--exercises", str(ex)]) == 0
    assert main(["--solutions", str(sol), "--exercises", str(ex), "--check"]) == 0
    written = json.loads((ex / "01_good.ipynb").read_text())
    assert "NotImplementedError" in "".join(written["cells"][1]["source"])
