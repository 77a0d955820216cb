"""Where an actor update's time goes on CPU: one micro-batch's forward + backward, top operators.

Why: ``bench_step`` times whole GRPO steps of the real loop; this runs the part that dominates them (the
actor's forward, per-token log-probs and entropy, backward) in one process on a micro-batch shaped like
the demo's (2 prompts of 186-216 tokens with 4 responses of 29-73 tokens each, the lengths the demo's
steps logged), in the dtype the demo's actor computes in (:mod:`recipe.medu1.cpu.precision`), for three
layouts: padded (transformers' sdpa with a mask), packed (verl's remove-padding row: every copy of a
prompt, the LM head at every position) and shared (:mod:`recipe.medu1.cpu.shared_prompts`: each shared
prefix once, the LM head at response positions only). It prints the wall times side by side, their
ratios to the padded layout, the tokens each computes, and torch's profile of the shared pass (top
operators by self CPU time).

Usage (CPU venv): ``python -m recipe.medu1.cpu.profile_update MODEL_DIR [--repeats 3] [--top 15]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from itertools import accumulate

import torch
from torch.profiler import ProfilerActivity, profile
from transformers import AutoModelForCausalLM
from verl.utils.torch_functional import entropy_from_logits, logprobs_from_logits_v2

from recipe.medu1.cpu.log_probs import token_log_probs
from recipe.medu1.cpu.packed_attention import (
    ATTENTION_NAME,
    packed_row,
    padded_batch,
    register_packed_attention,
)
from recipe.medu1.cpu.precision import compute_dtype
from recipe.medu1.cpu.resources import use_cores
from recipe.medu1.cpu.shared_prompts import PackedSequence, shared_layout

ENTROPY_COEFF = 0.001
"""The demo's (and the paper's) entropy coefficient: the entropy over the vocabulary is part of the pass."""
GROUPS, GROUP_SIZE = 2, 4


Pair = tuple[torch.Tensor, torch.Tensor]
"""A sequence as (prompt ids, response ids)."""


def micro_batch(vocab: int, seed: int = 0) -> list[Pair]:
    """``GROUPS`` prompts with ``GROUP_SIZE`` responses each; the responses of a prompt share its ids."""
    generator = torch.Generator().manual_seed(seed)
    seqs = []
    for _ in range(GROUPS):
        prompt = torch.randint(0, vocab, (int(torch.randint(186, 217, (1,), generator=generator)),))
        for _ in range(GROUP_SIZE):
            response = torch.randint(0, vocab, (int(torch.randint(29, 74, (1,), generator=generator)),))
            seqs.append((prompt, response))
    return seqs


def loss(logits: torch.Tensor, log_probs: torch.Tensor) -> None:
    (log_probs.mean() + ENTROPY_COEFF * entropy_from_logits(logits).mean()).backward()


def padded_pass(model: torch.nn.Module, pairs: list[Pair]) -> int:
    seqs = [torch.cat(pair) for pair in pairs]
    batch = padded_batch(seqs)
    logits = model(input_ids=batch.ids, attention_mask=batch.mask, position_ids=batch.positions).logits
    labels = torch.roll(batch.ids, -1, dims=1)
    loss(logits, logprobs_from_logits_v2(logits, labels))
    return batch.ids.numel()


def packed_pass(model: torch.nn.Module, pairs: list[Pair]) -> int:
    ids, positions = packed_row([torch.cat(pair) for pair in pairs])
    logits = model(input_ids=ids, position_ids=positions).logits[0]
    labels = torch.roll(ids[0], -1)
    loss(logits, token_log_probs(logits, labels))
    return ids.numel()


def shared_pass(model: torch.nn.Module, pairs: list[Pair]) -> int:
    ids, _ = packed_row([torch.cat(pair) for pair in pairs])
    starts = accumulate((len(p) + len(r) for p, r in pairs[:-1]), initial=0)
    sequences = [PackedSequence(start, len(p), len(r)) for start, (p, r) in zip(starts, pairs, strict=True)]
    layout = shared_layout(ids[0], sequences)
    logits = model(input_ids=layout.input_ids, position_ids=layout.position_ids, logits_to_keep=layout.keep)
    labels = torch.roll(ids[0], -1)[layout.source]
    loss(logits.logits[0], token_log_probs(logits.logits[0], labels))
    return layout.input_ids.numel()


PASSES: dict[str, Callable[[torch.nn.Module, list[Pair]], int]] = {
    "padded": padded_pass,
    "packed": packed_pass,
    "shared": shared_pass,
}


def best_time(run, model: torch.nn.Module, pairs: list[Pair], repeats: int) -> tuple[float, int]:
    """The fastest of ``repeats`` passes, and the tokens the pass computed."""
    times, tokens = [], 0
    for _ in range(repeats):
        model.zero_grad(set_to_none=True)
        start = time.perf_counter()
        tokens = run(model, pairs)
        times.append(time.perf_counter() - start)
    return min(times), tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir")
    parser.add_argument("--repeats", type=int, default=3, help="passes per layout; the fastest is shown")
    parser.add_argument("--top", type=int, default=15, help="operators in the profile")
    args = parser.parse_args()
    threads = use_cores()
    register_packed_attention()
    models = {
        name: AutoModelForCausalLM.from_pretrained(
            args.model_dir,
            attn_implementation="sdpa" if name == "padded" else ATTENTION_NAME,
            dtype=getattr(torch, compute_dtype()),
        )
        for name in PASSES
    }
    pairs = micro_batch(models["packed"].config.vocab_size)
    real = sum(len(p) + len(r) for p, r in pairs)
    params = sum(p.numel() for p in models["packed"].parameters())
    print(
        f"micro-batch: {len(pairs)} sequences ({GROUPS} prompts x {GROUP_SIZE}), {real} real tokens, "
        f"{threads} threads"
    )
    times = {name: best_time(run, models[name], pairs, args.repeats) for name, run in PASSES.items()}
    for name, (seconds, tokens) in times.items():
        rate = 6 * params * real / seconds / 1e9
        print(
            f"{name:7} {seconds:6.2f} s  {tokens:5d} tokens computed  padded / {name}: "
            f"{times['padded'][0] / seconds:.2f}x  ({rate:5.0f} GFLOP/s of 6 x params x real tokens)"
        )
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        shared_pass(models["shared"], pairs)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.top))


if __name__ == "__main__":
    main()
