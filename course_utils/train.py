"""A small, seeded training loop for the lessons (units 06 and 09).

Runs on the GPU when there is one and on the CPU otherwise, shows a tqdm
progress bar, clips gradients by norm, and returns the loss history.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from .device import pick_device
from .tasks import adding_problem

__all__ = ["seed_everything", "SequenceRegressor", "train", "train_adding", "evaluate_adding"]


def seed_everything(seed: int) -> None:
    """Seed torch (CPU and CUDA) and NumPy's legacy global generator."""
    torch.manual_seed(seed)
    np.random.seed(seed)


class SequenceRegressor(torch.nn.Module):
    """An RNN, GRU or LSTM layer followed by a linear read-out of the last state.

    kind: "RNN", "GRU" or "LSTM"; forget_bias: for the LSTM, set the effective
    forget-gate bias (b_ih + b_hh of the f-block) to this value.
    forward: X (T, B, I) -> prediction (B,)
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


def train(model: torch.nn.Module, step_loss: Callable[[int], torch.Tensor], steps: int,
          lr: float = 1e-3, clip: float = 1.0, desc: str = "training",
          progress: bool = True, log_every: int = 1) -> list:
    """Adam with gradient clipping by norm; ``step_loss(k)`` returns the loss of step k.

    Returns the list of (step, loss) pairs logged every ``log_every`` steps.
    """
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    bar = tqdm(range(steps), desc=desc, disable=not progress, leave=False)
    for k in bar:
        opt.zero_grad()
        loss = step_loss(k)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        if k % log_every == 0 or k == steps - 1:
            value = loss.item()
            history.append((k, value))
            bar.set_postfix(loss=f"{value:.4f}", refresh=False)
    return history


def evaluate_adding(model, T: int, n: int = 2000, seed: int = 12345, device=None) -> float:
    """Test MSE of a SequenceRegressor on fresh adding-problem data."""
    device = device or next(model.parameters()).device
    X, y = adding_problem(T, n, rng=seed)
    with torch.no_grad():
        pred = model(torch.from_numpy(X).to(device))
        return float(torch.mean((pred - torch.from_numpy(y).to(device)) ** 2))


def train_adding(kind: str, T: int, steps: int, hidden: int = 128, batch: int = 64,
                 lr: float = 1e-3, clip: float = 1.0, seed: int = 0, forget_bias=None,
                 device=None, progress: bool = True, log_every: int = 10):
    """Train a SequenceRegressor of ``kind`` on the adding problem of length T.

    Returns (model, history [(step, train MSE)], test MSE).
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
    history = train(model, step_loss, steps, lr, clip, desc=f"{label}, T={T}",
                    progress=progress, log_every=log_every)
    return model, history, evaluate_adding(model, T, device=device)
