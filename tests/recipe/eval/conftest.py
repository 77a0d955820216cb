"""Fixtures of the evaluation-harness tests: small benchmark parquets built with the converters' row
builder, one per task type."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_preprocess.core.files import write_parquet
from data_preprocess.core.records import Item
from data_preprocess.core.schema import make_row

OPTIONS = {"A": "aspirin", "B": "heparin", "C": "metoprolol", "D": "nitroglycerin"}


@pytest.fixture
def benchmark_files(tmp_path: Path) -> list[Path]:
    """medqa (3 MCQ), medcalc (a decimal and an integer calculation) and medical_o1 (1 open question)."""
    mcq = [
        make_row(
            "medqa", Item("Chest pain and ST elevation. Best first drug?", gt, f"q{i}", OPTIONS), "test", i
        )
        for i, gt in enumerate(["A", "B", "D"])
    ]
    bmi = Item(
        "Weight 70 kg, height 1.75 m. What is the BMI?",
        "22.9",
        "bmi",
        calculator_id=6,
        calculator_name="Body Mass Index (BMI)",
        category="physical",
        output_type="decimal",
        lower_limit=21.755,
        upper_limit=24.045,
    )
    chads = Item(
        "Age 70, hypertension, diabetes. CHA2DS2-VASc?",
        "4",
        "chads",
        calculator_id=4,
        calculator_name="CHA2DS2-VASc Score",
        category="risk",
        output_type="integer",
        lower_limit=4.0,
        upper_limit=4.0,
    )
    text = Item("What is the first-line drug for type 2 diabetes?", "Metformin is the first-line drug.", "t0")
    return [
        write_parquet(mcq, tmp_path / "medqa.parquet"),
        write_parquet(
            [make_row("medcalc", bmi, "test", 0), make_row("medcalc", chads, "test", 1)],
            tmp_path / "medcalc.parquet",
        ),  # fmt: skip
        write_parquet([make_row("medical_o1", text, "test", 0)], tmp_path / "medical_o1.parquet"),
    ]
