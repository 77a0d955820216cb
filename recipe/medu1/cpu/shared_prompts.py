"""Each shared prompt prefix once per micro-batch, and the LM head only where a response token is predicted.

Why: a GRPO step samples n responses per prompt, and verl's remove-padding path packs every sequence as
prompt + response, so a group's prompt is computed n times. In the demo the prompts are ~200 tokens and
the responses ~50: four copies of a prompt are ~80 % of the tokens the actor computes, and every one of
them also goes through the 49k-vocabulary LM head, log-softmax and entropy, although the loss reads the
log-probs of response tokens only. In a causal model a token's hidden states do not depend on what
follows it, so computing a shared prefix once and letting every continuation attend to that one copy
gives the same log-probs, and (by linearity of the backward) the same gradients, as computing it per
sequence. The prefixes shared are more than whole prompts: a group's MCQ responses see the options in 4
orders (4 prompts that agree up to the first option), and every prompt starts with the same system prompt.

The layout (:func:`shared_layout`) is the prefix tree of the micro-batch's prompts, depth-first: each
node's tokens once, with the positions they have in their sequences, then the responses to the prompt
ending at that node (positions p..p+r-1), then its branches. The attention
(:mod:`recipe.medu1.cpu.packed_attention`) reads the tree from the positions alone: a segment starting at
position 0 is a root; a segment starting at s > 0 attends, for every position below s, to the latest
token placed before it with that position (its ancestors, in a depth-first layout), and causally to
itself. The LM head is applied only at ``keep``: for each response, its prompt's last position, then its
own tokens but the last, i.e. the positions whose next token is a response token, in the order verl's
loss reads them.

verl 0.9.1 has a shared-prefix option of its own (``actor.use_prefix_grouper``, the PrefixGrouper
package), but only its legacy actor calls it (not the engine workers the V1 trainer uses), on a padded
batch.
"""

from __future__ import annotations

from os.path import commonprefix
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


def shared_layout(ids: torch.Tensor, sequences: list[PackedSequence], stems: bool = True) -> Layout:
    """The prefix-tree layout of a packed row ``ids`` (1-D) holding ``sequences`` (positions 0..L-1 each).

    Prompt tokens that several sequences share from position 0 on are placed once: a prompt its group
    repeats, and with ``stems`` also the part that different prompts have in common (the system prompt
    and question before the options a group sees in 4 orders, the system prompt across groups). A node's
    tokens come first, then the responses to the prompt ending there, then its branches depth-first, in
    order of first appearance. Without ``stems`` only whole prompts are shared (for side-by-side timing).
    A micro-batch whose prompts share nothing gives back the original row (only ``keep`` then differs
    from computing every position).
    """
    prompts = [ids[s.start : s.start + s.prompt_len].tolist() for s in sequences]
    pieces: list[torch.Tensor] = []
    positions: list[torch.Tensor] = []
    keep: list[torch.Tensor | None] = [None] * len(sequences)
    offset = 0

    def place(members: list[int], depth: int) -> None:
        """Place the node from ``depth`` on that ``members`` share (prompts equal up to and at ``depth``)."""
        nonlocal offset
        end = len(commonprefix([prompts[m] for m in members]))  # os.path's, on lists of token ids
        start = sequences[members[0]].start
        pieces.append(ids[start + depth : start + end])
        positions.append(torch.arange(depth, end))
        offset += end - depth
        last_prompt_token = offset - 1
        branches: dict[int, list[int]] = {}
        for index in members:
            if len(prompts[index]) > end:
                branches.setdefault(prompts[index][end], []).append(index)
                continue
            seq = sequences[index]
            response_start = seq.start + end
            pieces.append(ids[response_start : response_start + seq.response_len])
            positions.append(torch.arange(end, end + seq.response_len))
            keep[index] = torch.cat(
                [torch.tensor([last_prompt_token]), torch.arange(offset, offset + seq.response_len - 1)]
            )
            offset += seq.response_len
        for branch in branches.values():
            place(branch, end)

    roots: dict[object, list[int]] = {}
    for index, prompt in enumerate(prompts):
        roots.setdefault(prompt[0] if stems else tuple(prompt), []).append(index)
    for members in roots.values():
        place(members, 0)
    device = ids.device
    return Layout(
        input_ids=torch.cat(pieces)[None],
        position_ids=torch.cat(positions)[None].to(device),
        keep=torch.cat(keep).to(device),  # type: ignore[arg-type]
        source=source_positions(sequences).to(device),
    )
