"""The cell diagrams: they draw, carry the symbols the lessons use, and read cleanly
(no two texts overlap, no wire runs through a box, nothing falls off the figure)."""
from __future__ import annotations

import io
import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils import diagrams  # noqa: E402
from course_utils.diagrams import (  # noqa: E402
    gru_cell_diagram,
    lstm_cell_diagram,
    parts,
    rnn_cell_diagram,
    stack_diagram,
    symbols,
    texts,
)

GRU_SYMBOLS = {"x_t", "h_prev", "r", "z", "n", "h'", "W_ir", "W_iz", "W_in", "W_hr", "W_hz", "W_hn"}
CASES = {
    "rnn": (rnn_cell_diagram, {}, {"x_t", "h_prev", "h'", "W_ih", "W_hh"},
            {"weights": 2, "sum": 1, "tanh": 1}),
    "gru_after": (gru_cell_diagram, {}, GRU_SYMBOLS,
                  {"sigmoid": 2, "tanh": 1, "product": 3, "sum": 2, "one_minus": 1, "weights": 6}),
    "gru_before": (gru_cell_diagram, {"reset": "before"}, GRU_SYMBOLS,
                   {"sigmoid": 2, "tanh": 1, "product": 3, "sum": 2, "one_minus": 1, "weights": 6}),
    "lstm": (lstm_cell_diagram, {}, {"x_t", "h_prev", "c_prev", "c'", "h'", "i", "f", "g", "o",
                                     "a_i", "a_f", "a_g", "a_o"},
             {"sigmoid": 3, "tanh": 2, "product": 3, "sum": 1, "weights": 4}),
    "stack_bi": (stack_diagram, {}, {"x_0", "x_1", "x_2"} | {f"h_n[{k}]" for k in range(4)},
                 {"cell": 12, "state": 4, "concat": 6}),
    "stack_uni": (stack_diagram, {"num_layers": 3, "bidirectional": False, "T": 4},
                  {"x_0", "x_3"} | {f"h_n[{k}]" for k in range(3)}, {"cell": 12, "state": 3}),
}


@pytest.fixture(params=sorted(CASES))
def drawn(request):
    make, kwargs, expected_symbols, expected_parts = CASES[request.param]
    fig = make(**kwargs)
    fig.canvas.draw()                                   # the Agg renderer lays the texts out
    yield request.param, fig, expected_symbols, expected_parts
    plt.close(fig)


def test_draws_a_png(drawn):
    _, fig, _, _ = drawn
    assert isinstance(fig, Figure)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n" and len(buf.getvalue()) > 10_000


def test_carries_the_lesson_symbols_and_parts(drawn):
    name, fig, expected_symbols, expected_parts = drawn
    assert expected_symbols <= symbols(fig), expected_symbols - symbols(fig)
    on_figure = {t.get_gid() for t in texts(fig)} | {t.get_text() for t in texts(fig)}
    missing = {s for s in expected_symbols
               if s not in on_figure and diagrams._tex(s) not in on_figure}
    assert not missing, f"{name}: no text on the figure for {missing}"
    found = parts(fig)
    assert {k: found[k] for k in expected_parts} == expected_parts, (name, dict(found))


def test_no_two_texts_overlap_and_none_is_cut_off(drawn):
    name, fig, _, _ = drawn
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts(fig)]
    fig_box = fig.bbox
    for text, box in boxes:
        assert (box.x0 >= fig_box.x0 - 0.5 and box.x1 <= fig_box.x1 + 0.5
                and box.y0 >= fig_box.y0 - 0.5 and box.y1 <= fig_box.y1 + 0.5), (name, text)
    for (ta, a), (tb, b) in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), f"{name}: {ta!r} overlaps {tb!r}"


def test_no_wire_runs_through_a_box(drawn):
    name, fig, _, _ = drawn
    record = fig.course_diagram
    eps = 0.03
    for pts in record.wires:
        for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:]):
            for s in np.linspace(0.02, 0.98, 60):
                x, y = x0 + s * (x1 - x0), y0 + s * (y1 - y0)
                for kind, label, (bx0, by0, bx1, by1) in record.boxes:
                    inside = bx0 + eps < x < bx1 - eps and by0 + eps < y < by1 - eps
                    assert not inside, f"{name}: a wire {pts} runs through {kind} {label!r}"


def test_no_two_boxes_overlap(drawn):
    name, fig, _, _ = drawn
    eps = 1e-9
    for (ka, la, a), (kb, lb, b) in itertools.combinations(fig.course_diagram.boxes, 2):
        apart = (a[2] <= b[0] + eps or b[2] <= a[0] + eps or a[3] <= b[1] + eps or b[3] <= a[1] + eps)
        assert apart, f"{name}: {ka} {la!r} overlaps {kb} {lb!r}"


def test_gru_reset_flag():
    with pytest.raises(ValueError, match="reset"):
        gru_cell_diagram(reset="sideways")
    after, before = gru_cell_diagram(), gru_cell_diagram(reset="before")
    names = {fig: {label for _, label, _ in fig.course_diagram.boxes} for fig in (after, before)}
    assert "r*(W_hn h + b_hn)" in names[after] and "r*h_prev" in names[before]
    assert "W_hn" in names[before]          # its own box: W_hn needs r first
    plt.close("all")


@pytest.mark.parametrize("num_layers, bidirectional", [(2, True), (3, True), (3, False)])
def test_stack_h_n_rows_are_layer_major(num_layers, bidirectional):
    """h_n[D * layer + d]: rows go up with the layer; forward's final state right of the
    last step, backward's left of the first (it is the state after reading x_0)."""
    D = 2 if bidirectional else 1
    fig = stack_diagram(num_layers=num_layers, bidirectional=bidirectional)
    boxes = {label: xy for kind, label, xy in fig.course_diagram.boxes}
    T = sum(1 for label in boxes if label.startswith("cell l0 d0 "))
    heights = []
    for layer in range(num_layers):
        for d in range(D):
            x0, y0, x1, y1 = boxes[f"h_n[{D * layer + d}]"]
            first, last = boxes[f"cell l{layer} d{d} t0"], boxes[f"cell l{layer} d{d} t{T - 1}"]
            assert first[1] == last[1] and abs((y0 + y1) / 2 - (first[1] + first[3]) / 2) < 1e-9
            assert (x0 > last[2]) if d == 0 else (x1 < first[0])
            heights.append((y0 + y1) / 2)
    assert heights == sorted(heights) and len(set(heights)) == len(heights)
    plt.close(fig)
