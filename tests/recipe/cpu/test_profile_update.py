"""The update profiler runs both layouts on a saved model and prints times, their ratio and the profile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from recipe.medu1.fixtures.tiny_model import build_tiny_model


def test_prints_both_layouts_the_ratio_and_top_operators(tmp_path: Path) -> None:
    build_tiny_model(tmp_path / "model")
    command = [
        sys.executable,
        "-m",
        "recipe.medu1.cpu.profile_update",
        str(tmp_path / "model"),
        "--repeats",
        "1",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert "micro-batch: 8 sequences" in out
    assert any(line.startswith("padded ") and "GFLOP/s" in line for line in out.splitlines())
    assert any(line.startswith("packed ") and "GFLOP/s" in line for line in out.splitlines())
    assert "padded / packed: " in out
    assert "aten::mm" in out  # the profile table of the packed pass
