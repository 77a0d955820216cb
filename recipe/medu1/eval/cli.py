"""Evaluate a model on Med-U1 benchmark parquets: resumable generation, reward-parser scoring, report.

Usage::

    python -m recipe.medu1.eval --model PATH --data A.parquet [B.parquet ...] --output_dir DIR
    python -m recipe.medu1.eval --rescore DIR [--preset medu1] [--reward_kwarg text_metric=rougeL]

Why a harness of our own: answers are parsed by the same ``reward_score`` code as in training, the
unparsed rate is reported next to accuracy, and the outputs (``predictions.jsonl``, ``metrics.json``,
``report.md``, ``report.png``) are reproducible from one another. See ``eval_store`` for the
resumability guarantees, ``eval_generation`` for the backends and ``eval_metrics`` for the numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from tqdm import tqdm

from recipe.medu1.eval import store as eval_store
from recipe.medu1.eval.generation import (
    BACKENDS,
    Backend,
    Request,
    Sampling,
    encode_prompt,
    make_backend,
    model_context,
    parse_length_budget,
    request_seed,
    vllm_available,
    with_length_budget,
)
from recipe.medu1.eval.report import write_figure, write_markdown
from recipe.medu1.eval.scoring import aggregate, score_terms
from reward_score import PRESETS, compute_score


def load_questions(files: list[str], limit: int | None) -> list[dict[str, Any]]:
    """The rows of every parquet file (first ``limit`` of each), in file order."""
    rows: list[dict[str, Any]] = []
    for file in files:
        table = pq.read_table(file)
        if limit is not None:
            table = table.slice(0, limit)
        rows.extend(table.to_pylist())
    return rows


def question_key(row: dict[str, Any]) -> tuple[str, str, int]:
    info = row["extra_info"]
    return str(row["data_source"]), str(info["split"]), int(info["index"])


def work_items(rows: list[dict[str, Any]], n: int, done: set[eval_store.Key]) -> list[tuple[int, int]]:
    """(row position, sample) pairs still to generate, in data order."""
    return [(pos, s) for pos, row in enumerate(rows) for s in range(n) if (*question_key(row), s) not in done]


def batches(items: list[tuple[int, int]], size: int) -> Iterator[list[tuple[int, int]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def build_settings(args: argparse.Namespace, backend: str, budget: int | None) -> dict[str, Any]:
    """Everything that defines the run; ``eval_store.GENERATION_KEYS`` of it must match on resume."""
    return {
        "model": str(Path(args.model).expanduser().resolve()) if Path(args.model).exists() else args.model,
        "backend": backend,
        "temperature": args.temperature,
        "top_p": args.top_p,
        "max_new_tokens": args.max_new_tokens,
        "n": args.n,
        "seed": args.seed,
        "length_budget": budget,
        "max_model_len": args.max_model_len,
        "preset": args.preset,
        "reward_kwargs": args.reward_kwargs,
        "data": [str(Path(f).resolve()) for f in args.data],
        "limit": args.limit,
    }


def prepare(row: dict[str, Any], budget: int | None) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """The row's chat messages and extra_info, with ``--length_budget`` applied to both."""
    messages = [dict(m) for m in row["prompt"]]
    info = dict(row["extra_info"])
    if budget is not None:
        messages = with_length_budget(messages, int(info.get("length_budget") or 0), budget)
        info["length_budget"] = budget
    return messages, info


