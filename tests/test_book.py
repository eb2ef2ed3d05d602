"""The self-learners' book: what it shows of each chapter, and the built site
(every page, plot, download and link there, nothing fetched from the network)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from browser_support import built_book

from book.build import CJK_RE, reading_copy, stage_sources
from crm_lab import glossary
from grader.course import chapter_names

CHAPTERS = chapter_names()
pytestmark = pytest.mark.xdist_group("book")


# ---- staging (no execution: fast) -----------------------------------------------------

@pytest.fixture(scope="module")
def staged(tmp_path_factory, root):
    src = tmp_path_factory.mktemp("book") / "src"
    stage_sources(src, root)
    return src


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_reading_copy_keeps_answers_but_drops_the_grading_machinery(root, chapter):
    nb = reading_copy(root / "solutions" / chapter / f"{chapter}.ipynb", chapter)
    text = "\n".join(c.source for c in nb.cells)
    for marker in ("BEGIN HIDDEN TESTS", "grader.reference", "BEGIN SOLUTION", "END SOLUTION",
                   "=== BEGIN MARK SCHEME ==="):
        assert marker not in text
    assert not any("NotImplementedError" in c.source for c in nb.cells if c.cell_type == "code")
    assert "Mark scheme, to check your own answer" in text
    assert not any("nbgrader" in c.metadata for c in nb.cells)


def test_reading_copy_keeps_solution_code_and_visible_checks(root):
    nb = reading_copy(root / "solutions" / "00_overview" / "00_overview.ipynb", "00_overview")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert 'paid = orders[orders["status"] == "paid"]' in code
    assert "checks.check_frame(" in code


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_page_links_its_student_notebook(staged, chapter):
    nb = nbformat.read(staged / "chapters" / f"{chapter}.ipynb", as_version=4)
    assert f"<../downloads/{chapter}/{chapter}.ipynb>" in nb.cells[1].source
    assert (staged / "downloads" / chapter / f"{chapter}.ipynb").is_file()


def test_start_page_lists_every_chapter_and_the_glossary(staged):
    index = (staged / "index.md").read_text(encoding="utf-8")
    for chapter in CHAPTERS:
        assert f"chapters/{chapter}" in index
    assert "glossary" in index


def test_glossary_page_holds_every_term(staged):
    page = (staged / "glossary.md").read_text(encoding="utf-8")
    for row in glossary.TERMS.itertuples():
        assert row.english in page and row.chinese in page


# ---- the built site (executes every chapter: slow) ------------------------------------

class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (tag, name) in {("a", "href"), ("img", "src"), ("script", "src"),
                                         ("link", "href"), ("source", "src")}:
                self.refs.append((tag, value))


def pages(site: Path) -> list[Path]:
    """The site's pages (``_static/`` holds theme templates, not pages)."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


@pytest.fixture(scope="module")
def site():
    return built_book()


@pytest.mark.slow
def test_book_has_a_page_per_chapter_with_its_plots(site):
    for chapter in CHAPTERS:
        html = (site / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")
        images = re.findall(r'<img [^>]*src="(\.\./_images/[^"]+\.png)"', html)
        assert len(images) >= 2, f"{chapter}: expected the chapter's plots in the page"
        assert 'class="output traceback' not in html, f"{chapter}: a cell failed"


@pytest.mark.slow
def test_book_offers_each_student_notebook_unchanged(site, root):
    for chapter in CHAPTERS:
        found = list((site / "_downloads").rglob(f"{chapter}.ipynb"))
        assert len(found) == 1, f"{chapter}: student notebook not in _downloads"
        student = root / "chapters" / chapter / f"{chapter}.ipynb"
        assert found[0].read_bytes() == student.read_bytes()


@pytest.mark.slow
def test_book_has_no_broken_internal_links(site):
    broken = []
    for page in pages(site):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, ref in parser.refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # external links (none load a resource) and same-page anchors
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: <{tag}> {ref}")
    assert broken == []


@pytest.mark.slow
def test_book_loads_nothing_from_the_network(site):
    remote = re.compile(r"""(?:src=|url\()\s*["']?(?:https?:)?//""")
    offenders = []
    for path in [*pages(site), *site.joinpath("_static").rglob("*.css")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        for line in remote.findall(text):
            offenders.append(f"{path.relative_to(site)}: {line}")
        for link in re.findall(r'<link [^>]*href="((?:https?:)?//[^"]+)"', text):
            offenders.append(f"{path.relative_to(site)}: {link}")
    assert offenders == []
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()


@pytest.mark.slow
def test_shipped_cjk_font_covers_every_chinese_character_of_the_book(site):
    from fontTools.ttLib import TTFont

    used = set()
    for page in pages(site):
        used.update(CJK_RE.findall(page.read_text(encoding="utf-8")))
    font = site / "_static" / "fonts" / "course-cjk.woff"
    assert font.is_file() and font.stat().st_size < 2_000_000
    cmap = TTFont(font).getBestCmap()
    assert used and {c for c in used if ord(c) not in cmap} == set()
    css = (site / "_static" / "course.css").read_text(encoding="utf-8")
    assert 'url("fonts/course-cjk.woff")' in css and '"Course CJK"' in css
