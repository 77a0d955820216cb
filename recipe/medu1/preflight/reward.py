"""The reward manager and the reward function, resolved and called exactly as verl will.

Why: verl 0.9.1 resolves the reward manager only at trainer start (``batch`` and ``prime`` exist only in
its unused legacy registry), loads the custom reward function inside Ray workers, and calls it with the
configured ``reward_kwargs`` only on the first rollout; each mistake costs a model load and a rollout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from recipe.medu1.preflight.composition import plain
from recipe.medu1.preflight.findings import Finding, error, fact
from reward_score import NUMERIC_RESULT_KEYS, RESULT_KEYS, resolve_settings

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight
    from reward_score.settings import RewardSettings

# Names that exist only in verl's legacy reward-manager registry (verl/workers/reward_manager/).
LEGACY_ONLY_REWARD_MANAGERS = ("batch", "prime")


def check_reward_manager(ctx: Preflight) -> list[Finding]:
    """Resolve the manager in verl's reward-loop registry; length-budgeted rows need the medu1 manager."""
    from verl.experimental.reward_loop.reward_manager.registry import REWARD_MANAGER
    from verl.trainer.ppo.reward import resolve_reward_manager_cls

    from recipe.medu1.train.reward_manager import REWARD_MANAGER_NAME, MedU1RewardManager

    manager_cfg = ctx.cfg.reward.reward_manager
    try:
        manager_cls = resolve_reward_manager_cls(ctx.cfg)
    except Exception as exc:
        if manager_cfg.source != "register":
            return [
                error(
                    f"reward.reward_manager.name={manager_cfg.name!r} could not be loaded from "
                    f"reward.reward_manager.module.path={manager_cfg.module.path!r}: {exc}"
                )
            ]
        hint = (
            f" {manager_cfg.name!r} exists only in verl's legacy registry, which no 0.9.1 trainer path uses."
            if manager_cfg.name in LEGACY_ONLY_REWARD_MANAGERS
            else ""
        )
        return [
            error(
                f"reward.reward_manager.name={manager_cfg.name!r} is not in verl 0.9.1's reward-loop "
                f"registry (available: {', '.join(sorted(REWARD_MANAGER))}).{hint} "
                f"Med-U1 uses {REWARD_MANAGER_NAME!r}."
            )
        ]
    # Validation is scored by the same manager, so budgets in either split need the medu1 manager.
    budgeted = sum(f.budgeted_rows for f in ctx.train + ctx.val)
    if budgeted and not issubclass(manager_cls, MedU1RewardManager):
        return [
            error(
                f"reward.reward_manager.name={manager_cfg.name!r}: {budgeted} train/val rows carry a length "
                f"budget, and only the {REWARD_MANAGER_NAME!r} manager passes the response length the length "
                f"term needs; set reward.reward_manager.name={REWARD_MANAGER_NAME}"
            )
        ]
    return [fact("reward manager", f"{manager_cfg.name} ({manager_cls.__name__})")]


def check_agent_loop(ctx: Preflight) -> list[Finding]:
    """Resolve the rollout's agent loop in verl's registry (an unknown name fails only in the rollout
    worker, at the first step). Ours shows a group's responses the MCQ options in new orders, which the
    reward must read: only the medu1 manager does, and only where verl scores in the rollout and hands it
    the sample's extra fields (its V1 trainer, no colocated reward model)."""
    from verl.experimental.agent_loop.agent_loop import _agent_loop_registry
    from verl.trainer.ppo.reward import resolve_reward_manager_cls

    from recipe.medu1.train.agent_loop import AGENT_LOOP_NAME
    from recipe.medu1.train.reward_manager import REWARD_MANAGER_NAME, MedU1RewardManager

    cfg = ctx.cfg
    name = cfg.actor_rollout_ref.rollout.agent.default_agent_loop
    if name not in _agent_loop_registry:
        return [
            error(
                f"actor_rollout_ref.rollout.agent.default_agent_loop={name!r} is not a registered agent loop "
                f"(available: {', '.join(sorted(_agent_loop_registry))})"
            )
        ]
    if name != AGENT_LOOP_NAME:
        return [fact("agent loop", name)]
    try:
        manager_cls = resolve_reward_manager_cls(cfg)
    except Exception:
        return []  # check_reward_manager reports the unknown manager
    reward_model = cfg.reward.reward_model
    colocated = reward_model.enable and not reward_model.enable_resource_pool
    other_manager = not issubclass(manager_cls, MedU1RewardManager)
    problems = {
        f"set reward.reward_manager.name={REWARD_MANAGER_NAME}": other_manager,
        "set trainer.use_v1=true (the legacy trainer runs no such agent loop)": not cfg.trainer.use_v1,
        "a colocated reward model scores outside the rollout, without the sample's order: set "
        "reward.reward_model.enable_resource_pool=true": colocated,
    }
    return [
        error(f"the {AGENT_LOOP_NAME!r} agent loop shows a group's responses new MCQ option orders: {fix}")
        for fix, applies in problems.items()
        if applies
    ] or [fact("agent loop", f"{name} (MCQ options in new orders within each group)")]


