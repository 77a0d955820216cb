"""The command line every converter shares: ``--local_dataset_path``, ``--local_save_dir`` and the
:class:`~data_preprocess.core.pipeline.ConvertSettings` flags, plus any a script adds."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from data_preprocess.core.pipeline import LENGTH_MODES
from data_preprocess.core.schema import SPLITS


def add_common_args(parser: argparse.ArgumentParser, default_save_dir: str) -> None:
    """The flags every converter accepts (their ``dest`` names are the ``ConvertSettings`` fields)."""
    parser.add_argument(
        "--local_dataset_path",
        default=None,
        help="original release (file or folder); default: download from the hub",
    )
    parser.add_argument("--local_save_dir", default=default_save_dir, help="where <split>.parquet goes")
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default=None,
        help="convert only this input split (with --resplit: the one to re-split); also names a single "
        "local file whose name does not say its split",
    )
    parser.add_argument("--limit", type=int, default=None, help="at most N rows per split (quick tries)")
    parser.add_argument("--seed", type=int, default=42, help="seed of option shuffling and length budgets")
    parser.add_argument("--skip_invalid", action="store_true", help="skip and count bad records")
    parser.add_argument(
        "--shuffle_options",
        action="store_true",
        help="shuffle MCQ options, answers spread evenly over the letters ('All/None of the above' stay "
        "in place, rows whose options name other options keep their order)",
    )
    parser.add_argument(
        "--shuffle_splits",
        nargs="+",
        choices=SPLITS,
        default=["train"],
        help="the splits --shuffle_options shuffles (default train; name another split that is trained on)",
    )
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--length_budget", type=int, default=0, help="append 'Think for N tokens.'")
    budget.add_argument(
        "--length_budget_range",
        type=int,
        nargs=2,
        metavar=("LO", "HI"),
        default=None,
        help="seeded uniform integer budget in [LO, HI] per row",
    )
    parser.add_argument(
        "--length_mode",
        choices=LENGTH_MODES,
        default="exact",
        help="exact: 'Think for N tokens.'; max: 'Think for maximum N tokens.'",
    )


def cli(
    convert: Callable[..., dict[str, int]],
    description: str | None,
    default_save_dir: str,
    add_args: Callable[[argparse.ArgumentParser], None] | None = None,
) -> dict[str, int]:
    """Parse the shared (plus script-specific) flags and call ``convert(**flags)``."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_common_args(parser, default_save_dir)
    if add_args is not None:
        add_args(parser)
    args = vars(parser.parse_args())
    args["shuffle_splits"] = tuple(args["shuffle_splits"])
    if args["length_budget_range"] is not None:
        args["length_budget_range"] = tuple(args["length_budget_range"])
    return convert(**args)
