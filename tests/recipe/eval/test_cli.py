"""End-to-end tests of ``python -m recipe.medu1.eval`` with the HF backend on the tiny model."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from data_preprocess.core.files import write_parquet
from data_preprocess.core.records import Item
from data_preprocess.core.schema import make_row
from recipe.medu1.eval import cli as evaluate
from recipe.medu1.eval.prompts import encode_prompt

RECORD_KEYS = {
    "data_source",
    "split",
    "index",
    "sample",
    "source_id",
    "ground_truth",
    "extra_info",
    "response",
    "pred",
    "rule",
    "acc",
    "parsed",
    "response_tokens",
    "capped",
    "score",
    "format",
    "answer",
    "length",
    "acc_strict",
    "truncated",
    "prompt_tokens",
}
OPTIONS = {"A": "aspirin", "B": "heparin", "C": "metoprolol", "D": "nitroglycerin"}
MAX_NEW_TOKENS = 8


def run(model: Path, files: list[Path], out: Path, *extra: str) -> int:
    argv = [
        "--model",
        str(model),
        "--data",
        *map(str, files),
        "--output_dir",
        str(out),
        "--backend",
        "hf",
        "--max_new_tokens",
        str(MAX_NEW_TOKENS),
        "--batch_size",
        "4",
        *extra,
    ]
    return evaluate.main(argv)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def assert_png(path: Path) -> None:
    import matplotlib.image

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 400


def test_end_to_end_hf_all_tasks_n2(
    tiny_model_dir: Path, benchmark_files: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "run"
    assert run(tiny_model_dir, benchmark_files, out, "--n", "2", "--temperature", "0.7", "--seed", "3") == 0

    records = read_jsonl(out / "predictions.jsonl")
    assert len(records) == (3 + 2 + 1) * 2
    keys = [(r["data_source"], r["split"], r["index"], r["sample"]) for r in records]
    assert len(set(keys)) == len(keys)
    assert {r["sample"] for r in records} == {0, 1}
    for r in records:
        assert RECORD_KEYS <= set(r)
        assert r["acc"] in (0.0, 1.0) and r["parsed"] in (0.0, 1.0) and r["acc_strict"] in (0.0, 1.0)
        assert 1 <= r["response_tokens"] <= MAX_NEW_TOKENS
        assert isinstance(r["response"], str) and isinstance(r["pred"], str) and isinstance(r["rule"], str)
        assert (
            r["response_tokens"] == MAX_NEW_TOKENS or not r["capped"]
        )  # only a full-length response hit the cap
        assert "acc_freeform" not in r and "rule_freeform" not in r  # only with --freeform

    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) == {"per_source", "macro_acc", "config"}
    assert set(metrics["per_source"]) == {"medqa", "medcalc", "medical_o1"}
    assert metrics["config"]["preset"] == "robust" and metrics["config"]["n"] == 2
    for source, m in metrics["per_source"].items():
        group = [r for r in records if r["data_source"] == source]
        tokens = [r["response_tokens"] for r in group]
        assert m["n"] == len(group)
        assert m["n_questions"] == len(group) // 2
        assert m["acc"] == pytest.approx(statistics.fmean(r["acc"] for r in group))
        assert m["acc_strict"] == pytest.approx(statistics.fmean(r["acc_strict"] for r in group))
        assert m["unparsed_rate"] == pytest.approx(1 - statistics.fmean(r["parsed"] for r in group))
        assert m["mean_response_tokens"] == pytest.approx(statistics.fmean(tokens))
        assert m["median_response_tokens"] == pytest.approx(statistics.median(tokens))
        assert m["n_truncated"] == 0 and m["n_over_train_limit"] == 0
        assert m["n_capped"] == sum(r["capped"] for r in group)
        assert sum(m["rules"].values()) == len(group)
        assert m["rules"] == {rule: sum(r["rule"] == rule for r in group) for rule in m["rules"]}
        best = {}
        for r in group:
            best[r["index"]] = max(best.get(r["index"], 0.0), r["acc"])
        assert m["pass@2"] == pytest.approx(statistics.fmean(best.values()))
        assert m["mean@2"] == pytest.approx(m["acc"])
    calc = metrics["per_source"]["medcalc"]
    assert set(calc["per_output_type"]) == {"decimal", "integer"}
    assert set(calc["per_category"]) == {"physical", "risk"}
    assert calc["per_output_type"]["integer"]["n"] == 2
    assert "per_output_type" not in metrics["per_source"]["medqa"]
    assert metrics["macro_acc"] == pytest.approx(
        statistics.fmean(m["acc"] for m in metrics["per_source"].values())
    )

    report = (out / "report.md").read_text()
    for source in ("medqa", "medcalc", "medical_o1", "pass@2", "accuracy per output type", "Parsed by rule"):
        assert source in report
    assert "acc_freeform" not in report
    assert_png(out / "report.png")
    assert json.loads((out / "settings.json").read_text())["temperature"] == 0.7


def test_rerun_skips_finished_and_refuses_changed_settings(
    tiny_model_dir: Path, benchmark_files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "run"
    assert run(tiny_model_dir, benchmark_files[:1], out, "--limit", "2") == 0
    before = (out / "predictions.jsonl").read_bytes()
    assert len(before.splitlines()) == 2

    assert run(tiny_model_dir, benchmark_files[:1], out, "--limit", "2") == 0  # nothing left to do
    assert (out / "predictions.jsonl").read_bytes() == before

    capsys.readouterr()
    assert run(tiny_model_dir, benchmark_files[:1], out, "--limit", "2", "--temperature", "0.9") == 2
    err = capsys.readouterr().err
    assert "refusing to resume" in err and "temperature: stored 0.2, requested 0.9" in err
    assert run(tiny_model_dir, benchmark_files[:1], out, "--limit", "2", "--preset", "medu1") == 2
    assert "--rescore" in capsys.readouterr().err
    assert (out / "predictions.jsonl").read_bytes() == before

    # Extending the selection with the same settings only generates the new question.
    assert run(tiny_model_dir, benchmark_files[:1], out) == 0
    after = (out / "predictions.jsonl").read_bytes()
    assert after.startswith(before) and len(after.splitlines()) == 3


def test_long_prompts_are_left_truncated_and_counted(
    tiny_model_dir: Path, tmp_path: Path, tiny_tokenizer
) -> None:
    long = make_row("medqa", Item("Best drug?", "B", "q1", {"A": "aspirin", "B": "heparin"}), "test", 1)
    short = make_row("medqa", Item("Best drug?", "A", "q0", {"A": "aspirin", "B": "heparin"}), "test", 0)
    short["prompt"] = short["prompt"][1:]  # no system prompt: far shorter
    data = write_parquet([short, long], tmp_path / "medqa.parquet")
    short_length = encode_prompt(tiny_tokenizer, short["prompt"], 10_000).full_length
    room = short_length + 4  # the prompt room of the run below: the short prompt fits, the long one not
    full = encode_prompt(tiny_tokenizer, long["prompt"], 10_000).ids
    kept, original = encode_prompt(tiny_tokenizer, long["prompt"], room)
    assert original == len(full) > room and kept == full[-room:]  # verl's truncation="left": keep the end

    out = tmp_path / "run"
    # Context = room + new tokens; training's limit set between the two prompt lengths.
    argv = ["--max_model_len", str(room + MAX_NEW_TOKENS), "--train_max_prompt_length", str(short_length)]
    assert run(tiny_model_dir, [data], out, *argv) == 0
    records = {r["index"]: r for r in read_jsonl(out / "predictions.jsonl")}
    assert records[1]["truncated"] and records[1]["prompt_tokens"] == len(full)  # the full length
    assert not records[0]["truncated"] and records[0]["prompt_tokens"] == short_length
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["per_source"]["medqa"]["n_truncated"] == 1
    assert metrics["per_source"]["medqa"]["n_over_train_limit"] == 1  # only the long prompt is over
    assert metrics["per_source"]["medqa"]["n"] == 2  # truncated, never dropped
    assert "| medqa | 2 |" in (out / "report.md").read_text()
    assert "data.max_prompt_length " + str(short_length) in (out / "report.md").read_text()


def test_several_length_budgets_in_one_resumable_run(
    tiny_model_dir: Path, benchmark_files: list[Path], tmp_path: Path
) -> None:
    """Each question is asked once per budget (both modes and without one), stored as its own samples,
    reported per mode and N; a rerun with one budget more generates only that budget's samples."""
    out = tmp_path / "run"
    files = benchmark_files[:1]  # medqa, 3 questions
    assert run(tiny_model_dir, files, out, "--length_budget", "none", "exact:4", "max:6") == 0
    records = read_jsonl(out / "predictions.jsonl")
    assert sorted(r["extra_info"]["length_budget"] for r in records) == [-6] * 3 + [0] * 3 + [4] * 3
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["per_source"]["medqa"]["n"] == 9 and metrics["per_source"]["medqa"]["n_questions"] == 3
    arms = metrics["length_adherence"]["per_source"]["medqa"]["arms"]
    assert [(a["mode"], a["budget"], a["n"]) for a in arms] == [
        ("none", 0, 3),
        ("exact", 4, 3),
        ("max", 6, 3),
    ]
    exact = [r for r in records if r["extra_info"]["length_budget"] == 4]
    assert arms[1]["mean_length"] == pytest.approx(statistics.fmean(r["response_tokens"] for r in exact))
    assert arms[1]["mean_abs_error"] == pytest.approx(
        statistics.fmean(abs(r["response_tokens"] - 4) for r in exact)
    )
    assert arms[1]["acc"] == pytest.approx(statistics.fmean(r["acc"] for r in exact))
    limited = [r for r in records if r["extra_info"]["length_budget"] == -6]
    assert arms[2]["within_budget"] == pytest.approx(
        statistics.fmean(r["response_tokens"] <= 6 for r in limited)
    )
    report = (out / "report.md").read_text()
    assert "## Length adherence per budget" in report and "| max | 6 | 3 |" in report
    assert "## Answer letters (MCQ)" in report
    assert_png(out / "length_adherence.png")

    before = (out / "predictions.jsonl").read_bytes()
    assert run(tiny_model_dir, files, out, "--length_budget", "none", "exact:4", "max:6", "exact:2") == 0
    after = (out / "predictions.jsonl").read_bytes()
    added = read_jsonl(out / "predictions.jsonl")[len(records) :]
    assert after.startswith(before) and [r["extra_info"]["length_budget"] for r in added] == [2, 2, 2]