def run_batch(
    batch: list[tuple[int, int]],
    rows: list[dict[str, Any]],
    tokenizer: Any,
    backend: Backend,
    max_prompt: int,
    args: argparse.Namespace,
    scoring: dict[str, Any],
) -> list[dict[str, Any]]:
    """Generate and score one batch of (row position, sample) items; returns their records."""
    groups: dict[int, list[int]] = {}
    for pos, sample in batch:
        groups.setdefault(pos, []).append(sample)
    prepared = {pos: prepare(rows[pos], args.length_budget) for pos in groups}
    encoded = {pos: encode_prompt(tokenizer, prepared[pos][0], max_prompt) for pos in groups}
    requests = [
        Request(
            encoded[pos][0], len(samples), request_seed(args.seed, (*question_key(rows[pos]), samples[0]))
        )
        for pos, samples in groups.items()
    ]
    records = []
    for (pos, samples), responses in zip(groups.items(), backend.generate(requests), strict=True):
        row, info = rows[pos], prepared[pos][1]
        ids, original_length = encoded[pos]
        for sample, token_ids in zip(samples, responses, strict=True):
            record = {
                "data_source": row["data_source"],
                "split": info["split"],
                "index": int(info["index"]),
                "sample": sample,
                "source_id": str(info.get("source_id", "")),
                "ground_truth": row["reward_model"]["ground_truth"],
                "extra_info": info,
                "prompt_tokens": len(ids),
                "truncated": original_length > len(ids),
                "response": tokenizer.decode(token_ids, skip_special_tokens=True),
                "response_tokens": len(token_ids),
            }
            record.update(score_terms(record, scoring["preset"], scoring["reward_kwargs"]))
            records.append(record)
    return records


def generate(args: argparse.Namespace, out_dir: Path, settings: dict[str, Any]) -> None:
    """Generate every missing sample, appending each finished batch durably to predictions.jsonl."""
    from transformers import AutoTokenizer

    rows = load_questions(args.data, args.limit)
    path = out_dir / eval_store.PREDICTIONS
    done = {eval_store.record_key(r) for r in eval_store.load_predictions(path)}
    items = work_items(rows, args.n, done)
    if not items:
        print(f"all {len(rows) * args.n} samples already in {path}")
        return
    max_prompt = model_context(args.model, args.max_model_len) - args.max_new_tokens
    if max_prompt <= 0:
        raise SystemExit("--max_new_tokens leaves no room for the prompt in the model's context")
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    sampling = Sampling(args.temperature, args.top_p, args.max_new_tokens)
    backend = make_backend(settings["backend"], args.model, tokenizer, sampling, args.tensor_parallel_size,
                           args.max_model_len)  # fmt: skip
    print(f"{len(done)} samples done, {len(items)} to generate -> {path}")
    tokens, started = 0, time.perf_counter()
    with tqdm(total=len(items), unit="sample", desc="generating", dynamic_ncols=True) as bar:
        for batch in batches(items, args.batch_size):
            records = run_batch(batch, rows, tokenizer, backend, max_prompt, args, settings)
            eval_store.append_records(path, records)
            tokens += sum(r["response_tokens"] for r in records)
            bar.update(len(batch))
            bar.set_postfix(tok_s=f"{tokens / max(time.perf_counter() - started, 1e-9):.1f}")


def write_outputs(out_dir: Path, records: list[dict[str, Any]], config: dict[str, Any]) -> dict[str, Any]:
    """metrics.json, report.md and report.png from the records (nothing else)."""
    metrics = aggregate(records, config)
    eval_store.write_atomic(
        out_dir / eval_store.METRICS, json.dumps(metrics, indent=2, sort_keys=True) + "\n"
    )
    write_markdown(metrics, out_dir / "report.md")
    write_figure(metrics, records, out_dir / "report.png")
    return metrics


