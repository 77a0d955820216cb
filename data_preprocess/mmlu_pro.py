"""MMLU-Pro "health" (Med-U1's out-of-distribution set) -> verl parquet, up to 10 options A-J.

Sources: the hub dataset ``TIGER-Lab/MMLU-Pro`` (``question_id``, ``question``, ``options`` list,
``answer`` letter, ``answer_index``, ``category``; splits test/validation), filtered to category
"health"; or local .jsonl/.json-lines/.parquet files in that schema, or in the reformatted schema of
MedAgentsBench (``realidx``, ``question``, ``options`` {A..J}, ``answer_idx`` letter). Rows of other
categories are dropped. The source (``src``, e.g. "ori_mmlu-virology") goes to ``extra_info["category"]``.

    python data_preprocess/mmlu_pro.py --local_dataset_path test.jsonl
"""

from __future__ import annotations

from typing import Any

from data_preprocess.core.choices import letter_of, lettered
from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, convert_splits
from data_preprocess.core.readers import Source, local_or_hub, read_json_lines_or_parquet
from data_preprocess.core.records import InvalidRecord, Item, require_options, require_str
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("mmlu_pro").data_source
DEFAULT_SAVE_DIR = dataset("mmlu_pro").default_save_dir
HUB_ID = "TIGER-Lab/MMLU-Pro"
CATEGORY = "health"
LOCAL_SUFFIXES = (".json", ".jsonl", ".parquet")


def parse(raw: dict[str, Any], ref: str) -> Item:
    """A native (options list + answer letter) or reformatted (options dict + answer_idx) record."""
    if not isinstance(raw, dict):
        raise InvalidRecord("<record>", f"expected an object, got {type(raw).__name__}")
    options = raw.get("options")
    if isinstance(options, list):
        if not 0 < len(options) <= 10:
            raise InvalidRecord("options", f"expected 1-10 options, got {len(options)}")
        options = lettered(options)
        answer = require_str(raw, "answer")
        index = raw.get("answer_index")
        if isinstance(index, int) and index >= 0 and letter_of(index) != answer:
            raise InvalidRecord("answer_index", f"{index} disagrees with answer {answer!r}")
    else:
        answer = require_str(raw, "answer_idx")
    source_id = raw.get("question_id", raw.get("realidx"))
    return Item(
        question=require_str(raw, "question"),
        ground_truth=answer,
        options=require_options(options),
        source_id=ref if source_id is None else str(source_id),
        category=str(raw.get("src") or ""),
    )


def _health_only(source: Source) -> Source:
    """Keep records of the health category (records without a category are assumed to be health)."""
    for file, number, raw in source:
        if not isinstance(raw, dict) or raw.get("category", CATEGORY) == CATEGORY:
            yield file, number, raw


def convert(
    local_dataset_path: str | None = None, local_save_dir: str = DEFAULT_SAVE_DIR, **flags: Any
) -> dict[str, int]:
    """Convert every split found (health rows only); returns rows written per split."""
    settings = ConvertSettings(**flags)
    sources = local_or_hub(
        local_dataset_path, settings.split, LOCAL_SUFFIXES, read_json_lines_or_parquet, HUB_ID
    )
    return convert_splits(
        DATA_SOURCE, {s: _health_only(src) for s, src in sources.items()}, parse, local_save_dir, settings
    )


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR)
