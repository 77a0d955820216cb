"""The variants ``bench_step`` times: the demo's run with one thing changed, and why each is in the table.

Why a module of its own: the table is data (Hydra overrides and environment variables, with what each
measured when it was tried), read by :mod:`recipe.medu1.cpu.bench_step`, which launches and times them.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import NamedTuple

RAY_DIR = Path(find_spec("ray").origin).parent  # its package folder, without importing Ray


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
    # fp32 matmuls in the update (with bf16 instructions the demo's FSDP2 computes in bf16: param_dtype bf16,
    # fp32 master weights; without them the demo is already fp32, recipe/medu1/cpu/precision.py).
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
