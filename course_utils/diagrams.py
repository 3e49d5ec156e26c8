"""Cell diagrams of the lessons, drawn from code with matplotlib patches.

Every function returns a matplotlib Figure (made with pyplot, so a notebook
shows it at the end of the cell). The symbols are the course's: ``x_t``,
``h_prev``, the gates ``r, z, n`` (GRU) and ``i, f, g, o`` (LSTM), the cell
state ``c``, the new state ``h'`` and the blocks of torch's ``W_ih`` and
``W_hh``. The pieces:

* a sigmoid box (orange, "σ"), a tanh box (green, "tanh"), a weight box
  (blue, one cell per gate block, in torch's block order);
* circles for the element-wise product (×), the element-wise sum (+) and the
  "1 −" node;
* wires with arrow heads; where two wires must cross, the later one is drawn
  over a white gap (a bridge), never through a box.

Each figure carries a record of what it drew, ``fig.course_diagram`` (a
:class:`Diagram`), which :func:`parts` and :func:`symbols` read, so that a
lesson (and ``tests/test_diagrams.py``) can assert what the picture shows.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path

__all__ = ["Diagram", "rnn_cell_diagram", "gru_cell_diagram", "lstm_cell_diagram",
           "stack_diagram", "parts", "symbols", "texts"]

FILL = {"sigmoid": "#f9cb9c", "tanh": "#b6d7a8", "weights": "#cfe2f3", "state": "#eeeeee",
        "product": "white", "sum": "white", "one_minus": "white", "concat": "white",
        "cell": "#fff2cc"}
OP_SYMBOL = {"product": "×", "sum": "+", "one_minus": "1−", "concat": "‖"}
LINE = "#333333"
HIGHWAY = "#1f4e79"
NODE_R = 0.27
LEGEND = [("sigmoid", "sigmoid"), ("tanh", "tanh"), ("product", "element-wise product"),
          ("sum", "element-wise sum"), ("one_minus", "one minus: 1 − z")]

TEX = {"h_prev": r"$h_{\mathrm{prev}}$", "c_prev": r"$c_{\mathrm{prev}}$", "x_t": "$x_t$",
       "h'": "$h'$", "c'": "$c'$", "1 - z": "$1 - z$", "tanh(c')": r"$\tanh(c')$"}


def _tex(name: str) -> str:
    """The mathtext of a course symbol: 'W_ir' -> '$W_{ir}$', 'r' -> '$r$'."""
    if name in TEX:
        return TEX[name]
    if "_" in name:
        base, sub = name.split("_", 1)
        return f"${base}_{{{sub}}}$"
    return f"${name}$"


@dataclass
class Diagram:
    """What a diagram drew, in data coordinates.

    boxes: (kind, name, (x0, y0, x1, y1)) for every box and circle;
    wires: the corner points of every wire; symbols: the course symbols
    labelled on the figure (plain names such as 'h_prev', 'W_ir', "h'").
    The record of a drawn diagram (lessons 01-03, 05, 08).
    """
    boxes: list = field(default_factory=list)
    wires: list = field(default_factory=list)
    symbols: list = field(default_factory=list)


class _Canvas:
    """One axes in data units with the drawing primitives of the diagrams."""

    def __init__(self, width, height, scale=0.78):
        self.fig, self.ax = plt.subplots(figsize=(width * scale, height * scale))
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(0, height)
        self.ax.set_aspect("equal")
        self.ax.axis("off")
        self.fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
        self.record = Diagram()
        self.fig.course_diagram = self.record

    def box(self, cx, cy, w, h, kind, text, name=None, fontsize=12, tex=False, symbol=False):
        """A rounded box centred at (cx, cy). tex: text is a symbol's plain name, drawn
        as mathtext; symbol: the box shows the course symbol `name` (in a formula)."""
        x0, y0 = cx - w / 2, cy - h / 2
        self.ax.add_patch(FancyBboxPatch((x0, y0), w, h, boxstyle="round,pad=0,rounding_size=0.12",
                                         fc=FILL[kind], ec=LINE, lw=1.3, zorder=3, gid=kind))
        label = _tex(text) if tex else text
        t = self.ax.text(cx, cy, label, ha="center", va="center", fontsize=fontsize, zorder=4)
        if tex or symbol:
            t.set_gid(text if tex else name)
            self.record.symbols.append(text if tex else name)
        self.record.boxes.append((kind, name or text, (x0, y0, x0 + w, y0 + h)))

    def weights(self, x0, cy, cell_w, h, names, gap_after=None):
        """A weight box: one cell per gate block, left to right in torch's order."""
        for k, name in enumerate(names):
            cx = x0 + (k + 0.5) * cell_w
            self.ax.add_patch(Rectangle((cx - cell_w / 2, cy - h / 2), cell_w, h, fc=FILL["weights"],
                                        ec=LINE, lw=1.3, zorder=3, gid="weights"))
            t = self.ax.text(cx, cy, _tex(name), ha="center", va="center", fontsize=13, zorder=4)
            t.set_gid(name)
            self.record.symbols.append(name)
            self.record.boxes.append(("weights", name, (cx - cell_w / 2, cy - h / 2,
                                                         cx + cell_w / 2, cy + h / 2)))

    def node(self, cx, cy, kind, name):
        """A circle: element-wise product, sum, '1 -' or concatenation."""
        r = NODE_R * (1.25 if kind == "one_minus" else 1.0)
        self.ax.add_patch(Circle((cx, cy), r, fc=FILL[kind], ec=LINE, lw=1.3, zorder=3, gid=kind))
        size = 11 if kind == "one_minus" else 15
        self.ax.text(cx, cy, OP_SYMBOL[kind], ha="center", va="center_baseline", fontsize=size,
                     zorder=4)
        self.record.boxes.append((kind, name, (cx - r, cy - r, cx + r, cy + r)))

    def wire(self, *pts, arrow=True, bridge=False, color=LINE, lw=1.6):
        """A polyline through pts; an arrow head at the end; bridge: drawn over a white gap."""
        path = Path(pts, [Path.MOVETO] + [Path.LINETO] * (len(pts) - 1))
        patch = FancyArrowPatch(path=path, arrowstyle="-|>" if arrow else "-", mutation_scale=13,
                                shrinkA=0, shrinkB=0, color=color, lw=lw,
                                zorder=2.5 if bridge else 2, joinstyle="miter", capstyle="butt")
        if bridge:
            patch.set_path_effects([pe.Stroke(linewidth=lw + 6, foreground="white"), pe.Normal()])
        self.ax.add_patch(patch)
        self.record.wires.append(tuple(pts))

    def dot(self, x, y, color=LINE):
        """A junction: one wire splits into two."""
        self.ax.add_patch(Circle((x, y), 0.07, fc=color, ec=color, zorder=3.5))

    def label(self, x, y, name, ha="center", va="center", fontsize=14, color="black"):
        """A course symbol (mathtext) at (x, y)."""
        t = self.ax.text(x, y, _tex(name), ha=ha, va=va, fontsize=fontsize, color=color, zorder=4)
        t.set_gid(name)
        self.record.symbols.append(name)

    def note(self, x, y, text, ha="center", va="center", fontsize=10.5, color="#444444", **kw):
        """Explanatory text (not a symbol)."""
        self.ax.text(x, y, text, ha=ha, va=va, fontsize=fontsize, color=color, zorder=4, **kw)

    def legend(self, x0, y0, items):
        """A key of the symbols at (x0, y0) (top-left), one row per (kind, text)."""
        for k, (kind, text) in enumerate(items):
            cy = y0 - 0.45 * k
            if kind in OP_SYMBOL:
                self.ax.add_patch(Circle((x0 + 0.2, cy), 0.18, fc="white", ec=LINE, lw=1, zorder=3))
                self.ax.text(x0 + 0.2, cy, OP_SYMBOL[kind], ha="center", va="center_baseline",
                             fontsize=8 if kind == "one_minus" else 10, zorder=4)
            else:
                self.ax.add_patch(FancyBboxPatch((x0, cy - 0.15), 0.4, 0.3, fc=FILL[kind], ec=LINE,
                                                 lw=1, boxstyle="round,pad=0,rounding_size=0.05",
                                                 zorder=3))
            self.ax.text(x0 + 0.6, cy, text, ha="left", va="center", fontsize=9.5, zorder=4)


