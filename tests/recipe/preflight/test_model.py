"""The model: a local directory's config and tokenizer are checked; a hub id is skipped, never fetched."""

from __future__ import annotations

from recipe.medu1.preflight.findings import ERROR, SKIPPED, of_level

SHORT = "data.max_response_length=1024"  # the tiny model's 4096-token context cannot hold 2048 + 4096
PPO_MINI = "actor_rollout_ref.actor.ppo_mini_batch_size=8"  # x n=1 responses, split over the 8 GPUs


def test_hub_id_lists_the_skipped_model_checks(preflight):
    (message,) = of_level(preflight(), SKIPPED)
    assert "is a hub id (not downloaded)" in message and "tokenizer and chat template" in message


def test_local_model_validates_tokenizer_and_context(preflight, tiny_model_dir):
    findings = preflight(SHORT, model=tiny_model_dir)
    assert of_level(findings, ERROR) == [] and of_level(findings, SKIPPED) == []
    assert of_level(preflight(model=tiny_model_dir), ERROR) == [
        "data.max_prompt_length + data.max_response_length = 6144 exceeds the model's "
        f"max_position_embeddings=4096 ({tiny_model_dir}); vLLM refuses to start"
    ]


def test_local_critic_is_validated_by_verl(preflight, tiny_model_dir):
    findings = preflight(SHORT, PPO_MINI, model=tiny_model_dir, config="medu1_ppo")
    assert of_level(findings, ERROR) == [] and of_level(findings, SKIPPED) == []


def test_hub_critic_skips_only_the_critic_config(preflight):
    findings = preflight(PPO_MINI, config="medu1_ppo")
    assert of_level(findings, ERROR) == []
    assert any(s.startswith("critic model config") for s in of_level(findings, SKIPPED))


def test_missing_local_model_path(preflight, tmp_path):
    assert of_level(preflight(model=tmp_path / "no_such_model"), ERROR) == [
        f"actor_rollout_ref.model.path={tmp_path / 'no_such_model'} is neither a local directory "
        "nor a hub id (org/name)"
    ]
