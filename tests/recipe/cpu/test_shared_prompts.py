"""Shared-prefix layout and response-only LM head: the log-probs and gradients of the padded computation.

Tolerance: fp32; response log-probs within 1e-5 absolute, every parameter gradient within 1e-5 of that
tensor's largest gradient (measured: 3e-7 relative; the paths add the same products in another order: a
prompt's gradient is summed once over its responses instead of once per copy). Sharing a prompt wrongly
(a response seeing another response, or the wrong prompt) changes log-probs by orders of magnitude more,
which the control test shows.
"""

from __future__ import annotations

from types import SimpleNamespace

import torch
from tensordict import TensorDict
from verl.utils import tensordict_utils as tu
from verl.utils.torch_functional import entropy_from_logits
from verl.workers.engine.fsdp.transformer_impl import FSDPEngineWithLMHead
from verl.workers.utils.padding import left_right_2_no_padding, no_padding_2_padding

from recipe.medu1.cpu.packed_attention import (
    ATTENTION_NAME,
    padded_batch,
    segments,
)
from recipe.medu1.cpu.response_logits import patch_engine_class
from recipe.medu1.cpu.shared_prompts import PackedSequence, shared_layout

TOLERANCE = 1e-5
TEMPERATURE = 0.7
# (prompt id, response length), interleaved as a micro-batch of verl's dynamic batching may hold them:
# prompt 0 answered three times, prompt 1 once, prompt 2 twice; prompts 3-5 share stems with prompt 0
# (3 and 5 its first 7 tokens, and then 2 more with each other; 4 its first 3), prompt 6 is the first
# 10 tokens of prompt 2 (a prompt ending inside another one's path).
SAMPLES = ((0, 5), (1, 9), (0, 1), (2, 4), (0, 12), (2, 7), (3, 6), (4, 3), (5, 8), (3, 2), (6, 5))
PROMPT_LENGTHS = (11, 6, 17)


def prompt_tokens() -> list[torch.Tensor]:
    """The prompts of SAMPLES: 0-2 drawn with different first tokens, 3-6 built from them."""
    generator = torch.Generator().manual_seed(3)
    prompts = [
        torch.randint(0, 100, (n,), generator=generator) + 100 * i for i, n in enumerate(PROMPT_LENGTHS)
    ]
    fresh = [torch.randint(0, 300, (n,), generator=generator) for n in (5, 8, 4)]
    stem3 = torch.cat([prompts[0][:7], fresh[0]])
    return [
        *prompts,
        stem3,
        torch.cat([prompts[0][:3], fresh[1]]),
        torch.cat([stem3[:9], fresh[2] + 300]),  # 300+: never equal to stem3's next token
        prompts[2][:10],
    ]


def samples() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(prompt ids, response ids) per sample; samples of one prompt id share the same prompt tokens."""
    prompts = prompt_tokens()
    generator = torch.Generator().manual_seed(4)
    return [(prompts[p], torch.randint(0, 300, (r,), generator=generator)) for p, r in SAMPLES]


def padded_reference(model: torch.nn.Module) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Response log-probs (one row per sample, right-padded with 0) and gradients, transformers' sdpa."""
    model.zero_grad()
    seqs = [torch.cat(pair) for pair in samples()]
    batch = padded_batch(seqs)
    logits = model(input_ids=batch.ids, attention_mask=batch.mask, position_ids=batch.positions).logits
    rows = []
    for row, (prompt, response) in enumerate(samples()):
        predicting = logits[row, len(prompt) - 1 : len(prompt) + len(response) - 1].float() / TEMPERATURE
        log_probs = torch.log_softmax(predicting, -1).gather(-1, response[:, None]).squeeze(-1)
        rows.append(torch.nn.functional.pad(log_probs, (0, max(r for _p, r in SAMPLES) - len(response))))
    out = torch.stack(rows)
    weighted_sum(out).backward()
    return out.detach(), {name: p.grad.clone() for name, p in model.named_parameters()}


