#!/usr/bin/env bash
# Med-U1 GRPO on Qwen2.5-7B-Instruct, one node with 8 x 80 GB GPUs.
#
#   bash examples/run_medu1_qwen7b.sh --check            # validate this exact config on CPU, offline
#   bash examples/run_medu1_qwen7b.sh                    # train
#   bash examples/run_medu1_qwen7b.sh trainer.total_training_steps=20   # extra Hydra overrides win
#   bash examples/run_medu1_qwen7b.sh data.train_batch_size=4           # the paper's exact step (below)
#
# Update regime: 64 prompts per step, the official 4-prompt mini-batch, so 16 updates per step. verl
# computes the old log-probs once per step, so only the first update is on-policy (on the policy that
# sampled its prompts); the other 15 use samples 1-15 updates stale, kept close by PPO's clipped ratio.
# The paper made one update per 4-prompt step, always on-policy: data.train_batch_size=4 gives exactly
# that (1 update per step, 16x more rollout rounds, GPUs mostly idle during rollout).
#
# Resume: launched again with the same command (from any directory), a run continues from its latest
# checkpoint in $CKPT_DIR/<project>/<experiment> (`--check` says which). Give a trial such as
# trainer.total_training_steps=20 its own EXPERIMENT_NAME, or the real run continues the trial's.
#
# Environment: MODEL_PATH (hub id or local dir), N_GPUS, EXPERIMENT_NAME, plus DATA_DIR, TRAIN_FILES,
# VAL_FILES, LOGGER, PROJECT_NAME, CKPT_DIR, PYTHON (see examples/common.sh). The Med-U1 defaults (GRPO,
# KL loss 0.001, lr 1e-6, n=8, temperature 0.6, 4096 response tokens, token budgets, our reward) live in
# recipe/medu1/config/medu1.yaml; this script only sizes the run for the hardware.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MODEL_PATH="$(medu1_local_path "${MODEL_PATH:-Qwen/Qwen2.5-7B-Instruct}")"
N_GPUS="${N_GPUS:-8}"
EXPERIMENT_NAME="${EXPERIMENT_NAME:-medu1_grpo_qwen2.5_7b}"

OVERRIDES=(
    actor_rollout_ref.model.path="$MODEL_PATH"
    trainer.n_gpus_per_node="$N_GPUS"
    trainer.nnodes=1
    trainer.experiment_name="$EXPERIMENT_NAME"
    # Batch: 64 prompts x 8 rollouts = 512 responses per step keeps 8 GPUs busy in rollout. The
    # mini-batch stays the official 4 prompts (medu1.yaml): 16 updates per step, one per 4 prompts at
    # lr 1e-6 (the paper's updates per prompt), 1 of 16 on-policy (see "Update regime" above).
    data.train_batch_size=64
    "${MEDU1_GPU_NODE[@]}"
    "${MEDU1_QWEN7B_PLACEMENT[@]}"
)

medu1_launch medu1_grpo "$@"
