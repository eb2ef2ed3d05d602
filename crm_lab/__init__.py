"""crm_lab: the helper package of the crm-course labs (电子商务客户关系管理).

Modules, each named after what it helps with:

- :mod:`crm_lab.data`     the fictional shop 云雾茶舍 (Yunwu Tea House): generator and loaders
- :mod:`crm_lab.plotting` the course's plot style (with a Chinese font) and small plot helpers
- :mod:`crm_lab.checks`   formative checks that run right after an exercise, with hints
- :mod:`crm_lab.customers` customer analysis: stages, value classes, profit costs, Lorenz curve
- :mod:`crm_lab.information` customer information: regions, PIPL masks, cleaning, a DuckDB mart
- :mod:`crm_lab.membership` the membership programme's rules (tiers, earn rates, points)
- :mod:`crm_lab.rfm`      the RFM chapter's fixed vocabulary (segment names, actions)
- :mod:`crm_lab.satisfaction` the post-purchase survey's questionnaire, CSI weights, NPS cut-offs
- :mod:`crm_lab.service`  customer-service tools: a queue simulator for call centres
- :mod:`crm_lab.glossary` the key terms of every chapter (English, 中文, definition), kept once
- :mod:`crm_lab.i18n`     the language of crm_lab's messages: ``crm_lab.set_language("zh")``

Submodules are imported on use, so ``import crm_lab`` stays cheap.
"""

__version__ = "0.1.0"
_SUBMODULES = [
    "checks",
    "customers",
    "data",
    "glossary",
    "i18n",
    "information",
    "membership",
    "plotting",
    "rfm",
    "satisfaction",
    "service",
]
__all__ = [*_SUBMODULES, "set_language"]


def set_language(lang: str) -> None:
    """Show crm_lab's messages (checks, hints, errors) in ``lang``: ``"en"`` or ``"zh"``."""
    from crm_lab.i18n import set_language as _set

    _set(lang)


def __getattr__(name):  # lazy submodules: a grading kernel imports only what it needs
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"crm_lab.{name}")
    raise AttributeError(f"module 'crm_lab' has no attribute {name!r}")
