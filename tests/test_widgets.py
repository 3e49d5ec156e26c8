"""The lesson explorers: the plotting functions run headless and follow the
equations; the widget builders return their sliders."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from course_utils.widgets import gru_gate_explorer, plot_gru_gate  # noqa: E402


def test_gate_plot_follows_the_update_equation():
    _, (h_prev, n, h_keep) = plot_gru_gate(z=1.0, r=0.5)
    assert np.allclose(h_keep, h_prev)
    _, (h_prev, n, h_take) = plot_gru_gate(z=0.0, r=0.5)
    assert np.allclose(h_take, n)
    _, (_, n_r0, _) = plot_gru_gate(z=0.0, r=0.0)
    assert not np.allclose(n_r0, n)        # r changes the candidate


def test_gate_explorer_has_labelled_sliders():
    box = gru_gate_explorer()
    sliders = box.children[0].children
    assert [s.description for s in sliders] == ["z (update)", "r (reset)"]
    assert all(s.min == 0.0 and s.max == 1.0 for s in sliders)


def test_rnn_gradient_plot_vanishes_and_explodes():
    from course_utils.widgets import plot_rnn_gradients
    _, norms = plot_rnn_gradients(radii=(0.5, 1.5), T=30)
    assert norms[0.5][0] < 1e-6 * norms[0.5][-1]
    assert norms[1.5][0] > 10 * norms[1.5][-1]


def test_rnn_gradient_explorer_sliders():
    from course_utils.widgets import rnn_gradient_explorer
    radius, scale = rnn_gradient_explorer().children[0].children
    assert radius.description == "spectral radius" and scale.description == "input scale"
