"""Build the self-learners' book: ``python -m book [--out DIR]`` (default ``_build/book``).

Steps:

1. stage the sources in ``_build/book_src/``: each solution notebook, cleaned
   for reading (hidden tests and nbgrader's solution markers removed, the mark
   scheme kept as a self-check) with a link to its student notebook on top;
   the student notebooks from ``chapters/`` to download; a generated start
   page and glossary page (from :mod:`crm_lab.glossary`);
2. run Sphinx with MyST-NB (``book/conf.py``), which executes every chapter
   and keeps its outputs and plots;
3. write ``_static/fonts/course-cjk.woff``, Noto Sans CJK SC cut down to the
   Chinese characters the pages use, so Chinese renders without system fonts.

The site needs no network to read: MathJax is served locally
(``sphinx-mathjax-offline``) and the theme ships its own assets.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from crm_lab import glossary
from grader.course import COURSE_ROOT, chapter_names

__all__ = ["build_book", "stage_sources", "reading_copy", "cjk_characters", "main"]

BOOK_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = COURSE_ROOT / "_build" / "book"
# CJK radicals, punctuation, ideographs and full-width forms: what course.css sends to the CJK font.
CJK_RE = re.compile(
    r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)

_HIDDEN_TESTS = re.compile(r"\n?[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*", re.S)
_SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)


def reading_copy(notebook: Path, chapter: str) -> nbformat.NotebookNode:
    """A solution notebook as the book shows it: answers in, grading machinery out."""
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        source = _HIDDEN_TESTS.sub("", cell.source)
        source = _SOLUTION_MARKER.sub("", source)
        if cell.cell_type == "markdown":
            source = source.replace("=== BEGIN MARK SCHEME ===\n",
                                    "**Mark scheme, to check your own answer:** ")
            source = source.replace("\n=== END MARK SCHEME ===", "")
        cell.source = source.rstrip()
        cell.metadata.pop("nbgrader", None)
    note = nbformat.v4.new_markdown_cell(
        f":::{{note}}\nThis page shows the chapter **with worked answers**. To work through it "
        f"yourself, download the student notebook {{download}}`{chapter}.ipynb "
        f"<../downloads/{chapter}/{chapter}.ipynb>` and open it in JupyterLab next to the course "
        "package (`make lab` in the course folder sets everything up).\n:::",
        id="book-download-note",
    )
    title_at = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), 0)
    nb.cells.insert(title_at + 1, note)
    return nb


def _index_page(chapters: list[str]) -> str:
    rows = "\n".join(
        f"| [{glossary.CHAPTER_TITLES.get(ch, ch)}](chapters/{ch}.ipynb) "
        f"| {{download}}`{ch}.ipynb <downloads/{ch}/{ch}.ipynb>` |"
        for ch in chapters
    )
    toc = "\n".join(f"chapters/{ch}" for ch in chapters)
    return f"""# E-commerce CRM · 电子商务客户关系管理

An open course on customer relationship management for online shops, taught through one
fictional tea shop, **云雾茶舍 Yunwu Tea House**, and its order data. Each chapter below is a
lab: concepts, a worked example on the shop's data, exercises and a business question. Here
every chapter is shown with its answers worked out and every cell already run, so you can read
it as a book. To do the exercises yourself, download the student notebook of a chapter, open it
in JupyterLab and fill in the empty cells; the check cells tell you when an answer has the right
shape.

| chapter | student notebook |
|---|---|
{rows}

The [glossary](glossary.md) collects the key terms of every chapter in English and Chinese.

```{{toctree}}
:maxdepth: 1
:caption: Chapters
:hidden:

{toc}
```

```{{toctree}}
:maxdepth: 1
:caption: Reference
:hidden:

glossary
```
"""


def _glossary_page(chapters: list[str]) -> str:
    parts = ["# Glossary · 术语表\n",
             "Every key term of the course: English, Chinese (中文) and a one-line meaning, "
             "grouped by the chapter that introduces it. The chapters show the same terms at "
             "their end; both come from `crm_lab.glossary`.\n"]
    for chapter in chapters:
        if chapter not in set(glossary.TERMS["chapter"]):
            continue
        title = glossary.CHAPTER_TITLES.get(chapter, chapter)
        parts.append(f"## {title}\n\nSee [the chapter](chapters/{chapter}.ipynb).\n")
        parts.append(glossary.markdown(chapter) + "\n")
    return "\n".join(parts)


def stage_sources(src: Path, root: Path = COURSE_ROOT) -> list[str]:
    """Write the book's sources to ``src`` (emptied first); returns the chapters staged."""
    if src.exists():
        shutil.rmtree(src)
    (src / "chapters").mkdir(parents=True)
    chapters = chapter_names(root)
    for chapter in chapters:
        nb = reading_copy(root / "solutions" / chapter / f"{chapter}.ipynb", chapter)
        nbformat.write(nb, src / "chapters" / f"{chapter}.ipynb")
        student = root / "chapters" / chapter / f"{chapter}.ipynb"
        if not student.is_file():
            raise FileNotFoundError(
                f"{student} is missing: run `python -m grader release {chapter}`"
            )
        (src / "downloads" / chapter).mkdir(parents=True)
        shutil.copy2(student, src / "downloads" / chapter / student.name)
    (src / "index.md").write_text(_index_page(chapters), encoding="utf-8")
    (src / "glossary.md").write_text(_glossary_page(chapters), encoding="utf-8")
    return chapters


def cjk_characters(site: Path) -> str:
    """Every CJK character used in the site's HTML pages, sorted."""
    chars: set[str] = set()
    for page in site.rglob("*.html"):
        chars.update(CJK_RE.findall(page.read_text(encoding="utf-8")))
    return "".join(sorted(chars))


def write_cjk_subset(site: Path) -> Path | None:
    """Write ``_static/fonts/course-cjk.woff`` with the characters the pages use."""
    from fontTools import subset

    from crm_lab.plotting import find_cjk_font

    font = find_cjk_font()
    text = cjk_characters(site)
    if font is None or not text:
        return None
    out = site / "_static" / "fonts" / "course-cjk.woff"
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
    return out


def build_book(out: Path = DEFAULT_OUT, root: Path = COURSE_ROOT, jobs: str = "auto",
               quiet: bool = True) -> Path:
    """Build the site into ``out``; returns the path of its ``index.html``."""
    out = Path(out).resolve()
    src = out.parent / f"{out.name}_src"
    stage_sources(src, root)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(BOOK_DIR), "-j", jobs,
           "-W", "--keep-going", "-E", str(src), str(out)]
    if quiet:
        cmd.insert(3, "-q")
    result = subprocess.run(cmd, cwd=src, text=True, capture_output=quiet)
    if result.returncode != 0:
        detail = ((result.stdout or "") + (result.stderr or ""))[-6000:] if quiet else ""
        raise RuntimeError(f"sphinx-build failed (exit {result.returncode}).\n{detail}")
    write_cjk_subset(out)
    shutil.rmtree(out / ".doctrees", ignore_errors=True)
    return out / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(DEFAULT_OUT),
                        help="output folder (default: %(default)s)")
    parser.add_argument("-j", "--jobs", default="auto", help="parallel Sphinx processes")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's output")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        index = build_book(Path(args.out), jobs=args.jobs, quiet=not args.verbose)
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"book written to {index.parent} in {time.perf_counter() - start:.0f} s; "
          f"open {index} in a browser")
    return 0
