"""Seeded re-splitting of a source into disjoint train / validation / test sets (``--resplit``).

Why: several Med-U1 sources ship no training split. The paper trained on 8000 / 1000 / 1000 questions of
medical-o1 (one train split upstream) and on re-split evaluation sets: MedXpertQA Text test
(1984 / 221 / 245), MediQ dev + test (2302 / 115 / 128), EHRNoteQA (778 / 97 / 87). ``seeded_resplit``
pools the input splits (in order) and cuts one seeded permutation into test first, then validation, then
train, so growing or shrinking the training set never changes the evaluation questions. Each new split
keeps the source order (shuffling belongs to mix.py and the trainer); records keep their file and row,
so ``source_id`` still points into the release.
"""

from __future__ import annotations

import argparse
import random

from data_preprocess.core.readers import Record, Source

SLICE_ORDER = ("test", "validation", "train")
Sizes = tuple[int, int, int]  # train, validation, test (the CLI order)


def seeded_resplit(
    sources: dict[str, Source], sizes: Sizes, seed: int, data_source: str
) -> dict[str, Source]:
    """Pool ``sources``; return disjoint seeded splits of ``sizes`` (train, validation, test), 0 omits one."""
    records: list[Record] = [record for source in sources.values() for record in source]
    wanted = dict(zip(("train", "validation", "test"), sizes, strict=True))
    if any(size < 0 for size in sizes) or sum(sizes) > len(records):
        raise ValueError(
            f"{data_source}: --resplit {' '.join(map(str, sizes))} needs {sum(sizes)} records; "
            f"the input has {len(records)}"
        )
    order = list(range(len(records)))
    random.Random(f"{seed}:resplit:{data_source}").shuffle(order)
    splits: dict[str, Source] = {}
    start = 0
    for split in SLICE_ORDER:
        if wanted[split]:
            splits[split] = [records[i] for i in sorted(order[start : start + wanted[split]])]
        start += wanted[split]
    return splits


def add_resplit_arg(parser: argparse.ArgumentParser, default: Sizes | None = None) -> None:
    """``--resplit TRAIN VAL TEST`` (three sizes, seeded by ``--seed``)."""
    parser.add_argument(
        "--resplit",
        type=int,
        nargs=3,
        metavar=("TRAIN", "VAL", "TEST"),
        default=default,
        help="pool the input and draw seeded disjoint train/validation/test sets of these sizes"
        + (f" (default {' '.join(map(str, default))})" if default else ""),
    )
