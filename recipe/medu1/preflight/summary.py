"""The summary facts a user reads before launching: model, GPUs, algorithm, batch, lengths, steps, data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from recipe.medu1.preflight.data import DataFile
from recipe.medu1.preflight.findings import Finding, fact

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight


def _data_line(files: list[DataFile]) -> str:
    parts = []
    for f in files:
        if f.rows is None:
            parts.append(f"{f.path} (not read)")
            continue
        sources = ", ".join(f"{s} {n}" for s, n in sorted(f.sources.items()))
        budget = f"; {f.budgeted_rows} with a length budget" if f.budgeted_rows else ""
        parts.append(f"{f.path}: {f.rows} rows ({sources}{budget})")
    return "\n".join(parts)


def _steps(ctx: Preflight) -> str:
    rows, trainer = ctx.train_rows, ctx.cfg.trainer
    text = "unknown"
    if rows is not None:
        text = f"{rows // int(ctx.cfg.data.train_batch_size)} steps/epoch x {trainer.total_epochs} epoch(s)"
    if trainer.total_training_steps is not None:
        text += f", capped at trainer.total_training_steps={trainer.total_training_steps}"
    return text


def summarize(ctx: Preflight) -> list[Finding]:
    cfg = ctx.cfg
    actor, rollout = cfg.actor_rollout_ref.actor, cfg.actor_rollout_ref.rollout
    batch, n = int(cfg.data.train_batch_size), int(rollout.n)
    fn_cfg = cfg.reward.custom_reward_function
    where = "local directory" if ctx.model_location == "local" else ctx.model_location
    return [
        fact("config", f"{ctx.config_name} ({ctx.config_dir}) + {len(ctx.overrides)} override(s)"),
        fact("model", f"{cfg.actor_rollout_ref.model.path} ({where})"),
        fact("GPUs", f"{cfg.trainer.nnodes} node(s) x {cfg.trainer.n_gpus_per_node} = {ctx.n_gpus}"),
        fact(
            "algorithm",
            f"{cfg.algorithm.adv_estimator}, lr {actor.optim.lr}, KL loss {actor.use_kl_loss} "
            f"({actor.kl_loss_type} {actor.kl_loss_coef}), entropy {actor.entropy_coeff}, "
            f"critic {ctx.uses_critic}",
        ),
        fact(
            "batch",
            f"{batch} prompts x n={n} = {batch * n} responses/step; "
            f"mini-batch {actor.ppo_mini_batch_size} prompts",
        ),
        fact(
            "lengths",
            f"prompt <= {cfg.data.max_prompt_length}, response <= {cfg.data.max_response_length} tokens",
        ),
        fact("steps", _steps(ctx)),
        fact(
            "rollout",
            f"{rollout.name}, TP {rollout.tensor_model_parallel_size}, temperature {rollout.temperature}",
        ),
        fact("reward", f"{fn_cfg.path}:{fn_cfg.name} {dict(fn_cfg.get('reward_kwargs') or {})}"),
        fact(
            "trainer",
            f"trainer.v1.trainer_mode={cfg.trainer.v1.trainer_mode}, logger {list(cfg.trainer.logger)}",
        ),
        fact("train data", _data_line(ctx.train)),
        fact("val data", _data_line(ctx.val)),
    ]
