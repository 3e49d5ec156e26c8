"""Counting with a recurrent network: next-symbol prediction on a^n b^n (unit 09).

A string is ``S a^n b^n E`` (start, n times a, n times b, end), n >= 1. A model
reads it one symbol at a time and predicts the next one. While it reads the a's
the next symbol is not determined (one more a, or the first b); from the first b
on it is: exactly n - 1 more b's, then E. Those positions (and the a after S) are
the **deterministic** ones, where a model that counts can be right every time; a
string of length n is *solved* when every deterministic prediction is right.

Strings are coded as ids ``S=0, a=1, b=2, E=3``, arrays time first (T, B) as
everywhere in the course; a batch of strings of different lengths is padded with
E and carries a mask of its real positions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from .timing import pinned_threads
from .train import seed_everything, train

__all__ = ["SYMBOLS", "START", "A", "B", "END", "anbn", "deterministic", "make_batch",
           "CountingLM", "train_counting", "solved_by_n", "solved_up_to", "CountingRuns",
           "train_counting_seeds", "states_on"]

SYMBOLS = ("S", "a", "b", "E")
START, A, B, END = range(4)


def anbn(n: int) -> np.ndarray:
    """The string S a^n b^n E as ids -> (2n + 2,) int64.

    Used in notebooks/09_gru_vs_lstm.ipynb.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, not {n}")
    return np.array([START] + [A] * n + [B] * n + [END], dtype=np.int64)


def deterministic(n: int) -> np.ndarray:
    """Which next-symbol targets of a^n b^n are determined by the prefix -> (2n + 1,) bool.

    Target t is the symbol after input t. Determined: t = 0 (after S comes an a)
    and t >= n + 1 (once a b has been read: the remaining b's, then E). Not
    determined: t = 1..n, after an a (another a or the first b).
    Used in notebooks/09_gru_vs_lstm.ipynb.
    """
    t = np.arange(2 * n + 1)
    return (t == 0) | (t >= n + 1)


def make_batch(ns):
    """Strings a^n b^n for each n in ``ns``, padded with E to the longest.

    -> inputs (T, B) int64, targets (T, B) int64, valid (T, B) bool (a real target),
    det (T, B) bool (a deterministic target), with T = 2 max(ns) + 1.
    Used in notebooks/09_gru_vs_lstm.ipynb.
    """
    ns = [int(n) for n in ns]
    T = 2 * max(ns) + 1
    ids = np.full((T + 1, len(ns)), END, dtype=np.int64)
    valid = np.zeros((T, len(ns)), dtype=bool)
    det = np.zeros((T, len(ns)), dtype=bool)
    for j, n in enumerate(ns):
        ids[:2 * n + 2, j] = anbn(n)
        valid[:2 * n + 1, j] = True
        det[:2 * n + 1, j] = deterministic(n)
    return (torch.from_numpy(ids[:-1]), torch.from_numpy(ids[1:]),
            torch.from_numpy(valid), torch.from_numpy(det))


class CountingLM(torch.nn.Module):
    """Embedding of the 4 symbols -> one GRU or LSTM layer -> linear logits over 4 symbols.

    kind: "GRU" or "LSTM"; embed: embedding size; hidden: H.
    forward: ids (T, B) int64 -> logits (T, B, 4)
    Trained by train_counting (lesson 09).
    """

    def __init__(self, kind: str, hidden: int = 8, embed: int = 4):
        super().__init__()
        if kind not in ("GRU", "LSTM"):
            raise ValueError(f"kind must be 'GRU' or 'LSTM', not {kind!r}")
        self.kind = kind
        self.embed = torch.nn.Embedding(len(SYMBOLS), embed)
        self.rnn = getattr(torch.nn, kind)(embed, hidden)
        self.out = torch.nn.Linear(hidden, len(SYMBOLS))

    def forward(self, ids):
        H_all, _ = self.rnn(self.embed(ids))
        return self.out(H_all)


@torch.no_grad()
def states_on(model: CountingLM, ids):
    """The states after every step, one step at a time.

    ids (T, B) int64 -> (H_all (T, B, H), C_all (T, B, H)) for an LSTM,
    (H_all (T, B, H), None) for a GRU (its only state is h).
    Used in notebooks/09_gru_vs_lstm.ipynb.
    """
    x = model.embed(ids)
    state, hs, cs = None, [], []
    for x_t in x:
        _, state = model.rnn(x_t[None], state)
        if model.kind == "LSTM":
            hs.append(state[0][0])
            cs.append(state[1][0])
        else:
            hs.append(state[0])
    return torch.stack(hs), (torch.stack(cs) if cs else None)


