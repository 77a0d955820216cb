"""MedCalc-Bench -> verl parquet (numeric, date and gestational-age answers with tolerance limits).

Sources: the hub datasets ``ncbi/MedCalc-Bench-v1.0`` / ``ncbi/MedCalc-Bench-v1.2`` (``--version``,
splits train/test), or the original CSVs (``train_data.csv``, ``test_data.csv``, or a folder of
them) with the columns Row Number, Calculator ID, Calculator Name, Category, Output Type, Note ID,
Note Type, Patient Note, Question, Relevant Entities, Ground Truth Answer, Lower Limit, Upper Limit,
Ground Truth Explanation. The prompt is the patient note then the question; the ground truth is
"Ground Truth Answer"; calculator id/name, category, output type and the numeric limits (None for
dates and week/day tuples) go to ``extra_info``; ``source_id`` is the Row Number.

    python data_preprocess/medcalc.py --local_dataset_path dataset --local_save_dir ~/data/medcalc
"""

from __future__ import annotations

import argparse
from typing import Any

from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, convert_splits
from data_preprocess.core.readers import local_or_hub, read_csv
from data_preprocess.core.records import InvalidRecord, Item, parse_limit, require_str
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("medcalc").data_source
DEFAULT_SAVE_DIR = dataset("medcalc").default_save_dir
HUB_IDS = {"v1.0": "ncbi/MedCalc-Bench-v1.0", "v1.2": "ncbi/MedCalc-Bench-v1.2"}
REQUIRED_COLUMNS = (
    "Row Number",
    "Calculator ID",
    "Calculator Name",
    "Category",
    "Output Type",
    "Patient Note",
    "Question",
    "Ground Truth Answer",
    "Lower Limit",
    "Upper Limit",
)


def prompt_text(note: str, question: str) -> str:
    """The patient note, then the question."""
    return f"Patient note:\n{note}\n\nQuestion: {question}"


def parse(raw: dict[str, Any], ref: str) -> Item:
    """One MedCalc-Bench record (CSV strings or hub-typed values)."""
    if not isinstance(raw, dict):
        raise InvalidRecord("<record>", f"expected an object, got {type(raw).__name__}")
    missing = [column for column in REQUIRED_COLUMNS if column not in raw]
    if missing:
        raise InvalidRecord(missing[0], f"column missing (not a MedCalc-Bench file?); missing: {missing}")
    calculator_id = require_str(raw, "Calculator ID")
    if not calculator_id.isdigit():
        raise InvalidRecord("Calculator ID", f"expected an integer, got {calculator_id!r}")
    return Item(
        question=prompt_text(require_str(raw, "Patient Note"), require_str(raw, "Question")),
        ground_truth=require_str(raw, "Ground Truth Answer"),
        source_id=require_str(raw, "Row Number"),
        calculator_id=int(calculator_id),
        calculator_name=require_str(raw, "Calculator Name"),
        category=require_str(raw, "Category"),
        output_type=require_str(raw, "Output Type"),
        lower_limit=parse_limit(raw["Lower Limit"]),
        upper_limit=parse_limit(raw["Upper Limit"]),
    )


def convert(
    local_dataset_path: str | None = None,
    local_save_dir: str = DEFAULT_SAVE_DIR,
    version: str = "v1.0",
    **flags: Any,
) -> dict[str, int]:
    """Convert every split found; returns rows written per split."""
    if version not in HUB_IDS:
        raise ValueError(f"version must be one of {sorted(HUB_IDS)}, got {version!r}")
    settings = ConvertSettings(**flags)
    sources = local_or_hub(local_dataset_path, settings.split, (".csv",), read_csv, HUB_IDS[version])
    return convert_splits(DATA_SOURCE, sources, parse, local_save_dir, settings)


def _add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", choices=sorted(HUB_IDS), default="v1.0", help="hub release to download")


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR, _add_args)
