"""Run code right after a module is imported, whenever that happens, without importing it first.

Why: our verl glue has to change or extend modules that a process may never import (vLLM in the trainer,
verl's V1 trainer in a reward worker). Importing them eagerly to patch them would cost every process
their import time and memory, and risk import cycles inside ``import verl``; a hook on the import system
applies the change the moment the module has executed, in the processes that use it, and only there.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

Hook = Callable[[ModuleType], None]


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs ``hooks[name]`` (in order) right after module ``name`` executes, the first time it is imported."""

    def __init__(self) -> None:
        self.hooks: dict[str, list[Hook]] = {}

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        hooks = self.hooks.pop(fullname, None)
        if hooks is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None  # the normal import machinery reports it (ImportError, as callers expect)
        loader_exec = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            loader_exec(module)
            for hook in hooks:
                hook(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_AFTER_IMPORT = _AfterImport()


def when_imported(name: str, hook: Hook) -> None:
    """Call ``hook(module)`` now if module ``name`` is imported, else as soon as it has been imported."""
    module = sys.modules.get(name)
    if module is not None:
        hook(module)
        return
    _AFTER_IMPORT.hooks.setdefault(name, []).append(hook)
    if _AFTER_IMPORT not in sys.meta_path:
        sys.meta_path.insert(0, _AFTER_IMPORT)
