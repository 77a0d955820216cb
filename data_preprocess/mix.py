"""Build the unified Med-U1 training set: one seeded, shuffled ``train.parquet`` mixing MCQ,
calculation and open-ended rows, a small ``val.parquet`` with validation rows of every input, and
``mix_summary.json`` (also printed) with counts per source/task and where the validation rows came from.

Each ``--inputs`` entry is a converter output folder (its ``train.parquet`` is used) or one parquet
file, optionally suffixed ``:N`` (an integer: take exactly N rows, repeating the source when N
exceeds it) or ``:W`` (a decimal: take round(W x size) rows, e.g. ``:0.5`` half, ``:2.0`` twice).
Rows are copied unchanged (they already share ``ROW_SCHEMA``); sub-sampling and the final order are
seeded, so the same inputs and seed give identical bytes.

Validation rows come from the input's own validation split (``validation.parquet``, else
``dev.parquet`` beside its ``train.parquet``); an input without one gives a seeded held-out slice of
its train rows (at most a tenth of them), and those rows are then left out of ``train.parquet``, so no
question is both trained and validated on. Test splits are never used: choosing a checkpoint on test
questions would leak the test set, and an input whose rows are a test split is refused.
``--val_per_source`` caps each input's validation rows (seeded sample).

Length budgets (Med-U1's second objective): ``--length_budget_share S --length_budget_range LO HI
--length_modes exact max`` gives a seeded share S of the training and validation rows a budget N drawn
uniformly from [LO, HI], the modes taking turns ("Think for N tokens." / "Think for maximum N tokens.");
a row's own instruction is replaced, never followed by a second (``with_length_budget``), and the other
rows keep theirs. The summary counts the budgeted rows per source and mode.

    python data_preprocess/mix.py --inputs ~/data/medqa ~/data/medcalc:2000 ~/data/medical_o1:0.5 \\
        --local_save_dir ~/data/medu1
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from data_preprocess.core.files import write_atomic, write_table
from data_preprocess.core.pipeline import LENGTH_MODES
from data_preprocess.core.prompts import length_mode, with_length_budget
from data_preprocess.core.readers import require_path
from data_preprocess.core.schema import ROW_SCHEMA

_AMOUNT = re.compile(r"^(?P<path>.+):(?P<amount>\d+(?:\.\d*)?|\.\d+)$")
#: An input's own validation files, in order of preference, and what the summary calls them.
VALIDATION_FILES = {"validation.parquet": "validation split", "dev.parquet": "dev split"}
#: 64 rows per source: the accuracy's standard error is at most 0.5 / sqrt(64) = 6 points, enough to
#: see a task improve or collapse, while a five-source mix validates on 320 prompts (1,280 generations
#: at n=4) instead of every validation question at every validation step.
DEFAULT_VAL_PER_SOURCE = 64
DEFAULT_SAVE_DIR = "~/data/medu1"  # the run scripts' default DATA_DIR
HELD_OUT_SHARE = 10  # a held-out train slice takes at most 1 / HELD_OUT_SHARE of an input's train rows


@dataclass(frozen=True)
class MixInput:
    """One ``--inputs`` entry: a parquet file and how many of its rows to take."""

    spec: str
    file: Path
    count: int | None = None  # exact number of rows
    weight: float = 1.0  # multiplier of the file's size, when count is None

    def wanted(self, available: int) -> int:
        return self.count if self.count is not None else round(self.weight * available)


@dataclass(frozen=True)
class LengthBudgets:
    """Which rows of the mixture get a length budget, and which budgets."""

    share: float  # of the rows, seeded
    low: int
    high: int
    modes: tuple[str, ...] = LENGTH_MODES  # taken in turn over the budgeted rows

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1:
            raise ValueError(f"--length_budget_share must be in (0, 1], got {self.share}")
        if not 0 < self.low <= self.high:
            raise ValueError(f"--length_budget_range needs 0 < LO <= HI, got {self.low} {self.high}")
        if not self.modes or any(mode not in LENGTH_MODES for mode in self.modes):
            raise ValueError(f"--length_modes must name some of {LENGTH_MODES}, got {self.modes}")


def with_budgets(table: pa.Table, budgets: LengthBudgets, rng: random.Random) -> pa.Table:
    """The table with a seeded share of its rows rewritten under a length budget (signed: < 0 maximum)."""
    rows = table.to_pylist()
    chosen = sorted(rng.sample(range(len(rows)), round(budgets.share * len(rows))))
    for turn, i in enumerate(chosen):
        n = rng.randint(budgets.low, budgets.high)
        signed = -n if budgets.modes[turn % len(budgets.modes)] == "max" else n
        rows[i]["prompt"], rows[i]["extra_info"] = with_length_budget(rows[i], signed)
    return pa.Table.from_pylist(rows, schema=ROW_SCHEMA)


def _budget_counts(table: pa.Table) -> dict[str, dict[str, int]]:
    """Per source, rows with an exact / a maximum budget and without one."""
    counts: dict[str, Counter] = {}
    sources = table.column("data_source").to_pylist()
    for source, budget in zip(
        sources, table.column("extra_info").combine_chunks().field("length_budget").to_pylist(), strict=True
    ):
        counts.setdefault(source, Counter())[length_mode(budget or 0)] += 1
    return {source: dict(sorted(c.items())) for source, c in sorted(counts.items())}


class Validation(NamedTuple):
    """One input's validation rows and where they came from."""

    table: pa.Table
    origin: str  # "validation split", "dev split" or "held-out train slice"
    file: Path  # the file the rows were read from
    available: int  # rows that file offered before the cap


