"""The book in a real browser (Debian's Chromium via Playwright): every page of both
languages loads without console errors or requests leaving 127.0.0.1, its images show,
its Chinese characters are drawn as glyphs, not empty boxes, even on a machine with
no Chinese font at all, and its language switch leads to the page in the other
language. Screenshots go to test-artifacts/book/ (Chinese pages: zh__*.png)."""

from __future__ import annotations

import os
import re

import pytest
from browser_support import (
    ARTIFACTS,
    artifact_dir,
    built_book,
    launch_chromium,
    require_chromium,
    serve_folder,
)

from grader.course import chapter_names, editions

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

# Draws a character on a canvas in a given font and returns its pixels as a string.
# A missing glyph is drawn as the same empty box (tofu) as an unassigned code point,
# so a Chinese character whose pixels equal U+0378's was not rendered.
GLYPHS_DIFFER_FROM_TOFU = """
async ([family, chars]) => {
  await document.fonts.ready;
  await Promise.all(chars.map(c => document.fonts.load(`32px ${family}`, c)));
  const draw = (c) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 48;
    const ctx = canvas.getContext("2d");
    ctx.font = `32px ${family}`;
    ctx.fillText(c, 4, 38);
    return Array.from(ctx.getImageData(0, 0, 48, 48).data).join(",");
  };
  const tofu = draw("\\u0378");
  return chars.filter(c => draw(c) === tofu);
}
"""

CHINESE_SAMPLE = ["客", "户", "关", "系", "管", "理", "术", "语"]
HEADING_FONT = "() => getComputedStyle(document.querySelector('article h1')).fontFamily"
# The distinct Chinese characters of the page's article, at most 400 of them.
ARTICLE_CJK = """() => Array.from(new Set(document.querySelector('article').innerText
  .match(/[\\u3400-\\u4dbf\\u4e00-\\u9fff]/g) || [])).slice(0, 400)"""
SWITCH = "() => document.querySelector('.language-switch a')"
LOADED_COURSE_FONTS = ("() => Array.from(document.fonts)"
                       ".filter(f => f.family.includes('Course CJK') && f.status === 'loaded')"
                       ".length")


@pytest.fixture(scope="module")
def site_url():
    require_chromium()
    with serve_folder(built_book()) as url:
        yield url


@pytest.fixture(scope="module")
def playwright(site_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright):
    browser = launch_chromium(playwright)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def book_pages():
    site = built_book()
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if "_static" not in p.relative_to(site).parts)


