"""Static figures of the lessons that draw data computed in the notebook."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

__all__ = ["plot_bidirectional_output"]


def plot_bidirectional_output(output, h_n, b: int = 0, ax=None):
    """Where a one-layer bidirectional GRU's outputs and final states live.

    output (T, B, 2H): torch's output, forward half first; h_n (2, B, H).
    Draws output[:, b, :] as an image (time across, the 2H features down),
    the two halves separated, and frames the column of each half that equals
    its final state: h_n[0] at t = T - 1 (forward), h_n[1] at t = 0 (backward).
    Returns the figure.
    Used in notebooks/05_deep_bidirectional.ipynb.
    """
    output, h_n = np.asarray(output), np.asarray(h_n)
    T, H = output.shape[0], h_n.shape[-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8))
    fig = ax.figure
    lim = np.abs(output[:, b]).max()
    im = ax.imshow(output[:, b].T, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim,
                   extent=(-0.5, T - 0.5, 2 * H - 0.5, -0.5))
    ax.axhline(H - 0.5, color="black", lw=2)
    for (t, row0, label, colour) in ((T - 1, 0, "= h_n[0]", "#2ca02c"),
                                     (0, H, "= h_n[1]", "#ff7f0e")):
        ax.add_patch(Rectangle((t - 0.5, row0 - 0.5), 1, H, fill=False, lw=3, ec=colour))
        ax.annotate(label, (t, row0 + H / 2 - 0.5), xytext=(t + (-1.6 if t else 0.9), row0 + H / 2),
                    color=colour, fontsize=11, fontweight="bold", va="center",
                    ha="right" if t else "left",
                    bbox=dict(boxstyle="round", fc="white", ec=colour))
    ax.set_yticks([(H - 1) / 2, H + (H - 1) / 2])
    ax.set_yticklabels(["forward\noutput[..., :H]\nreads t = 0 -> T-1",
                        "backward\noutput[..., H:]\nreads t = T-1 -> 0"])
    ax.set_xticks(range(T))
    ax.set_xlabel("time step t")
    ax.set_title(f"output[:, {b}, :] of a bidirectional GRU (T = {T}, H = {H})")
    fig.colorbar(im, ax=ax, pad=0.02, label="value")
    fig.tight_layout()
    return fig
