"""The vectorised per-token log-probs equal verl's own fallback (fp32) and are closer to exact (bf16)."""

from __future__ import annotations

import pytest
import torch
from verl.utils.torch_functional import logprobs_from_logits_v2

from recipe.medu1.cpu import log_probs


@pytest.fixture
def packed() -> tuple[torch.Tensor, torch.Tensor]:
    """2500 packed tokens (more than two blocks) over a 300-word vocabulary."""
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(2500, 300, generator=generator) * 4
    return logits, torch.randint(0, 300, (2500,), generator=generator)


def test_fp32_values_and_gradients_equal_verls_fallback(packed) -> None:
    logits, labels = packed
    ours_in = logits.clone().requires_grad_()
    verl_in = logits.clone().requires_grad_()
    ours, theirs = log_probs.token_log_probs(ours_in, labels), logprobs_from_logits_v2(verl_in, labels)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=0)
    (ours * torch.arange(2500)).sum().backward()
    (theirs * torch.arange(2500)).sum().backward()
    torch.testing.assert_close(ours_in.grad, verl_in.grad, atol=1e-4, rtol=1e-5)


def test_bf16_logits_are_read_in_fp32(packed) -> None:
    logits, labels = packed
    exact = torch.log_softmax(logits.bfloat16().double(), -1).gather(-1, labels[:, None]).squeeze(-1)
    ours = log_probs.token_log_probs(logits.bfloat16(), labels)
    theirs = logprobs_from_logits_v2(logits.bfloat16(), labels)
    assert ours.dtype == torch.float32
    assert (ours.double() - exact).abs().max() < 1e-5
    assert (ours.double() - exact).abs().max() < (theirs.double() - exact).abs().max()


def test_any_leading_shape_and_block_edges(packed, monkeypatch: pytest.MonkeyPatch) -> None:
    logits, labels = packed
    monkeypatch.setattr(log_probs, "ROWS_PER_BLOCK", 7)  # many blocks and a ragged last one
    batched = log_probs.token_log_probs(logits.view(5, 500, 300), labels.view(5, 500))
    assert batched.shape == (5, 500)
    torch.testing.assert_close(batched.flatten(), logprobs_from_logits_v2(logits, labels), atol=1e-5, rtol=0)
