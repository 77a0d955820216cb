"""plot_training on dumps written by verl 0.9.1's own dump writer (exact format, not an imitation)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from data_preprocess.core.prompts import TYPE_INSTRUCTIONS
from recipe.medu1.analysis import plot_training


@pytest.fixture(scope="module")
def write_generations():
    """verl's writer behind trainer.rollout_data_dir / trainer.validation_data_dir (v1 trainer)."""
    from verl.trainer.ppo.v1.trainer_base import PPOTrainer

    return PPOTrainer._write_generations


def prompt(task: str, i: int) -> str:
    # What verl dumps: the chat-templated prompt decoded with skip_special_tokens=True.
    return f"system\nYou are a medical assistant.\nuser\nQuestion {i}\n{TYPE_INSTRUCTIONS[task]}\nassistant\n"


def validation_dump(write_generations, dump_dir: Path, step: int, rows: list[tuple]) -> None:
    """rows: (task, acc, format, length, response_length). Extra keys: the terms our reward returns plus
    the "task" the medu1 reward manager adds, the "reward" and "uid" lists verl's _validate adds, and a
    "response_length" list (verl writes any equal-length extra list)."""
    n = len(rows)
    scores = [fmt + (1.0 if acc else -1.0) + length for _, acc, fmt, length, _ in rows]
    extra = {
        "reward": scores,
        "score": scores,
        "acc": [r[1] for r in rows],
        "format": [r[2] for r in rows],
        "answer": [1.0 if r[1] else -1.0 for r in rows],
        "length": [r[3] for r in rows],
        "parsed": [1.0] * n,
        "pred": ["B"] * n,
        "rule": ["letter"] * n,
        "task": [r[0] for r in rows],
        "response_length": [r[4] for r in rows],
        "uid": [f"u{step}{i}_0_0" for i in range(n)],
    }
    write_generations(
        inputs=[prompt(r[0], i) for i, r in enumerate(rows)],
        outputs=["<think>x</think><answer>B</answer>"] * n,
        gts=["B"] * n,
        scores=scores,
        reward_extra_infos_dict=extra,
        dump_path=str(dump_dir),
        global_steps=step,
    )


