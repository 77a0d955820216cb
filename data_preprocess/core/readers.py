"""Reading sources: local release files (jsonl, JSON, CSV, parquet), the hub, and the split a file
name tells. Every reader yields ``(file, 1-based row number, raw record)`` so errors can name both."""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from data_preprocess.core.records import InvalidRecord

Record = tuple[str, int, Any]  # (file, 1-based row number, raw record)
Source = Iterable[Record]

_SPLIT_TOKENS = (
    ("test", "test"),
    ("dev", "dev"),
    ("validation", "validation"),
    ("valid", "validation"),
    ("val", "validation"),
    ("train", "train"),
)


def require_path(path: str | os.PathLike, what: str = "input") -> Path:
    """The path, or FileNotFoundError with a message saying what was expected."""
    resolved = Path(path).expanduser()
    if not resolved.exists():
        raise FileNotFoundError(f"{what} not found: {resolved}")
    return resolved


def read_jsonl(path: Path) -> Iterator[Record]:
    """Yield (file, line number, object); a line that is not JSON raises :class:`InvalidRecord`."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield str(path), number, json.loads(line)
            except json.JSONDecodeError as error:
                raise InvalidRecord("<json>", f"not a JSON line ({error.msg})", str(path), number) from None


def read_json(path: Path) -> Any:
    """A whole JSON document, with a clear error when the file is not JSON."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidRecord("<json>", f"not a JSON file ({error})", str(path)) from None


def read_csv(path: Path, header: bool = True) -> Iterator[Record]:
    """Yield (file, data row number, dict or list) from a CSV with or without a header row."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader: Iterator[Any] = csv.DictReader(handle) if header else csv.reader(handle)
        for number, record in enumerate(reader, start=1):
            yield str(path), number, record


def read_parquet(path: Path) -> Iterator[Record]:
    """Yield (file, row number, dict) from a parquet file (e.g. a downloaded hub snapshot)."""
    try:
        rows = pq.read_table(path).to_pylist()
    except pa.ArrowInvalid as error:
        raise InvalidRecord("<parquet>", f"not a parquet file ({error})", str(path)) from None
    for number, record in enumerate(rows, start=1):
        yield str(path), number, record


def read_json_lines_or_parquet(path: Path) -> Source:
    """A ``.parquet`` file with :func:`read_parquet`, anything else as JSON lines."""
    return read_parquet(path) if path.suffix.lower() == ".parquet" else read_jsonl(path)


def load_hub(hub_id: str, config: str | None = None) -> dict[str, Source]:
    """All splits of a hub dataset as sources; ``datasets`` is imported only here (the hub path)."""
    import datasets  # heavy import, only needed without a local copy

    loaded = datasets.load_dataset(hub_id, config) if config else datasets.load_dataset(hub_id)
    name = f"{hub_id}/{config}" if config else hub_id
    return {split: _numbered(f"{name}[{split}]", data) for split, data in loaded.items()}


def _numbered(file: str, records: Iterable[Any]) -> Iterator[Record]:
    """(file, 1-based row, record) for each record (a function, so ``file`` is bound per split)."""
    for number, record in enumerate(records, start=1):
        yield file, number, record


def local_files(
    path: str | os.PathLike,
    suffixes: tuple[str, ...],
    split: str | None,
    keep: Callable[[Path], bool] | None = None,
) -> dict[str, list[Path]]:
    """Input files by split: a single file -> :func:`infer_split` (``split`` names it when its name does
    not); a folder -> every file with one of ``suffixes`` (sorted, and accepted by ``keep`` when given),
    split from its name. Choosing one split is the pipeline's job, not this function's."""
    root = require_path(path, "local dataset")
    if root.is_file():
        if root.suffix.lower() not in suffixes:
            raise ValueError(f"{root}: expected a {'/'.join(suffixes)} file")
        return {infer_split(root, split): [root]}
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in suffixes and (keep is None or keep(p))
    )
    if not files:
        raise FileNotFoundError(f"no {'/'.join(suffixes)} files in {root}")
    by_split: dict[str, list[Path]] = {}
    for file in files:
        file_split = split_from_name(file)
        if file_split is None:
            raise ValueError(f"cannot tell the split of {file} (name has no test/dev/val/train)")
        by_split.setdefault(file_split, []).append(file)
    return by_split


def read_files(by_split: dict[str, list[Path]], reader: Callable[[Path], Source]) -> dict[str, Source]:
    """Chain the records of each split's files (in order) with ``reader`` (e.g. :func:`read_jsonl`)."""
    return {
        split: itertools.chain.from_iterable(reader(f) for f in files) for split, files in by_split.items()
    }


def local_or_hub(
    local_path: str | os.PathLike | None,
    split: str | None,
    suffixes: tuple[str, ...],
    reader: Callable[[Path], Source],
    hub_id: str,
    hub_config: str | None = None,
) -> dict[str, Source]:
    """The sources of a dataset shipped as one file per split: the local release's files read with
    ``reader`` (``split`` names a single file, as in :func:`local_files`), else every hub split."""
    if local_path is None:
        return load_hub(hub_id, hub_config)
    return read_files(local_files(local_path, suffixes, split), reader)


def split_from_name(path: str | os.PathLike) -> str | None:
    """Split named by a word of a file's name (words split at non-alphanumerics): ``test_data.csv`` ->
    test, ``all_dev_good.jsonl`` -> dev, ``anatomy_val.csv`` / ``validation.jsonl`` -> validation,
    ``train_data.csv`` -> train; None when no word names a split (``contest.jsonl``)."""
    tokens = set(re.split(r"[^a-z0-9]+", Path(path).name.lower()))
    return next((split for token, split in _SPLIT_TOKENS if token in tokens), None)


def infer_split(path: str | os.PathLike, split: str | None) -> str:
    """The split of a single local file: ``--split`` when given (explicit wins), else from its name."""
    chosen = split or split_from_name(path)
    if chosen is None:
        raise ValueError(
            f"cannot tell the split of {path}: its name contains none of test/dev/val/train; pass --split"
        )
    return chosen
