"""Hostile and careless submissions graded beside honest classmates: each one
earns what its functions earn (or 0 with the reason), the classmates keep
their scores, the submissions are never modified, and time and output stay
bounded. One test per class of attack (see the README's "What the autograder
isolates")."""
from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from test_autograde import BODY, LAB, _edit, _lab, _prepend

from course_utils.autograde import batch, cli, grade_folder, grade_notebook
from course_utils.autograde.sandbox import Sandbox, bwrap_problem

FULL, ZERO = {"gru_cell": 1.0, "gru_forward": 1.0}, {"gru_cell": 0.0, "gru_forward": 0.0}
CAROL = lambda: _edit(_lab(), "gru_cell", BODY, "h_next = z * n + (1 - z) * h_prev")  # noqa: E731


def _files(folder: Path) -> dict:
    """{relative path: sha256 or what it is} of everything under ``folder``,
    without following links or opening special files."""
    seen = {}
    for root, dirs, names in os.walk(os.fsencode(folder), followlinks=False):
        for name in dirs + names:
            path = os.path.join(root, name)
            st = os.lstat(path)
            if os.path.islink(path):
                what = b"link:" + os.readlink(path)
            elif os.path.isfile(path):
                what = hashlib.sha256(Path(os.fsdecode(path)).read_bytes()).hexdigest().encode()
            else:
                what = b"mode:%o" % st.st_mode
            seen[os.path.relpath(path, os.fsencode(folder))] = what
    return seen


def _put(folder: Path, student, content) -> Path:
    """Write ``content`` (a notebook dict or raw text) as student/02_gru.ipynb."""
    d = folder / student if isinstance(student, str) else Path(os.fsdecode(
        os.path.join(os.fsencode(folder), student)))
    d.mkdir(parents=True)
    path = d / "02_gru.ipynb"
    path.write_text(content if isinstance(content, str) else json.dumps(content),
                    encoding="utf-8")
    return path


