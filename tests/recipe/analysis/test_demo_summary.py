"""summary.json of the demo: the schema the README documents, and numbers computed from the run's files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from recipe.medu1.analysis import demo_summary as ds

QUESTION = "What is the outlook for Refsum disease ?"
#: (parsed answer, acc) of the open-ended held-out row's response, before and after GRPO.
TEXT_RESPONSES = {
    "before": [("A rare disorder of fat metabolism.", 1.0)],
    "after": [("Refsum Disease.", 1.0)],
}


def write_held_out(path: Path) -> None:
    row = {
        "data_source": "medquad",
        "prompt": [{"role": "system", "content": "sys"}, {"role": "user", "content": QUESTION}],
        "extra_info": {"split": "test", "index": 0, "task": "text"},
    }
    pq.write_table(pa.Table.from_pylist([row]), path)


def write_predictions(folder: Path, responses: list[tuple[str, float]]) -> None:
    records = [
        {
            "data_source": "medquad",
            "split": "test",
            "index": 0,
            "sample": i,
            "extra_info": {"task": "text"},
            "pred": pred,
            "acc": acc,
        }
        for i, (pred, acc) in enumerate(responses)
    ]
    (folder / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


STEP_SCORES = {1: [-3.0, -1.0], 2: [-1.0, 1.0], 3: [1.0, 2.0]}


def write_run(root: Path) -> dict[str, Path]:
    """A fake finished demo run: provenance, warm-up record, rollout dumps, file-logger metrics, two evals."""
    model, warmup, rollouts = root / "model", root / "warmup", root / "rollouts"
    for folder in (model, warmup, rollouts):
        folder.mkdir(parents=True)
    (model / "medu1_model.json").write_text(
        json.dumps(
            {
                "name": "m",
                "wheel": "w",
                "wheel_version": "0.1",
                "gguf_sha256": "ab",
                "licence": "L",
                "parameters": 9,
            }
        )
    )
    (warmup / "medu1_warmup.json").write_text(
        json.dumps(
            {
                "pairs": 5,
                "pairs_in_format": 3,
                "pairs_per_task": {"mcq": 5},
                "steps": 1,
                "seconds": 3.0,
                "final_loss": 1.0,
            }
        )
    )
    for step, scores in STEP_SCORES.items():
        lines = [
            {
                "step": step,
                "task": task,
                "score": s,
                "format": 1.0 if s > 0 else -1.0,
                "acc": float(s > 1),
                "parsed": 1.0,
                "data_source": "medmcqa",
            }
            for s, task in zip(scores, ("mcq", "calc"), strict=True)
        ]
        (rollouts / f"{step}.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    (root / "metrics.jsonl").write_text(
        "\n".join(json.dumps({"step": s, "data": {"timing_s/step": 10.0 * s}}) for s in STEP_SCORES) + "\n"
    )
    evals = {}
    for name, score, fmt in (("before", -1.0, -0.5), ("after", 0.5, 0.75)):
        per_source = {
            source: {
                "n": 2 * n,
                "n_questions": n,
                "score": score,
                "acc": 0.25,
                "format": fmt,
                "unparsed_rate": 0.1,
                "mean_response_tokens": 40.0,
            }
            for source, n in (("medmcqa", 16), ("medcalc", 32), ("medquad", 1))
        }
        (root / name).mkdir()
        write_predictions(root / name, TEXT_RESPONSES[name])
        (root / name / "metrics.json").write_text(
            json.dumps({"per_source": per_source, "config": {"backend": "hf"}})
        )
        evals[name] = root / name
    (root / "mem.log").write_text("1000000\n3000000\n2000000\n")
    write_held_out(root / "held_out.parquet")
    return {
        "model": model,
        "warmup": warmup,
        "rollouts": rollouts,
        "held_out": root / "held_out.parquet",
        **evals,
    }


def test_summary_schema_and_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = write_run(tmp_path)
    out = tmp_path / "summary.json"
    args = [
        "--out",
        str(out),
        "--model_dir",
        str(paths["model"]),
        "--warmup_dir",
        str(paths["warmup"]),
        "--rollouts",
        str(paths["rollouts"]),
        "--metrics",
        str(tmp_path / "metrics.jsonl"),
        "--eval_before",
        str(paths["before"]),
        "--eval_after",
        str(paths["after"]),
        "--mem_log",
        str(tmp_path / "mem.log"),
        "--seconds",
        "123",
        "--held_out",
        str(paths["held_out"]),
    ]
    assert ds.main(args) == 0
    summary = json.loads(out.read_text())
    assert set(summary) >= {"model", "warmup", "train", "eval", "seconds", "peak_rss_gb", "criteria"}
    assert set(summary["model"]) >= {"name", "wheel", "wheel_version", "gguf_sha256"}
    assert (
        set(summary["warmup"]) >= {"pairs", "steps", "seconds"} and summary["warmup"]["pairs_in_format"] == 3
    )
    steps = summary["train"]["steps"]
    assert [s["step"] for s in steps] == [1, 2, 3]
    assert [s["score"] for s in steps] == [-2.0, 0.0, 1.5]
    assert steps[1]["per_task"]["calc"] == {"score": 1.0, "format": 1.0, "acc": 0.0, "parsed": 1.0, "n": 1}
    assert summary["train"]["seconds_per_step"] == pytest.approx(20.0)
    assert summary["eval"]["backend"] == "hf"
    before, after = summary["eval"]["before"], summary["eval"]["after"]
    keys = {"task", "n", "samples", "score", "acc", "format_rate", "unparsed_rate", "mean_tokens"}
    blocks = (*before.values(), *after.values())
    assert all(set(b) == keys | ({"echo_credited"} if b["task"] == "text" else set()) for b in blocks)
    assert before["medcalc"]["task"] == "calc" and (before["all"]["n"], before["all"]["samples"]) == (49, 98)
    assert (before["medquad"]["echo_credited"], after["medquad"]["echo_credited"]) == (0, 1)
    assert before["medmcqa"]["format_rate"] == pytest.approx(0.25) and after["all"]["format_rate"] == 0.875
    assert summary["peak_rss_gb"] == pytest.approx(3000000 * 1024 / 1e9)
    criteria = summary["criteria"]
    assert (
        criteria["heldout_score_gain"]["value"] == pytest.approx(1.5)
        and criteria["heldout_score_gain"]["met"]
    )
    assert criteria["train_score_gain_last_vs_first_third"]["value"] == pytest.approx(3.5)
    assert criteria["heldout_acc_change_points"] == {"value": 0.0, "target": ">= -5.0", "met": True}
    printed = capsys.readouterr().out
    assert "| medcalc | calc | 32 | -1.00 | +0.50 |" in printed and "NOT met" not in printed
    assert "medquad: credited answers that only repeat the question's words: 0 before, 1 after" in printed


def test_echo_needs_every_answer_word_in_the_question(tmp_path: Path) -> None:
    write_held_out(tmp_path / "q.parquet")
    questions = ds.question_words([tmp_path / "q.parquet"])
    responses = [("Refsum disease", 1.0), ("Refsum disease is rare", 1.0), ("refsum", 0.0), ("", 1.0)]
    write_predictions(tmp_path, responses)
    assert ds.echo_credited(tmp_path, questions) == {"medquad": 1}


def test_a_prediction_without_its_held_out_row_is_an_error(tmp_path: Path) -> None:
    write_predictions(tmp_path, [("Refsum disease", 1.0)])
    with pytest.raises(KeyError, match="no row in the held-out files"):
        ds.echo_credited(tmp_path, {})


def test_a_missed_target_is_reported_not_hidden(tmp_path: Path) -> None:
    paths = write_run(tmp_path)
    (paths["rollouts"] / "3.jsonl").unlink()
    (paths["rollouts"] / "2.jsonl").unlink()
    (paths["rollouts"] / "1.jsonl").write_text(
        json.dumps({"step": 1, "task": "mcq", "score": 0.0, "format": 1, "acc": 0, "parsed": 1}) + "\n"
    )
    summary = {
        "train": {"steps": ds.train_steps(paths["rollouts"])},
        "eval": {
            "before": ds.eval_block(paths["after"], ds.question_words([paths["held_out"]])),
            "after": ds.eval_block(paths["before"], ds.question_words([paths["held_out"]])),
        },
    }
    result = ds.criteria(summary)
    assert result["heldout_score_gain"] == {"value": -1.5, "target": ">= 0.3", "met": False}
    assert result["train_score_gain_last_vs_first_third"]["met"] is False
