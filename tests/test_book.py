"""The self-learners' book: what it shows of each chapter in each language, and the built
site (every page, plot, download, link and language switch there, nothing fetched from
the network). English is at the top of the site, Chinese in zh/; a chapter without a
Chinese edition is listed on the Chinese start page with a link to its English page."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from browser_support import built_book

from book.build import CJK_RE, LANGUAGES, SWITCH_FILE, reading_copy, stage_sources
from crm_lab import glossary
from grader.course import chapter_names, edition_of, editions

CHAPTERS = chapter_names()
EDITIONS = chapter_names(editions=True)
ZH = LANGUAGES["zh"]
pytestmark = pytest.mark.xdist_group("book")


def site_folder(site: Path, language: str) -> Path:
    return site / LANGUAGES[language].folder


# ---- staging (no execution: fast) -----------------------------------------------------

def _course_without_editions(target: Path, root: Path, fake_zh: tuple[str, ...] = ()) -> Path:
    """A course root holding the English chapters only, plus, for each chapter of
    ``fake_zh``, a stand-in "Chinese edition" (its English notebooks under the edition's
    name): staging does not read the language of the text, only where it is."""
    for folder in ("solutions", "chapters"):
        for chapter in CHAPTERS:
            (target / folder).mkdir(parents=True, exist_ok=True)
            (target / folder / chapter).symlink_to(root / folder / chapter)
        for chapter in fake_zh:
            edition = f"{chapter}_zh"
            (target / folder / edition).mkdir()
            shutil.copy2(root / folder / chapter / f"{chapter}.ipynb",
                         target / folder / edition / f"{edition}.ipynb")
    return target


@pytest.fixture(scope="module", params=["this course", "no Chinese edition", "00 in Chinese"])
def course(request, tmp_path_factory, root):
    """The course as it is, as it was before any edition, and with chapter 00's."""
    if request.param == "this course":
        return root
    fake = ("00_overview",) if request.param == "00 in Chinese" else ()
    return _course_without_editions(tmp_path_factory.mktemp("course"), root, fake)


@pytest.fixture(scope="module")
def staged(tmp_path_factory, course):
    """Language code -> that language's staged sources, from the same course."""
    out = tmp_path_factory.mktemp("book")
    for code in LANGUAGES:
        stage_sources(out / code, course, code)
    return {code: out / code for code in LANGUAGES}


def chinese_chapters(course: Path) -> list[str]:
    return [ch for ch in CHAPTERS if "zh" in editions(ch, course)]


@pytest.mark.parametrize("edition", EDITIONS)
def test_reading_copy_keeps_answers_but_drops_the_grading_machinery(root, edition):
    nb = reading_copy(root / "solutions" / edition / f"{edition}.ipynb", edition)
    text = "\n".join(c.source for c in nb.cells)
    for marker in ("BEGIN HIDDEN TESTS", "grader.reference", "BEGIN SOLUTION", "END SOLUTION",
                   "=== BEGIN MARK SCHEME ==="):
        assert marker not in text
    assert not any("NotImplementedError" in c.source for c in nb.cells if c.cell_type == "code")
    assert LANGUAGES[edition_of(edition)[1]].mark_scheme.strip() in text
    assert not any("nbgrader" in c.metadata for c in nb.cells)


def test_reading_copy_keeps_solution_code_and_visible_checks(root):
    nb = reading_copy(root / "solutions" / "00_overview" / "00_overview.ipynb", "00_overview")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert 'paid = orders[orders["status"] == "paid"]' in code
    assert "checks.check_frame(" in code


def test_a_chinese_reading_copy_says_its_notes_in_chinese_and_offers_the_chinese_notebook(root):
    # the edition's name decides the language of what the book adds, so the English
    # notebook stands in for a Chinese edition that may not exist yet
    nb = reading_copy(root / "solutions" / "00_overview" / "00_overview.ipynb", "00_overview_zh")
    note = nb.cells[1].source
    assert "<../downloads/00_overview_zh/00_overview_zh.ipynb>" in note
    assert "学生版笔记本" in note and "download the student notebook" not in note
    assert ZH.mark_scheme.strip() in "\n".join(c.source for c in nb.cells)


def test_each_chapter_page_links_its_student_notebook_in_its_language(staged, course):
    for code, src in staged.items():
        for chapter in CHAPTERS:
            edition = editions(chapter, course).get(code)
            if edition is None:
                assert not (src / "chapters" / f"{chapter}.ipynb").exists()
                continue
            nb = nbformat.read(src / "chapters" / f"{chapter}.ipynb", as_version=4)
            assert f"<../downloads/{edition}/{edition}.ipynb>" in nb.cells[1].source
            assert (src / "downloads" / edition / f"{edition}.ipynb").is_file()


