#!/usr/bin/env bash
# Med-U1 GRPO on CPU with a REAL pretrained model (SmolLM2-135M-Instruct after the format warm-up): the
# same verl 0.9.1 loop as examples/run_medu1_cpu_smoke.sh (which it calls), sized so that learning under
# the Med-U1 reward shows within minutes on 2 cores. `make demo` runs it through examples/quickstart.sh.
#
#   MODEL_PATH=outputs/quickstart/warmup bash examples/run_medu1_cpu_demo.sh [--check] [Hydra overrides]
#
# Environment: MODEL_PATH (required: HF folder), STEPS (default 12), PROMPTS (prompts per step, default 4),
# plus everything run_medu1_cpu_smoke.sh reads (CPU_VENV, OUT_DIR, TRAIN_FILES, VAL_FILES, ...).
# Each override below says why it is there; `python -m recipe.medu1.cpu.bench_step` measures the speed ones
# side by side on one batch.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${MODEL_PATH:?set MODEL_PATH to the model folder (e.g. the warm-up output)}"
export MODEL_PATH STEPS="${STEPS:-12}" EXPERIMENT_NAME="${EXPERIMENT_NAME:-medu1_cpu_demo}"
PROMPTS="${PROMPTS:-4}"
# bf16 only where the CPU has bf16 instructions (recipe/medu1/cpu/precision.py; the smoke script reads it too)
DTYPE_PY="${CPU_VENV:-$REPO/.venv-cpu}/bin/python"
[[ -x $DTYPE_PY ]] || DTYPE_PY="${PYTHON:-python3}"
MEDU1_CPU_DTYPE="${MEDU1_CPU_DTYPE:-$(PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" "$DTYPE_PY" -m recipe.medu1.cpu.precision)}"
export MEDU1_CPU_DTYPE

