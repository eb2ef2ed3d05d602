"""A plagiarism screen: pairs of students whose answer cells are suspiciously alike.

Each answer cell (nbgrader ``solution`` cell) is reduced to a token stream
that survives the usual disguises — Python's :mod:`tokenize`, comments and
layout dropped, variable names → ``V``, strings → ``S``, numbers → ``N``
(attribute and method names after a dot are kept: they are the structure, not
a disguise) — then to fingerprints by winnowing k-gram hashes (Schleimer,
Wilkerson & Aiken 2003, the method behind MOSS). Fingerprints of the release's
stub of the same cell are ignored; optionally (``common_share``), so are
fingerprints shared by more than that share of a class of six or more (common
idioms — off by default, since a solution copied by most of the class would
vanish with them). Pairs are
ranked by the weighted Jaccard similarity of their fingerprints over all
cells. Written (markdown) answers are compared as lower-cased words.

Why not a library: the well-known tools (MOSS, JPlag) are web services or Java
programs; the method itself is a few dozen lines on the standard library.

A high score is a reason to look, not a verdict: short cells and the worked
solution circulating in a class both produce honest matches.
"""

from __future__ import annotations

import html
import io
import keyword
import re
import tokenize
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd

from grader.autograde.config import course_directory, load_config
from grader.autograde.submissions import locate_notebook, student_ids
from grader.course import COURSE_ROOT, edition_of, editions

__all__ = ["normalised_tokens", "fingerprints", "answer_cells", "similar_pairs",
           "write_similarity_report", "K_GRAM", "WINDOW"]

K_GRAM = 5    # tokens per hashed k-gram
WINDOW = 4    # k-grams per winnowing window: any match of K_GRAM + WINDOW - 1 tokens is found
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
         tokenize.ENCODING, tokenize.ENDMARKER}
_WORD = re.compile(r"\w+", re.UNICODE)


def normalised_tokens(source: str, language: str = "python") -> list[str]:
    """Tokens with names, strings and numbers replaced by placeholders.

    >>> normalised_tokens("total = df.groupby('k')['x'].sum()  # sum it")
    ['V', '=', 'V', '.', 'groupby', '(', 'S', ')', '[', 'S', ']', '.', 'sum', '(', ')']
    """
    if language != "python":
        return [w.lower() for w in _WORD.findall(source)]
    out: list[str] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in _SKIP:
                continue
            if tok.type == tokenize.NAME:
                attribute = bool(out) and out[-1] == "."
                out.append(tok.string if keyword.iskeyword(tok.string) or attribute else "V")
            elif tok.type == tokenize.STRING:
                out.append("S")
            elif tok.type == tokenize.NUMBER:
                out.append("N")
            else:
                out.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        # Code that does not tokenise (unfinished answers) is compared word by word.
        return [w.lower() for w in _WORD.findall(source)]
    return out


def fingerprints(tokens: list[str], k: int = K_GRAM, window: int = WINDOW) -> set[int]:
    """Winnowed k-gram hashes (CRC-32, deterministic across runs) of a token list."""
    if len(tokens) < k:
        return set()
    hashes = [zlib.crc32("\x1f".join(tokens[i:i + k]).encode("utf-8"))
              for i in range(len(tokens) - k + 1)]
    if len(hashes) <= window:
        return {min(hashes)}
    chosen = set()
    for i in range(len(hashes) - window + 1):
        chosen.add(min(hashes[i:i + window]))
    return chosen


@dataclass
class _Cell:
    source: str
    prints: set[int]


def answer_cells(nb) -> dict[str, tuple[str, str]]:
    """grade_id → (source, language) of each answer (solution) cell of a notebook."""
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id"):
            language = "python" if cell.cell_type == "code" else "text"
            out[meta["grade_id"]] = (cell.source, language)
    return out


def _class_cells(chapter: str, root: Path) -> tuple[dict[str, dict[str, _Cell]], list[str]]:
    """Every student's answer cells, across the chapter's editions (English, 中文 …): their
    code and grade ids are the same, so a copy from one edition into the other shows."""
    coursedir = course_directory(root, load_config(root))
    submitted = Path(coursedir.root) / coursedir.submitted_directory
    cells, skipped, when = {}, [], {}
    for name in editions(edition_of(chapter)[0], root).values() or [chapter]:
        release = Path(coursedir.format_path(coursedir.release_directory, ".", name))
        stubs = {gid: fingerprints(normalised_tokens(src, lang)) for gid, (src, lang)
                 in answer_cells(nbformat.read(str(release / f"{name}.ipynb"), 4)).items()}
        for student in student_ids(submitted, name):
            located = locate_notebook(submitted / student / name, name)
            try:
                nb = nbformat.read(str(located.path), as_version=4)
            except Exception:
                skipped.append(student)
                continue
            if when.get(student, -1) > located.path.stat().st_mtime:
                continue  # both editions submitted: the later one counts, as in export
            when[student] = located.path.stat().st_mtime
            cells[student] = {
                gid: _Cell(src, fingerprints(normalised_tokens(src, lang)) - stubs.get(gid, set()))
                for gid, (src, lang) in answer_cells(nb).items()}
    return cells, skipped


