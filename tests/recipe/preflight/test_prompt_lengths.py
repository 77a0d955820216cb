"""Overlong-prompt drops per file and source: exact with a local tokenizer, estimated and labelled without."""

from __future__ import annotations

from collections import Counter

import pyarrow.parquet as pq

from recipe.medu1.preflight.findings import WARNING, of_level
from recipe.medu1.preflight.prompt_lengths import CHARS_PER_TOKEN, estimated_lengths

SHORT = "data.max_response_length=1024"


def token_counts(tokenizer, prompts: list) -> list[int]:
    """Prompt tokens counted independently of the checker: template to text, then tokenize the text."""
    texts = [tokenizer.apply_chat_template(p, add_generation_prompt=True, tokenize=False) for p in prompts]
    return [len(tokenizer(text, add_special_tokens=False)["input_ids"]) for text in texts]


def test_exact_counts_with_a_local_tokenizer(preflight, tiny_model_dir, tiny_tokenizer, data_dir):
    val = pq.read_table(data_dir / "val.parquet")
    sources = val.column("data_source").to_pylist()
    tokens = token_counts(tiny_tokenizer, val.column("prompt").to_pylist())
    limit = sorted(tokens)[len(tokens) // 2]  # about half the prompts are longer
    findings = preflight(SHORT, f"data.max_prompt_length={limit}", model=tiny_model_dir)
    line = {f.label: f.text for f in findings}["long prompts"]
    assert "exact (local tokenizer)" in line
    expected = Counter(s for s, n in zip(sources, tokens, strict=True) if n > limit)
    per_source = ", ".join(f"{s} {expected[s]}/{n}" for s, n in sorted(Counter(sources).items()))
    assert f"val_files {data_dir / 'val.parquet'}: {per_source}" in line
    (warning,) = [w for w in of_level(findings, WARNING) if w.startswith("validation drops prompts")]
    assert "that the evaluator keeps" in warning and "estimated" not in warning


def test_estimate_without_tokenizer_is_labelled_and_brackets_the_limit(preflight, data_dir):
    val = pq.read_table(data_dir / "val.parquet")
    prompts, sources = val.column("prompt").to_pylist(), val.column("data_source").to_pylist()
    sparse = estimated_lengths(prompts, CHARS_PER_TOKEN[1])
    dense = estimated_lengths(prompts, CHARS_PER_TOKEN[0])
    assert all(d >= s for d, s in zip(dense, sparse, strict=True))
    limit = sorted(dense)[len(dense) // 2]
    line = {f.label: f.text for f in preflight(f"data.max_prompt_length={limit}")}["long prompts"]
    assert "estimated from characters" in line and "a local MODEL_PATH gives the exact count" in line
    low = Counter(s for s, n in zip(sources, sparse, strict=True) if n > limit)
    high = Counter(s for s, n in zip(sources, dense, strict=True) if n > limit)
    for source in set(sources):
        count = str(low[source]) if low[source] == high[source] else f"{low[source]}-{high[source]}"
        assert f"{source} {count}/" in line.split("val_files", 1)[1]


def test_no_filter_means_left_truncation(preflight):
    line = {f.label: f.text for f in preflight("data.filter_overlong_prompts=False")}["long prompts"]
    assert "left-truncated at rollout" in line