def parse_input(spec: str) -> MixInput:
    """ "DIR_or_FILE[:N|:W]" -> :class:`MixInput` (a folder means its ``train.parquet``)."""
    match = _AMOUNT.match(spec)
    path, amount = (match["path"], match["amount"]) if match else (spec, None)
    file = require_path(path, "mix input")
    if file.is_dir():
        file = require_path(file / "train.parquet", f"train.parquet of mix input {spec}")
    if amount is None:
        return MixInput(spec, file)
    if "." in amount:
        return MixInput(spec, file, weight=float(amount))
    return MixInput(spec, file, count=int(amount))


def _select(available: int, wanted: int, rng: random.Random) -> list[int]:
    """Whole copies of the source, then a seeded sample without replacement for the remainder."""
    copies, remainder = divmod(wanted, available)
    return list(range(available)) * copies + sorted(rng.sample(range(available), remainder))


def _read(file: Path) -> pa.Table:
    table = pq.read_table(file)
    if not table.schema.equals(ROW_SCHEMA):
        raise ValueError(f"{file}: not a converter output (schema differs from ROW_SCHEMA)")
    if table.num_rows == 0:
        raise ValueError(f"{file}: no rows")
    splits = set(table.column("extra_info").combine_chunks().field("split").to_pylist())
    if "test" in splits:
        raise ValueError(f"{file}: holds test-split rows (extra_info.split); never train or validate on them")
    return table


def _take(table: pa.Table, indices: list[int]) -> pa.Table:
    return table.take(pa.array(indices, pa.int64()))


