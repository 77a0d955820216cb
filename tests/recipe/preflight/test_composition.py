"""Composition, legacy keys and verl's own validate_config: every refusal names its key and replacement."""

from __future__ import annotations

from recipe.medu1.preflight.findings import ERROR, of_level


def single_error(preflight, *extra: str) -> str:
    errors = of_level(preflight(*extra), ERROR)
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
