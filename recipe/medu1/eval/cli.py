"""Evaluate a model on Med-U1 benchmark parquets: resumable generation, reward-parser scoring, report.

Usage::

    python -m recipe.medu1.eval --model PATH --data A.parquet [B.parquet ...] --output_dir DIR
    python -m recipe.medu1.eval --rescore DIR [--preset medu1] [--reward_kwarg KEY=VALUE] [--freeform]

Why a harness of our own: answers are parsed by the same ``reward_score`` code as in training, the
unparsed rate and the rule that read each answer are reported next to accuracy, and the outputs
(``predictions.jsonl``, ``metrics.json``, ``report.md``, ``report.png``) are reproducible from one another.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf
from tqdm import tqdm

from data_preprocess.core.files import write_atomic
from recipe.medu1.eval import store
from recipe.medu1.eval.generation import BACKENDS, DEFAULT_BATCH_SIZE, DTYPES, seed_scope, vllm_available
from recipe.medu1.eval.length_figure import write_length_figure
from recipe.medu1.eval.prompts import parse_length_budgets
from recipe.medu1.eval.report import write_figure, write_markdown
from recipe.medu1.eval.runner import generate, scoring_of
from recipe.medu1.eval.scoring import aggregate, score_terms
from reward_score import PRESETS, compute_score

#: Training's ``data.max_prompt_length``, read from the recipe itself so the two cannot drift: the report
#: counts the prompts that training's overlong filter would drop.
TRAIN_MAX_PROMPT_LENGTH = int(
    OmegaConf.load(Path(__file__).resolve().parents[1] / "config" / "medu1.yaml").data.max_prompt_length
)


def build_settings(args: argparse.Namespace, backend: str) -> dict[str, Any]:
    """Everything that defines the run; ``store.GENERATION_KEYS`` of it must match on resume."""
    return {
        "model": str(Path(args.model).expanduser().resolve()) if Path(args.model).exists() else args.model,
        "backend": backend,
        "seed_scope": seed_scope(backend),
        "temperature": args.temperature,
        "top_p": args.top_p,
        "max_new_tokens": args.max_new_tokens,
        "n": args.n,
        "seed": args.seed,
        "length_budgets": args.length_budget,
        "max_model_len": args.max_model_len,
        "dtype": args.dtype,
        "preset": args.preset,
        "reward_kwargs": args.reward_kwargs,
        "freeform": args.freeform,
        "train_max_prompt_length": args.train_max_prompt_length,
        "data": [str(Path(f).resolve()) for f in args.data],
        "limit": args.limit,
    }


def write_outputs(out_dir: Path, records: list[dict[str, Any]], config: dict[str, Any]) -> dict[str, Any]:
    """metrics.json, report.md and report.png (and length_adherence.png with length budgets) from the
    records (nothing else)."""
    metrics = aggregate(records, config)
    write_atomic(out_dir / store.METRICS, json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    write_markdown(metrics, out_dir / "report.md")
    write_figure(metrics, records, out_dir / "report.png")
    if "length_adherence" in metrics:
        adherence = {"this run": metrics["length_adherence"]["all"]}
        write_length_figure(adherence, out_dir / "length_adherence.png")
    return metrics


def rescore(out_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Recompute every record's reward terms under the requested scoring (responses untouched), and the
    reports."""
    path = out_dir / store.PREDICTIONS
    records = store.load_predictions(path)
    if not records:
        raise SystemExit(f"{path}: no predictions to rescore")
    settings = store.load_settings(out_dir) or {}
    settings.update(
        preset=args.preset,
        reward_kwargs=args.reward_kwargs,
        freeform=args.freeform,
        train_max_prompt_length=args.train_max_prompt_length,
    )
    scoring = scoring_of(settings)
    for record in tqdm(records, desc=f"rescoring ({args.preset})", unit="sample", dynamic_ncols=True):
        for stale in ("acc_freeform", "rule_freeform"):
            record.pop(stale, None)
        record.update(score_terms(record, scoring))
    store.rewrite_predictions(path, records)
    store.save_settings(out_dir, settings)
    return write_outputs(out_dir, records, settings)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--model", help="Hugging Face model directory (or hub id already in the local cache)")
    add("--data", nargs="+", help="benchmark parquet files (verl row format)")
    add("--output_dir", help="run directory (created; rerun the same command to resume)")
    add("--rescore", metavar="DIR", help="rescore DIR/predictions.jsonl without generating")
    add("--backend", choices=BACKENDS, default=None, help="default: vllm if importable, else hf")
    add("--temperature", type=float, default=0.2, help="0 = greedy")
    add("--top_p", type=float, default=0.95)
    add("--max_new_tokens", type=int, default=2048)
    add("--n", type=int, default=1, help="samples per question (mean@n, pass@n when > 1)")
    add("--limit", type=int, default=None, help="first N questions of each file")
    add("--preset", choices=sorted(PRESETS), default="robust", help="reward preset used for scoring")
    add(
        "--reward_kwarg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other compute_score option, e.g. text_metric=rougeL (repeatable; VALUE parsed as JSON "
        "when it is JSON, else a string)",
    )
    add(
        "--freeform",
        action="store_true",
        help="also score acc_freeform: the same scoring plus the free-form fallback for tag-less answers",
    )
    add(
        "--train_max_prompt_length",
        type=int,
        default=TRAIN_MAX_PROMPT_LENGTH,
        help="training's data.max_prompt_length; the report counts prompts longer than it per benchmark",
    )
    add("--tensor_parallel_size", type=int, default=1, help="vLLM only")
    add(
        "--batch_size",
        type=int,
        default=None,
        help="samples per generation call and durable append (default: vllm "
        f"{DEFAULT_BATCH_SIZE['vllm']}, hf {DEFAULT_BATCH_SIZE['hf']})",
    )
    add("--seed", type=int, default=0)
    add("--max_model_len", type=int, default=None, help="context length (default: the model config's)")
    add(
        "--dtype",
        choices=DTYPES,
        default=None,
        help="the dtype the model computes in, both backends (default: the checkpoint's; on a CPU without "
        "bf16 instructions float32 for a bfloat16 checkpoint)",
    )
    add(
        "--length_budget",
        nargs="+",
        default=None,
        metavar="none|N|exact:N|max:N",
        help="ask every question once per budget, with the training data's 'Think for N tokens.' (N, "
        "exact:N) or 'Think for maximum N tokens.' (max:N) instead of the row's own instruction, or with "
        "none (none); the report gives the length adherence per budget (default: rows as written)",
    )
    return checked(parser, parser.parse_args(argv))


