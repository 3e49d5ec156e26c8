"""The grading report: its dict round trip, its one text and one HTML rendering
(with a public-only switch), and hints said once per group of checks."""
from __future__ import annotations

import json

import pytest

from course_utils.grading.report import CheckResult, Report

HINT = "Look at how the update gate mixes the candidate and the previous state."
DIAG = "The update gate is used the other way round."


def _report(**kw):
    checks = [
        CheckResult("float64, B=3", True),
        CheckResult("batch of one", False, "`h_next` has wrong values.", HINT),
        CheckResult("x = 0", False, "`h_next` has the wrong shape (3, 4).", ""),
        CheckResult("hidden check", False, "a hidden check of values failed.", "", hidden=True),
        CheckResult("float32", False, "not run: the function is not written yet.", "",
                    skipped=True),
        CheckResult("saturating", False, "not run: the function is not written yet.", "",
                    hidden=True, skipped=True),
    ]
    return Report("gru_cell", checks, **kw)


def test_dict_round_trip_is_exact_and_json_ready():
    report = _report(diagnosis=DIAG)
    d = json.loads(json.dumps(report.to_dict()))
    back = Report.from_dict(d)
    assert back == report
    assert [vars(c) for c in back.checks] == [vars(c) for c in report.checks]
    assert d["score"] == report.score and d["passed"] is False
    assert Report.from_dict(Report("x").to_dict()) == Report("x")


def test_from_dict_reads_old_records_and_refuses_others():
    old = {"exercise": "gru_cell", "diagnosis": "", "score": 1.0,
           "checks": [{"name": "a", "passed": False, "message": "m", "hint": "", "hidden": False}]}
    assert Report.from_dict(old).checks == [CheckResult("a", False, "m")]
    for bad in (None, [], {"checks": "x"}, {"checks": [1]},
                {"checks": [{"name": "a", "passed": 1}]},
                {"checks": [{"name": ["a"], "passed": True}]},
                {"checks": [], "diagnosis": 3}):
        with pytest.raises(ValueError):
            Report.from_dict(bad)


def test_text_and_html_say_the_same_things():
    report = _report(diagnosis=DIAG)
    text, page = report.render_text(), report.render_html()
    assert str(report) == text and report._repr_html_() == page
    assert text.splitlines()[0] == "FAILED  gru_cell: 1 of 6 checks passed (score 0.17)."
    for words in ("Most likely", "batch of one", "hidden check", "2 more checks"):
        assert words in text and words in page
    assert text.count(DIAG) == 1 and page.count(DIAG) == 1
    assert "<code>h_next</code>" in page and "`" not in page


def test_public_only_leaves_the_hidden_checks_out():
    report = _report()
    text, page = report.render_text(public_only=True), report.render_html(public_only=True)
    assert "1 of 4 public checks passed" in text and "1 of 4 public checks passed" in page
    assert "hidden" not in text and "hidden" not in page
    assert "1 more checks: not run" in text
    everything_passed = Report("e", [CheckResult("a", True), CheckResult("h", False, hidden=True)])
    assert everything_passed.render_text(public_only=True).startswith("PASSED")
    assert everything_passed.render_text().startswith("FAILED")


def test_catalogue_case_nine_failures_of_one_cause_show_the_hint_once():
    """Nine failed checks with one hint (one cause): text and HTML say the hint
    once, for the group; the plain feedback keeps one line per failed check."""
    names = [f"case {k}" for k in range(9)]
    report = Report("gru_forward", [CheckResult(n, False, f"wrong values in `H` ({n}).", HINT)
                                    for n in names])
    text, page = report.render_text(), report.render_html()
    assert text.count(HINT) == 1 and page.count(HINT) == 1
    assert all(n in text and n in page for n in names)
    assert "checks case 0, case 1, case 2" in text and "case 7 and case 8" in text
    assert len(report.feedback.splitlines()) == 9          # the grading API's contract
    # when the hint is the diagnosis it is shown once, at the top, and not repeated
    diagnosed = Report("gru_forward", report.checks, diagnosis=HINT)
    text, page = diagnosed.render_text(), diagnosed.render_html()
    assert text.count(HINT) == 1 and page.count(HINT) == 1
    assert text.splitlines()[1] == "Most likely: " + HINT


def test_same_message_without_a_hint_is_said_once_with_the_count():
    report = Report("e", [CheckResult("hidden check", False, "a hidden check of values failed.",
                                      hidden=True) for _ in range(3)])
    text = report.render_text()
    assert "hidden check (x3): a hidden check of values failed." in text
    assert text.count("a hidden check of values failed") == 1


def test_groups_keep_report_order_and_separate_hints():
    other = "Check the shapes."
    report = Report("e", [CheckResult("a", False, "m1", HINT), CheckResult("b", False, "m2", other),
                          CheckResult("c", False, "m3", HINT)])
    groups = report.groups()
    assert [[c.name for c in g] for g, _ in groups] == [["a", "c"], ["b"]]
    text = report.render_text()
    assert text.count(HINT) == 1 and text.count(other) == 1
    assert text.index("a: m1") < text.index("c: m3") < text.index(other)
