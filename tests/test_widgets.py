"""The lesson explorers: the plotting functions run headless and follow the
equations; the widget builders return their sliders."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from course_utils.widgets import gru_gate_explorer, plot_gru_gate  # noqa: E402


def test_gate_plot_follows_the_update_equation():
    _, (h_prev, n, h_keep) = plot_gru_gate(z=1.0, r=0.5)
    assert np.allclose(h_keep, h_prev, rtol=0, atol=1e-15)
    _, (h_prev, n, h_take) = plot_gru_gate(z=0.0, r=0.5)
    assert np.allclose(h_take, n, rtol=0, atol=1e-15)
    _, (_, n_r0, _) = plot_gru_gate(z=0.0, r=0.0)
    assert not np.allclose(n_r0, n, rtol=0, atol=1e-3)        # r changes the candidate


def test_gate_explorer_has_labelled_sliders():
    box = gru_gate_explorer()
    sliders = box.children[0].children
    assert [s.description for s in sliders] == ["z (update)", "r (reset)"]
    assert all(s.min == 0.0 and s.max == 1.0 for s in sliders)


def test_rnn_gradient_plot_vanishes_and_explodes():
    from course_utils.widgets import plot_rnn_gradients
    fig, norms, max_h = plot_rnn_gradients(radii=(0.5, 1.5), T=30)
    assert norms[0.5][0] < 1e-6 * norms[0.5][-1]
    assert norms[1.5][0] > 10 * norms[1.5][-1]
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_legend()
    assert sum(line.get_linestyle() == "--" for line in ax.lines) >= 2    # the predictions
    matplotlib.pyplot.close(fig)


def test_rnn_gradient_plot_follows_the_linear_prediction_only_in_the_linear_range():
    from course_utils.widgets import plot_rnn_gradients
    radii, T = (0.5, 1.0, 1.5), 30
    fig, norms, max_h = plot_rnn_gradients(radii, in_scale=1e-8, T=T)
    matplotlib.pyplot.close(fig)
    assert max(max_h.values()) < 1e-2
    for r in radii:                        # rho^(T - t): Jacobians rho Q, with 1 - h^2 = 1
        np.testing.assert_allclose(norms[r] / norms[r][-1], r ** np.arange(T)[::-1],
                                   rtol=1e-4, atol=0)
    fig, norms, max_h = plot_rnn_gradients((1.5,), in_scale=0.05, T=T)
    matplotlib.pyplot.close(fig)
    assert max_h[1.5] > 0.95                               # saturated
    assert norms[1.5][0] / norms[1.5][-1] < 1e-3 * 1.5 ** (T - 1)   # growth capped


def test_rnn_gradient_explorer_sliders():
    from course_utils.widgets import rnn_gradient_explorer
    radius, scale = rnn_gradient_explorer().children[0].children
    assert radius.description == "spectral radius" and scale.description == "input scale"


def test_lstm_gate_plot_follows_the_cell_equation():
    from course_utils.widgets import lstm_gate_explorer, plot_lstm_gates
    _, (c, h) = plot_lstm_gates(f=1.0, i=0.0, o=1.0, T=50)
    assert np.all(c == 1.0) and np.all(h == np.tanh(1.0))        # carried unchanged
    fig, (c, h) = plot_lstm_gates(f=0.5, i=0.0, o=0.0, T=5)
    assert np.array_equal(c, 0.5 ** np.arange(1, 6)) and np.all(h == 0)   # exact in binary
    ax = fig.axes[0]
    assert "c_0 = 1" in ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    matplotlib.pyplot.close(fig)
    names = [s.description for s in lstm_gate_explorer().children[0].children]
    assert names == ["f (forget)", "i (input)", "o (output)"]


def test_bidirectional_layout_figure_frames_the_final_states():
    from matplotlib.patches import Rectangle

    from course_utils.figures import plot_bidirectional_output
    T, B, H = 6, 2, 3
    out = np.random.default_rng(0).standard_normal((T, B, 2 * H))
    h_n = np.stack([out[-1, :, :H], out[0, :, H:]])
    fig = plot_bidirectional_output(out, h_n, b=1)
    frames = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert [(f.get_x(), f.get_y()) for f in frames] == [(T - 1.5, -0.5), (-0.5, H - 0.5)]
    matplotlib.pyplot.close(fig)
