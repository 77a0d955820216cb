"""liveqa.py on a LiveQA-format fixture and on the real TREC-2017 medical test set."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from data_preprocess import liveqa
from data_preprocess.core.records import InvalidRecord

QUESTION = """  <NLM-QUESTION qid="{qid}">
    <Original-Question qfile="1.txt">{subject}
      <MESSAGE>My  mother takes
        zolmitriptan. Does it contain gluten?</MESSAGE></Original-Question>
    {paraphrase}
    <ANNOTATIONS><FOCUS fid="F1" fcategory="Drug">zolmitriptan</FOCUS>
      <TYPE tid="T1" hasFocus="F1">INGREDIENT</TYPE><TYPE tid="T2" hasFocus="F1">USAGE</TYPE></ANNOTATIONS>
    <ReferenceAnswers>{answers}</ReferenceAnswers>
  </NLM-QUESTION>
"""
FIRST = '<RefAnswer aid="A1"><ANSWER>No gluten\n   is listed.</ANSWER><COMMENT/></RefAnswer>'
SECOND = '<ReferenceAnswer aid="A2"><ANSWER>Ask the maker.</ANSWER><AnswerURL>u</AnswerURL></ReferenceAnswer>'


def xml(*questions: str) -> str:
    root = "LiveQA2017-Medical-Test-Set-Full"
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>\n{"".join(questions)}</{root}>\n'


PARAPHRASE = "<NIST-PARAPHRASE>Does zolmitriptan contain gluten?</NIST-PARAPHRASE>"


def question(
    qid: str = "TQ1",
    subject: str = "<SUBJECT>Gluten</SUBJECT>",
    answers: str = FIRST + SECOND,
    paraphrase=PARAPHRASE,
) -> str:
    return QUESTION.format(qid=qid, subject=subject, answers=answers, paraphrase=paraphrase)


def release(root: Path, *questions: str) -> Path:
    (root / "TestDataset").mkdir(parents=True)
    (root / "TestDataset" / "TREC-2017-LiveQA-Medical-Test.xml").write_text(xml(*questions), encoding="utf-8")
    return root


def rows(out: Path) -> list[dict]:
    return pq.read_table(out / "test.parquet").to_pylist()


def test_original_question_first_reference_answer(tmp_path: Path) -> None:
    source = release(
        tmp_path / "src", question(), question("TQ2", subject="<SUBJECT/>", answers=SECOND + FIRST)
    )
    assert liveqa.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "o")) == {"test": 2}
    first, second = rows(tmp_path / "o")
    assert first["prompt"][1]["content"].startswith(
        "Gluten\nMy mother takes zolmitriptan. Does it contain gluten?\n"
    )
    assert second["prompt"][1]["content"].startswith("My mother takes zolmitriptan.")
    assert first["reward_model"]["ground_truth"] == "No gluten is listed."
    assert second["reward_model"]["ground_truth"] == "Ask the maker."
    assert (first["extra_info"]["source_id"], first["extra_info"]["category"]) == ("TQ1", "INGREDIENT;USAGE")


def test_paraphrase_form_and_its_missing_field(tmp_path: Path, capsys) -> None:
    source = release(tmp_path / "src", question(), question("TQ2", paraphrase=""))
    with pytest.raises(InvalidRecord) as error:
        liveqa.convert(
            local_dataset_path=str(source), local_save_dir=str(tmp_path / "o"), question="paraphrase"
        )
    assert (error.value.field, error.value.row) == ("paraphrase", 2)
    written = liveqa.convert(
        local_dataset_path=str(source),
        local_save_dir=str(tmp_path / "o"),
        question="paraphrase",
        skip_invalid=True,
    )
    assert written == {"test": 1}
    assert "skipped 1 invalid record(s)" in capsys.readouterr().out
    assert rows(tmp_path / "o")[0]["prompt"][1]["content"].startswith("Does zolmitriptan contain gluten?\n")


def test_question_without_reference_answer_is_invalid(tmp_path: Path) -> None:
    source = release(tmp_path / "src", question(answers=""))
    with pytest.raises(InvalidRecord, match="ReferenceAnswers"):
        liveqa.convert(local_dataset_path=str(source), local_save_dir=str(tmp_path / "o"))


def test_path_errors_say_where_to_get_the_data(tmp_path: Path) -> None:
    for path in (None, str(tmp_path / "nope")):
        with pytest.raises(FileNotFoundError, match="abachaa/LiveQA_MedicalTask_TREC2017"):
            liveqa.convert(local_dataset_path=path, local_save_dir=str(tmp_path / "o"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="TREC-2017-LiveQA-Medical-Test.xml"):
        liveqa.convert(local_dataset_path=str(tmp_path / "empty"), local_save_dir=str(tmp_path / "o"))


def test_real_test_set(real_data_dir: Path, tmp_path: Path) -> None:
    folder = real_data_dir / "liveqa-medical" / "TestDataset"
    assert liveqa.convert(local_dataset_path=str(folder.parent), local_save_dir=str(tmp_path / "a")) == {
        "test": 104
    }
    converted = rows(tmp_path / "a")
    raw = (folder / "TREC-2017-LiveQA-Medical-Test.xml").read_text(encoding="utf-8")
    blocks = re.findall(r'<NLM-QUESTION qid="(TQ\d+)">(.*?)</NLM-QUESTION>', raw, re.DOTALL)
    assert [r["extra_info"]["source_id"] for r in converted] == [qid for qid, _ in blocks]
    for (_, block), row in zip(blocks, converted, strict=True):
        first = re.search(r"<ANSWER>(.*?)</ANSWER>", block, re.DOTALL).group(1)
        assert row["reward_model"]["ground_truth"] == " ".join(first.replace("&amp;", "&").split())
    summaries = folder / "TREC-2017-LiveQA-Medical-Test-Questions-w-summaries.xml"
    liveqa.convert(local_dataset_path=str(summaries), local_save_dir=str(tmp_path / "b"))
    assert (tmp_path / "a" / "test.parquet").read_bytes() == (tmp_path / "b" / "test.parquet").read_bytes()
