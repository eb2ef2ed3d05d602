"""Editions in other languages: units found in a notebook, the catalogue's life cycle
(missing → translated → stale when the English changes), the built edition (same cells,
grade ids and code; only readable text differs), and crm_lab's run-time language."""

from __future__ import annotations

import nbformat
import polib
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import crm_lab
from crm_lab import i18n
from grader import translate

CHAPTER = "98_demo"


def _meta(grade_id, **kw):
    return {"nbgrader": {"grade_id": grade_id, "grade": False, "solution": False,
                         "locked": True, "schema_version": 3, **kw}}


def demo_notebook() -> nbformat.NotebookNode:
    return new_notebook(cells=[
        new_markdown_cell("# Chapter 98 · A demo\n\nOne paragraph.\n\n```python\nx = 1\n```",
                          metadata=_meta("text_01")),
        new_code_cell('import pandas as pd\nfrom crm_lab import checks\n'
                      'df = pd.DataFrame({"customer_id": ["C1"]})  # the shop\'s customers',
                      metadata=_meta("code_02")),
        new_code_cell('def top(n):\n    """The n best customers."""\n    ### BEGIN SOLUTION\n'
                      '    return n\n    ### END SOLUTION',
                      metadata=_meta("top", solution=True, locked=False)),
        new_code_cell('"""top: gives n back."""\nn = 3\nprint(f"{n} customers in the top group")\n'
                      'assert top(n) == n, "top should return n."',
                      metadata=_meta("test_top", grade=True, points=1)),
    ])


ZH = {
    "# Chapter 98 · A demo": "# 第 98 章 · 示例",
    "One paragraph.": "一段文字。",
    "# the shop's customers": "# 店铺的客户",
    '"""The n best customers."""': '"""价值最高的 n 位客户。"""',
    '"""top: gives n back."""': '"""top：返回 n。"""',
    'f"{n} customers in the top group"': 'f"头部客户共 {n} 位"',
    '"top should return n."': '"top 应当返回 n。"',
}


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "solutions" / CHAPTER
    folder.mkdir(parents=True)
    nbformat.write(demo_notebook(), folder / f"{CHAPTER}.ipynb")
    return tmp_path