def plausible_response(ground_truth: str) -> str:
    """A well-formed Med-U1 response that answers with the ground truth."""
    return f"<think>\nChecking the configuration before training.\n</think>\n<answer>{ground_truth}</answer>"


def _call_on_row(compute_score, file: str, task: str, row: dict, label: str) -> Finding:
    ground_truth = str(row["reward_model"]["ground_truth"])
    solution = plausible_response(ground_truth)
    try:
        result = compute_score(
            data_source=row["data_source"],
            solution_str=solution,
            ground_truth=ground_truth,
            extra_info=dict(row.get("extra_info") or {}),
            response_length=len(solution.split()) + 1,
        )
    except Exception as exc:
        return error(f"{label} failed on the first {task} row of {file}: {type(exc).__name__}: {exc}")
    absent = [k for k in RESULT_KEYS if not isinstance(result, dict) or k not in result]
    if absent:
        return error(
            f"{label} returned {result!r} on the first {task} row of {file}; the medu1 manager and "
            f"metrics need a dict with {', '.join(absent)}"
        )
    terms = ", ".join(f"{k} {float(result[k]):.3g}" for k in NUMERIC_RESULT_KEYS)
    return fact(f"reward on {task}", f"ground truth as answer -> {terms} (rule {result['rule']})")


def check_reward_function(ctx: Preflight) -> list[Finding]:
    """Load the reward function through verl's own wrapper and call it once per task on a real train row.

    verl's ``get_custom_reward_fn`` merges the configured ``reward_kwargs`` exactly as in training, so
    an unknown or ill-typed kwarg fails now.
    """
    from verl.trainer.ppo.reward import get_custom_reward_fn

    fn_cfg = ctx.cfg.reward.get("custom_reward_function") or {}
    path, name = fn_cfg.get("path"), fn_cfg.get("name")
    if not path:
        return [
            error(
                "reward.custom_reward_function.path is not set: verl would use its built-in scorer, which "
                "raises NotImplementedError for medical data sources; set it to pkg://reward_score"
            )
        ]
    try:
        compute_score = get_custom_reward_fn(ctx.cfg)
    except Exception as exc:
        return [
            error(
                f"reward.custom_reward_function.path={path!r} / name={name!r} could not be loaded: "
                f"{type(exc).__name__}: {exc}"
            )
        ]
    label = (
        f"reward.custom_reward_function {path}:{name} with reward_kwargs={plain(fn_cfg.get('reward_kwargs'))}"
    )
    rows: dict[str, tuple[str, dict]] = {}
    for data_file in ctx.train:
        for task, row in data_file.first_row_per_task.items():
            rows.setdefault(task, (data_file.path, row))
    return [_call_on_row(compute_score, file, task, row, label) for task, (file, row) in sorted(rows.items())]


def configured_settings(ctx: Preflight) -> RewardSettings | None:
    """The reward settings the config's ``reward_kwargs`` give ``compute_score``; None for a bad kwarg
    (check_reward_function reports it with the row it failed on)."""
    kwargs = plain((ctx.cfg.reward.get("custom_reward_function") or {}).get("reward_kwargs"))
    try:
        return resolve_settings(kwargs)[0]
    except ValueError:
        return None


def check_training_reward_settings(ctx: Preflight) -> list[Finding]:
    """Refuse evaluation-only reward settings in a training config: ``freeform_fallback`` reads an answer
    from untagged prose, and a training reward must not pay prose (the policy would stop writing tags)."""
    settings = configured_settings(ctx)
    if settings is not None and settings.freeform_fallback:
        return [
            error(
                "reward.custom_reward_function.reward_kwargs.freeform_fallback=True is evaluation-only: a "
                "training reward must not pay an answer read from prose; remove it"
            )
        ]
    return []
