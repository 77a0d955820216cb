"""reward_score.idf_build: the content metric's IDF table from reference answers (training files only)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reward_score.content import IDF_TABLE
from reward_score.idf_build import build_table, main

MEDIQA = "mediqa2019-qa/MEDIQA_Task3_QA"
SHIPPED_FROM = ("MEDIQA2019-Task3-QA-ValidationSet.xml", "MEDIQA2019-Task3-QA-TestSet-wLabels.xml")


def test_table_counts_documents_and_keeps_terms_met_twice(tmp_path: Path) -> None:
    xml = tmp_path / "answers.xml"
    xml.write_text(
        "<Q><AnswerText>Insulin lowers glucose.</AnswerText><AnswerText>Insulin pumps and insulins."
        "</AnswerText><Other>insulin</Other></Q>"
    )
    rows = [
        {"reward_model": {"ground_truth": "Glucose rises."}, "extra_info": {"task": "text"}},
        {"reward_model": {"ground_truth": "B"}, "extra_info": {"task": "mcq"}},  # not a reference answer
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "train.parquet")
    table = build_table([xml, tmp_path / "train.parquet"])
    assert table.splitlines() == ["documents\t3", "glucose\t2", "insulin\t2"]
    with pytest.raises(ValueError, match="parquet or .xml"):
        build_table([tmp_path / "answers.txt"])


def test_the_shipped_table_is_what_the_script_builds(real_data_dir: Path, tmp_path: Path) -> None:
    files = [real_data_dir / MEDIQA / name for name in SHIPPED_FROM]
    if not all(file.is_file() for file in files):
        pytest.skip("MEDIQA 2019 QA files not in the real data copies")
    main([*map(str, files), "--out", str(tmp_path / "idf.tsv")])
    assert (tmp_path / "idf.tsv").read_bytes() == IDF_TABLE.read_bytes()
