"""The recipe yaml composes on top of verl's ppo_trainer with the documented Med-U1 defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from recipe.medu1.preflight.checks import compose_config

CONFIG_DIR = Path(__file__).resolve().parents[3] / "recipe" / "medu1" / "config"


@pytest.fixture(scope="module")
def cfg():
    return compose_config(CONFIG_DIR, "medu1_grpo", [])


def test_med_u1_algorithm_defaults(cfg):
    actor = cfg.actor_rollout_ref.actor
    assert cfg.algorithm.adv_estimator == "grpo"
    assert cfg.algorithm.use_kl_in_reward is False
    assert (actor.use_kl_loss, actor.kl_loss_type, actor.kl_loss_coef) == (True, "low_var_kl", 0.001)
    assert actor.optim.lr == 1e-6
    assert actor.entropy_coeff == 0.001
    assert (actor.clip_ratio_low, actor.clip_ratio_high) == (0.2, 0.2)
    # The official one-update-per-step setting: mini-batch = batch = 4 prompts.
    assert cfg.data.train_batch_size == actor.ppo_mini_batch_size == 4


def test_med_u1_rollout_and_length_defaults(cfg):
    rollout = cfg.actor_rollout_ref.rollout
    assert (rollout.name, rollout.n, rollout.temperature) == ("vllm", 8, 0.6)
    assert (rollout.val_kwargs.n, rollout.val_kwargs.temperature, rollout.val_kwargs.do_sample) == (
        4,
        0.6,
        True,
    )
    assert (cfg.data.max_prompt_length, cfg.data.max_response_length) == (2048, 4096)
    assert cfg.data.filter_overlong_prompts is True
    # verl derives the rollout lengths from the data lengths.
    assert (rollout.prompt_length, rollout.response_length) == (2048, 4096)


def test_reward_and_trainer_are_ours(cfg):
    assert cfg.reward.reward_manager.source == "register"
    assert cfg.reward.reward_manager.name == "medu1"
    fn = cfg.reward.custom_reward_function
    assert (fn.path, fn.name, dict(fn.reward_kwargs)) == (
        "pkg://reward_score",
        "compute_score",
        {"preset": "medu1"},
    )
    assert cfg.trainer.v1.trainer_mode == "medu1"
    # Checkpoints carry an HF copy (actor/huggingface) that evaluation loads without merging.
    assert "hf_model" in cfg.actor_rollout_ref.actor.checkpoint.save_contents
    # The legacy top-level keys stay unset (verl 0.9.1 ignores them).
    assert cfg.custom_reward_function.path is None and cfg.reward_model.reward_manager is None


def test_override_changes_a_default():
    cfg = compose_config(
        CONFIG_DIR, "medu1_grpo", ["reward.custom_reward_function.reward_kwargs.preset=robust"]
    )
    assert cfg.reward.custom_reward_function.reward_kwargs.preset == "robust"
