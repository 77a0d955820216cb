"""Check a Med-U1 training config on CPU, offline, before any GPU is paid for.

Usage::

    python -m recipe.medu1.preflight [--config-path DIR] [--config-name NAME] [overrides ...]
    bash examples/run_medu1_qwen7b.sh --check [overrides ...]   # the script's exact overrides

It composes the config exactly as ``python -m verl.trainer.main_ppo --config-path=DIR --config-name=NAME``
does and runs the table of checks below, each ``check(ctx) -> list[Finding]``, in order; it stops
early only where later checks cannot run (plugins that do not import, a config that does not compose).
It never downloads anything or loads model weights: a local model directory is read for its config and
tokenizer; with a hub id the model-dependent checks are listed as skipped or estimated. Exit status 1
when any check refuses the config; every refusal names the offending key, value or file.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

# No check may reach a model hub; set before transformers / huggingface_hub are imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# verl lists every optional training engine it cannot import (megatron, veomni, ...); not our concern here.
warnings.filterwarnings("ignore", message=r".* engine is not available")

from recipe.medu1.preflight import (  # noqa: E402
    batch,
    cluster,
    composition,
    costs,
    data,
    install,
    length_budgets,
    model,
    prompt_lengths,
    resume,
    reward,
    summary,
)
from recipe.medu1.preflight.context import Preflight  # noqa: E402
from recipe.medu1.preflight.findings import ERROR, Finding, print_report  # noqa: E402

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
DEFAULT_CONFIG_NAME = "medu1_grpo"


class Check(NamedTuple):
    run: Callable[[Preflight], list[Finding]]
    stop_on_error: bool = False  # later checks cannot run when this one refuses


CHECKS: tuple[Check, ...] = (
    Check(install.check_plugins, stop_on_error=True),
    Check(install.check_package_location),
    Check(composition.check_composes, stop_on_error=True),
    Check(composition.check_legacy_keys),
    Check(composition.check_dead_keys),
    Check(summary.summarize),
    Check(composition.check_verl_validate_config),
    Check(batch.check_batch_sizes),
    Check(batch.check_token_budgets),
    Check(batch.check_algorithm),
    Check(cluster.check_loggers),
    Check(data.check_data_files),
    Check(length_budgets.check_length_budgets),
    Check(reward.check_reward_manager),
    Check(reward.check_agent_loop),
    Check(reward.check_reward_function),
    Check(reward.check_training_reward_settings),
    Check(model.check_model),
    Check(batch.check_update_rate),
    Check(prompt_lengths.check_overlong_prompts),
    Check(costs.check_validation_cost),
    Check(costs.check_checkpoint_size),
    Check(resume.check_resume),
    Check(resume.check_step_cap),
    Check(costs.check_memory_settings),
    Check(costs.check_filter_workers),
    Check(cluster.check_multinode),
)


def run_checks(config_dir: str | Path, config_name: str, overrides: list[str]) -> list[Finding]:
    """Every check of :data:`CHECKS` on one config, in order; the findings of all of them."""
    ctx = Preflight(Path(config_dir), config_name, list(overrides))
    findings: list[Finding] = []
    for check in CHECKS:
        found = check.run(ctx)
        findings += found
        if check.stop_on_error and any(f.level == ERROR for f in found):
            break
    return findings


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m recipe.medu1.preflight", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--config-path", "-cp", default=str(DEFAULT_CONFIG_DIR), help="config directory")
    parser.add_argument("--config-name", "-cn", default=DEFAULT_CONFIG_NAME, help="config name (no .yaml)")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, exactly as given to main_ppo")
    return parser.parse_intermixed_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    findings = run_checks(args.config_path, args.config_name, args.overrides)
    print_report(findings)
    return 1 if any(f.level == ERROR for f in findings) else 0