DEMO_OVERRIDES=(
    # Batch: PROMPTS prompts x 8 responses (the paper's group size) per step, 32 responses, and two policy
    # updates per step (mini-batch 2 prompts, 16 responses). Groups of 8 rather than 4: a group whose
    # rewards are all equal teaches nothing, and with 4 a group of one-letter answers is often all wrong.
    data.train_batch_size="$PROMPTS" actor_rollout_ref.actor.ppo_mini_batch_size=2
    actor_rollout_ref.rollout.n=8
    # Lengths: the actor computes on real tokens only (remove-padding, set in run_medu1_cpu_smoke.sh), so
    # these caps bound the rollout, not the update's cost. The demo prompts are 133-431 tokens (system
    # prompt included); 320 keeps all but a few long MedCalc notes (dropped by filter_overlong_prompts;
    # `--check` counts them). 128 response tokens hold the warm-up's answers (30-100 tokens).
    data.max_prompt_length=320 data.max_response_length=128
    actor_rollout_ref.rollout.max_model_len=448 actor_rollout_ref.rollout.max_num_batched_tokens=4096
    # Every response of a step decoded in one batch: a decode step of 32 sequences costs about what one of
    # 16 costs on CPU (the smoke script's 16 would decode the step's responses in two waves).
    actor_rollout_ref.rollout.max_num_seqs=$((PROMPTS * 8))
    # One actor micro-batch per mini-batch (16 responses x at most 448 tokens <= 8192): what its prompts
    # share (a group's prompt, the question before the options its 4 orders move, the system prompt) is
    # then computed once in the update, and the LM head runs on response positions only
    # (recipe/medu1/cpu/shared_prompts.py): ~1.0k tokens per mini-batch instead of ~3.8k (seed 2,
    # 2026-12-08; ~1.4k when only whole prompts were shared).
    actor_rollout_ref.actor.ppo_max_token_len_per_gpu=8192
    # Activations recomputed in the backward (the smoke script keeps them): the demo's peak RAM was 12.9-13.4
    # GB over 20 steps, over the 12-GB limit, the FSDP actor's update being the only part that grows.
    # bench_step (5 steps of 32 responses, same start): peak 10.28 vs 11.90 GB, update 23.4 vs 19.7 s (1.19x),
    # step 35.1 vs 30.9 s (1.14x). RAM is the machine's hard limit; time only the demo's budget.
    actor_rollout_ref.model.enable_gradient_checkpointing=True
    # The rollout in the actor's dtype, so that both see the same rounding: bf16 on a CPU with bf16
    # instructions (bench_step on AVX512-BF16: generation 8 s vs 14 s in fp32, step 1.14x in fp32), fp32
    # on one without them.
    actor_rollout_ref.rollout.dtype="$MEDU1_CPU_DTYPE"
    # Reuse the rollout's log-probs as the old policy (verl's bypass mode) instead of a second forward
    # pass: PPO's old policy is the one before this step's updates, i.e. the one that sampled the rollout
    # (bench_step, 16 responses: the recompute costs 12 s, step 1.41x).
    algorithm.rollout_correction.bypass_mode=True
    # No KL loss, hence no reference pass (11 s per step of 16 responses): the paper's KL coefficient is
    # 0.001, whose pull over ten steps is negligible next to the policy-gradient term.
    actor_rollout_ref.actor.use_kl_loss=False
    # lr 5e-6: the paper's 1e-6 would not move a real model in 40 updates. At 2e-5 a single lucky group
    # (gold C, its C answers right) moved the letter distribution so far that within 4 steps one letter
    # held 75-94 % of the MCQ answers, and a group whose answers all name one wrong letter carries no letter
    # signal back: 100 % one letter after 20 steps (with balanced gold letters, with a 10x entropy bonus,
    # with every MCQ warm-up answer in the format alike). At 5e-6 no letter took over (docs/results.md).
    actor_rollout_ref.actor.optim.lr=5e-6
    # The responses of a group see the MCQ options in 4 orders, the right option at every letter equally
    # often (recipe/medu1/train/agent_loop.py): a constant letter then earns in a quarter of each group
    # instead of all or none of it, so the order of the gold letters no longer pushes one letter up. With
    # one order per group the 135M policy, which cannot read the questions, let its favoured letter drift
    # with the gold letters to 50-80 % of the held-out answers (seeds 1 and 2, docs/results.md). Nothing
    # pushes against a letter the warm-up already favours, though: with orders it still reached 53-67 %
    # (seed 2) and, with twice the MCQ rows, 78-98 %. Cost: a group's MCQ responses carry 4 prompts
    # instead of 1 into the update (bench_step, 16 responses: step 1.34x, update 1.41x).
    actor_rollout_ref.rollout.agent.default_agent_loop=medu1_option_orders
    # Length term sized for 128-token responses: the paper's scales (1500 exact, 500 maximum) are for 4096
    # tokens; scaled by 128 / 4096 they are 47 and 16, so the term spans [-1, 1] here as in the paper (an
    # exact answer 47 tokens off earns 0, a maximum budget overrun by 16 tokens costs -1). With the paper's
    # scales the exact term could move by at most 0.085 over the whole cap: no signal.
    +reward.custom_reward_function.reward_kwargs.length_scale=47
    +reward.custom_reward_function.reward_kwargs.length_max_scale=16
    # Sampling as in the paper (T 0.6); no validation inside the run (held-out evaluation is done before
    # and after by recipe.medu1.eval on the test rows); rollouts dumped for the curves.
    actor_rollout_ref.rollout.temperature=0.6
    trainer.val_before_train=False trainer.test_freq=-1
    # The demo's 141 usable training rows make 35 steps of 4 prompts per epoch; 2 epochs hold up to 70
    # steps (verl ends with its last epoch and would then save no final checkpoint; --check refuses that).
    trainer.total_epochs=2
    data.seed="${SEED:-1}" actor_rollout_ref.rollout.seed="${SEED:-1}"
)
CHECK=()
if [[ "${1:-}" == "--check" ]]; then CHECK=(--check); shift; fi  # the smoke script wants it first
exec bash "$REPO/examples/run_medu1_cpu_smoke.sh" "${CHECK[@]}" "${DEMO_OVERRIDES[@]}" "$@"
