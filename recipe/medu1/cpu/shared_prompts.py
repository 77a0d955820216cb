"""One copy of each prompt per micro-batch, and the LM head only where a response token is predicted.

Why: a GRPO step samples n responses per prompt, and verl's remove-padding path packs every sequence as
prompt + response, so a group's prompt is computed n times. In the demo the prompts are ~200 tokens and
the responses ~50: four copies of a prompt are ~80 % of the tokens the actor computes, and every one of
them also goes through the 49k-vocabulary LM head, log-softmax and entropy, although the loss reads the
log-probs of response tokens only. In a causal model a prompt's hidden states do not depend on what
follows it, so computing the prompt once and letting each response attend to that one copy gives the
same log-probs, and (by linearity of the backward) the same gradients, as computing it n times.

The layout (:func:`shared_layout`): each distinct prompt of a micro-batch once, with positions
0..p-1, followed by every response to it with positions p..p+r-1. The attention
(:mod:`recipe.medu1.cpu.packed_attention`) reads that tree from the positions alone: a segment
starting at position 0 is a prompt (with its first response), a segment starting at s > 0 is a further
response, which attends to the first s tokens of the last prompt and causally to itself. The LM head is
applied only at ``keep``: for each response, its prompt's last position, then its own tokens but the
last, i.e. the positions whose next token is a response token, in the order verl's loss reads them.

verl 0.9.1 has a shared-prefix option of its own (``actor.use_prefix_grouper``, the PrefixGrouper
package), but only its legacy actor calls it (not the engine workers the V1 trainer uses), on a padded
batch.
"""

from __future__ import annotations

from typing import NamedTuple

import torch


class PackedSequence(NamedTuple):
    """One sequence of verl's packed row: where it starts and how many prompt and response tokens it has."""

    start: int
    prompt_len: int
    response_len: int


class Layout(NamedTuple):
    """The row the model computes and where its predictions go.

    ``keep[i]`` is a position of the new row whose logits predict the response token that verl's
    original row predicts at position ``source[i]`` (both sequence by sequence, token by token).
    """

    input_ids: torch.Tensor
    position_ids: torch.Tensor
    keep: torch.Tensor
    source: torch.Tensor


def source_positions(sequences: list[PackedSequence]) -> torch.Tensor:
    """Positions of the original packed row whose next token is a response token, in order."""
    return torch.cat(
        [
            torch.arange(s.start + s.prompt_len - 1, s.start + s.prompt_len + s.response_len - 1)
            for s in sequences
        ]
    )


def has_plain_positions(positions: torch.Tensor, sequences: list[PackedSequence]) -> bool:
    """True when every sequence's positions are 0..length-1 (what the tree layout assumes)."""
    return all(
        torch.equal(
            positions[s.start : s.start + s.prompt_len + s.response_len],
            torch.arange(s.prompt_len + s.response_len, dtype=positions.dtype, device=positions.device),
        )
        for s in sequences
    )


def shared_layout(ids: torch.Tensor, sequences: list[PackedSequence]) -> Layout:
    """The prompt-once layout of a packed row ``ids`` (1-D) holding ``sequences`` (positions 0..L-1 each).

    Prompts are grouped by their token ids, in order of first appearance; a micro-batch without repeated
    prompts gives back the original row (only ``keep`` then differs from computing every position).
    """
    groups: dict[tuple[int, ...], list[int]] = {}
    for index, seq in enumerate(sequences):
        prompt = tuple(ids[seq.start : seq.start + seq.prompt_len].tolist())
        groups.setdefault(prompt, []).append(index)
    pieces: list[torch.Tensor] = []
    positions: list[torch.Tensor] = []
    keep: list[torch.Tensor | None] = [None] * len(sequences)
    offset = 0
    for members in groups.values():
        first = sequences[members[0]]
        prompt_len = first.prompt_len
        pieces.append(ids[first.start : first.start + prompt_len])
        positions.append(torch.arange(prompt_len))
        last_prompt_token = offset + prompt_len - 1
        offset += prompt_len
        for index in members:
            seq = sequences[index]
            response_start = seq.start + prompt_len
            pieces.append(ids[response_start : response_start + seq.response_len])
            positions.append(torch.arange(prompt_len, prompt_len + seq.response_len))
            keep[index] = torch.cat(
                [torch.tensor([last_prompt_token]), torch.arange(offset, offset + seq.response_len - 1)]
            )
            offset += seq.response_len
    device = ids.device
    return Layout(
        input_ids=torch.cat(pieces)[None],
        position_ids=torch.cat(positions)[None].to(device),
        keep=torch.cat(keep).to(device),  # type: ignore[arg-type]
        source=source_positions(sequences).to(device),
    )
