"""The conversion pipeline every converter ends in: validate each record, optionally shuffle MCQ
options and assign length budgets (seeded), build the row, and write ``<save_dir>/<split>.parquet``.

A converter reads its source into ``{split: iterable of (file, row, raw record)}`` and defines
``parse(raw, ref) -> Item`` that raises :class:`InvalidRecord` (naming the field) on bad input;
``--split`` then keeps only that input split, here and nowhere else, so it means the same for a hub
release, a folder and a single file (whose split ``--split`` also names when the file name does not);
``ref`` ("<file name>:<row>") is the fallback ``source_id`` for datasets without ids. Returning None
marks a record the source ships without an answer (e.g. MedMCQA's hidden test labels): it is always
skipped and counted, never an error.
"""

from __future__ import annotations

import dataclasses
import os
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from tqdm import tqdm

from data_preprocess.core.choices import (
    balanced_position,
    index_of,
    keeps_source_order,
    movable_positions,
    shuffle_options,
)
from data_preprocess.core.files import write_parquet
from data_preprocess.core.readers import Source
from data_preprocess.core.records import InvalidRecord, Item
from data_preprocess.core.resplit import seeded_resplit
from data_preprocess.core.schema import SPLITS, make_row
from data_preprocess.registry import TASK_BY_SOURCE

Parser = Callable[[Any, str], "Item | None"]  # (raw record, "<file name>:<row>") -> Item, None = unlabelled
LENGTH_MODES = ("exact", "max")


@dataclasses.dataclass(frozen=True)
class ConvertSettings:
    """The settings every converter shares (same names as the CLI flags)."""

    split: str | None = None
    limit: int | None = None
    seed: int = 42
    skip_invalid: bool = False
    shuffle_options: bool = False
    shuffle_splits: tuple[str, ...] = ("train",)
    length_budget: int = 0
    length_budget_range: tuple[int, int] | None = None
    length_mode: str = "exact"

    def __post_init__(self) -> None:
        unknown = [split for split in self.shuffle_splits if split not in SPLITS]
        if unknown:
            raise ValueError(f"shuffle_splits must be among {SPLITS}, got {unknown}")
        if self.split is not None and self.split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {self.split!r}")
        if self.limit is not None and self.limit <= 0:
            raise ValueError(f"limit must be positive, got {self.limit}")
        if self.length_mode not in LENGTH_MODES:
            raise ValueError(f"length_mode must be one of {LENGTH_MODES}, got {self.length_mode!r}")
        if self.length_budget < 0:
            raise ValueError("length_budget must be >= 0 (use length_mode='max' for a maximum budget)")
        if self.length_budget_range is not None:
            low, high = self.length_budget_range
            if not 0 < low <= high:
                raise ValueError(f"length_budget_range needs 0 < LO <= HI, got {self.length_budget_range}")
            if self.length_budget:
                raise ValueError("give either length_budget or length_budget_range, not both")

    def budget(self, rng: random.Random) -> int:
        """The signed length budget of one row (0 = no instruction; negative = maximum mode)."""
        if self.length_budget_range is not None:
            value = rng.randint(*self.length_budget_range)
        else:
            value = self.length_budget
        return -value if self.length_mode == "max" else value


class SplitRows(NamedTuple):
    """One split's rows and what was left out or left alone, for the converter's summary lines."""

    rows: list[dict[str, Any]]
    invalid: int  # skipped with skip_invalid
    unlabelled: int  # shipped without an answer
    unshuffled: int  # kept in source order although shuffling was asked (see keeps_source_order)


def _rng(settings: ConvertSettings, purpose: str, data_source: str, split: str) -> random.Random:
    """A seeded stream per purpose/dataset/split, so toggling one feature never changes another."""
    return random.Random(f"{settings.seed}:{purpose}:{data_source}:{split}")


def _checked_mcq(item: Item) -> Item:
    if not item.options or item.ground_truth not in item.options:
        raise InvalidRecord(
            "answer", f"{item.ground_truth!r} is not one of the options {list(item.options or {})}"
        )
    return item


