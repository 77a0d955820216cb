"""summary.json of the demo: the schema the README documents, and numbers computed from the run's files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from recipe.medu1.analysis import demo_criteria as dc
from recipe.medu1.analysis import demo_summary as ds

QUESTION = "What is the outlook for Refsum disease ?"
REFERENCE = (
    "Refsum disease is a rare disorder of fat metabolism; a diet low in phytanic acid improves the outlook."
)
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
            "extra_info": {"task": "text", "question": QUESTION},
            "response": f"<think>recall</think>\n<answer>{pred}</answer>",
            "ground_truth": REFERENCE,
            "response_tokens": 12,
            "pred": pred,
            "acc": acc,
        }
        for i, (pred, acc) in enumerate(responses)
    ]
    (folder / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


STEP_SCORES = {1: [-3.0, -1.0], 2: [-1.0, 1.0], 3: [1.0, 2.0]}
#: Each (step, task) is one GRPO group of two responses scoring s - d and s + d; d = 0 (a group with equal
#: rewards) only for step 3's calc group.
SPREAD = {(3, "calc"): 0.0}
#: The letter view of the MCQ benchmark before and after (recipe.medu1.eval.letters' keys).
LETTERS = {
    name: {
        "answers": {"D": 9, "A": 1},
        "top_letter": "D",
        "top_letter_share": share,
        "gold": {"A": 8, "D": 8},
        "best_constant_letter": "A",
        "best_constant_acc": 0.5,
    }
    for name, share in (("before", 0.9), ("after", 0.4))
}


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
                "group": f"{step}{task}",
                "score": s + sign * SPREAD.get((step, task), 0.5),
                "format": 1.0 if s > 0 else -1.0,
                "acc": float(s > 1),
                "parsed": 1.0,
                "data_source": "medmcqa",
            }
            for s, task in zip(scores, ("mcq", "calc"), strict=True)
            for sign in (-1, 1)
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
        per_source["medmcqa"]["letters"] = LETTERS[name]
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
    assert steps[1]["per_task"]["calc"] == {
        "score": 1.0,
        "format": 1.0,
        "acc": 0.0,
        "parsed": 1.0,
        "n": 2,
        "equal_reward_groups": 0.0,
    }
    assert [s["equal_reward_groups"] for s in steps] == [0.0, 0.0, 0.5]  # step 3: calc's group is dead
    assert steps[2]["per_task"]["calc"]["equal_reward_groups"] == 1.0
    assert summary["train"]["seconds_per_step"] == pytest.approx(20.0)
    assert summary["eval"]["backend"] == "hf"
    before, after = summary["eval"]["before"], summary["eval"]["after"]
    keys = {"task", "n", "samples", "score", "acc", "format_rate", "unparsed_rate", "mean_tokens"}
    blocks = (*before.values(), *after.values())
    extra = {"text": {"echo_credited", "echo_credited_by_preset"}, "mcq": {"letters"}}
    assert all(set(b) == keys | extra.get(b["task"], set()) for b in blocks)
    assert (
        before["medmcqa"]["letters"] == LETTERS["before"] and after["medmcqa"]["letters"] == LETTERS["after"]
    )
    assert before["medcalc"]["task"] == "calc" and (before["all"]["n"], before["all"]["samples"]) == (49, 98)
    assert (before["medquad"]["echo_credited"], after["medquad"]["echo_credited"]) == (0, 1)
    # The echo "Refsum Disease." rescored: the paper's Merge credits it, the robust content rule does not.
    assert before["medquad"]["echo_credited_by_preset"] == {"medu1": 0, "robust": 0}
    assert after["medquad"]["echo_credited_by_preset"] == {"medu1": 1, "robust": 0}
    assert before["medmcqa"]["format_rate"] == pytest.approx(0.25) and after["all"]["format_rate"] == 0.875
    assert summary["peak_rss_gb"] == pytest.approx(3000000 * 1024 / 1e9)
    criteria = summary["criteria"]
    assert (
        criteria["heldout_score_gain"]["value"] == pytest.approx(1.5)
        and criteria["heldout_score_gain"]["met"]
    )
    assert criteria["train_score_gain_last_vs_first_third"]["value"] == pytest.approx(3.5)
    assert criteria["heldout_acc_change_points"] == {"value": 0.0, "target": ">= -5.0", "met": True}
    assert criteria["heldout_top_letter_share_after"] == {"value": 0.4, "target": "<= 0.5", "met": True}
    assert criteria["equal_reward_groups_last_third"] == {"value": 0.5, "target": "<= 0.5", "met": True}
    assert "length" not in summary  # the evaluations carried no length budgets
    printed = capsys.readouterr().out
    assert "| medcalc | calc | 32 | -1.00 | +0.50 |" in printed and "NOT met" not in printed
    assert "medquad: credited answers that only repeat the question's words: 0 before, 1 after" in printed
    assert (
        "medmcqa: top answer letter D 90% before, D 40% after; best constant letter A scores 50%" in printed
    )
    assert "Equal-reward groups per step: 0% 0% 50%" in printed


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
    result = dc.criteria(summary)
    assert result["heldout_score_gain"] == {"value": -1.5, "target": ">= 0.3", "met": False}
    assert result["train_score_gain_last_vs_first_third"]["met"] is False
    # The "after" here is the run whose MCQ answers are 90 % D: a collapse.
    assert result["heldout_top_letter_share_after"] == {"value": 0.9, "target": "<= 0.5", "met": False}
    assert result["equal_reward_groups_last_third"]["met"] is False  # a dump without groups: not measured


def adherence(exact: list[tuple[int, int, float]], kept: list[tuple[int, int, float]]) -> dict:
    """A metrics.json length_adherence block: (N, samples, mean_rel_error) exact arms and
    (N, samples, within_budget) maximum arms."""
    arms = [{"mode": "none", "budget": 0, "n": 8, "mean_length": 90.0, "score": 0.0, "acc": 0.0}]
    arms += [{"mode": "exact", "budget": b, "n": n, "mean_rel_error": e} for b, n, e in exact]
    arms += [{"mode": "max", "budget": b, "n": n, "within_budget": w} for b, n, w in kept]
    return {"all": {"arms": arms, "exact_length_correlation": 0.1}, "per_source": {}}


def test_length_section_and_its_criteria(tmp_path: Path) -> None:
    paths = write_run(tmp_path)
    runs = {
        "before": adherence([(32, 8, 0.8), (64, 8, 0.4)], [(48, 8, 0.5), (96, 8, 0.3)]),
        "after": adherence([(32, 8, 0.3), (64, 8, 0.3)], [(48, 8, 0.75), (96, 8, 0.55)]),
    }
    for name, block in runs.items():
        metrics = json.loads((paths[name] / "metrics.json").read_text())
        (paths[name] / "metrics.json").write_text(json.dumps({**metrics, "length_adherence": block}))
    length = dc.length_section(paths["before"], paths["after"])
    assert length is not None and length["before"] == runs["before"]["all"]
    # Pooled over the exact arms: (0.8 + 0.4) / 2 = 0.6 before, 0.3 after -> ratio 0.5.
    assert length["exact_rel_error"] == {"before": pytest.approx(0.6), "after": pytest.approx(0.3)}
    # Maximum arms kept: 40 % before, 65 % after -> +25 points.
    assert length["max_within_budget"] == {"before": pytest.approx(0.4), "after": pytest.approx(0.65)}
    assert length["exact_length_correlation"] == {"before": 0.1, "after": 0.1}
    ratio = length["criteria"]["heldout_exact_rel_error_after_over_before"]
    gain = length["criteria"]["heldout_max_within_budget_gain_points"]
    assert ratio["value"] == pytest.approx(0.5) and ratio["target"] == "<= 0.7" and ratio["met"]
    assert gain["value"] == pytest.approx(25.0) and gain["target"] == ">= 20.0" and gain["met"]
    runs["after"] = adherence([(32, 8, 0.7), (64, 8, 0.5)], [])  # no maximum budget after: not measured
    (paths["after"] / "metrics.json").write_text(
        json.dumps(
            {**json.loads((paths["after"] / "metrics.json").read_text()), "length_adherence": runs["after"]}
        )
    )
    missed = dc.length_section(paths["before"], paths["after"])["criteria"]
    assert missed["heldout_exact_rel_error_after_over_before"]["met"] is False  # 1.0 > 0.7
    assert missed["heldout_max_within_budget_gain_points"]["met"] is False  # NaN


def test_length_evaluations_in_their_own_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The demo asks the held-out rows under budgets in a separate evaluation (one sample each): the summary
    reads those folders and prints one row per (mode, N) with mean L, |L − N| / N and L <= N."""
    paths = write_run(tmp_path)
    for name, error, kept, length in (("before", 0.6, 0.25, 70.0), ("after", 0.3, 0.75, 40.0)):
        block = adherence([(32, 4, error)], [(64, 4, kept)])
        for arm in block["all"]["arms"]:
            arm["mean_length"] = length
            if arm["budget"]:
                arm.setdefault("mean_rel_error", error)
                arm.setdefault("within_budget", kept)
        folder = tmp_path / f"length_{name}"
        folder.mkdir()
        (folder / "metrics.json").write_text(json.dumps({"length_adherence": block}))
    out = tmp_path / "summary.json"
    args = ["--out", str(out), "--seconds", "1", "--held_out", str(paths["held_out"])]
    for flag, value in (("model_dir", paths["model"]), ("warmup_dir", paths["warmup"]),
                        ("rollouts", paths["rollouts"]), ("metrics", tmp_path / "metrics.jsonl"),
                        ("eval_before", paths["before"]), ("eval_after", paths["after"]),
                        ("mem_log", tmp_path / "mem.log"), ("length_before", tmp_path / "length_before"),
                        ("length_after", tmp_path / "length_after")):  # fmt: skip
        args += [f"--{flag}", str(value)]
    assert ds.main(args) == 0
    length = json.loads(out.read_text())["length"]
    assert length["criteria"]["heldout_exact_rel_error_after_over_before"]["value"] == pytest.approx(0.5)
    assert length["criteria"]["heldout_max_within_budget_gain_points"]["value"] == pytest.approx(50.0)
    printed = capsys.readouterr().out
    assert "| exact | 32 | 70 | 40 | 0.60 | 0.30 | 25% | 75% |" in printed
    assert "| max | 64 | 70 | 40 | 0.60 | 0.30 | 25% | 75% |" in printed
    assert "| none | - | 70 | 40 | - | - | - | - |" in printed


def test_a_benchmark_without_letter_answers_makes_the_letter_criterion_unmeasured() -> None:
    """One MCQ benchmark whose answers name no letter (share NaN) is not measured, whichever benchmark comes
    first: ``max`` alone would return 0.3 for [0.3, NaN]."""
    for shares in ([0.3, math.nan], [math.nan, 0.3]):
        block = {f"b{i}": {"letters": {"top_letter_share": share}} for i, share in enumerate(shares)}
        assert math.isnan(dc.top_letter_share(block))
    assert dc.top_letter_share({"a": {"letters": {"top_letter_share": 0.3}}, "b": {}}) == 0.3
