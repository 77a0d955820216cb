"""Check a Med-U1 training config on CPU, offline, before any GPU is paid for.

Usage::

    python -m recipe.medu1.preflight [--config-path DIR] [--config-name NAME] [overrides ...]
    bash examples/run_medu1_qwen7b.sh --check [overrides ...]   # the script's exact overrides

It imports our verl plugins directly (verl hides their import errors), composes the config exactly as
``python -m verl.trainer.main_ppo --config-path=DIR --config-name=NAME`` does (unknown keys fail),
runs verl's ``validate_config`` plus the checks verl lacks (``recipe.medu1.preflight.checks``), resolves
the reward manager and reward function and calls the function on real rows, and ends with a summary.
It never downloads anything or loads model weights: a local model directory is read for its config
and tokenizer; with a hub id the model-dependent checks are listed as skipped. Exit status 1 when any
check refuses the config; every refusal names the offending key, value or file.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import math
import os
import sys
import warnings
from pathlib import Path

# No check may reach a model hub; set before transformers / huggingface_hub are imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# verl lists every optional training engine it cannot import (megatron, veomni, ...); not our concern here.
warnings.filterwarnings("ignore", message=r".* engine is not available")

from omegaconf import DictConfig  # noqa: E402

from recipe.medu1.preflight import checks  # noqa: E402

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
DEFAULT_CONFIG_NAME = "medu1_grpo"
# Our two verl.plugins entry points (pyproject.toml) and the modules behind them.
PLUGINS = {
    "medu1_reward_manager": "recipe.medu1.train.reward_manager",
    "medu1_trainer": "recipe.medu1.train.trainer",
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m recipe.medu1.preflight", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--config-path", "-cp", default=str(DEFAULT_CONFIG_DIR), help="config directory")
    parser.add_argument("--config-name", "-cn", default=DEFAULT_CONFIG_NAME, help="config name (no .yaml)")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, exactly as given to main_ppo")
    return parser.parse_intermixed_args(argv)


def check_plugins(report: checks.Report) -> bool:
    """Import both plugin modules directly and confirm verl can find them as installed entry points."""
    ok = True
    for entry_point, module in PLUGINS.items():
        try:
            importlib.import_module(module)
        except Exception as exc:
            report.errors.append(
                f"verl plugin {entry_point} ({module}) fails to import: {type(exc).__name__}: {exc}"
            )
            ok = False
    installed = {ep.name for ep in importlib.metadata.entry_points(group="verl.plugins")}
    for entry_point, module in PLUGINS.items():
        if entry_point not in installed:
            report.errors.append(
                f"verl plugin entry point {entry_point} ({module}) is not installed, so Ray workers "
                "would never register it: run `pip install -e .` in the repository (on every node)"
            )
    return ok


def run_checks(config_dir: str | Path, config_name: str, overrides: list[str]) -> checks.Report:
    """Every check, in dependency order; stops early only when later checks cannot run."""
    report = checks.Report()
    report.summary.append(("config", f"{config_name} ({config_dir}) + {len(overrides)} override(s)"))
    if not check_plugins(report):
        return report
    try:
        cfg = checks.compose_config(Path(config_dir), config_name, overrides)
    except Exception as exc:
        report.errors.append(f"config does not compose: {type(exc).__name__}: {exc}")
        return report

    report.errors += checks.check_legacy_keys(cfg)
    model = checks.model_location(str(cfg.actor_rollout_ref.model.path))
    use_critic = checks.needs_critic(cfg)
    critic_local = use_critic and checks.model_location(str(cfg.critic.model.path)) == "local"
    if use_critic and not critic_local:
        report.skipped.append(
            f"critic model config (critic.model.path={cfg.critic.model.path} is not a local directory; "
            "verl's validate_config would load its config.json)"
        )
    report.errors += checks.run_verl_validate_config(cfg, use_critic=critic_local, report=report)
    report.errors += checks.check_batch_sizes(cfg)
    report.errors += checks.check_algorithm(cfg)
    checks.check_loggers(cfg, report)

    train, val = checks.check_data(cfg, report)
    # Validation is scored by the same manager, so budgets in either split need the medu1 manager.
    budgeted = sum(f.budgeted_rows for f in train + val)
    manager_cls, errors = checks.check_reward_manager(cfg, budgeted)
    report.errors += errors
    rows: dict[str, tuple[str, dict]] = {}
    for data_file in train:
        for task, row in data_file.first_row_per_task.items():
            rows.setdefault(task, (data_file.path, row))
    results, errors = checks.check_reward_function(cfg, rows)
    report.errors += errors

    summarize(cfg, model, manager_cls, train, val, results, report)
    if model == "local":
        checks.check_local_model(cfg, train, report)
    elif model == "hub":
        report.skipped.append(
            f"actor_rollout_ref.model.path={cfg.actor_rollout_ref.model.path} is a hub id (not downloaded): "
            "tokenizer and chat template, model context vs prompt + response length, prompt token lengths"
        )
    else:
        report.errors.append(
            f"actor_rollout_ref.model.path={cfg.actor_rollout_ref.model.path} is neither a local directory "
            "nor a hub id (org/name)"
        )
    return report


def _data_line(files: list[checks.DataFile]) -> str:
    parts = []
    for f in files:
        if f.rows is None:
            parts.append(f"{f.path} (not read)")
            continue
        sources = ", ".join(f"{s} {n}" for s, n in sorted(f.sources.items()))
        budget = f"; {f.budgeted_rows} with a length budget" if f.budgeted_rows else ""
        parts.append(f"{f.path}: {f.rows} rows ({sources}{budget})")
    return "\n".ljust(18).join(parts)


def summarize(
    cfg: DictConfig,
    model: str,
    manager_cls: type | None,
    train: list[checks.DataFile],
    val: list[checks.DataFile],
    results: dict[str, dict],
    report: checks.Report,
) -> None:
    """The facts a user wants to see before launching: model, GPUs, batch, steps, data, reward."""
    actor, rollout = cfg.actor_rollout_ref.actor, cfg.actor_rollout_ref.rollout
    batch, n, mini = int(cfg.data.train_batch_size), int(rollout.n), int(actor.ppo_mini_batch_size)
    rows = checks.train_rows(cfg, train)
    steps = (
        f"{rows // batch} steps/epoch x {cfg.trainer.total_epochs} epoch(s)"
        if rows is not None
        else "unknown"
    )
    if cfg.trainer.total_training_steps is not None:
        steps += f", capped at trainer.total_training_steps={cfg.trainer.total_training_steps}"
    fn_cfg = cfg.reward.custom_reward_function
    kwargs = checks.plain(fn_cfg.get("reward_kwargs"))
    report.summary += [
        ("model", f"{cfg.actor_rollout_ref.model.path} ({'local directory' if model == 'local' else model})"),
        ("GPUs", f"{cfg.trainer.nnodes} node(s) x {cfg.trainer.n_gpus_per_node} = {checks.n_gpus(cfg)}"),
        (
            "algorithm",
            f"{cfg.algorithm.adv_estimator}, lr {actor.optim.lr}, KL loss {actor.use_kl_loss} "
            f"({actor.kl_loss_type} {actor.kl_loss_coef}), critic {checks.needs_critic(cfg)}",
        ),  # fmt: skip
        (
            "batch",
            f"{batch} prompts x n={n} = {batch * n} responses/step; mini-batch {mini} prompts -> "
            f"{math.ceil(batch / max(mini, 1)) * int(actor.ppo_epochs)} update(s)/step",
        ),  # fmt: skip
        (
            "lengths",
            f"prompt <= {cfg.data.max_prompt_length}, response <= {cfg.data.max_response_length} tokens",
        ),
        ("steps", steps),
        (
            "rollout",
            f"{rollout.name}, TP {rollout.tensor_model_parallel_size}, temperature {rollout.temperature}",
        ),
        (
            "reward",
            f"manager {cfg.reward.reward_manager.name}"
            f"{f' ({manager_cls.__name__})' if manager_cls else ''}, {fn_cfg.path}:{fn_cfg.name} {kwargs}",
        ),  # fmt: skip
        (
            "trainer",
            f"trainer.v1.trainer_mode={cfg.trainer.v1.trainer_mode}, logger {list(cfg.trainer.logger)}",
        ),
        ("train data", _data_line(train)),
        ("val data", _data_line(val)),
    ]
    for task, result in sorted(results.items()):
        terms = ", ".join(f"{k} {float(result[k]):.3g}" for k in checks.REWARD_RESULT_KEYS if k != "pred")
        report.summary.append((f"reward on {task}", f"ground truth as answer -> {terms}"))


def print_report(report: checks.Report, out=None) -> None:
    out = out or sys.stdout
    for message in report.errors:
        print(f"ERROR: {message}", file=out)
    for message in report.warnings:
        print(f"WARNING: {message}", file=out)
    print("\nSummary", file=out)
    for label, text in report.summary:
        print(f"  {label:<15} {text}", file=out)
    for message in report.skipped:
        print(f"  {'skipped':<15} {message}", file=out)
    verdict = f"FAILED: {len(report.errors)} error(s)" if report.errors else "OK"
    counts = f"{len(report.warnings)} warning(s), {len(report.skipped)} check(s) skipped"
    print(f"\ncheck_config: {verdict}, {counts}", file=out)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    report = run_checks(args.config_path, args.config_name, args.overrides)
    print_report(report)
    return 1 if report.errors else 0