def rnn_cell_diagram():
    """The vanilla (Elman) RNN cell, h' = tanh(W_ih x_t + b_ih + W_hh h_prev + b_hh).

    Used in notebooks/01_rnn.ipynb, section 1 ("One step"). Returns the Figure.
    """
    cv = _Canvas(12.5, 5.6)
    y = 3.6
    cv.label(0.55, y, "h_prev")
    cv.wire((1.15, y), (2.1, y))
    cv.box(3.45, y, 2.7, 0.8, "weights", r"$W_{hh}\, h_{\mathrm{prev}} + b_{hh}$", name="W_hh",
           fontsize=12, symbol=True)
    cv.wire((4.8, y), (6.23, y))
    cv.node(6.5, y, "sum", "pre-activation")
    cv.label(6.5, 0.45, "x_t")
    cv.wire((6.5, 0.8), (6.5, 1.3))
    cv.box(6.5, 1.7, 2.7, 0.8, "weights", r"$W_{ih}\, x_t + b_{ih}$", name="W_ih", fontsize=12,
           symbol=True)
    cv.wire((6.5, 2.1), (6.5, y - NODE_R))
    cv.wire((6.5 + NODE_R, y), (7.9, y))
    cv.box(8.5, y, 1.2, 0.7, "tanh", "tanh", fontsize=12)
    cv.wire((9.1, y), (11.3, y))
    cv.label(11.8, y, "h'")
    cv.dot(10.3, y)
    cv.wire((10.3, y), (10.3, 5.0))
    cv.note(10.1, 5.3, r"the output of step $t$ and the $h_{\mathrm{prev}}$ of step $t + 1$",
            fontsize=10.5)
    cv.note(3.45, 2.75, r"$W_{hh}$ (H, H), $b_{hh}$ (H,)", fontsize=10.5)
    cv.note(3.6, 1.7, r"$W_{ih}$ (H, I), $b_{ih}$ (H,)", fontsize=10.5)
    cv.legend(8.9, 2.0, [("weights", "affine map (weights, bias)"), ("tanh", "tanh"),
                         ("sum", "element-wise sum")])
    return cv.fig


