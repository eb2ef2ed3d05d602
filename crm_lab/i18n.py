"""The language of what ``crm_lab`` prints: formative checks, loaders' errors, warnings.

English by default. A chapter's edition in another language switches once, in its
set-up cell, with ``crm_lab.set_language("zh")`` (or a class sets the environment
variable ``CRM_LAB_LANGUAGE=zh`` for every kernel). Messages are written in English in
the code, as templates with named fields, and looked up in a gettext catalogue per
language, ``crm_lab/locale/<lang>.po``; a message the catalogue lacks is shown in
English, so a missing translation never hides a message (a test keeps the catalogue
complete).

>>> set_language("zh")
>>> tr("{name} returned None.", name="rfm_table(orders)")
'rfm_table(orders) 返回了 None。'
>>> set_language("en")
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

__all__ = ["LANGUAGES", "set_language", "language", "tr", "tr_in"]

#: Languages with a catalogue, and English (the messages as written).
LANGUAGES = ("en", "zh")

_LOCALE = Path(__file__).resolve().parent / "locale"
_state = {"language": None}


def set_language(lang: str | None) -> None:
    """Show ``crm_lab``'s messages in ``lang`` (``"en"`` or ``"zh"``) from now on; ``None``
    goes back to the default ($CRM_LAB_LANGUAGE, else English), read when next needed."""
    if lang is None:
        _state["language"] = None
        return
    lang = str(lang).strip().lower().replace("_", "-")
    lang = {"zh-cn": "zh", "zh-hans": "zh", "cn": "zh", "english": "en"}.get(lang, lang)
    if lang not in LANGUAGES:
        raise ValueError(f"no messages in language {lang!r}; choose one of {list(LANGUAGES)}")
    _state["language"] = lang


def language() -> str:
    """The language messages are shown in (set_language, else $CRM_LAB_LANGUAGE, else en)."""
    if _state["language"] is None:
        try:
            set_language(os.environ.get("CRM_LAB_LANGUAGE") or "en")
        except ValueError:
            _state["language"] = "en"
    return _state["language"]


@lru_cache(maxsize=len(LANGUAGES))
def _catalogue(lang: str) -> dict[str, str]:
    path = _LOCALE / f"{lang}.po"
    if lang == "en" or not path.is_file():
        return {}
    import polib  # only when a translation is asked for

    return {e.msgid: e.msgstr for e in polib.pofile(str(path))
            if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}


def tr(message: str, /, **fields) -> str:
    """``message`` (an English template with ``{named}`` fields) in the current language,
    with ``fields`` filled in."""
    return tr_in(language(), message, **fields)


def tr_in(lang: str, message: str, /, **fields) -> str:
    """:func:`tr` in a given language, e.g. an instructor's tool writing a student's feedback."""
    template = _catalogue(lang).get(message, message)
    return template.format(**fields) if fields else template
