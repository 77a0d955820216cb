"""medical-o1-reasoning-SFT (``FreedomIntelligence/medical-o1-reasoning-SFT``, config ``en``) -> verl parquet.

Open-ended questions: ``Question`` is the prompt and the final ``Response`` the reference answer the
text reward compares against (``Complex_CoT`` is the SFT reasoning trace; an RL policy writes its own).
The release is one JSON list (``medical_o1_sft.json``) with a single train split, so, like the paper,
``--resplit`` (default 8000 1000 1000) draws disjoint seeded train / validation / test sets (the test
and validation slices are drawn first, so they never move when the training size changes).

    python data_preprocess/medical_o1.py --local_dataset_path medical_o1_sft.json \\
        --local_save_dir ~/data/medical_o1

``--resplit 0 0 1000`` writes only the test split (the same questions as in a full run).

About two in five questions are multiple-choice with the options inside the question ("A. 20" lines, or
an "Options:" dash list) and a prose reference ("... the correct answer is A. 20."). They are flagged
(``category`` = :data:`OPTIONS_IN_QUESTION`) and counted in the summary, not converted to MCQ rows: the
dataset's task is ``text`` in the registry and its prompt asks for a text answer, so an MCQ row would
need another prompt and a letter mined from prose, which this release does not give reliably. The flag
lets an evaluation report them apart.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, convert_splits
from data_preprocess.core.readers import Record, load_hub, read_json, require_path
from data_preprocess.core.records import InvalidRecord, Item, require_str
from data_preprocess.core.resplit import add_resplit_arg
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("medical_o1").data_source
HUB_ID = "FreedomIntelligence/medical-o1-reasoning-SFT"
HUB_CONFIG = "en"
RELEASE_FILE = "medical_o1_sft.json"
DEFAULT_SAVE_DIR = dataset("medical_o1").default_save_dir
PAPER_SIZES = (8000, 1000, 1000)  # train, validation, test
OPTIONS_IN_QUESTION = "options_in_question"
_LETTER_LINE = re.compile(r"^[ \t]*\(?([A-Z])[.):][ \t]+\S", re.MULTILINE)
_DASH_OPTIONS = re.compile(r"^[ \t]*options:[ \t]*\n[ \t]*-[ \t]+\S", re.MULTILINE | re.IGNORECASE)


def has_embedded_options(question: str) -> bool:
    """True when the question lists options: lines starting "A." then "B." (or "(A)", "A)"), or an
    "Options:" line followed by a dash list."""
    letters = _LETTER_LINE.findall(question)
    return letters[:2] == ["A", "B"] or _DASH_OPTIONS.search(question) is not None


def read_release(path: str) -> list[Record]:
    """(file, 1-based position, object) for every entry of the JSON list (a file, or a folder holding it)."""
    file = require_path(path, f"{DATA_SOURCE} JSON list ({RELEASE_FILE}) or its folder")
    if file.is_dir():
        file = require_path(file / RELEASE_FILE, f"{RELEASE_FILE} in {file}")
    data = read_json(file)
    if not isinstance(data, list):
        raise InvalidRecord(
            "<json>", f"expected a JSON list of objects, got a {type(data).__name__}", str(file)
        )
    return [(str(file), number, record) for number, record in enumerate(data, start=1)]


def parse(raw: dict[str, Any], ref: str) -> Item:
    """One record -> Item; the release has no ids, so ``source_id`` is "<file>:<position>"."""
    question = require_str(raw, "Question")
    category = OPTIONS_IN_QUESTION if has_embedded_options(question) else ""
    return Item(question, require_str(raw, "Response"), source_id=ref, category=category)


def count_flagged(save_dir: str, written: dict[str, int]) -> dict[str, int]:
    """Rows per written split whose question embeds options, read back from the files."""
    counts = {}
    for split in written:
        table = pq.read_table(Path(save_dir).expanduser() / f"{split}.parquet", columns=["extra_info"])
        categories = table.column("extra_info").combine_chunks().field("category").to_pylist()
        counts[split] = categories.count(OPTIONS_IN_QUESTION)
    return counts


def convert(
    local_dataset_path: str | None = None,
    local_save_dir: str = DEFAULT_SAVE_DIR,
    resplit: Sequence[int] = PAPER_SIZES,
    **flags: Any,
) -> dict[str, int]:
    """Convert the local JSON list (or the hub config ``en``) into seeded train/validation/test files."""
    settings = ConvertSettings(**flags)
    if local_dataset_path:
        records = {"train": read_release(local_dataset_path)}
    else:
        records = load_hub(HUB_ID, HUB_CONFIG)
    written = convert_splits(DATA_SOURCE, records, parse, local_save_dir, settings, resplit=resplit)
    for split, flagged in count_flagged(local_save_dir, written).items():
        print(
            f"{DATA_SOURCE}/{split}: {flagged} of {written[split]} rows embed options in the question "
            f"(category {OPTIONS_IN_QUESTION!r}, graded as text)"
        )
    return written


def add_args(parser: argparse.ArgumentParser) -> None:
    add_resplit_arg(parser, PAPER_SIZES)


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR, add_args)
