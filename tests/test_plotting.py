"""Chinese text in plots: every glyph drawn from a real font, whatever matplotlib's
font cache holds, and a clear message when no Chinese font can be found."""

from __future__ import annotations

import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402

from crm_lab import plotting  # noqa: E402

CHINESE = "云雾茶舍每月注册客户数已付款订单月销售额"


@pytest.fixture(autouse=True)
def restore_rc():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def missing_glyphs(text: str, prop: font_manager.FontProperties) -> set[str]:
    """Characters of ``text`` that the font matplotlib picks for ``prop`` cannot draw."""
    font = FT2Font(font_manager.findfont(prop, fallback_to_default=False))
    return {c for c in text if not c.isspace() and font.get_char_index(ord(c)) == 0}


def draw_with_chinese() -> list[str]:
    """Draw a figure with Chinese title, labels and ticks; return matplotlib's glyph warnings."""
    fig, ax = plt.subplots()
    ax.bar(["绿茶", "红茶", "普洱"], [3, 5, 2])
    plotting.label_axes(ax, "每月注册客户数 (New customers)", "品类 (category)", "订单 (orders)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_course_style_finds_a_font_that_draws_every_chinese_character():
    family = plotting.use_course_style()
    assert family is not None
    prop = font_manager.FontProperties(family=family)
    assert missing_glyphs(CHINESE, prop) == set()
    # Text-to-path uses the same glyph lookup as the renderers: a real outline per character.
    path = TextToPath().get_text_path(prop, CHINESE)
    assert len(path[0]) > 20 * len(CHINESE)


def test_figure_with_chinese_labels_draws_without_missing_glyph_warnings():
    plotting.use_course_style()
    assert draw_with_chinese() == []


def test_font_is_registered_even_when_the_font_cache_predates_it(monkeypatch):
    """matplotlib never rescans its cache: simulate one built before any CJK font existed."""
    stale = [f for f in font_manager.fontManager.ttflist
             if "CJK" not in f.name and "Han" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    font_manager.fontManager._findfont_cached.cache_clear()
    try:
        family = plotting.use_course_style()
        assert family is not None
        assert missing_glyphs(CHINESE, font_manager.FontProperties(family=family)) == set()
        assert draw_with_chinese() == []
    finally:
        font_manager.fontManager._findfont_cached.cache_clear()


def test_no_cjk_font_warns_with_the_ways_to_get_one(monkeypatch):
    monkeypatch.setattr(plotting, "find_cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="No Chinese") as caught:
        assert plotting.use_course_style() is None
    message = str(caught[0].message)
    for remedy in ("pip install mplfonts", "fonts-noto-cjk", "CRM_CJK_FONT"):
        assert remedy in message


def test_find_cjk_font_is_none_when_nothing_is_installed(monkeypatch):
    monkeypatch.delenv("CRM_CJK_FONT", raising=False)
    monkeypatch.setattr(plotting, "_mplfonts_font", lambda: None)
    monkeypatch.setattr(plotting, "_system_font", lambda: None)
    assert plotting.find_cjk_font() is None


def test_find_cjk_font_prefers_the_file_named_by_crm_cjk_font(monkeypatch, tmp_path):
    font = plotting._mplfonts_font()
    if font is None:
        pytest.skip("mplfonts is not installed")
    copy = tmp_path / "my-font.otf"
    copy.write_bytes(font.read_bytes())
    monkeypatch.setenv("CRM_CJK_FONT", str(copy))
    assert plotting.find_cjk_font() == copy


def test_crm_cjk_font_naming_no_file_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("CRM_CJK_FONT", str(tmp_path / "nothing.ttf"))
    with pytest.raises(FileNotFoundError, match="CRM_CJK_FONT"):
        plotting.find_cjk_font()


def test_the_course_font_is_the_freely_licensed_noto_not_simhei():
    font = plotting._mplfonts_font()
    if font is None:
        pytest.skip("mplfonts is not installed")
    assert font.name == "NotoSansCJKsc-Regular.otf"


def test_course_style_places_titles_without_measuring_tick_labels():
    """axes.titley = 1.0 draws the same image as matplotlib's automatic placement for the
    course's plots (no tick labels on top), without measuring the tick labels each draw."""
    import io

    import matplotlib
    import matplotlib.pyplot as plt

    def png(titley):
        with matplotlib.rc_context({"axes.titley": titley}):
            fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
            left.plot(range(5))
            right.bar(range(3), [3, 1, 2])
            plotting.label_axes(left, "Revenue (收入)", "month", "CNY")
            plotting.label_axes(right, "Orders", "channel", "orders")
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", bbox_inches="tight")
            plt.close(fig)
            return buffer.getvalue()

    plotting.use_course_style()
    assert matplotlib.rcParams["axes.titley"] == 1.0
    assert png(1.0) == png(None)
