"""medquad.py on both XML layouts of the release and on the real CDC / NINDS / herbs folders."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from data_preprocess import medquad
from data_preprocess.core.records import InvalidRecord

UPPER = """<?xml version="1.0" encoding="UTF-8"?>
<Document id="0000003" source="NINDS" url="u">
<Focus>Aphasia</Focus>
<QAPairs>
<QAPair pid="1"><Question qid="0000003-1" qtype="information">What is (are)
  Aphasia ?</Question><Answer>Aphasia is a  neurological
     disorder.</Answer></QAPair>
<QAPair pid="2"><Question qid="0000003-2" qtype="treatment">What are the treatments for Aphasia ?</Question>
{second_answer}</QAPair>
</QAPairs>
</Document>
"""
LOWER = """<?xml version="1.0" encoding="UTF-8"?>
<doc docid="0000007" corpus="NINDS" url="u"><doctitle-focus>Holmes-Adie</doctitle-focus>
<qaPairs><pair pid="1"><question qid="0000007-1" qtype="information">what is holmes-adie syndrome ?</question>
<answer>A disorder of the pupil.</answer></pair></qaPairs></doc>
"""
EMPTY = """<?xml version="1.0" encoding="UTF-8"?>
<Document id="0000001" source="MPlusHerbsSupplements" url="u"><Focus>Charcoal</Focus>
<QAPairs><QAPair pid="1"><Question qid="0000001-1" qtype="information">What is Charcoal ?</Question>
<Answer></Answer></QAPair></QAPairs></Document>
"""


def release(root: Path, second_answer: str = "<Answer>Speech therapy helps.</Answer>") -> Path:
    for folder, name, text in (
        ("12_MPlusHerbsSupplements_QA", "0000001.xml", EMPTY),
        ("6_NINDS_QA", "0000003.xml", UPPER.format(second_answer=second_answer)),
        ("6_NINDS_QA", "0000007.xml", LOWER),
    ):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text(text, encoding="utf-8")
    return root


def test_both_layouts_release_order_and_empty_answers(tmp_path: Path, capsys) -> None:
    written = medquad.convert(
        local_dataset_path=str(release(tmp_path / "src")), local_save_dir=str(tmp_path / "o")
    )
    assert written == {"test": 3}
    assert "skipped 1 record(s) without an answer" in capsys.readouterr().out
    rows = pq.read_table(tmp_path / "o" / "test.parquet").to_pylist()
    assert [r["extra_info"]["source_id"] for r in rows] == [
        "NINDS_0000003-1",
        "NINDS_0000003-2",
        "NINDS_0000007-1",
    ]
    assert [r["extra_info"]["category"] for r in rows] == ["information", "treatment", "information"]
    assert rows[0]["reward_model"]["ground_truth"] == "Aphasia is a neurological disorder."
    assert rows[0]["prompt"][1]["content"].startswith(
        "What is (are) Aphasia ?\nPlease provide your text answer"
    )
    assert rows[2]["reward_model"]["ground_truth"] == "A disorder of the pupil."


def test_split_option_and_single_file(tmp_path: Path) -> None:
    file = release(tmp_path / "src") / "6_NINDS_QA" / "0000007.xml"
    assert medquad.convert(
        local_dataset_path=str(file), local_save_dir=str(tmp_path / "o"), split="train"
    ) == {"train": 1}


@pytest.mark.parametrize(
    ("second_answer", "field"),
    [("", "answer"), ("<Answer>ok</Answer><Other/>", None)],
)
def test_missing_answer_element_is_invalid(
    tmp_path: Path, second_answer: str, field: str | None, capsys
) -> None:
    source = release(tmp_path / "src", second_answer)
    if field is None:
        assert medquad.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "o")) == {
            "test": 3
        }
        return
    with pytest.raises(InvalidRecord) as error:
        medquad.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "o"))
    assert (error.value.field, error.value.row) == (field, 2)
    assert "0000003.xml" in str(error.value)
    assert medquad.convert(
        local_dataset_path=str(source), local_save_dir=str(tmp_path / "o"), skip_invalid=True
    ) == {"test": 2}
    assert "skipped 1 invalid record(s)" in capsys.readouterr().out


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not found"):
        medquad.convert(local_dataset_path=str(tmp_path / "nope"), local_save_dir=str(tmp_path / "o"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no MedQuAD"):
        medquad.convert(local_dataset_path=str(tmp_path / "empty"), local_save_dir=str(tmp_path / "o"))
    (tmp_path / "broken.xml").write_text("<Document><QAPairs>", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="not well-formed"):
        medquad.convert(local_dataset_path=str(tmp_path / "broken.xml"), local_save_dir=str(tmp_path / "o"))


PAIR = re.compile(r"<(QAPair|pair) pid=.*?</\1>", re.DOTALL)
ANSWER = re.compile(r"<(?:Answer|answer)>(.*?)</(?:Answer|answer)>", re.DOTALL)


def test_real_collections(real_data_dir: Path, tmp_path: Path, capsys) -> None:
    """Counts and answers checked against a plain-regex reading of the XML (independent of ElementTree)."""
    root = real_data_dir / "medquad"
    expected: list[str] = []
    without_answer = 0
    for folder in ("6_NINDS_QA", "9_CDC_QA", "12_MPlusHerbsSupplements_QA"):
        for file in sorted((root / folder).glob("*.xml")):
            for pair in PAIR.finditer(file.read_text(encoding="utf-8")):
                answer = " ".join(ANSWER.search(pair.group(0)).group(1).split())
                answer = answer.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
                answer = answer.replace("&apos;", "'").replace("&amp;", "&")
                if answer:
                    expected.append(answer)
                else:
                    without_answer += 1
    assert (len(expected), without_answer) == (
        1374,
        792,
    )  # CDC 270 + NINDS 1104 (16 in the lower-case layout)
    assert medquad.convert(local_dataset_path=str(root), local_save_dir=str(tmp_path)) == {"test": 1374}
    assert "skipped 792 record(s) without an answer" in capsys.readouterr().out
    rows = pq.read_table(tmp_path / "test.parquet").to_pylist()
    assert [r["reward_model"]["ground_truth"] for r in rows] == expected
    assert len({r["extra_info"]["source_id"] for r in rows}) == len(rows)
    for row in random.Random(0).sample(rows, 20):
        assert row["prompt"][1]["content"].endswith(
            "Please provide your text answer within the <answer> </answer> tags."
        )


def test_hub_flattening_has_the_same_fields(tmp_path: Path, monkeypatch) -> None:
    """``lavita/MedQuAD`` rows (one per pair, empty answers as None) convert like the XML."""
    record = {"document_source": "CDC", "question_id": "0000001-1", "question_type": "information"}
    hub = {
        "train": [
            ("hub", 1, {**record, "question": "What is X ?", "answer": "X is a  germ."}),
            ("hub", 2, {**record, "question_id": "0000001-2", "question": "Who gets X ?", "answer": None}),
        ]
    }
    monkeypatch.setattr(medquad, "load_hub", lambda hub_id: hub if hub_id == "lavita/MedQuAD" else {})
    assert medquad.convert(local_save_dir=str(tmp_path)) == {"test": 1}
    row = pq.read_table(tmp_path / "test.parquet").to_pylist()[0]
    assert (row["reward_model"]["ground_truth"], row["extra_info"]["source_id"]) == (
        "X is a germ.",
        "CDC_0000001-1",
    )
