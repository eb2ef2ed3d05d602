"""Build the self-learners' book: ``python -m book [--out DIR]`` (default ``_build/book``),
in English at the top and in Chinese in ``zh/``, with a switch between them on every page.

Steps, the same for each language (a :class:`BookLanguage` is data, not a second path):

1. stage the sources in ``_build/book_src/<language>/``: each chapter's edition in that
   language (``solutions/06_rfm`` or ``solutions/06_rfm_zh``), cleaned for reading (hidden
   tests and nbgrader's solution markers removed, the mark scheme kept as a self-check)
   with a note on top linking its student notebook, which is copied from ``chapters/`` to
   download; a start page and a glossary page rendered from ``book/pages/<language>/``
   with the chapter list and :mod:`crm_lab.glossary`; ``_language.json``, what the switch
   in each page's header (``book/_templates/language-switch.html``) links to;
2. run Sphinx with MyST-NB (``book/conf.py``), which executes every chapter and keeps its
   outputs and plots; the two languages build at the same time;
3. write ``_static/fonts/course-cjk.woff`` into both sites: Noto Sans CJK SC cut down to
   the Chinese characters the two sites use, so Chinese renders without system fonts.

A chapter without a Chinese edition yet is listed on the Chinese start page with a link to
its English page. The site needs no network to read: MathJax is served locally
(``sphinx-mathjax-offline``) and the theme ships its own assets; every link is relative,
so the book works from a folder.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nbformat

from crm_lab import glossary
from grader.course import COURSE_ROOT, chapter_names, edition_of, editions

__all__ = ["BookLanguage", "LANGUAGES", "build_book", "stage_sources", "reading_copy",
           "cjk_characters", "write_cjk_subset", "main"]

BOOK_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = COURSE_ROOT / "_build" / "book"
# CJK radicals, punctuation, ideographs and full-width forms: what course.css sends to the CJK font.
CJK_RE = re.compile(
    r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)
#: Where book/conf.py finds what the switch of each page links to.
SWITCH_FILE = "_language.json"


@dataclass(frozen=True)
class BookLanguage:
    """One language of the book: where its site goes and the words it needs.

    Its prose pages (start page, glossary, a chapter's download note) are the templates
    in ``book/pages/<code>/``; everything else the two languages share.
    """

    code: str  # edition language, as in grader.course: "en", "zh"
    sphinx_language: str  # Sphinx's own interface strings (search, navigation)
    hreflang: str
    folder: str  # the site's folder inside the book ("" for the top)
    name: str  # what a switch to this language says
    switch_title: str  # its tooltip
    no_page_title: str  # its tooltip when the page has no version in this language
    mark_scheme: str  # what replaces nbgrader's mark-scheme marker in a reading copy
    #: glossary.TERMS column -> its heading, in the order the glossary shows them
    glossary_columns: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # chapter -> title

    def title(self, chapter: str) -> str:
        return self.titles.get(chapter) or glossary.CHAPTER_TITLES.get(chapter, chapter)


LANGUAGES: dict[str, BookLanguage] = {
    "en": BookLanguage(
        code="en", sphinx_language="en", hreflang="en", folder="", name="English",
        switch_title="Read this page in English",
        no_page_title="Not in English: go to the English start page",
        mark_scheme="**Mark scheme, to check your own answer:** ",
        glossary_columns={"english": "English", "chinese": "中文", "definition": "meaning"},
        titles=glossary.CHAPTER_TITLES),
    "zh": BookLanguage(
        code="zh", sphinx_language="zh_CN", hreflang="zh-CN", folder="zh", name="中文",
        switch_title="阅读本页的中文版",
        no_page_title="本章暂无中文版：转到中文版首页",
        mark_scheme="**评分要点（供自查）：** ",
        glossary_columns={"chinese": "中文", "english": "English", "definition": "释义（英文）"},
        titles=glossary.CHAPTER_TITLES_ZH),
}
"""The book's languages, English first; a key is an edition language of grader.course."""

_HIDDEN_TESTS = re.compile(r"\n?[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*", re.S)
_SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)
_PAGES = jinja2.Environment(loader=jinja2.FileSystemLoader(BOOK_DIR / "pages"),
                            undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                            autoescape=False)  # Markdown, not HTML


def _page(language: BookLanguage, name: str, **context) -> str:
    return _PAGES.get_template(f"{language.code}/{name}.md").render(**context)


