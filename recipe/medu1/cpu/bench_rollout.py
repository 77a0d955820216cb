"""vLLM-CPU generation through the CPU adapter (packed GEMMs, repacked after each weight sync) against
``F.linear`` on the live weight (what the adapter did before) and vLLM-CPU without the adapter.

Why: verl's weight sync writes new weights into vLLM's layers, which vLLM-CPU's packed copies would not
see; the adapter keeps each layer's weight and lets vLLM repack it after every sync
(:mod:`recipe.medu1.cpu.patches`). This measures what the packed GEMMs buy over the live-weight
``F.linear`` the adapter used before (``MEDU1_CPU_VLLM_PACKED=0``), and that the adapter's engine runs
as fast as vLLM's own: the same prompts (the demo's training rows, chat-templated), the same sampling
(seeded, the demo's temperature, ``n`` responses per prompt), the demo's engine settings (its dtype, eager,
its length caps), each variant in a fresh process, one warm-up generation then ``--repeats`` timed ones.
Printed: generated tokens, seconds, tokens per second and the ratio to the live-weight engine's rate.
Every variant uses every allowed core (``use_cores``). The cost of the repack itself is part of
``bench_step``'s step (its ``live_weight_rollout`` variant is the training loop without it).

Usage (CPU venv): ``python -m recipe.medu1.cpu.bench_rollout MODEL_DIR TRAIN.parquet [--prompts 4] [--n 4]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

VARIANTS = ("live_weight", "adapter", "vllm_own")
"""live_weight: the adapter with ``F.linear`` on the live weight; adapter: what training runs (packed,
repacked after each sync); vllm_own: vLLM-CPU without the adapter."""


def measure(variant: str, args: argparse.Namespace) -> dict[str, float]:
    """Run in a fresh process: build the engine for ``variant`` and time the generations."""
    if variant == "vllm_own":
        from recipe.medu1.cpu.resources import use_cores

        use_cores()
    else:
        from recipe.medu1.cpu.patches import VLLM_PACKED_ENV

        os.environ["VERL_PLATFORM"] = "cpu"
        os.environ[VLLM_PACKED_ENV] = "0" if variant == "live_weight" else "1"
        import recipe.medu1.cpu  # noqa: F401  (activates the adapter, GEMM patch included)
    import pyarrow.parquet as pq
    from transformers import AutoTokenizer
    from vllm import LLM, SamplingParams

    from recipe.medu1.cpu.precision import compute_dtype
    from recipe.medu1.eval.prompts import encode_prompt

    tokenizer = AutoTokenizer.from_pretrained(args.model_dir)
    rows = pq.read_table(args.train_file, columns=["prompt"]).to_pylist()[: args.prompts]
    room = args.max_model_len - args.max_tokens
    prompts = [{"prompt_token_ids": encode_prompt(tokenizer, r["prompt"], room).ids} for r in rows]
    llm = LLM(
        model=args.model_dir,
        dtype=compute_dtype(),
        enforce_eager=True,
        max_model_len=args.max_model_len,
        max_num_batched_tokens=4096,
        seed=args.seed,
    )
    params = SamplingParams(n=args.n, temperature=args.temperature, max_tokens=args.max_tokens)
    llm.generate(prompts, params, use_tqdm=False)  # warm-up
    tokens, seconds = 0, 0.0
    for _ in range(args.repeats):
        start = time.perf_counter()
        outputs = llm.generate(prompts, params, use_tqdm=False)
        seconds += time.perf_counter() - start
        tokens += sum(len(c.token_ids) for out in outputs for c in out.outputs)
    return {"tokens": tokens, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir")
    parser.add_argument("train_file")
    parser.add_argument("--prompts", type=int, default=4)
    parser.add_argument("--n", type=int, default=4, help="responses per prompt")
    parser.add_argument("--max_tokens", type=int, default=128)
    parser.add_argument("--max_model_len", type=int, default=448)
    parser.add_argument("--temperature", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print("MEDU1_BENCH " + json.dumps(measure(args.worker, args)), flush=True)
        return
    results = {}
    for variant in VARIANTS:
        run = subprocess.run(
            [sys.executable, "-m", "recipe.medu1.cpu.bench_rollout", *sys.argv[1:], "--worker", variant],
            capture_output=True,
            text=True,
            env={**os.environ, "VLLM_TARGET_DEVICE": "cpu"},
        )
        lines = [line for line in run.stdout.splitlines() if line.startswith("MEDU1_BENCH ")]
        if run.returncode != 0 or not lines:
            sys.exit(f"{variant} failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
        results[variant] = json.loads(lines[-1].split(" ", 1)[1])
    print(
        f"{args.prompts} prompts x {args.n} responses, <= {args.max_tokens} tokens, {args.repeats} timed runs"
    )
    print(table(results))


def table(results: dict[str, dict[str, float]]) -> str:
    """Markdown: generated tokens, seconds and tokens/s per variant, and the rate relative to live_weight."""
    reference = results["live_weight"]["tokens"] / results["live_weight"]["seconds"]
    lines = ["| variant | tokens | seconds | tokens/s | / live_weight |", "|---|---|---|---|---|"]
    for variant, r in results.items():
        rate = r["tokens"] / r["seconds"]
        lines.append(
            f"| {variant} | {r['tokens']:.0f} | {r['seconds']:.1f} | {rate:.1f} | {rate / reference:.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
