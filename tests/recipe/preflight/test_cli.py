"""The command: one table of checks with one signature, a printed report, an exit status."""

from __future__ import annotations

import inspect
from pathlib import Path

from recipe.medu1.preflight import cli

CONFIG_DIR = Path(__file__).resolve().parents[3] / "recipe" / "medu1" / "config"


def test_every_check_takes_the_context_and_returns_findings():
    for check in cli.CHECKS:
        signature = inspect.signature(check.run)  # annotations are strings (postponed evaluation)
        assert [(p.name, p.annotation) for p in signature.parameters.values()] == [("ctx", "Preflight")]
        assert signature.return_annotation == "list[Finding]", check.run.__qualname__


def test_main_prints_the_report_and_exits_0(data_dir, capsys):
    argv = [
        "--config-path", str(CONFIG_DIR),
        f"data.train_files={data_dir / 'train.parquet'}", f"data.val_files={data_dir / 'val.parquet'}",
        "trainer.n_gpus_per_node=8", "data.train_batch_size=16",
    ]  # fmt: skip
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("preflight: OK, 0 warning(s), 1 check(s) skipped")
    for label in ("GPUs", "batch", "update rate", "long prompts", "validation", "checkpoints"):
        assert f"\n  {label:<15} " in out, label
    assert "1 node(s) x 8 = 8" in out and "16 prompts x n=8 = 128 responses/step" in out


def test_main_exits_1_and_prints_errors_first(data_dir, capsys):
    argv = [f"data.train_files={data_dir / 'nope.parquet'}", f"data.val_files={data_dir / 'val.parquet'}"]
    assert cli.main(argv) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"ERROR: data.train_files: data file {data_dir / 'nope.parquet'} does not exist")
    assert "preflight: FAILED: 1 error(s)" in out
