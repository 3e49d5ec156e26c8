"""course_utils.counting: the a^n b^n data, its scoring, and a tiny training run (unit 09)."""
import numpy as np
import pytest
import torch

from course_utils import counting as C


def test_anbn_and_its_deterministic_targets():
    assert C.anbn(3).tolist() == [C.START, C.A, C.A, C.A, C.B, C.B, C.B, C.END]
    # targets of S a a a b b b -> a a a b b b E: after S an a; after an a, unknown; after a b, known
    assert C.deterministic(3).tolist() == [True, False, False, False, True, True, True]
    assert C.deterministic(1).tolist() == [True, False, True]
    with pytest.raises(ValueError):
        C.anbn(0)


def test_make_batch_pads_and_masks():
    inputs, targets, valid, det = C.make_batch([1, 3])
    assert inputs.shape == targets.shape == valid.shape == det.shape == (7, 2)
    assert inputs[:, 1].tolist() == C.anbn(3)[:-1].tolist()
    assert targets[:, 1].tolist() == C.anbn(3)[1:].tolist()
    assert inputs[:3, 0].tolist() == [C.START, C.A, C.B] and targets[:3, 0].tolist() == [C.A, C.B, C.END]
    assert valid[:, 0].tolist() == [True] * 3 + [False] * 4 and bool(valid[:, 1].all())
    assert det[:, 0].tolist() == [True, False, True] + [False] * 4
    assert det[:, 1].tolist() == C.deterministic(3).tolist()


class Oracle(torch.nn.Module):
    """A hand-made 'model' that counts exactly up to ``limit`` and then predicts E too early."""

    kind = "oracle"

    def __init__(self, limit):
        super().__init__()
        self.limit = limit

    def forward(self, ids):
        T, B = ids.shape
        logits = torch.zeros(T, B, 4)
        for b in range(B):
            seq = ids[:, b].tolist()
            n = seq.count(C.A)
            for t in range(T):
                read = seq[:t + 1]
                if read[-1] in (C.START, C.A):
                    nxt = C.A if read[-1] == C.START else C.B
                elif read[-1] == C.B:
                    left = n - read.count(C.B)
                    nxt = C.B if left > 0 and n <= self.limit else C.END
                else:
                    nxt = C.END
                logits[t, b, nxt] = 1.0
        return logits


def test_scoring_on_a_hand_made_model():
    accuracy, solved = C.solved_by_n(Oracle(limit=4), 6)
    assert solved.tolist() == [True] * 4 + [False] * 2
    # n = 5: deterministic targets S->a, then b b b b E (5); it says E after the first b: 2 of 6 right
    assert accuracy[4] == pytest.approx(2 / 6)
    assert C.solved_up_to(solved) == 4
    assert C.solved_up_to([True, True]) == 2 and C.solved_up_to([False, True]) == 0


def test_training_runs_and_reports_per_seed():
    runs = C.train_counting_seeds("LSTM", N=3, steps=5, n_max=6, seeds=(0, 1), progress=False,
                                  hidden=4, batch=4, log_every=1)
    assert len(runs.models) == len(runs.up_to) == 2
    assert all(len(h) == 5 and np.isfinite(h[-1][1]) for h in runs.histories)
    assert all(a.shape == (6,) and 0 <= a.min() <= a.max() <= 1 for a in runs.accuracy)
    H_all, C_all = C.states_on(runs.models[0], torch.from_numpy(C.make_batch([2])[0].numpy()))
    assert H_all.shape == C_all.shape == (5, 1, 4)
    gru = C.CountingLM("GRU", hidden=3)
    H_all, C_all = C.states_on(gru, C.make_batch([2, 1])[0])
    assert H_all.shape == (5, 2, 3) and C_all is None
    with torch.no_grad():
        out, _ = gru.rnn(gru.embed(C.make_batch([2, 1])[0]))
    assert torch.allclose(out, H_all, atol=1e-6)
    with pytest.raises(ValueError):
        C.CountingLM("RNN")


def test_same_seed_same_model():
    a, _ = C.train_counting("GRU", 3, 3, seed=5, hidden=3, batch=2, progress=False)
    b, _ = C.train_counting("GRU", 3, 3, seed=5, hidden=3, batch=2, progress=False)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_bidirectional_char_model_for_unit_09():
    """The additions to course_utils.charlm that unit 09's demonstration uses."""
    from course_utils.charlm import CharLM, perplexity, perplexity_from_prefix, sample
    from course_utils.tasks import CharVocab

    vocab = CharVocab("abcab cab\n")
    data = vocab.encode("abcab cab\n" * 20)
    torch.manual_seed(0)
    for bidirectional in (False, True):
        model = CharLM(vocab.size, 6, bidirectional=bidirectional)
        logits, h_n = model(torch.from_numpy(data[:7])[:, None])
        assert logits.shape == (7, 1, vocab.size) and h_n.shape == (1 + bidirectional, 1, 6)
        assert np.isfinite(perplexity(model, data, seq_len=20))
        text = sample(model, vocab, "ab", n=5, seed=0)
        assert text.startswith("ab") and len(text) == 7
    # one-directional: the prefix perplexity is the ordinary one over the same windows' last positions
    model = CharLM(vocab.size, 6)
    ppl = perplexity_from_prefix(model, data, context=8, n=30, seed=1)
    rng = np.random.default_rng(1)
    ends = rng.integers(7, len(data) - 1, size=30)
    with torch.no_grad():
        ce = [torch.nn.functional.cross_entropy(model(torch.from_numpy(data[e - 7:e + 1])[:, None])[0][-1],
                                                torch.tensor([data[e + 1]])) for e in ends]
    assert ppl == pytest.approx(float(torch.exp(torch.stack(ce).mean())), rel=1e-5)
