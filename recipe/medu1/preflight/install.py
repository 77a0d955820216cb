"""The install: our verl plugins import and are registered, and ``recipe.medu1`` is this install's.

Why: verl swallows plugin import errors (the run then fails later with "unknown reward manager" or
"unknown trainer mode"), and reaches our plugins in Ray workers only through installed entry points.
And our top-level package is named ``recipe``, like the ``recipe/`` folder of a verl checkout (the verl
images' working directory): launched from there, ``python -m verl.trainer.main_ppo`` puts the current
directory first on ``sys.path`` and ``recipe.medu1`` may resolve to another copy, or not at all.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from recipe.medu1.preflight.findings import Finding, error
from recipe.medu1.train.plugins import PLUGIN_MODULES

if TYPE_CHECKING:
    from recipe.medu1.preflight.context import Preflight

DISTRIBUTION = "med-u1"
# Our verl.plugins entry point (pyproject.toml) and the module behind it.
ENTRY_POINT, ENTRY_MODULE = "medu1", "recipe.medu1.train.plugins"
# What the trainer would import, seen from a fresh interpreter started the way `python -m` starts one
# (current directory first on sys.path): the path of recipe/medu1/__init__.py, or the import error.
_PROBE = (
    "import importlib.util, sys\n"
    "try:\n    spec = importlib.util.find_spec('recipe.medu1')\n"
    "    print(spec.origin if spec else 'not found')\n"
    "except Exception as exc:\n    print(f'{type(exc).__name__}: {exc}')\n"
)


def check_plugins(ctx: Preflight) -> list[Finding]:
    """Import the entry point's module and both plugin modules directly (verl would swallow their errors),
    and confirm verl can find the entry point as installed."""
    findings = []
    for module in (ENTRY_MODULE, *PLUGIN_MODULES.values()):
        try:
            importlib.import_module(module)
        except Exception as exc:
            failure = f"{type(exc).__name__}: {exc}"
            findings.append(error(f"verl plugin module {module} fails to import: {failure}"))
    installed = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="verl.plugins")}
    if installed.get(ENTRY_POINT) != ENTRY_MODULE:
        findings.append(
            error(
                f"verl plugin entry point {ENTRY_POINT} = {ENTRY_MODULE} is not installed (found "
                f"{installed.get(ENTRY_POINT)!r}), so Ray workers would never register our trainer and "
                "reward manager: run `pip install -e .` in the repository (on every node)"
            )
        )
    return findings


def installed_package_dir() -> Path | None:
    """Where the installed distribution's ``recipe/medu1`` lives (editable: the checkout), None if absent."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
    if direct_url.get("dir_info", {}).get("editable"):
        return Path(unquote(urlparse(direct_url["url"]).path)).resolve() / "recipe" / "medu1"
    return Path(str(dist.locate_file("recipe/medu1"))).resolve()


def trainer_view(cwd: str | None = None) -> str:
    """``recipe.medu1`` as ``python -m`` from ``cwd`` would resolve it (a fresh interpreter, no safe path)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    return (probe.stdout.strip().splitlines() or [probe.stderr.strip() or "no output"])[-1]


def check_package_location(ctx: Preflight) -> list[Finding]:
    """``recipe.medu1`` resolves to this install both here and for a trainer launched from this directory."""
    expected = installed_package_dir()
    if expected is None:
        return []  # check_plugins already refuses a missing install
    fix = (
        "launch from a directory without a recipe/ folder (not a verl checkout; e.g. this repository or "
        "$HOME), and drop other med-u1 copies from PYTHONPATH"
    )
    findings = []
    here = Path(__file__).resolve().parents[1]
    if here != expected:
        findings.append(
            error(f"this checker runs from {here}, but the installed med-u1 is {expected}: {fix}")
        )
    seen = trainer_view()
    if not seen.endswith("__init__.py"):
        findings.append(
            error(
                f"recipe.medu1 does not import from {os.getcwd()} ({seen}): "
                "a recipe/ folder here shadows the "
                f"installed package, so verl could not load our plugins; {fix}"
            )
        )
    elif Path(seen).resolve().parent != expected:
        findings.append(
            error(
                f"recipe.medu1 resolves to {Path(seen).parent} when launched from {os.getcwd()}, "
                "outside this "
                f"install ({expected}): the trainer would run that copy; {fix}"
            )
        )
    return findings
