"""HTML feedback per student that never shows the hidden tests.

nbgrader's ``generate_feedback`` renders the autograded notebook, hidden tests
and all (nbgrader #917); adding ``ClearHiddenTests`` hides the cell's source,
but a failing hidden ``assert`` still prints its own line in the traceback.
Here, before rendering with nbgrader's feedback template and scores:

- each autograded test cell gets back the source students received (the
  release in ``chapters/``: visible checks only);
- an error in a test cell keeps its message (``ename: evalue`` — the hint the
  check or comparison wrote for students) and the traceback frames in the
  student's own cells; frames in the test cell and in instructors' code
  (``grader/``) are dropped;
- a summary at the top lists each autograded question, its points and, for a
  failed one, the message with its hint;
- last, a guard: if any line of a hidden test (one that students never
  received) is found in the HTML, the file is not written and an error says so.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat.v4 import new_markdown_cell
from nbgrader import utils
from nbgrader.preprocessors import GetGrades
from traitlets.config import Config

from crm_lab.i18n import tr_in
from grader.autograde.config import course_directory, load_config
from grader.autograde.scoring import grade_cell
from grader.autograde.status import GRADED, read_status
from grader.course import COURSE_ROOT, edition_of, editions

__all__ = ["generate_feedback", "hidden_test_lines", "clean_notebook", "HiddenTestLeak"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_FRAME = re.compile(r"^\s*Cell In\[(\d+)\]")
_TAG = re.compile(r"<[^>]+>")
_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.DOTALL)


class HiddenTestLeak(RuntimeError):
    """Feedback would show a line of a hidden test; nothing was written."""


@dataclass
class _Chapter:
    notebook_id: str
    released: dict[str, str]     # test grade_id -> source students received
    hidden: set[str]             # lines only the hidden tests contain
    course_code: str             # path prefix of instructors' code (grader/)


def hidden_test_lines(solution: Path, release: Path) -> set[str]:
    """Stripped lines of the hidden tests that appear nowhere in the released notebook."""
    source = nbformat.read(str(solution), as_version=4)
    released = nbformat.read(str(release), as_version=4)
    visible = {line.strip() for c in released.cells for line in c.source.splitlines()}
    hidden = set()
    for cell in source.cells:
        for block in _HIDDEN.findall(cell.source):
            hidden |= {line.strip() for line in block.splitlines()}
    return {line for line in hidden - visible if len(line) >= 12}


def _load_chapter(root: Path, coursedir, chapter: str) -> _Chapter:
    notebook_id = chapter
    solution = Path(coursedir.format_path(coursedir.source_directory, ".", chapter))
    release = Path(coursedir.format_path(coursedir.release_directory, ".", chapter))
    rel_nb = nbformat.read(str(release / f"{notebook_id}.ipynb"), as_version=4)
    released = {c.metadata["nbgrader"]["grade_id"]: c.source for c in rel_nb.cells
                if utils.is_grade(c) and not utils.is_solution(c)}
    hidden = hidden_test_lines(solution / f"{notebook_id}.ipynb", release / f"{notebook_id}.ipynb")
    return _Chapter(notebook_id, released, hidden, str(Path(__file__).resolve().parent))


def _keep_frame(entry: str, own_count, course_code: str) -> bool:
    plain = _ANSI.sub("", entry)
    if course_code in plain or "/grader/" in plain:
        return False
    match = _CELL_FRAME.match(plain)
    return bool(match) and int(match.group(1)) != own_count


def _message(output) -> str:
    evalue = (output.get("evalue") or "").strip()
    return f"{output.get('ename', 'Error')}: {evalue}" if evalue else \
        f"{output.get('ename', 'Error')} (a hidden test failed without a message)"


def clean_notebook(nb, chapter: _Chapter) -> list[tuple[str, float, float, str]]:
    """Strip hidden tests from an autograded notebook in place.

    Returns one row per autograded test cell: (grade_id, score, points, message).
    """
    rows = []
    for cell in nb.cells:
        if not (utils.is_grade(cell) and not utils.is_solution(cell)):
            continue
        gid = cell.metadata["nbgrader"]["grade_id"]
        cell.source = chapter.released.get(gid, "# (test cell)")
        points = float(cell.metadata["nbgrader"].get("points", 0))
        message = ""
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                message = _message(output)
                frames = [e for e in output.get("traceback", [])
                          if _keep_frame(e, cell.get("execution_count"), chapter.course_code)]
                output["traceback"] = frames + [message]
        score, _ = grade_cell(cell)  # as `grade` scored it: warnings cost nothing
        rows.append((gid, score if score is not None else 0.0, points, message))
    return rows


def _summary_cell(rows, lang: str = "en") -> nbformat.NotebookNode:
    """The table at the top of the feedback, in the language of the student's edition."""
    got, total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    lines = ["### " + tr_in(lang, "Autograded questions: {got:g} / {total:g} points", got=got,
                            total=total), "",
             "| {} | {} | {} |".format(*(tr_in(lang, w) for w in ("question", "points",
                                                                     "result"))),
             "|---|---|---|"]
    for gid, score, points, message in rows:
        result = "✓ " + tr_in(lang, "passed") if score == points else "✗ " + html.escape(
            message.replace("\n", " ")).replace("|", "\\|")
        lines.append(f"| `{gid}` | {score:g} / {points:g} | {result} |")
    lines += ["", tr_in(lang, "Hidden tests also ran your functions on another shop and on edge "
                              "cases; their messages above say what differed. Written answers "
                              "and plots are graded by your instructor.")]
    return new_markdown_cell("\n".join(lines))