def _masked_ce(logits, targets, valid):
    """Mean cross-entropy over the real positions: logits (T, B, 4), targets, valid (T, B)."""
    ce = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                           reduction="none")
    v = valid.reshape(-1).to(ce.dtype)
    return (ce * v).sum() / v.sum()


def train_counting(kind: str, N: int, steps: int, seed: int = 0, hidden: int = 8, embed: int = 4,
                   batch: int = 32, lr: float = 0.01, clip: float = 1.0, progress: bool = True,
                   log_every: int = 10, bar=None, desc=None):
    """Train a CountingLM on strings with n drawn uniformly from 1..N, ``batch`` per step.

    The loss is the cross-entropy of every real next-symbol target (deterministic
    or not). The seed fixes the initial weights and the stream of n's. Adam with
    clipping by norm (``course_utils.train.train``), on the CPU with one thread:
    these models are so small that more threads, or a GPU, only add overhead.
    Returns (model, history [(step, training loss)]).
    Used by train_counting_seeds (lesson 09).
    """
    seed_everything(seed)
    model = CountingLM(kind, hidden, embed)
    rng = np.random.default_rng(seed)

    def step_loss(k):
        inputs, targets, valid, _ = make_batch(rng.integers(1, N + 1, size=batch))
        return _masked_ce(model(inputs), targets, valid)

    with pinned_threads(1):
        history = train(model, step_loss, steps, lr=lr, clip=clip, desc=desc or f"{kind}, seed {seed}",
                        progress=progress, log_every=log_every, bar=bar)
    return model, history


@torch.no_grad()
def solved_by_n(model: CountingLM, n_max: int):
    """Score the model on a^n b^n for n = 1..n_max at its deterministic targets (argmax).

    -> (accuracy (n_max,) float: the fraction of deterministic targets right,
        solved (n_max,) bool: all of them right), index n - 1 for length n.
    Used by train_counting_seeds (lesson 09).
    """
    ns = np.arange(1, n_max + 1)
    inputs, targets, _, det = make_batch(ns)
    right = (model(inputs).argmax(-1) == targets) & det          # (T, B)
    accuracy = right.sum(0).double() / det.sum(0).double()
    return accuracy.numpy(), (accuracy == 1.0).numpy()


def solved_up_to(solved) -> int:
    """The largest n such that every length 1..n is solved (0 if n = 1 is not).

    solved: (n_max,) bool, index n - 1 for length n, as :func:`solved_by_n` returns it.
    Used by train_counting_seeds (lesson 09).
    """
    solved = np.asarray(solved, dtype=bool)
    return int(solved.size if solved.all() else np.argmin(solved))


@dataclass
class CountingRuns:
    """One cell trained on a^n b^n (n <= N) once per seed, scored up to ``n_max``.

    accuracy[s] (n_max,) and solved[s] (n_max,) as :func:`solved_by_n`; up_to[s]
    as :func:`solved_up_to`.
    Returned by train_counting_seeds (lesson 09).
    """

    kind: str
    N: int
    n_max: int
    seeds: tuple
    models: list = field(default_factory=list, repr=False)
    histories: list = field(default_factory=list, repr=False)
    accuracy: list = field(default_factory=list, repr=False)
    solved: list = field(default_factory=list, repr=False)
    up_to: list = field(default_factory=list)


def train_counting_seeds(kind: str, N: int, steps: int, n_max: int, seeds=(0, 1, 2),
                         progress: bool = True, **kwargs) -> CountingRuns:
    """:func:`train_counting` once per seed (one progress bar), each scored on n = 1..n_max.

    kwargs go to :func:`train_counting` (hidden, embed, batch, lr, clip, log_every).
    Used in notebooks/09_gru_vs_lstm.ipynb.
    """
    runs = CountingRuns(kind, N, n_max, tuple(seeds))
    bar = tqdm(total=len(seeds) * steps, disable=not progress, leave=False)
    for seed in seeds:
        bar.set_description(f"{kind}, seed {seed}")
        model, history = train_counting(kind, N, steps, seed=seed, bar=bar, **kwargs)
        accuracy, solved = solved_by_n(model, n_max)
        runs.models.append(model)
        runs.histories.append(history)
        runs.accuracy.append(accuracy)
        runs.solved.append(solved)
        runs.up_to.append(solved_up_to(solved))
    bar.close()
    return runs