def reading_copy(notebook: Path, edition: str) -> nbformat.NotebookNode:
    """A solution notebook as the book shows it: answers in, grading machinery out.

    ``edition`` is the chapter folder (``06_rfm`` or ``06_rfm_zh``): its student notebook
    is the one the note on top offers, and its language the note's.
    """
    language = LANGUAGES[edition_of(edition)[1]]
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        source = _HIDDEN_TESTS.sub("", cell.source)
        source = _SOLUTION_MARKER.sub("", source)
        if cell.cell_type == "markdown":
            source = source.replace("=== BEGIN MARK SCHEME ===\n", language.mark_scheme)
            source = source.replace("\n=== END MARK SCHEME ===", "")
        cell.source = source.rstrip()
        cell.metadata.pop("nbgrader", None)
    note = nbformat.v4.new_markdown_cell(_page(language, "note", edition=edition).rstrip(),
                                         id="book-download-note")
    title_at = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), 0)
    nb.cells.insert(title_at + 1, note)
    return nb


# Pages Sphinx writes itself, in every language.
_SPHINX_PAGES = ("search", "genindex")


def _href(source: BookLanguage, pagename: str, target: BookLanguage, target_page: str) -> str:
    """Relative URL from a page of one language's site to a page of another's."""
    here = posixpath.join(source.folder, posixpath.dirname(pagename)) or "."
    return posixpath.relpath(posixpath.join(target.folder, f"{target_page}.html"), here)


def _chapters(root: Path, language: BookLanguage) -> list[dict]:
    """Every chapter as a start page lists it: title, its edition in ``language`` (or None)
    and, for one without, the link to its English page."""
    english = LANGUAGES["en"]
    listed = []
    for chapter in chapter_names(root):
        edition = editions(chapter, root).get(language.code)
        listed.append({"chapter": chapter, "edition": edition, "title": language.title(chapter),
                       "other_page": None if edition
                       else _href(language, "index", english, f"chapters/{chapter}")})
    return listed


def _site_pages(root: Path, language: BookLanguage) -> list[str]:
    """The pages (Sphinx page names) of one language's site."""
    chapters = [f"chapters/{c['chapter']}" for c in _chapters(root, language) if c["edition"]]
    return ["index", "glossary", *chapters, *_SPHINX_PAGES]


def _switches(root: Path, language: BookLanguage) -> dict[str, list[dict]]:
    """Page -> its links to the same page in each other language, or to that language's
    start page where the page has no version in it yet."""
    others = [other for other in LANGUAGES.values() if other != language]
    found = {other.code: set(_site_pages(root, other)) for other in others}
    switches = {}
    for page in _site_pages(root, language):
        switches[page] = []
        for other in others:
            there = page in found[other.code]
            switches[page].append({
                "href": _href(language, page, other, page if there else "index"),
                "label": other.name, "hreflang": other.hreflang,
                "title": other.switch_title if there else other.no_page_title})
    return switches


def _terms_table(chapter: str, language: BookLanguage) -> str:
    """A chapter's glossary terms as a Markdown table, columns in the language's order."""
    columns = language.glossary_columns
    lines = ["| " + " | ".join(columns.values()) + " |", "|" + "---|" * len(columns)]
    for row in glossary.terms(chapter).itertuples(index=False):
        cells = (getattr(row, name).replace("|", "\\|") for name in columns)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _glossary_sections(chapters: list[dict], language: BookLanguage) -> list[dict]:
    with_terms = set(glossary.TERMS["chapter"])
    return [{**ch, "table": _terms_table(ch["chapter"], language)}
            for ch in chapters if ch["chapter"] in with_terms]


def stage_sources(src: Path, root: Path = COURSE_ROOT, language: str = "en") -> list[str]:
    """Write one language's book sources to ``src`` (emptied first); returns the chapters
    that have a page in it (those with an edition in ``language``)."""
    lang = LANGUAGES[language]
    if src.exists():
        shutil.rmtree(src)
    (src / "chapters").mkdir(parents=True)
    chapters = _chapters(root, lang)
    for edition in (ch["edition"] for ch in chapters if ch["edition"]):
        chapter = edition_of(edition)[0]
        nb = reading_copy(root / "solutions" / edition / f"{edition}.ipynb", edition)
        nbformat.write(nb, src / "chapters" / f"{chapter}.ipynb")
        student = root / "chapters" / edition / f"{edition}.ipynb"
        if not student.is_file():
            raise FileNotFoundError(
                f"{student} is missing: run `python -m grader release {edition}`"
            )
        (src / "downloads" / edition).mkdir(parents=True)
        shutil.copy2(student, src / "downloads" / edition / student.name)
    (src / "index.md").write_text(_page(lang, "index", chapters=chapters), encoding="utf-8")
    (src / "glossary.md").write_text(
        _page(lang, "glossary", sections=_glossary_sections(chapters, lang)), encoding="utf-8")
    (src / SWITCH_FILE).write_text(json.dumps(_switches(root, lang), ensure_ascii=False,
                                              indent=1), encoding="utf-8")
    return [ch["chapter"] for ch in chapters if ch["edition"]]


