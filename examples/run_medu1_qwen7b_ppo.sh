#!/usr/bin/env bash
# Med-U1 with PPO (GAE + a critic) instead of GRPO, Qwen2.5-7B-Instruct, one node with 8 x 80 GB GPUs.
# Config recipe/medu1/config/medu1_ppo.yaml: the GRPO recipe (medu1.yaml) with GAE, one response per
# prompt and a critic initialised from MODEL_PATH. The official Med-U1 code trained with GRPO only.
#
#   bash examples/run_medu1_qwen7b_ppo.sh --check        # validate (with a local MODEL_PATH the critic too)
#   bash examples/run_medu1_qwen7b_ppo.sh
#
# Environment: MODEL_PATH (actor and critic init), N_GPUS, EXPERIMENT_NAME, plus DATA_DIR, TRAIN_FILES,
# VAL_FILES, LOGGER, PROJECT_NAME, CKPT_DIR, PYTHON (see examples/common.sh; the same command resumes
# from the latest checkpoint in $CKPT_DIR/<project>/<experiment>).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MODEL_PATH="$(medu1_local_path "${MODEL_PATH:-Qwen/Qwen2.5-7B-Instruct}")"
N_GPUS="${N_GPUS:-8}"
EXPERIMENT_NAME="${EXPERIMENT_NAME:-medu1_ppo_qwen2.5_7b}"

OVERRIDES=(
    actor_rollout_ref.model.path="$MODEL_PATH"
    trainer.n_gpus_per_node="$N_GPUS"
    trainer.nnodes=1
    trainer.experiment_name="$EXPERIMENT_NAME"
    # Batch: 256 prompts x 1 response, mini-batches of 32 prompts = 32 responses per update, as many
    # responses per update as the official GRPO run (4 prompts x 8). The official 4 prompts per update
    # would be 4 responses, which 8 GPUs cannot split; --check reports the difference per prompt.
    # 8 updates per step (actor and critic), the first on-policy, the other 7 on samples 1-7 updates stale.
    data.train_batch_size=256
    actor_rollout_ref.actor.ppo_mini_batch_size=32
    critic.ppo_mini_batch_size=32
    "${MEDU1_GPU_NODE[@]}"
    # Actor + critic (two 7B models with Adam states) on 8 x 80 GB: offload the critic's optimizer,
    # keep the actor resident; the reference model is offloaded.
    actor_rollout_ref.actor.fsdp_config.param_offload=False
    actor_rollout_ref.ref.fsdp_config.param_offload=True
    critic.fsdp.param_offload=False
    critic.fsdp.optimizer_offload=True
    actor_rollout_ref.rollout.tensor_model_parallel_size=2
    actor_rollout_ref.rollout.gpu_memory_utilization=0.5
)

medu1_launch medu1_ppo "$@"
