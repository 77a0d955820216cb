"""Where an actor update's time goes on CPU: one micro-batch's forward + backward, top operators.

Why: ``bench_step`` times whole GRPO steps of the real loop; this runs the part that dominates them (the
actor's forward, per-token log-probs and entropy, backward) in one process on a micro-batch shaped like
the demo's (8 sequences of 180-300 tokens, ~2k tokens: one ``ppo_max_token_len_per_gpu=2048`` micro-batch),
in bf16 as FSDP2's mixed precision computes, for the padded layout (transformers' sdpa with a mask) and
the packed one (:mod:`recipe.medu1.cpu.packed_attention` + :mod:`recipe.medu1.cpu.log_probs`). It prints
both wall times side by side, their ratio, the matmul arithmetic rate, and torch's profile of the packed
pass (top operators by self CPU time).

Usage (CPU venv): ``python -m recipe.medu1.cpu.profile_update MODEL_DIR [--repeats 3] [--top 15]``
"""

from __future__ import annotations

import argparse
import time

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
from recipe.medu1.cpu.resources import use_cores

ENTROPY_COEFF = 0.001
"""The demo's (and the paper's) entropy coefficient: the entropy over the vocabulary is part of the pass."""


def micro_batch(vocab: int, sequences: int = 8, seed: int = 0) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.randint(180, 300, (sequences,), generator=generator).tolist()
    return [torch.randint(0, vocab, (n,), generator=generator) for n in lengths]


def padded_pass(model: torch.nn.Module, seqs: list[torch.Tensor]) -> None:
    batch = padded_batch(seqs)
    logits = model(input_ids=batch.ids, attention_mask=batch.mask, position_ids=batch.positions).logits
    log_probs = logprobs_from_logits_v2(logits, torch.roll(batch.ids, -1, dims=1))
    (log_probs.mean() + ENTROPY_COEFF * entropy_from_logits(logits).mean()).backward()


def packed_pass(model: torch.nn.Module, seqs: list[torch.Tensor]) -> None:
    ids, positions = packed_row(seqs)
    logits = model(input_ids=ids, position_ids=positions).logits[0]
    log_probs = token_log_probs(logits, torch.roll(ids[0], -1))
    (log_probs.mean() + ENTROPY_COEFF * entropy_from_logits(logits).mean()).backward()


def best_time(run, model: torch.nn.Module, seqs: list[torch.Tensor], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        model.zero_grad(set_to_none=True)
        start = time.perf_counter()
        run(model, seqs)
        times.append(time.perf_counter() - start)
    return min(times)


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
            args.model_dir, attn_implementation=attn, dtype=torch.bfloat16
        )
        for name, attn in (("padded", "sdpa"), ("packed", ATTENTION_NAME))
    }
    seqs = micro_batch(models["packed"].config.vocab_size)
    tokens, width = sum(len(s) for s in seqs), max(len(s) for s in seqs)
    params = sum(p.numel() for p in models["packed"].parameters())
    times = {
        "padded": best_time(padded_pass, models["padded"], seqs, args.repeats),
        "packed": best_time(packed_pass, models["packed"], seqs, args.repeats),
    }
    padded = len(seqs) * width
    print(f"micro-batch: {len(seqs)} sequences, {tokens} real tokens ({padded} padded), {threads} threads")
    for name, seconds in times.items():
        rate = 6 * params * tokens / seconds / 1e9
        print(f"{name:7} {seconds:6.2f} s  ({rate:5.0f} GFLOP/s of 6 x params x real tokens)")
    print(f"padded / packed: {times['padded'] / times['packed']:.2f}x")
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        packed_pass(models["packed"], seqs)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.top))


if __name__ == "__main__":
    main()
