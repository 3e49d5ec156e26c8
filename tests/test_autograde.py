"""Batch grading of submitted labs: correct, partial, hostile and broken
submissions graded in one run; the gradebook values; inputs never modified."""
from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from course_utils import autograde
from course_utils.autograde import labs

REPO = Path(__file__).resolve().parent.parent
LAB = REPO / "solutions" / "02_gru.ipynb"


def _lab():
    return json.loads(LAB.read_text(encoding="utf-8"))


def _cell(nb, grade_id):
    return next(c for c in nb["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def _edit(nb, grade_id, old, new):
    cell = _cell(nb, grade_id)
    src = "".join(cell["source"])
    assert old in src, (grade_id, old)
    cell["source"] = src.replace(old, new)
    return nb


def _prepend(nb, grade_id, code):
    cell = _cell(nb, grade_id)
    cell["source"] = code + "\n" + "".join(cell["source"])
    return nb


BODY = "h_next = (1 - z) * n + z * h_prev"

SUBMISSIONS = {
    # student: (notebook or raw text, expected gru_cell score, expected gru_forward score)
    "alice_correct": (lambda: _lab(), 1.0, 1.0),
    "bob_stub": (lambda: json.loads((REPO / "exercises" / "02_gru.ipynb").read_text()), 0.0, 0.0),
    "carol_convention": (lambda: _edit(_lab(), "gru_cell", BODY,
                                       "h_next = z * n + (1 - z) * h_prev"), 0.0, 0.0),
    "eve_monkeypatch": (lambda: _prepend(_lab(), "gru_cell",
                                         "import course_utils.grading as g\n"
                                         "g.grade = lambda *a, **k: None\nprint('passed')\n"),
                        1.0, 1.0),
    "frank_exit": (lambda: _edit(_lab(), "gru_cell", BODY, "import os; os._exit(0)"), 0.0, 0.0),
    "grace_fork": (lambda: _edit(_lab(), "gru_forward", "h = h0\n", "h = h0\n    import os; os.fork()\n"),
                   1.0, 0.0),
    "heidi_memory": (lambda: _edit(_lab(), "gru_cell", BODY,
                                   "big = np.ones((10**6, 10**6)); " + BODY), 0.0, 0.0),
    "ivan_loop": (lambda: _edit(_lab(), "gru_cell", BODY, "while True: pass"), 0.0, 0.0),
    "judy_json": ('{"cells": [ {"cell_type": "code", ', 0.0, 0.0),
    "ken_deleted": (lambda: {**_lab(), "cells": [c for c in _lab()["cells"] if c.get(
        "metadata", {}).get("nbgrader", {}).get("grade_id") != "gru_forward"]}, 1.0, 0.0),
    "leo_duplicated": (lambda: _dup(), 1.0, 1.0),
    # helpers in a cell the student added: a lambda and a constant
    "nina_helper_cell": (lambda: _helper_cell(), 1.0, 1.0),
    # torch used inside a graded function, imported only in the lab's first cell
    "olga_torch_inside": (lambda: _edit(_lab(), "gru_cell", BODY,
                                        "h_next = torch.from_numpy((1 - z) * n + z * h_prev)"
                                        ".numpy()"), 1.0, 1.0),
    # a graded cell whose top level is slower than one call's time limit (a heavy import)
    "mia_slow_import": (lambda: _prepend(_lab(), "gru_cell", "import time; time.sleep(3)\n"),
                        1.0, 1.0),
    # an error on a line of the learner's cell: the feedback quotes that line
    "pat_error": (lambda: _edit(_lab(), "gru_cell", "gi = x @ W_ih.T + b_ih",
                                "gi = x @ W_ih.T + b_ih.no_such_field"), 0.0, 0.0),
}


def _helper_cell():
    nb = _edit(_lab(), "gru_cell", BODY, "h_next = ONE * ((1 - z) * n + z * h_prev)")
    nb = _edit(nb, "gru_cell", "r = sigmoid(", "r = sig(")
    k = nb["cells"].index(_cell(nb, "gru_cell"))
    nb["cells"].insert(k, {"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None,
                           "source": "sig = lambda a: 0.5 * (1 + np.tanh(0.5 * a))\nONE = 1.0\n"
                                     "print(sig(0.0))   # not kept: a call with effects\n"})
    return nb


def _dup():
    nb = _lab()
    k = nb["cells"].index(_cell(nb, "gru_cell"))
    wrong = json.loads(json.dumps(nb["cells"][k]))
    wrong["source"] = "".join(wrong["source"]).replace(BODY, "h_next = n")
    nb["cells"].insert(k, wrong)          # a wrong copy first, the right one last
    return nb


def _digest(folder):
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    subs = root / "submissions"
    for student, (make, _, _) in SUBMISSIONS.items():
        folder = subs / student
        folder.mkdir(parents=True)
        content = make if isinstance(make, str) else json.dumps(make())
        (folder / "02_gru.ipynb").write_text(content, encoding="utf-8")
    before = _digest(subs)
    out = root / "out"
    table = autograde.grade_folder(subs, out, workers=2, timeout=2.0, progress=False)
    return subs, out, table, before


def test_every_submission_gets_the_score_its_functions_earn(graded):
    _, out, table, _ = graded
    for student, (_, cell_score, forward_score) in SUBMISSIONS.items():
        assert table[student]["gru_cell"] == cell_score, (student, table[student])
        assert table[student]["gru_forward"] == forward_score, (student, table[student])


def test_gradebook_csv(graded):
    _, out, _, _ = graded
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    assert [r["student"] for r in rows] == sorted(SUBMISSIONS)
    for r in rows:
        _, a, b = SUBMISSIONS[r["student"]]
        assert float(r["gru_cell"]) == a and float(r["gru_forward"]) == b
        assert float(r["total"]) == a + b


def test_inputs_are_never_modified(graded):
    subs, _, _, before = graded
    assert _digest(subs) == before


def test_feedback_says_why_without_the_solution(graded):
    _, out, _, _ = graded
    text = {s: (out / "feedback" / f"{s}.txt").read_text() for s in SUBMISSIONS}
    assert "other way round" in text["carol_convention"]
    assert "not valid notebook JSON" in text["judy_json"]
    assert "missing" in text["ken_deleted"]
    assert "did not return within 2 s" in text["ivan_loop"]
    assert "ended" in text["frank_exit"]
    assert "not allowed" in text["grace_fork"]
    assert "MemoryError" in text["heidi_memory"]
    assert "NotImplementedError" in text["bob_stub"]
    html = (out / "feedback" / "carol_convention.html").read_text()
    assert "course-report" in html and "Most likely" in html and "Total: 0.00 of 2" in html
    solution_line = "(1 - z) * n + z * h_prev"
    # only where the learner's own line is quoted (heidi's, which holds it)
    assert all(solution_line not in t for s, t in text.items() if s != "heidi_memory")
    assert "MemoryError" in text["heidi_memory"] and "at `big = np.ones(" in text["heidi_memory"]
    # hidden checks say only their kind, never their shapes
    assert "hidden check" in text["carol_convention"] and "H=9" not in text["carol_convention"]


def test_rerun_skips_unchanged_and_force_regrades(graded, capsys):
    subs, out, table, _ = graded
    stamp = (out / "results" / "alice_correct.json").stat().st_mtime_ns
    again = autograde.grade_folder(subs, out, workers=1, timeout=2.0, progress=True)
    assert again == table
    assert "graded" not in capsys.readouterr().err             # nothing regraded
    assert (out / "results" / "alice_correct.json").stat().st_mtime_ns == stamp


def test_flat_layout_with_lab_and_cli_errors(tmp_path, capsys):
    subs = tmp_path / "flat"
    subs.mkdir()
    shutil.copy(LAB, subs / "zoe.ipynb")
    assert autograde.main([str(subs), "--out", str(tmp_path / "o"), "--lab", "02_gru",
                           "--workers", "1", "--no-hidden"]) == 0
    rows = list(csv.DictReader((tmp_path / "o" / "gradebook.csv").open()))
    assert rows[0]["student"] == "zoe" and float(rows[0]["total"]) == 2.0
    assert autograde.main([str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert autograde.main([str(subs), "--out", str(tmp_path / "o"), "--lab", "99_x"]) == 2


def test_instructor_seed_adds_checks_and_a_new_seed_regrades(tmp_path, capsys):
    subs = tmp_path / "flat"
    subs.mkdir()
    shutil.copy(LAB, subs / "zoe.ipynb")
    (subs / "carl.ipynb").write_text(json.dumps(SUBMISSIONS["carol_convention"][0]()))
    out = tmp_path / "o"

    def checks(seed):
        assert autograde.main([str(subs), "--out", str(out), "--lab", "02_gru",
                               "--workers", "1", "--instructor-seed", str(seed),
                               "--instructor-checks", "3"]) == 0
        record = json.loads((out / "results" / "zoe.json").read_text())
        return record, list(csv.DictReader((out / "gradebook.csv").open()))

    plain = autograde.grade_folder(subs, tmp_path / "plain", "02_gru", workers=1,
                                   progress=False)
    plain_n = len(json.loads((tmp_path / "plain" / "results" / "zoe.json").read_text())
                  ["labs"]["02_gru"]["gru_cell"]["checks"])
    record, rows = checks(4242)
    assert len(record["labs"]["02_gru"]["gru_cell"]["checks"]) == plain_n + 3
    assert {r["student"]: float(r["total"]) for r in rows} == {"zoe": 2.0, "carl": 0.0}
    assert plain == {"zoe": {"gru_cell": 1.0, "gru_forward": 1.0},
                     "carl": {"gru_cell": 0.0, "gru_forward": 0.0}}
    capsys.readouterr()
    checks(4242)
    assert "graded" not in capsys.readouterr().err               # same seed: skipped
    checks(4243)
    assert "graded zoe" in capsys.readouterr().err               # new seed: graded anew


def test_every_lab_solution_earns_full_marks(tmp_path):
    """Each lab's own imports (course_utils helpers, torch) and argument types
    (nested parameter lists, a bool) work in the learner process."""
    subs = tmp_path / "subs" / "sam"
    subs.mkdir(parents=True)
    for lab in sorted((REPO / "solutions").glob("*.ipynb")):
        shutil.copy(lab, subs / lab.name)
    table = autograde.grade_folder(tmp_path / "subs", tmp_path / "out", workers=2,
                                   progress=False)
    assert len(table["sam"]) == 16
    record = json.loads((tmp_path / "out" / "results" / "sam.json").read_text())
    failed = {ex: [c["name"] + ": " + c["message"] for c in r["checks"] if not c["passed"]]
              for reports in record["labs"].values() for ex, r in reports.items()
              if r["score"] < 1.0}
    assert not failed, failed


def test_nested_arguments_travel_and_modifications_come_back():
    import numpy as np
    from course_utils.autograde.sandbox import Sandbox
    box = Sandbox()
    try:
        box.execute("def f(X, params, flag):\n"
                    "    params[1][0][0] += 1.0\n"
                    "    return X.sum() + params[0][1].sum(), flag is True, len(params)\n")
        params = [(np.zeros(2), np.ones(3)), [np.zeros(1)]]
        total, flag, n = box.function("f")(np.arange(4.0), params, True)
        assert float(total) == 9.0 and flag is True and n == 2
        assert params[1][0][0] == 1.0           # the in-place change is seen by the grader
    finally:
        box.kill()


def test_a_layer_on_a_wrong_cell_gets_the_notebooks_diagnosis(graded):
    """The layer is graded again with the course's cell in the learner process
    (the proxy's ``with_course_versions``): the same words as in the notebook."""
    from course_utils.grading import EXERCISES, hints
    from course_utils.grading.run import run_exercise
    _, out, _, _ = graded
    record = json.loads((out / "results" / "carol_convention.json").read_text())
    autograded = record["labs"]["02_gru"]["gru_forward"]["diagnosis"]
    nb = SUBMISSIONS["carol_convention"][0]()
    namespace = {}
    exec(labs.LAZY_IMPORTS + labs.setup_code(nb), namespace)
    for code in labs.solution_cells(nb, ["gru_cell", "gru_forward"]).values():
        exec(code, namespace)
    in_notebook = run_exercise(EXERCISES["gru_forward"], namespace["gru_forward"]).diagnosis
    right = hints.LAYER_RIGHT.format(id="`gru_forward`", cell="`gru_cell`")
    assert in_notebook.startswith(right) and autograded == in_notebook
    # the learner's namespace is left as it was: the cell is still the learner's own
    text = (out / "feedback" / "carol_convention.txt").read_text()
    assert "other way round" in text


def test_the_learners_line_is_quoted_and_no_frame_of_ours(graded):
    _, out, _, _ = graded
    text = (out / "feedback" / "pat_error.txt").read_text()
    assert "(in gru_cell, at `gi = x @ W_ih.T + b_ih.no_such_field  " in text
    for feedback in (out / "feedback").glob("*.txt"):
        body = feedback.read_text()
        assert "_learner_exception" not in body and "in proxy" not in body, feedback.name
        assert "sandbox.py" not in body and "autograde/" not in body, feedback.name


def test_course_versions_are_bound_for_one_call_only():
    import numpy as np
    from course_utils.autograde.sandbox import Sandbox
    box = Sandbox()
    try:
        box.execute("def sigmoid(a):\n    return a * 0\n"
                    "def layer(a):\n    return sigmoid(a)\n")
        layer = box.function("layer")
        sub, names = layer.with_course_versions({"sigmoid": "course_utils.reference:sigmoid",
                                                 "absent": "course_utils.reference:gru_cell"})
        assert names == ["sigmoid"]
        assert float(sub(np.zeros(1))[0]) == 0.5 and float(layer(np.zeros(1))[0]) == 0.0
        assert box.execute("x = 1\ny = x[0]\n", "<cell demo>") == \
            "TypeError: 'int' object is not subscriptable (in <module>, at `y = x[0]`)"
        box.execute("from course_utils.reference import sigmoid\n")
        assert layer.with_course_versions({"sigmoid": "course_utils.reference:sigmoid"}) \
            == (None, [])
    finally:
        box.kill()


def test_lab_imports_are_kept_and_torch_is_lazy():
    code = labs.defs_and_imports(
        "import numpy as np\nimport torch\nfrom course_utils.grading import check\n"
        "from course_utils.reference import sigmoid\nprint('not kept')\n")
    assert "import numpy as np" in code and "from course_utils.reference import sigmoid" in code
    assert "torch = _CourseLazy('torch')" in code
    assert "check = _CourseLazy('course_utils.grading', 'check')" in code
    assert "print" not in code
    # torch is imported before grading only when the learner's code uses it
    assert "'torch'" not in labs.warm_up_code([code, "def f(a):\n    return np.tanh(a)"])
    assert "'torch'" in labs.warm_up_code([code, "def f(a):\n    return torch.tanh(a)"])


def test_protocol_carries_numbers_only():
    import numpy as np
    from course_utils.autograde.sandbox import pack, unpack
    frame = pack({"op": "x"}, [np.arange(3.0), np.ones((2, 2), np.float32)])
    n_head = int.from_bytes(frame[:8], "big")
    header, arrays = unpack(frame[16:16 + n_head], frame[16 + n_head:])
    assert header["op"] == "x" and arrays[1].dtype == np.float32
    with pytest.raises(TypeError):
        pack({}, [np.array([object()])])
    with pytest.raises(ValueError):
        unpack(json.dumps({"arrays": [["|O", [1]]]}).encode(), b"12345678")


def test_benchmark_script_runs_small(capsys):
    from course_utils import autograde_bench
    assert autograde_bench.main(["-n", "2", "--workers", "1"]) == 0
    assert "2 submissions of lab 02 graded" in capsys.readouterr().out


def test_unreadable_submission_scores_zero_with_the_reason(tmp_path):
    bad = tmp_path / "mallory.ipynb"
    bad.write_bytes(b"\xff\xfe" + json.dumps(_lab()).encode("utf-16-le"))
    for path, why in ((bad, "could not read mallory.ipynb: the file is not text (UTF-8)"),
                      (tmp_path / "nobody.ipynb", "could not read nobody.ipynb: cannot read")):
        reports = autograde.grade_notebook(path, "02_gru", timeout=2.0)
        assert set(reports) == set(autograde.lab_exercises("02_gru"))
        for r in reports.values():
            assert r["score"] == 0.0 and r["checks"][0]["message"].startswith(why)
            assert str(tmp_path) not in r["checks"][0]["message"]   # the name, not the path


def test_submission_with_a_byte_order_mark_is_graded(tmp_path):
    path = tmp_path / "olivia.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + LAB.read_bytes())
    reports = autograde.grade_notebook(path, "02_gru", timeout=5.0)
    assert reports and all(r["passed"] for r in reports.values()), reports


def test_nbgrader_exchange_layout_and_labs_under_other_names(tmp_path):
    subs = tmp_path / "submitted"
    (subs / "alice" / "ps1").mkdir(parents=True)
    shutil.copy(LAB, subs / "alice" / "ps1" / "02_gru.ipynb")        # nbgrader collect
    (subs / "bob").mkdir()
    shutil.copy(LAB, subs / "bob" / "02_gru (1).ipynb")              # saved twice
    (subs / "bob" / "scratch.ipynb").write_text(json.dumps({"cells": []}))
    table = autograde.grade_folder(subs, tmp_path / "out", workers=1, progress=False)
    assert table == {"alice": {"gru_cell": 1.0, "gru_forward": 1.0},
                     "bob": {"gru_cell": 1.0, "gru_forward": 1.0}}
    text = (tmp_path / "out" / "feedback" / "bob.txt").read_text()
    assert "02_gru (1).ipynb was graded as lab 02_gru (recognised by its cells)" in text
    assert "scratch.ipynb is not graded" in text


def test_nothing_to_grade_and_an_unknown_lab_say_so(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert autograde.main([str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 1
    assert "nothing to grade" in capsys.readouterr().err
    assert autograde.main([str(tmp_path / "empty"), "--out", str(tmp_path / "o"),
                           "--lab", "02_gur"]) == 2
    assert "the labs are: 01_rnn, 02_gru" in capsys.readouterr().err


def test_shards_then_a_final_run_give_the_one_run_gradebook(tmp_path, capsys):
    subs, out = tmp_path / "flat", tmp_path / "out"
    subs.mkdir()
    stub = REPO / "exercises" / "02_gru.ipynb"
    names = {"ann": LAB, "ben": stub, "cat": LAB, "dan": stub}
    for name, nb in names.items():
        shutil.copy(nb, subs / f"{name}.ipynb")
    shards = [{s for s in names if autograde.batch.in_shard(s, k, 3)} for k in (1, 2, 3)]
    assert set().union(*shards) == set(names) and sum(map(len, shards)) == len(names)
    for k in (1, 2, 3):
        assert autograde.main([str(subs), "--out", str(out), "--lab", "02_gru", "--workers",
                               "1", "--no-hidden", "--shard", f"{k}/3"]) == 0
    assert not (out / "gradebook.csv").exists()
    capsys.readouterr()
    assert autograde.main([str(subs), "--out", str(out), "--lab", "02_gru", "--workers", "1",
                           "--no-hidden"]) == 0
    assert "graded" not in capsys.readouterr().err              # every record reused
    rows = {r["student"]: float(r["total"]) for r in csv.DictReader((out / "gradebook.csv").open())}
    assert rows == {"ann": 2.0, "ben": 0.0, "cat": 2.0, "dan": 0.0}