def weighted_sum(log_probs: torch.Tensor) -> torch.Tensor:
    """A loss that weighs every response token differently, so a misplaced log-prob changes the gradient."""
    return (log_probs * torch.arange(1, log_probs.numel() + 1).view_as(log_probs)).sum()


def micro_batch() -> TensorDict:
    """A micro-batch as verl's engine receives it: left-padded prompts, right-padded responses, converted
    by verl's own left_right_2_no_padding."""
    width_p = max(len(p) for p, _r in samples())
    width_r = max(r for _p, r in SAMPLES)
    n = len(SAMPLES)
    prompts, responses = torch.zeros(n, width_p, dtype=torch.long), torch.zeros(n, width_r, dtype=torch.long)
    mask = torch.zeros(n, width_p + width_r, dtype=torch.long)
    for row, (prompt, response) in enumerate(samples()):
        prompts[row, width_p - len(prompt) :] = prompt
        responses[row, : len(response)] = response
        mask[row, width_p - len(prompt) : width_p + len(response)] = 1
    data = TensorDict(
        {
            "input_ids": torch.cat([prompts, responses], 1),
            "prompts": prompts,
            "responses": responses,
            "attention_mask": mask,
            "response_mask": mask[:, width_p:],
            "position_ids": (mask.cumsum(-1) - 1).clamp(min=0),
        },
        batch_size=n,
    )
    data = left_right_2_no_padding(data)
    tu.assign_non_tensor(data, temperature=TEMPERATURE, use_remove_padding=True, calculate_entropy=True)
    return data


def engine_for(model: torch.nn.Module) -> FSDPEngineWithLMHead:
    """verl's LM-head engine class around a plain model, with only what its two methods read."""
    patch_engine_class(FSDPEngineWithLMHead)
    engine = object.__new__(FSDPEngineWithLMHead)
    engine.module, engine.pad_to_length, engine.use_ulysses_sp = model, False, False
    engine.engine_config = SimpleNamespace(
        entropy_checkpointing=False, entropy_from_logits_with_chunking=False
    )
    engine.compute_entropy_from_logits = entropy_from_logits
    return engine


def engine_log_probs(model: torch.nn.Module) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
    """verl's prepare_model_inputs -> model -> prepare_model_outputs, then the slice verl's loss reads."""
    model.zero_grad()
    data = micro_batch()
    engine = engine_for(model)
    model_inputs, output_args = engine.prepare_model_inputs(data)
    output = model(**model_inputs, use_cache=False)
    model_output = engine.prepare_model_outputs(output, output_args, data, None)
    log_probs = no_padding_2_padding(model_output["log_probs"], data)
    entropy = no_padding_2_padding(model_output["entropy"], data)
    weighted_sum(log_probs).backward()
    grads = {name: p.grad.clone() for name, p in model.named_parameters()}
    return log_probs.detach(), entropy.detach(), grads


def test_layout_puts_each_prompt_once_and_keeps_the_predicting_positions() -> None:
    # verl's row: [A A | x x] [B | y] [A A | z]  (A: prompt of 2 tokens, B: prompt of 1)
    ids = torch.tensor([7, 8, 1, 2, 9, 3, 7, 8, 4])
    seqs = [PackedSequence(0, 2, 2), PackedSequence(4, 1, 1), PackedSequence(6, 2, 1)]
    layout = shared_layout(ids, seqs)
    assert layout.input_ids.tolist() == [[7, 8, 1, 2, 4, 9, 3]]
    assert layout.position_ids.tolist() == [[0, 1, 2, 3, 2, 0, 1]]
    assert layout.keep.tolist() == [1, 2, 5, 1]  # x x, then y, then z (predicted from A's last token)
    assert layout.source.tolist() == [1, 2, 4, 7]
    assert [tuple(s) for s in segments(layout.position_ids)] == [(0, 4, 0), (4, 5, 2), (5, 7, 0)]


