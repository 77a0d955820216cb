"""MedQuAD (github.com/abachaa/MedQuAD, XML folders) -> verl parquet: open-ended questions, reference answers.

Each XML document holds question/answer pairs about one focus (disease, drug, ...). Two layouts occur:
``Document > QAPairs > QAPair > Question + Answer`` and, in a few NINDS files, the lower-case
``doc > qaPairs > pair > question + answer``; both are read. Three collections (A.D.A.M., MedlinePlus
drugs, herbs and supplements) ship with empty answers (removed upstream for copyright): those
questions are skipped and counted, not converted with an empty reference. The ground truth is the
answer text with whitespace runs collapsed (the XML line-wraps and indents it); ``category`` is the
question type (``qtype``), ``source_id`` "<collection>_<qid>" (qids repeat across collections).

    python data_preprocess/medquad.py --local_dataset_path MedQuAD --local_save_dir ~/data/medquad

The path may be the repository root, one collection folder or one XML file; everything becomes the
``test`` split (an evaluation set) unless ``--split`` says otherwise. Without a path the hub flattening
``lavita/MedQuAD`` (same fields) is used.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, convert_splits
from data_preprocess.core.readers import Source, load_hub, require_path
from data_preprocess.core.records import InvalidRecord, Item, collapse, require_str
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("medquad").data_source
HUB_ID = "lavita/MedQuAD"
DEFAULT_SAVE_DIR = dataset("medquad").default_save_dir
DEFAULT_SPLIT = "test"


def natural_key(path: Path) -> list[Any]:
    """Sort key that orders "6_NINDS_QA" before "12_MPlusHerbsSupplements_QA" (the release's numbering)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.as_posix())]


def child(element: ET.Element, *names: str) -> ET.Element | None:
    """The first direct child whose tag is one of ``names`` (the two layouts differ in case only)."""
    return next((c for c in element if c.tag in names), None)


def read_document(path: Path) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """Yield (file, pair number, record) for every QA pair of one XML document, as hub-style records.

    A pair without a question or answer element lacks that key, so :func:`parse` reports it.
    """
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        raise InvalidRecord("<xml>", f"not well-formed XML ({error})", str(path)) from None
    source = root.get("source") or root.get("corpus") or path.parent.name
    pairs = child(root, "QAPairs", "qaPairs")
    if pairs is None:
        raise InvalidRecord("QAPairs", "missing", str(path))
    for number, pair in enumerate((p for p in pairs if p.tag in ("QAPair", "pair")), start=1):
        record: dict[str, Any] = {"document_source": source}
        question, answer = child(pair, "Question", "question"), child(pair, "Answer", "answer")
        if question is not None:
            record.update(question_id=question.get("qid"), question_type=question.get("qtype"))
            record["question"] = collapse(question.text)
        if answer is not None:
            record["answer"] = collapse(answer.text)
        yield str(path), number, record


def read_collection(path: str) -> Source:
    """Every QA pair under ``path`` (a file or a folder searched recursively), in release order."""
    root = require_path(path, "MedQuAD XML file or folder")
    files = [root] if root.is_file() else sorted(root.rglob("*.xml"), key=natural_key)
    if not files:
        raise FileNotFoundError(f"no MedQuAD *.xml files under {root}")
    return itertools.chain.from_iterable(read_document(file) for file in files)


def parse(raw: dict[str, Any], ref: str) -> Item | None:
    """One QA pair -> Item, or None when the release ships it without an answer."""
    if "answer" not in raw:
        raise InvalidRecord("answer", "missing")
    if not collapse(raw["answer"]):
        return None
    return Item(
        question=collapse(require_str(raw, "question")),
        ground_truth=collapse(raw["answer"]),
        source_id=f"{require_str(raw, 'document_source')}_{require_str(raw, 'question_id')}",
        category=str(raw.get("question_type") or ""),
    )


def convert(
    local_dataset_path: str | None = None, local_save_dir: str = DEFAULT_SAVE_DIR, **flags: Any
) -> dict[str, int]:
    """Convert the XML collection (or the hub flattening) into one split, ``test`` by default."""
    settings = ConvertSettings(**flags)
    if local_dataset_path:
        sources = {settings.split or DEFAULT_SPLIT: read_collection(local_dataset_path)}
    else:
        sources = {settings.split or DEFAULT_SPLIT: load_hub(HUB_ID)["train"]}
    return convert_splits(DATA_SOURCE, sources, parse, local_save_dir, settings)


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR)
