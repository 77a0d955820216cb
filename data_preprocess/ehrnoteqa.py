"""EHRNoteQA (PhysioNet ``ehr-notes-qa-llms`` 1.0.1) -> verl parquet: 5-option MCQ over discharge summaries.

EHRNoteQA is MIMIC-IV derived, credentialed-access data: there is no hub copy and this script only
reads local files. Its ``EHRNoteQA.jsonl`` has per question ``patient_id``, ``num_notes``,
``question``, ``choice_A`` ... ``choice_E`` and ``answer`` (the letter); a ``category`` field is kept
when present. The authors' preprocessing (github.com/ji-youn-kim/EHRNoteQA, ``preprocess.py``) links
the MIMIC-IV-Note discharge summaries and writes ``EHRNoteQA_processed.jsonl`` with ``note_1`` ...
``note_3``; given that file, the notes go into the prompt in the authors' "[note i start] ...
[note i end]" layout (their evaluation prompt). The official Med-U1 data
shipped question and options only (no note); ``--without_notes`` reproduces that.

    python data_preprocess/ehrnoteqa.py --local_dataset_path EHRNoteQA_processed.jsonl --split test \\
        --local_save_dir ~/data/ehrnoteqa

The release has no splits, so a file whose name does not name one needs ``--split``, or
``--resplit TRAIN VAL TEST`` draws seeded splits (Med-U1 used 778 97 87; the test slice is drawn
first). A folder is read through its ``EHRNoteQA_processed.jsonl`` (preferred) or ``EHRNoteQA.jsonl``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from data_preprocess.core.choices import option_letters
from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, Parser, convert_splits
from data_preprocess.core.readers import Source, local_files, read_files, read_jsonl
from data_preprocess.core.records import InvalidRecord, Item, require_options, require_str
from data_preprocess.core.resplit import add_resplit_arg
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("ehrnoteqa").data_source
DEFAULT_SAVE_DIR = dataset("ehrnoteqa").default_save_dir
CHOICE_LETTERS = option_letters(5)
RELEASE_FILES = ("EHRNoteQA_processed.jsonl", "EHRNoteQA.jsonl")
HOW_TO_OBTAIN = (
    "EHRNoteQA is credentialed-access data and cannot be downloaded automatically. Obtain it from "
    "https://physionet.org/content/ehr-notes-qa-llms/1.0.1/ (PhysioNet credentialing + the data use "
    "agreement), optionally link the discharge summaries of MIMIC-IV-Note 2.2 with the authors' "
    "preprocess.py (github.com/ji-youn-kim/EHRNoteQA) to get EHRNoteQA_processed.jsonl, and pass the "
    "file or its folder with --local_dataset_path."
)


def release_file(path: str | None) -> Path:
    """The jsonl to read: the path itself, or in a folder the processed file (with notes) else the raw one."""
    root = Path(path).expanduser() if path else None
    if root is None or not root.exists():
        raise FileNotFoundError(f"EHRNoteQA not found at {path!r}. {HOW_TO_OBTAIN}")
    if root.is_file():
        return root
    for name in RELEASE_FILES:
        if (root / name).is_file():
            return root / name
    raise FileNotFoundError(f"neither of {RELEASE_FILES} is in {root}. {HOW_TO_OBTAIN}")


def discharge_notes(raw: dict[str, Any]) -> str:
    """The record's discharge summaries in the authors' layout, or "" when the file has none."""
    count = raw.get("num_notes")
    if isinstance(count, float) and count.is_integer():  # pandas-written jsonl may store 2 as 2.0
        count = int(count)
    if not any(raw.get(f"note_{i}") for i in range(1, 4)):
        return ""
    if not isinstance(count, int) or count < 1:
        raise InvalidRecord("num_notes", f"expected a positive integer, got {count!r}")
    notes = [require_str(raw, f"note_{i}") for i in range(1, count + 1)]
    return "\n\n".join(f"[note {i} start]\n{note}\n[note {i} end]" for i, note in enumerate(notes, start=1))


def make_parse(with_notes: bool) -> Parser:
    """The record parser; ``with_notes`` puts the linked discharge summaries before the question."""

    def parse(raw: dict[str, Any], ref: str) -> Item:
        if not isinstance(raw, dict):
            raise InvalidRecord("<record>", f"expected an object, got {type(raw).__name__}")
        options = require_options({letter: raw.get(f"choice_{letter}") for letter in CHOICE_LETTERS})
        question = require_str(raw, "question")
        notes = discharge_notes(raw) if with_notes else ""
        return Item(
            question=f"Discharge Summary:\n{notes}\n\nQuestion: {question}" if notes else question,
            ground_truth=require_str(raw, "answer"),
            source_id=require_str(raw, "patient_id"),
            options=options,
            category=str(raw.get("category") or ""),
        )

    return parse


def convert(
    local_dataset_path: str | None = None,
    local_save_dir: str = DEFAULT_SAVE_DIR,
    without_notes: bool = False,
    resplit: Sequence[int] | None = None,
    **flags: Any,
) -> dict[str, int]:
    """Convert a local EHRNoteQA jsonl (file or folder); a missing path says how to obtain the data.
    ``resplit`` (train, validation, test sizes) draws seeded splits from the whole file instead."""
    settings = ConvertSettings(**flags)
    file = release_file(local_dataset_path)
    if resplit:
        sources: dict[str, Source] = {"all": read_jsonl(file)}
    else:
        sources = read_files(local_files(file, (".jsonl",), settings.split), read_jsonl)
    parse = make_parse(not without_notes)
    return convert_splits(DATA_SOURCE, sources, parse, local_save_dir, settings, resplit=resplit)


def add_args(parser: argparse.ArgumentParser) -> None:
    add_resplit_arg(parser)
    parser.add_argument(
        "--without_notes",
        action="store_true",
        help="question and options only, like the official Med-U1 data (default: notes when present)",
    )


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR, add_args)