def test_layout_places_a_common_stem_once_and_branches_after_it() -> None:
    # verl's row: [S S a | x x] [S S b | y] [S S a | z]: prompts "S S a" and "S S b" share "S S"
    ids = torch.tensor([7, 8, 1, 11, 12, 7, 8, 2, 13, 7, 8, 1, 14])
    seqs = [PackedSequence(0, 3, 2), PackedSequence(5, 3, 1), PackedSequence(9, 3, 1)]
    layout = shared_layout(ids, seqs)
    assert layout.input_ids.tolist() == [[7, 8, 1, 11, 12, 14, 2, 13]]
    assert layout.position_ids.tolist() == [[0, 1, 2, 3, 4, 3, 2, 3]]
    assert layout.keep.tolist() == [2, 3, 6, 2]  # x x after "a", y after "b", z after "a"
    assert layout.source.tolist() == [2, 3, 7, 11]
    assert [tuple(s) for s in segments(layout.position_ids)] == [(0, 5, 0), (5, 6, 3), (6, 8, 2)]
    whole = shared_layout(ids, seqs, stems=False)
    assert whole.input_ids.tolist() == [[7, 8, 1, 11, 12, 14, 7, 8, 2, 13]]


def test_engine_log_probs_entropy_and_gradients_equal_the_padded_computation(tiny_model) -> None:
    reference, reference_grads = padded_reference(tiny_model("sdpa"))
    model = tiny_model(ATTENTION_NAME)
    ours, entropy, grads = engine_log_probs(model)
    torch.testing.assert_close(ours, reference, atol=TOLERANCE, rtol=0)
    mask = reference != 0
    assert (entropy[mask] > 0).all() and (entropy[~mask] == 0).all()
    for name, grad in reference_grads.items():
        assert grad.abs().max() > 0, name
        torch.testing.assert_close(grads[name], grad, atol=TOLERANCE * grad.abs().max(), rtol=0, msg=name)


def test_the_model_computes_each_shared_prefix_once(tiny_model) -> None:
    data = micro_batch()
    model_inputs, _ = engine_for(tiny_model(ATTENTION_NAME)).prepare_model_inputs(data)
    verl_tokens = sum(len(p) + len(r) for p, r in samples())
    # one token per node of the prompts' prefix tree: each distinct prefix's last token
    prefixes = {tuple(p[:i].tolist()) for p in prompt_tokens() for i in range(1, len(p) + 1)}
    shared_tokens = len(prefixes) + sum(r for _p, r in SAMPLES)
    whole_prompts = sum(map(len, prompt_tokens())) + sum(r for _p, r in SAMPLES)
    assert model_inputs["input_ids"].shape == (1, shared_tokens)
    assert shared_tokens < whole_prompts < verl_tokens
    assert model_inputs["logits_to_keep"].numel() == sum(r for _p, r in SAMPLES)


def test_a_response_attending_to_another_prompt_changes_the_log_probs(tiny_model) -> None:
    """The control: the same layout with a branch moved under the wrong prompt differs by far more."""
    model = tiny_model(ATTENTION_NAME)
    ids = torch.tensor([5, 6, 7, 1, 2, 3, 9, 8, 4])
    right = shared_layout(ids, [PackedSequence(0, 3, 3), PackedSequence(6, 2, 1)])
    logits = model(input_ids=right.input_ids, position_ids=right.position_ids).logits[0]
    # the same tokens, but the last response now continues the first prompt (positions 3.. after it)
    wrong_positions = torch.tensor([[0, 1, 2, 3, 4, 5, 3, 4, 5]])
    wrong = model(input_ids=ids[None], position_ids=wrong_positions).logits[0]
    assert (logits[-1] - wrong[-1]).abs().max() > 100 * TOLERANCE


def test_fused_kernels_and_other_attentions_are_left_to_verl(tiny_model) -> None:
    data = micro_batch()
    tu.assign_non_tensor(data, use_fused_kernels=True)
    engine = engine_for(tiny_model(ATTENTION_NAME))
    model_inputs, output_args = engine.prepare_model_inputs(data)
    assert "logits_to_keep" not in model_inputs and "medu1_shared_layout" not in output_args
    sdpa_engine = engine_for(tiny_model("sdpa"))
    model_inputs, _ = sdpa_engine.prepare_model_inputs(micro_batch())
    assert "logits_to_keep" not in model_inputs
