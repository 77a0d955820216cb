"""End-to-end CPU smoke run of the Med-U1 recipe on verl 0.9.1's real trainer.

Checks, from the logged metrics of the session's smoke run (``conftest.py``: the smoke script on small
parquet fixtures of three tasks, killed once and resumed), that every piece of the loop really
ran: gradients, GRPO advantages, per-source validation, our per-task metrics, and the rollout/actor
log-prob agreement that proves weight sync reached vLLM.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path


def _metrics(out_dir: Path) -> list[dict]:
    lines = (out_dir / "metrics.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _train_steps(out_dir: Path) -> list[dict]:
    return [rec["data"] for rec in _metrics(out_dir) if "actor/grad_norm" in rec["data"]]


def test_every_training_step_updates_the_actor_with_grpo_advantages(smoke_run) -> None:
    steps = _train_steps(smoke_run.out_dir)
    assert len(steps) == smoke_run.steps
    assert all(data["actor/grad_norm"] > 0 for data in steps)
    # GRPO advantages are group-normalised: non-zero whenever a group's rewards differ. The primed model
    # answers right about half the time, so the first step's groups differ; later steps may not (a
    # policy that answers alike within every group has nothing to learn from that step).
    first = steps[0]
    assert first["critic/advantages/max"] > 0 > first["critic/advantages/min"]


def test_training_workers_use_every_allowed_core(smoke_run) -> None:
    """The adapter logs the torch thread count of every process that imports verl's FSDP engine; the actor
    (Ray's WorkerDict) must use every allowed core, where Ray alone would have given it 1 thread. vLLM's
    worker imports the engine too, from a thread vLLM pins to one core, so it is not the process checked."""
    log = smoke_run.logs[1]
    workers = set(re.findall(r"\(WorkerDict pid=(\d+)\)", log))
    pattern = r"\[medu1-cpu\] FSDP engine pid (\d+): torch threads (\d+), allowed cores (\d+)"
    actors = [(int(t), int(c)) for pid, t, c in re.findall(pattern, log) if pid in workers]
    assert actors, "no thread-count line from the actor (WorkerDict) in the relaunch's log"
    assert all(threads == cores == len(os.sched_getaffinity(0)) for threads, cores in actors), actors


def test_the_update_runs_on_packed_real_tokens_with_each_prompt_once(smoke_run) -> None:
    """Remove-padding on CPU: the actor's attention saw several segments packed in one row, and the
    engine computed each prompt of a micro-batch once (fewer tokens than verl's row) with the LM head
    on response positions only."""
    packed = re.findall(
        r"\[medu1-cpu\] packed attention: (\d+) segments in a row of (\d+) tokens", smoke_run.logs[1]
    )
    assert packed, "the packed attention never ran"
    assert all(int(parts) > 1 for parts, _tokens in packed), packed
    pattern = (
        r"\[medu1-cpu\] shared prompts: (\d+) sequences, (\d+) of (\d+) tokens computed, LM head on (\d+)"
    )
    shared = [tuple(map(int, found)) for found in re.findall(pattern, smoke_run.logs[1])]
    assert shared, "the engine never used the shared layout"
    assert all(computed < verl_row and kept < computed for _n, computed, verl_row, kept in shared), shared


def test_weight_sync_reaches_vllm(smoke_run) -> None:
    """vLLM's rollout log-probs match the FSDP actor's after each sync only if the new weights arrived."""
    for data in _train_steps(smoke_run.out_dir):
        assert data["training/rollout_actor_probs_pearson_corr"] > 0.9


def test_validation_before_training_reports_each_data_source(smoke_run) -> None:
    first = _metrics(smoke_run.out_dir)[0]
    assert first["step"] == 0
    keys = first["data"].keys()
    for source in ("medqa", "medcalc", "medical_o1"):
        # verl puts the "acc" term under val-core and every other reward term under val-aux.
        assert f"val-core/{source}/acc/mean@1" in keys, source
        assert f"val-aux/{source}/format/mean@1" in keys, source


def test_per_task_training_metrics_are_logged(smoke_run) -> None:
    seen = set().union(*(data.keys() for data in _train_steps(smoke_run.out_dir)))
    for task in ("mcq", "calc", "text"):
        for term in ("score", "acc", "format", "response_length"):
            assert f"medu1/{task}/{term}/mean" in seen, (task, term)


def test_saved_checkpoint_loads_with_transformers(smoke_run) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    hf_dir = smoke_run.out_dir / "checkpoints" / f"global_step_{smoke_run.steps}" / "actor" / "huggingface"
    model = AutoModelForCausalLM.from_pretrained(hf_dir)
    tokenizer = AutoTokenizer.from_pretrained(hf_dir)
    initial = AutoModelForCausalLM.from_pretrained(smoke_run.out_dir / "tiny_model")
    assert model.config.vocab_size == len(tokenizer)
    # Trained weights differ from the initial random ones: the checkpoint is the updated actor.
    trained, start = model.state_dict(), initial.state_dict()
    assert any(not trained[name].equal(start[name]) for name in start)
