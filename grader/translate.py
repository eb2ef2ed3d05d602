"""Editions of a chapter in other languages, generated from ``solutions/`` and a catalogue.

``solutions/NN_x/NN_x.ipynb`` (English) stays the only place where code and tests are
written. A translation catalogue per chapter and language, ``i18n/<lang>/NN_x.po``
(gettext, read and written with ``polib``, so translators can use Poedit, Weblate or any
.po editor), holds one entry per translatable *unit* of the notebook:

- each block of a Markdown cell (paragraphs, lists and tables, split at blank lines; a
  fenced code block is kept as it is);
- in code cells, each comment and each string literal that people read (one with a
  space and a letter in it: plot titles, printed sentences, hints, docstrings); column
  names, format codes and file names have no space and are never catalogued.

:func:`update` merges the English units into the catalogue: new units arrive empty, a
unit whose English changed keeps its old translation marked *fuzzy* (with the previous
English beside it), units that are gone become obsolete. :func:`build` writes the
edition's source notebook ``solutions/NN_x_<lang>/NN_x_<lang>.ipynb``: the English
notebook with every unit replaced, the same cells, grade ids, points and code, plus one
line in the set-up cell that switches ``crm_lab``'s run-time messages to the language.
It refuses a catalogue with a missing or stale (fuzzy) translation, and a translated
string that would change what code does (an f-string whose ``{…}`` fields differ, a
comment that spans lines). nbgrader then releases the edition like any chapter.

Why not sphinx-intl / Babel extraction: both extract from documents and Python modules,
not from notebook cells with nbgrader's grade ids; the catalogue format is theirs
(gettext), only the extraction is ours.
"""

from __future__ import annotations

import ast
import copy
import io
import re
import string
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat
import polib

from grader.course import COURSE_ROOT, EDITION_LANGUAGES, edition_of

__all__ = ["LANGUAGES", "Unit", "units", "update", "render", "build", "problems", "edition_name",
           "source_chapter", "code_differences", "TranslationError"]

#: Language code → what the edition's set-up cell adds, and the catalogue's language.
LANGUAGES: dict[str, dict[str, str]] = {
    "zh": {"po_language": "zh_CN",
           "setup_line": 'crm_lab.set_language("zh")  # 检查提示与报错信息以中文显示'},
}

