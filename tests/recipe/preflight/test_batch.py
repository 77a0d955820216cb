"""Batch sizes, token budgets, the algorithm, and the update rate compared with the official run's."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from recipe.medu1.preflight.batch import OFFICIAL_CONFIG, official_update_rate
from recipe.medu1.preflight.findings import ERROR, WARNING, of_level


def test_batch_smaller_than_mini_batch_even_with_dynamic_bsz(preflight):
    # verl's validate_config skips this rule when use_dynamic_bsz=True (the recipe's default).
    errors = of_level(preflight("actor_rollout_ref.actor.ppo_mini_batch_size=32"), ERROR)
    assert errors == [
        "data.train_batch_size=16 is smaller than actor_rollout_ref.actor.ppo_mini_batch_size=32 "
        "(both count prompts); make the mini-batch <= the batch"
    ]


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("trainer.n_gpus_per_node=6", "= 32 responses is not divisible by the data-parallel size 6"),
        ("actor_rollout_ref.rollout.n=1", "a group needs >= 2 responses per prompt"),
        ("actor_rollout_ref.rollout.temperature=0", "greedy sampling makes the grpo group identical"),
        ("actor_rollout_ref.actor.clip_ratio_low=0", "actor_rollout_ref.actor.clip_ratio_low=0 must be > 0"),
        ("algorithm.adv_estimator=grpoo", "algorithm.adv_estimator='grpoo' is not a registered advantage"),
        ("actor_rollout_ref.rollout.name=hf", "actor_rollout_ref.rollout.name='hf' is not a rollout engine"),
        ("actor_rollout_ref.rollout.tensor_model_parallel_size=3", "tensor_model_parallel_size=3"),
        ("trainer.v1.trainer_mode=fast", "trainer.v1.trainer_mode='fast'"),
        ("algorithm.adv_estimator=gdpo", "algorithm.adv_estimator=gdpo fails in verl 0.9.1's V1 trainer"),
        (
            "actor_rollout_ref.actor.ppo_max_token_len_per_gpu=4096",
            "actor_rollout_ref.actor.ppo_max_token_len_per_gpu=4096 cannot hold one full sequence",
        ),
    ],
)
def test_refusals_verl_lacks(preflight, override, expected):
    errors = of_level(preflight(override), ERROR)
    assert any(expected in e for e in errors), errors


def test_the_critic_budget_checked_is_the_one_verl_reads(preflight):
    errors = of_level(preflight("critic.ppo_infer_max_token_len_per_gpu=4096", config="medu1_ppo"), ERROR)
    expected = "critic.ppo_infer_max_token_len_per_gpu=4096 cannot hold"
    assert any(e.startswith(expected) for e in errors), errors


def test_log_prob_budgets_inherit_the_actor_budget(preflight):
    # One source for the token budget: the log-prob passes follow the actor's (verl's interpolation).
    errors = of_level(preflight("actor_rollout_ref.actor.ppo_max_token_len_per_gpu=4096"), ERROR)
    assert any(e.startswith("actor_rollout_ref.rollout.log_prob_max_token_len_per_gpu=4096") for e in errors)
    assert any(e.startswith("actor_rollout_ref.ref.log_prob_max_token_len_per_gpu=4096") for e in errors)


def test_official_rate_is_read_from_the_recipe_config():
    base = OmegaConf.load(OFFICIAL_CONFIG)
    rate = official_update_rate()
    assert rate.prompts_per_update == base.actor_rollout_ref.actor.ppo_mini_batch_size
    assert rate.responses_per_update == rate.prompts_per_update * base.actor_rollout_ref.rollout.n
    assert rate.lr == base.actor_rollout_ref.actor.optim.lr


def test_update_rate_is_printed_and_matches_the_paper_by_default(preflight):
    findings = preflight()
    rate = official_update_rate()
    line = {f.label: f.text for f in findings}["update rate"]
    assert line.startswith(
        f"{16 // rate.prompts_per_update} update(s)/step, {rate.prompts_per_update} prompts"
    )
    assert not [w for w in of_level(findings, WARNING) if "update rate" in w]


def test_a_grown_mini_batch_warns_with_the_factor(preflight):
    rate = official_update_rate()
    warnings = of_level(preflight("actor_rollout_ref.actor.ppo_mini_batch_size=16"), WARNING)
    expected = f"ppo_mini_batch_size=16 makes {16 / rate.prompts_per_update:.3g}x fewer optimiser steps"
    assert any(w.startswith("update rate differs") and expected in w for w in warnings), warnings
    lr_warnings = of_level(preflight("actor_rollout_ref.actor.optim.lr=1e-5"), WARNING)
    assert any("actor_rollout_ref.actor.optim.lr=1e-05 vs the paper's 1e-06" in w for w in lr_warnings)


def test_the_on_policy_share_is_said(preflight):
    """16 prompts per step with the paper's 4-prompt update: 4 updates, the first one on-policy."""
    line = {f.label: f.text for f in preflight()}["update rate"]
    assert "at lr 1e-06, 1 of 4 updates on-policy, the others up to 3 stale; paper:" in line
    assert line.endswith("every update on-policy")
    # The paper's step: 4 prompts per step, one update, on the policy that sampled it.
    exact = {f.label: f.text for f in preflight("data.train_batch_size=4")}["update rate"]
    assert exact.startswith("1 update(s)/step, 4 prompts (32 responses) per update at lr 1e-06, every update")