def gru_cell_diagram(reset: str = "after"):
    """The GRU cell: gates r, z, the candidate n and the interpolation
    h' = (1 - z) * n + z * h_prev.

    reset="after" (the default) is torch's and cuDNN's form (arXiv 1406.1078
    v1): n = tanh(W_in x_t + b_in + r * (W_hn h_prev + b_hn)), so W_hn is one
    block of the single product W_hh h_prev. reset="before" is Cho et al.'s
    EMNLP 2014 form (v3): n = tanh(W_in x_t + b_in + W_hn (r * h_prev) + b_hn),
    W_hn needs r first and gets its own box.

    Used in notebooks/02_gru.ipynb (section 1, where the equations are derived;
    reset="before" in section 7) and notebooks/08_variants.ipynb (section 1).
    Returns the Figure.
    """
    if reset not in ("after", "before"):
        raise ValueError(f"reset must be 'after' or 'before', not {reset!r}")
    cv = _Canvas(14.6, 9.6)
    top, y_a, y_gate, y_b = 8.7, 6.8, 3.4, 1.2
    cw, x0 = 2.4, 1.8                       # one weight cell per gate block
    xr, xz, xn = x0 + 0.5 * cw, x0 + 1.5 * cw, x0 + 2.5 * cw
    x_zh, x_out = 11.2, 12.8
    y_rn, y_zx, y_interp = 5.8, 4.0, 5.8    # r's wire, z's crossing, (1 - z) * n

    # the state line along the top: h_prev -> z * h_prev -> + -> h'
    cv.label(0.55, top, "h_prev")
    cv.wire((1.15, top), (x_zh - NODE_R, top))
    cv.node(x_zh, top, "product", "z*h_prev")
    cv.wire((x_zh + NODE_R, top), (x_out - NODE_R, top))
    cv.node(x_out, top, "sum", "h'")
    cv.wire((x_out + NODE_R, top), (13.75, top))
    cv.label(14.15, top, "h'")

    # the two projections: W_hh h_prev + b_hh above the gates, W_ih x_t + b_ih below
    cv.dot(1.3, top)
    cv.wire((1.3, top), (1.3, y_a), (x0, y_a))
    if reset == "after":
        cv.weights(x0, y_a, cw, 0.8, ["W_hr", "W_hz", "W_hn"])
        cv.note(x0 + 1.5 * cw, y_a + 0.75, r"$W_{hh}\, h_{\mathrm{prev}} + b_{hh}$   (3H rows: r, z, n)",
                fontsize=11)
    else:
        cv.weights(x0, y_a, cw, 0.8, ["W_hr", "W_hz"])
        cv.note(x0 + cw, y_a + 0.75, r"$W_{hh}\, h_{\mathrm{prev}} + b_{hh}$   (rows r, z)", fontsize=11)
    cv.label(0.55, y_b, "x_t")
    cv.wire((1.0, y_b), (x0, y_b))
    cv.weights(x0, y_b, cw, 0.8, ["W_ir", "W_iz", "W_in"])
    cv.note(x0 + 1.5 * cw, y_b - 0.8, r"$W_{ih}\, x_t + b_{ih}$   (3H rows: r, z, n)", fontsize=11)

    # the gates r and z: each adds its block of both projections
    for xg, name in ((xr, "r"), (xz, "z")):
        cv.box(xg, y_gate, 1.0, 0.7, "sigmoid", "σ", name=name, fontsize=14)
        cv.wire((xg, y_a - 0.4), (xg, y_gate + 0.35))
        cv.wire((xg, y_b + 0.4), (xg, y_gate - 0.35))

    # the candidate n
    y_prod = y_rn
    if reset == "after":
        cv.wire((xn, y_a - 0.4), (xn, y_prod + NODE_R))             # W_hn h_prev + b_hn
        cv.node(xn, y_prod, "product", "r*(W_hn h + b_hn)")
        cv.wire((xn, y_prod - NODE_R), (xn, y_gate + NODE_R))
    else:
        cv.wire((xn, top), (xn, y_prod + NODE_R))                   # h_prev from the top line
        cv.dot(xn, top)
        cv.node(xn, y_prod, "product", "r*h_prev")
        cv.wire((xn, y_prod - NODE_R), (xn, 5.1))
        cv.box(xn, 4.77, 2.1, 0.66, "weights", r"$W_{hn}\,(\cdot) + b_{hn}$", name="W_hn",
               fontsize=12, symbol=True)
        cv.wire((xn, 4.44), (xn, y_gate + NODE_R))
    cv.node(xn, y_gate, "sum", "a_n")
    cv.wire((xn, y_b + 0.4), (xn, y_gate - NODE_R))
    cv.wire((xn + NODE_R, y_gate), (9.1, y_gate))
    cv.box(9.75, y_gate, 1.3, 0.7, "tanh", "tanh", name="n", fontsize=12)

    # r: out of its sigmoid, over z's input (a bridge), into the product of the candidate
    cv.wire((xr + 0.5, y_gate), (xr + 0.75, y_gate), (xr + 0.75, y_prod), (xn - NODE_R, y_prod),
            bridge=True)
    cv.label(xr + 1.3, y_prod + 0.3, "r")

    # z: across the candidate's column (a bridge), up to z * h_prev, and through 1 - z
    x_jz = x_zh
    cv.wire((xz + 0.5, y_gate), (xz + 0.95, y_gate), (xz + 0.95, y_zx), (x_jz, y_zx),
            (x_jz, top - NODE_R), bridge=True)
    cv.label(xz + 1.55, y_zx - 0.3, "z")
    cv.dot(x_jz, y_interp)
    cv.wire((x_jz, y_interp), (x_jz + 0.5, y_interp))
    x_om = x_jz + 0.5 + NODE_R * 1.25
    cv.node(x_om, y_interp, "one_minus", "1 - z")
    cv.wire((x_om + NODE_R * 1.25, y_interp), (x_out - NODE_R, y_interp))
    cv.node(x_out, y_interp, "product", "(1-z)*n")
    cv.wire((x_out, y_interp + NODE_R), (x_out, top - NODE_R))

    # n: out of its tanh, under z's corner, up into (1 - z) * n
    cv.wire((10.4, y_gate), (x_out, y_gate), (x_out, y_interp - NODE_R))
    cv.label(10.85, y_gate + 0.32, "n")

    if reset == "after":
        place, form = r"$r \odot (W_{hn}\, h_{\mathrm{prev}} + b_{hn})$", "torch / cuDNN, arXiv v1"
    else:
        place, form = r"$W_{hn}\,(r \odot h_{\mathrm{prev}})$", "Cho et al., EMNLP 2014 / arXiv v3"
    cv.note(12.1, 2.75, f"reset {reset}: {place}\n({form})", fontsize=10.5, linespacing=1.5)
    cv.legend(10.3, 1.95, LEGEND)
    return cv.fig