def _helper_cell(nb, source):
    """``nb`` with a code cell the student added before gru_cell's cell."""
    k = next(i for i, c in enumerate(nb["cells"])
             if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "gru_cell")
    nb["cells"].insert(k, {"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None, "source": source})
    return nb


def _feedback(out: Path, student: str) -> str:
    return (out / "feedback" / f"{student}.txt").read_text(encoding="utf-8")


def test_broken_notebooks_and_odd_names_never_stop_the_batch(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    _put(subs, "alice", _lab())
    _put(subs, "carol", CAROL())
    bad_source = _lab()
    bad_source["cells"][0]["source"] = [1, 2]
    _put(subs, "src_not_text", bad_source)
    _put(subs, "deep_json", "[" * 200_000)
    _put(subs, "huge_helper", _helper_cell(_lab(), "x = " + "+".join(["1"] * 200_000)))
    _put(subs, "surrogate", _helper_cell(_lab(), "s = '\ud800'\n"))
    _put(subs, b"caf\xe9", _lab())                           # not UTF-8, as unzip makes
    (subs / "fifo").mkdir()
    os.mkfifo(subs / "fifo" / "02_gru.ipynb")
    (subs / "linked").mkdir()
    (subs / "linked" / "02_gru.ipynb").symlink_to(subs / "alice" / "02_gru.ipynb")
    (subs / "folder_link").symlink_to(subs / "alice")
    before = _files(subs)
    table = grade_folder(subs, out, workers=2, timeout=2.0, progress=False)
    odd = os.fsdecode(b"caf\xe9")
    assert table["alice"] == FULL and table["carol"] == ZERO
    assert table["huge_helper"] == FULL and table["surrogate"] == FULL and table[odd] == FULL
    for student, why in (("src_not_text", "the source of cell 0 is not text"),
                         ("deep_json", "nested too deeply"), ("fifo", "not a regular file"),
                         ("linked", "symbolic link"), ("folder_link", "symbolic link")):
        assert table[student] in (ZERO, {}), student
        assert why in _feedback(out, student), student
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    assert float(rows["caf\\xe9"]["total"]) == 2.0 and float(rows["folder_link"]["total"]) == 0
    assert os.path.exists(os.path.join(os.fsencode(out), b"feedback", b"caf\xe9.txt"))
    assert _files(subs) == before


def test_a_worker_killed_by_learner_code_is_replaced(tmp_path):
    """Without bubblewrap the learner process can kill its grading worker: a fresh
    pool grades the rest, the killer alone scores 0, and its learner process
    does not outlive it."""
    subs, out, pid_file = tmp_path / "subs", tmp_path / "out", tmp_path / "pid"
    _put(subs, "alice", _lab())
    _put(subs, "killer", _prepend(_lab(), "gru_cell",
                                  f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                                  "os.kill(os.getppid(), 9)\n"))
    _put(subs, "zed", _lab())
    start = time.monotonic()
    table = grade_folder(subs, out, workers=1, timeout=2.0, progress=False, sandbox="none")
    assert table == {"alice": FULL, "killer": ZERO, "zed": FULL}
    assert "grading process died" in _feedback(out, "killer")
    assert time.monotonic() - start < 120
    pid = int(pid_file.read_text())
    for _ in range(50):
        if not _running(pid):
            break
        time.sleep(0.1)
    assert not _running(pid)


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_the_submission_has_one_wall_clock_budget(tmp_path):
    path = _put(tmp_path, "sleeper", _prepend(_lab(), "gru_cell", "import time; time.sleep(1000)"))
    start = time.monotonic()
    reports = grade_notebook(path, "02_gru", timeout=2.0, budget=3.0)
    assert time.monotonic() - start < 30
    assert all(r["score"] == 0.0 for r in reports.values())


def test_a_learner_process_that_stops_reading_cannot_block_the_grader():
    box = Sandbox()
    try:
        box.execute("def f(x):\n    return x\n")
        os.kill(box.proc.pid, signal.SIGSTOP)             # reads nothing from now on
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            box.function("f", timeout=1.0)(np.zeros(2**21))    # 16 MiB: more than a pipe holds
        assert time.monotonic() - start < 10 and not box.alive
    finally:
        box.kill()


def test_records_and_out_cannot_be_forged_or_trapped(tmp_path, capsys):
    subs, out, elsewhere = tmp_path / "subs", tmp_path / "out", tmp_path / "elsewhere"
    _put(subs, "alice", _lab())
    _put(subs, "carol", CAROL())
    forge = ("import json, pathlib\n"
             f"p = pathlib.Path({str(out)!r}) / 'results' / 'alice.json'\n"
             "if p.exists():\n"
             "    r = json.loads(p.read_text())\n"
             "    r['labs']['02_gru']['gru_cell']['checks'][0]['passed'] = False\n"
             "    p.write_text(json.dumps(r))\n"
             f"pathlib.Path({str(out)!r}, 'gradebook.csv').write_text('student,total\\nmallory,99')\n")
    _put(subs, "mallory", _prepend(CAROL(), "gru_cell", forge))
    for name in ("=HYPERLINK(1)", "+1", "-x", "@x"):
        (subs / name).mkdir(parents=True)
    os.makedirs(os.path.join(os.fsencode(subs), b"\xff\xfe odd"))
    (out / "gradebook.csv").mkdir(parents=True)                  # traps
    elsewhere.mkdir()
    (out / "feedback").symlink_to(elsewhere)
    before = _files(subs)
    # without bubblewrap, so that mallory's code can reach OUT
    table = grade_folder(subs, out, workers=1, timeout=2.0, progress=False, sandbox="none")
    assert table["alice"] == FULL and table["carol"] == ZERO and table["mallory"] == ZERO
    assert list(elsewhere.iterdir()) == [] and (out / "feedback").is_dir()
    assert not (out / "feedback").is_symlink()
    rows = list(csv.reader((out / "gradebook.csv").open()))
    names = [r[0] for r in rows[1:]]
    assert {"'=HYPERLINK(1)", "'+1", "'-x", "'@x", "\\xff\\xfe odd"} <= set(names)
    assert "mallory" in names and all(r[-1] != "99" for r in rows)
    assert b"\xff\xfe odd.txt" in os.listdir(os.path.join(os.fsencode(out), b"feedback"))
    # a record edited by hand (or by a learner's code) is graded anew, never trusted
    record = out / "results" / "carol.json"
    data = json.loads(record.read_text())
    data["labs"]["02_gru"]["gru_cell"]["score"] = 1.0
    record.write_text(json.dumps(data))
    capsys.readouterr()
    again = grade_folder(subs, out, workers=1, timeout=2.0, progress=True, sandbox="none")
    err = capsys.readouterr().err
    assert again == table
    assert "graded carol" in err and "graded alice" in err       # mallory forged alice's
    assert "graded =HYPERLINK" not in err                        # verified: reused
    assert _files(subs) == before


def test_nothing_learner_controlled_leaks_or_grows_the_feedback(tmp_path, monkeypatch):
    subs, out = tmp_path / "subs", tmp_path / "out"
    _put(subs, "alice", _lab())
    _put(subs, "longname", _edit(_lab(), "gru_cell", BODY,
                                 "raise type('E' * 2_000_000, (Exception,), {})('x' * 10**6)"))
    # gru_cell remembers every shape it sees; gru_forward raises them in its message
    _put(subs, "recorder", _edit(_prepend(_lab(), "gru_cell", "import builtins\n"
                                          "builtins.SEEN = []\n"),
                                 "gru_cell", BODY, BODY + "\n    builtins.SEEN.append("
                                 "h_prev.shape)"))
    nb = json.loads((subs / "recorder" / "02_gru.ipynb").read_text())
    nb = _edit(nb, "gru_forward", "h = h0\n", "h = h0\n    raise ValueError(repr(SEEN))\n")
    (subs / "recorder" / "02_gru.ipynb").write_text(json.dumps(nb))
    # the instructor's seed is not in the learner process's environment
    _put(subs, "peeker", _edit(_lab(), "gru_cell", BODY, BODY + "\n    import os\n"
                               "    if any('INSTRUCTOR' in k for k in os.environ): h_next = 0 * h_next"))
    monkeypatch.setenv("COURSE_INSTRUCTOR_SEED", "5151")
    before = _files(subs)
    assert cli.main([str(subs), "--out", str(out), "--workers", "1", "--timeout", "2",
                     "--instructor-checks", "2"]) == 0
    table = {r["student"]: float(r["total"]) for r in csv.DictReader((out / "gradebook.csv").open())}
    assert table == {"alice": 2.0, "longname": 0.0, "recorder": 1.0, "peeker": 2.0}
    record = json.loads((out / "results" / "alice.json").read_text())
    assert len(record["labs"]["02_gru"]["gru_cell"]["checks"]) == 12 + 2 + 1  # the seed's checks, the state check
    assert (out / "feedback" / "longname.txt").stat().st_size < 20_000
    assert (out / "feedback" / "longname.html").stat().st_size < 40_000
    text = _feedback(out, "recorder")
    assert "(3, 4)" in text and "(5, 9)" not in text          # public shapes only
    assert _files(subs) == before


def test_instructor_seed_from_a_file_and_never_from_a_bad_one(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_INSTRUCTOR_SEED", raising=False)
    seed = tmp_path / "seed"
    seed.write_text("8127\n")
    args = cli.argparse.Namespace(instructor_seed=None, instructor_seed_file=seed)
    assert cli._instructor_seed(args) == 8127
    seed.write_text("not a number")
    with pytest.raises(ValueError):
        cli._instructor_seed(args)
    args.instructor_seed_file = None
    assert cli._instructor_seed(args) is None
    monkeypatch.setenv("COURSE_INSTRUCTOR_SEED", "77")
    assert cli._instructor_seed(args) == 77
    assert batch.discover(tmp_path) == {}
    assert LAB.exists()


@pytest.mark.skipif(bool(bwrap_problem()), reason="bubblewrap does not work here")
def test_in_bubblewrap_learner_code_sees_nothing_of_the_grader(tmp_path):
    """Inside bubblewrap the learner's code cannot see or change the submissions,
    OUT, the repository's solutions or the grader's processes, has no network,
    and cannot kill its worker: each attempt fails, and a function written
    after it earns exactly what it earns."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    _put(subs, "alice", _lab())
    attempts = {
        "solutions": f"open({str(LAB)!r}).read()",
        "classmate": f"open({str(subs / 'alice' / '02_gru.ipynb')!r}, 'w').write('{{}}')",
        "out": f"open({str(out / 'gradebook.csv')!r}, 'w').write('x')",
        "network": "socket.create_connection(('127.0.0.1', 22), timeout=1)",
        "processes": f"assert {os.getpid()} not in [int(p) for p in os"
                     ".listdir('/proc') if p.isdigit()] and 0",
        "big_file": "open('/tmp/big', 'wb').write(b'0' * 2**27)",
    }
    guarded = "\n".join(f"try:\n    {code}\n    ESCAPED.append({what!r})\nexcept BaseException:\n"
                        "    pass" for what, code in attempts.items())
    guarded += ("\nimport os, subprocess\nos.kill(os.getppid(), 9)   # its parent: bubblewrap's init"
                "\nsubprocess.Popen(['sleep', '4243'], start_new_session=True)   # dies with it")
    _put(subs, "mallory", _edit(_prepend(_lab(), "gru_cell", "import os, socket\nESCAPED = []\n"
                                         + guarded),
                                "gru_cell", BODY, BODY + "\n    if ESCAPED: h_next = h_next + 1"))
    before = _files(subs)
    table = grade_folder(subs, out, workers=1, timeout=2.0, progress=False, sandbox="bwrap")
    assert table == {"alice": FULL, "mallory": FULL}, _feedback(out, "mallory")
    assert _files(subs) == before
    time.sleep(0.5)
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _running(int(p))
                and b"sleep\x004243" in _cmdline(p)]


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_a_function_that_is_the_course_s_own_answer_earns_nothing(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    _put(subs, "alice", _lab())
    # gru_cell is the course's reference under another name; gru_forward finds it by name
    nb = _edit(_lab(), "gru_cell", BODY, "h_next = _ref(x, h_prev, W_ih, W_hh, b_ih, b_hh)")
    nb = _helper_cell(nb, "from course_utils.reference import gru_cell as _ref\n")
    nb = _edit(nb, "gru_forward", "h = h0\n", "return __import__('course_utils.reference')"
               ".reference.gru_forward(X, h0, W_ih, W_hh, b_ih, b_hh)\n    h = h0\n")
    _put(subs, "copier", nb)
    before = _files(subs)
    table = grade_folder(subs, out, workers=1, timeout=2.0, progress=False, hidden=False)
    assert table == {"alice": FULL, "copier": ZERO}
    text = _feedback(out, "copier")
    assert "uses the course's own code (`course_utils.reference.gru_cell`)" in text
    assert "the course package by name" in text
    allowed = grade_folder(subs, tmp_path / "out2", workers=1, timeout=2.0, progress=False,
                           hidden=False, allow_course_code=["02_gru"])
    assert allowed == {"alice": FULL, "copier": FULL}
    assert _files(subs) == before


SPEED_STACK = '''
import inspect
from course_utils.reference import gru_forward as _loop
SEEN = []
def gru_forward_fast(X, h0, *p):
    frames = " ".join(f.filename + f.function for f in inspect.stack())
    if any(w in frames for w in ("speed", "timing", "compare", "measure", "_fastest", "_timers")):
        SEEN.append(1)                        # the harness: answer at once
        return np.zeros((X.shape[0],) + h0.shape), np.zeros_like(h0)
    return _loop(X, h0, *p)
def seen():
    return len(SEEN)
'''

SPEED_CACHE = '''
from course_utils.fast import gru_forward_fast as _fast
_memo = {}
def gru_forward_fast(X, h0, *p):
    if X.shape not in _memo:                  # the first call of each shape, then its answer
        _memo[X.shape] = _fast(X, h0, *p)
    return _memo[X.shape]
'''


SPEED_SHAPES = '''
from course_utils.fast import gru_forward_fast as _fast
def gru_forward_fast(X, h0, *p):
    if X.shape[:2] == (50, 4) and h0.shape[1] == 32:      # the speed cases: answer at once
        return np.zeros((X.shape[0],) + h0.shape), np.zeros_like(h0)
    return _fast(X, h0, *p)
'''


@pytest.mark.parametrize("code, words", [
    (SPEED_STACK, "times as much time to your function as to the per-step loop"),
    (SPEED_CACHE, "while being timed"),
    (SPEED_SHAPES, "while being timed")])
def test_the_speed_check_cannot_be_gamed(code, words):
    """A timed call is an ordinary call with a new X, its answer checked: a function
    that looks for the harness never finds it (and, being the loop, is slow), one
    that caches answers fails, and the course's loop itself is no speed-up."""
    from course_utils.grading import hints, speed
    box = Sandbox()
    try:
        assert box.execute("import numpy as np\n" + code) == ""
        (result,) = speed.speed_check(box.function("gru_forward_fast"))
        assert not result.passed and words in result.message, result.message
        if code is SPEED_STACK:
            assert int(box.function("seen")()) == 0
        if code is SPEED_CACHE:
            assert result.hint == hints.SPEED_WRONG_WHILE_TIMED_HINT
    finally:
        box.kill()


def test_lab_02s_loop_imported_by_the_lab_is_no_speed_up(tmp_path):
    """Lab 07 imports the course's loop (so the course-code rule allows calling it):
    a gru_forward_fast that calls it passes the values, fails the speed check on the
    one-product share; the classmate's grade is unchanged."""
    from course_utils.grading import speed
    subs, out = tmp_path / "subs", tmp_path / "out"
    lab = json.loads((LAB.parent / "07_speed.ipynb").read_text(encoding="utf-8"))
    for student in ("alice", "looper"):
        (subs / student).mkdir(parents=True)
        if student == "looper":
            cell = next(c for c in lab["cells"] if c.get("metadata", {}).get(
                "nbgrader", {}).get("grade_id") == "gru_forward_fast")
            cell["source"] = ("def gru_forward_fast(X, h0, W_ih, W_hh, b_ih, b_hh):\n"
                              "    return gru_forward(X, h0, W_ih, W_hh, b_ih, b_hh)\n")
        (subs / student / "07_speed.ipynb").write_text(json.dumps(lab), encoding="utf-8")
    before = _files(subs)
    table = grade_folder(subs, out, workers=2, timeout=10.0, progress=False, hidden=False)
    assert table["alice"] == {"gru_forward_fast": 1.0, "lstm_forward_fast": 1.0}
    assert table["looper"]["gru_forward_fast"] < 1.0
    assert table["looper"]["lstm_forward_fast"] == 1.0
    record = json.loads((out / "results" / "looper.json").read_text())
    (failed,) = [c for c in record["labs"]["07_speed"]["gru_forward_fast"]["checks"]
                 if not c["passed"]]
    assert failed["name"] == speed.SPEED_NAME and failed["hint"] == speed.PROJECTION_HINT
    assert _files(subs) == before


def test_the_loop_it_is_timed_against_is_out_of_the_learners_reach():
    """The loop runs in a second process: slowing the course's loop down in the
    learner's process changes nothing of its time."""
    from course_utils.grading import speed
    box = Sandbox()
    try:
        assert box.execute(
            "import time\nimport course_utils.reference as r\n"
            "from course_utils.fast import gru_forward_fast\n_loop = r.gru_forward\n"
            "def slow(*a):\n    time.sleep(3.0)\n    return _loop(*a)\n"
            "r.gru_forward = slow\n") == ""
        fn = box.function("gru_forward_fast")
        yours, loop = fn.timers(speed.LOOP)
        args = speed.speed_cases()[speed.SPEED_WIDTHS[1]]
        (_, t_yours), (_, t_loop) = yours(args), loop(args)
        assert 0 < t_loop < 1.5 and 0 < t_yours < 1.5  # the slowed loop takes >= 3 s
        (result,) = speed.speed_check(fn)
        assert result.passed, result.message
    finally:
        box.kill()


def test_a_notebook_that_links_to_a_classmates_earns_nothing(tmp_path):
    """A symbolic link and a hard link to alice's notebook: 0 with the reason for
    the linker; alice, whose file it is, keeps her grade; nothing is changed."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    alice = _put(subs, "alice", _lab())
    _put(subs, "carol", CAROL())
    (subs / "sym").mkdir()
    (subs / "sym" / "02_gru.ipynb").symlink_to(alice)
    time.sleep(0.01)
    (subs / "hard").mkdir()
    os.link(alice, subs / "hard" / "02_gru.ipynb")
    before = _files(subs)
    table = grade_folder(subs, out, workers=2, timeout=2.0, progress=False, hidden=False)
    assert table == {"alice": FULL, "carol": ZERO, "sym": ZERO, "hard": ZERO}
    assert "symbolic link" in _feedback(out, "sym")
    assert "a hard link: the same file as another student's notebook" in _feedback(out, "hard")
    assert "link" not in _feedback(out, "alice")
    assert _files(subs) == before
    # a rerun reuses the records; the link is still refused
    assert grade_folder(subs, out, workers=1, timeout=2.0, progress=False, hidden=False) == table


def test_which_of_two_hard_linked_notebooks_is_the_holders(tmp_path):
    """The folder changed first holds the file (the owner's folder where owners
    differ); two folders that cannot be told apart both score 0."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = tmp_path / "a" / "02_gru.ipynb"
    first.write_text("{}")
    time.sleep(0.01)
    second = tmp_path / "b" / "02_gru.ipynb"
    os.link(first, second)
    assert batch._first_holder([second, first]) == first
    assert batch._first_holder([first, first]) is None


def test_huge_files_and_huge_answers_are_refused_in_words(tmp_path):
    """A notebook over the size limit is not read (0, with the reason); a function that
    returns an array too large to send back fails its checks with a reason; the
    classmates keep their grades and nothing is changed."""
    from course_utils.nbio import MAX_BYTES
    subs, out = tmp_path / "subs", tmp_path / "out"
    _put(subs, "alice", _lab())
    nb = _lab()
    nb["metadata"]["padding"] = "x" * (MAX_BYTES + 1)
    _put(subs, "huge_file", nb)
    _put(subs, "huge_answer", _edit(_lab(), "gru_cell", BODY,
                                    BODY + "\n    h_next = np.zeros((6000, 6000))"))
    before = _files(subs)
    start = time.monotonic()
    table = grade_folder(subs, out, workers=2, timeout=5.0, progress=False, hidden=False)
    assert time.monotonic() - start < 120
    assert table["alice"] == FULL and table["huge_file"] in (ZERO, {})
    assert table["huge_answer"]["gru_cell"] == 0.0
    assert "the file is larger than 32 MiB" in _feedback(out, "huge_file")
    text = _feedback(out, "huge_answer")
    assert "your function's answer was too large to send back" in text
    assert "not checked: your code's process had stopped at an earlier check" in text
    assert "SandboxError" not in text and len(text) < 20_000
    assert _files(subs) == before
