"""recipe.medu1.eval.rescore: several scorings of the same stored responses, the run left untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recipe.medu1.eval import rescore

QUESTION = "What is the outlook for Refsum disease?"
REFERENCE = (
    "With a low-phytanic-acid diet and plasmapheresis, the outlook for Refsum disease is fair: symptoms "
    "such as ichthyosis and neuropathy can improve, while vision and hearing loss usually persist."
)


def record(index: int, answer: str, info: dict) -> dict:
    return {
        "data_source": "medical_o1", "split": "test", "index": index, "sample": 0, "ground_truth": REFERENCE,
        "extra_info": info, "prompt_tokens": 40, "truncated": False,
        "response": f"<think>x</think><answer>{answer}</answer>", "response_tokens": 30, "capped": False,
        "score": 9.0, "acc": 9.0, "format": 9.0, "answer": 9.0, "length": 9.0, "parsed": 9.0, "pred": "stale",
        "rule": "stale", "acc_strict": 9.0,
    }  # fmt: skip


@pytest.fixture
def run(tmp_path: Path, extra_info) -> Path:
    info = extra_info("text", split="test", question=QUESTION)
    records = [
        record(0, "Refsum disease", info | {"index": 0}),  # one question entity: Merge credits it
        record(1, REFERENCE, info | {"index": 1}),  # the reference: both credit it
        record(2, "Insulin lowers glucose", info | {"index": 2}),  # wrong under both
    ]
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_echo_credited_by_preset_counts_the_paper_blind_spot(run: Path) -> None:
    assert rescore.echo_credited_by_preset(run) == {"medu1": {"medical_o1": 1}, "robust": {"medical_o1": 0}}


def test_main_prints_both_scorings_and_leaves_the_run_untouched(run: Path, tmp_path: Path, capsys) -> None:
    before = run.read_bytes()
    out = tmp_path / "compare.json"
    assert rescore.main([str(run.parent), "--preset", "medu1", "robust", "--out", str(out)]) == 0
    assert run.read_bytes() == before
    table = json.loads(out.read_text())
    assert table["medu1"]["medical_o1"]["acc"] == pytest.approx(2 / 3)
    assert table["robust"]["medical_o1"]["acc"] == pytest.approx(1 / 3)
    assert table["robust"]["medical_o1"]["echo_credited"] == 0
    assert "| medical_o1 | 3 | 66.7 % | 33.3 % | 1 | 0 |" in capsys.readouterr().out


def test_reward_kwargs_apply_to_every_preset(run: Path, tmp_path: Path) -> None:
    out = tmp_path / "rouge.json"
    argv = [str(run), "--preset", "medu1", "--reward_kwarg", "text_metric=rougeL", "--out", str(out)]
    assert rescore.main(argv) == 0
    assert list(json.loads(out.read_text())) == ["medu1 text_metric=rougeL"]
    with pytest.raises(SystemExit):
        rescore.main([str(run), "--reward_kwarg", "text_metirc=rougeL"])


def test_a_question_missing_from_the_row_comes_from_the_callers_mapping(tmp_path: Path, extra_info) -> None:
    info = extra_info("text", split="test", index=0)  # a row written before rows carried the question
    path = tmp_path / "predictions.jsonl"
    path.write_text(json.dumps(record(0, "Refsum disease", info | {"question": ""})) + "\n")
    with pytest.raises(KeyError, match="no question"):
        rescore.echo_credited_by_preset(path, ("medu1",))
    questions = {("medical_o1", "test", 0): QUESTION}
    assert rescore.echo_credited_by_preset(path, ("medu1",), questions) == {"medu1": {"medical_o1": 1}}
