"""The recipe configs compose on verl's ppo_trainer: medu1_grpo is medu1.yaml as is; medu1_ppo adds PPO."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from recipe.medu1.preflight.composition import compose_config

CONFIG_DIR = Path(__file__).resolve().parents[3] / "recipe" / "medu1" / "config"


@pytest.fixture(scope="module")
def cfg():
    return compose_config(CONFIG_DIR, "medu1_grpo", [])


@pytest.fixture(scope="module")
def ppo():
    return compose_config(CONFIG_DIR, "medu1_ppo", [])


def test_med_u1_algorithm_defaults(cfg):
    actor = cfg.actor_rollout_ref.actor
    assert cfg.algorithm.adv_estimator == "grpo"
    assert cfg.algorithm.use_kl_in_reward is False
    assert (actor.use_kl_loss, actor.kl_loss_type, actor.kl_loss_coef) == (True, "low_var_kl", 0.001)
    assert actor.optim.lr == 1e-6
    assert actor.entropy_coeff == 0.001 and actor.entropy_checkpointing is True
    assert (actor.clip_ratio_low, actor.clip_ratio_high) == (0.2, 0.2)
    # The official grad clip 1.0, on the key verl 0.9.1's FSDP engine reads (actor.grad_clip is not).
    assert actor.optim.clip_grad == 1.0
    assert "grad_clip" not in OmegaConf.load(CONFIG_DIR / "medu1.yaml").actor_rollout_ref.actor
    # A fixed shuffle seed: the same data order at every launch from scratch.
    assert cfg.data.shuffle is True and cfg.data.seed == 1
    # The official update rate: one update per 4 prompts (mini-batch = batch = 4 in the official step).
    assert cfg.data.train_batch_size == actor.ppo_mini_batch_size == 4


def test_one_token_budget_for_actor_and_log_prob_passes(cfg):
    actor, rollout, ref = (cfg.actor_rollout_ref[k] for k in ("actor", "rollout", "ref"))
    assert actor.ppo_max_token_len_per_gpu == 24576
    assert rollout.log_prob_max_token_len_per_gpu == ref.log_prob_max_token_len_per_gpu == 24576
    assert actor.use_dynamic_bsz and rollout.log_prob_use_dynamic_bsz and ref.log_prob_use_dynamic_bsz
    raw = OmegaConf.load(CONFIG_DIR / "medu1.yaml")
    assert "log_prob_max_token_len_per_gpu" not in raw.actor_rollout_ref.rollout  # inherited, not repeated


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


def test_reward_trainer_and_checkpoints_are_ours(cfg):
    assert cfg.reward.reward_manager.source == "register"
    assert cfg.reward.reward_manager.name == "medu1"
    fn = cfg.reward.custom_reward_function
    assert (fn.path, fn.name, dict(fn.reward_kwargs)) == (
        "pkg://reward_score",
        "compute_score",
        {"preset": "medu1"},
    )
    assert cfg.trainer.v1.trainer_mode == "medu1"
    # Checkpoints carry an HF copy (actor/huggingface) that evaluation loads without merging; two are kept.
    assert "hf_model" in cfg.actor_rollout_ref.actor.checkpoint.save_contents
    assert cfg.trainer.max_actor_ckpt_to_keep == cfg.trainer.max_critic_ckpt_to_keep == 2
    # The legacy top-level keys stay unset (verl 0.9.1 ignores them).
    assert cfg.custom_reward_function.path is None and cfg.reward_model.reward_manager is None


def _leaves(node, prefix=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{prefix}{key}.")
    else:
        yield prefix[:-1], node


def test_ppo_differs_from_grpo_only_in_ppo_settings(cfg, ppo):
    grpo_leaves = dict(_leaves(OmegaConf.to_container(cfg, resolve=True)))
    ppo_leaves = dict(_leaves(OmegaConf.to_container(ppo, resolve=True)))
    changed = {k for k in grpo_leaves.keys() | ppo_leaves.keys() if grpo_leaves.get(k) != ppo_leaves.get(k)}
    # n=1 and the experiment name reach verl's derived copies too (rollout_n, checkpoint dir, trace name).
    assert changed == {
        "algorithm.adv_estimator",
        "actor_rollout_ref.rollout.n",
        "actor_rollout_ref.actor.rollout_n",
        "actor_rollout_ref.ref.rollout_n",
        "critic.rollout_n",
        "critic.model.path",
        "critic.ppo_infer_max_token_len_per_gpu",
        "trainer.experiment_name",
        "trainer.default_local_dir",
        "actor_rollout_ref.rollout.trace.experiment_name",
    }
    assert ppo.algorithm.adv_estimator == "gae" and ppo.actor_rollout_ref.rollout.n == 1
    assert ppo.critic.model.path == ppo.actor_rollout_ref.model.path


def test_override_changes_a_default():
    cfg = compose_config(
        CONFIG_DIR, "medu1_grpo", ["reward.custom_reward_function.reward_kwargs.preset=robust"]
    )
    assert cfg.reward.custom_reward_function.reward_kwargs.preset == "robust"
