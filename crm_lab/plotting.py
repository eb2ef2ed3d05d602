"""The course's plot style, with a font that draws Chinese (中文) labels.

Call :func:`use_course_style` once at the top of a chapter. It sets seaborn's
theme and registers a CJK font with matplotlib explicitly, because matplotlib's
font cache never rescans: a font installed after the cache was built is
otherwise ignored and Chinese text comes out as empty boxes.

Where the font comes from, first hit wins:

1. the file named by the environment variable ``CRM_CJK_FONT``;
2. Noto Sans CJK SC shipped in the ``mplfonts`` package (a course dependency,
   SIL Open Font Licence; its SimHei file is not freely licensed and never used);
3. a CJK font installed on the system (Noto/Source Han Sans, WenQuanYi,
   Microsoft YaHei, PingFang, Hiragino Sans GB, Heiti).
"""

from __future__ import annotations

import importlib.util
import os
import re
import warnings
from pathlib import Path

from crm_lab.i18n import tr

__all__ = ["find_cjk_font", "use_course_style", "label_axes", "label_bars", "NO_CJK_FONT_HELP"]

NO_CJK_FONT_HELP = (
    "No Chinese (CJK) font found: Chinese labels will be drawn as empty boxes. "
    "Fix it with one of: `pip install mplfonts` (ships Noto Sans CJK SC); "
    "`sudo apt install fonts-noto-cjk` (Debian/Ubuntu); or set the environment "
    "variable CRM_CJK_FONT to the path of a .ttf/.otf/.ttc font that has Chinese glyphs."
)

# File-name fragments of common CJK fonts, most preferred first (compared without "-_ ").
_SYSTEM_CJK_HINTS = (
    "notosanscjk",
    "notosanssc",
    "sourcehansans",
    "wqyzenhei",
    "wqymicrohei",
    "msyh",
    "pingfang",
    "hiraginosansgb",
    "stheiti",
    "notoserifcjk",
)


def _mplfonts_font() -> Path | None:
    # find_spec does not execute mplfonts (whose import pulls in its CLI deps).
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "fonts" / "NotoSansCJKsc-Regular.otf"
        if path.is_file():
            return path
    return None


def _system_font() -> Path | None:
    from matplotlib import font_manager

    def squash(path: str) -> str:
        return re.sub(r"[-_ ]", "", Path(path).name.lower())

    names = {squash(p): Path(p) for p in sorted(font_manager.findSystemFonts())}
    for hint in _SYSTEM_CJK_HINTS:
        for name, path in names.items():
            if hint in name:
                return path
    return None


def find_cjk_font() -> Path | None:
    """Return the path of a font file with Chinese glyphs, or ``None``.

    >>> path = find_cjk_font()  # doctest: +SKIP
    >>> path.name  # doctest: +SKIP
    'NotoSansCJKsc-Regular.otf'
    """
    override = os.environ.get("CRM_CJK_FONT")
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise FileNotFoundError(tr("CRM_CJK_FONT={path!r} is not a font file.",
                                       path=override))
        return path
    return _mplfonts_font() or _system_font()


def use_course_style(context: str = "notebook") -> str | None:
    """Set the course's plot style and a Chinese-capable font.

    Returns the font family name now used for text, or ``None`` (with a
    warning that says how to install a font) when no CJK font was found.

    >>> use_course_style()  # doctest: +SKIP
    'Noto Sans CJK SC'
    """
    import matplotlib as mpl
    import seaborn as sns
    from matplotlib import font_manager

    sns.set_theme(context=context, style="whitegrid", palette="deep")
    family = None
    path = find_cjk_font()
    if path is not None:
        key = str(path)
        # Ask the font manager itself (not a cache of ours): it may have been rebuilt since.
        if not any(entry.fname == key for entry in font_manager.fontManager.ttflist):
            font_manager.fontManager.addfont(key)
        family = font_manager.FontProperties(fname=key).get_name()
        mpl.rcParams["font.sans-serif"] = [family, *mpl.rcParams["font.sans-serif"]]
        mpl.rcParams["font.family"] = "sans-serif"
    else:
        warnings.warn(tr(NO_CJK_FONT_HELP), stacklevel=2)
    # The CJK font has no true minus sign; use the ASCII hyphen for negative ticks.
    mpl.rcParams["axes.unicode_minus"] = False
    # Titles sit at the top of their axes, where matplotlib puts them anyway unless tick
    # labels are drawn on top (no course plot does): the default (None) measures every tick
    # label of every axes at each draw to decide, a fifth of the time a notebook's figures
    # take to appear, for the same image.
    mpl.rcParams["axes.titley"] = 1.0
    mpl.rcParams["figure.figsize"] = (8, 4.5)
    mpl.rcParams["figure.dpi"] = 100
    return family


def label_axes(ax, title: str, xlabel: str, ylabel: str):
    """Give a plot its title and axis labels (with units) in one call; returns ``ax``.

    >>> import matplotlib.pyplot as plt
    >>> ax = label_axes(plt.figure().gca(), "Revenue by month", "month", "revenue (CNY)")
    >>> ax.get_ylabel()
    'revenue (CNY)'
    """
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def label_bars(ax, x, heights, labels, *, fontsize: float = 9, headroom: float = 0.12):
    """Write ``labels`` just above bars (at ``x``, tops at ``heights``); returns ``ax``.

    Raises the top of the y axis to leave ``headroom`` (a fraction of the axis's
    height) above the tallest labelled bar, so the tallest bar's label stays inside
    the axes: matplotlib's autoscaling only sees the bars, not text drawn above them.

    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure()
    >>> bars = fig.gca().bar([1, 2], [5, 9])
    >>> ax = label_bars(fig.gca(), [2], [9], ["peak"])
    >>> round(float(ax.get_ylim()[1]), 2)  # 9 / (1 - 0.12): room for the label above 9
    10.23
    >>> fig.canvas.draw()
    >>> bool(ax.texts[0].get_window_extent().y1 <= ax.get_window_extent().y1)
    True
    """
    heights = [float(h) for h in heights]
    for xi, height, text in zip(x, heights, labels, strict=True):
        ax.annotate(
            text,
            (xi, height),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=fontsize,
        )
    if heights:
        low, high = ax.get_ylim()
        # the tallest label's top sits at most (1 - headroom) of the way up the axis
        needed = low + (max(heights) - low) / (1 - headroom)
        if needed > high:
            ax.set_ylim(low, needed)
    return ax
