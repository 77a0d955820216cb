"""Rebuild the demo's small real subsets from the unchanged public copies (how this folder was made).

Why short items only: the demo trains a 135M model on 2 CPU cores with prompts of at most 512 tokens, so
each subset keeps the short questions / notes / answers of its dataset, then draws a seeded sample.
Train and test rows never overlap (MedQuAD and MedCalc-Bench are split by document / note so that no
held-out question shares its source text with a training one). Every file keeps its dataset's own
layout, so the project's real converters read it unchanged.

Usage: ``python examples/demo_data/select_subsets.py [--real_data DIR]`` (default ``$MEDU1_REAL_DATA``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 13
TEST_ROWS = 16
MMLU_SUBJECTS = ("anatomy", "clinical_knowledge", "college_biology", "college_medicine", "medical_genetics")


def medmcqa(real: Path, train_rows: int = 64) -> None:
    """Questions <= 160 characters whose four options are each <= 60 characters."""
    lines = (real / "medmcqa-dev-reformatted" / "validation.jsonl").read_text(encoding="utf-8").splitlines()
    short = [
        line
        for line in lines
        if len((r := json.loads(line))["question"]) <= 160 and max(map(len, r["choices"])) <= 60
    ]
    picked = random.Random(SEED).sample(short, train_rows + TEST_ROWS)
    out = HERE / "medmcqa"
    out.mkdir(exist_ok=True)
    (out / "train.jsonl").write_text("\n".join(picked[:train_rows]) + "\n", encoding="utf-8")
    (out / "test.jsonl").write_text("\n".join(picked[train_rows:]) + "\n", encoding="utf-8")


def mmlu_medical(real: Path) -> None:
    """Train: every dev/val row <= 300 characters of five subjects; test: 16 such rows of their test CSVs."""
    rng = random.Random(SEED)
    test_pool: list[tuple[str, list[str]]] = []
    for subject in MMLU_SUBJECTS:
        for split in ("dev", "val"):
            rows = short_mmlu_rows(real / "mmlu-medical" / split / f"{subject}_{split}.csv")
            write_csv(HERE / "mmlu_medical" / split / f"{subject}_{split}.csv", rows)
        test_pool += [
            (subject, row) for row in short_mmlu_rows(real / "mmlu-medical" / "test" / f"{subject}_test.csv")
        ]
    picked = rng.sample(test_pool, TEST_ROWS)
    for subject in MMLU_SUBJECTS:
        rows = [row for s, row in picked if s == subject]
        write_csv(HERE / "mmlu_medical" / "test" / f"{subject}_test.csv", rows)


def short_mmlu_rows(path: Path) -> list[list[str]]:
    """Rows whose question and four options fit in 300 characters."""
    with open(path, encoding="utf-8", newline="") as f:
        return [row for row in csv.reader(f) if len(",".join(row[:5])) <= 300]


def write_csv(path: Path, rows: list[list[str]], header: list[str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        if header:
            writer.writerow(header)
        writer.writerows(rows)


def medcalc(real: Path, train_rows: int = 48) -> None:
    """Notes <= 700 characters; test rows are drawn first, train rows from the other notes."""
    with open(real / "medcalc-bench" / "test_data.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        short = [row for row in reader if len(row["Patient Note"]) <= 700]
    rng = random.Random(SEED)
    rng.shuffle(short)
    test = short[:TEST_ROWS]
    test_notes = {row["Patient Note"] for row in test}
    train = [row for row in short[TEST_ROWS:] if row["Patient Note"] not in test_notes][:train_rows]
    for name, rows in (("train_data.csv", train), ("test_data.csv", test)):
        write_csv(HERE / "medcalc" / name, [[row[c] for c in header] for row in rows], header)


def medquad(real: Path, train_pairs: int = 48) -> None:
    """QA pairs of the CDC and NINDS collections with questions <= 100 and answers <= 500 characters.

    Documents (one disease each) are shuffled and dealt to test until it holds 16 pairs, the rest to
    train; each split is written as one XML document per source document with only the kept pairs.
    """
    docs = sorted((real / "medquad" / "9_CDC_QA").glob("*.xml")) + sorted(
        (real / "medquad" / "6_NINDS_QA").glob("*.xml")
    )
    random.Random(SEED).shuffle(docs)
    counts = {"test": 0, "train": 0}
    limits = {"test": TEST_ROWS, "train": train_pairs}
    for path in docs:
        root = ET.parse(path).getroot()
        pairs = root.find("QAPairs")
        if pairs is None:
            continue
        kept = [p for p in pairs.findall("QAPair") if short_pair(p)]
        split = "test" if counts["test"] < limits["test"] else "train"
        kept = kept[: limits[split] - counts[split]]
        if not kept:
            continue
        for pair in list(pairs):
            if pair not in kept:
                pairs.remove(pair)
        out = HERE / "medquad" / split / f"{path.parent.name}_{path.name}"
        out.parent.mkdir(parents=True, exist_ok=True)
        ET.ElementTree(root).write(out, encoding="UTF-8", xml_declaration=True)
        counts[split] += len(kept)
        if counts["train"] >= limits["train"]:
            break


def short_pair(pair: ET.Element) -> bool:
    question, answer = pair.find("Question"), pair.find("Answer")
    if question is None or answer is None or not (answer.text or "").strip():
        return False
    return len(" ".join((question.text or "").split())) <= 100 and len(" ".join(answer.text.split())) <= 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real_data", type=Path, default=os.environ.get("MEDU1_REAL_DATA"))
    args = parser.parse_args()
    if args.real_data is None or not args.real_data.is_dir():
        raise SystemExit("pass --real_data DIR or set MEDU1_REAL_DATA to the public dataset copies")
    medmcqa(args.real_data)
    mmlu_medical(args.real_data)
    medcalc(args.real_data)
    medquad(args.real_data)


if __name__ == "__main__":
    main()