#: nbgrader's own markers and tool directives: never translated.
_KEEP_COMMENT = re.compile(r"#\s*(#+\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)|YOUR CODE HERE|noqa"
                           r"|type:|doctest|fmt:|pragma)", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```|~~~)")
_READABLE = re.compile(r"[A-Za-z].*\s|\s.*[A-Za-z]", re.DOTALL)


class TranslationError(ValueError):
    """A catalogue that cannot make an edition: what is wrong, unit by unit."""


@dataclass(frozen=True)
class Unit:
    """One translatable piece: ``cell`` (grade_id), ``index`` within it, ``kind``, English."""

    cell: str
    index: int
    kind: str  # "text" (Markdown block), "comment" or "string" (in code)
    source: str

    @property
    def occurrence(self) -> tuple[str, str]:
        return (self.cell, str(self.index))


assert set(LANGUAGES) == set(EDITION_LANGUAGES), "grader.course.EDITION_LANGUAGES"


# -- finding units ----------------------------------------------------------------------

def _markdown_segments(text: str) -> list[tuple[bool, str]]:
    """``[(translatable, piece), ...]`` whose pieces join back to ``text`` exactly."""
    out: list[tuple[bool, str]] = []
    block: list[str] = []
    in_fence = False
    fenced = False

    def flush():
        if block:
            piece = "".join(block)
            out.append((not fenced and bool(piece.strip()), piece))
            block.clear()

    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            if not in_fence:
                flush()
                fenced = True
            in_fence = not in_fence
            block.append(line)
            if not in_fence:
                flush()
                fenced = False
            continue
        if not in_fence and not line.strip():
            flush()
            out.append((False, line))
            continue
        block.append(line)
    flush()
    # A block's trailing newline belongs to the separator, so translations need none.
    fixed: list[tuple[bool, str]] = []
    for ok, piece in out:
        if ok and piece.endswith("\n"):
            fixed += [(True, piece[:-1]), (False, "\n")]
        else:
            fixed.append((ok, piece))
    return fixed


def _code_spans(source: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` character spans of the readable comments and strings."""
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(pos):
        return starts[pos[0] - 1] + pos[1]

    spans = []
    fstring_start = None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            name = tokenize.tok_name[tok.type]
            if name == "COMMENT":
                if not _KEEP_COMMENT.match(tok.string) and re.search("[A-Za-z]{2}", tok.string):
                    spans.append((offset(tok.start), offset(tok.end), "comment"))
            elif name == "STRING":
                if _readable_literal(tok.string):
                    spans.append((offset(tok.start), offset(tok.end), "string"))
            elif name == "FSTRING_START":  # Python 3.12+: an f-string is several tokens
                fstring_start = tok.start
            elif name == "FSTRING_END" and fstring_start is not None:
                text = source[offset(fstring_start):offset(tok.end)]
                if _readable_literal(text):
                    spans.append((offset(fstring_start), offset(tok.end), "string"))
                fstring_start = None
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []  # a cell that does not tokenise is kept as it is
    return spans


def _readable_literal(literal: str) -> bool:
    try:
        node = ast.parse(literal, mode="eval").body
    except SyntaxError:
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    else:
        return False  # bytes
    return bool(_READABLE.search(text))


def _cell_id(cell) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id", "")


def units(notebook: nbformat.NotebookNode) -> list[Unit]:
    """Every translatable unit of a notebook, in order."""
    found = []
    for cell in notebook.cells:
        cid = _cell_id(cell)
        if cell.cell_type == "markdown":
            pieces = [p for ok, p in _markdown_segments(cell.source) if ok]
            found += [Unit(cid, i, "text", p) for i, p in enumerate(pieces)]
        elif cell.cell_type == "code":
            found += [Unit(cid, i, kind, cell.source[a:b])
                      for i, (a, b, kind) in enumerate(_code_spans(cell.source))]
    return found


# -- the catalogue ----------------------------------------------------------------------

def _catalogue_path(root: Path, chapter: str, lang: str) -> Path:
    return Path(root) / "i18n" / lang / f"{chapter}.po"


def edition_name(chapter: str, lang: str) -> str:
    """The edition's chapter (nbgrader assignment) name: ``06_rfm`` → ``06_rfm_zh``."""
    return f"{chapter}_{lang}"


def source_chapter(name: str) -> tuple[str, str]:
    """``(chapter, lang)`` of an edition's name; English chapters give ``(name, "en")``."""
    return edition_of(name)


_NOTES = {"text": "Markdown block", "comment": "code comment: keep the leading #, one line",
          "string": "string in code: keep the quotes, the prefix and every {field}"}


def update(chapter: str, lang: str = "zh", root: Path = COURSE_ROOT) -> Path:
    """Merge the chapter's English units into its catalogue (created if missing)."""
    root = Path(root)
    nb = nbformat.read(root / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    path = _catalogue_path(root, chapter, lang)
    po = polib.pofile(str(path)) if path.is_file() else polib.POFile(wrapwidth=0)
    po.wrapwidth = 0
    po.metadata = {"Project-Id-Version": f"crm-course {chapter}",
                   "Language": LANGUAGES[lang]["po_language"],
                   "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
                   "Content-Transfer-Encoding": "8bit"}
    old = {e.msgid: e for e in po}
    by_place = {occ: e for e in po for occ in e.occurrences}
    fresh: dict[str, polib.POEntry] = {}
    for unit in units(nb):
        entry = fresh.get(unit.source)
        if entry is None:
            entry = fresh[unit.source] = polib.POEntry(msgid=unit.source, msgstr="",
                                                       comment=_NOTES[unit.kind])
            before = old.get(unit.source)
            if before is not None and not before.obsolete:
                entry.msgstr, entry.flags = before.msgstr, list(before.flags)
                entry.previous_msgid = before.previous_msgid
            else:
                moved = by_place.get(unit.occurrence)
                if moved is not None and moved.msgstr:  # its English changed: stale
                    entry.msgstr, entry.flags = moved.msgstr, ["fuzzy"]
                    entry.previous_msgid = moved.previous_msgid or moved.msgid
        entry.occurrences.append(unit.occurrence)
    out = polib.POFile(wrapwidth=0)
    out.metadata = po.metadata
    out.extend(fresh.values())
    for gone in (e for e in po if e.msgid not in fresh and e.msgstr and not e.obsolete):
        gone.obsolete, gone.occurrences = True, []
        out.append(gone)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(str(path))
    return path


def problems(chapter: str, lang: str = "zh", root: Path = COURSE_ROOT) -> list[str]:
    """What stops the edition being built: missing, stale or unsafe translations."""
    root = Path(root)
    nb = nbformat.read(root / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    path = _catalogue_path(root, chapter, lang)
    if not path.is_file():
        return [f"{path.relative_to(root)} does not exist: run `python -m grader translate "
                f"update {chapter}`"]
    entries = {e.msgid: e for e in polib.pofile(str(path)) if not e.obsolete}
    found = []
    for unit in units(nb):
        where = f"{chapter} cell {unit.cell} #{unit.index}"
        entry = entries.get(unit.source)
        if entry is None or not entry.msgstr:
            found.append(f"{where}: no translation of {_short(unit.source)}")
        elif "fuzzy" in entry.flags:
            found.append(f"{where}: stale, the English changed since it was translated "
                         f"({_short(unit.source)})")
        else:
            found += [f"{where}: {p}" for p in _unsafe(unit, entry.msgstr)]
    return list(dict.fromkeys(found))


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= n else text[: n - 1] + "…")


def _fields(literal: str) -> list[str] | None:
    """The code inside a string literal: f-string fields, str.format and % fields."""
    try:
        node = ast.parse(literal, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.JoinedStr):
        return sorted(ast.dump(v) for v in node.values if isinstance(v, ast.FormattedValue))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            formats = [f"{{{n}:{s}}}" for _, n, s, _ in string.Formatter().parse(node.value)
                       if n is not None]
        except ValueError:
            formats = []
        # no space flag: "30% shrinkage" is prose, not a "% s" field
        percents = re.findall(r"%(?:\(\w+\))?[-#0+]*\d*(?:\.\d+)?[sdifgeEx%]", node.value)
        return sorted(formats + percents)
    return None


def _prefix(literal: str) -> str:
    return re.match(r"[A-Za-z]*", literal).group(0).lower()


def _unsafe(unit: Unit, translation: str) -> list[str]:
    if unit.kind == "comment":
        if not translation.startswith("#") or "\n" in translation:
            return ["a translated comment must start with # and stay on one line"]
    elif unit.kind == "string":
        if _prefix(translation) != _prefix(unit.source) or _fields(translation) is None:
            return ["the translation is not a string literal of the same kind"]
        if _fields(translation) != _fields(unit.source):
            return ["the translation's {fields} differ from the English ones"]
    return []


# -- building the edition ---------------------------------------------------------------

def _translate_markdown(text: str, table: dict[str, str]) -> str:
    return "".join(table[p] if ok else p for ok, p in _markdown_segments(text))


def _translate_code(source: str, table: dict[str, str]) -> str:
    out = source
    for a, b, _ in reversed(_code_spans(source)):
        out = out[:a] + table[source[a:b]] + out[b:]
    return out


def _with_language(setup: str, lang: str) -> str:
    # First, so the set-up cell's own messages are in the language and its last line (a
    # table shown, e.g. orders.head()) stays last.
    line = LANGUAGES[lang]["setup_line"]
    return f"import crm_lab\n\n{line}\n\n{setup}"


def render(chapter: str, lang: str = "zh", root: Path = COURSE_ROOT) -> nbformat.NotebookNode:
    """The edition's source notebook, built in memory; raises TranslationError."""
    root = Path(root)
    found = problems(chapter, lang, root)
    if found:
        raise TranslationError(f"{len(found)} problem(s) in {chapter}'s {lang} catalogue:\n"
                               + "\n".join(found[:40]))
    src = root / "solutions" / chapter / f"{chapter}.ipynb"
    nb = nbformat.read(src, as_version=4)
    table = {e.msgid: e.msgstr for e in polib.pofile(str(_catalogue_path(root, chapter, lang)))
             if not e.obsolete}
    out = copy.deepcopy(nb)
    first_code = True
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = _translate_markdown(cell.source, table)
        elif cell.cell_type == "code":
            cell.source = _translate_code(cell.source, table)
            if first_code:
                cell.source, first_code = _with_language(cell.source, lang), False
    out.metadata["crm_course"] = {
        "language": lang, "generated_from": f"solutions/{chapter}/{chapter}.ipynb",
        "catalogue": f"i18n/{lang}/{chapter}.po",
        "note": "generated by `python -m grader.translate build`; edit the catalogue, not this"}
    return out


def build(chapter: str, lang: str = "zh", root: Path = COURSE_ROOT) -> Path:
    """Write ``solutions/<chapter>_<lang>/<chapter>_<lang>.ipynb``; raises TranslationError."""
    out = render(chapter, lang, root)
    name = edition_name(chapter, lang)
    dest = Path(root) / "solutions" / name / f"{name}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(out, dest)
    return dest


# -- checking two editions against each other ---------------------------------------------

class _BlankText(ast.NodeTransformer):
    """Every string's text blanked: what is left is what the code does."""

    def visit_Constant(self, node):
        return ast.Constant("") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node):
        fields = [self.visit(v) for v in node.values if isinstance(v, ast.FormattedValue)]
        return ast.JoinedStr(sorted(fields, key=ast.dump))


def _code_shape(source: str, lang_line: str = "") -> str | None:
    lines = [ln for ln in source.splitlines()
             if ln.strip() not in ("import crm_lab", lang_line.strip())]
    code = "\n".join(ln for ln in lines if not ln.lstrip().startswith(("%", "!")))
    try:
        return ast.dump(_BlankText().visit(ast.parse(code)))
    except SyntaxError:
        return None


def code_differences(english: nbformat.NotebookNode, edition: nbformat.NotebookNode,
                     lang: str = "zh") -> list[str]:
    """Cells where two editions differ in anything but readable text: cell order, kind,
    nbgrader metadata, or code (strings' text and comments aside; the edition's one
    set-up line allowed)."""
    found = []
    a, b = english.cells, edition.cells
    if [_cell_id(c) for c in a] != [_cell_id(c) for c in b]:
        return ["the editions' cells differ in number or order"]
    for x, y in zip(a, b, strict=True):
        where = f"cell {_cell_id(x)}"
        if x.cell_type != y.cell_type:
            found.append(f"{where}: {x.cell_type} in English, {y.cell_type} in the edition")
        elif x.metadata.get("nbgrader") != y.metadata.get("nbgrader"):
            found.append(f"{where}: nbgrader metadata differ")
        elif x.cell_type == "code":
            line = LANGUAGES[lang]["setup_line"]
            if _code_shape(x.source) != _code_shape(y.source, line) or (
                    _code_shape(x.source) is None and x.source != y.source):
                found.append(f"{where}: the code differs, not only its text")
    return found


# -- command line: python -m grader.translate {update,check,build} [CHAPTER ...] ----------

def main(argv: list[str] | None = None) -> int:
    """``update`` the catalogues, ``check`` them, or ``build`` the editions; 1 on problems."""
    import argparse

    from grader.course import chapter_names

    parser = argparse.ArgumentParser(prog="python -m grader.translate", description=main.__doc__)
    parser.add_argument("action", choices=["update", "check", "build"])
    parser.add_argument("chapters", nargs="*", help="default: every chapter with a catalogue")
    parser.add_argument("--lang", default="zh", choices=sorted(LANGUAGES))
    parser.add_argument("--root", default=str(COURSE_ROOT))
    args = parser.parse_args(argv)
    root = Path(args.root)
    names = args.chapters or [c for c in chapter_names(root)
                              if _catalogue_path(root, c, args.lang).is_file()]
    status = 0
    for chapter in names:
        if args.action == "update":
            path = update(chapter, args.lang, root)
            left = problems(chapter, args.lang, root)
            print(f"{path.relative_to(root)}: {len(left)} unit(s) to translate or review")
        elif args.action == "check":
            left = problems(chapter, args.lang, root)
            print(f"{chapter} ({args.lang}): " + ("complete" if not left else
                                                  f"{len(left)} problem(s)"))
            for line in left:
                print(f"  {line}")
            status |= bool(left)
        else:
            try:
                print(f"wrote {build(chapter, args.lang, root).relative_to(root)}")
            except TranslationError as exc:
                print(exc, file=sys.stderr)
                status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