def _drop_common(cells: dict[str, dict[str, _Cell]], share: float | None) -> None:
    if share is None or len(cells) < 6:
        return
    per_cell: dict[str, Counter] = {}
    for student_cells in cells.values():
        for gid, cell in student_cells.items():
            per_cell.setdefault(gid, Counter()).update(cell.prints)
    limit = share * len(cells)
    for student_cells in cells.values():
        for gid, cell in student_cells.items():
            cell.prints = {p for p in cell.prints if per_cell[gid][p] <= limit}


def similar_pairs(chapter: str, root: Path = COURSE_ROOT, common_share: float | None = None,
                  min_fingerprints: int = 4) -> tuple[pd.DataFrame, dict]:
    """Every pair of students, most similar first, and their cells.

    Columns: ``student_a``, ``student_b``, ``similarity`` (weighted Jaccard of
    fingerprints over cells, 0–1), ``shared`` (fingerprints in common),
    ``alike_cells`` (grade_ids whose own Jaccard is ≥ 0.5). Cells with fewer than
    ``min_fingerprints`` fingerprints on both sides are too short to judge and
    are left out. Returns the table and ``{student: {grade_id: _Cell}}``.
    """
    cells, _ = _class_cells(chapter, Path(root).resolve())
    _drop_common(cells, common_share)
    students = sorted(cells)
    rows = []
    for i, a in enumerate(students):
        for b in students[i + 1:]:
            shared = union = 0
            alike = []
            for gid in sorted(set(cells[a]) & set(cells[b])):
                pa, pb = cells[a][gid].prints, cells[b][gid].prints
                if max(len(pa), len(pb)) < min_fingerprints:
                    continue
                inter, uni = len(pa & pb), len(pa | pb)
                shared, union = shared + inter, union + uni
                if uni and inter / uni >= 0.5:
                    alike.append(gid)
            rows.append({"student_a": a, "student_b": b,
                         "similarity": shared / union if union else 0.0,
                         "shared": shared, "alike_cells": " ".join(alike)})
    table = pd.DataFrame(rows, columns=["student_a", "student_b", "similarity", "shared",
                                        "alike_cells"])
    table = table.sort_values(["similarity", "shared"], ascending=False, ignore_index=True)
    return table, cells


def write_similarity_report(chapter: str, target_html: Path, root: Path = COURSE_ROOT,
                            top: int = 20, threshold: float = 0.5,
                            common_share: float | None = None) -> tuple[Path, Path]:
    """Write the ranked pairs as CSV (all pairs) and HTML (the ``top`` pairs at or above
    ``threshold``, matching cells side by side). Returns (html path, csv path)."""
    table, cells = similar_pairs(chapter, root, common_share=common_share)
    target_html = Path(target_html)
    target_html.parent.mkdir(parents=True, exist_ok=True)
    csv_path = target_html.with_suffix(".csv")
    table.to_csv(csv_path, index=False)
    flagged = table[table["similarity"] >= threshold].head(top)
    parts = []
    for _, row in flagged.iterrows():
        a, b = row.student_a, row.student_b
        blocks = "".join(
            f"<h4><code>{html.escape(gid)}</code></h4><table><tr>"
            f"<td><pre>{html.escape(cells[a][gid].source)}</pre></td>"
            f"<td><pre>{html.escape(cells[b][gid].source)}</pre></td></tr></table>"
            for gid in row.alike_cells.split())
        parts.append(f"<h3>{html.escape(a)} ~ {html.escape(b)}: similarity "
                     f"{row.similarity:.2f} ({row.shared} shared fingerprints)</h3>{blocks}")
    body = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{chapter}: similar submissions</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto}}
td{{vertical-align:top;border:1px solid #ccc;width:50%}}pre{{white-space:pre-wrap}}</style>
</head><body><h1>{chapter}: similar submissions</h1>
<p>{len(cells)} submissions, {len(table)} pairs; {len(flagged)} at or above {threshold:g}
shown (all pairs in <code>{html.escape(csv_path.name)}</code>). Names, strings, numbers,
comments and layout are ignored, and so is the release's stub code. A match is a reason to
look, not a verdict.</p>{''.join(parts) or '<p>No pair above the threshold.</p>'}
</body></html>"""
    target_html.write_text(body, encoding="utf-8")
    return target_html, csv_path
