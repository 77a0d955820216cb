"""Attention over packed sequences on CPU, so that verl's remove-padding path runs without flash-attn.

Why: with ``use_remove_padding=True`` verl concatenates a micro-batch's sequences into one row
(``input_ids`` of shape (1, total_tokens), no attention mask, positions restarting at 0 for every
sequence) and asks the model for ``flash_attention_2``, whose varlen kernel keeps the sequences apart.
flash-attn has no CPU build. transformers' ``sdpa`` would honour the packing only through a dense
(total x total) block-diagonal mask, i.e. attention arithmetic quadratic in the *micro-batch's* tokens
instead of in each sequence's. This module registers one more attention implementation,
``medu1_packed_sdpa``: it finds the sequences of the packed row from ``position_ids`` (a new sequence
starts wherever the position does not follow the previous one, the rule transformers uses for packed
rows) and runs ``scaled_dot_product_attention(is_causal=True)`` on each sequence alone, the fused CPU
kernel without any mask. Linear layers, the LM head and the log-softmax then see only real tokens.

It is selected with ``+actor_rollout_ref.model.override_config.attn_implementation=medu1_packed_sdpa`` and
``actor_rollout_ref.model.use_remove_padding=True`` (``examples/run_medu1_cpu_smoke.sh`` sets both).
Anything it cannot read as packed (a padding mask, a batch of several rows, no positions) goes to
transformers' own ``sdpa`` unchanged.

A row may also hold a prefix tree: sequences sharing one copy of their common prompt tokens
(:mod:`recipe.medu1.cpu.shared_prompts`, depth-first). A segment whose positions start at s > 0 instead
of 0 attends, for every position below s, to the latest token before it with that position (its
ancestors), and causally to itself.
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F

ATTENTION_NAME = "medu1_packed_sdpa"
_FIRST_USE_LOGGED = False


def _log_first_use(parts: int, tokens: int) -> None:
    """One line per process on stderr, so a run's log shows the packed path really ran (tests read it)."""
    global _FIRST_USE_LOGGED
    _FIRST_USE_LOGGED = True
    print(f"[medu1-cpu] packed attention: {parts} segments in a row of {tokens} tokens", file=sys.stderr)


class Segment(NamedTuple):
    """A run of a packed row whose positions count up by one: [start, end) of the row, first position."""

    start: int
    end: int
    first_position: int


def segments(position_ids: torch.Tensor) -> list[Segment]:
    """The segments of a (1, n) position row: a new one starts at index 0 and wherever
    ``position[i] != position[i - 1] + 1`` (the rule transformers uses for packed rows)."""
    positions = position_ids.reshape(-1)
    starts = torch.nonzero(positions[1:] != positions[:-1] + 1).flatten().add(1).tolist()
    edges = [0, *starts, positions.numel()]
    firsts = positions[edges[:-1]].tolist()
    return [Segment(*bounds, first) for *bounds, first in zip(edges[:-1], edges[1:], firsts, strict=True)]


