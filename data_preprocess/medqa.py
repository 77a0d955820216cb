"""MedQA-USMLE (4 options) -> verl parquet.

Sources: the hub dataset ``GBaker/MedQA-USMLE-4-options`` (splits train/test), or the original
release's jsonl files (``question``, ``options`` {A..D -> text}, ``answer_idx`` letter), a single file
(split from its name, e.g. ``phrases_no_exclude_test.jsonl`` -> test, or ``--split``) or a folder.
The ground truth is the answer letter.

    python data_preprocess/medqa.py --local_dataset_path path/to/medqa --local_save_dir ~/data/medqa
"""

from __future__ import annotations

from typing import Any

from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, convert_splits
from data_preprocess.core.readers import local_or_hub, read_jsonl
from data_preprocess.core.records import Item, require_options, require_str
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("medqa").data_source
DEFAULT_SAVE_DIR = dataset("medqa").default_save_dir
HUB_ID = "GBaker/MedQA-USMLE-4-options"


def parse(raw: dict[str, Any], ref: str) -> Item:
    """One MedQA record; the dataset has no ids, so ``source_id`` is the file/row reference."""
    options = require_options(raw.get("options") if isinstance(raw, dict) else None)
    return Item(
        question=require_str(raw, "question"),
        ground_truth=require_str(raw, "answer_idx"),
        options=options,
        source_id=ref,
    )


def convert(local_dataset_path: str | None = None, local_save_dir: str = DEFAULT_SAVE_DIR, **flags: Any):
    """Convert every split found; returns rows written per split."""
    settings = ConvertSettings(**flags)
    sources = local_or_hub(local_dataset_path, settings.split, (".jsonl",), read_jsonl, HUB_ID)
    return convert_splits(DATA_SOURCE, sources, parse, local_save_dir, settings)


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR)
