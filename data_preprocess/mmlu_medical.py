"""The six MMLU medical subjects -> verl parquet (splits dev, validation, test).

Subjects: anatomy, clinical_knowledge, college_biology, college_medicine, medical_genetics,
professional_medicine. Sources: the hub dataset ``cais/mmlu`` (one config per subject), or the
original release's headerless CSVs (question, A, B, C, D, answer letter) in ``dev/``, ``val/`` and
``test/`` folders named ``<subject>_<split>.csv`` (other subjects in the folder are ignored), or one
such CSV. Rows are ordered by subject (list above), then source order; the subject is kept in
``extra_info["category"]``.

    python data_preprocess/mmlu_medical.py --local_dataset_path mmlu/data --local_save_dir ~/data/mmlu_medical
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from data_preprocess.core.choices import letter_of, lettered
from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, convert_splits
from data_preprocess.core.readers import Source, load_hub, local_files, read_csv
from data_preprocess.core.records import InvalidRecord, Item, require_options
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("mmlu_medical").data_source
DEFAULT_SAVE_DIR = dataset("mmlu_medical").default_save_dir
HUB_ID = "cais/mmlu"
SUBJECTS = (
    "anatomy",
    "clinical_knowledge",
    "college_biology",
    "college_medicine",
    "medical_genetics",
    "professional_medicine",
)
HUB_SPLITS = ("dev", "validation", "test")  # auxiliary_train is not medical


def _subject_of(ref: str) -> str:
    """The subject named in "<subject>_<split>.csv:<row>" or "<subject>[<split>]:<row>"."""
    return next((s for s in SUBJECTS if ref.startswith((f"{s}_", f"{s}["))), "")


def parse(raw: Any, ref: str) -> Item:
    """A CSV row [question, A, B, C, D, letter] or a hub record (question, choices, answer 0-3)."""
    if isinstance(raw, list):
        if len(raw) != 6:
            raise InvalidRecord("<columns>", f"expected 6 columns (question, A-D, answer), got {len(raw)}")
        question, texts, answer = raw[0], raw[1:5], raw[5].strip()
    elif isinstance(raw, dict):
        question, texts, answer = raw.get("question"), raw.get("choices"), raw.get("answer")
        if not isinstance(answer, int) or not 0 <= answer < 4:
            raise InvalidRecord("answer", f"expected an option index 0-3, got {answer!r}")
        answer = letter_of(answer)
    else:
        raise InvalidRecord("<record>", f"unexpected record type {type(raw).__name__}")
    if not isinstance(question, str) or not question.strip():
        raise InvalidRecord("question", f"missing or empty: {question!r}")
    if not isinstance(texts, list) or len(texts) != 4:
        raise InvalidRecord("choices", f"expected 4 options, got {texts!r}")
    return Item(
        question=question,
        ground_truth=answer,
        options=require_options(lettered(texts), "choices"),
        source_id=ref,
        category=(raw.get("subject") if isinstance(raw, dict) else None) or _subject_of(ref),
    )


def _subject_key(path: Path) -> int:
    return next((i for i, s in enumerate(SUBJECTS) if path.name.startswith(f"{s}_")), len(SUBJECTS))


def _local_sources(path: str, split: str | None) -> dict[str, Source]:
    by_split = local_files(path, (".csv",), split, keep=lambda f: _subject_key(f) < len(SUBJECTS))
    return {
        file_split: itertools.chain.from_iterable(
            read_csv(f, header=False) for f in sorted(files, key=_subject_key)
        )
        for file_split, files in by_split.items()
    }


def _hub_sources() -> dict[str, Source]:
    per_subject = [load_hub(HUB_ID, subject) for subject in SUBJECTS]
    return {s: itertools.chain.from_iterable([subject[s] for subject in per_subject]) for s in HUB_SPLITS}


def convert(
    local_dataset_path: str | None = None, local_save_dir: str = DEFAULT_SAVE_DIR, **flags: Any
) -> dict[str, int]:
    """Convert dev/validation/test; returns rows written per split."""
    settings = ConvertSettings(**flags)
    if local_dataset_path is None:
        sources = _hub_sources()
    else:
        sources = _local_sources(local_dataset_path, settings.split)
    return convert_splits(DATA_SOURCE, sources, parse, local_save_dir, settings)


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR)
