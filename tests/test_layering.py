"""The package layering: the reward and the data converters stand alone.

Why: ``reward_score`` is loaded by verl's reward loop and by the evaluation, and ``data_preprocess`` runs on
machines without a GPU stack; neither may pull in the other, the verl glue in ``recipe`` or verl itself.
Every module is parsed (not imported) and every import statement in it counts, function-level ones and
``importlib.import_module("...")`` / ``__import__("...")`` calls with a literal name included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "reward_score": {"data_preprocess", "recipe", "verl"},
    "data_preprocess": {"reward_score", "recipe", "verl"},
}


def imported_packages(source: str) -> set[str]:
    """Top-level package of every absolute import in ``source`` (relative imports stay in the package)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return {name.split(".")[0] for name in found}


def test_every_kind_of_import_is_seen():
    source = (
        "import os.path\nfrom verl.utils import x\nfrom . import sibling\n"
        "def f():\n    import recipe.medu1\n    importlib.import_module('reward_score.mcq')\n"
        "    return __import__('data_preprocess')\n"
    )
    assert imported_packages(source) == {"os", "verl", "recipe", "reward_score", "data_preprocess"}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_none_of_the_forbidden_layers(package: str):
    modules = sorted((REPO / package).rglob("*.py"))
    assert modules, f"no modules found under {package}/"
    violations = {
        str(path.relative_to(REPO)): sorted(imported & FORBIDDEN[package])
        for path in modules
        if (imported := imported_packages(path.read_text(encoding="utf-8"))) & FORBIDDEN[package]
    }
    assert not violations, f"{package} must not import {sorted(FORBIDDEN[package])}: {violations}"
