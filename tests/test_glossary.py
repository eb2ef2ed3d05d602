"""The glossary is the one place key terms live: every chapter shows its terms from it."""

import re

import nbformat
import pytest

from crm_lab import glossary
from grader.course import chapter_names

CHAPTERS = chapter_names()
CJK = re.compile(r"[\u4e00-\u9fff]")


def code_cells(path):
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def markdown_cells(path):
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_terms_and_a_title_in_the_glossary(chapter):
    assert len(glossary.terms(chapter)) >= 3
    assert chapter in glossary.CHAPTER_TITLES


@pytest.mark.parametrize("folder", ["solutions", "chapters"])
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_shows_its_key_terms_from_the_glossary(root, folder, chapter):
    path = root / folder / chapter / f"{chapter}.ipynb"
    calls = [s for s in code_cells(path) if f'glossary.table("{chapter}")' in s]
    assert calls, f"{folder}/{chapter}: show the key terms with glossary.table({chapter!r})"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_chapter_types_a_key_terms_table_by_hand(root, chapter):
    path = root / "solutions" / chapter / f"{chapter}.ipynb"
    typed = [s for s in markdown_cells(path)
             if re.search(r"^\|\s*English\s*\|\s*中文\s*\|", s, flags=re.MULTILINE)]
    assert not typed, f"{chapter}: a typed key-terms table; use glossary.table({chapter!r})"


def test_glossary_chapters_are_real_chapters():
    assert set(glossary.TERMS["chapter"]) <= set(CHAPTERS)
    assert set(glossary.CHAPTER_TITLES) <= set(CHAPTERS)


def test_each_term_is_written_once():
    english = glossary.TERMS["english"].str.lower()
    assert not english.duplicated().any(), english[english.duplicated()].tolist()


def test_every_term_has_english_chinese_and_a_one_line_definition():
    for row in glossary.TERMS.itertuples():
        assert row.english.strip() and row.definition.strip(), row
        assert CJK.search(row.chinese), f"{row.english}: the Chinese name has no Chinese characters"
        assert "\n" not in row.definition and len(row.definition) <= 200, row.english


def test_table_shows_a_chapters_terms_without_index():
    html = glossary.table("06_rfm").to_html()
    assert "RFM 模型" in html and "二八定律" in html
    assert "customer asset" not in html  # another chapter's term
    assert list(glossary.table("06_rfm").data.columns) == ["English", "中文", "meaning"]


def test_unknown_chapter_is_a_value_error():
    with pytest.raises(ValueError, match="99_nothing"):
        glossary.table("99_nothing")


def test_markdown_of_all_terms_names_each_chapter():
    text = glossary.markdown()
    assert text.count("\n") == len(glossary.TERMS) + 1
    for title in glossary.CHAPTER_TITLES.values():
        assert title in text