def visit(browser, url, screenshot=None):
    """Load ``url``; returns the console errors, page errors, failed and off-site requests."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))

    def only_local(route):
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            problems.append(f"off-site request: {route.request.url}")
            route.abort()

    page.route("**/*", only_local)
    page.goto(url, wait_until="networkidle", timeout=60_000)
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=True)
    return page, problems


def test_every_page_loads_cleanly_with_its_images(browser, site_url, book_pages):
    shots = artifact_dir("book")
    report = {}
    for name in book_pages:
        page, problems = visit(browser, site_url + name,
                               shots / (name.replace("/", "__").removesuffix(".html") + ".png"))
        broken_images = page.evaluate(
            "() => Array.from(document.images)"
            ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        problems += [f"image not shown: {src}" for src in broken_images]
        if problems:
            report[name] = problems
        page.close()
    assert report == {}
    assert (ARTIFACTS / "book" / "index.png").is_file()


def test_chapter_pages_show_their_plots(browser, site_url):
    for chapter in ("00_overview", "06_rfm"):
        page, _ = visit(browser, f"{site_url}chapters/{chapter}.html")
        plots = page.evaluate("() => Array.from(document.images)"
                              ".filter(i => i.src.includes('_images/') && i.naturalWidth > 300)"
                              ".length")
        assert plots >= 2, chapter
        page.close()


def test_internal_links_of_the_start_page_all_resolve(browser, site_url):
    page, _ = visit(browser, site_url + "index.html")
    links = page.evaluate("() => Array.from(document.querySelectorAll('a[href]'))"
                          ".map(a => a.href).filter(h => h.startsWith(location.origin))")
    assert any(link.endswith("glossary.html") for link in links)
    request = page.context.request
    broken = [link for link in set(links) if request.get(link.split("#")[0]).status != 200]
    assert broken == []
    page.close()


@pytest.fixture(scope="module")
def chinese_pages(book_pages):
    return [name for name in book_pages
            if name.startswith("zh/") and not name.endswith(("search.html", "genindex.html"))]


def test_the_chinese_book_has_its_start_page_glossary_and_editions(chinese_pages):
    chapters = [f"zh/chapters/{ch}.html" for ch in chapter_names() if "zh" in editions(ch)]
    assert {"zh/index.html", "zh/glossary.html", *chapters} == set(chinese_pages)


def test_every_chinese_character_of_the_chinese_pages_is_drawn(browser, site_url,
                                                                chinese_pages):
    missing = {}
    for name in chinese_pages:
        page, problems = visit(browser, site_url + name)
        family = page.evaluate(HEADING_FONT)
        chars = page.evaluate(ARTICLE_CJK)
        assert len(chars) > 20, name
        tofu = page.evaluate(GLYPHS_DIFFER_FROM_TOFU, [family, chars])
        if tofu or problems:
            missing[name] = ["".join(tofu), *problems]
        page.close()
    assert missing == {}


def test_the_switch_leads_to_the_same_page_in_the_other_language(browser, site_url):
    page, _ = visit(browser, site_url + "chapters/00_overview.html")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    english_only = page.evaluate(SWITCH + ".getAttribute('href')") == "../zh/index.html"
    page.click(".language-switch a")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    expected = "zh/index.html" if english_only else "zh/chapters/00_overview.html"
    assert page.url == site_url + expected
    page.click(".language-switch a")
    page.wait_for_load_state("networkidle")
    assert page.url == site_url + ("index.html" if english_only else "chapters/00_overview.html")
    box = page.locator(".language-switch a").bounding_box()
    assert box["y"] < 100, "the switch is at the top of the page"
    page.close()


def test_chinese_text_is_drawn_with_real_glyphs(browser, site_url):
    page, problems = visit(browser, site_url + "glossary.html")
    family = page.evaluate(HEADING_FONT)
    assert "Course CJK" in family
    assert page.evaluate(GLYPHS_DIFFER_FROM_TOFU, [family, CHINESE_SAMPLE]) == []
    width = page.evaluate("() => { const s = document.createElement('span');"
                          " s.textContent = '术语表';"
                          " document.querySelector('article h1').append(s);"
                          " return s.getBoundingClientRect().width; }")
    assert width > 20
    assert problems == []
    page.close()


def test_chinese_renders_from_the_shipped_font_without_any_system_cjk_font(playwright, site_url,
                                                                           tmp_path):
    """Chromium sees only DejaVu and Liberation (a fontconfig file of our own): the Chinese
    glyphs can then only come from the subset font the book ships in _static/fonts/."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        "<dir>/usr/share/fonts/truetype/dejavu</dir><dir>/usr/share/fonts/truetype/liberation</dir>"
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    browser = launch_chromium(playwright, env=env)
    try:
        for name in ("glossary.html", "zh/index.html"):
            shot = re.sub(r"\W+", "-", name.removesuffix(".html"))
            page, problems = visit(browser, site_url + name,
                                   ARTIFACTS / "book" / f"{shot}-without-system-cjk-fonts.png")
            # The same characters in a font stack without the web font: boxes, proving the
            # browser really has no Chinese font of its own here.
            assert page.evaluate(GLYPHS_DIFFER_FROM_TOFU, ["sans-serif", CHINESE_SAMPLE[:2]]) != []
            family, chars = page.evaluate(HEADING_FONT), page.evaluate(ARTICLE_CJK)
            assert page.evaluate(GLYPHS_DIFFER_FROM_TOFU, [family, chars]) == []
            assert page.evaluate(LOADED_COURSE_FONTS) >= 1
            assert problems == []
            page.close()
    finally:
        browser.close()
