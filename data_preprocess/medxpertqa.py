"""MedXpertQA Text (``TsinghuaC3I/MedXpertQA``, config ``Text``) -> verl parquet: 10-option MCQ (A-J).

The release's ``question`` already ends with the choices inline ("Answer Choices: (A) ... (J) ...")
and ``options`` holds them again; the official Med-U1 prompts kept both, so every option appeared
twice. We cut the inline block (only when it lists exactly the ``options``, in order) and let the
shared prompt list the options once as "A. text" lines. ``label`` is the answer letter; the category
is ``question_type`` (Reasoning / Understanding, the two subsets MedXpertQA reports).

    python data_preprocess/medxpertqa.py --local_dataset_path MedXpertQA/Text \\
        --local_save_dir ~/data/medxpertqa

A folder is searched for ``*.jsonl`` (its ``Text/`` subfolder when it has one, so the multimodal
``MM/`` files are never picked up); ``dev.jsonl`` -> dev, ``test.jsonl`` -> test. Med-U1 trained on a
re-split of the test set: ``--split test --resplit 1984 221 245``
(seeded; the test slice is drawn first, so it never moves when the training size changes).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, convert_splits
from data_preprocess.core.readers import local_or_hub, read_jsonl
from data_preprocess.core.records import InvalidRecord, Item, require_options, require_str
from data_preprocess.core.resplit import add_resplit_arg
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("medxpertqa").data_source
HUB_ID = "TsinghuaC3I/MedXpertQA"
HUB_CONFIG = "Text"
DEFAULT_SAVE_DIR = dataset("medxpertqa").default_save_dir
INLINE_CHOICES = re.compile(r"\s*Answer Choices:\s*(\(A\).*)\Z", re.DOTALL)


def strip_inline_choices(question: str, options: dict[str, str]) -> str:
    """The question without its trailing "Answer Choices: (A) ..." block, if that block is the options."""
    match = INLINE_CHOICES.search(question)
    if match is None:
        return question
    inline = " ".join(f"({letter}) {text}" for letter, text in options.items())
    if " ".join(match.group(1).split()) != " ".join(inline.split()):
        raise InvalidRecord("question", "its inline 'Answer Choices:' differ from 'options'")
    return question[: match.start()].strip()


def parse(raw: dict[str, Any], ref: str) -> Item:
    """One MedXpertQA Text record -> Item (inline choices removed, options listed once)."""
    options = require_options(raw.get("options") if isinstance(raw, dict) else None)
    return Item(
        question=strip_inline_choices(require_str(raw, "question"), options),
        ground_truth=require_str(raw, "label"),
        source_id=require_str(raw, "id"),
        options=options,
        category=str(raw.get("question_type") or ""),
    )


def convert(
    local_dataset_path: str | None = None,
    local_save_dir: str = DEFAULT_SAVE_DIR,
    resplit: Sequence[int] | None = None,
    **flags: Any,
) -> dict[str, int]:
    """Convert a local MedXpertQA Text copy (file or folder), or the hub config ``Text``; ``resplit``
    (train, validation, test sizes) pools the input splits and re-splits them like Med-U1."""
    settings = ConvertSettings(**flags)
    path = local_dataset_path
    if path is not None and (Path(path).expanduser() / HUB_CONFIG).is_dir():
        path = Path(path).expanduser() / HUB_CONFIG
    sources = local_or_hub(path, settings.split, (".jsonl",), read_jsonl, HUB_ID, HUB_CONFIG)
    return convert_splits(DATA_SOURCE, sources, parse, local_save_dir, settings, resplit=resplit)


def add_args(parser: argparse.ArgumentParser) -> None:
    add_resplit_arg(parser)


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR, add_args)
