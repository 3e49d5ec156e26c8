"""A character-level language model with a GRU (unit 10)."""
from __future__ import annotations

import numpy as np
import torch

from .tasks import CharVocab

__all__ = ["CharLM", "batches", "perplexity", "perplexity_from_prefix", "sample", "next_char_probs"]


class CharLM(torch.nn.Module):
    """One-hot characters -> GRU -> linear logits over the vocabulary.

    The input is the one-hot vector itself (no embedding layer), so the GRU's
    weights are exactly those of the course's ``gru_forward`` with I = V.
    bidirectional: a bidirectional GRU whose two directions feed the read-out
    (unit 09 shows why such a model cannot generate text; D = 2, else D = 1).
    forward: ids (T, B) int64, h0 (D, B, H) or None -> (logits (T, B, V), h_n (D, B, H))
    """

    def __init__(self, vocab_size: int, hidden_size: int = 128, bidirectional: bool = False):
        super().__init__()
        self.vocab_size = vocab_size
        self.gru = torch.nn.GRU(vocab_size, hidden_size, bidirectional=bidirectional)
        self.out = torch.nn.Linear(hidden_size * (2 if bidirectional else 1), vocab_size)

    def forward(self, ids, h0=None):
        x = torch.nn.functional.one_hot(ids, self.vocab_size).to(self.out.weight.dtype)
        H, h_n = self.gru(x, h0)
        return self.out(H), h_n


def batches(data: np.ndarray, seq_len: int, batch: int, rng):
    """One random batch of windows: (inputs (seq_len, B), targets (seq_len, B)) int64.

    The target of each position is the next character.
    Used in notebooks/09_gru_vs_lstm.ipynb, notebooks/10_char_language_model.ipynb.
    """
    starts = rng.integers(0, len(data) - seq_len - 1, size=batch)
    idx = starts[None, :] + np.arange(seq_len)[:, None]
    return torch.from_numpy(data[idx]), torch.from_numpy(data[idx + 1])


@torch.no_grad()
def perplexity(model: CharLM, data: np.ndarray, seq_len: int = 200) -> float:
    """exp(mean cross-entropy per character) over ``data`` cut into windows.

    Used in notebooks/09_gru_vs_lstm.ipynb, notebooks/10_char_language_model.ipynb.
    """
    device = next(model.parameters()).device
    n = (len(data) - 1) // seq_len
    ids = torch.from_numpy(data[: n * seq_len].reshape(n, seq_len).T.copy()).to(device)
    tgt = torch.from_numpy(data[1: n * seq_len + 1].reshape(n, seq_len).T.copy()).to(device)
    logits, _ = model(ids)
    ce = torch.nn.functional.cross_entropy(logits.reshape(-1, model.vocab_size), tgt.reshape(-1))
    return float(torch.exp(ce))


@torch.no_grad()
def perplexity_from_prefix(model: CharLM, data: np.ndarray, context: int = 50, n: int = 1000,
                           seed: int = 0) -> float:
    """Perplexity when each next character is predicted from the text *before* it only.

    For ``n`` random positions p, the model reads the ``context`` characters up
    to p (nothing after) and is scored on character p + 1: the situation of
    generation, where the future does not exist yet. For a one-directional model
    this is the ordinary perplexity (with a context of ``context`` characters);
    a bidirectional model's backward direction sees only the last character.
    Used in notebooks/09_gru_vs_lstm.ipynb.
    """
    device = next(model.parameters()).device
    rng = np.random.default_rng(seed)
    ends = rng.integers(context - 1, len(data) - 1, size=n)          # p: the last character read
    idx = ends[None, :] - np.arange(context - 1, -1, -1)[:, None]     # (context, n)
    logits, _ = model(torch.from_numpy(data[idx]).to(device))
    tgt = torch.from_numpy(data[ends + 1]).to(device)
    return float(torch.exp(torch.nn.functional.cross_entropy(logits[-1], tgt)))


@torch.no_grad()
def next_char_probs(model: CharLM, vocab: CharVocab, prompt: str, temperature: float = 1.0):
    """Probabilities (V,) of the character after ``prompt`` at a temperature.

    Used in notebooks/10_char_language_model.ipynb.
    """
    device = next(model.parameters()).device
    ids = torch.from_numpy(vocab.encode(prompt))[:, None].to(device)
    logits, _ = model(ids)
    return torch.softmax(logits[-1, 0].double() / temperature, dim=-1).cpu().numpy()


@torch.no_grad()
def sample(model: CharLM, vocab: CharVocab, prompt: str, n: int = 200,
           temperature: float = 1.0, seed: int = 0) -> str:
    """Continue ``prompt`` with ``n`` characters drawn at ``temperature``.

    Temperature divides the logits: < 1 sharpens the distribution (safer, more
    repetitive), > 1 flattens it (more varied, more mistakes).
    A bidirectional model re-reads the whole text so far at every step (its
    backward direction has to start from the last character that exists); a
    one-directional model carries its state and reads one new character a step.
    Used in notebooks/09_gru_vs_lstm.ipynb, notebooks/10_char_language_model.ipynb.
    """
    device = next(model.parameters()).device
    gen = torch.Generator().manual_seed(seed)
    ids = torch.from_numpy(vocab.encode(prompt))[:, None].to(device)
    logits, h = model(ids)
    out = []
    for _ in range(n):
        p = torch.softmax(logits[-1, 0].double().cpu() / temperature, dim=-1)
        k = int(torch.multinomial(p, 1, generator=gen))
        out.append(k)
        if model.gru.bidirectional:
            ids = torch.cat([ids, torch.tensor([[k]], device=device)])
            logits, _ = model(ids)
        else:
            logits, h = model(torch.tensor([[k]], device=device), h)
    return prompt + vocab.decode(out)
