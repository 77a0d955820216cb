"""Crash-safe storage of one evaluation run: ``settings.json`` and the append-only ``predictions.jsonl``.

Why this shape: a benchmark pass over thousands of questions takes hours and gets killed (pre-emption,
OOM, Ctrl-C). Every batch is appended, flushed and fsync'ed before the next one starts, so a kill can
lose at most the batch in flight and leave at most one torn (newline-less) last line, which
:func:`load_predictions` cuts off. A sample is identified by (data_source, split, index, length budget,
sample), so a rerun knows exactly what is left to do, also when one run asks each question under several
length budgets (a new budget on a rerun only generates its own samples, like a new data file). The
generation settings are saved next to the predictions so that a rerun can never mix answers produced
under different settings.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from data_preprocess.core.files import write_atomic

PREDICTIONS = "predictions.jsonl"
SETTINGS = "settings.json"
METRICS = "metrics.json"

#: Settings that change what the model generates; a rerun must match them exactly.
GENERATION_KEYS = (
    "model",
    "backend",
    "temperature",
    "top_p",
    "max_new_tokens",
    "n",
    "seed",
    "max_model_len",
    "seed_scope",
    "dtype",
)

Key = tuple[str, str, int, int, int]


class SettingsMismatch(RuntimeError):
    """A rerun asked for settings that differ from the ones the stored predictions were made with."""


def record_key(record: dict[str, Any]) -> Key:
    """The identity of one sample: (data_source, split, index, length budget of its prompt, sample)."""
    budget = int((record.get("extra_info") or {}).get("length_budget") or 0)
    return (
        str(record["data_source"]),
        str(record["split"]),
        int(record["index"]),
        budget,
        int(record["sample"]),
    )


def load_predictions(path: str | os.PathLike) -> list[dict[str, Any]]:
    """All complete records of ``path`` (missing file -> []).

    A torn last line (bytes after the final newline, left by a kill mid-write) is dropped *and cut
    from the file*, so the next append starts on a clean line. Any other unreadable line or a
    duplicated key means the file was edited or written by two runs at once: that raises.
    """
    file = Path(path)
    if not file.exists():
        return []
    data = file.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) < len(data):
        print(
            f"{file}: discarding a torn last line ({len(data) - len(complete)} bytes) of an interrupted run",
            file=sys.stderr,
        )
        with open(file, "r+b") as handle:
            handle.truncate(len(complete))
            handle.flush()
            os.fsync(handle.fileno())
    records: list[dict[str, Any]] = []
    seen: set[Key] = set()
    for number, line in enumerate(complete.decode("utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
            key = record_key(record)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{file}, line {number}: not a prediction record ({error})") from None
        if key in seen:
            raise ValueError(
                f"{file}, line {number}: sample {key} appears twice (two runs in one directory?)"
            )
        seen.add(key)
        records.append(record)
    return records


def append_records(path: str | os.PathLike, records: Iterable[dict[str, Any]]) -> None:
    """Append records as JSON lines and make them durable (flush + fsync) before returning."""
    text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    if not text:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def rewrite_predictions(path: str | os.PathLike, records: Iterable[dict[str, Any]]) -> None:
    """Atomically replace the whole predictions file (used by ``--rescore`` to update reward terms)."""
    write_atomic(path, "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))


def load_settings(out_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The saved settings of the run in ``out_dir``, or None for a fresh directory."""
    file = Path(out_dir) / SETTINGS
    return json.loads(file.read_text(encoding="utf-8")) if file.exists() else None


def save_settings(out_dir: str | os.PathLike, settings: dict[str, Any]) -> None:
    write_atomic(Path(out_dir) / SETTINGS, json.dumps(settings, indent=2, sort_keys=True) + "\n")


def check_settings(saved: dict[str, Any], wanted: dict[str, Any]) -> None:
    """Raise :class:`SettingsMismatch` naming every generation setting that differs, and the scoring
    preset and reward kwargs (mixing scorings inside one predictions file would make its terms
    inconsistent)."""
    diffs = [
        f"{key}: stored {saved.get(key)!r}, requested {wanted.get(key)!r}"
        for key in GENERATION_KEYS
        if saved.get(key) != wanted.get(key)
    ]
    if diffs:
        raise SettingsMismatch(
            "refusing to resume: the predictions in this directory were generated with different "
            "settings:\n  "
            + "\n  ".join(diffs)
            + "\nUse a new --output_dir, or rerun with the stored settings."
        )

    def scoring(settings: dict[str, Any]) -> str:
        return (
            f"preset {settings.get('preset')!r}, reward kwargs {settings.get('reward_kwargs') or {}!r}, "
            f"freeform {bool(settings.get('freeform'))}"
        )

    if scoring(saved) != scoring(wanted):
        raise SettingsMismatch(
            f"refusing to resume: this directory is scored with {scoring(saved)}, not {scoring(wanted)}. "
            "Finish the run with the stored scoring, then change it with: python -m recipe.medu1.eval "
            "--rescore DIR --preset P [--reward_kwarg KEY=VALUE ...] [--freeform]"
        )
