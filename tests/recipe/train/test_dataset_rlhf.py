"""verl's RLHFDataset loads our parquet with the tiny tokenizer, and its length filter works on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from recipe.medu1.fixtures.toy_data import write_toy_dataset


@pytest.fixture(scope="module")
def train_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(write_toy_dataset(tmp_path_factory.mktemp("toy"), train_rows=9, val_rows=3) / "train.parquet")


def load(train_file: str, tokenizer, max_prompt_length: int):
    from verl.utils.dataset.rl_dataset import RLHFDataset

    config = OmegaConf.create(
        {"prompt_key": "prompt", "max_prompt_length": max_prompt_length, "filter_overlong_prompts": True,
         "cache_dir": str(Path(train_file).parent / "cache")}
    )  # fmt: skip
    return RLHFDataset(data_files=train_file, tokenizer=tokenizer, config=config)


def test_rows_load_as_verl_expects(train_file, tiny_tokenizer):
    dataset = load(train_file, tiny_tokenizer, max_prompt_length=2048)
    assert len(dataset) == 9
    item = dataset[1]
    assert item["data_source"] == "medcalc"
    assert [m["role"] for m in item["raw_prompt"]] == ["system", "user"]
    assert "Think for 256 tokens." in item["raw_prompt"][1]["content"]
    assert item["reward_model"]["ground_truth"] == "22.9"
    assert item["extra_info"]["task"] == "calc"
    assert item["extra_info"]["length_budget"] == 256
    assert (item["extra_info"]["lower_limit"], item["extra_info"]["upper_limit"]) == (21.8, 24.0)
    assert item["index"] == 1


def test_filter_overlong_prompts_drops_long_rows(train_file, tiny_tokenizer):
    lengths = sorted(
        len(tiny_tokenizer.apply_chat_template(row["raw_prompt"], add_generation_prompt=True, tokenize=True,
                                               return_dict=False))
        for row in load(train_file, tiny_tokenizer, max_prompt_length=2048)
    )  # fmt: skip
    # A limit between the shortest and the longest template keeps exactly the rows at or under it.
    limit = lengths[len(lengths) // 2]
    kept = load(train_file, tiny_tokenizer, max_prompt_length=limit)
    assert len(kept) == sum(length <= limit for length in lengths)
    assert 0 < len(kept) < 9
