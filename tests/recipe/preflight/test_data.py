"""Data files: existence, the reward's columns, a task on every row, at least one batch of rows."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from recipe.medu1.fixtures.toy_data import toy_rows
from recipe.medu1.preflight.findings import ERROR, WARNING, of_level


def test_missing_data_file(preflight, data_dir):
    errors = of_level(preflight(f"data.val_files={data_dir / 'missing.parquet'}"), ERROR)
    assert errors == [f"data.val_files: data file {data_dir / 'missing.parquet'} does not exist"]


def test_data_file_without_reward_columns(preflight, tmp_path):
    rows = [{k: v for k, v in row.items() if k != "extra_info"} for row in toy_rows(4, "val")]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "bare.parquet")
    errors = of_level(preflight(f"data.val_files={tmp_path / 'bare.parquet'}"), ERROR)
    assert errors == [
        f"data.val_files: {tmp_path / 'bare.parquet'} lacks the column(s) the reward needs: extra_info "
        "(write it with the data_preprocess converters)"
    ]


def test_rows_without_a_task_are_refused_naming_their_source(preflight, tmp_path):
    rows = toy_rows(6, "val")
    for row in rows:
        row["extra_info"] = {**row["extra_info"], "task": ""}
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "untasked.parquet")
    errors = of_level(preflight(f"data.val_files={tmp_path / 'untasked.parquet'}"), ERROR)
    assert len(errors) == 1
    assert "untasked.parquet has rows without extra_info.task" in errors[0]
    assert "medqa 2 (registry task: mcq)" in errors[0] and "medcalc 2 (registry task: calc)" in errors[0]


def test_train_set_smaller_than_one_batch(preflight):
    errors = of_level(preflight("data.train_max_samples=10"), ERROR)
    assert errors == [
        "data.train_files hold 10 usable rows, fewer than data.train_batch_size=16: an epoch would have 0 "
        "steps (the dataloader drops the last partial batch)"
    ]


def test_relative_data_path_is_a_warning(preflight, data_dir, monkeypatch):
    monkeypatch.chdir(data_dir)
    findings = preflight("data.val_files=val.parquet")
    assert of_level(findings, ERROR) == []
    assert (
        "data.val_files: val.parquet is relative; Ray actors may resolve it elsewhere, use an absolute path"
        in of_level(findings, WARNING)
    )
