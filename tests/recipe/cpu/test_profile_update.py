"""The update profiler runs both layouts on a saved model and prints times, their ratio and the profile."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from recipe.medu1.cpu import profile_update
from recipe.medu1.fixtures.tiny_model import build_tiny_model


def test_prints_both_layouts_the_ratio_and_top_operators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    model = build_tiny_model(tmp_path / "model")
    monkeypatch.setattr(sys, "argv", ["profile_update", str(model), "--repeats", "1"])
    # main() sets this process's thread count and its environment (use_cores): undone after the test.
    for name in ("OMP_NUM_THREADS", "VLLM_CPU_OMP_THREADS_BIND"):
        monkeypatch.setenv(name, "")  # recorded, so that the value main() writes is undone too
        monkeypatch.delenv(name)
    monkeypatch.setenv("MEDU1_CPU_THREADS", "1")
    threads = torch.get_num_threads()
    try:
        profile_update.main()
    finally:
        torch.set_num_threads(threads)
    out = capsys.readouterr().out
    assert "micro-batch: 8 sequences" in out and ", 1 threads" in out
    assert any(line.startswith("padded ") and "GFLOP/s" in line for line in out.splitlines())
    assert any(line.startswith("packed ") and "GFLOP/s" in line for line in out.splitlines())
    assert "padded / packed: " in out
    assert "aten::mm" in out  # the profile table of the packed pass
