"""TREC-2017 LiveQA medical test set (github.com/abachaa/LiveQA_MedicalTask_TREC2017) -> verl parquet.

104 consumer health questions (``NLM-QUESTION``) sent to the U.S. National Library of Medicine, each
with expert-validated reference answers (``ReferenceAnswer``, written ``RefAnswer`` in three places;
both are read). The prompt is the consumer's own message (``SUBJECT`` line, then ``MESSAGE``), the
real task, or with ``--question paraphrase`` the assessors' clean ``NIST-PARAPHRASE``. A reward takes
one reference string, so the ground truth is the first reference answer (whitespace collapsed);
``category`` lists the annotated question types (e.g. "TREATMENT;CAUSE"), ``source_id`` is the qid.

    python data_preprocess/liveqa.py --local_dataset_path LiveQA_MedicalTask_TREC2017/TestDataset \\
        --local_save_dir ~/data/liveqa

A folder is read through ``TREC-2017-LiveQA-Medical-Test.xml`` (or the "-Questions-w-summaries" copy,
which has the same questions and answers); everything is the ``test`` split unless ``--split`` says
otherwise. There is no hub copy of this release, so a local path is required.
"""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from data_preprocess.core.cli import cli
from data_preprocess.core.pipeline import ConvertSettings, Parser, convert_splits
from data_preprocess.core.readers import require_path
from data_preprocess.core.records import InvalidRecord, Item, collapse, require_str
from data_preprocess.registry import dataset

DATA_SOURCE = dataset("liveqa").data_source
DEFAULT_SAVE_DIR = dataset("liveqa").default_save_dir
DEFAULT_SPLIT = "test"
RELEASE_FILES = (
    "TREC-2017-LiveQA-Medical-Test.xml",
    "TREC-2017-LiveQA-Medical-Test-Questions-w-summaries.xml",
)
QUESTION_FORMS = ("original", "paraphrase")
HOW_TO_OBTAIN = "clone github.com/abachaa/LiveQA_MedicalTask_TREC2017 and pass its TestDataset folder"


def release_file(path: str | None) -> Path:
    """The test XML: the path itself, or the first of ``RELEASE_FILES`` found in the folder (or below)."""
    if not path:
        raise FileNotFoundError(f"LiveQA medical has no hub copy: {HOW_TO_OBTAIN} as --local_dataset_path")
    root = require_path(path, f"LiveQA medical test XML or its folder ({HOW_TO_OBTAIN})")
    if root.is_file():
        return root
    for name in RELEASE_FILES:
        found = sorted(root.rglob(name))
        if found:
            return found[0]
    raise FileNotFoundError(f"none of {RELEASE_FILES} under {root} ({HOW_TO_OBTAIN})")


def read_questions(path: Path) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """Yield (file, question number, record) per ``NLM-QUESTION``, with its reference answers in order."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        raise InvalidRecord("<xml>", f"not well-formed XML ({error})", str(path)) from None
    for number, question in enumerate(root.iter("NLM-QUESTION"), start=1):
        answers = question.find("ReferenceAnswers")
        references = (
            [] if answers is None else [a for a in answers if a.tag in ("ReferenceAnswer", "RefAnswer")]
        )
        yield (
            str(path),
            number,
            {
                "qid": question.get("qid"),
                "subject": collapse(question.findtext("Original-Question/SUBJECT")),
                "message": collapse(question.findtext("Original-Question/MESSAGE")),
                "paraphrase": collapse(question.findtext("NIST-PARAPHRASE")),
                "types": [collapse(t.text) for t in question.iterfind("ANNOTATIONS/TYPE")],
                "answers": [collapse(a.findtext("ANSWER")) for a in references],
            },
        )


def make_parse(question_form: str) -> Parser:
    """The record parser for the chosen question form (``original`` or ``paraphrase``)."""
    if question_form not in QUESTION_FORMS:
        raise ValueError(f"question must be one of {QUESTION_FORMS}, got {question_form!r}")

    def parse(raw: dict[str, Any], ref: str) -> Item:
        if question_form == "paraphrase":
            question = require_str(raw, "paraphrase")
        else:
            message = require_str(raw, "message")
            question = f"{raw['subject']}\n{message}" if raw.get("subject") else message
        answers = [a for a in raw.get("answers") or [] if a]
        if not answers:
            raise InvalidRecord("ReferenceAnswers", "no non-empty reference ANSWER")
        return Item(
            question=question,
            ground_truth=answers[0],
            source_id=require_str(raw, "qid"),
            category=";".join(t for t in raw.get("types") or [] if t),
        )

    return parse


def convert(
    local_dataset_path: str | None = None,
    local_save_dir: str = DEFAULT_SAVE_DIR,
    question: str = "original",
    **flags: Any,
) -> dict[str, int]:
    """Convert the LiveQA medical test XML into one split, ``test`` by default."""
    settings = ConvertSettings(**flags)
    sources = {settings.split or DEFAULT_SPLIT: read_questions(release_file(local_dataset_path))}
    return convert_splits(DATA_SOURCE, sources, make_parse(question), local_save_dir, settings)


def add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--question",
        choices=QUESTION_FORMS,
        default="original",
        help="consumer's SUBJECT + MESSAGE (default) or the NIST-PARAPHRASE",
    )


if __name__ == "__main__":
    cli(convert, __doc__, DEFAULT_SAVE_DIR, add_args)
