"""MedMCQA -> verl parquet.

Sources: the hub dataset ``openlifescienceai/medmcqa`` (``id``, ``question``, ``opa``..``opd``,
``cop`` 0-3; its test split ships without answers, so those rows are skipped and counted), or local
files (.json/.jsonl lines or .parquet) in that native schema, or the reformatted variant with
``question``, ``choices`` (four strings "A. text".."D. text") and ``answer`` 0-3. The original
Google-Drive release numbers ``cop`` 1-4: pass ``--cop_base 1`` for it.

    python data_preprocess/medmcqa.py --local_dataset_path validation.jsonl --local_save_dir ~/data/medmcqa
"""

from __future__ import annotations

import argparse
import functools
import re
from typing import Any

from data_preprocess.core.choices import letter_of, lettered
from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, convert_splits
from data_preprocess.core.readers import local_or_hub, read_json_lines_or_parquet
from data_preprocess.core.records import InvalidRecord, Item, require_options, require_str
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("medmcqa").data_source
DEFAULT_SAVE_DIR = dataset("medmcqa").default_save_dir
HUB_ID = "openlifescienceai/medmcqa"
NATIVE_OPTION_FIELDS = ("opa", "opb", "opc", "opd")
LOCAL_SUFFIXES = (".json", ".jsonl", ".parquet")
_LETTER_PREFIX = re.compile(r"^\s*([A-Z])\s*[.)]\s*")


def _answer_index(raw: dict[str, Any], field: str, base: int) -> int | None:
    """The 0-based correct option, None when the source has no answer (missing or -1)."""
    value = raw.get(field)
    if value is None or value == -1:
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidRecord(field, f"expected an integer option index, got {value!r}")
    return value - base


def _reformatted_options(choices: Any) -> dict[str, str]:
    """["A. x", "B. y", ...] -> {"A": "x", ...}, checking each prefix matches its position."""
    if not isinstance(choices, list):
        raise InvalidRecord("choices", f"expected a list of strings, got {choices!r}")
    texts = []
    for position, choice in enumerate(choices):
        match = _LETTER_PREFIX.match(choice) if isinstance(choice, str) else None
        if match is None or match.group(1) != letter_of(position):
            raise InvalidRecord("choices", f"choice {position} is not prefixed with its letter: {choice!r}")
        texts.append(choice[match.end() :])
    return require_options(lettered(texts), "choices")


def parse(raw: dict[str, Any], ref: str, cop_base: int = 0) -> Item | None:
    """A native (opa..opd/cop) or reformatted (choices/answer) record; None when it has no answer."""
    if not isinstance(raw, dict):
        raise InvalidRecord("<record>", f"expected an object, got {type(raw).__name__}")
    if "choices" in raw:
        options, answer = _reformatted_options(raw["choices"]), _answer_index(raw, "answer", 0)
    else:
        texts = [raw.get(field) for field in NATIVE_OPTION_FIELDS]
        for field, text in zip(NATIVE_OPTION_FIELDS, texts, strict=True):
            if not isinstance(text, str) or not text.strip():
                raise InvalidRecord(field, f"missing or empty option: {text!r}")
        options, answer = require_options(lettered(texts)), _answer_index(raw, "cop", cop_base)
    if answer is None:
        return None
    if not 0 <= answer < len(options):
        raise InvalidRecord(
            "cop" if "choices" not in raw else "answer", f"answer index {answer} out of range"
        )
    return Item(
        question=require_str(raw, "question"),
        ground_truth=letter_of(answer),
        options=options,
        source_id=str(raw["id"]) if raw.get("id") else ref,
        category=str(raw.get("subject_name") or ""),
    )


def convert(
    local_dataset_path: str | None = None,
    local_save_dir: str = DEFAULT_SAVE_DIR,
    cop_base: int = 0,
    **flags: Any,
) -> dict[str, int]:
    """Convert every split found; returns rows written per split."""
    settings = ConvertSettings(**flags)
    sources = local_or_hub(
        local_dataset_path, settings.split, LOCAL_SUFFIXES, read_json_lines_or_parquet, HUB_ID
    )
    return convert_splits(
        DATA_SOURCE, sources, functools.partial(parse, cop_base=cop_base), local_save_dir, settings
    )


def _add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cop_base",
        type=int,
        choices=(0, 1),
        default=0,
        help="0: cop 0-3 (hub); 1: cop 1-4 (original release)",
    )


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR, _add_args)
