"""MedicationQA (MedInfo 2019, github.com/abachaa/Medication_QA_MedInfo2019) -> verl parquet.

690 consumer questions about medications with pharmacist-selected answers from trusted sources, in
one xlsx sheet (columns ``Question``, ``Focus (Drug)``, ``Question Type``, ``Answer``,
``Section Title``, ``URL``). The ground truth is ``Answer`` (whitespace collapsed); ``category`` the
question type. A few answers are markers, not answers ("No answers", "Unanswerable", "n/a"): those
questions are skipped and counted like unlabelled ones. The sheet has no ids, so ``source_id`` is
"<file>:<data row>".

    python data_preprocess/medicationqa.py --local_dataset_path MedInfo2019-QA-Medications.xlsx \\
        --local_save_dir ~/data/medicationqa

A folder is read through its single ``*.xlsx``; everything is the ``test`` split unless ``--split``
says otherwise. Without a path the hub copy ``truehealth/medicationqa`` (same columns) is used.
"""

from __future__ import annotations

from typing import Any

from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, convert_splits
from data_preprocess.core.readers import Source, load_hub, require_path
from data_preprocess.core.records import InvalidRecord, Item, collapse, require_str
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("medicationqa").data_source
HUB_ID = "truehealth/medicationqa"
DEFAULT_SAVE_DIR = dataset("medicationqa").default_save_dir
DEFAULT_SPLIT = "test"
NO_ANSWER_MARKERS = frozenset({"no answers", "unanswerable", "n/a"})


def read_sheet(path: str) -> Source:
    """(file, data row number, column -> cell text) for the release xlsx (a file or its folder)."""
    import pandas as pd  # noqa: PLC0415 - pandas + openpyxl only for the local xlsx path

    file = require_path(path, "MedicationQA xlsx file or its folder")
    if file.is_dir():
        sheets = sorted(file.glob("*.xlsx"))
        if len(sheets) != 1:
            raise FileNotFoundError(f"expected exactly one *.xlsx in {file}, found {len(sheets)}")
        file = sheets[0]
    frame = pd.read_excel(file, dtype=str, keep_default_na=False)
    return [(str(file), number, record) for number, record in enumerate(frame.to_dict("records"), start=1)]


def parse(raw: dict[str, Any], ref: str) -> Item | None:
    """One sheet row -> Item, or None when the answer cell is a no-answer marker."""
    if "Answer" not in raw:
        raise InvalidRecord("Answer", "missing")
    answer = collapse(raw["Answer"])
    if not answer:
        raise InvalidRecord("Answer", "empty")
    if answer.lower() in NO_ANSWER_MARKERS:
        return None
    return Item(
        question=collapse(require_str(raw, "Question")),
        ground_truth=answer,
        source_id=ref,
        category=collapse(raw.get("Question Type")),
    )


def convert(
    local_dataset_path: str | None = None, local_save_dir: str = DEFAULT_SAVE_DIR, **flags: Any
) -> dict[str, int]:
    """Convert the xlsx (or the hub copy) into one split, ``test`` by default."""
    settings = ConvertSettings(**flags)
    source = read_sheet(local_dataset_path) if local_dataset_path else load_hub(HUB_ID)["train"]
    sources = {settings.split or DEFAULT_SPLIT: source}
    return convert_splits(DATA_SOURCE, sources, parse, local_save_dir, settings)


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR)
