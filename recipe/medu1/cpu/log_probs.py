"""Per-token log-probabilities from packed logits, vectorised, for verl's remove-padding path on CPU.

Why: verl 0.9.1 computes ``log p(label)`` with ``logprobs_from_logits``, which without flash-attn's
cross-entropy kernel (no CPU build) falls back to ``logprobs_from_logits_v2``: a Python loop over the
first dimension, to bound memory. On padded (batch, seq, vocab) logits that is a loop over a few rows;
on the packed (tokens, vocab) logits of the remove-padding path it is one ``logsumexp`` (fp32 logits) or
one ``log_softmax`` (bf16 logits) *per token*, thousands of small autograd nodes per micro-batch, which
made a 16-response update slower than the padded one it replaced. Here the same quantity,
``logit[label] - logsumexp(logits)``, is computed on blocks of rows: memory stays bounded
(``ROWS_PER_BLOCK`` x vocab fp32 values per block) and each block is one vectorised op.

Values are computed in fp32 whatever the logits' dtype (bf16 logits are upcast block by block), so they
are at least as exact as verl's fallback, which takes bf16 log-softmaxes in bf16.
"""

from __future__ import annotations

from typing import Any

import torch

ROWS_PER_BLOCK = 1024
"""1024 rows x a 49k vocabulary = 200 MB of fp32 per block: the size of one SmolLM2 micro-batch's logits."""


def token_log_probs(logits: torch.Tensor, labels: torch.Tensor, **_verl_kwargs: Any) -> torch.Tensor:
    """``log softmax(logits)[label]`` for each row of (..., vocab) ``logits``; shape of ``labels``.

    Drop-in for verl's ``logprobs_from_logits(logits, labels, inplace_backward=...)``; the in-place flag
    only concerns flash-attn's kernel and is ignored.
    """
    flat_logits = logits.reshape(-1, logits.shape[-1])
    flat_labels = labels.reshape(-1, 1)
    blocks = []
    for block, block_labels in zip(
        flat_logits.split(ROWS_PER_BLOCK), flat_labels.split(ROWS_PER_BLOCK), strict=True
    ):
        block = block.float()
        blocks.append(block.gather(-1, block_labels).squeeze(-1) - torch.logsumexp(block, dim=-1))
    return torch.cat(blocks).view(labels.shape)
