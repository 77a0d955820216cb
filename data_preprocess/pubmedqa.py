"""PubMedQA (PQA-L, expert-labelled) -> verl parquet: the official 500-question test split, the other
500 labelled questions as train.

Sources: the original release (``ori_pqal.json``: PMID -> QUESTION/CONTEXTS/LABELS/final_decision,
with ``test_ground_truth.json``: the 500 test PMIDs) as a folder or the ``ori_pqal.json`` path (the
ground-truth file is looked up beside it, or given with ``--test_ground_truth``); or the hub dataset
``qiaojin/PubMedQA`` config ``pqa_labeled``, which has no test split, so ``--test_ground_truth`` is
required there. Options are A. yes / B. no / C. maybe; the abstract contexts go into the prompt.

    python data_preprocess/pubmedqa.py --local_dataset_path pubmedqa/data --local_save_dir ~/data/pubmedqa
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from data_preprocess.core.choices import letter_of, lettered
from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, convert_splits
from data_preprocess.core.readers import Source, load_hub, read_json, require_path
from data_preprocess.core.records import InvalidRecord, Item, require_str
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("pubmedqa").data_source
DEFAULT_SAVE_DIR = dataset("pubmedqa").default_save_dir
HUB_ID, HUB_CONFIG = "qiaojin/PubMedQA", "pqa_labeled"
DECISIONS = ("yes", "no", "maybe")
OPTIONS = lettered(list(DECISIONS))  # A. yes, B. no, C. maybe


def _prompt_text(question: str, contexts: list[str], labels: list[str]) -> str:
    """Labelled abstract sections ("BACKGROUND: ...") then the question."""
    lines = [
        f"{label.strip()}: {text.strip()}" if label else text.strip()
        for label, text in zip(labels, contexts, strict=True)
    ]
    return "Context:\n" + "\n".join(lines) + f"\nQuestion: {question}"


def parse(raw: dict[str, Any], ref: str) -> Item:
    """One record in the original (upper-case keys, with ``pmid`` added) or hub (lower-case) schema."""
    if "QUESTION" in raw:
        question, contexts, labels = require_str(raw, "QUESTION"), raw.get("CONTEXTS"), raw.get("LABELS")
        decision, pmid, context_field = (
            require_str(raw, "final_decision"),
            str(raw.get("pmid", ref)),
            "CONTEXTS",
        )
    else:
        context = raw.get("context") or {}
        question, contexts, labels = (
            require_str(raw, "question"),
            context.get("contexts"),
            context.get("labels"),
        )
        decision, pmid, context_field = (
            require_str(raw, "final_decision"),
            str(raw.get("pubid", ref)),
            "context",
        )
    if not isinstance(contexts, list) or not contexts or not all(isinstance(c, str) for c in contexts):
        raise InvalidRecord(context_field, f"expected a non-empty list of strings, got {contexts!r}")
    if not isinstance(labels, list) or len(labels) != len(contexts):
        labels = [""] * len(contexts)
    if decision.lower() not in DECISIONS:
        raise InvalidRecord("final_decision", f"{decision!r} is not one of {DECISIONS}")
    return Item(
        question=_prompt_text(question, contexts, labels),
        ground_truth=letter_of(DECISIONS.index(decision.lower())),
        options=OPTIONS,
        source_id=pmid,
    )


def _test_ids(path: Path) -> dict[str, str]:
    data = read_json(require_path(path, "PubMedQA test_ground_truth.json"))
    if not isinstance(data, dict) or not data:
        raise InvalidRecord("<json>", "expected an object PMID -> label", str(path))
    return {str(pmid): str(label) for pmid, label in data.items()}


def _split_records(records: list[tuple[str, int, dict[str, Any]]], test_ids: dict[str, str], id_field: str):
    """Partition (keeping source order) into the official test ids and the rest as train."""
    known = {str(raw.get(id_field)) for _, _, raw in records if isinstance(raw, dict)}
    missing = sorted(set(test_ids) - known)
    if missing:
        raise ValueError(f"{len(missing)} test PMIDs are not in the labelled set, e.g. {missing[:3]}")
    test = [r for r in records if str(r[2].get(id_field)) in test_ids]
    train = [r for r in records if str(r[2].get(id_field)) not in test_ids]
    for file, number, raw in test:
        if str(raw.get("final_decision", "")).lower() != test_ids[str(raw.get(id_field))].lower():
            raise InvalidRecord("final_decision", "disagrees with test_ground_truth.json", file, number)
    return {"train": train, "test": test}


def _local_records(path: Path) -> list[tuple[str, int, dict[str, Any]]]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise InvalidRecord("<json>", "expected an object PMID -> record (ori_pqal.json)", str(path))
    records = []
    for number, (pmid, raw) in enumerate(data.items(), start=1):
        if not isinstance(raw, dict):
            raise InvalidRecord(
                "<record>", f"expected an object, got {type(raw).__name__}", str(path), number
            )
        records.append((str(path), number, {**raw, "pmid": pmid}))
    return records


def convert(
    local_dataset_path: str | None = None,
    local_save_dir: str = DEFAULT_SAVE_DIR,
    test_ground_truth: str | None = None,
    **flags: Any,
) -> dict[str, int]:
    """Convert into train (500) and test (500); returns rows written per split."""
    settings = ConvertSettings(**flags)
    if local_dataset_path is None:
        if test_ground_truth is None:
            raise ValueError(
                "the hub release has no test split: pass --test_ground_truth test_ground_truth.json"
            )
        records = list(next(iter(load_hub(HUB_ID, HUB_CONFIG).values())))
        id_field = "pubid"
    else:
        root = require_path(local_dataset_path, "PubMedQA release")
        labelled = root / "ori_pqal.json" if root.is_dir() else root
        test_ground_truth = test_ground_truth or str(labelled.parent / "test_ground_truth.json")
        records, id_field = _local_records(require_path(labelled, "PubMedQA ori_pqal.json")), "pmid"
    sources: dict[str, Source] = _split_records(records, _test_ids(Path(test_ground_truth)), id_field)
    return convert_splits(DATA_SOURCE, sources, parse, local_save_dir, settings)


def _add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--test_ground_truth", default=None, help="test_ground_truth.json (default: beside ori_pqal.json)"
    )


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR, _add_args)