def segment_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    parts: list[Segment],
    dropout: float,
    scaling: float | None,
    gqa: bool,
) -> list[torch.Tensor]:
    """Attention of every segment: causal within a segment starting at 0; a segment starting at s > 0
    also sees, for each position below s, the latest earlier token with that position (its prefix)."""
    lengths = [part.end - part.start for part in parts]
    # split, not slicing: the backward of a split is one concatenation, while each slice's backward
    # would write its gradient into a zero tensor of the whole row (a fill, copy and add of the full
    # row per sequence and layer, which measured slower than the attention itself).
    queries, keys, values = (t.split(lengths, 2) for t in (query, key, value))
    out = []
    # The current prefix: (first position, keys, values) of the segments it is made of, in order, each cut
    # where the next one starts.
    chain: list[tuple[int, torch.Tensor, torch.Tensor]] = []
    for part, q, k, v in zip(parts, queries, keys, values, strict=True):
        shared = part.first_position
        while chain and chain[-1][0] >= shared:
            chain.pop()
        if chain:
            first, k_last, v_last = chain[-1]
            chain[-1] = (first, k_last[:, :, : shared - first], v_last[:, :, : shared - first])
        if sum(entry[1].shape[2] for entry in chain) != shared:
            raise ValueError(
                f"packed row: a segment starts at position {shared} without a prefix of that length before it"
            )
        chain.append((shared, k, v))
        if shared == 0:
            out.append(
                F.scaled_dot_product_attention(
                    q, k, v, dropout_p=dropout, is_causal=True, scale=scaling, enable_gqa=gqa
                )
            )
            continue
        k = torch.cat([entry[1] for entry in chain], dim=2)
        v = torch.cat([entry[2] for entry in chain], dim=2)
        length = part.end - part.start
        # bottom-right causal: the segment's token i sees the shared tokens and its own tokens 0..i
        mask = torch.ones(length, shared + length, dtype=torch.bool, device=q.device).tril(diagonal=shared)
        out.append(
            F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=dropout, scale=scaling, enable_gqa=gqa
            )
        )
    return out


def packed_sdpa_forward(
    module: torch.nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    dropout: float = 0.0,
    scaling: float | None = None,
    **kwargs: Any,
) -> tuple[torch.Tensor, None]:
    """transformers attention-interface signature: (batch, heads, tokens, head_dim) in, (batch, tokens,
    heads, head_dim) out; causal attention within each packed sequence, none across them."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    position_ids = kwargs.get("position_ids")
    packed = attention_mask is None and position_ids is not None and query.shape[0] == 1
    if not packed or position_ids.shape[-1] != query.shape[2] or key.shape[2] != query.shape[2]:
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout, scaling, **kwargs)
    dropout = dropout if module.training else 0.0
    parts = segments(position_ids[..., : query.shape[2]])
    if not _FIRST_USE_LOGGED:
        _log_first_use(len(parts), query.shape[2])
    gqa = getattr(module, "num_key_value_groups", 1) > 1
    pieces = segment_attention(query, key, value, parts, dropout, scaling, gqa)
    return torch.cat(pieces, dim=2).transpose(1, 2).contiguous(), None


class Padded(NamedTuple):
    """A right-padded batch: token ids, attention mask, positions (0 on padding)."""

    ids: torch.Tensor
    mask: torch.Tensor
    positions: torch.Tensor


def padded_batch(seqs: list[torch.Tensor]) -> Padded:
    """The layout without remove-padding: one row per sequence, right-padded to the longest."""
    ids = torch.zeros(len(seqs), max(len(s) for s in seqs), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, seq in enumerate(seqs):
        ids[row, : len(seq)], mask[row, : len(seq)] = seq, 1
    return Padded(ids, mask, (mask.cumsum(-1) - 1).clamp(min=0))


def packed_row(seqs: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """verl's remove-padding layout: (1, tokens) ids and positions restarting at 0 for every sequence."""
    return torch.cat(seqs)[None], torch.cat([torch.arange(len(s)) for s in seqs])[None]


def packed_or_sdpa_mask(*args: Any, attention_mask: torch.Tensor | None = None, **kwargs: Any) -> Any:
    """No mask at all when the model got none (a packed row, or one unpadded sequence: causal either way,
    which the attention above applies); transformers' sdpa mask for a padded batch, which then goes to
    sdpa unchanged."""
    if attention_mask is None:
        return None
    from transformers.masking_utils import sdpa_mask

    return sdpa_mask(*args, attention_mask=attention_mask, **kwargs)


def register_packed_attention() -> None:
    """Make ``attn_implementation="medu1_packed_sdpa"`` known to transformers (idempotent)."""
    from transformers import AttentionInterface
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS

    AttentionInterface.register(ATTENTION_NAME, packed_sdpa_forward)
    ALL_MASK_ATTENTION_FUNCTIONS.register(ATTENTION_NAME, packed_or_sdpa_mask)
