"""Batch sizes, token budgets, the algorithm, and the update rate compared with the paper's.

Why: verl 0.9.1 skips ``train_batch_size >= ppo_mini_batch_size`` with dynamic batch size and asserts
the data-parallel divisibility only inside the first update; and a batch/mini-batch choice that is
valid can still make many times fewer optimiser steps than the paper at the same learning rate.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from omegaconf import DictConfig, OmegaConf

from recipe.medu1.preflight.findings import Finding, error, fact, warning

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight

# Advantage estimators that normalise within a group of responses to one prompt: need rollout.n >= 2.
GROUP_ESTIMATORS = ("grpo", "grpo_vectorized", "grpo_passk", "gdpo", "rloo", "rloo_vectorized", "opo")
#: The recipe's base config, whose batch, mini-batch and lr are the official run's ([official] there).
OFFICIAL_CONFIG = Path(__file__).resolve().parents[1] / "config" / "medu1.yaml"


class UpdateRate(NamedTuple):
    """Optimiser updates per training step and what each one sees."""

    updates_per_step: int
    prompts_per_update: int
    responses_per_update: int
    lr: float


def update_rate(batch: int, mini: int, epochs: int, n: int, lr: float) -> UpdateRate:
    return UpdateRate(math.ceil(batch / max(mini, 1)) * epochs, mini, mini * n, lr)


def on_policy_share(rate: UpdateRate) -> str:
    """How many of a step's updates use samples of the current policy.

    verl computes the old log-probs once per step, with the policy that sampled the step's rollouts;
    only the first update runs on that policy, every later one on samples that are 1, 2, ... updates
    stale (PPO's clipped ratio corrects for it, up to the clip range).
    """
    if rate.updates_per_step <= 1:
        return "every update on-policy"
    return (
        f"1 of {rate.updates_per_step} updates on-policy, the others up to {rate.updates_per_step - 1} stale"
    )


def official_update_rate() -> UpdateRate:
    """The official Med-U1 run's rate, read from the recipe's base config (one place for the fact)."""
    base = OmegaConf.load(OFFICIAL_CONFIG)
    actor = base.actor_rollout_ref.actor
    return update_rate(
        int(base.data.train_batch_size), int(actor.ppo_mini_batch_size), int(actor.ppo_epochs),
        int(base.actor_rollout_ref.rollout.n), float(actor.optim.lr),
    )  # fmt: skip


def _roles(ctx: Preflight) -> list[tuple[str, object, int]]:
    actor = ctx.cfg.actor_rollout_ref.actor
    roles = [("actor_rollout_ref.actor", actor, int(actor.get("ulysses_sequence_parallel_size", 1) or 1))]
    if ctx.uses_critic:
        critic = ctx.cfg.critic
        roles.append(("critic", critic, int(critic.get("ulysses_sequence_parallel_size", 1) or 1)))
    return roles


def check_batch_sizes(ctx: Preflight) -> list[Finding]:
    """Batch >= mini-batch, mini-batch x n divisible by the data-parallel size, vLLM replicas fit the GPUs."""
    cfg, gpus, findings = ctx.cfg, ctx.n_gpus, []
    batch, rollout_n = int(cfg.data.train_batch_size), int(cfg.actor_rollout_ref.rollout.n)
    for name, role, sp in _roles(ctx):
        mini = int(role.ppo_mini_batch_size)
        if batch < mini:
            findings.append(
                error(
                    f"data.train_batch_size={batch} is smaller than {name}.ppo_mini_batch_size={mini} "
                    "(both count prompts); make the mini-batch <= the batch"
                )
            )
        if gpus % sp:
            findings.append(
                error(f"{name}.ulysses_sequence_parallel_size={sp} does not divide the {gpus} GPUs")
            )
        elif (mini * rollout_n) % (gpus // sp):
            findings.append(
                error(
                    f"{name}.ppo_mini_batch_size={mini} x actor_rollout_ref.rollout.n={rollout_n} = "
                    f"{mini * rollout_n} responses is not divisible by the data-parallel size {gpus // sp} "
                    f"({gpus} GPUs / sequence parallel {sp}); verl asserts this at the first update"
                )
            )
    rollout = cfg.actor_rollout_ref.rollout
    replica = (
        int(rollout.tensor_model_parallel_size)
        * int(rollout.get("data_parallel_size", 1))
        * int(rollout.get("pipeline_model_parallel_size", 1))
    )
    if gpus % replica:
        findings.append(
            error(
                f"actor_rollout_ref.rollout.tensor_model_parallel_size={rollout.tensor_model_parallel_size} "
                f"(x data/pipeline parallel = {replica} GPUs per vLLM replica) "
                f"does not divide the {gpus} GPUs"
            )
        )
    return findings


def critic_token_budget(cfg: DictConfig) -> int:
    """The critic's token budget per GPU as verl 0.9.1's V1 trainer reads it, for its update and its value
    passes alike: ``critic.ppo_infer_max_token_len_per_gpu``, from verl's critic dataclass when not set."""
    from verl.workers.config.critic import CriticConfig

    key = "ppo_infer_max_token_len_per_gpu"
    default = next(f.default for f in dataclasses.fields(CriticConfig) if f.name == key)
    return int(cfg.critic.get(key, default))


def check_token_budgets(ctx: Preflight) -> list[Finding]:
    """Every dynamic-batch token budget holds one full sequence (verl asserts it at the first batch)."""
    cfg = ctx.cfg
    actor, rollout, ref = (
        cfg.actor_rollout_ref.actor,
        cfg.actor_rollout_ref.rollout,
        cfg.actor_rollout_ref.ref,
    )
    budgets = []
    if actor.use_dynamic_bsz:
        budgets.append(("actor_rollout_ref.actor.ppo_max_token_len_per_gpu", actor.ppo_max_token_len_per_gpu))
    if rollout.log_prob_use_dynamic_bsz:
        budgets.append(
            (
                "actor_rollout_ref.rollout.log_prob_max_token_len_per_gpu",
                rollout.log_prob_max_token_len_per_gpu,
            )
        )
    if ref.log_prob_use_dynamic_bsz:
        budgets.append(
            ("actor_rollout_ref.ref.log_prob_max_token_len_per_gpu", ref.log_prob_max_token_len_per_gpu)
        )
    if ctx.uses_critic and cfg.critic.use_dynamic_bsz:
        budgets.append(("critic.ppo_infer_max_token_len_per_gpu", critic_token_budget(cfg)))
    sequence = int(cfg.data.max_prompt_length) + int(cfg.data.max_response_length)
    return [
        error(
            f"{key}={budget} cannot hold one full sequence (data.max_prompt_length + "
            f"data.max_response_length = {sequence} tokens); verl asserts budget >= sequence length"
        )
        for key, budget in budgets
        if int(budget) < sequence
    ]


def check_algorithm(ctx: Preflight) -> list[Finding]:
    """Advantage estimator, rollout engine, group size, clip ratios and trainer mode."""
    from verl.trainer.ppo.core_algos import ADV_ESTIMATOR_REGISTRY
    from verl.trainer.ppo.v1 import get_trainer_cls
    from verl.workers.rollout.replica import RolloutReplicaRegistry

    cfg, findings = ctx.cfg, []
    estimator = str(cfg.algorithm.adv_estimator)
    if estimator not in ADV_ESTIMATOR_REGISTRY:
        findings.append(
            error(
                f"algorithm.adv_estimator={estimator!r} is not a registered advantage estimator "
                f"(available: {', '.join(sorted(ADV_ESTIMATOR_REGISTRY))})"
            )
        )
    if estimator == "gdpo":
        # Measured 2026-12-07: verl 0.9.1's GDPO reads batch["prompts"], which the V1 trainer's batch (the
        # only one this recipe runs) does not hold; the run dies at the first advantage, after start-up.
        findings.append(
            error(
                "algorithm.adv_estimator=gdpo fails in verl 0.9.1's V1 trainer at the first step (its GDPO "
                "reads batch['prompts'], absent from the V1 batch: KeyError 'prompts'); use grpo"
            )
        )
    rollout = cfg.actor_rollout_ref.rollout
    # The registry's loaders import the engine lazily, so listing its names needs no vLLM install.
    engines = sorted(RolloutReplicaRegistry._registry)
    if rollout.name not in engines:
        findings.append(
            error(
                f"actor_rollout_ref.rollout.name={rollout.name!r} is not a rollout engine "
                f"({', '.join(engines)})"
            )
        )
    if estimator in GROUP_ESTIMATORS and int(rollout.n) < 2:
        findings.append(
            error(
                f"actor_rollout_ref.rollout.n={rollout.n} with algorithm.adv_estimator={estimator}: a group "
                "needs >= 2 responses per prompt (with one, every advantage is 0)"
            )
        )
    if estimator in GROUP_ESTIMATORS and rollout.do_sample and float(rollout.temperature) <= 0:
        findings.append(
            error(
                f"actor_rollout_ref.rollout.temperature={rollout.temperature}: greedy sampling makes the "
                f"{estimator} group identical, so every advantage is 0"
            )
        )
    actor = cfg.actor_rollout_ref.actor
    ratios = {
        f"actor_rollout_ref.actor.{k}": actor.get(k)
        for k in ("clip_ratio", "clip_ratio_low", "clip_ratio_high")
    }
    if ctx.uses_critic:
        ratios["critic.cliprange_value"] = cfg.critic.get("cliprange_value")
    findings += [
        error(f"{k}={v} must be > 0 (it is a PPO clip range)")
        for k, v in ratios.items()
        if v is not None and float(v) <= 0
    ]
    try:
        get_trainer_cls(str(cfg.trainer.v1.trainer_mode))
    except ValueError as exc:
        findings.append(error(f"trainer.v1.trainer_mode={cfg.trainer.v1.trainer_mode!r}: {exc}"))
    return findings


def check_update_rate(ctx: Preflight) -> list[Finding]:
    """Updates per step and prompts per update, side by side with the official run's."""
    actor, rollout = ctx.cfg.actor_rollout_ref.actor, ctx.cfg.actor_rollout_ref.rollout
    batch = int(ctx.cfg.data.train_batch_size)
    ours = update_rate(
        batch, int(actor.ppo_mini_batch_size), int(actor.ppo_epochs), int(rollout.n), float(actor.optim.lr)
    )
    paper = official_update_rate()
    line = (
        f"{ours.updates_per_step} update(s)/step, {ours.prompts_per_update} prompts "
        f"({ours.responses_per_update} responses) per update at lr {ours.lr:g}, {on_policy_share(ours)}; "
        f"paper: {paper.prompts_per_update} "
        f"prompts ({paper.responses_per_update} responses) per update at lr {paper.lr:g}, "
        f"{on_policy_share(paper)}"
    )
    differences = []
    if ours.prompts_per_update != paper.prompts_per_update:
        ratio = ours.prompts_per_update / paper.prompts_per_update
        fewer = f"{ratio:.3g}x fewer" if ratio > 1 else f"{1 / ratio:.3g}x more"
        differences.append(
            f"actor_rollout_ref.actor.ppo_mini_batch_size={ours.prompts_per_update} makes {fewer} optimiser "
            f"steps per prompt than the paper's {paper.prompts_per_update} prompts per update"
        )
    if ours.lr != paper.lr:
        differences.append(f"actor_rollout_ref.actor.optim.lr={ours.lr:g} vs the paper's {paper.lr:g}")
    if not differences:
        return [fact("update rate", line)]
    advice = (
        f"keep the mini-batch at {paper.prompts_per_update} prompts (the batch may grow) or retune the lr"
    )
    return [
        fact("update rate", line),
        warning(f"update rate differs from the paper's: {'; '.join(differences)}; {advice}"),
    ]