def build_rows(
    data_source: str,
    split: str,
    source: Source,
    parse: Parser,
    settings: ConvertSettings,
    total: int | None = None,
) -> SplitRows:
    """Parse, validate and turn one split's records into rows, in source order.

    An invalid record raises :class:`InvalidRecord` (file, row, field), or is skipped and counted with
    ``settings.skip_invalid``. Options are shuffled only on MCQ data of ``settings.shuffle_splits`` (train
    by default: evaluation questions keep the release's order), with the answers spread evenly over the
    letters among rows whose options can move alike.
    """
    task = TASK_BY_SOURCE[data_source]
    shuffle = settings.shuffle_options and split in settings.shuffle_splits and task == "mcq"
    answers_at: dict[tuple[int, ...], dict[int, int]] = {}  # movable positions -> answer position -> rows
    shuffle_rng = _rng(settings, "shuffle", data_source, split)
    budget_rng = _rng(settings, "length", data_source, split)
    rows: list[dict[str, Any]] = []
    invalid = unlabelled = unshuffled = 0
    progress = tqdm(source, desc=f"{data_source}/{split}", total=total, unit="row", leave=False)
    for file, number, raw in progress:
        if settings.limit is not None and len(rows) >= settings.limit:
            break
        try:
            item = parse(raw, f"{Path(file).name}:{number}")
            if item is None:
                unlabelled += 1
                continue
            if task == "mcq":
                item = _checked_mcq(item)
            if shuffle and keeps_source_order(item.options):
                unshuffled += 1
            elif shuffle:
                movable = movable_positions(item.options)
                used = answers_at.setdefault(tuple(movable), {})
                at = None
                if index_of(item.ground_truth) in movable:
                    at = balanced_position(movable, used, shuffle_rng)
                    used[at] = used.get(at, 0) + 1
                options, answer = shuffle_options(item.options, item.ground_truth, shuffle_rng, at)
                item = dataclasses.replace(item, options=options, ground_truth=answer)
            rows.append(make_row(data_source, item, split, len(rows), settings.budget(budget_rng)))
        except InvalidRecord as error:
            if not settings.skip_invalid:
                raise error.located(file, number) from None
            invalid += 1
    return SplitRows(rows, invalid, unlabelled, unshuffled)


def selected_split(data_source: str, sources: dict[str, Source], split: str | None) -> dict[str, Source]:
    """Only the input split ``split`` (all when None); naming a split the input lacks is an error."""
    if split is None:
        return sources
    if split not in sources:
        raise ValueError(
            f"{data_source}: --split {split} names no input split (the input has: {', '.join(sources)})"
        )
    return {split: sources[split]}


def convert_splits(
    data_source: str,
    sources: dict[str, Source],
    parse: Parser,
    save_dir: str | os.PathLike,
    settings: ConvertSettings,
    totals: dict[str, int] | None = None,
    resplit: Sequence[int] | None = None,
) -> dict[str, int]:
    """Convert the selected split (``settings.split``, else every split), re-split first when
    ``resplit`` gives (train, validation, test) sizes, and write ``<save_dir>/<split>.parquet``;
    returns and prints rows per split."""
    if not sources:
        raise ValueError(f"{data_source}: no input splits found")
    sources = selected_split(data_source, sources, settings.split)
    if resplit:
        sources = seeded_resplit(sources, tuple(resplit), settings.seed, data_source)
    out_dir = Path(save_dir).expanduser()
    written: dict[str, int] = {}
    for split, source in sources.items():
        if split not in SPLITS:
            raise ValueError(f"{data_source}: unknown split {split!r} (expected one of {SPLITS})")
        result = build_rows(data_source, split, source, parse, settings, (totals or {}).get(split))
        name = f"{data_source}/{split}"
        if result.invalid:
            print(f"{name}: skipped {result.invalid} invalid record(s)")
        if result.unlabelled:
            print(f"{name}: skipped {result.unlabelled} record(s) without an answer")
        if result.unshuffled:
            reason = "an option refers to others by letter or position"
            print(f"{name}: kept {result.unshuffled} row(s) unshuffled ({reason})")
        if not result.rows:
            if result.unlabelled and not result.invalid:
                print(f"{name}: no labelled records, nothing written")
                continue
            raise ValueError(f"{name}: no valid records to write")
        path = write_parquet(result.rows, out_dir / f"{split}.parquet")
        written[split] = len(result.rows)
        print(f"{name}: wrote {len(result.rows)} rows -> {path}")
    return written
