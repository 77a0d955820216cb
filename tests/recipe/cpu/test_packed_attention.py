"""The packed-sequence attention equals the padded computation: log-probs and gradients, uneven lengths.

Tolerance: fp32 everywhere, absolute 1e-5 on log-probs and gradients (measured differences ~1e-6: the
two paths sum the same products in a different order). A packed row that leaked attention across its
sequences would differ by orders of magnitude more, which the last test shows.
"""

from __future__ import annotations

import pytest
import torch

from recipe.medu1.cpu.packed_attention import (
    ATTENTION_NAME,
    packed_row,
    padded_batch,
    segment_attention,
    segments,
)

LENGTHS = (7, 19, 3, 12, 1)
TOLERANCE = 1e-5


def sequences() -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    return [torch.randint(0, 300, (n,), generator=generator) for n in LENGTHS]


def next_token_log_probs(logits: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    return torch.log_softmax(logits[:-1].float(), -1).gather(-1, ids[1:, None]).squeeze(-1)


def padded_log_probs(model: torch.nn.Module, seqs: list[torch.Tensor]) -> torch.Tensor:
    """The reference: a right-padded batch with its attention mask, transformers' own sdpa."""
    batch = padded_batch(seqs)
    logits = model(input_ids=batch.ids, attention_mask=batch.mask, position_ids=batch.positions).logits
    return torch.cat([next_token_log_probs(logits[r, : len(s)], s) for r, s in enumerate(seqs)])


def packed_log_probs(model: torch.nn.Module, seqs: list[torch.Tensor]) -> torch.Tensor:
    """verl's remove-padding layout: one row of all tokens, no mask, positions restarting per sequence."""
    ids, positions = packed_row(seqs)
    logits = model(input_ids=ids, attention_mask=None, position_ids=positions).logits[0]
    out, start = [], 0
    for seq in seqs:
        out.append(next_token_log_probs(logits[start : start + len(seq)], seq))
        start += len(seq)
    return torch.cat(out)


def log_probs_and_grads(model: torch.nn.Module, forward) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    model.zero_grad()
    log_probs = forward(model, sequences())
    log_probs.sum().backward()
    return log_probs.detach(), {name: p.grad.clone() for name, p in model.named_parameters()}


def test_segments_split_where_positions_do_not_follow() -> None:
    positions = torch.tensor([[0, 1, 2, 0, 1, 0, 0, 1, 2, 3, 2, 3]])
    assert segments(positions) == [(0, 3, 0), (3, 5, 0), (5, 6, 0), (6, 10, 0), (10, 12, 2)]
    assert segments(torch.arange(5)[None]) == [(0, 5, 0)]


def test_packed_log_probs_and_gradients_equal_the_padded_computation(tiny_model) -> None:
    padded_lp, padded_grads = log_probs_and_grads(tiny_model("sdpa"), padded_log_probs)
    packed_lp, packed_grads = log_probs_and_grads(tiny_model(ATTENTION_NAME), packed_log_probs)
    assert packed_lp.shape == (sum(LENGTHS) - len(LENGTHS),)
    torch.testing.assert_close(packed_lp, padded_lp, atol=TOLERANCE, rtol=0)
    assert padded_grads.keys() == packed_grads.keys()
    for name, grad in padded_grads.items():
        assert grad.abs().max() > 0, name  # every parameter takes part, so the comparison means something
        torch.testing.assert_close(packed_grads[name], grad, atol=TOLERANCE, rtol=0, msg=name)


def test_plain_sdpa_on_the_packed_row_leaks_across_sequences(tiny_model) -> None:
    """The control: without the packed attention the same row attends across sequences and differs."""
    model = tiny_model("sdpa")
    reference = padded_log_probs(model, sequences()).detach()
    ids, _positions = packed_row(sequences())
    logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits[0]
    leaked, start = [], 0
    for seq in sequences():
        leaked.append(next_token_log_probs(logits[start : start + len(seq)], seq))
        start += len(seq)
    assert (torch.cat(leaked).detach() - reference).abs().max() > 100 * TOLERANCE


@pytest.mark.parametrize("with_mask", [True, False])
def test_anything_not_packed_falls_back_to_sdpa(tiny_model, with_mask: bool) -> None:
    """A padded batch (several rows, a mask) gives exactly what transformers' sdpa gives."""
    seqs = sequences()[:3] if with_mask else [sequences()[1]]
    reference = padded_log_probs(tiny_model("sdpa"), seqs).detach()
    ours = padded_log_probs(tiny_model(ATTENTION_NAME), seqs).detach()
    torch.testing.assert_close(ours, reference, atol=TOLERANCE, rtol=0)


def test_a_segment_without_a_prefix_of_its_start_position_is_refused() -> None:
    # root of 3 tokens, then a segment starting at position 5: positions 3 and 4 were never placed
    q = torch.zeros(1, 1, 5, 4)
    parts = segments(torch.tensor([[0, 1, 2, 5, 6]]))
    with pytest.raises(ValueError, match="starts at position 5 without a prefix"):
        segment_attention(q, q, q, parts, 0.0, None, False)
