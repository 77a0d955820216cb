"""End-to-end CPU smoke run of the Med-U1 recipe on verl 0.9.1's real trainer.

Runs ``examples/run_medu1_cpu_smoke.sh`` once (module-scoped, ~3-4 min on 2 cores, ~7 GB RAM) on small
parquet fixtures of three tasks, then checks from the run's logged metrics that every piece of the loop
really ran: gradients, GRPO advantages, per-source validation, our per-task metrics, and the
rollout/actor log-prob agreement that proves weight sync reached vLLM. Skipped unless the CPU venv built
by ``recipe/medu1/cpu/install.sh`` exists (``MEDU1_CPU_VENV``, default ``<repo>/.venv-cpu``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[3]
CPU_VENV = Path(os.environ.get("MEDU1_CPU_VENV", REPO / ".venv-cpu"))
STEPS = 3
SCRIPT_TIMEOUT_S = 900

pytestmark = pytest.mark.skipif(
    not (CPU_VENV / "bin" / "python").exists(),
    reason=f"CPU training venv not found at {CPU_VENV}: build it with recipe/medu1/cpu/install.sh "
    "(or point MEDU1_CPU_VENV at one)",
)

SYSTEM = (
    "You are a helpful medical assistant. Think inside <think> </think> and answer inside <answer> </answer>."
)
# (data_source, task, question, ground truth, options JSON, calculator id, output type)
_ITEMS = [
    (
        "medqa",
        "mcq",
        "Which drug treats a heart attack? A. aspirin B. insulin C. heparin D. iron",
        "A",
        json.dumps({"A": "aspirin", "B": "insulin", "C": "heparin", "D": "iron"}),
        -1,
        "letter",
    ),
    (
        "medqa",
        "mcq",
        "Which test shows anemia? A. hemoglobin B. sodium C. glucose D. urea",
        "A",
        json.dumps({"A": "hemoglobin", "B": "sodium", "C": "glucose", "D": "urea"}),
        -1,
        "letter",
    ),
    (
        "medcalc",
        "calc",
        "Weight 70 kg, height 1.75 m. What is the body mass index?",
        "22.9",
        "",
        6,
        "decimal",
    ),
    (
        "medcalc",
        "calc",
        "Blood pressure 120/80 mm Hg. What is the mean arterial pressure?",
        "93.3",
        "",
        5,
        "decimal",
    ),
    (
        "medical_o1",
        "text",
        "What are the symptoms of migraine?",
        "Migraine causes throbbing headache, nausea, and sensitivity to light.",
        "",
        -1,
        "text",
    ),
    (
        "medical_o1",
        "text",
        "What is the treatment for asthma?",
        "Inhaled corticosteroids and short-acting beta agonists control asthma.",
        "",
        -1,
        "text",
    ),
]


def _rows(split: str, copies: int) -> list[dict]:
    """Contract-schema rows (same extra_info keys and types in every row) for every item, ``copies`` times."""
    rows = []
    for copy in range(copies):
        for source, task, question, truth, options, calc_id, output_type in _ITEMS:
            index = len(rows)
            calc = calc_id >= 0
            rows.append(
                {
                    "data_source": source,
                    "prompt": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
                    "ability": "medical",
                    "reward_model": {"style": "rule", "ground_truth": truth},
                    "extra_info": {
                        "task": task,
                        "split": split,
                        "index": index,
                        "source_id": f"{source}-{copy}",
                        "options": options,
                        "calculator_id": calc_id,
                        "calculator_name": "calculator" if calc else "",
                        "category": "lab" if calc else "",
                        "output_type": output_type,
                        "lower_limit": float(truth) - 0.5 if calc else None,
                        "upper_limit": float(truth) + 0.5 if calc else None,
                        "length_budget": 0,
                    },
                }
            )
    return rows


def write_fixture_data(data_dir: Path) -> None:
    """train.parquet: 12 rows = 4 steps of 4 prompts; val.parquet: 6 rows, two per data source."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(_rows("train", 2)), data_dir / "train.parquet")
    pq.write_table(pa.Table.from_pylist(_rows("test", 1)), data_dir / "val.parquet")