def read_csv(path: Path) -> dict[tuple[int, str], dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return {(int(r["step"]), r["task"]): r for r in csv.DictReader(handle)}


def assert_png(path: Path) -> None:
    import matplotlib.image

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert matplotlib.image.imread(path).ndim == 3


def test_validation_dump_curves(write_generations, tmp_path: Path) -> None:
    dumps = tmp_path / "val"
    validation_dump(
        write_generations,
        dumps,
        5,
        [
            ("mcq", 1.0, 1.0, 0.0, 100),
            ("mcq", 0.0, -1.0, 0.0, 300),
            ("calc", 1.0, 1.0, 0.5, 200),
            ("text", 0.0, 1.0, -0.2, 50),
        ],
    )
    validation_dump(write_generations, dumps, 10, [("mcq", 1.0, 1.0, 0.0, 80), ("calc", 0.0, 1.0, 0.9, 120)])
    assert sorted(p.name for p in dumps.iterdir()) == ["10.jsonl", "5.jsonl"]

    assert plot_training.main([str(dumps), "--output_dir", str(tmp_path / "out")]) == 0
    table = read_csv(tmp_path / "out" / "training_curves.csv")
    assert set(table) == {
        (5, "mcq"),
        (5, "calc"),
        (5, "text"),
        (5, "all"),
        (10, "mcq"),
        (10, "calc"),
        (10, "all"),
    }
    mcq5 = table[(5, "mcq")]
    # acc (1 + 0)/2, format (1 - 1)/2, tokens (100 + 300)/2, score ((1+1+0) + (-1-1+0))/2.
    assert (mcq5["n"], float(mcq5["acc"]), float(mcq5["format"]), float(mcq5["response_tokens"])) == (
        "2",
        0.5,
        0.0,
        200.0,
    )
    assert float(mcq5["score"]) == 0.0
    all5 = table[(5, "all")]
    # acc (1+0+1+0)/4; length (0+0+0.5-0.2)/4 = 0.075; tokens (100+300+200+50)/4 = 162.5.
    assert float(all5["acc"]) == 0.5 and float(all5["length"]) == pytest.approx(0.075)
    assert float(all5["response_tokens"]) == 162.5
    assert float(table[(10, "calc")]["length"]) == 0.9
    assert_png(tmp_path / "out" / "training_curves.png")


def test_rollout_dump_without_reward_columns(
    write_generations, tmp_path: Path, tiny_tokenizer, tiny_model_dir
) -> None:
    """verl's v1 rollout dump carries only input/output/gts/score/step/uid: curves that need the reward
    terms stay empty, score still plots, and --tokenizer supplies response token counts."""
    dumps = tmp_path / "rollout"
    outputs = ["<answer> B </answer>", "The answer is A. The answer is B."]
    write_generations(
        inputs=[prompt("mcq", 0), prompt("text", 1)],
        outputs=outputs,
        gts=["B", "x"],
        scores=[2.0, -3.0],
        # The medu1 trainer adds data_source (and more) to rollout dumps; verl's own has none.
        reward_extra_infos_dict={"uid": ["a_0_0", "b_0_0"], "data_source": ["medqa", "medical_o1"]},
        dump_path=str(dumps),
        global_steps=1,
    )
    assert plot_training.main([str(dumps), "--tokenizer", str(tiny_model_dir)]) == 0
    table = read_csv(dumps / "training_curves.csv")
    assert table[(1, "mcq")]["acc"] == "" and float(table[(1, "mcq")]["score"]) == 2.0
    expected = len(tiny_tokenizer(outputs[1], add_special_tokens=False)["input_ids"])
    assert float(table[(1, "text")]["response_tokens"]) == expected
    assert_png(dumps / "training_curves.png")


def test_task_of_reads_columns_never_prompt_text() -> None:
    assert plot_training.task_of({"task": "calc", "data_source": "medqa"}) == "calc"
    assert plot_training.task_of({"data_source": "medcalc", "input": ""}) == "calc"
    # The answer instruction in the prompt is not evidence: only the row's own fields are.
    assert plot_training.task_of({"input": prompt("text", 0)}) == "unknown"


def test_equal_reward_groups_per_step_and_task(write_generations, tmp_path: Path) -> None:
    """Rollout dumps as the medu1 trainer writes them (a group column) and, for an older dump, only verl's
    uid keys (<prompt uid>_<session>_<index>): the share of groups whose rewards are all equal."""
    dumps = tmp_path / "rollout"
    # Step 1: mcq group p (2, 2: dead), mcq group q (2, -3: learns), calc group r (0.5, 0.5: dead).
    step1 = [("p", "mcq", 2.0), ("p", "mcq", 2.0), ("q", "mcq", 2.0), ("q", "mcq", -3.0)]
    step1 += [("r", "calc", 0.5), ("r", "calc", 0.5)]
    for step, rows, columns in (
        (1, step1, lambda rows: {"group": [r[0] for r in rows]}),
        (2, step1[:4], lambda rows: {"uid": [f"{r[0]}_0_{i}" for i, r in enumerate(rows)]}),
    ):
        write_generations(
            inputs=[prompt(r[1], i) for i, r in enumerate(rows)],
            outputs=["x"] * len(rows),
            gts=["B"] * len(rows),
            scores=[r[2] for r in rows],
            reward_extra_infos_dict={"task": [r[1] for r in rows], **columns(rows)},
            dump_path=str(dumps),
            global_steps=step,
        )
    assert plot_training.main([str(dumps)]) == 0
    table = read_csv(dumps / "training_curves.csv")
    assert float(table[(1, "mcq")]["equal_reward_groups"]) == 0.5
    assert float(table[(1, "calc")]["equal_reward_groups"]) == 1.0
    assert float(table[(1, "all")]["equal_reward_groups"]) == pytest.approx(2 / 3)
    assert float(table[(2, "all")]["equal_reward_groups"]) == 0.5  # from the uid keys
    assert_png(dumps / "training_curves.png")
