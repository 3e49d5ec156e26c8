"""A small, seeded training loop for the lessons (units 06, 08 and 09).

Runs on the GPU when there is one and on the CPU otherwise, shows a tqdm
progress bar, clips gradients by norm, and returns the loss history. A run can
stop early once its training loss has reached a target (:func:`steps_to_learn`
is the criterion); unit 06 compares cells by the number of steps that takes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import torch
from tqdm.auto import tqdm

from .device import pick_device
from .tasks import adding_problem

__all__ = ["seed_everything", "SequenceRegressor", "train", "steps_to_learn", "train_adding",
           "evaluate_adding", "adding_test_set", "AddingRuns", "train_adding_seeds"]

#: the fixed test set of :func:`evaluate_adding`: its size and the seed of its data
TEST_SIZE, TEST_SEED = 2000, 12345


def seed_everything(seed: int) -> None:
    """Seed torch (CPU and CUDA) and NumPy's legacy global generator.

    Used in notebooks/06_long_dependencies.ipynb, notebooks/08_variants.ipynb,
    notebooks/09_gru_vs_lstm.ipynb, notebooks/10_char_language_model.ipynb.
    """
    torch.manual_seed(seed)
    np.random.seed(seed)


class SequenceRegressor(torch.nn.Module):
    """An RNN, GRU or LSTM layer followed by a linear read-out of the last state.

    kind: "RNN", "GRU" or "LSTM"; forget_bias: for the LSTM, set the effective
    forget-gate bias (b_ih + b_hh of the f-block) to this value.
    forward: X (T, B, I) -> prediction (B,)
    Used in notebooks/06_long_dependencies.ipynb.
    """

    def __init__(self, kind: str, input_size: int, hidden_size: int, forget_bias=None):
        super().__init__()
        cls = {"RNN": torch.nn.RNN, "GRU": torch.nn.GRU, "LSTM": torch.nn.LSTM}[kind]
        self.kind = kind
        self.rnn = cls(input_size, hidden_size)
        self.head = torch.nn.Linear(hidden_size, 1)
        if forget_bias is not None:
            if kind != "LSTM":
                raise ValueError("forget_bias applies to the LSTM only")
            H = hidden_size
            with torch.no_grad():
                self.rnn.bias_ih_l0[H:2 * H] = forget_bias
                self.rnn.bias_hh_l0[H:2 * H] = 0.0

    def forward(self, X):
        out, _ = self.rnn(X)
        return self.head(out[-1]).squeeze(-1)


def steps_to_learn(history, target: float, window: int = 5) -> Optional[int]:
    """The first logged step at which the mean of the last ``window`` logged losses is below ``target``.

    history: [(step, loss)] as :func:`train` returns it -> that step (int), or None if never.
    Used by train_adding_seeds (lesson 06).
    """
    for j in range(window - 1, len(history)):
        if _window_mean_below(history[:j + 1], target, window):
            return int(history[j][0])
    return None


def _window_mean_below(history, target: float, window: int) -> bool:
    """The stop rule: at least ``window`` logged losses, and the mean of the last ``window`` < target."""
    return len(history) >= window and sum(v for _, v in history[-window:]) / window < target


def train(model: torch.nn.Module, step_loss: Callable[[int], torch.Tensor], steps: int,
          lr: float = 1e-3, clip: float = 1.0, desc: str = "training",
          progress: bool = True, log_every: int = 1, stop_below: Optional[float] = None,
          window: int = 5, bar=None) -> list:
    """Adam with gradient clipping by norm; ``step_loss(k)`` returns the loss of step k.

    The loss is read back (``.item()``, a device sync) only at the logged steps,
    every ``log_every`` steps and at the last one. With ``stop_below``, training
    stops at the first logged step where :func:`steps_to_learn` holds: the mean
    of the last ``window`` logged losses is below ``stop_below``. ``bar``: a tqdm
    bar to advance instead of a new one (:func:`train_adding_seeds` shares one).
    Returns the list of (step, loss) pairs logged.
    Used in notebooks/05_deep_bidirectional.ipynb, notebooks/06_long_dependencies.ipynb,
    notebooks/08_variants.ipynb, notebooks/09_gru_vs_lstm.ipynb,
    notebooks/10_char_language_model.ipynb.
    """
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    own_bar = bar is None
    if own_bar:
        bar = tqdm(total=steps, desc=desc, disable=not progress, leave=False)
    for k in range(steps):
        opt.zero_grad()
        loss = step_loss(k)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        bar.update(1)
        if k % log_every == 0 or k == steps - 1:
            value = loss.item()
            history.append((k, value))
            bar.set_postfix(loss=f"{value:.4f}", refresh=False)
            if stop_below is not None and _window_mean_below(history, stop_below, window):
                break
    if own_bar:
        bar.close()
    return history


def adding_test_set(T: int):
    """The fixed test set of :func:`evaluate_adding` for length T.

    -> X (T, TEST_SIZE, 2) float32, y (TEST_SIZE,) float32, as :func:`adding_problem`
    Used in notebooks/06_long_dependencies.ipynb.
    """
    return adding_problem(T, TEST_SIZE, rng=TEST_SEED)


def evaluate_adding(model, T: int, n: int = TEST_SIZE, seed: int = TEST_SEED, device=None) -> float:
    """Test MSE of a SequenceRegressor on fresh adding-problem data (by default :func:`adding_test_set`).

    Used by train_adding_seeds (lesson 06).
    """
    device = device or next(model.parameters()).device
    X, y = adding_problem(T, n, rng=seed)
    with torch.no_grad():
        pred = model(torch.from_numpy(X).to(device))
        return float(torch.mean((pred - torch.from_numpy(y).to(device)) ** 2))


def train_adding(kind: str, T: int, steps: int, hidden: int = 128, batch: int = 64,
                 lr: float = 1e-3, clip: float = 1.0, seed: int = 0, forget_bias=None,
                 device=None, progress: bool = True, log_every: int = 10,
                 stop_below: Optional[float] = None, window: int = 5, desc: Optional[str] = None,
                 bar=None):
    """Train a SequenceRegressor of ``kind`` on the adding problem of length T.

    The seed fixes the initial weights and the stream of training batches. With
    ``stop_below``, training stops once the training MSE has reached it (see :func:`train`).
    Returns (model, history [(step, train MSE)], test MSE).
    Used in notebooks/06_long_dependencies.ipynb.
    """
    device = device or pick_device()
    seed_everything(seed)
    model = SequenceRegressor(kind, 2, hidden, forget_bias).to(device)
    data_rng = np.random.default_rng(seed)

    def step_loss(k):
        X, y = adding_problem(T, batch, rng=data_rng)
        pred = model(torch.from_numpy(X).to(device))
        return torch.mean((pred - torch.from_numpy(y).to(device)) ** 2)

    label = kind + ("" if forget_bias is None else f" (forget bias {forget_bias:g})")
    history = train(model, step_loss, steps, lr, clip, desc=desc or f"{label}, T={T}",
                    progress=progress, log_every=log_every, stop_below=stop_below,
                    window=window, bar=bar)
    return model, history, evaluate_adding(model, T, device=device)


@dataclass
class AddingRuns:
    """The runs of one cell on the adding problem of length T, one per seed.

    ``learned_at[s]`` is the step at which run s reached the target training MSE
    (:func:`steps_to_learn`), or None if it did not within ``steps``.
    Used in notebooks/06_long_dependencies.ipynb.
    """

    kind: str
    T: int
    seeds: tuple
    steps: int
    target: Optional[float]
    forget_bias: Optional[float] = None
    models: list = field(default_factory=list, repr=False)
    histories: list = field(default_factory=list, repr=False)
    test_mse: list = field(default_factory=list)
    learned_at: list = field(default_factory=list)

    @property
    def all_learned(self) -> bool:
        """Every seed reached the target."""
        return all(s is not None for s in self.learned_at)

    @property
    def none_learned(self) -> bool:
        """No seed reached the target."""
        return all(s is None for s in self.learned_at)


def train_adding_seeds(kind: str, T: int, steps: int, seeds=(0, 1, 2), target=None,
                       window: int = 5, forget_bias=None, progress: bool = True,
                       **kwargs) -> AddingRuns:
    """:func:`train_adding` once per seed, each stopping at ``target`` (training MSE) if given.

    kwargs go to :func:`train_adding` (hidden, lr, batch, clip, device, log_every).
    Returns an :class:`AddingRuns`.
    Used in notebooks/06_long_dependencies.ipynb.
    """
    runs = AddingRuns(kind, T, tuple(seeds), steps, target, forget_bias)
    label = kind + ("" if forget_bias is None else f" (forget bias {forget_bias:g})")
    bar = tqdm(total=len(seeds) * steps, disable=not progress, leave=False)   # one bar for all seeds
    for i, seed in enumerate(seeds):
        bar.set_description(f"{label}, T={T}, seed {seed}")
        model, history, mse = train_adding(kind, T, steps, seed=seed, forget_bias=forget_bias,
                                           stop_below=target, window=window, bar=bar, **kwargs)
        bar.update((i + 1) * steps - bar.n)        # a run that stopped early skips the rest of its budget
        runs.models.append(model)
        runs.histories.append(history)
        runs.test_mse.append(mse)
        runs.learned_at.append(None if target is None else steps_to_learn(history, target, window))
    bar.close()
    return runs