def cjk_characters(site: Path) -> str:
    """Every CJK character used in the HTML pages under ``site`` (every language's) and in
    the strings Sphinx's scripts show (``translations.js``: the search page's), sorted."""
    chars: set[str] = set()
    for page in [*site.rglob("*.html"), *site.rglob("_static/translations.js")]:
        chars.update(CJK_RE.findall(page.read_text(encoding="utf-8")))
    return "".join(sorted(chars))


def write_cjk_subset(book: Path, sites: list[Path] | None = None) -> Path | None:
    """Write ``_static/fonts/course-cjk.woff`` with the characters the pages under ``book``
    use into each site of ``sites`` (default: ``book`` alone); returns the first one.

    One subset for all languages: each site's copy draws any page of the book, and
    subsetting Noto Sans CJK once instead of per site saves ~3 s.
    """
    from fontTools import subset

    from crm_lab.plotting import find_cjk_font

    font = find_cjk_font()
    text = cjk_characters(book)
    if font is None or not text:
        return None
    sites = sites or [book]
    out = sites[0] / "_static" / "fonts" / "course-cjk.woff"
    out.parent.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    loaded = subset.load_font(str(font), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + " ")
    subsetter.subset(loaded)
    subset.save_font(loaded, str(out), options)
    for site in sites[1:]:
        (site / "_static" / "fonts").mkdir(parents=True, exist_ok=True)
        shutil.copy2(out, site / "_static" / "fonts" / out.name)
    return out


def _start_sphinx(src: Path, site: Path, language: BookLanguage, jobs: str,
                  quiet: bool) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(BOOK_DIR), "-j", jobs,
           "-D", f"language={language.sphinx_language}",
           "-W", "--keep-going", "-E", str(src), str(site)]
    if quiet:
        cmd.insert(3, "-q")
    pipe = subprocess.PIPE if quiet else None
    return subprocess.Popen(cmd, cwd=src, text=True, stdout=pipe, stderr=subprocess.STDOUT)


def build_book(out: Path = DEFAULT_OUT, root: Path = COURSE_ROOT, jobs: str = "auto",
               quiet: bool = True) -> Path:
    """Build the book into ``out`` (English) and ``out/zh`` etc.; returns the English
    ``index.html``.

    The languages' Sphinx builds run at the same time: most of a build is waiting for
    the chapters' kernels, and the Chinese one alone would add its whole length.
    """
    out, root = Path(out).resolve(), Path(root).resolve()
    staging = out.parent / f"{out.name}_src"
    sites = [out / language.folder for language in LANGUAGES.values()]
    for code in LANGUAGES:  # all staged before any build starts: a missing notebook stops all
        stage_sources(staging / code, root, code)
    running = [(language, _start_sphinx(staging / language.code, site, language, jobs, quiet))
               for language, site in zip(LANGUAGES.values(), sites, strict=True)]
    failed = []
    for language, process in running:
        output, _ = process.communicate()
        if process.returncode != 0:
            failed.append(f"sphinx-build ({language.name}) failed (exit {process.returncode})."
                          f"\n{(output or '')[-6000:]}")
    if failed:
        raise RuntimeError("\n".join(failed))
    write_cjk_subset(out, sites)
    for site in sites:
        shutil.rmtree(site / ".doctrees", ignore_errors=True)
    return out / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(DEFAULT_OUT),
                        help="output folder (default: %(default)s)")
    parser.add_argument("--root", default=str(COURSE_ROOT),
                        help="course root with solutions/ and chapters/ (default: this checkout)")
    parser.add_argument("-j", "--jobs", default="auto", help="parallel Sphinx processes")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's output")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        index = build_book(Path(args.out), Path(args.root), jobs=args.jobs,
                           quiet=not args.verbose)
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"book written to {index.parent} in {time.perf_counter() - start:.0f} s; "
          f"open {index} in a browser (中文版: {index.parent / 'zh' / 'index.html'})")
    return 0