@pytest.fixture(scope="module")
def smoke_run() -> Iterator[Path]:
    """Run the smoke script once; yield its OUT_DIR.

    A private temp dir, not pytest's tmp_path: pytest prunes old base temp dirs, and another pytest
    process on the machine could remove this one during the ~3-minute run.
    """
    with tempfile.TemporaryDirectory(prefix="medu1_cpu_smoke_") as tmp:
        out_dir = Path(tmp)
        write_fixture_data(out_dir / "data")
        env = {
            **os.environ,
            "CPU_VENV": str(CPU_VENV),
            "OUT_DIR": str(out_dir),
            "DATA_DIR": str(out_dir / "data"),
            "STEPS": str(STEPS),
        }
        env.pop("MODEL_PATH", None)
        proc = subprocess.run(
            ["bash", str(REPO / "examples" / "run_medu1_cpu_smoke.sh")],
            env=env,
            capture_output=True,
            text=True,
            timeout=SCRIPT_TIMEOUT_S,
            check=False,
        )
        log = proc.stdout + proc.stderr
        (out_dir / "run.log").write_text(log)
        assert proc.returncode == 0, f"smoke run failed ({proc.returncode}); log tail:\n{log[-6000:]}"
        yield out_dir


def _metrics(out_dir: Path) -> list[dict]:
    lines = (out_dir / "metrics.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _log(out_dir: Path) -> str:
    return (out_dir / "run.log").read_text()


def _train_steps(out_dir: Path) -> list[dict]:
    return [rec["data"] for rec in _metrics(out_dir) if "actor/grad_norm" in rec["data"]]


def test_every_training_step_updates_the_actor_with_grpo_advantages(smoke_run: Path) -> None:
    steps = _train_steps(smoke_run)
    assert len(steps) == STEPS
    assert all(data["actor/grad_norm"] > 0 for data in steps)
    # GRPO advantages are group-normalised: non-zero whenever a group's rewards differ. The primed model
    # answers right about half the time, so the first step's groups differ; later steps may not (a
    # policy that answers alike within every group has nothing to learn from that step).
    first = steps[0]
    assert first["critic/advantages/max"] > 0 > first["critic/advantages/min"]


def test_training_workers_use_every_allowed_core(smoke_run: Path) -> None:
    """The adapter logs each FSDP engine process's torch thread count; Ray alone would have given it 1."""
    lines = re.findall(
        r"\[medu1-cpu\] FSDP engine pid \d+: torch threads (\d+), allowed cores (\d+)", _log(smoke_run)
    )
    assert lines, "no thread-count line from an FSDP engine process in the run's log"
    assert all(threads == cores for threads, cores in lines), lines
    assert int(lines[0][1]) == len(os.sched_getaffinity(0))


def test_the_update_runs_on_packed_real_tokens(smoke_run: Path) -> None:
    """Remove-padding on CPU: the actor's attention saw several sequences packed in one row."""
    packed = re.findall(
        r"\[medu1-cpu\] packed attention: (\d+) sequences in a row of (\d+) tokens", _log(smoke_run)
    )
    assert packed, "the packed attention never ran"
    assert all(int(sequences) > 1 for sequences, _tokens in packed), packed


def test_weight_sync_reaches_vllm(smoke_run: Path) -> None:
    """vLLM's rollout log-probs match the FSDP actor's after each sync only if the new weights arrived."""
    for data in _train_steps(smoke_run):
        assert data["training/rollout_actor_probs_pearson_corr"] > 0.9


def test_validation_before_training_reports_each_data_source(smoke_run: Path) -> None:
    first = _metrics(smoke_run)[0]
    assert first["step"] == 0
    keys = first["data"].keys()
    for source in ("medqa", "medcalc", "medical_o1"):
        # verl puts the "acc" term under val-core and every other reward term under val-aux.
        assert f"val-core/{source}/acc/mean@1" in keys, source
        assert f"val-aux/{source}/format/mean@1" in keys, source


def test_per_task_training_metrics_are_logged(smoke_run: Path) -> None:
    seen = set().union(*(data.keys() for data in _train_steps(smoke_run)))
    for task in ("mcq", "calc", "text"):
        for term in ("score", "acc", "format", "response_length"):
            assert f"medu1/{task}/{term}/mean" in seen, (task, term)


def test_saved_checkpoint_loads_with_transformers(smoke_run: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    hf_dir = smoke_run / "checkpoints" / f"global_step_{STEPS}" / "actor" / "huggingface"
    model = AutoModelForCausalLM.from_pretrained(hf_dir)
    tokenizer = AutoTokenizer.from_pretrained(hf_dir)
    initial = AutoModelForCausalLM.from_pretrained(smoke_run / "tiny_model")
    assert model.config.vocab_size == len(tokenizer)
    # Trained weights differ from the initial random ones: the checkpoint is the updated actor.
    trained, start = model.state_dict(), initial.state_dict()
    assert any(not trained[name].equal(start[name]) for name in start)
