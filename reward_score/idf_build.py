"""Build the ``content`` metric's IDF table: ``python -m reward_score.idf_build FILE ... [--out PATH]``.

Each FILE adds documents: a ``.parquet`` of converted rows gives the reference answer of every text row
(pass training files only: an IDF built from the references a metric will be scored against leaks them
into the weights), an ``.xml`` file the text of every ``--xml-tag`` element (default ``AnswerText``, the
answers of MEDIQA 2019's QA files). The table lists the number of documents, then each term that occurs in
at least two of them with its document frequency; a term met once weighs as much as an absent one, so
leaving those out keeps the file small without changing any weight.

The shipped table (``reward_score/content_idf.tsv``) was built from the 1,341 answers of the MEDIQA 2019
QA validation and test files: consumer-health answers from trusted sites, outside every set the
evaluation suite scores (medical-o1's own training split would be the better corpus; rebuild from its
``train.parquet`` with this script when it is at hand).
"""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from reward_score.content import IDF_TABLE
from reward_score.content_words import content_terms


def documents(path: Path, xml_tag: str) -> Iterator[str]:
    """The documents of one input file (see the module docstring)."""
    if path.suffix == ".xml":
        for element in ET.parse(path).iter(xml_tag):
            yield "".join(element.itertext())
        return
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        for row in pq.read_table(path, columns=["reward_model", "extra_info"]).to_pylist():
            if (row["extra_info"] or {}).get("task") == "text":
                yield row["reward_model"]["ground_truth"]
        return
    raise ValueError(f"{path}: expected a .parquet or .xml file")


def build_table(paths: list[Path], xml_tag: str = "AnswerText") -> str:
    """The table's text: ``documents\\tN`` then ``term\\tdf`` (df ≥ 2), sorted by term."""
    frequency: Counter[str] = Counter()
    count = 0
    for path in paths:
        for text in documents(path, xml_tag):
            frequency.update(set(content_terms(text)))
            count += 1
    if not count:
        raise ValueError("no documents in the given files")
    rows = [f"{term}\t{df}" for term, df in sorted(frequency.items()) if df >= 2]
    return "\n".join([f"documents\t{count}", *rows]) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--xml-tag", default="AnswerText")
    parser.add_argument("--out", type=Path, default=IDF_TABLE)
    args = parser.parse_args(argv)
    table = build_table(args.files, args.xml_tag)
    args.out.write_text(table, encoding="utf-8")
    header, *rows = table.splitlines()
    print(f"{args.out}: {len(rows)} terms from {header.split(chr(9))[1]} documents")


if __name__ == "__main__":
    main()
