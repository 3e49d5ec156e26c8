"""The shared notebook I/O: reading with clear errors, nbgrader accessors, atomic writes."""
from __future__ import annotations

import json
import os

import pytest

from course_utils import nbio
from course_utils.nbio import NotebookError, read_notebook, write_atomic

NB = {"cells": [{"cell_type": "code", "source": ["x = 1\n", "y = 2"],
                 "metadata": {"nbgrader": {"solution": True, "grade_id": "f"}}}],
      "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(NB).encode("utf-8"))
    assert read_notebook(path) == NB


@pytest.mark.parametrize("data, why", [
    (b'{"cells": [', "not valid JSON (line 1"),
    (b'{"cells": [', "not valid notebook JSON"),
    (b"\xff\xfe{}", "not text (UTF-8)"),
    (b'{"metadata": {}}', "no list of cells"),
    (b'{"cells": [3]}', "cell 0 is not an object"),
    (b"[]", "not a notebook"),
])
def test_broken_file_is_named_with_the_reason(tmp_path, data, why):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(data)
    with pytest.raises(NotebookError, match="broken.ipynb") as info:
        read_notebook(path)
    assert why in str(info.value) and why in info.value.reason
    assert info.value.path == str(path)


def test_missing_and_oversized_files(tmp_path):
    with pytest.raises(NotebookError, match="missing.ipynb: cannot read"):
        read_notebook(tmp_path / "missing.ipynb")
    path = tmp_path / "big.ipynb"
    path.write_text(json.dumps(NB), encoding="utf-8")
    with pytest.raises(NotebookError, match="larger than"):
        read_notebook(path, max_bytes=10)


def test_nbgrader_accessors():
    cell = NB["cells"][0]
    assert nbio.cell_source(cell) == "x = 1\ny = 2"
    assert nbio.nbgrader(cell)["grade_id"] == "f" and nbio.is_solution(cell)
    for odd in ({}, {"metadata": None}, {"metadata": {"nbgrader": "yes"}}):
        assert nbio.nbgrader(odd) == {} and not nbio.is_solution(odd)


def test_write_atomic_writes_exact_text(tmp_path):
    path = tmp_path / "deep" / "out.csv"
    write_atomic(path, "a,b\r\nä,1\r\n")
    assert path.read_bytes() == "a,b\r\nä,1\r\n".encode("utf-8")
    assert os.listdir(path.parent) == ["out.csv"]


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "gradebook.csv"
    path.write_text("old\n", encoding="utf-8")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nbio.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space"):
        write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["gradebook.csv"]


def test_unencodable_text_leaves_the_old_file(tmp_path):
    path = tmp_path / "feedback.txt"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "half a surrogate: \ud800")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["feedback.txt"]
