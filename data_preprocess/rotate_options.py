"""Write each MCQ question of converted files once per position of its right option: an evaluation set in
which every movable letter is right equally often (an anchored option such as "None of the above" keeps
its letter, so a question with one is written once per other letter).

Why: a held-out benchmark's gold letters lean (the demo's 16 MedMCQA test questions: B 8, A 4, C 2, D 2),
so its answer-letter distribution mixes two things — the letters a model prefers, and the letters a model
that reads the questions should answer (one that read every question right would answer B 50 % there).
Asked every question with the right option at each letter in turn, a model that ignores the content
answers its favourite letter everywhere and scores 1/m; a model that reads the content answers the right
text wherever it stands, and its letters follow the gold, which is now uniform. So on these rows the top
letter's share measures position preference alone, and accuracy above 1/m measures reading. The prompt,
the options, the question text and the ground truth are rewritten together
(:func:`data_preprocess.core.choices.reorder_prompt`, the function the training's option
orders use); the other options are shuffled around the right one (seeded by ``--seed``, the row's split
and index, and the position).

Only MCQ rows whose options may move are written (not those that name other options, anchor the answer,
repeat an option text or hold the option lines other than once); the printed summary counts what was
left out and why. Each written row gets a new ``index`` (its place in the output, which evaluation keys
samples by) and ``source_id`` "<the row's source_id> | answer at <letter>"; every other field is the
row's own.

    python data_preprocess/rotate_options.py --inputs outputs/quickstart/data/medmcqa/test.parquet \\
        outputs/quickstart/data/mmlu_medical/test.parquet --local_save_dir outputs/quickstart/data/rotated

writes ``rotated/medmcqa/test.parquet`` and ``rotated/mmlu_medical/test.parquet`` (the input's folder
and file name), which ``python -m recipe.medu1.eval --data ...`` evaluates like any converted file.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from data_preprocess.core.choices import can_reorder, letter_of, movable_positions, reorder_prompt
from data_preprocess.core.files import write_parquet
from data_preprocess.registry import task_of


def rotations(row: dict[str, Any], seed: int) -> tuple[list[dict[str, Any]], str]:
    """The row once per movable position of its answer, and "" — or no rows and why it was left out.
    Raises ValueError when the options field is not a JSON object of letter -> text."""
    info = row["extra_info"]
    if task_of(row["data_source"], info) != "mcq":
        return [], "not MCQ"
    options = json.loads(info.get("options") or "{}")
    if not isinstance(options, dict):
        raise ValueError(f"extra_info.options is not a JSON object: {info.get('options')!r}")
    if not options:
        return [], "no options"
    answer = str(row["reward_model"]["ground_truth"])
    if not can_reorder(options, answer):
        return [], "options keep their order"
    question = info.get("question")
    rotated = []
    for position in movable_positions(options):
        rng = random.Random(f"{seed}:{info['split']}:{info['index']}:{position}")
        order = reorder_prompt(list(row["prompt"]), options, answer, position, rng, question or "")
        if order is None:
            return [], "option lines not found once, or repeated option texts"
        rotated.append(
            {
                **row,
                "prompt": order.messages,
                "reward_model": {**row["reward_model"], "ground_truth": order.answer},
                "extra_info": {
                    **info,
                    "options": json.dumps(order.options, ensure_ascii=False),
                    "question": order.question if question is not None else None,
                    "source_id": f"{info['source_id']} | answer at {letter_of(position)}",
                },
            }
        )
    return rotated, ""


def rotate_file(path: Path, out_dir: Path, seed: int) -> dict[str, Any]:
    """Write ``out_dir/<folder>/<name>`` for one input file; return its counts. Refuses to overwrite the
    input and names the file and row of a malformed options field."""
    target = out_dir / path.parent.name / path.name
    if target.resolve() == path.resolve():
        raise SystemExit(f"{path}: --local_save_dir would overwrite the input; choose another folder")
    rows, left_out = [], Counter()
    for number, row in enumerate(pq.read_table(path).to_pylist()):
        try:
            written, why = rotations(row, seed)
        except ValueError as problem:  # json.JSONDecodeError is a ValueError too
            raise SystemExit(f"{path}, row {number}: {problem}") from problem
        left_out.update([why] if why else [])
        rows.extend(written)
    if not rows:
        raise SystemExit(f"{path}: no MCQ row whose options may move ({dict(left_out)} left out)")
    for index, row in enumerate(rows):
        row["extra_info"]["index"] = index
    write_parquet(rows, target)
    gold = Counter(row["reward_model"]["ground_truth"] for row in rows)
    return {
        "file": str(target),
        "rows": len(rows),
        "gold": dict(sorted(gold.items())),
        "left_out": dict(left_out),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--inputs", nargs="+", required=True, type=Path, help="converted parquet files")
    parser.add_argument("--local_save_dir", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    targets = [path.parent.name + "/" + path.name for path in args.inputs]
    if len(set(targets)) != len(targets):
        parser.error(f"two inputs would write the same file: {targets}")
    for path in args.inputs:
        print(json.dumps(rotate_file(path, args.local_save_dir, args.seed)))


if __name__ == "__main__":
    main()
