"""Interactive explorers used by the lessons.

Each explorer is a plain plotting function (usable headless, and tested) plus
a function that wraps it in ipywidgets sliders. The lessons call the plotting
function once directly, so the picture is there even where widgets are not
rendered (a static viewer, or nbval in CI).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["gru_gate_demo_state", "plot_gru_gate", "gru_gate_explorer", "plot_rnn_gradients",
           "rnn_gradient_explorer", "plot_lstm_gates", "lstm_gate_explorer"]


def gru_gate_demo_state(H: int = 8, seed: int = 0):
    """A fixed toy GRU unit row for the gate explorer.

    Returns (h_prev, a_in, a_hn), each of shape (H,): the previous state, the
    input part of the candidate's pre-activation (W_in x + b_in) and its
    recurrent part (W_hn h + b_hn).
    Used by plot_gru_gate (lesson 02).
    """
    rng = np.random.default_rng(seed)
    h_prev = rng.uniform(-0.9, 0.9, H)
    a_in = rng.normal(0.0, 0.8, H)
    a_hn = rng.normal(0.0, 1.2, H)
    return h_prev, a_in, a_hn


def plot_gru_gate(z: float = 0.5, r: float = 1.0, H: int = 8, seed: int = 0, axes=None):
    """Draw what the two gates of a GRU do, for gate values r and z set by hand.

    Top panel (reset gate): the candidate n = tanh(a_in + r * a_hn) of every
    unit, on the range it sweeps as r goes from 0 (input only) to 1 (input and
    full recurrent term). Bottom panel (update gate): the new state
    h' = (1 - z) * n + z * h_prev on the segment from n (z = 0) to h_prev
    (z = 1). The gates are the same for every unit here; in a GRU they are
    computed per unit from x and h. The fixed toy state comes from
    :func:`gru_gate_demo_state`.

    z, r: gate values in [0, 1]. H: number of units drawn. axes: two
    matplotlib axes (top, bottom), or None for a new figure.
    Returns (fig, (h_prev, n, h_next)), each array of shape (H,).
    Used in notebooks/02_gru.ipynb.
    """
    h_prev, a_in, a_hn = gru_gate_demo_state(H, seed)
    n = np.tanh(a_in + r * a_hn)
    n_r0, n_r1 = np.tanh(a_in), np.tanh(a_in + a_hn)
    h_next = (1.0 - z) * n + z * h_prev
    if axes is None:
        fig, axes = plt.subplots(2, 1, figsize=(8.5, 5.2), sharex=True)
    ax_r, ax_z = axes
    fig = ax_r.figure
    units = np.arange(H)
    c_h, c_n, c_new = "#4c72b0", "#dd8452", "#2ca02c"

    ax_r.vlines(units, np.minimum(n_r0, n_r1), np.maximum(n_r0, n_r1), color=c_n,
                alpha=0.3, lw=8, label="n for r from 0 to 1")
    ax_r.plot(units, n_r0, "o", mfc="white", mec=c_n, ms=7, label="n if r = 0 (input only)")
    ax_r.plot(units, n, "s", color=c_n, ms=8, label=f"n, r = {r:.2f}")
    ax_r.set_title("reset gate: n = tanh(a_in + r a_hn)   "
                   "(r scales the previous state's part of the candidate)", fontsize=10)

    ax_z.vlines(units, np.minimum(n, h_prev), np.maximum(n, h_prev), color="grey", lw=2,
                alpha=0.6)
    ax_z.plot(units, h_prev, "o", color=c_h, ms=8, label="h_prev (z = 1)")
    ax_z.plot(units, n, "s", color=c_n, ms=8, label="n (z = 0)")
    ax_z.plot(units, h_next, "D", color=c_new, ms=8, label=f"h', z = {z:.2f}")
    ax_z.set_title("update gate: h' = (1 - z) n + z h_prev   "
                   "(h' slides from n to h_prev as z goes 0 -> 1)", fontsize=10)

    for ax in axes:
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylim(-1.08, 1.08)
        ax.set_ylabel("value")
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    ax_z.set_xticks(units)
    ax_z.set_xlabel("hidden unit")
    fig.tight_layout()
    return fig, (h_prev, n, h_next)


def gru_gate_explorer(H: int = 8, seed: int = 0):
    """Sliders for the update gate z and the reset gate r over :func:`plot_gru_gate`.

    Returns the ipywidgets widget (display it, or leave it as a cell's last value).
    Used in notebooks/02_gru.ipynb.
    """
    import ipywidgets as widgets

    z = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05,
                            description="z (update)", continuous_update=True,
                            style={"description_width": "initial"})
    r = widgets.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.05,
                            description="r (reset)", continuous_update=True,
                            style={"description_width": "initial"})

    def draw(z, r):
        fig, _ = plot_gru_gate(z, r, H, seed)
        plt.show()

    out = widgets.interactive_output(draw, {"z": z, "r": r})
    return widgets.VBox([widgets.HBox([z, r]), out])


def plot_rnn_gradients(radii=(0.5, 0.9, 1.0, 1.1, 1.5), in_scale: float = 1e-8,
                       T: int = 30, ax=None, prediction: bool = True):
    """Plot ||dL/dh_t|| against the distance T - t for tanh RNNs with W_hh of
    the given spectral radii (L = sum(h_T); see course_utils.gradients).

    Solid: the gradient norms measured by autograd. Dashed (``prediction``):
    rho^(T - t) ||dL/dh_T||, what the Jacobians W_hh = rho Q give while every
    state stays in tanh's linear range (1 - h^2 = 1). The legend gives each
    run's max |h|, which says how far the states are from that range.
    Inputs are ``in_scale`` times standard normal; T steps.

    Returns (fig, norms {radius: (T,)}, max_h {radius: float}), max_h being
    max |h_t| over all steps and units.
    Used in notebooks/01_rnn.ipynb.
    """
    from .gradients import rnn_gradient_norms

    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.8))
    else:
        fig = ax.figure
    norms_by_radius, max_h = {}, {}
    distance = np.arange(T)[::-1]          # T - t for t = 1..T
    cmap = plt.get_cmap("viridis")
    for k, radius in enumerate(radii):
        norms, hs, _ = rnn_gradient_norms(radius, T=T, in_scale=in_scale)
        H = hs.shape[1]
        norms_by_radius[radius] = norms
        max_h[radius] = float(np.abs(hs).max())
        colour = cmap(0.8 * k / max(1, len(radii) - 1))
        ax.semilogy(distance, norms, color=colour, lw=4, alpha=0.45,
                    label=f"radius {radius:g} (max |h| = {max_h[radius]:.2g})")
        if prediction:       # drawn on top, so that it shows where it coincides
            ax.semilogy(distance, norms[-1] * float(radius) ** distance, color=colour,
                        lw=1.4, ls="--")
    if prediction:
        ax.plot([], [], color="black", lw=1.4, ls="--",
                label="dashed: radius^(T-t) ||dL/dh_T||\n(prediction in the linear range)")
    ax.set_xlabel("distance T - t (steps back from the loss)")
    ax.set_ylabel("||dL/dh_t||  (L = sum of h_T)")
    ax.set_title(f"tanh RNN (H = {H}), {T} steps, inputs scaled by {in_scale:.2g}; "
                 "solid: measured by autograd", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig, norms_by_radius, max_h


def rnn_gradient_explorer(T: int = 30):
    """Sliders for the spectral radius of W_hh and the input scale over
    :func:`plot_rnn_gradients` (the chosen radius against radius 1, with the
    linear-range predictions dashed). Returns the ipywidgets widget.

    Used in notebooks/01_rnn.ipynb.
    """
    import ipywidgets as widgets

    radius = widgets.FloatSlider(value=1.2, min=0.3, max=2.0, step=0.05,
                                 description="spectral radius", continuous_update=False,
                                 style={"description_width": "initial"})
    scale = widgets.FloatLogSlider(value=1e-8, base=10, min=-10, max=0.5, step=0.25,
                                   description="input scale", continuous_update=False,
                                   style={"description_width": "initial"})

    def draw(radius, in_scale):
        plot_rnn_gradients(radii=(1.0, radius), in_scale=in_scale, T=T)
        plt.show()

    out = widgets.interactive_output(draw, {"radius": radius, "in_scale": scale})
    return widgets.VBox([widgets.HBox([radius, scale]), out])


def plot_lstm_gates(f: float = 0.9, i: float = 0.5, o: float = 1.0, T: int = 40,
                    g_value: float = 0.8, c0: float = 1.0, ax=None):
    """Cell state c_t and output h_t of one LSTM unit with gates fixed by hand.

    c_t = f * c_{t-1} + i * g_t, h_t = o * tanh(c_t) for t = 1..T, starting
    from the cell state c_0 = ``c0``, with the candidate g_t = g_value for the
    first 10 steps and 0 afterwards (something is written, then nothing).
    Returns (fig, (c (T,), h (T,))).
    Used in notebooks/03_lstm.ipynb.
    """
    g = np.where(np.arange(T) < 10, g_value, 0.0)
    c, cs = c0, []
    for g_t in g:
        c = f * c + i * g_t
        cs.append(c)
    c = np.array(cs)
    h = o * np.tanh(c)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.5, 3.4))
    else:
        fig = ax.figure
    t = np.arange(1, T + 1)
    ax.plot(np.r_[0, t], np.r_[c0, c], lw=2, label="cell state c_t")
    ax.plot([0], [c0], "o", color="C0", ms=6, label=f"c_0 = {c0:g}")
    ax.plot(t, h, lw=2, ls="--", label="output h_t = o tanh(c_t)")
    ax.axvspan(0.5, 10.5, color="grey", alpha=0.15,
               label=f"steps 1-10: candidate g = {g_value:g}\n(g = 0 afterwards)")
    ax.set_xlabel("time step t")
    ax.set_ylabel("state value (dimensionless)")
    ax.set_title(f"one LSTM unit, gates fixed: f = {f:.2f}, i = {i:.2f}, o = {o:.2f}; "
                 f"starts from c_0 = {c0:g}", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig, (c, h)


def lstm_gate_explorer():
    """Sliders for the forget, input and output gates over :func:`plot_lstm_gates`.

    Used in notebooks/03_lstm.ipynb.
    """
    import ipywidgets as widgets

    sliders = {
        "f": widgets.FloatSlider(value=0.9, min=0.0, max=1.0, step=0.01,
                                 description="f (forget)", continuous_update=False),
        "i": widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05,
                                 description="i (input)", continuous_update=False),
        "o": widgets.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.05,
                                 description="o (output)", continuous_update=False),
    }

    def draw(f, i, o):
        plot_lstm_gates(f, i, o)
        plt.show()

    out = widgets.interactive_output(draw, sliders)
    return widgets.VBox([widgets.HBox(list(sliders.values())), out])


def temperature_explorer(model, vocab, prompt: str = "And God said", n: int = 200):
    """A temperature slider that resamples a continuation of ``prompt``.

    model: a course_utils.charlm.CharLM; vocab: its CharVocab.
    """
    import ipywidgets as widgets
    from IPython.display import display

    from .charlm import sample

    slider = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=0.5, step=0.05,
                                    description="temperature", continuous_update=False)
    out = widgets.Output()

    def show(change=None):
        out.clear_output(wait=True)
        with out:
            text = sample(model, vocab, prompt, n=n, temperature=slider.value)
            display(widgets.HTML(f"<pre style='white-space:pre-wrap'>{text}</pre>"))

    slider.observe(show, names="value")
    show()
    return widgets.VBox([slider, out])
