"""The FAQ bot's data and the tools that make its evaluation fair: paraphrase families,
a designed FAQ coverage, a split that keeps every family in one set, and hand-made
tables with every real column."""

import pandas as pd
import pytest

from crm_lab import data, service
from crm_lab.data import faq as faq_text
from crm_lab.data.shop import stream


@pytest.fixture(scope="module")
def shipped():
    return data.load_chat_questions()


@pytest.fixture(scope="module")
def other_seed():
    return faq_text.chat_questions(11, 2000, stream)


def test_every_generated_question_belongs_to_the_family_of_its_label(shipped, other_seed):
    families = faq_text.families().set_index("family_id")["faq_id"]
    for questions in (shipped, other_seed):
        family = questions["question_zh"].map(faq_text.question_family)
        assert family.notna().all()
        expected = family.map(families).fillna("none")
        assert expected.tolist() == questions["faq_id"].astype(object).fillna("none").tolist()


def test_text_that_is_not_a_generated_question_has_no_family():
    assert faq_text.question_family("请问这款茶适合冷泡吗") is None
    assert faq_text.question_family("亲，包邮吗？") == "F03-1"


def test_the_faq_covers_a_designed_share_of_the_questions(shipped, other_seed):
    for questions in (shipped, other_seed):
        covered = questions["faq_id"].notna().sum()
        assert covered == round(faq_text.ANSWERABLE_SHARE * len(questions))
    assert faq_text.ANSWERABLE_SHARE >= 0.8  # seed 004: a good FAQ answers at least 80%


def test_the_faq_describes_only_what_the_shop_does():
    # The shop takes no presale (预售) orders, so no entry or phrasing may speak of a final
    # payment (尾款) or of presale delivery dates.
    texts = [q + a for _, _, _, q, a in faq_text.FAQ] + sum(faq_text.ASKED.values(), [])
    assert not [t for t in texts if "预售" in t or "尾款" in t]


def test_split_keeps_each_family_in_one_set_and_every_entry_in_each(shipped):
    split = service.split_by_family(shipped)
    family = shipped["question_zh"].map(faq_text.question_family)
    assert (pd.crosstab(family, split) > 0).sum(axis=1).max() == 1
    entry = shipped["faq_id"].astype(object).fillna("none")
    per_set = pd.crosstab(entry, split)
    assert (per_set > 0).all().all(), "every FAQ entry, and the unanswerable questions, in each set"
    shares = split.value_counts(normalize=True)
    assert 0.4 < shares["train"] < 0.6 and 0.15 < shares["test"] < 0.35


def test_split_is_reproducible_and_depends_on_the_seed(shipped):
    assert service.split_by_family(shipped).equals(service.split_by_family(shipped))
    assert not service.split_by_family(shipped, seed=1).equals(service.split_by_family(shipped))


def test_split_refuses_text_it_cannot_place():
    with pytest.raises(ValueError, match="family"):
        service.split_by_family(pd.DataFrame({"question_zh": ["这款茶适合冷泡吗"]}))


def test_example_rows_keep_every_column_and_dtype():
    calls = data.load_calls()
    tiny = service.example_rows(
        calls, abandoned=[False, True], wait_seconds=[20, 5], handle_seconds=[100, None]
    )
    assert tiny.columns.tolist() == calls.columns.tolist()
    assert tiny.dtypes.equals(calls.dtypes)
    assert tiny["wait_seconds"].tolist() == [20, 5] and tiny["handle_seconds"].isna().tolist() == [
        False,
        True,
    ]
    with pytest.raises(ValueError, match="same number"):
        service.example_rows(calls, abandoned=[True], wait_seconds=[1, 2])