def test_a_run_without_budgets_reports_no_adherence(
    tiny_model_dir: Path, benchmark_files: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "run"
    assert run(tiny_model_dir, benchmark_files[:1], out, "--limit", "2") == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert "length_adherence" not in metrics and not (out / "length_adherence.png").exists()
    letters = metrics["per_source"]["medqa"]["letters"]
    assert letters["gold"] == {"A": 1, "B": 1} and sum(letters["answers"].values()) == 2


# ---------------------------------------------------------------------------------------------------
# --rescore on a hand-written predictions file
# ---------------------------------------------------------------------------------------------------

THINK = "<think>a</think>"


def prediction(source: str, index: int, sample: int, response: str, gt: str, tokens: int, info: dict) -> dict:
    """A stored sample with deliberately wrong reward terms: rescoring must overwrite them."""
    return {
        "data_source": source,
        "split": "test",
        "index": index,
        "sample": sample,
        "source_id": f"{source}-{index}",
        "ground_truth": gt,
        "extra_info": info,
        "prompt_tokens": 50,
        "truncated": False,
        "response": response,
        "response_tokens": tokens,
        "capped": False,
        "score": 9.0,
        "acc": 9.0,
        "format": 9.0,
        "answer": 9.0,
        "length": 9.0,
        "parsed": 9.0,
        "pred": "stale",
        "rule": "stale",
        "acc_strict": 9.0,
    }


@pytest.fixture
def hand_written_run(tmp_path: Path, extra_info) -> Path:
    mcq = extra_info("mcq", index=0, split="test", options=json.dumps(OPTIONS))
    mcq1 = extra_info("mcq", index=1, split="test", options=json.dumps(OPTIONS))
    bmi = extra_info(
        "calc",
        index=0,
        split="test",
        calculator_id=6,
        category="physical",
        output_type="decimal",
        lower_limit=21.755,
        upper_limit=24.045,
    )
    chads = extra_info(
        "calc",
        index=1,
        split="test",
        calculator_id=4,
        category="risk",
        output_type="integer",
        lower_limit=3.0,
        upper_limit=3.0,
    )
    text = extra_info("text", index=0, split="test", length_budget=100)
    records = [
        prediction("medqa", 0, 0, f"{THINK}<answer>B</answer>", "B", 10, mcq),  # right in both presets
        prediction("medqa", 0, 1, "nothing here", "B", 5, mcq),  # no answer at all: unparsed in both
        prediction("medqa", 1, 0, f"{THINK} \\boxed{{C}}", "C", 20, mcq1),  # boxed: only robust reads it
        prediction("medqa", 1, 1, f"{THINK}<answer>B</answer>", "C", 12, mcq1),  # parsed, wrong
        prediction("medcalc", 0, 0, f"{THINK}<answer>23.1</answer>", "22.9", 30, bmi),  # inside the limits
        prediction("medcalc", 0, 1, f"{THINK}<answer>30</answer>", "22.9", 40, bmi),  # outside
        prediction("medcalc", 1, 0, f"{THINK}<answer>3</answer>", "3", 50, chads),
        prediction("medcalc", 1, 1, f"{THINK}<answer>3</answer>", "3", 60, chads),
        prediction(
            "medical_o1",
            0,
            0,
            f"{THINK}<answer>metformin lowers glucose</answer>",
            "metformin lowers glucose",
            130,
            text,
        ),
    ]
    run_dir = tmp_path / "hand"
    run_dir.mkdir()
    (run_dir / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (run_dir / "settings.json").write_text(json.dumps({"model": "hand-written", "preset": "robust", "n": 2}))
    return run_dir


def test_rescore_robust_hand_computed(hand_written_run: Path) -> None:
    before = read_jsonl(hand_written_run / "predictions.jsonl")
    assert evaluate.main(["--rescore", str(hand_written_run), "--preset", "robust"]) == 0
    after = read_jsonl(hand_written_run / "predictions.jsonl")
    assert [r["response"] for r in after] == [r["response"] for r in before]
    assert [r["response_tokens"] for r in after] == [r["response_tokens"] for r in before]
    metrics = json.loads((hand_written_run / "metrics.json").read_text())
    assert metrics["config"]["preset"] == "robust"
    qa, calc, text = (metrics["per_source"][s] for s in ("medqa", "medcalc", "medical_o1"))
    # medqa robust acc per sample: 1, 0, 1 (boxed C), 0 -> 2/4; medu1 (strict): 1, 0, 0, 0 -> 1/4.
    assert qa["acc"] == 0.5 and qa["acc_strict"] == 0.25
    # parsed: 1, 0, 1, 1 -> unparsed 1/4.
    assert qa["unparsed_rate"] == 0.25
    # question 0: accs (1, 0); question 1: (1, 0) -> mean@2 = (0.5 + 0.5)/2, pass@2 = (1 + 1)/2.
    assert qa["mean@2"] == 0.5 and qa["pass@2"] == 1.0
    # score = format + answer: 1+1, -1-2, -1+1 (boxed, no tags), 1-1 -> (2 - 3 + 0 + 0)/4.
    assert qa["score"] == -0.25
    # tokens 10, 5, 20, 12: mean 47/4, median (10 + 12)/2.
    assert qa["mean_response_tokens"] == 11.75 and qa["median_response_tokens"] == 11.0
    # medcalc acc: 23.1 in [21.755, 24.045] -> 1, 30 -> 0, 3 == 3 -> 1, 1 => 3/4 under both presets.
    assert calc["acc"] == 0.75 and calc["acc_strict"] == 0.75 and calc["unparsed_rate"] == 0.0
    assert calc["per_output_type"] == {"decimal": {"n": 2, "acc": 0.5}, "integer": {"n": 2, "acc": 1.0}}
    assert calc["per_category"] == {"physical": {"n": 2, "acc": 0.5}, "risk": {"n": 2, "acc": 1.0}}
    # question 0: (1, 0), question 1: (1, 1) -> mean@2 = (0.5 + 1)/2, pass@2 = 1.
    assert calc["mean@2"] == 0.75 and calc["pass@2"] == 1.0
    # text: identical 3-word answer -> EMS 100, BLEU-1/2/3 each 1 -> Merge 50.5 > 45 -> acc 1;
    # budget 100, L = 130: length term 1 - 30/1500 = 0.98, score 1 + 1 + 0.98.
    assert text["acc"] == 1.0 and text["score"] == pytest.approx(2.98)
    assert "mean@2" not in text  # one sample per question
    (arm,) = metrics["length_adherence"]["per_source"]["medical_o1"]["arms"]
    assert arm == {
        "mode": "exact",
        "budget": 100,
        "n": 1,
        "mean_length": 130.0,
        "mean_abs_error": 30.0,
        "mean_rel_error": 0.3,
        "within_10": 0.0,
        "within_25": 0.0,
        "within_budget": 0.0,
        "score": pytest.approx(2.98),
        "acc": 1.0,
    }
    # medqa letters: answered B, none (unparsed), C (boxed, robust), B; gold B, B, C, C per sample.
    assert qa["letters"] == {
        "answers": {"B": 2, "C": 1, "none": 1},
        "top_letter": "B",
        "top_letter_share": pytest.approx(2 / 3),
        "gold": {"B": 1, "C": 1},
        "best_constant_letter": "B",
        "best_constant_acc": 0.5,
    }
    assert "letters" not in calc and "letters" not in text
    # macro over sources: (0.5 + 0.75 + 1.0) / 3.
    assert metrics["macro_acc"] == pytest.approx(0.75)
    assert after[2]["pred"] == "C" and after[2]["format"] == -1.0
    assert_png(hand_written_run / "report.png")
    assert "| medqa | 4 | 50.0 | 25.0 |" in (hand_written_run / "report.md").read_text()


def test_rescore_medu1_hand_computed(hand_written_run: Path) -> None:
    assert evaluate.main(["--rescore", str(hand_written_run), "--preset", "medu1"]) == 0
    metrics = json.loads((hand_written_run / "metrics.json").read_text())
    assert metrics["config"]["preset"] == "medu1"
    assert json.loads((hand_written_run / "settings.json").read_text())["preset"] == "medu1"
    qa, calc, text = (metrics["per_source"][s] for s in ("medqa", "medcalc", "medical_o1"))
    # medqa medu1 acc: 1, 0, 0 (boxed is no answer), 0 -> 1/4, equal to acc_strict by definition.
    assert qa["acc"] == 0.25 and qa["acc_strict"] == 0.25
    # parsed: 1, 0, 0, 1 -> unparsed 2/4.
    assert qa["unparsed_rate"] == 0.5
    # question 0: (1, 0), question 1: (0, 0) -> mean@2 = 0.25, pass@2 = (1 + 0)/2.
    assert qa["mean@2"] == 0.25 and qa["pass@2"] == 0.5
    # score: 2, -3, -3 (no <answer>: format -1, answer -2), 0 -> -4/4.
    assert qa["score"] == -1.0
    assert calc["acc"] == 0.75 and text["acc"] == 1.0 and text["score"] == pytest.approx(2.98)
    # macro: (0.25 + 0.75 + 1.0) / 3.
    assert metrics["macro_acc"] == pytest.approx(2.0 / 3.0)
    records = read_jsonl(hand_written_run / "predictions.jsonl")
    assert all(r["acc"] == r["acc_strict"] for r in records)


def test_rescore_with_reward_kwargs_hand_computed(hand_written_run: Path) -> None:
    """Any compute_score option can be set for scoring; acc_strict stays the plain medu1 preset."""
    argv = ["--rescore", str(hand_written_run), "--preset", "robust", "--reward_kwarg", "text_threshold=60",
            "--reward_kwarg", "text_metric=merge"]  # fmt: skip
    assert evaluate.main(argv) == 0
    settings = json.loads((hand_written_run / "settings.json").read_text())
    assert settings["reward_kwargs"] == {"text_threshold": 60, "text_metric": "merge"}
    text = json.loads((hand_written_run / "metrics.json").read_text())["per_source"]["medical_o1"]
    # Merge 50.5 is not > 60 -> acc 0, answer -1; score 1 - 1 + 0.98 (length term as before).
    assert text["acc"] == 0.0 and text["score"] == pytest.approx(0.98)
    assert text["acc_strict"] == 1.0  # the paper's threshold 45 still passes


def test_rescore_freeform_is_its_own_column(tmp_path: Path, extra_info) -> None:
    """--freeform adds acc_freeform (tag-less prose read) and never changes acc or acc_strict."""
    mcq = extra_info("mcq", index=0, split="test", options=json.dumps(OPTIONS))
    responses = [f"{THINK}<answer>B</answer>", f"{THINK} The answer is B.", f"{THINK} It is A or B."]
    records = [
        prediction("medqa", i, 0, text, "B", 10, {**mcq, "index": i}) for i, text in enumerate(responses)
    ]
    run_dir = tmp_path / "freeform"
    run_dir.mkdir()
    (run_dir / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert evaluate.main(["--rescore", str(run_dir), "--freeform"]) == 0
    after = read_jsonl(run_dir / "predictions.jsonl")
    assert [r["acc"] for r in after] == [1.0, 0.0, 0.0]  # tags only
    assert [r["acc_strict"] for r in after] == [1.0, 0.0, 0.0]
    assert [r["acc_freeform"] for r in after] == [1.0, 1.0, 0.0]  # the prose answer read, the hedge not
    assert [r["rule"] for r in after] == ["letter", "no_answer", "no_answer"]
    assert after[1]["rule_freeform"] == "freeform_anchor"
    metrics = json.loads((run_dir / "metrics.json").read_text())
    qa = metrics["per_source"]["medqa"]
    assert qa["acc"] == pytest.approx(1 / 3) and qa["acc_freeform"] == pytest.approx(2 / 3)
    assert qa["rules"] == {"letter": 1, "no_answer": 2}
    assert sum(qa["rules_freeform"].values()) == 3 and qa["rules_freeform"]["freeform_anchor"] == 1
    assert metrics["macro_acc_freeform"] == pytest.approx(2 / 3)
    report = (run_dir / "report.md").read_text()
    assert "| medqa | 3 | 33.3 | 33.3 | 66.7 |" in report and "| freeform_anchor | 0 | 1 |" in report

    # Rescoring without --freeform drops the column again (no stale lenient numbers left behind).
    assert evaluate.main(["--rescore", str(run_dir)]) == 0
    assert all("acc_freeform" not in r for r in read_jsonl(run_dir / "predictions.jsonl"))
    assert "acc_freeform" not in (run_dir / "report.md").read_text()


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("text_metrc=rougeL", "text_metrc"),
        ("nonsense", "KEY=VALUE"),
        ("freeform_fallback=true", "--freeform"),
    ],
)
def test_bad_reward_kwarg_is_refused_before_anything_runs(
    pair: str, message: str, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(SystemExit):
        evaluate.parse_args(["--rescore", "unused", "--reward_kwarg", pair])
    assert message in capsys.readouterr().err
