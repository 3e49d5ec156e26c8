"""Units 06 and 09: data generators, the training loop, the character model."""
from __future__ import annotations

import numpy as np
import torch

from course_utils.charlm import CharLM, batches, next_char_probs, perplexity, sample
from course_utils.tasks import (ADDING_BASELINE_MSE, CharVocab, adding_problem, copy_baseline_ce,
                                copy_task, load_corpus)
from course_utils.train import SequenceRegressor, train_adding


def test_adding_problem_shapes_markers_and_baseline():
    X, y = adding_problem(T=30, B=50_000, rng=0)
    assert X.shape == (30, 50_000, 2) and y.shape == (50_000,) and X.dtype == np.float32
    assert np.all(X[..., 1].sum(axis=0) == 2)
    first = X[:15, :, 1].sum(axis=0)
    assert np.all(first == 1)                      # one marker in each half
    assert np.allclose((X[..., 0] * X[..., 1]).sum(axis=0), y, atol=1e-6)
    assert abs(np.mean((y - 1.0) ** 2) - ADDING_BASELINE_MSE) < 5e-3


def test_generators_reproduce_with_a_seed():
    a, b = adding_problem(10, 4, rng=3), adding_problem(10, 4, rng=3)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_copy_task_layout():
    X, y = copy_task(T_delay=7, B=3, n_symbols=8, length=5, rng=0)
    assert X.shape == (17, 3) and y.shape == (5, 3)
    assert np.array_equal(X[:5], y) and np.all(X[12] == 9) and np.all(X[5:12] == 0)
    assert np.isclose(copy_baseline_ce(8), np.log(8))


def test_training_lowers_the_loss_and_is_deterministic():
    m1, h1, mse1 = train_adding("GRU", T=5, steps=60, hidden=16, lr=1e-2, progress=False)
    m2, h2, mse2 = train_adding("GRU", T=5, steps=60, hidden=16, lr=1e-2, progress=False)
    assert h1 == h2 and mse1 == mse2
    assert mse1 < ADDING_BASELINE_MSE


def test_forget_bias_is_set_in_the_f_block():
    m = SequenceRegressor("LSTM", 2, 8, forget_bias=1.0)
    eff = m.rnn.bias_ih_l0[8:16] + m.rnn.bias_hh_l0[8:16]
    assert torch.all(eff == 1.0)


def test_corpus_and_char_model():
    text = load_corpus()
    assert text.startswith("In the beginning God created") and 100_000 < len(text) < 400_000
    vocab = CharVocab(text)
    data = vocab.encode(text)
    assert vocab.decode(data[:300]) == text[:300]
    torch.manual_seed(0)
    model = CharLM(vocab.size, 16)
    x, y = batches(data, 20, 4, np.random.default_rng(0))
    assert x.shape == (20, 4) and torch.equal(x[1:], y[:-1])
    assert 0.8 * vocab.size < perplexity(model, data[:2000]) < 1.2 * vocab.size
    p = next_char_probs(model, vocab, "And", temperature=0.5)
    assert p.shape == (vocab.size,) and np.isclose(p.sum(), 1.0)
    out = sample(model, vocab, "And", n=10, seed=1)
    assert out.startswith("And") and len(out) == 13 and out == sample(model, vocab, "And", n=10, seed=1)
