# Shared part of the Med-U1 run scripts; sourced by examples/run_medu1_*.sh, not run on its own.
#
# Every script builds one array of Hydra overrides (OVERRIDES) and calls
#   medu1_launch CONFIG_NAME "$@"
# which runs, with exactly the same arguments,
#   training:   $PYTHON -m verl.trainer.main_ppo        --config-path=<repo>/recipe/medu1/config --config-name=CONFIG_NAME ...
#   --check:    $PYTHON -m recipe.medu1.preflight    (same arguments; CPU, offline, < 60 s)
# CONFIG_NAME is medu1_grpo or medu1_ppo (recipe/medu1/config; both are the recipe in medu1.yaml).
# Argument order: the shared data/logger overrides, then the script's OVERRIDES, then the caller's
# arguments, so anything passed on the command line wins (Hydra keeps the last value of a key).
#
# Environment (all optional):
#   PYTHON        interpreter with med-u1 installed (default: python3)
#   DATA_DIR      directory with train.parquet and val.parquet, both written by data_preprocess/mix.py
#                 (val.parquet: validation splits only, capped per source; default: ~/data/medu1)
#   TRAIN_FILES   training file(s), default $DATA_DIR/train.parquet; a Hydra list works: "['a.parquet','b.parquet']"
#   VAL_FILES     validation file(s), default $DATA_DIR/val.parquet
#   LOGGER        comma-separated trainer loggers: console, wandb, tensorboard (default: console)
#                 wandb needs WANDB_API_KEY (or `wandb login`); tensorboard writes to $TENSORBOARD_DIR
#   PROJECT_NAME  logger project (default: medu1); EXPERIMENT_NAME is set per script
#   CKPT_DIR      root of every run's checkpoints (default: ~/checkpoints; a relative path is made absolute
#                 here): a run writes trainer.default_local_dir = $CKPT_DIR/<project_name>/<experiment_name>
#                 and, launched again with the same command from any directory, resumes from its latest
#                 checkpoint there (`--check` says from which); a new EXPERIMENT_NAME starts from scratch.
#                 The multi-node script needs it set explicitly, on storage every node shares.

MEDU1_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

# An existing relative directory made absolute (Ray actors do not run in this shell's directory);
# anything else (a hub id such as Qwen/Qwen2.5-7B-Instruct, a path still to be created) unchanged.
medu1_local_path() {
    if [[ -d "$1" && "$1" != /* ]]; then (cd "$1" && pwd); else printf "%s" "$1"; fi
}

DATA_DIR="$(medu1_local_path "${DATA_DIR:-$HOME/data/medu1}")"
CKPT_DIR="${CKPT_DIR:-$HOME/checkpoints}"
[[ "$CKPT_DIR" == /* ]] || CKPT_DIR="$PWD/$CKPT_DIR"
TRAIN_FILES="${TRAIN_FILES:-$DATA_DIR/train.parquet}"
VAL_FILES="${VAL_FILES:-$DATA_DIR/val.parquet}"
LOGGER="${LOGGER:-console}"
PROJECT_NAME="${PROJECT_NAME:-medu1}"

# What every GPU script adds to the recipe config (recipe/medu1/config/medu1.yaml holds the rest, token
# budgets included): filtering overlong prompts templates and tokenizes every train/val prompt once at
# start, which a GPU node's CPUs do in parallel (the CPU smoke run keeps verl's single process).
MEDU1_GPU_NODE=(
    data.filter_overlong_prompts_workers=16
)

# Placement of Qwen2.5-7B on nodes of 8 x 80 GB GPUs, shared by the single- and multi-node 7B GRPO
# scripts. 7B params/grads/Adam states sharded over 8 GPUs fit in 80 GB: no actor offload (faster);
# the frozen reference model is offloaded (used once per step). vLLM: tensor parallel 2 per 7B replica
# (4 replicas per node), 60% of GPU memory for weights + KV cache while the FSDP actor sleeps (verl
# frees the rollout memory during the update).
MEDU1_QWEN7B_PLACEMENT=(
    actor_rollout_ref.actor.fsdp_config.param_offload=False
    actor_rollout_ref.actor.fsdp_config.optimizer_offload=False
    actor_rollout_ref.ref.fsdp_config.param_offload=True
    actor_rollout_ref.rollout.tensor_model_parallel_size=2
    actor_rollout_ref.rollout.gpu_memory_utilization=0.6
)

# "console,wandb" -> "['console','wandb']" (the Hydra list trainer.logger expects)
medu1_logger_list() {
    local IFS=,
    local -a names
    read -r -a names <<<"$LOGGER"
    local out="" name
    for name in "${names[@]}"; do
        out+="${out:+,}'${name// /}'"
    done
    printf "[%s]" "$out"
}

# medu1_launch CONFIG_NAME [--check] [extra Hydra overrides...]
medu1_launch() {
    local config_name=$1
    shift
    local module=verl.trainer.main_ppo
    local -a env=()
    if [[ "${1:-}" == "--check" ]]; then
        module=recipe.medu1.preflight
        # The checker itself always runs the installed copy (no current directory on sys.path), then
        # probes what the trainer would import from here: a recipe/ folder in the current directory
        # (a verl checkout) can shadow recipe.medu1.
        env=(PYTHONSAFEPATH=1)
        shift
    fi
    local -a args=(
        --config-path="$MEDU1_ROOT/recipe/medu1/config"
        --config-name="$config_name"
        data.train_files="$TRAIN_FILES"
        data.val_files="$VAL_FILES"
        trainer.logger="$(medu1_logger_list)"
        trainer.project_name="$PROJECT_NAME"
        # Resolved by Hydra, so that an experiment_name given on the command line picks its own folder.
        trainer.default_local_dir="$CKPT_DIR/\${trainer.project_name}/\${trainer.experiment_name}"
        "${OVERRIDES[@]}"
        "$@"
    )
    echo "+ $PYTHON -m $module ${args[*]}" >&2
    exec env "${env[@]}" "$PYTHON" -m "$module" "${args[@]}"
}