def test_start_page_lists_every_chapter_and_the_glossary(staged):
    index = (staged["en"] / "index.md").read_text(encoding="utf-8")
    for chapter in CHAPTERS:
        assert f"chapters/{chapter}" in index
    assert "glossary" in index


def test_chinese_start_page_lists_every_chapter_by_its_chinese_title(staged, course):
    index = (staged["zh"] / "index.md").read_text(encoding="utf-8")
    in_chinese = chinese_chapters(course)
    for chapter in CHAPTERS:
        assert glossary.CHAPTER_TITLES_ZH[chapter] in index
        if chapter in in_chinese:
            assert f"](chapters/{chapter}.ipynb)" in index
            assert f"downloads/{chapter}_zh/{chapter}_zh.ipynb" in index
        else:  # English only: a link to the English page, said so in Chinese
            line = next(li for li in index.splitlines() if f"chapters/{chapter}." in li)
            assert f'href="../chapters/{chapter}.html"' in line and "暂无中文版" in line
    assert "](glossary.md)" in index


@pytest.mark.parametrize("language", LANGUAGES)
def test_glossary_page_holds_every_term(staged, language):
    page = (staged[language] / "glossary.md").read_text(encoding="utf-8")
    for row in glossary.TERMS.itertuples():
        assert row.english in page and row.chinese in page


def test_chinese_glossary_puts_the_chinese_term_first(staged):
    page = (staged["zh"] / "glossary.md").read_text(encoding="utf-8")
    for row in glossary.TERMS.itertuples():
        chinese = row.chinese.replace("|", "\\|")
        assert f"| {chinese} | {row.english.replace('|', chr(92) + '|')} |" in page


def test_every_chapter_has_a_chinese_title():
    assert set(CHAPTERS) <= set(glossary.CHAPTER_TITLES_ZH)
    assert all(CJK_RE.search(glossary.CHAPTER_TITLES_ZH[ch]) for ch in CHAPTERS)


def _staged_pages(src: Path) -> set[str]:
    return {str(p.relative_to(src).with_suffix("")) for p in src.rglob("*")
            if p.suffix in {".md", ".ipynb"} and "downloads" not in p.relative_to(src).parts}


def test_every_staged_page_switches_to_itself_or_the_start_page_in_the_other_language(
        staged, course):
    import json

    in_chinese = {f"chapters/{ch}" for ch in chinese_chapters(course)}

    def exists_in(language, page):  # every Chinese page has an English one, not vice versa
        return language == "en" or not page.startswith("chapters/") or page in in_chinese

    for code, src in staged.items():
        switches = json.loads((src / SWITCH_FILE).read_text(encoding="utf-8"))
        assert _staged_pages(src) <= set(switches)
        other = "zh" if code == "en" else "en"
        for page, links in switches.items():
            (link,) = links
            target = (Path(LANGUAGES[code].folder) / page).parent / link["href"]
            expected = page if exists_in(other, page) else "index"
            assert target.resolve() == (Path(LANGUAGES[other].folder)
                                        / f"{expected}.html").resolve(), (code, page)
            assert link["label"] == LANGUAGES[other].name


# ---- the built site (executes every chapter: slow) ------------------------------------

class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.switches: list[str] = []
        self._in_switch = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "language-switch" in (attrs.get("class") or ""):
            self._in_switch = True
        if tag == "a" and self._in_switch:
            self.switches.append(attrs["href"])
        for name, value in attrs.items():
            if value and (tag, name) in {("a", "href"), ("img", "src"), ("script", "src"),
                                         ("link", "href"), ("source", "src")}:
                self.refs.append((tag, value))

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_switch = False


