"""The model: a local directory is read for its config and tokenizer (never weights, never a download).

Why: a tokenizer without a chat template makes ``filter_overlong_prompts`` drop every row, and a model
whose context is shorter than prompt + response makes vLLM refuse to start, both after the GPUs are up.
With a hub id nothing is downloaded; the report lists what was skipped.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from omegaconf import DictConfig

from recipe.medu1.preflight.findings import Finding, error, skipped, warning

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


class LocalModel(NamedTuple):
    """A local model directory's HF config and tokenizer, or why they could not be read."""

    hf_config: Any = None
    tokenizer: Any = None
    problem: str | None = None


def model_location(path: str) -> str:
    """'local' (an existing directory), 'hub' (looks like org/name) or 'missing'."""
    if os.path.isdir(os.path.expanduser(path)):
        return "local"
    if HUB_ID.match(path):
        return "hub"
    return "missing"


def load_local_model(cfg: DictConfig) -> LocalModel:
    from transformers import AutoConfig, AutoTokenizer

    model_cfg = cfg.actor_rollout_ref.model
    path = os.path.expanduser(str(model_cfg.path))
    tokenizer_path = os.path.expanduser(str(model_cfg.get("tokenizer_path") or path))
    try:
        hf_config = AutoConfig.from_pretrained(path, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_path, local_files_only=True)
    except Exception as exc:
        return LocalModel(
            problem=f"actor_rollout_ref.model.path={model_cfg.path}: cannot read config/tokenizer ({exc})"
        )
    return LocalModel(hf_config, tokenizer)


def usable_tokenizer(ctx: Preflight) -> Any | None:
    """The local tokenizer when it can template prompts as verl does, else None."""
    model = ctx.model
    if model is None or model.problem:
        return None
    custom = ctx.cfg.actor_rollout_ref.model.get("custom_chat_template")
    return model.tokenizer if (model.tokenizer.chat_template or custom) else None


def check_model(ctx: Preflight) -> list[Finding]:
    """Local model: readable config/tokenizer, a chat template, a context that holds prompt + response."""
    model_cfg = ctx.cfg.actor_rollout_ref.model
    if ctx.model_location == "hub":
        return [
            skipped(
                f"actor_rollout_ref.model.path={model_cfg.path} is a hub id (not downloaded): "
                "tokenizer and chat template, model context vs prompt + response length, exact prompt token "
                "counts (overlong drops are estimated from characters)"
            )
        ]
    if ctx.model_location == "missing":
        return [
            error(
                f"actor_rollout_ref.model.path={model_cfg.path} is neither a local directory "
                "nor a hub id (org/name)"
            )
        ]
    findings = []
    if not os.path.isabs(os.path.expanduser(str(model_cfg.path))):
        findings.append(
            warning(
                f"actor_rollout_ref.model.path={model_cfg.path} is relative; "
                "Ray actors may resolve it elsewhere"
            )
        )
    model = ctx.model
    if model.problem:
        return findings + [error(model.problem)]
    if usable_tokenizer(ctx) is None:
        return findings + [
            error(
                f"actor_rollout_ref.model.path={model_cfg.path}: the tokenizer has no chat template; "
                "verl applies it to every prompt (and filter_overlong_prompts would drop every row)"
            )
        ]
    total = int(ctx.cfg.data.max_prompt_length) + int(ctx.cfg.data.max_response_length)
    context = getattr(model.hf_config, "max_position_embeddings", None)
    if context and not ctx.cfg.actor_rollout_ref.rollout.get("max_model_len") and total > context:
        findings.append(
            error(
                f"data.max_prompt_length + data.max_response_length = {total} exceeds the model's "
                f"max_position_embeddings={context} ({model_cfg.path}); vLLM refuses to start"
            )
        )
    return findings