def _validation(mix_input: MixInput, train: pa.Table, cap: int, seed: int) -> tuple[pa.Table, Validation]:
    """(train rows left for training, this input's validation rows), both seeded."""
    sources = ",".join(sorted(set(train.column("data_source").to_pylist())))
    rng = random.Random(f"{seed}:val:{sources}")
    if mix_input.file.name == "train.parquet":
        for name, origin in VALIDATION_FILES.items():
            candidate = mix_input.file.parent / name
            if candidate.is_file():
                table = _read(candidate)
                keep = sorted(rng.sample(range(table.num_rows), min(cap, table.num_rows)))
                return train, Validation(_take(table, keep), origin, candidate, table.num_rows)
    size = min(cap, train.num_rows // HELD_OUT_SHARE)
    held = set(rng.sample(range(train.num_rows), size))
    rest = [i for i in range(train.num_rows) if i not in held]
    held_out = Validation(_take(train, sorted(held)), "held-out train slice", mix_input.file, train.num_rows)
    return _take(train, rest), held_out


def _counts(table: pa.Table) -> dict[str, dict[str, int]]:
    extra = table.column("extra_info").combine_chunks()
    return {
        "by_source": dict(sorted(Counter(table.column("data_source").to_pylist()).items())),
        "by_task": dict(sorted(Counter(extra.field("task").to_pylist()).items())),
    }


def mix(
    inputs: list[str],
    local_save_dir: str = DEFAULT_SAVE_DIR,
    seed: int = 42,
    val_per_source: int = DEFAULT_VAL_PER_SOURCE,
    length_budgets: LengthBudgets | None = None,
) -> dict[str, Any]:
    """Write ``train.parquet``, ``val.parquet`` and ``mix_summary.json``; return the summary."""
    if not inputs:
        raise ValueError("give at least one --inputs entry")
    if val_per_source < 1:
        raise ValueError(f"val_per_source must be at least 1, got {val_per_source}")
    rng = random.Random(f"{seed}:mix")
    parts, validations, per_input, per_validation = [], [], [], []
    for mix_input in map(parse_input, inputs):
        train, validation = _validation(mix_input, _read(mix_input.file), val_per_source, seed)
        indices = _select(train.num_rows, mix_input.wanted(train.num_rows), rng)
        parts.append(_take(train, indices))
        validations.append(validation.table)
        per_input.append({"input": mix_input.spec, "available": train.num_rows, "selected": len(indices)})
        per_validation.append(
            {"input": mix_input.spec, "origin": validation.origin, "file": str(validation.file),
             "available": validation.available, "rows": validation.table.num_rows, "cap": val_per_source,
             "by_source": _counts(validation.table)["by_source"]}
        )  # fmt: skip
    mixed = pa.concat_tables(parts)
    if mixed.num_rows == 0:
        raise ValueError("the mix selects no rows")
    order = list(range(mixed.num_rows))
    rng.shuffle(order)
    mixed = _take(mixed, order)
    val = pa.concat_tables(validations)
    if length_budgets is not None:
        mixed = with_budgets(mixed, length_budgets, random.Random(f"{seed}:length:train"))
        if val.num_rows:
            val = with_budgets(val, length_budgets, random.Random(f"{seed}:length:val"))
    out_dir = Path(local_save_dir).expanduser()
    write_table(mixed, out_dir / "train.parquet")
    if val.num_rows:
        write_table(val, out_dir / "val.parquet")
    summary = {
        "seed": seed,
        "total": mixed.num_rows,
        **_counts(mixed),
        "inputs": per_input,
        "validation": {"total": val.num_rows, **_counts(val), "inputs": per_validation},
        "length_budgets": {"train": _budget_counts(mixed), "validation": _budget_counts(val)},
    }
    text = json.dumps(summary, indent=2)
    write_atomic(out_dir / "mix_summary.json", text + "\n")
    print(text)
    print(f"mix: wrote {mixed.num_rows} rows -> {out_dir / 'train.parquet'}")
    print(f"mix: wrote {val.num_rows} validation rows -> {out_dir / 'val.parquet'}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--inputs", nargs="+", required=True, metavar="DIR_or_FILE[:N|:W]")
    parser.add_argument("--local_save_dir", default=DEFAULT_SAVE_DIR)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--val_per_source",
        type=int,
        default=DEFAULT_VAL_PER_SOURCE,
        help="at most N validation rows per input (seeded sample)",
    )
    parser.add_argument(
        "--length_budget_share", type=float, default=None, help="share of rows given a budget"
    )
    parser.add_argument("--length_budget_range", type=int, nargs=2, metavar=("LO", "HI"), default=None)
    parser.add_argument("--length_modes", nargs="+", choices=LENGTH_MODES, default=list(LENGTH_MODES))
    args = parser.parse_args()
    if (args.length_budget_share is None) != (args.length_budget_range is None):
        parser.error("--length_budget_share and --length_budget_range go together")
    budgets = None
    if args.length_budget_share is not None:
        budgets = LengthBudgets(args.length_budget_share, *args.length_budget_range, tuple(args.length_modes))
    mix(args.inputs, args.local_save_dir, args.seed, args.val_per_source, budgets)


if __name__ == "__main__":
    main()
