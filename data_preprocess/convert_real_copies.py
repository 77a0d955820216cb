"""Run every converter that has a real public copy over a folder of those copies and print rows and
seconds per converter.

Why: one command that exercises the converters on real data (a smoke run) and measures conversion
speed. The folder layout is the one of the project's research data copies (``MEDU1_REAL_DATA``): each
dataset's copy sits at its registry entry's ``real_copy`` path. Each output goes to
``<local_save_dir>/<data_source>``, the layout the evaluation suite reads.

    python data_preprocess/convert_real_copies.py --data_root $MEDU1_REAL_DATA --local_save_dir ~/data/real
"""

from __future__ import annotations

import argparse
import importlib
import os
import time
from pathlib import Path
from typing import NamedTuple

from data_preprocess.registry import DATASETS, dataset

#: converter modules that have a real copy, in registry order
WITH_REAL_COPY = tuple(d.module for d in DATASETS if d.real_copy)


class Converted(NamedTuple):
    """What one converter wrote from its real copy, and how long it took."""

    written: dict[str, int]  # rows per split
    seconds: float


def convert_real_copies(
    data_root: str | os.PathLike, save_root: str | os.PathLike, modules: list[str] | None = None
) -> dict[str, Converted]:
    """Convert each named module's copy into ``<save_root>/<data_source>``; returns {module: Converted}."""
    results: dict[str, Converted] = {}
    for module in modules or WITH_REAL_COPY:
        entry = dataset(module)
        if entry.real_copy is None:
            raise ValueError(f"{module} has no real copy in data_preprocess.registry")
        convert = importlib.import_module(f"data_preprocess.{module}").convert
        start = time.perf_counter()
        written = convert(str(Path(data_root) / entry.real_copy), str(Path(save_root) / entry.data_source))
        results[module] = Converted(written, time.perf_counter() - start)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data_root", default=os.environ.get("MEDU1_REAL_DATA"), required=False)
    parser.add_argument("--local_save_dir", required=True)
    parser.add_argument("--only", nargs="+", choices=WITH_REAL_COPY, default=None)
    args = parser.parse_args()
    if not args.data_root:
        parser.error("give --data_root or set MEDU1_REAL_DATA")
    start = time.perf_counter()
    results = convert_real_copies(args.data_root, args.local_save_dir, args.only)
    total = time.perf_counter() - start
    for module, (written, seconds) in results.items():
        print(f"{module:14s} {seconds:6.2f} s  {written}")
    rows = sum(sum(result.written.values()) for result in results.values())
    print(f"total: {total:.2f} s for {len(results)} converters ({rows} rows)")


if __name__ == "__main__":
    main()
