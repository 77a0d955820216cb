"""MediQ (``stellalisy/mediQ``) -> verl parquet: 4-option MCQ over MedQA-style patient vignettes.

The release stores each vignette as a list of context sentences plus the final question, options
{A..D}, the answer text and its letter (``answer_idx``). We rebuild the MedQA-style question (context
sentences, then the question) because the Med-U1 MediQ items are exactly these vignettes; the letter
and the answer text must agree, so a corrupted record cannot slip through with a wrong label.

    python data_preprocess/mediq.py --local_dataset_path data/all_dev_good.jsonl --local_save_dir ~/data/mediq

A folder converts every ``*.jsonl`` by the split its name tells (``all_dev_good`` -> dev,
``all_test_good`` -> test); a file whose name tells none (``all_craft_md``) must be passed alone with
``--split``. Med-U1 trained on a re-split of dev + test: ``--resplit 2302 115 128`` (seeded;
the test slice is drawn first, so it never moves when the training size changes).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, convert_splits
from data_preprocess.core.readers import local_or_hub, read_jsonl
from data_preprocess.core.records import InvalidRecord, Item, require_options, require_str
from data_preprocess.core.resplit import add_resplit_arg
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("mediq").data_source
HUB_ID = "stellalisy/mediQ"
DEFAULT_SAVE_DIR = dataset("mediq").default_save_dir
SENTENCE_END = (".", "!", "?", ":")


def vignette(context: Any) -> str:
    """The context sentences as one paragraph; a sentence without final punctuation gets a period.

    Why the period: ``all_craft_md`` stores sentences without it, and joining them bare would run
    sentences together ("... 10 days ago He denied ...").
    """
    sentences = [context] if isinstance(context, str) else context
    if not isinstance(sentences, list) or not all(isinstance(s, str) for s in sentences):
        raise InvalidRecord("context", f"expected a list of sentences, got {type(context).__name__}")
    cleaned = [s.strip() for s in sentences if s.strip()]
    return " ".join(s if s.endswith(SENTENCE_END) else f"{s}." for s in cleaned)


def parse(raw: dict[str, Any], ref: str) -> Item:
    """One MediQ record -> Item (question = context paragraph + final question)."""
    question = require_str(raw, "question")
    options = require_options(raw.get("options"))
    letter = require_str(raw, "answer_idx")
    answer_text = raw.get("answer")
    if isinstance(answer_text, str) and letter in options and answer_text.strip() != options[letter]:
        raise InvalidRecord("answer", f"{answer_text!r} differs from option {letter} {options[letter]!r}")
    context = vignette(raw.get("context") or [])
    return Item(
        question=f"{context} {question}" if context else question,
        ground_truth=letter,
        source_id=require_str(raw, "id"),
        options=options,
    )


def convert(
    local_dataset_path: str | None = None,
    local_save_dir: str = DEFAULT_SAVE_DIR,
    resplit: Sequence[int] | None = None,
    **flags: Any,
) -> dict[str, int]:
    """Convert a local MediQ copy (file or folder), or the hub dataset, to ``<split>.parquet``;
    ``resplit`` (train, validation, test sizes) pools the input and re-splits it like Med-U1."""
    settings = ConvertSettings(**flags)
    sources = local_or_hub(local_dataset_path, settings.split, (".jsonl",), read_jsonl, HUB_ID)
    return convert_splits(DATA_SOURCE, sources, parse, local_save_dir, settings, resplit=resplit)


def add_args(parser: argparse.ArgumentParser) -> None:
    add_resplit_arg(parser)


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR, add_args)
