"""The update profiler runs the three layouts on a saved model and prints times, ratios and the profile."""

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
    assert "micro-batch: 8 sequences (2 prompts x 4)" in out and ", 1 threads" in out
    lines = {line.split()[0]: line for line in out.splitlines() if "GFLOP/s" in line}
    assert lines.keys() == {"padded", "packed", "shared"}
    computed = {name: int(line.split()[3]) for name, line in lines.items()}
    # each shared prefix once: fewer tokens than verl's packed row, which holds fewer than the padded batch
    assert computed["shared"] < computed["packed"] <= computed["padded"]
    assert "padded / shared: " in lines["shared"]
    assert "aten::mm" in out  # the profile table of the shared pass
