#!/usr/bin/env bash
# Med-U1 GRPO on Qwen2.5-7B-Instruct across NNODES nodes x 8 GPUs (a Ray cluster).
#
# Before running (see docs/multinode.md):
#   every node:  same repository checkout + `pip install -e ".[train]"` in the same venv path (verl
#                finds our reward manager and trainer only through installed entry points; each
#                node's `ray start` must come from that venv), and the same MODEL_PATH, DATA_DIR and
#                CKPT_DIR (shared storage).
#   every node:  export WANDB_API_KEY / HF_TOKEN (if used) BEFORE `ray start`: Ray workers see only
#                their node's `ray start` environment plus what verl forwards, and secrets are never
#                put on the command line (verl prints its Ray init arguments).
#   head node:   ray start --head --port=6379 --num-gpus=8
#   other nodes: ray start --address=<head-ip>:6379 --num-gpus=8
#   head node:   NNODES=2 CKPT_DIR=/shared/ckpt bash examples/run_medu1_qwen7b_multinode.sh
# RAY_ADDRESS defaults to "auto" so the trainer joins the running cluster (and fails fast without one).
# NCCL_SOCKET_IFNAME, GLOO_SOCKET_IFNAME and HF_HOME, when set here, are forwarded to every worker.
#
#   NNODES=2 CKPT_DIR=/shared/ckpt bash examples/run_medu1_qwen7b_multinode.sh --check   # CPU, offline
#
# Environment: NNODES (default 2), GPUS_PER_NODE (default 8), MODEL_PATH, EXPERIMENT_NAME, CKPT_DIR
# (required: an absolute directory on storage every node shares; checkpoints go to
# $CKPT_DIR/<project>/<experiment>, see examples/common.sh), MINI_BATCH
# (actor_rollout_ref.actor.ppo_mini_batch_size in prompts; required beyond 32 GPUs), plus DATA_DIR,
# TRAIN_FILES, VAL_FILES, LOGGER, PROJECT_NAME, PYTHON.
set -euo pipefail
# common.sh's default (~/checkpoints) is right only where every node shares $HOME: never assumed here.
if [[ "${CKPT_DIR:-}" != /* ]]; then
    echo "error: set CKPT_DIR to an absolute directory on storage every node shares (got '${CKPT_DIR:-}'):" \
        "each rank writes its checkpoint shards there and a relaunch resumes from there." >&2
    exit 2
fi
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MODEL_PATH="$(medu1_local_path "${MODEL_PATH:-Qwen/Qwen2.5-7B-Instruct}")"
NNODES="${NNODES:-2}"
GPUS_PER_NODE="${GPUS_PER_NODE:-8}"
EXPERIMENT_NAME="${EXPERIMENT_NAME:-medu1_grpo_qwen2.5_7b_${NNODES}nodes}"
export RAY_ADDRESS="${RAY_ADDRESS:-auto}"

# The official mini-batch (4 prompts x n=8 = 32 responses, medu1.yaml) is split evenly over every GPU
# of the cluster: 1, 2 or 4 nodes of 8 GPUs (one sequence per GPU per update at 4 nodes). Any other size
# (beyond 4 nodes, or 3) needs MINI_BATCH: a multiple of GPUs / n, with the learning rate retuned for it.
OFFICIAL_MINI_BATCH_RESPONSES=32
GPUS=$((NNODES * GPUS_PER_NODE))
MINI_BATCH_OVERRIDE=()
if [[ -n "${MINI_BATCH:-}" ]]; then
    MINI_BATCH_OVERRIDE=(actor_rollout_ref.actor.ppo_mini_batch_size="$MINI_BATCH")
elif ((OFFICIAL_MINI_BATCH_RESPONSES % GPUS)); then
    echo "error: the official mini-batch (4 prompts x n=8 = $OFFICIAL_MINI_BATCH_RESPONSES responses) does not" \
        "split over NNODES=$NNODES x GPUS_PER_NODE=$GPUS_PER_NODE = $GPUS GPUs (it does over 1, 2 or 4 nodes of 8 GPUs)." \
        "Set MINI_BATCH (prompts per update) to a multiple of GPUs / n = $GPUS / 8 and retune" \
        "actor_rollout_ref.actor.optim.lr for it." >&2
    exit 2
fi

# Non-secret variables every worker needs, forwarded through Ray's job environment when set here.
FORWARDED=()
for name in NCCL_SOCKET_IFNAME GLOO_SOCKET_IFNAME HF_HOME; do
    if [[ -n "${!name:-}" ]]; then
        FORWARDED+=("+ray_kwargs.ray_init.runtime_env.env_vars.$name=${!name}")
    fi
done

OVERRIDES=(
    actor_rollout_ref.model.path="$MODEL_PATH"
    trainer.nnodes="$NNODES"
    trainer.n_gpus_per_node="$GPUS_PER_NODE"
    trainer.experiment_name="$EXPERIMENT_NAME"
    # Rollout grows with the cluster (64 prompts per node, as the single-node script); up to 4 nodes the
    # mini-batch stays the official 4 prompts (medu1.yaml), so the update rate per prompt does not change
    # with the number of nodes (16 updates per step per node); beyond, MINI_BATCH sets it. Only the
    # first update of a step is on-policy (old log-probs are computed once per step): 1 of 16 x NNODES.
    data.train_batch_size=$((64 * NNODES))
    "${MINI_BATCH_OVERRIDE[@]}"
    "${MEDU1_GPU_NODE[@]}"
    "${MEDU1_QWEN7B_PLACEMENT[@]}"
    "${FORWARDED[@]}"
)

medu1_launch medu1_grpo "$@"