def _translate_all(course, table=ZH):
    path = translate.update(CHAPTER, root=course)
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = table[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()
    return path


def test_units_are_prose_comments_and_readable_strings_never_code_or_markers():
    found = {(u.cell, u.kind, u.source) for u in translate.units(demo_notebook())}
    assert {u[2] for u in found} == set(ZH)
    assert ("text_01", "text", "One paragraph.") in found
    assert not any("BEGIN SOLUTION" in s or "customer_id" == s.strip('"') for _, _, s in found)


def test_a_new_catalogue_lists_every_unit_untranslated(course):
    translate.update(CHAPTER, root=course)
    problems = translate.problems(CHAPTER, root=course)
    assert len(problems) == len(ZH) and all("no translation" in p for p in problems)
    with pytest.raises(translate.TranslationError, match="7 problem"):
        translate.build(CHAPTER, root=course)


def test_the_edition_has_the_same_cells_and_code_with_the_text_translated(course):
    _translate_all(course)
    assert translate.problems(CHAPTER, root=course) == []
    path = translate.build(CHAPTER, root=course)
    assert path == course / "solutions" / f"{CHAPTER}_zh" / f"{CHAPTER}_zh.ipynb"
    zh = nbformat.read(path, as_version=4)
    en = demo_notebook()
    assert translate.code_differences(en, zh) == []
    assert zh.cells[0].source == "# 第 98 章 · 示例\n\n一段文字。\n\n```python\nx = 1\n```"
    assert 'f"头部客户共 {n} 位"' in zh.cells[3].source
    assert "### BEGIN SOLUTION" in zh.cells[2].source
    assert 'crm_lab.set_language("zh")' in zh.cells[1].source
    namespace = {}
    for cell in zh.cells[1:]:
        exec(cell.source, namespace)  # the translated code still runs
    crm_lab.set_language("en")


def test_changed_english_makes_its_translation_stale_not_lost(course):
    _translate_all(course)
    nb = demo_notebook()
    nb.cells[0].source = nb.cells[0].source.replace("One paragraph.", "One new paragraph.")
    nbformat.write(nb, course / "solutions" / CHAPTER / f"{CHAPTER}.ipynb")
    path = translate.update(CHAPTER, root=course)
    problems = translate.problems(CHAPTER, root=course)
    assert len(problems) == 1 and "stale" in problems[0] and "text_01" in problems[0]
    entry = polib.pofile(str(path)).find("One new paragraph.")
    assert entry.msgstr == "一段文字。" and entry.previous_msgid == "One paragraph."


def test_a_translation_that_would_change_the_code_is_refused(course):
    bad = dict(ZH)
    bad['f"{n} customers in the top group"'] = 'f"头部客户共 {n + 1} 位"'
    bad["# the shop's customers"] = "店铺的客户"
    _translate_all(course, bad)
    problems = translate.problems(CHAPTER, root=course)
    assert any("{fields} differ" in p for p in problems)
    assert any("must start with #" in p for p in problems)


def test_code_that_differs_beyond_its_text_is_reported():
    en, zh = demo_notebook(), demo_notebook()
    zh.cells[3].source = zh.cells[3].source.replace("n = 3", "n = 4")
    assert translate.code_differences(en, zh) == ["cell test_top: the code differs, not only "
                                                  "its text"]
    zh = demo_notebook()
    zh.cells = zh.cells[:-1]
    assert translate.code_differences(en, zh)


def test_edition_names_map_back_to_their_chapter():
    assert translate.edition_name("06_rfm", "zh") == "06_rfm_zh"
    assert translate.source_chapter("06_rfm_zh") == ("06_rfm", "zh")
    assert translate.source_chapter("06_rfm") == ("06_rfm", "en")


def test_crm_lab_speaks_the_language_it_is_set_to(monkeypatch):
    try:
        crm_lab.set_language("zh")
        assert i18n.tr("{name} returned None.", name="f()") == "f() 返回了 None。"
        assert i18n.tr("An untranslated {thing}.", thing="message") == "An untranslated message."
        crm_lab.set_language("en")
        assert i18n.tr("{name} returned None.", name="f()") == "f() returned None."
        with pytest.raises(ValueError, match="choose one of"):
            crm_lab.set_language("fr")
        monkeypatch.setenv("CRM_LAB_LANGUAGE", "zh_CN")
        i18n._state["language"] = None
        assert i18n.language() == "zh"
    finally:
        crm_lab.set_language("en")


def test_crm_lab_catalogue_entries_keep_their_fields():
    import re

    po = polib.pofile(str(i18n._LOCALE / "zh.po"))
    for entry in po:
        assert entry.msgstr, entry.msgid
        assert sorted(re.findall(r"{\w*[^}]*}", entry.msgid)) == sorted(
            re.findall(r"{\w*[^}]*}", entry.msgstr)), entry.msgid


def _tr_messages(package_dir) -> dict[str, str]:
    """Every literal message passed to crm_lab.i18n.tr in a package: message -> file."""
    import ast

    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            position = {"tr": 0, "tr_in": 1}.get(getattr(getattr(node, "func", None), "id", ""))
            if (isinstance(node, ast.Call) and position is not None
                    and len(node.args) > position
                    and isinstance(node.args[position], ast.Constant)):
                found[node.args[position].value] = path.name
    return found


def test_every_run_time_message_has_a_chinese_translation(root):
    po = {e.msgid for e in polib.pofile(str(i18n._LOCALE / "zh.po")) if e.msgstr}
    messages = {**_tr_messages(root / "crm_lab"), **_tr_messages(root / "grader"),
                "your answer": "grader/compare.py (default of what=)"}
    assert len(messages) > 30
    missing = {m: f for m, f in messages.items() if m not in po}
    assert not missing, f"add these to crm_lab/locale/zh.po: {missing}"


def test_a_failed_check_speaks_the_notebook_s_language():
    import pandas as pd

    from crm_lab import checks

    try:
        crm_lab.set_language("zh")
        with pytest.raises(checks.CheckFailed, match="(?s)缺少列.*提示：看看 groupby"):
            checks.check_frame(pd.DataFrame({"a": [1]}), "t", columns=["b"],
                               hint="看看 groupby")
        crm_lab.set_language("en")
        with pytest.raises(checks.CheckFailed, match="is missing the column"):
            checks.check_frame(pd.DataFrame({"a": [1]}), "t", columns=["b"])
    finally:
        crm_lab.set_language("en")


# -- the course's own editions -------------------------------------------------------------

from grader.course import chapter_names, editions  # noqa: E402


@pytest.mark.parametrize("chapter", chapter_names())
def test_every_chapter_has_a_complete_current_chinese_edition(root, chapter):
    """Missing or stale translations fail; so does an edition file older than its sources."""
    if not (root / "i18n" / "zh" / f"{chapter}.po").is_file():
        pytest.xfail(f"{chapter} has no Chinese catalogue yet (python -m grader.translate "
                     f"update {chapter})")
    assert translate.problems(chapter, root=root) == []
    name = translate.edition_name(chapter, "zh")
    on_disk = nbformat.read(root / "solutions" / name / f"{name}.ipynb", as_version=4)
    assert translate.render(chapter, root=root) == on_disk, (
        f"solutions/{name} is not what the catalogue builds: python -m grader.translate "
        f"build {chapter}")


@pytest.mark.parametrize("chapter", chapter_names())
def test_editions_differ_only_in_their_text(root, chapter):
    found = editions(chapter, root)
    if "zh" not in found:
        pytest.xfail(f"{chapter} has no Chinese edition yet")
    en = nbformat.read(root / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    zh = nbformat.read(root / "solutions" / found["zh"] / f"{found['zh']}.ipynb", as_version=4)
    assert translate.code_differences(en, zh) == []


def test_hidden_tests_messages_follow_the_notebook_s_language():
    import pandas as pd

    from grader.compare import assert_same_table

    want = pd.DataFrame({"customer_id": ["C1", "C2"], "frequency": [1, 2]})
    try:
        crm_lab.set_language("zh")
        with pytest.raises(AssertionError, match="列 'frequency' 在 2 行中有 1 行不对"):
            assert_same_table(want.assign(frequency=[1, 3]), want, key="customer_id")
    finally:
        crm_lab.set_language("en")
    with pytest.raises(AssertionError, match="column 'frequency' differs in 1 of 2 rows"):
        assert_same_table(want.assign(frequency=[1, 3]), want, key="customer_id")


def test_jupyterlab_can_show_its_own_menus_in_chinese():
    """The language pack the course installs is one JupyterLab's settings can switch to."""
    from jupyterlab_server.translation_utils import get_language_packs

    packs, problems = get_language_packs()
    assert "zh_CN" in packs and not problems


def test_a_bad_data_file_is_explained_in_the_notebook_s_language():
    import pandas as pd

    from crm_lab.data import schema, validate_table

    bad = pd.DataFrame({"product_id": ["P1"], "name_zh": ["茶"], "name_en": ["tea"],
                        "category": ["coffee"], "list_price_cny": [-1.0]})
    try:
        crm_lab.set_language("zh")
        with pytest.raises(ValueError) as raised:
            validate_table("products", bad)
        message = str(raised.value)
        assert "表 'products' 中有 2 处问题" in message and "为负数" in message
        assert "第 0 行（product_id P1，值 -1.0）" in message
    finally:
        crm_lab.set_language("en")
    # every phrase the table rules put into messages has its translation
    po = {e.msgid for e in polib.pofile(str(i18n._LOCALE / "zh.po")) if e.msgstr}
    phrases = {getattr(rule, attr) for rules in schema.TABLE_RULES.values() for rule in rules
               for attr in ("rows", "words") if hasattr(rule, attr)}
    assert phrases and phrases <= po
