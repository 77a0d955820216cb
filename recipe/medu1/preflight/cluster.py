"""Where the run executes: loggers and their credentials, and what a multi-node run needs.

Why: verl asserts logger names only once training starts; on several nodes each rank writes checkpoint
shards relative to its own working directory while resume resolves against the driver's, and Ray
workers see only the environment of their node's ``ray start`` plus the fixed list of variables verl
forwards (tokenizer, NCCL debug and vLLM settings), not the launching shell's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from recipe.medu1.preflight.composition import plain
from recipe.medu1.preflight.data import data_paths
from recipe.medu1.preflight.findings import Finding, error, fact, warning

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight

#: Variables a multi-node run needs on every worker. Secrets are never put on the command line (verl
#: prints its Ray init kwargs): they must be exported before ``ray start`` on every node.
WORKER_ENV = ("NCCL_SOCKET_IFNAME", "GLOO_SOCKET_IFNAME", "HF_HOME")
WORKER_SECRETS = ("WANDB_API_KEY", "HF_TOKEN")


def check_loggers(ctx: Preflight) -> list[Finding]:
    """Logger names verl accepts; wandb needs credentials."""
    from verl.utils.tracking import Tracking

    loggers = data_paths(ctx.cfg.trainer.logger)
    unknown = [name for name in loggers if name not in Tracking.supported_backend]
    findings = []
    if unknown:
        findings.append(
            error(
                f"trainer.logger={loggers}: {', '.join(unknown)} not supported by verl "
                f"({', '.join(Tracking.supported_backend)})"
            )
        )
    netrc = Path(os.path.expanduser("~/.netrc"))
    logged_in = netrc.is_file() and "api.wandb.ai" in netrc.read_text(errors="ignore")
    if "wandb" in loggers and not os.environ.get("WANDB_API_KEY") and not logged_in:
        findings.append(
            warning(
                "trainer.logger includes wandb but neither WANDB_API_KEY nor `wandb login` credentials exist "
                "(set WANDB_MODE=offline to log locally)"
            )
        )
    return findings


def check_multinode(ctx: Preflight) -> list[Finding]:
    """With trainer.nnodes > 1: an absolute checkpoint dir, and how worker variables reach the workers."""
    trainer = ctx.cfg.trainer
    if int(trainer.nnodes) <= 1:
        return []
    findings = []
    if not os.path.isabs(os.path.expanduser(str(trainer.default_local_dir))):
        findings.append(
            error(
                f"trainer.default_local_dir={trainer.default_local_dir} is relative with trainer.nnodes="
                f"{trainer.nnodes}: each rank would write shards under its own working directory and resume "
                "would look under the driver's; set an absolute path on storage every node shares (CKPT_DIR)"
            )
        )
    runtime_env = plain(ctx.cfg.ray_kwargs.ray_init.get("runtime_env"))
    forwarded = set(runtime_env.get("env_vars") or {})
    routes = []
    for name in WORKER_ENV + WORKER_SECRETS:
        if name in forwarded:
            routes.append(f"{name} forwarded (ray_kwargs.ray_init.runtime_env.env_vars)")
        elif name in os.environ:
            routes.append(f"{name} set here only: export it before `ray start` on every node")
        else:
            routes.append(f"{name} unset")
    findings.append(fact("worker env", "; ".join(routes)))
    return findings
