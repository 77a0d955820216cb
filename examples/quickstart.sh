#!/usr/bin/env bash
# The main job on a laptop (what `make demo` runs after setup): the bundled sample data converted with the
# real converters and mixed, the 7B run script validated on the mix, verl's real GRPO loop on CPU with a
# tiny local model, evaluation of the saved checkpoint, training curves, and a summary.
# It proves the plumbing end to end; a toy model trained for a few steps learns nothing medical.
#
# Environment: PYTHON (main venv, default <repo>/.venv/bin/python), CPU_VENV (CPU-training venv built by
# recipe/medu1/cpu/install.sh, default <repo>/.venv-cpu), OUT_DIR (default <repo>/outputs/quickstart),
# STEPS (training steps, default 3).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
export CPU_VENV="${CPU_VENV:-$REPO/.venv-cpu}"
OUT="${OUT_DIR:-$REPO/outputs/quickstart}"
STEPS="${STEPS:-3}"
SAMPLES="$REPO/examples/sample_data"
DATA="$OUT/data"
START=$SECONDS
STEP_START=$SECONDS
cd "$REPO"
rm -rf "$OUT"
mkdir -p "$OUT"
# The tiny model is generated on 2 cores that other processes share: one thread avoids oversubscription.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

step() {
    echo
    echo "=== [$(( SECONDS - START )) s] $* ==="
    STEP_START=$SECONDS
}

step "1/7 Convert the bundled sample data with the real converters"
# MedQA prompts also carry a length budget ("Think for N tokens.", N in 16..48), so the run exercises the
# length term and the reward manager's exact token count.
"$PY" data_preprocess/medqa.py --local_dataset_path "$SAMPLES/medqa" --local_save_dir "$DATA/medqa" \
    --length_budget_range 16 48
"$PY" data_preprocess/medcalc.py --local_dataset_path "$SAMPLES/medcalc" --local_save_dir "$DATA/medcalc"
"$PY" data_preprocess/medical_o1.py --local_dataset_path "$SAMPLES/medical_o1/medical_o1_sft.json" \
    --resplit 14 3 3 --local_save_dir "$DATA/medical_o1"

step "2/7 Mix MCQ, calculation and open-ended training rows into one train.parquet"
# 64 rows per task (the ~14 sample rows repeated): enough for one batch of the 7B script's 64 prompts.
"$PY" data_preprocess/mix.py --inputs "$DATA/medqa/train.parquet:64" "$DATA/medcalc/train.parquet:64" \
    "$DATA/medical_o1/train.parquet:64" --local_save_dir "$DATA/mix"
export TRAIN_FILES="$DATA/mix/train.parquet"
export VAL_FILES="['$DATA/medqa/test.parquet','$DATA/medcalc/test.parquet','$DATA/medical_o1/test.parquet']"

step "3/7 Validate the 7B GPU run script on this mix (CPU, offline, no weights loaded)"
PYTHON="$PY" bash examples/run_medu1_qwen7b.sh --check

step "4/7 Train: verl's real GRPO loop on CPU (Ray, FSDP2/gloo, vLLM-CPU rollout, our reward and metrics)"
OUT_DIR="$OUT/cpu_smoke" STEPS="$STEPS" bash examples/run_medu1_cpu_smoke.sh \
    trainer.rollout_data_dir="$OUT/cpu_smoke/rollouts" trainer.validation_data_dir="$OUT/cpu_smoke/validation"
CHECKPOINT="$OUT/cpu_smoke/checkpoints/global_step_$STEPS/actor/huggingface"

step "5/7 Evaluate the saved checkpoint with the Hugging Face backend"
"$PY" -m recipe.medu1.eval --model "$CHECKPOINT" --backend hf --max_new_tokens 32 --batch_size 8 \
    --data "$DATA/medqa/test.parquet" "$DATA/medcalc/test.parquet" "$DATA/medical_o1/test.parquet" \
    --output_dir "$OUT/eval"

step "6/7 Draw the per-task training curves from the rollout dumps"
"$PY" -m recipe.medu1.analysis.plot_training "$OUT/cpu_smoke/rollouts" --output_dir "$OUT/curves"

step "7/7 Summary"
"$PY" -m recipe.medu1.analysis.summarize_run --metrics "$OUT/cpu_smoke/metrics.jsonl"
echo
cat "$OUT/eval/report.md"
echo
echo "Pictures: $OUT/eval/report.png  $OUT/curves/training_curves.png"
echo "Checkpoint: $CHECKPOINT"
echo "Quickstart finished in $(( SECONDS - START )) s."
