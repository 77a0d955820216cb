"""medcalc.py on small native-format fixtures: rows, ground truths, error paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_preprocess import medcalc
from data_preprocess.core.records import InvalidRecord


def test_medcalc_fields_limits_and_prompt(dp, medcalc_csv: Path, tmp_path: Path):
    assert medcalc.convert(str(medcalc_csv), str(tmp_path / "out")) == {"test": 4}
    rows = dp.read_rows(tmp_path / "out" / "test.parquet")
    for row, source in zip(rows, dp.MEDCALC_ROWS, strict=True):
        info = row["extra_info"]
        assert row["data_source"] == "medcalc" and info["task"] == "calc" and info["options"] == ""
        assert row["reward_model"]["ground_truth"] == source[10]
        assert (info["source_id"], info["calculator_id"], info["calculator_name"]) == (
            source[0],
            int(source[1]),
            source[2],
        )
        assert (info["category"], info["output_type"]) == (source[3], source[4])
        content = row["prompt"][1]["content"]
        assert content.index(source[7]) < content.index(source[8])
    assert (rows[0]["extra_info"]["lower_limit"], rows[0]["extra_info"]["upper_limit"]) == (25.4367, 28.1143)
    assert rows[2]["extra_info"]["lower_limit"] is None and rows[3]["extra_info"]["upper_limit"] is None


def test_medcalc_errors(dp, tmp_path: Path):
    missing_column = dp.write_csv(
        tmp_path / "a" / "test_data.csv", [r[:-3] for r in dp.MEDCALC_ROWS], dp.MEDCALC_COLUMNS[:-3]
    )
    with pytest.raises(InvalidRecord, match=r"test_data.csv, row 1, field 'Lower Limit'"):
        medcalc.convert(str(missing_column), str(tmp_path / "out"))
    rows = [list(r) for r in dp.MEDCALC_ROWS]
    rows[1][10] = ""
    rows[2][1] = "abc"
    path = dp.write_csv(tmp_path / "b" / "test_data.csv", rows, dp.MEDCALC_COLUMNS)
    with pytest.raises(InvalidRecord, match=r"row 2, field 'Ground Truth Answer'"):
        medcalc.convert(str(path), str(tmp_path / "out"))
    assert medcalc.convert(str(path), str(tmp_path / "out"), skip_invalid=True) == {"test": 2}
    with pytest.raises(ValueError, match="version"):
        medcalc.convert(str(path), str(tmp_path / "out"), version="v9")
    with pytest.raises(ValueError, match=".csv"):
        medcalc.convert(str(dp.write_jsonl(tmp_path / "test.jsonl", [{}])), str(tmp_path / "out"))