def lstm_cell_diagram():
    """The LSTM cell: gates i, f, o, the candidate g, the cell-state line
    c' = f * c_prev + i * g along the top and h' = o * tanh(c').

    One weight box holds the pre-activation a = W_ih x_t + b_ih + W_hh h_prev
    + b_hh, its four blocks a_i, a_f, a_g, a_o in torch's order i, f, g, o.
    Used in notebooks/03_lstm.ipynb, at the start (where the equations are
    derived). Returns the Figure.
    """
    cv = _Canvas(14.6, 9.6)
    top, y_gate, y_a = 8.6, 3.5, 1.5
    cw, x0 = 2.1, 2.0
    xi, xf, xg, xo = (x0 + (k + 0.5) * cw for k in range(4))
    x_ig, x_tc = xg, 12.0
    y_ig, y_o = 6.1, 4.6

    # the cell-state highway
    cv.label(0.55, top, "c_prev", color=HIGHWAY)
    cv.wire((1.2, top), (xf - NODE_R, top), color=HIGHWAY, lw=3)
    cv.node(xf, top, "product", "f*c_prev")
    cv.wire((xf + NODE_R, top), (x_ig - NODE_R, top), color=HIGHWAY, lw=3)
    cv.node(x_ig, top, "sum", "c'")
    cv.wire((x_ig + NODE_R, top), (13.8, top), color=HIGHWAY, lw=3)
    cv.label(14.2, top, "c'", color=HIGHWAY)
    cv.note(4.0 + cw, top + 0.5, "cell state: only scaled and added, no weight matrix", fontsize=10.5,
            color=HIGHWAY)

    # the pre-activations
    cv.label(0.55, y_a + 0.2, "h_prev")
    cv.wire((1.2, y_a + 0.2), (x0, y_a + 0.2))
    cv.label(0.55, y_a - 0.75, "x_t")
    cv.wire((1.0, y_a - 0.75), (1.5, y_a - 0.75), (1.5, y_a - 0.2), (x0, y_a - 0.2))
    cv.weights(x0, y_a, cw, 0.8, ["a_i", "a_f", "a_g", "a_o"])
    cv.note(x0 + 2 * cw, y_a - 0.8,
            r"$a = W_{ih}\, x_t + b_{ih} + W_{hh}\, h_{\mathrm{prev}} + b_{hh}$   (4H rows: i, f, g, o)",
            fontsize=11)

    for xk, kind, text, name in ((xi, "sigmoid", "σ", "i"), (xf, "sigmoid", "σ", "f"),
                                 (xg, "tanh", "tanh", "g"), (xo, "sigmoid", "σ", "o")):
        cv.box(xk, y_gate, 1.1, 0.7, kind, text, name=name, fontsize=13 if text == "σ" else 12)
        cv.wire((xk, y_a + 0.4), (xk, y_gate - 0.35))

    # f scales the old memory; i * g is written into it
    cv.wire((xf, y_gate + 0.35), (xf, top - NODE_R))
    cv.label(xf + 0.3, 5.2, "f", ha="left")
    cv.wire((xi, y_gate + 0.35), (xi, y_ig), (x_ig - NODE_R, y_ig), bridge=True)
    cv.label(xi + 0.3, 5.2, "i", ha="left")
    cv.wire((xg, y_gate + 0.35), (xg, y_ig - NODE_R))
    cv.label(xg + 0.3, 5.2, "g", ha="left")
    cv.node(x_ig, y_ig, "product", "i*g")
    cv.wire((x_ig, y_ig + NODE_R), (x_ig, top - NODE_R))

    # h' = o * tanh(c')
    cv.dot(x_tc, top)
    cv.wire((x_tc, top), (x_tc, 7.55))
    cv.box(x_tc, 7.2, 1.3, 0.7, "tanh", "tanh", name="tanh(c')", fontsize=12)
    cv.wire((x_tc, 6.85), (x_tc, y_o + NODE_R))
    cv.node(x_tc, y_o, "product", "o*tanh(c')")
    cv.wire((xo, y_gate + 0.35), (xo, y_o), (x_tc - NODE_R, y_o))
    cv.label(xo + 0.3, 4.2, "o", ha="left")
    cv.wire((x_tc + NODE_R, y_o), (13.8, y_o))
    cv.label(14.2, y_o, "h'")
    cv.legend(11.0, 3.3, LEGEND[:4])
    return cv.fig


