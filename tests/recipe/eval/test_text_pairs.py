"""The real-pair suite of the text reward: every kind built from every source, and the robust rule's goals
on a seeded sample (skips without the real data copies)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recipe.medu1.eval.text_pairs import GAMING_KINDS, GOOD_KINDS, SOURCES, suite
from recipe.medu1.eval.text_suite import GOAL_GAMING, GOAL_GOOD, credit_table, rules
from reward_score.content_words import content_terms


@pytest.fixture(scope="module")
def cases(real_data_dir: Path):
    return suite(real_data_dir, per_source=25, seed=1)


def test_every_kind_is_built_from_every_source(cases) -> None:
    built = {(case.pair.source, case.kind) for case in cases}
    for source in SOURCES:
        missing = {kind for kind in (*GOOD_KINDS, *GAMING_KINDS) if (source, kind) not in built}
        assert missing <= {"swapped", "keyword", "hedge"}, (source, missing)  # need a shared / rare term
    for case in cases:
        assert case.should_credit == (case.kind in GOOD_KINDS)
        if case.kind == "keyword":
            assert len(case.answer.split()) == 1 and case.answer.lower() in case.pair.question.lower()
        if case.kind == "echo":
            assert case.answer == case.pair.question


def test_good_answers_keep_the_reference_words(cases) -> None:
    for case in cases:
        if case.should_credit:
            assert set(content_terms(case.answer)) <= set(content_terms(case.pair.reference))


def test_robust_meets_the_goals_where_the_paper_rule_and_rougel_do_not(cases) -> None:
    table = credit_table(cases, rules(30.0))
    assert table["all good"]["robust"] >= GOAL_GOOD
    assert table["all gaming"]["robust"] <= 2 * GOAL_GAMING  # a 100-pair sample of the full-suite goal
    assert table["keyword"]["medu1"] > 0.5 and table["keyword"]["robust"] == 0.0
    assert table["all gaming"]["rougeL"] > table["all gaming"]["robust"]
