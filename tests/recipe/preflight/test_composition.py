"""Composition, legacy keys and verl's own validate_config: every refusal names its key and replacement."""

from __future__ import annotations

from recipe.medu1.preflight.findings import ERROR, of_level


def single_error(preflight, *extra: str, config: str = "medu1_grpo") -> str:
    errors = of_level(preflight(*extra, config=config), ERROR)
    assert len(errors) == 1, errors
    return errors[0]


def test_valid_config_has_no_errors(preflight):
    assert of_level(preflight(), ERROR) == []


def test_legacy_custom_reward_function_is_refused_naming_replacement(preflight):
    message = single_error(preflight, "custom_reward_function.path=x.py")
    assert "custom_reward_function.path='x.py'" in message
    assert "use reward.custom_reward_function.path=x.py" in message


def test_legacy_reward_manager_is_refused_naming_replacement(preflight):
    message = single_error(preflight, "reward_model.reward_manager=dapo")
    assert "reward_model.reward_manager='dapo'" in message
    assert "use reward.reward_manager.name=dapo" in message


def test_legacy_sandbox_key_is_refused(preflight):
    assert "use reward.sandbox_fusion.url=http://localhost:8080" in single_error(
        preflight, "sandbox_fusion.url=http://localhost:8080"
    )


def test_misspelled_key_fails_composition_and_stops(preflight):
    findings = preflight("data.trian_batch_size=8")
    errors = of_level(findings, ERROR)
    assert len(errors) == 1 and "does not compose" in errors[0] and "trian_batch_size" in errors[0]
    assert not [f for f in findings if f.level == "fact"]  # nothing after composition ran


def test_verl_validate_config_refusal_is_reported(preflight):
    message = single_error(preflight, "actor_rollout_ref.actor.use_dynamic_bsz=False")
    assert message.startswith("verl validate_config:")


def test_dead_actor_grad_clip_is_refused_naming_the_key_verl_reads(preflight):
    message = single_error(preflight, "actor_rollout_ref.actor.grad_clip=0.5")
    assert message.startswith("actor_rollout_ref.actor.grad_clip=0.5 is not read by verl 0.9.1")
    assert message.endswith("set actor_rollout_ref.actor.optim.clip_grad instead")
    assert of_level(preflight("actor_rollout_ref.actor.optim.clip_grad=0.5"), ERROR) == []


# PPO's one response per prompt: mini-batches of 8 prompts split over the 8 GPUs of the base overrides.
PPO_SPLIT = ("actor_rollout_ref.actor.ppo_mini_batch_size=8", "critic.ppo_mini_batch_size=8")


def test_dead_critic_budget_is_refused_with_a_critic_only(preflight):
    message = single_error(
        preflight, *PPO_SPLIT, "critic.ppo_max_token_len_per_gpu=65536", config="medu1_ppo"
    )
    assert message.startswith("critic.ppo_max_token_len_per_gpu=65536 is not read")
    assert "critic.ppo_infer_max_token_len_per_gpu" in message
    # GRPO has no critic: its critic keys are never read at all, and not checked.
    assert of_level(preflight("critic.ppo_max_token_len_per_gpu=65536"), ERROR) == []


def test_the_recipe_sets_only_keys_verl_reads(preflight):
    assert of_level(preflight(*PPO_SPLIT, config="medu1_ppo"), ERROR) == []