def checked(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """Refuse incomplete or non-positive arguments (argparse-style exit 2) and parse the structured ones."""
    if args.rescore is None and not (args.model and args.data and args.output_dir):
        parser.error("--model, --data and --output_dir are required (or use --rescore DIR)")
    positive = ("n", "batch_size", "max_new_tokens", "tensor_parallel_size", "limit", "max_model_len")
    for name in (*positive, "train_max_prompt_length"):
        if getattr(args, name) is not None and getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive")
    try:
        args.length_budget = parse_length_budgets(args.length_budget)
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
        if key == "freeform_fallback":
            raise ValueError("--reward_kwarg freeform_fallback: use --freeform (its own acc_freeform column)")
        try:
            options[key] = json.loads(raw)
        except json.JSONDecodeError:
            options[key] = raw
    compute_score("medqa", "", "A", extra_info={"task": "mcq"}, preset=preset, **options)
    return options


def evaluate(args: argparse.Namespace) -> int:
    """Generate what is missing in ``--output_dir``, then write and print the report."""
    out_dir = Path(args.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    backend = args.backend or ("vllm" if vllm_available() else "hf")
    settings = build_settings(args, backend)
    saved = store.load_settings(out_dir)
    if saved is not None:
        try:
            store.check_settings(saved, settings)
        except store.SettingsMismatch as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    store.save_settings(out_dir, settings)  # the data selection and report settings may change on resume
    try:
        generate(out_dir, settings, args.batch_size or DEFAULT_BATCH_SIZE[backend], args.tensor_parallel_size)
    except KeyboardInterrupt:
        kept = len(store.load_predictions(out_dir / store.PREDICTIONS))
        print(
            f"\ninterrupted: {kept} samples kept in {out_dir}; rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    records = store.load_predictions(out_dir / store.PREDICTIONS)
    metrics = write_outputs(out_dir, records, settings)
    print((out_dir / "report.md").read_text(encoding="utf-8"))
    print(f"macro acc {100 * metrics['macro_acc']:.1f} % -> {out_dir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.rescore is None:
        return evaluate(args)
    metrics = rescore(Path(args.rescore), args)
    print(f"rescored with preset {args.preset}: macro acc {100 * metrics['macro_acc']:.1f} %")
    return 0
