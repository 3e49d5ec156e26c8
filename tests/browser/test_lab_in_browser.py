"""What a learner sees in JupyterLab: math, plots, widgets that respond, grader reports."""
from __future__ import annotations

import json

import pytest

from .conftest import open_and_run, screenshot

pytestmark = pytest.mark.browser


def _slider_output_changes(page, name, slider_index=0):
    """Move the slider_index-th slider with the keyboard; True if the plot image changed."""
    widget_img = page.locator(".jupyter-widgets img, .widget-output img")
    before = widget_img.first.get_attribute("src")
    handle = page.locator(".widget-slider .noUi-handle").nth(slider_index)
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(4):
        handle.press("ArrowRight")
    page.wait_for_timeout(2500)
    screenshot(page, name)
    after = widget_img.first.get_attribute("src")
    return before != after


def _diagram_images(page, call):
    """[naturalWidth, naturalHeight, complete] of each image shown by a code cell whose
    source contains `call` (a course_utils.diagrams function)."""
    cells = page.locator(".jp-CodeCell", has_text=call)
    sizes = []
    for k in range(cells.count()):
        for img in cells.nth(k).locator(".jp-RenderedImage img").all():
            sizes.append(img.evaluate("i => [i.naturalWidth, i.naturalHeight, i.complete]"))
    return sizes


def _assert_diagrams_render(page, calls, name):
    """Every diagram call shows one decoded image of a sensible size; screenshot the first."""
    for call, count in calls.items():
        sizes = _diagram_images(page, call)
        assert len(sizes) == count, (call, sizes)
        assert all(done and w >= 600 and h >= 250 for w, h, done in sizes), (call, sizes)
    first = page.locator(".jp-CodeCell", has_text=next(iter(calls))).first
    first.locator(".jp-RenderedImage img").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, name)


def test_gru_lesson_math_plots_and_gate_explorer(lab_server, page):
    base, token, _ = lab_server
    open_and_run(page, base, token, "notebooks/02_gru.ipynb")
    assert page.locator("mjx-container").count() > 5, "LaTeX was not rendered"
    assert page.locator(".jp-RenderedImage img").count() >= 2, "plots missing"
    sliders = page.locator(".widget-slider")
    assert sliders.count() >= 2
    labels = page.locator(".widget-slider .widget-label").all_text_contents()
    assert "z (update)" in labels and "r (reset)" in labels
    screenshot(page, "02_gru_before")
    assert _slider_output_changes(page, "02_gru_after_slider", 0)
    _assert_diagrams_render(page, {"gru_cell_diagram()": 1, 'gru_cell_diagram(reset="before")': 1},
                            "02_gru_diagram")


@pytest.mark.parametrize("notebook, labels, diagram", [
    ("notebooks/01_rnn.ipynb", ["spectral radius", "input scale"], "rnn_cell_diagram()"),
    ("notebooks/03_lstm.ipynb", ["f (forget)", "i (input)", "o (output)"], "lstm_cell_diagram()"),
])
def test_other_widget_lessons(lab_server, page, notebook, labels, diagram):
    base, token, _ = lab_server
    open_and_run(page, base, token, notebook)
    assert page.locator("mjx-container").count() > 3
    assert page.locator(".jp-RenderedImage img").count() >= 1
    seen = page.locator(".widget-slider .widget-label").all_text_contents()
    assert all(label in seen for label in labels), seen
    name = notebook.split("/")[-1].replace(".ipynb", "")
    assert _slider_output_changes(page, f"{name}_after_slider", 0)
    _assert_diagrams_render(page, {diagram: 1}, f"{name}_diagram")


@pytest.mark.parametrize("notebook, call", [
    ("notebooks/05_deep_bidirectional.ipynb", "stack_diagram("),
    ("notebooks/08_variants.ipynb", 'gru_cell_diagram(reset="before")'),
])
def test_diagram_lessons(lab_server, page, notebook, call):
    """The lessons whose only figure of their kind is a cell diagram: it renders."""
    base, token, _ = lab_server
    open_and_run(page, base, token, notebook, timeout_s=240)
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']",
                        has_text="Traceback").count() == 0
    _assert_diagrams_render(page, {call: 1}, notebook.split("/")[-1].replace(".ipynb", "_diagram"))


def test_grader_reports_red_then_green(lab_server, page):
    base, token, served = lab_server
    lab = json.loads((served / "solutions" / "02_gru.ipynb").read_text())
    for cell in lab["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "gru_cell":
            src = "".join(cell["source"])
            cell["source"] = src.replace("(1 - z) * n + z * h_prev", "z * n + (1 - z) * h_prev")
    (served / "solutions" / "02_gru_wrong.ipynb").write_text(json.dumps(lab))
    open_and_run(page, base, token, "solutions/02_gru_wrong.ipynb")
    red = page.locator('.course-report[data-passed="false"]').first
    red.wait_for(state="attached", timeout=30_000)
    red.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    assert "other way round" in red.text_content()
    assert red.is_visible()
    screenshot(page, "02_gru_lab_red")
    open_and_run(page, base, token, "solutions/02_gru.ipynb")
    assert page.locator('.course-report[data-passed="true"]').count() >= 2
    assert page.locator('.course-report[data-passed="false"]').count() == 0
    page.locator('.course-report[data-passed="true"]').first.scroll_into_view_if_needed()
    screenshot(page, "02_gru_lab_green")


def test_temperature_widget_resamples(lab_server, page):
    base, token, _ = lab_server
    open_and_run(page, base, token, "notebooks/10_char_language_model.ipynb", timeout_s=240)
    label = page.locator(".widget-slider .widget-label", has_text="temperature")
    assert label.count() == 1
    sample = page.locator(".widget-output pre, .jupyter-widgets-output-area pre").first
    sample.wait_for(state="attached", timeout=30_000)
    before = sample.text_content()
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(6):
        handle.press("ArrowLeft")
    page.wait_for_timeout(3000)
    after = page.locator(".widget-output pre, .jupyter-widgets-output-area pre").first.text_content()
    screenshot(page, "10_temperature_after_slider")
    assert before.startswith("And God said") and after.startswith("And God said")
    assert after != before


def test_make_lab_opens_the_orientation_notebook(browser, tmp_path):
    """The README's start command: the Makefile's LAB_ARGS, served from a copy of the repo."""
    import re
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request

    from .conftest import REPO, _free_port

    args = re.search(r"^LAB_ARGS := (.+)$", (REPO / "Makefile").read_text(), re.M).group(1).split()
    copy = tmp_path / "course"
    for folder in ("notebooks", "solutions", "exercises"):
        shutil.copytree(REPO / folder, copy / folder)
    port, token = _free_port(), "t0k3n"
    env = {**__import__("os").environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", *args, "--no-browser",
                             "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.token={token}",
                             "--allow-root"], cwd=copy, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(180):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{base}/?token={token}")
        tab = page.locator(".lm-TabBar-tabLabel", has_text="00_orientation.ipynb")
        tab.first.wait_for(timeout=60_000)
        page.locator("h1", has_text="00 — Orientation").first.wait_for(timeout=60_000)
        screenshot(page, "make_lab_landing")
        context.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
