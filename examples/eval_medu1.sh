#!/usr/bin/env bash
# Evaluate a model on the whole Med-U1 benchmark suite with `python -m recipe.medu1.eval`.
#
# Usage: examples/eval_medu1.sh MODEL_PATH [evaluate options...]
#   e.g. examples/eval_medu1.sh checkpoints/medu1/global_step_500/actor/huggingface --n 4
#        examples/eval_medu1.sh MODEL --length_budget 256      (the paper's length-controlled evaluation)
# Environment (defaults in brackets):
#   DATA_ROOT   where the data_preprocess scripts wrote <dataset>/<split>.parquet          [~/data]
#   OUT_DIR     run directory; rerun the same command to resume an interrupted run  [outputs/eval/<model name>]
#   FILES       space-separated parquet list replacing the suite below                   [the suite]
#   PYTHON      interpreter with the package installed                                   [python]
# The suite is the dataset registry's (`python -m data_preprocess.registry eval-suite`): MedQA, MedMCQA
# (validation: its test split has no answers), PubMedQA, MMLU medical, MMLU-Pro health, MedXpertQA, MediQ,
# MedCalc-Bench and the medical-o1 open-ended test set. Defaults: the paper's sampling (temperature 0.2,
# top_p 0.95, one sample) and up to 4096 new tokens, training's response length (the report counts the
# responses that hit it); any option given after MODEL_PATH overrides them. On vLLM-CPU set
# VLLM_CPU_KVCACHE_SPACE (GiB of KV cache; vLLM-CPU otherwise reserves 90% of RAM). Outputs in OUT_DIR:
# predictions.jsonl, metrics.json, report.md, report.png.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    sed -n '2,18p' "$0" >&2
    exit 2
fi
MODEL_PATH=$1
shift
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_ROOT=${DATA_ROOT:-$HOME/data}
OUT_DIR=${OUT_DIR:-$REPO/outputs/eval/$(basename "$MODEL_PATH")}
PYTHON=${PYTHON:-python}

if [[ -n "${FILES:-}" ]]; then
    read -r -a DATA <<<"$FILES"
else
    SUITE=$("$PYTHON" -m data_preprocess.registry eval-suite)
    DATA=()
    for entry in $SUITE; do DATA+=("$DATA_ROOT/$entry"); done
fi

missing=0
for file in "${DATA[@]}"; do
    if [[ ! -f "$file" ]]; then
        echo "missing: $file (write it with data_preprocess/<dataset>.py --local_save_dir $(dirname "$file"))" >&2
        missing=1
    fi
done
if [[ $missing -ne 0 ]]; then
    echo "prepare the missing benchmark files, or pass FILES=\"a.parquet b.parquet\"" >&2
    exit 1
fi

exec "$PYTHON" -m recipe.medu1.eval --model "$MODEL_PATH" --data "${DATA[@]}" --output_dir "$OUT_DIR" \
    --temperature 0.2 --top_p 0.95 --max_new_tokens 4096 --n 1 "$@"