def stack_diagram(num_layers: int = 2, bidirectional: bool = True, T: int = 3):
    """A stacked (optionally bidirectional) recurrent layer, as torch.nn.GRU(...,
    num_layers=L, bidirectional=...), with torch's layout of h_n.

    Each layer runs a forward direction (d = 0, reads t = 0 -> T-1) and, if
    bidirectional, a backward one (d = 1, reads t = T-1 -> 0); their states are
    concatenated (forward half first) as the next layer's input x. h_n is
    layer-major, direction-minor: row h_n[D*l + d] (D = 2 if bidirectional
    else 1); the backward direction's final state sits next to t = 0.
    Used in notebooks/05_deep_bidirectional.ipynb, section 3. Returns the Figure.
    """
    D = 2 if bidirectional else 1
    dx, x_first = 3.0, 5.6
    band = 3.9 if bidirectional else 2.2
    width = x_first + (T - 1) * dx + 4.3
    height = 1.3 + num_layers * band + 0.9
    cv = _Canvas(width, height, scale=0.72)
    cols = [x_first + t * dx for t in range(T)]
    cell_w, cell_h = 1.2, 0.62
    y_in = 0.45
    for t, xc in enumerate(cols):
        cv.label(xc, y_in, f"x_{t}")
    below = {t: (xc, y_in + 0.35) for t, xc in enumerate(cols)}   # where each column's input comes from
    for layer in range(num_layers):
        y_f = 1.3 + layer * band + 0.75 + (0.2 if layer == 0 else 0.0)
        y_b = y_f + 1.15
        y_cat = y_b + 0.9
        rows = [(0, y_f, -0.45 if bidirectional else 0.0)]
        if bidirectional:
            rows.append((1, y_b, 0.45))
        for d, y, off in rows:
            for t, xc in enumerate(cols):
                cv.box(xc + off, y, cell_w, cell_h, "cell", "→" if d == 0 else "←",
                       name=f"cell l{layer} d{d} t{t}", fontsize=13)
            for t in range(T - 1):
                a, b = cols[t] + off + cell_w / 2, cols[t + 1] + off - cell_w / 2
                cv.wire(*(((a, y), (b, y)) if d == 0 else ((b, y), (a, y))))
            # the final state of this direction: row D * layer + d of h_n
            row = D * layer + d
            end = cols[-1] + off + cell_w / 2 if d == 0 else cols[0] + off - cell_w / 2
            step = 0.75 if d == 0 else -0.75
            cv.wire((end, y), (end + step, y))
            cv.box(end + 2 * step, y, 1.5, 0.55, "state", f"h_n[{row}]", name=f"h_n[{row}]",
                   fontsize=11)
            cv.record.symbols.append(f"h_n[{row}]")
            direction = "d = 0, forward" if d == 0 else "d = 1, backward"
            if d == 0:
                cv.note(cols[0] + off - cell_w / 2 - 0.25, y, direction, ha="right", fontsize=10)
            else:
                cv.note(cols[-1] + off + cell_w / 2 + 0.25, y, direction, ha="left", fontsize=10)
        # inputs: from below into each direction's cell; outputs: concatenated upwards
        for t, xc in enumerate(cols):
            sx, sy = below[t]
            jy = y_f - 0.75
            cv.wire((sx, sy), (sx, jy), arrow=False)
            if bidirectional:
                cv.dot(sx, jy)
            for d, y, off in rows:
                cv.wire((sx, jy), (xc + off, jy), (xc + off, y - cell_h / 2), bridge=d == 1)
            if bidirectional:
                cv.node(xc, y_cat, "concat", f"concat l{layer} t{t}")
                cv.wire((xc - 0.45, y_f + cell_h / 2), (xc - 0.45, y_cat), (xc - NODE_R, y_cat),
                        bridge=True)
                cv.wire((xc + 0.45, y_b + cell_h / 2), (xc + 0.45, y_cat), (xc + NODE_R, y_cat))
                below[t] = (xc, y_cat + NODE_R)
            else:
                below[t] = (xc, y_f + cell_h / 2)
        cv.note(0.15, (y_f + y_b) / 2 if bidirectional else y_f, f"layer {layer}", ha="left",
                fontsize=11.5, fontweight="bold")
    y_top = height - 1.0
    for t, xc in enumerate(cols):
        sx, sy = below[t]
        cv.wire((sx, sy), (sx, y_top - 0.3))
        cv.note(xc, y_top, f"output[{t}]", fontsize=11)
    if bidirectional:
        title = "output[t] = [forward | backward] states of the last layer;   h_n[2 * layer + d]"
    else:
        title = "output[t] = the last layer's state;   h_n[layer]"
    cv.note(width / 2, height - 0.35, title, fontsize=11)
    return cv.fig


def parts(fig) -> Counter:
    """How many pieces of each kind a diagram drew: Counter({'sigmoid': 2, 'product': 3, ...}).

    Used in notebooks/01_rnn.ipynb, notebooks/02_gru.ipynb, notebooks/03_lstm.ipynb,
    notebooks/05_deep_bidirectional.ipynb, notebooks/08_variants.ipynb.
    """
    return Counter(kind for kind, _, _ in fig.course_diagram.boxes)


def symbols(fig) -> set:
    """The course symbols labelled on a diagram (plain names: 'x_t', 'h_prev', 'W_ir', "h'", ...).

    Used in notebooks/01_rnn.ipynb, notebooks/02_gru.ipynb, notebooks/03_lstm.ipynb,
    notebooks/05_deep_bidirectional.ipynb, notebooks/08_variants.ipynb.
    """
    return set(fig.course_diagram.symbols)


def texts(fig) -> list:
    """Every non-empty text artist of a figure (labels, box texts, notes).

    Used by the lessons' diagram cells and tests (lessons 01-03, 05, 08).
    """
    from matplotlib.text import Text
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
