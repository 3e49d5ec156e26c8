"""course_utils.train: the stopping criterion, early stopping, and runs over seeds (unit 06)."""
from __future__ import annotations

import numpy as np
import torch

from course_utils.tasks import ADDING_BASELINE_MSE
from course_utils.train import (TEST_SEED, TEST_SIZE, adding_test_set, evaluate_adding,
                                steps_to_learn, train, train_adding, train_adding_seeds)


def test_steps_to_learn_uses_the_mean_of_the_last_window():
    history = [(0, 1.0), (10, 0.5), (20, 0.1), (30, 0.1), (40, 0.1)]
    assert steps_to_learn(history, target=0.3, window=3) == 30     # (0.5 + 0.1 + 0.1) / 3 = 0.23
    assert steps_to_learn(history, target=0.3, window=1) == 20
    assert steps_to_learn(history, target=0.05, window=1) is None
    assert steps_to_learn(history[:2], target=10.0, window=3) is None   # fewer logs than the window


def test_train_stops_at_the_first_step_where_the_criterion_holds():
    w = torch.nn.Parameter(torch.tensor([3.0]))
    history = train(torch.nn.ParameterList([w]), lambda k: (w ** 2).sum(), steps=500, lr=0.1,
                    progress=False, log_every=5, stop_below=0.01, window=3)
    assert history[-1][0] < 495                                     # stopped before the budget
    assert steps_to_learn(history, 0.01, 3) == history[-1][0]
    assert steps_to_learn(history[:-1], 0.01, 3) is None           # and not one log earlier
    full = train(torch.nn.ParameterList([torch.nn.Parameter(torch.tensor([3.0]))]),
                 lambda k: torch.tensor(1.0, requires_grad=True), steps=20, progress=False,
                 log_every=5, stop_below=0.01)
    assert [k for k, _ in full] == [0, 5, 10, 15, 19]              # never reached: every log kept


def test_runs_over_seeds_are_the_single_runs():
    runs = train_adding_seeds("GRU", T=5, steps=200, seeds=(0, 1), target=0.05, hidden=16,
                              lr=1e-2, progress=False, device=torch.device("cpu"))
    for s, seed in enumerate((0, 1)):
        _, history, mse = train_adding("GRU", T=5, steps=200, hidden=16, lr=1e-2, seed=seed,
                                       stop_below=0.05, progress=False, device=torch.device("cpu"))
        assert runs.histories[s] == history and runs.test_mse[s] == mse
        assert runs.learned_at[s] == steps_to_learn(history, 0.05) == history[-1][0]
    assert runs.all_learned and not runs.none_learned and len(runs.models) == 2
    assert max(runs.test_mse) < 0.5 * ADDING_BASELINE_MSE


def test_the_test_set_is_the_one_evaluate_adding_uses():
    X, y = adding_test_set(7)
    assert X.shape == (7, TEST_SIZE, 2) and y.shape == (TEST_SIZE,)

    class PredictOne(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.p = torch.nn.Parameter(torch.zeros(1))

        def forward(self, X):
            return torch.ones(X.shape[1]) + 0 * self.p

    assert np.isclose(evaluate_adding(PredictOne(), 7), np.mean((y.astype(np.float64) - 1) ** 2),
                      rtol=1e-5, atol=0)
    assert TEST_SEED == 12345
