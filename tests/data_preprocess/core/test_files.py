"""The atomic writer: byte-deterministic parquet, no temp file left, the old file kept on failure."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from data_preprocess.core import files
from data_preprocess.core.files import write_atomic, write_parquet
from data_preprocess.core.records import Item
from data_preprocess.core.schema import ROW_SCHEMA, make_row

OPTIONS = {"A": "alpha", "B": "beta"}


def _rows() -> list[dict]:
    rows = [make_row("medqa", Item(f"Q{i}", "A", str(i), options=OPTIONS), "test", i) for i in range(5)]
    return rows + [make_row("medcalc", Item("note", "('1 weeks', '2 days')", "9"), "test", 5)]


def test_write_parquet_schema_atomic_and_deterministic(tmp_path: Path):
    rows = _rows()
    first = write_parquet(rows, tmp_path / "a" / "test.parquet")
    second = write_parquet(rows, tmp_path / "b" / "test.parquet")
    assert first.read_bytes() == second.read_bytes()
    table = pq.read_table(first)
    assert table.schema.equals(ROW_SCHEMA) and table.schema.metadata is None
    assert table.to_pylist() == rows
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["test.parquet"]  # no temp file left
    assert first.stat().st_mode & 0o777 == 0o644


def test_write_atomic_text_and_bytes(tmp_path: Path):
    target = write_atomic(tmp_path / "deep" / "summary.json", '{"ü": 1}\n')
    assert target.read_text(encoding="utf-8") == '{"ü": 1}\n'
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"


def test_failure_leaves_the_target_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "test.parquet"
    target.write_bytes(b"old")

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_parquet(_rows(), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["test.parquet"]
