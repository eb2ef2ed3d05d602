"""Sphinx configuration of the self-learners' book (read by ``python -m book``).

The sources of each language are staged by book/build.py in _build/book_src/<language>/:
executed solution notebooks, a generated index, the glossary page, the student notebooks
and _language.json (the language switch's links); build.py sets ``language`` with -D.
"""

import json
from pathlib import Path

project = "crm-course · 电子商务客户关系管理"
author = "crm-course"
copyright = "crm-course; text CC BY 4.0, code MIT"
language = "en"

extensions = ["myst_nb"]

exclude_patterns = ["_build", "downloads", "**.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
# Chapters go from the title (H1) to "### Learning objectives" on purpose.
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

# Every build runs every chapter, like a student running all cells; a cell
# error fails the build instead of publishing a page with a traceback.
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

templates_path = ["_templates"]
html_theme = "sphinx_book_theme"
html_title = "crm-course · 电子商务客户关系管理"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
# An empty mode makes the theme log a console error on every page.
html_context = {"default_mode": "light"}
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "show_toc_level": 2,
    # would offer the solution notebook; each chapter links the student one instead
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
    # the switch to the other language first, where the eye starts on the page's top bar
    "article_header_end": ["language-switch", "article-header-buttons"],
}


# MathJax from the copy shipped in the sphinx-mathjax-offline package instead of a CDN,
# so pages read offline. Done here rather than by loading that extension, which does not
# declare itself safe for parallel reading and would make Sphinx read serially.
mathjax_path = "mathjax/tex-chtml.js"


def _copy_mathjax(app, exc):
    import importlib.util
    from pathlib import Path

    from sphinx.util.fileutil import copy_asset

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if exc is None and spec is not None:
        source = Path(spec.origin).parent / "static" / "mathjax"
        copy_asset(str(source), str(Path(app.outdir) / "_static" / "mathjax"))


def _language_switch(app, pagename, templatename, context, doctree):
    """Give the page's template its links to the same page in the other languages."""
    if not hasattr(app, "book_switches"):
        path = Path(app.srcdir) / "_language.json"
        app.book_switches = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    context["language_switches"] = app.book_switches.get(pagename, [])


def _fix_chinese_search_stemmer():
    """Sphinx 9's Chinese search ships English's stemmer script (english-stemmer.js, its
    Python side stems Latin words the English way) but assigns ``ChineseStemmer``, so
    every page of the Chinese site threw "ChineseStemmer is not defined". A subclass
    named after the script it loads puts ``window.Stemmer = EnglishStemmer`` instead."""
    from sphinx import search
    from sphinx.search.zh import SearchChinese

    loads_english = SearchChinese.js_stemmer_rawcode == "english-stemmer.js"
    if loads_english and SearchChinese.language_name != "English":

        class ChineseSearchWithEnglishStemmer(SearchChinese):
            language_name = "English"

        search.languages["zh"] = ChineseSearchWithEnglishStemmer


def setup(app):
    _fix_chinese_search_stemmer()
    app.connect("build-finished", _copy_mathjax)
    app.connect("html-page-context", _language_switch)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