def _exporter() -> HTMLExporter:
    # The same template set-up as nbgrader's GenerateFeedback converter.
    import nbgrader

    base = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    c = Config()
    c.HTMLExporter.template_name = "feedback"
    c.HTMLExporter.extra_template_basedirs = [str(base / "templates")]
    c.HTMLExporter.extra_template_paths = [
        str(base / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    exporter = HTMLExporter(config=c)
    exporter.register_preprocessor(CSSHTMLHeaderPreprocessor(enabled=True))
    return exporter


def generate_feedback(chapter: str, *, root: Path = COURSE_ROOT,
                      students: list[str] | None = None) -> dict[str, Path]:
    """Write ``feedback/<student>/<edition>/<edition>.html`` for each graded student, for
    every edition of ``chapter`` (``06_rfm``, ``06_rfm_zh``: each in its own language).

    Returns student → path. Submissions that were not graded (unreadable,
    missing) get no file; their status says why. Raises :class:`HiddenTestLeak`
    at the end if any student's file was held back.
    """
    root = Path(root).resolve()
    cfg = load_config(root)
    coursedir = course_directory(root, cfg)
    autograded = Path(coursedir.root) / coursedir.autograded_directory
    exporter = _exporter()
    written, leaks = {}, {}
    names = list(editions(edition_of(chapter)[0], root).values()) or [chapter]
    for name in names:
        folders = sorted(autograded.glob(f"*/{name}"))
        if not folders:
            continue
        info = _load_chapter(root, coursedir, name)
        lang = edition_of(name)[1]
        for folder in folders:
            student = folder.parent.name
            if students and student not in students:
                continue
            status = read_status(folder)
            notebook = folder / f"{info.notebook_id}.ipynb"
            if (status is not None and status.state != GRADED) or not notebook.is_file():
                continue
            nb = nbformat.read(str(notebook), as_version=4)
            rows = clean_notebook(nb, info)
            nb.cells.insert(0, _summary_cell(rows, lang))
            resources = {"nbgrader": {"student": student, "assignment": name,
                                      "notebook": info.notebook_id, "db_url": coursedir.db_url}}
            nb, resources = GetGrades(config=cfg)(nb, resources)
            body, _ = exporter.from_notebook_node(nb, resources=resources)
            # Code is highlighted token by token, so look at the text, not the markup.
            text = html.unescape(_TAG.sub("", body))
            leaked = sorted(line for line in info.hidden if line in text)
            if leaked:
                leaks[student] = leaked
                continue
            target = Path(coursedir.root) / coursedir.feedback_directory / student / name
            target.mkdir(parents=True, exist_ok=True)
            path = target / f"{info.notebook_id}.html"
            path.write_text(body, encoding="utf-8")
            written[student] = path
    if leaks:
        raise HiddenTestLeak(f"feedback not written for {sorted(leaks)}: it would show hidden "
                             f"test lines, e.g. {next(iter(leaks.values()))[:2]}; "
                             f"the others were written")
    return written
