"""The CPU runs' dtype: bf16 only with bf16 instructions, an explicit choice wins, a wrong one is named."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from recipe.medu1.cpu import precision


@pytest.mark.parametrize(
    ("avx512_bf16", "amx", "expected"),
    [(True, False, "bfloat16"), (False, True, "bfloat16"), (False, False, "float32")],
)
def test_bf16_only_where_the_cpu_has_bf16_instructions(monkeypatch, avx512_bf16, amx, expected) -> None:
    monkeypatch.delenv(precision.DTYPE_ENV, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    assert precision.compute_dtype() == expected


def test_the_environment_overrides_the_choice(monkeypatch) -> None:
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    monkeypatch.setenv(precision.DTYPE_ENV, "bfloat16")
    assert precision.compute_dtype() == "bfloat16"


def test_an_unknown_dtype_is_refused_by_name(monkeypatch) -> None:
    monkeypatch.setenv(precision.DTYPE_ENV, "fp16")
    with pytest.raises(ValueError, match="MEDU1_CPU_DTYPE must be one of bfloat16, float32, got 'fp16'"):
        precision.compute_dtype()


def test_the_command_prints_what_the_scripts_read(monkeypatch) -> None:
    monkeypatch.setenv(precision.DTYPE_ENV, "float32")
    out = subprocess.run(
        [sys.executable, "-m", "recipe.medu1.cpu.precision"], capture_output=True, text=True, check=True
    )
    assert out.stdout == "float32\n"
