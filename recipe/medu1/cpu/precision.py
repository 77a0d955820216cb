"""The dtype CPU runs compute in: bfloat16 where the CPU has bf16 instructions, float32 elsewhere.

Why: on a CPU with AVX512-BF16 or AMX, bf16 matmuls run at least as fast as fp32 ones (bench_step on a
Zen 4 core with AVX512-BF16: the demo's step 1.14x slower with an fp32 rollout), and the demo trains in
bf16 mixed precision, verl's FSDP default. On a CPU without them (an AVX2-only Zen 3 core, 2026-12-08)
torch has no fast bf16 kernel: a (1024 x 576) @ (576 x 1536) matmul ran at 1.2 GFLOP/s in bf16 against
109 in fp32, and the demo's format warm-up, autocast to bf16, took over 15 minutes instead of ~3. Every
part of a CPU run that would compute in bf16 (the warm-up's fine-tuning, the actor's mixed precision,
the rollout) asks here instead of assuming it.

``MEDU1_CPU_DTYPE`` (``bfloat16`` or ``float32``) overrides the choice, e.g. for ``bench_step``'s
side-by-side variants. ``python -m recipe.medu1.cpu.precision`` prints the choice (the run scripts read
it).
"""

from __future__ import annotations

import os

DTYPE_ENV = "MEDU1_CPU_DTYPE"
DTYPES = ("bfloat16", "float32")


def native_bf16() -> bool:
    """True when the CPU has bf16 dot-product instructions (AVX512-BF16 or AMX tiles)."""
    import torch

    return torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()


def compute_dtype() -> str:
    """``MEDU1_CPU_DTYPE`` if set, else ``bfloat16`` with native bf16 instructions, ``float32`` without."""
    chosen = os.environ.get(DTYPE_ENV)
    if chosen:
        if chosen not in DTYPES:
            raise ValueError(f"{DTYPE_ENV} must be one of {', '.join(DTYPES)}, got {chosen!r}")
        return chosen
    return "bfloat16" if native_bf16() else "float32"


if __name__ == "__main__":
    print(compute_dtype())
