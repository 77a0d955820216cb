"""The one table of datasets: which converter writes which ``data_source``, its task, its evaluation
split, its real public copy and whether Med-U1 trains on it. Everything that lists datasets is
derived from it: :data:`TASK_BY_SOURCE`, :func:`task_of`, ``convert_real_copies.py``, the evaluation
suite (``python -m data_preprocess.registry eval-suite``) and the tests' parameter lists.

Why the data side owns it: a new dataset starts with a converter, and the converter's rows already
carry ``extra_info["task"]``; the reward reads the task from there and needs no list of names.

To add a dataset: write ``data_preprocess/<module>.py`` and add one :class:`Dataset` line here; the
drift tests fail until the two agree.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any, NamedTuple


class Dataset(NamedTuple):
    """One converter and the data it writes."""

    module: str  # converter module, data_preprocess/<module>.py
    data_source: str  # the ``data_source`` of every row it writes (also its default folder name)
    task: str  # mcq / calc / text
    eval_split: str  # the split a benchmark run scores
    in_eval_suite: bool  # part of the default evaluation suite (eval-suite command)
    training: bool  # Med-U1 trains on it (its train split goes into mix.py)
    real_copy: str | None = None  # its original release under MEDU1_REAL_DATA (file or folder), if held

    @property
    def default_save_dir(self) -> str:
        """Where the converter writes ``<split>.parquet`` unless told otherwise."""
        return f"~/data/{self.data_source}"


# fmt: off
DATASETS: tuple[Dataset, ...] = (
    #       module, data_source, task, eval split, in suite, training, real copy under MEDU1_REAL_DATA
    Dataset("medqa",        "medqa",           "mcq",  "test", True, True, "medqa-usmle-4-options"),
    Dataset("medmcqa",      "medmcqa",         "mcq",  "validation", True, False, "medmcqa-dev-reformatted"),
    Dataset("pubmedqa",     "pubmedqa",        "mcq",  "test", True, False, "pubmedqa"),
    Dataset("mmlu_medical", "mmlu_medical",    "mcq",  "test", True, False, "mmlu-medical"),
    Dataset("mmlu_pro",     "mmlu_pro_health", "mcq",  "test", True, False, "mmlu-pro-health-reformatted"),
    Dataset("medxpertqa",   "medxpertqa",      "mcq",  "test", True, True),
    Dataset("mediq",        "mediq",           "mcq",  "test", True, True, "mediq/all_dev_good.jsonl"),
    Dataset("ehrnoteqa",    "ehrnoteqa",       "mcq",  "test", False, True),
    Dataset("medcalc",      "medcalc",         "calc", "test", True, True, "medcalc-bench"),
    Dataset("medical_o1",   "medical_o1",      "text", "test", True, True),
    Dataset("medquad",      "medquad",         "text", "test", False, False, "medquad"),
    Dataset("liveqa",       "liveqa",          "text", "test", False, False, "liveqa-medical"),
    Dataset("medicationqa", "medicationqa",    "text", "test", False, False, "medicationqa"),
)
# fmt: on
# MedXpertQA, medical-o1 and EHRNoteQA have no real copy here (EHRNoteQA is credentialed PhysioNet
# data); EHRNoteQA is outside the default suite because most users cannot obtain it.

BY_MODULE: dict[str, Dataset] = {d.module: d for d in DATASETS}

TASK_BY_SOURCE: dict[str, str] = {d.data_source: d.task for d in DATASETS}
#: What metrics and reports call a row whose task neither its extra_info nor the registry knows (the reward
#: refuses such a row; grouping code must not drop it silently).
UNKNOWN_TASK = "unknown"


def dataset(module: str) -> Dataset:
    """The registry entry of a converter module (KeyError names the registered ones)."""
    if module not in BY_MODULE:
        raise KeyError(f"{module!r} is not a registered converter; known: {', '.join(BY_MODULE)}")
    return BY_MODULE[module]


def task_of(data_source: Any, extra_info: Mapping[str, Any] | None) -> str:
    """The task of a row: ``extra_info["task"]`` when set, else the registry's task of its
    ``data_source``, else :data:`UNKNOWN_TASK`."""
    task = extra_info.get("task") if isinstance(extra_info, Mapping) else None
    if isinstance(task, str) and task:
        return task
    return TASK_BY_SOURCE.get(data_source, UNKNOWN_TASK) if isinstance(data_source, str) else UNKNOWN_TASK


def eval_suite() -> list[str]:
    """The default benchmark files, ``<data_source>/<eval_split>.parquet`` relative to the data root
    (each converter's default output folder is ``~/data/<data_source>``)."""
    return [f"{d.data_source}/{d.eval_split}.parquet" for d in DATASETS if d.in_eval_suite]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The Med-U1 dataset registry.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("eval-suite", help="print the evaluation suite, one <name>/<split>.parquet a line")
    parser.parse_args(argv)
    print("\n".join(eval_suite()))


if __name__ == "__main__":
    main()
