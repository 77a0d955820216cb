"""Plugins are installed, and recipe.medu1 resolves to this install, not to a recipe/ folder in the cwd."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from recipe.medu1.preflight import install
from recipe.medu1.preflight.findings import ERROR, of_level
from recipe.medu1.preflight.install import check_package_location, installed_package_dir, trainer_view

REPO_PACKAGE = Path(__file__).resolve().parents[3] / "recipe" / "medu1"


def test_this_checkout_is_the_install_and_what_the_trainer_sees():
    assert installed_package_dir() == REPO_PACKAGE
    assert Path(trainer_view()).parent == REPO_PACKAGE
    assert check_package_location(None) == []


def test_a_recipe_package_in_the_cwd_that_fails_to_import(tmp_path, monkeypatch):
    # A recipe/ package first on sys.path that cannot be imported: recipe.medu1 cannot be either. (A
    # regular package without medu1 hides a site-packages install; an editable install's finder still
    # maps recipe.medu1 to the checkout, which the previous test's comparison covers.)
    (tmp_path / "recipe").mkdir()
    (tmp_path / "recipe" / "__init__.py").write_text("raise ImportError('not this recipe')\n")
    monkeypatch.chdir(tmp_path)
    (message,) = of_level(check_package_location(None), ERROR)
    assert message.startswith(f"recipe.medu1 does not import from {tmp_path}")
    assert "launch from a directory without a recipe/ folder" in message


def test_another_medu1_copy_in_the_cwd_is_refused(tmp_path, monkeypatch):
    (tmp_path / "recipe" / "medu1").mkdir(parents=True)
    (tmp_path / "recipe" / "__init__.py").write_text("")
    (tmp_path / "recipe" / "medu1" / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    (message,) = of_level(check_package_location(None), ERROR)
    assert f"recipe.medu1 resolves to {tmp_path / 'recipe' / 'medu1'}" in message
    assert f"outside this install ({REPO_PACKAGE})" in message


def test_a_namespace_recipe_folder_does_not_shadow(tmp_path, monkeypatch):
    # verl-recipe's checkout (verl's recipe/ submodule) has no __init__.py: Python merges it, ours wins.
    (tmp_path / "recipe" / "dapo").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert check_package_location(None) == []


def test_the_installed_plugins_pass():
    assert install.check_plugins(None) == []


def test_a_stale_entry_point_is_refused(monkeypatch):
    """An install made before the light entry point (two entry points naming the heavy modules)."""
    stale = [
        importlib.metadata.EntryPoint("medu1_trainer", "recipe.medu1.train.trainer", "verl.plugins"),
        importlib.metadata.EntryPoint(
            "medu1_reward_manager", "recipe.medu1.train.reward_manager", "verl.plugins"
        ),
    ]
    monkeypatch.setattr(install.importlib.metadata, "entry_points", lambda group: stale)
    [finding] = install.check_plugins(None)
    assert "entry point medu1 = recipe.medu1.train.plugins is not installed" in finding.text
    assert "pip install -e ." in finding.text


def test_a_plugin_module_that_fails_to_import_is_named(monkeypatch):
    real_import = install.importlib.import_module

    def failing(name):
        if name == "recipe.medu1.train.trainer":
            raise ModuleNotFoundError("No module named 'transfer_queue'")
        return real_import(name)

    monkeypatch.setattr(install.importlib, "import_module", failing)
    [finding] = install.check_plugins(None)
    assert "recipe.medu1.train.trainer fails to import: ModuleNotFoundError" in finding.text
