"""The resumable generation loop: which samples are left, how a batch is generated, scored and stored.

Why batches are appended one by one: a pass over thousands of questions takes hours and gets killed;
each finished batch is fsync'ed to ``predictions.jsonl`` before the next starts (see ``store``), so a
rerun of the same command generates only what is missing. The batch size trades resume granularity
for throughput: vLLM gets hundreds of prompts per call and schedules them itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow.parquet as pq
from tqdm import tqdm

from data_preprocess.core.prompts import with_length_budget
from recipe.medu1.eval import store
from recipe.medu1.eval.generation import (
    Backend,
    EngineOptions,
    Request,
    Sampling,
    hit_cap,
    make_backend,
    model_context,
    request_seed,
)
from recipe.medu1.eval.prompts import encode_prompt
from recipe.medu1.eval.scoring import Scoring, score_terms

#: (row position in the loaded questions, requested length budget or None for the row's own, sample number)
Item = tuple[int, int | None, int]


class Job(NamedTuple):
    """What one batch needs besides its items: the questions, tokenizer, backend and run settings."""

    rows: list[dict[str, Any]]
    tokenizer: Any
    backend: Backend
    max_prompt_tokens: int
    settings: dict[str, Any]


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


def effective_budget(row: dict[str, Any], budget: int | None) -> int:
    """The budget a row's prompt carries under a requested one (None: the row's own)."""
    return int(row["extra_info"].get("length_budget") or 0) if budget is None else budget


def work_items(
    rows: list[dict[str, Any]], n: int, budgets: list[int] | None, done: set[store.Key]
) -> list[Item]:
    """(row position, budget, sample) items still to generate, in data order, every budget of a row
    together (``budgets`` None: each row once, as written)."""
    return [
        (pos, budget, s)
        for pos, row in enumerate(rows)
        for budget in (budgets if budgets is not None else [None])
        for s in range(n)
        if (*question_key(row), effective_budget(row, budget), s) not in done
    ]


def batches(items: list[Item], size: int) -> Iterator[list[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def scoring_of(settings: dict[str, Any]) -> Scoring:
    return Scoring(settings["preset"], settings["reward_kwargs"], settings["freeform"])


def run_batch(batch: list[Item], job: Job) -> list[dict[str, Any]]:
    """Generate and score one batch of (row position, budget, sample) items; returns their records.

    The request seed depends on the question and sample only, so a question's budgets share their random
    stream and a run without budgets draws exactly what it drew before budgets existed."""
    groups: dict[tuple[int, int | None], list[int]] = {}
    for pos, budget, sample in batch:
        groups.setdefault((pos, budget), []).append(sample)
    prepared = {key: with_length_budget(job.rows[key[0]], key[1]) for key in groups}
    encoded = {key: encode_prompt(job.tokenizer, prepared[key][0], job.max_prompt_tokens) for key in groups}
    seed = job.settings["seed"]
    requests = [
        Request(
            encoded[key].ids, len(samples), request_seed(seed, (*question_key(job.rows[key[0]]), samples[0]))
        )
        for key, samples in groups.items()
    ]
    max_new_tokens = job.settings["max_new_tokens"]
    records = []
    for (key, samples), responses in zip(groups.items(), job.backend.generate(requests), strict=True):
        row, info = job.rows[key[0]], prepared[key][1]
        prompt = encoded[key]
        for sample, token_ids in zip(samples, responses, strict=True):
            record = {
                "data_source": row["data_source"],
                "split": info["split"],
                "index": int(info["index"]),
                "sample": sample,
                "source_id": str(info.get("source_id", "")),
                "ground_truth": row["reward_model"]["ground_truth"],
                "extra_info": info,
                "prompt_tokens": prompt.full_length,
                "truncated": prompt.full_length > len(prompt.ids),
                "response": job.tokenizer.decode(token_ids, skip_special_tokens=True),
                "response_tokens": len(token_ids),
                "capped": hit_cap(token_ids, job.backend.stop, max_new_tokens),
            }
            record.update(score_terms(record, scoring_of(job.settings)))
            records.append(record)
    return records


def generate(out_dir: Path, settings: dict[str, Any], batch_size: int, tensor_parallel_size: int) -> None:
    """Generate every missing sample of the run ``settings`` describe, appending each finished batch
    durably to predictions.jsonl."""
    from transformers import AutoTokenizer

    rows = load_questions(settings["data"], settings["limit"])
    path = out_dir / store.PREDICTIONS
    done = {store.record_key(r) for r in store.load_predictions(path)}
    budgets = settings["length_budgets"]
    items = work_items(rows, settings["n"], budgets, done)
    if not items:
        print(f"all {len(rows) * settings['n'] * len(budgets or [None])} samples already in {path}")
        return
    model = settings["model"]
    max_prompt = model_context(model, settings["max_model_len"]) - settings["max_new_tokens"]
    if max_prompt <= 0:
        raise SystemExit("--max_new_tokens leaves no room for the prompt in the model's context")
    tokenizer = AutoTokenizer.from_pretrained(model)
    sampling = Sampling(settings["temperature"], settings["top_p"], settings["max_new_tokens"])
    options = EngineOptions(
        tensor_parallel_size, settings["max_model_len"], settings["seed"], settings.get("dtype")
    )
    job = Job(rows, tokenizer, make_backend(settings["backend"], model, tokenizer, sampling, options),
              max_prompt, settings)  # fmt: skip
    print(f"{len(done)} samples done, {len(items)} to generate -> {path}")
    tokens, started = 0, time.perf_counter()
    with tqdm(total=len(items), unit="sample", desc="generating", dynamic_ncols=True) as bar:
        for batch in batches(items, batch_size):
            records = run_batch(batch, job)
            store.append_records(path, records)
            tokens += sum(r["response_tokens"] for r in records)
            bar.update(len(batch))
            bar.set_postfix(tok_s=f"{tokens / max(time.perf_counter() - started, 1e-9):.1f}")