def links(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def pages(site: Path) -> list[Path]:
    """The site's pages, both languages (``_static/`` holds theme templates, not pages)."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


def target_of(page: Path, ref: str) -> Path:
    target = (page.parent / unquote(urlsplit(ref).path)).resolve()
    return target / "index.html" if target.is_dir() else target


@pytest.fixture(scope="module")
def site():
    return built_book()


def _built_editions(root: Path) -> list[tuple[str, str]]:
    """(language, edition) of every chapter page the book has."""
    return [(lang, name) for ch in CHAPTERS for lang, name in editions(ch, root).items()]


@pytest.mark.slow
def test_book_has_a_page_per_chapter_edition_with_its_plots(site, root):
    for language, edition in _built_editions(root):
        chapter = edition_of(edition)[0]
        html = (site_folder(site, language) / "chapters" / f"{chapter}.html").read_text(
            encoding="utf-8")
        images = re.findall(r'<img [^>]*src="(\.\./_images/[^"]+\.png)"', html)
        assert len(images) >= 2, f"{edition}: expected the chapter's plots in the page"
        assert 'class="output traceback' not in html, f"{edition}: a cell failed"


@pytest.mark.slow
def test_book_offers_each_student_notebook_unchanged(site, root):
    for language, edition in _built_editions(root):
        downloads = site_folder(site, language) / "_downloads"
        found = list(downloads.rglob(f"{edition}.ipynb"))
        assert len(found) == 1, f"{edition}: student notebook not in {downloads}"
        student = root / "chapters" / edition / f"{edition}.ipynb"
        assert found[0].read_bytes() == student.read_bytes()


@pytest.mark.slow
def test_chinese_site_has_its_start_page_glossary_and_chapters(site, root):
    zh = site_folder(site, "zh")
    index = (zh / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in index
    for chapter in CHAPTERS:
        assert glossary.CHAPTER_TITLES_ZH[chapter] in index
    assert (zh / "glossary.html").is_file()
    chinese = {edition_of(e)[0] for lang, e in _built_editions(root) if lang == "zh"}
    assert {p.stem for p in (zh / "chapters").glob("*.html")} == chinese


@pytest.mark.slow
def test_every_page_has_a_language_switch_to_the_same_page_or_the_start_page(site):
    problems = []
    for page in pages(site):
        switches = links(page).switches
        in_zh = page.is_relative_to(site_folder(site, "zh"))
        here = site_folder(site, "zh" if in_zh else "en")
        there = site_folder(site, "en" if in_zh else "zh")
        same = there / page.relative_to(here)
        if len(switches) != 1:
            problems.append(f"{page.relative_to(site)}: {len(switches)} switches")
        elif target_of(page, switches[0]) not in {same.resolve(), (there / "index.html")}:
            problems.append(f"{page.relative_to(site)}: switch to {switches[0]}")
        elif same.is_file() and target_of(page, switches[0]) != same.resolve():
            problems.append(f"{page.relative_to(site)}: switch misses {same.relative_to(site)}")
    assert problems == []


@pytest.mark.slow
def test_book_has_no_broken_internal_links(site):
    broken = []
    for page in pages(site):
        for tag, ref in links(page).refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # external links (none load a resource) and same-page anchors
            if not target_of(page, ref).is_file():
                broken.append(f"{page.relative_to(site)}: <{tag}> {ref}")
    assert broken == []


@pytest.mark.slow
def test_book_loads_nothing_from_the_network(site):
    remote = re.compile(r"""(?:src=|url\()\s*["']?(?:https?:)?//""")
    offenders = []
    for path in [*pages(site), *site.rglob("_static/*.css")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        for line in remote.findall(text):
            offenders.append(f"{path.relative_to(site)}: {line}")
        for link in re.findall(r'<link [^>]*href="((?:https?:)?//[^"]+)"', text):
            offenders.append(f"{path.relative_to(site)}: {link}")
    assert offenders == []
    for language in LANGUAGES:
        assert (site_folder(site, language) / "_static" / "mathjax" / "tex-chtml.js").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_shipped_cjk_font_covers_every_chinese_character_of_the_site(site, language):
    from fontTools.ttLib import TTFont

    folder = site_folder(site, language)
    used = set()
    for page in pages(folder):
        used.update(CJK_RE.findall(page.read_text(encoding="utf-8")))
    font = folder / "_static" / "fonts" / "course-cjk.woff"
    assert font.is_file() and font.stat().st_size < 2_000_000
    cmap = TTFont(font).getBestCmap()
    assert used and {c for c in used if ord(c) not in cmap} == set()
    css = (folder / "_static" / "course.css").read_text(encoding="utf-8")
    assert 'url("fonts/course-cjk.woff")' in css and '"Course CJK"' in css


def test_the_chinese_search_index_holds_chinese_words(site):
    """Sphinx splits Chinese into words with jieba (a dev dependency); without it the
    Chinese book's search would know only the Latin words of its pages."""
    import json

    text = (site / "zh" / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(text[text.index("(") + 1:text.rindex(")")])["terms"]
    chinese = {t for t in terms if any("\u4e00" <= ch <= "\u9fff" for ch in t)}
    assert "订单" in chinese and len(chinese) > 200
