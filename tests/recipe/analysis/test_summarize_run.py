"""The run summary reads verl's file-logger JSONL and shows health and per-task columns per step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recipe.medu1.analysis.summarize_run import main, read_steps, table, validation_rows


def _write(path: Path, records: list[dict], torn_tail: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + torn_tail)
    return path


RECORDS = [
    {"step": 0, "data": {"val-core/medqa/acc/mean@1": 0.25, "val-core/medcalc/acc/mean@1": 0.0}},
    {
        "step": 1,
        "data": {
            "critic/score/mean": -1.5,
            "actor/grad_norm": 0.75,
            "training/rollout_actor_probs_pearson_corr": 0.9991,
            "medu1/mcq/acc/mean": 0.5,
            "medu1/mcq/format/mean": 1.0,
            "medu1/calc/acc/mean": 0.0,
        },
    },
    {"step": 2, "data": {"critic/score/mean": -1.0, "medu1/mcq/acc/mean": 0.75}},
]


def test_table_has_a_row_per_training_step_and_a_column_per_task_term(tmp_path: Path) -> None:
    steps = read_steps(_write(tmp_path / "m.jsonl", RECORDS, torn_tail='{"step": 3, "da'))
    assert [s for s, _ in steps] == [0, 1, 2]
    header, rows = table(steps)
    assert header[:3] == ["step", "score", "grad_norm"]
    assert "calc:acc" in header and "mcq:response_length" in header
    assert [r[0] for r in rows] == ["1", "2"]  # step 0 holds only validation
    row1 = dict(zip(header, rows[0], strict=True))
    assert row1["score"] == "-1.5" and row1["grad_norm"] == "0.75" and row1["rollout_corr"] == "0.9991"
    assert row1["mcq:acc"] == "0.5" and row1["calc:acc"] == "0"
    row2 = dict(zip(header, rows[1], strict=True))
    assert row2["grad_norm"] == "-" and row2["mcq:acc"] == "0.75"


def test_validation_lines_name_each_data_source(tmp_path: Path) -> None:
    lines = validation_rows(read_steps(_write(tmp_path / "m.jsonl", RECORDS)))
    assert lines == ["step 0: medqa/acc/mean@1=0.25, medcalc/acc/mean@1=0"]


def test_cli_prints_table_and_refuses_an_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--metrics", str(_write(tmp_path / "m.jsonl", RECORDS))]) == 0
    out = capsys.readouterr().out
    assert "mcq:acc" in out and "step 0: medqa/acc/mean@1=0.25" in out
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(SystemExit):
        main(["--metrics", str(tmp_path / "empty.jsonl")])
