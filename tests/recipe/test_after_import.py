"""Hooks that run right after a module is imported, in the order given, and only once it is."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from recipe.medu1.after_import import when_imported


@pytest.fixture
def fresh_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "medu1_fresh_module.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.delitem(sys.modules, "medu1_fresh_module", raising=False)
    return "medu1_fresh_module"


def test_hooks_wait_for_the_import_and_run_in_order_after_the_module_executed(fresh_module: str) -> None:
    seen: list[tuple[str, int]] = []
    when_imported(fresh_module, lambda module: seen.append(("first", module.VALUE)))
    when_imported(fresh_module, lambda module: seen.append(("second", module.VALUE)))
    assert seen == []  # nothing imported yet
    importlib.import_module(fresh_module)
    assert seen == [("first", 1), ("second", 1)]
    importlib.reload(sys.modules[fresh_module])
    assert len(seen) == 2  # once per process


def test_a_module_already_imported_is_hooked_at_once(fresh_module: str) -> None:
    module = importlib.import_module(fresh_module)
    seen: list[object] = []
    when_imported(fresh_module, seen.append)
    assert seen == [module]


def test_a_missing_module_still_raises_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    when_imported("medu1_no_such_module", lambda module: None)
    with pytest.raises(ImportError):
        importlib.import_module("medu1_no_such_module")