def rescore(out_dir: Path, preset: str, reward_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Recompute every record's reward terms under ``preset`` + ``reward_kwargs`` (responses untouched)
    and the reports."""
    path = out_dir / eval_store.PREDICTIONS
    records = eval_store.load_predictions(path)
    if not records:
        raise SystemExit(f"{path}: no predictions to rescore")
    for record in tqdm(records, desc=f"rescoring ({preset})", unit="sample", dynamic_ncols=True):
        record.update(score_terms(record, preset, reward_kwargs))
    eval_store.rewrite_predictions(path, records)
    settings = eval_store.load_settings(out_dir) or {}
    settings["preset"] = preset
    settings["reward_kwargs"] = reward_kwargs
    eval_store.save_settings(out_dir, settings)
    return write_outputs(out_dir, records, settings)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="Hugging Face model directory (or hub id already in the local cache)")
    parser.add_argument("--data", nargs="+", help="benchmark parquet files (verl row format)")
    parser.add_argument("--output_dir", help="run directory (created; rerun the same command to resume)")
    parser.add_argument("--rescore", metavar="DIR", help="rescore DIR/predictions.jsonl without generating")
    parser.add_argument(
        "--backend", choices=BACKENDS, default=None, help="default: vllm if importable, else hf"
    )
    parser.add_argument("--temperature", type=float, default=0.2, help="0 = greedy")
    parser.add_argument("--top_p", type=float, default=0.95)
    parser.add_argument("--max_new_tokens", type=int, default=2048)
    parser.add_argument("--n", type=int, default=1, help="samples per question (mean@n, pass@n when > 1)")
    parser.add_argument("--limit", type=int, default=None, help="first N questions of each file")
    parser.add_argument(
        "--preset", choices=sorted(PRESETS), default="robust", help="reward preset used for scoring"
    )
    parser.add_argument(
        "--reward_kwarg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other compute_score option, e.g. text_metric=rougeL (repeatable; VALUE parsed as JSON "
        "when it is JSON, else a string)",
    )
    parser.add_argument("--tensor_parallel_size", type=int, default=1, help="vLLM only")
    parser.add_argument("--batch_size", type=int, default=16, help="samples per generation call / checkpoint")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--max_model_len",
        type=int,
        default=None,
        help="context length (default: the model config's max_position_embeddings)",
    )
    parser.add_argument(
        "--length_budget",
        default=None,
        metavar="N|exact:N|max:N",
        help="append the training data's 'Think for (maximum) N tokens.' instruction",
    )
    args = parser.parse_args(argv)
    if args.rescore is None and not (args.model and args.data and args.output_dir):
        parser.error("--model, --data and --output_dir are required (or use --rescore DIR)")
    for name in ("n", "batch_size", "max_new_tokens", "tensor_parallel_size", "limit", "max_model_len"):
        if getattr(args, name) is not None and getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive")
    try:
        args.length_budget = parse_length_budget(args.length_budget)
        args.reward_kwargs = parse_reward_kwargs(args.reward_kwarg, args.preset)
    except ValueError as error:
        parser.error(str(error))
    return args


def parse_reward_kwargs(pairs: list[str], preset: str) -> dict[str, Any]:
    """``["text_metric=rougeL", "text_threshold=30"]`` -> options, validated by compute_score itself
    (it checks options before reading the response, so an empty response is enough)."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--reward_kwarg {pair!r}: expected KEY=VALUE")
        try:
            options[key] = json.loads(raw)
        except json.JSONDecodeError:
            options[key] = raw
    compute_score("medqa", "", "A", extra_info={"task": "mcq"}, preset=preset, **options)
    return options


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.rescore is not None:
        metrics = rescore(Path(args.rescore), args.preset, args.reward_kwargs)
        print(f"rescored with preset {args.preset}: macro acc {100 * metrics['macro_acc']:.1f} %")
        return 0
    out_dir = Path(args.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    backend = args.backend or ("vllm" if vllm_available() else "hf")
    settings = build_settings(args, backend, args.length_budget)
    saved = eval_store.load_settings(out_dir)
    if saved is None:
        eval_store.save_settings(out_dir, settings)
    else:
        try:
            eval_store.check_settings(saved, settings)
        except eval_store.SettingsMismatch as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    try:
        generate(args, out_dir, settings)
    except KeyboardInterrupt:
        kept = len(eval_store.load_predictions(out_dir / eval_store.PREDICTIONS))
        print(
            f"\ninterrupted: {kept} samples kept in {out_dir}; rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    records = eval_store.load_predictions(out_dir / eval_store.PREDICTIONS)
    metrics = write_outputs(out_dir, records, settings)
    print((out_dir / "report.md").read_text(encoding="utf-8"))
    print(f"macro acc {100 * metrics['macro_acc']:.1f} % -> {out_dir}")
    return 0
