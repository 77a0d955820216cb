"""A ``cpu`` platform for verl 0.9.1's platform registry, so that its real trainer runs without a GPU.

Why: verl 0.9.1 registers only ``nvidia``/``huawei``/``amd``; on a CPU-only machine it falls back to
"nvidia" (NCCL, ``torch.cuda``) and even rewrites ``trainer.device=cpu`` to ``cuda``. Registering a
platform named ``cpu`` and selecting it with ``VERL_PLATFORM=cpu`` routes every device call verl makes
through ``get_platform()`` to the CPU instead. Written for verl 0.9.1
(``verl.plugin.platform.platform_base.PlatformBase``).

Ray still sees one fake "GPU" (the smoke script starts Ray with ``num_gpus=1``) because verl's resource
pools hard-code ``use_gpu=True``; the platform therefore keeps Ray's resource name "GPU".
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import torch

from recipe.medu1.cpu import PLATFORM_NAME


def _no_op(*_args: Any, **_kwargs: Any) -> None:
    return None


def _zero_bytes(*_args: Any, **_kwargs: Any) -> int:
    return 0


def _mem_get_info(*_args: Any, **_kwargs: Any) -> tuple[int, int]:
    """(free, total) bytes of host RAM: verl sizes KV caches and logs memory from this pair."""
    page = os.sysconf("SC_PAGE_SIZE")
    return os.sysconf("SC_AVPHYS_PAGES") * page, os.sysconf("SC_PHYS_PAGES") * page


class CPUDeviceModule(SimpleNamespace):
    """Stands in for ``torch.cuda`` in the calls verl makes through ``get_torch_device()``.

    Attributes ``torch.cpu`` has (``Stream``, ``Event``, ``current_stream``, ``synchronize``...) are
    forwarded to it; RNG and seeding go to torch's CPU generator; memory statistics read 0 (there is no
    device pool); any other attribute (``empty_cache``, ``ipc_collect``, ``reset_peak_memory_stats``...)
    is a no-op, because on CPU there is nothing to release or reset.
    """

    def __init__(self) -> None:
        super().__init__(
            is_available=lambda: True,
            device_count=lambda: 1,
            current_device=lambda: PLATFORM_NAME,
            set_device=_no_op,
            get_device_name=lambda *_a, **_k: "CPU",
            manual_seed=torch.manual_seed,
            manual_seed_all=torch.manual_seed,
            get_rng_state=lambda *_a, **_k: torch.get_rng_state(),
            set_rng_state=lambda state, *_a, **_k: torch.set_rng_state(state),
            mem_get_info=_mem_get_info,
            memory_allocated=_zero_bytes,
            memory_reserved=_zero_bytes,
            max_memory_allocated=_zero_bytes,
            max_memory_reserved=_zero_bytes,
        )

    def __getattr__(self, name: str) -> Any:
        # Only reached for names not set in __init__.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(torch.cpu, name, _no_op)


def build_platform_class() -> type:
    """Define the platform class; deferred so that importing this module does not import verl."""
    from verl.plugin.platform.platform_base import PlatformBase

    class PlatformCPU(PlatformBase):
        """verl platform backed by the host CPU (gloo collectives, no IPC, fake Ray "GPU")."""

        _device_module = CPUDeviceModule()

        @property
        def device_name(self) -> str:
            return PLATFORM_NAME

        @property
        def vendor_name(self) -> str:
            return PLATFORM_NAME

        @property
        def device_module(self) -> CPUDeviceModule:
            return self._device_module

        def is_available(self) -> bool:
            return True

        def is_platform_available(self, use_smi_check: bool = False) -> bool:
            # Never auto-detected: the CPU platform is used only when VERL_PLATFORM=cpu asks for it.
            return False

        def current_device(self) -> str:  # type: ignore[override]
            # verl passes this straight to torch as a device ("cuda:0" style indices do not exist here).
            return PLATFORM_NAME

        def device_count(self) -> int:
            return 1

        def set_device(self, device_index: int) -> None:
            return None

        def synchronize(self, device_index: int | None = None) -> None:
            return None

        def manual_seed(self, seed: int) -> None:
            torch.manual_seed(seed)

        def manual_seed_all(self, seed: int) -> None:
            torch.manual_seed(seed)

        def set_allocator_settings(self, settings: str) -> None:
            return None

        def empty_cache(self) -> None:
            return None

        def get_device_capability(self, device_index: int = 0) -> tuple[int | None, int | None]:
            return None, None

        def communication_backend_name(self) -> str:
            return "gloo"

        def visible_devices_envvar(self) -> str:
            return "CUDA_VISIBLE_DEVICES"

        @contextmanager
        def nvtx_range(self, msg: str):
            yield

        def profiler_start(self) -> None:
            return None

        def profiler_stop(self) -> None:
            return None

        def ray_resource_name(self) -> str:
            return "GPU"

        def ray_resource_options(self, num_gpus: float) -> dict[str, Any]:
            return {"num_gpus": num_gpus}

        def ray_noset_envvars(self) -> list[str]:
            return []

        def is_ipc_supported(self) -> bool:
            return False

        def cudart(self) -> None:
            return None

    return PlatformCPU


def register_cpu_platform() -> type:
    """Register the ``cpu`` platform in verl's PlatformRegistry (idempotent) and return its class."""
    from recipe.medu1.cpu.patches import require_attr

    manager = __import__("verl.plugin.platform.platform_manager", fromlist=["PlatformRegistry"])
    registry = require_attr(manager, "PlatformRegistry", written_for="verl 0.9.1")
    require_attr(registry, "register", written_for="verl 0.9.1")
    existing = registry.get(PLATFORM_NAME)
    if existing is not None and existing.__module__ == __name__:
        return existing
    return registry.register(platform=PLATFORM_NAME)(build_platform_class())
