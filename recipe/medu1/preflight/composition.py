"""Config composition, verl's own ``validate_config`` and the legacy keys verl 0.9.1 silently ignores.

Why: a misspelled key must fail before a GPU is paid for (Hydra refuses unknown keys at composition),
and a legacy top-level reward key (``custom_reward_function.*``, ``reward_model.*``,
``sandbox_fusion.*``) composes without complaint but is never read by verl 0.9.1's ``main_ppo``, which
dropped the migration to ``reward.*``: the run would silently train with verl's default reward. Likewise
a few keys verl 0.9.1 keeps in its config but no longer reads (:data:`DEAD_KEYS`): set to anything but
verl's default, they would be overridden in vain.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

from recipe.medu1.preflight.findings import Finding, error, skipped, warning

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight

# Legacy top-level keys mapped to the reward.* key that replaces them. Longest prefix wins.
LEGACY_REPLACEMENTS = {
    "custom_reward_function": "reward.custom_reward_function",
    "reward_model": "reward.reward_model",
    "reward_model.num_workers": "reward.num_workers",
    "reward_model.reward_manager": "reward.reward_manager.name",
    "reward_model.reward_kwargs": "reward.reward_kwargs",
    "reward_model.reward_loop_source": "reward.reward_manager.source",
    "reward_model.reward_loop_module_path": "reward.reward_manager.module.path",
    "reward_model.reward_loop_class_name": "reward.reward_manager.name",
    "reward_model.model.path": "reward.reward_model.model_path",
    "sandbox_fusion": "reward.sandbox_fusion",
}
LEGACY_TOP_LEVEL_KEYS = ("custom_reward_function", "reward_model", "sandbox_fusion")
# Keys still in verl 0.9.1's config that its V1 trainer and FSDP engine do not read -> the key they read.
DEAD_KEYS = {
    "actor_rollout_ref.actor.grad_clip": "actor_rollout_ref.actor.optim.clip_grad",
    "critic.grad_clip": "critic.optim.clip_grad",
    "critic.ppo_max_token_len_per_gpu": "critic.ppo_infer_max_token_len_per_gpu",
    "critic.forward_max_token_len_per_gpu": "critic.ppo_infer_max_token_len_per_gpu",
}


def compose_config(config_dir: Path, config_name: str, overrides: list[str]) -> DictConfig:
    """Compose exactly what ``main_ppo --config-path=config_dir --config-name=config_name`` composes."""
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(Path(config_dir).resolve()), version_base=None):
        return compose(config_name=config_name, overrides=list(overrides))


def plain(node: Any) -> dict:
    """A config mapping (possibly empty, possibly None) as a plain resolved dict."""
    return OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else dict(node or {})


def check_composes(ctx: Preflight) -> list[Finding]:
    """The config composes (unknown keys, bad override syntax and missing config files fail here)."""
    try:
        ctx.cfg  # noqa: B018 - composing is the check
    except Exception as exc:
        return [error(f"config does not compose: {type(exc).__name__}: {exc}")]
    return []


def _leaves(node: Any, prefix: str):
    """(dotted key, value) for every non-dict leaf under ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{prefix}.{key}")
    else:
        yield prefix, node


def legacy_replacement(key: str) -> str:
    """The reward.* key that replaces legacy ``key`` (longest matching prefix, remainder kept)."""
    prefix = max((p for p in LEGACY_REPLACEMENTS if key == p or key.startswith(p + ".")), key=len)
    return LEGACY_REPLACEMENTS[prefix] + key[len(prefix) :]


def check_legacy_keys(ctx: Preflight) -> list[Finding]:
    """Refuse every legacy top-level reward setting that is set."""
    findings = []
    for top in LEGACY_TOP_LEVEL_KEYS:
        node = OmegaConf.to_container(ctx.cfg[top], resolve=False) if top in ctx.cfg else None
        for key, value in _leaves(node or {}, top):
            if value is not None:
                findings.append(
                    error(
                        f"{key}={value!r} is a legacy top-level key that verl 0.9.1 silently ignores "
                        "(the run would use the default reward); "
                        f"use {legacy_replacement(key)}={value} instead"
                    )
                )
    return findings


def check_verl_validate_config(ctx: Preflight) -> list[Finding]:
    """verl's ``validate_config``, which ``main_ppo`` runs before ``ray.init``; its notices become warnings.

    A PPO critic given as a hub id is left out: verl would read its ``config.json`` from the hub.
    """
    from verl.trainer.ppo.utils import need_reference_policy
    from verl.utils.config import validate_config

    from recipe.medu1.preflight.model import model_location

    cfg = ctx.cfg
    critic_local = ctx.uses_critic and model_location(str(cfg.critic.model.path)) == "local"
    findings = []
    if ctx.uses_critic and not critic_local:
        findings.append(
            skipped(
                f"critic model config (critic.model.path={cfg.critic.model.path} is not a local directory; "
                "verl's validate_config would load its config.json)"
            )
        )
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            validate_config(
                config=cfg, use_reference_policy=need_reference_policy(cfg), use_critic=critic_local
            )
    except Exception as exc:  # verl raises AssertionError, ValueError and friends
        return [error(f"verl validate_config: {type(exc).__name__}: {exc}")]
    lines = printed.getvalue().splitlines()
    return findings + [warning(line.strip()) for line in lines if line.startswith(("WARNING", "NOTICE"))]


def raw_value(cfg: DictConfig, key: str) -> Any:
    """``key``'s value before interpolation (so that a key following another by ``${...}`` reads as unset)."""
    parent, _, leaf = key.rpartition(".")
    node = OmegaConf.select(cfg, parent)
    return OmegaConf.to_container(node, resolve=False).get(leaf) if isinstance(node, DictConfig) else None


def verl_defaults() -> DictConfig:
    """verl's own ``ppo_trainer`` config, as composed without the recipe."""
    from hydra import compose, initialize_config_module

    with initialize_config_module(config_module="verl.trainer.config", version_base=None):
        return compose(config_name="ppo_trainer")


def check_dead_keys(ctx: Preflight) -> list[Finding]:
    """Refuse a key of :data:`DEAD_KEYS` set away from verl's default (critic keys only with a critic)."""
    keys = [k for k in DEAD_KEYS if ctx.uses_critic or not k.startswith("critic.")]
    defaults = verl_defaults()
    return [
        error(
            f"{key}={raw_value(ctx.cfg, key)} is not read by verl 0.9.1 (its default stays in force); "
            f"set {DEAD_KEYS[key]} instead"
        )
        for key in keys
        if raw_value(ctx.cfg, key) != raw_value(defaults, key)
    ]
