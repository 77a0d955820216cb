# Shared part of the Med-U1 run scripts; sourced by examples/run_medu1_*.sh, not run on its own.
#
# Every script builds one array of Hydra overrides (OVERRIDES) and calls
#   medu1_launch CONFIG_NAME "$@"
# which runs, with exactly the same arguments,
#   training:   $PYTHON -m verl.trainer.main_ppo        --config-path=<repo>/recipe/medu1/config --config-name=CONFIG_NAME ...
#   --check:    $PYTHON -m recipe.medu1.preflight    (same arguments; CPU, offline, < 60 s)
# Argument order: the shared data/logger overrides, then the script's OVERRIDES, then the caller's
# arguments, so anything passed on the command line wins (Hydra keeps the last value of a key).
#
# Environment (all optional):
#   PYTHON        interpreter with med-u1 installed (default: python3)
#   DATA_DIR      directory with train.parquet and val.parquet (default: ~/data/medu1)
#   TRAIN_FILES   training file(s), default $DATA_DIR/train.parquet; a Hydra list works: "['a.parquet','b.parquet']"
#   VAL_FILES     validation file(s), default $DATA_DIR/val.parquet
#   LOGGER        comma-separated trainer loggers: console, wandb, tensorboard (default: console)
#                 wandb needs WANDB_API_KEY (or `wandb login`); tensorboard writes to $TENSORBOARD_DIR
#   PROJECT_NAME  logger project (default: medu1); EXPERIMENT_NAME is set per script

MEDU1_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

# An existing relative directory made absolute (Ray actors do not run in this shell's directory);
# anything else (a hub id such as Qwen/Qwen2.5-7B-Instruct, a path still to be created) unchanged.
medu1_local_path() {
    if [[ -d "$1" && "$1" != /* ]]; then (cd "$1" && pwd); else printf "%s" "$1"; fi
}

DATA_DIR="$(medu1_local_path "${DATA_DIR:-$HOME/data/medu1}")"
TRAIN_FILES="${TRAIN_FILES:-$DATA_DIR/train.parquet}"
VAL_FILES="${VAL_FILES:-$DATA_DIR/val.parquet}"
LOGGER="${LOGGER:-console}"
PROJECT_NAME="${PROJECT_NAME:-medu1}"

# Performance settings every GPU script shares (verl's tuning guide): dynamic batch size packs
# micro-batches by tokens (responses range from ~50 to 4096 tokens; the actor update holds 4 full
# sequences of 2048 + 4096 tokens, the forward-only old/reference log-prob passes twice as many),
# remove-padding (packed sequences) and gradient checkpointing (activation memory of 6k-token sequences).
# Each script adds its own placement (offload, vLLM tensor parallel size, memory share).
MEDU1_GPU_PERF=(
    actor_rollout_ref.actor.use_dynamic_bsz=True
    actor_rollout_ref.actor.ppo_max_token_len_per_gpu=24576
    actor_rollout_ref.rollout.log_prob_max_token_len_per_gpu=49152
    actor_rollout_ref.ref.log_prob_max_token_len_per_gpu=49152
    actor_rollout_ref.model.use_remove_padding=True
    actor_rollout_ref.model.enable_gradient_checkpointing=True
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
    if [[ "${1:-}" == "--check" ]]; then
        module=recipe.medu1.preflight
        shift
    fi
    local -a args=(
        --config-path="$MEDU1_ROOT/recipe/medu1/config"
        --config-name="$config_name"
        data.train_files="$TRAIN_FILES"
        data.val_files="$VAL_FILES"
        trainer.logger="$(medu1_logger_list)"
        trainer.project_name="$PROJECT_NAME"
        "${OVERRIDES[@]}"
        "$@"
    )
    echo "+ $PYTHON -m $module ${args[*]}" >&2
    exec "$PYTHON" -m "$module" "${args[@]}"
}
