"""Grades as CSV: one row per student, columns per chapter and per question, with a status.

``nbgrader export`` writes a notebook it could not read as an ordinary 0.0.
Here every chapter has a status column — ``graded``, ``ungradable: <reason>``,
``missing: <reason>`` or ``no submission`` — and the score cells of a
submission that was not graded are left empty, so a real zero is never
confused with "could not be graded". A ``<chapter>:flagged for review`` column lists the
code that reached into the grading (:mod:`grader.autograde.tamper`), ``; ``-separated; it
holds no score, so an LMS import that reads the score columns is not affected.

A chapter's editions in other languages (``06_rfm_zh``, :mod:`grader.translate`) are
assignments of their own to nbgrader, with the same grade ids; here they are one chapter:
each student's row holds the edition they handed in (the latest, if both), and a
``<chapter>:edition`` column says which.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from grader.autograde.config import course_directory, load_config
from grader.autograde.status import GRADED, read_status
from grader.course import COURSE_ROOT, edition_of

__all__ = ["grade_table", "export_grades"]

NO_SUBMISSION = "no submission"
FLAGGED = "flagged for review"
EDITION = "edition"


def _question_columns(coursedir, assignment, chapter: str) -> list[tuple[str, str, str]]:
    """(notebook, grade_id, column name) of every graded cell, in notebook order."""
    columns = []
    for notebook in assignment.notebooks:
        source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment.name))
        order = _cell_order(source / f"{notebook.name}.ipynb")
        cells = sorted(notebook.grade_cells, key=lambda c: (order.get(c.name, len(order)), c.name))
        columns += [(notebook.name, c.name, f"{chapter}:{c.name}") for c in cells]
    return columns


def _cell_order(notebook: Path) -> dict[str, int]:
    # The gradebook keeps no cell order; the source notebook does.
    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except (OSError, ValueError):
        return {}
    ids = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells]
    return {gid: i for i, gid in enumerate(ids) if gid}


def _by_chapter(assignments) -> dict[str, list]:
    """Chapter → its assignments, English first: an edition (``06_rfm_zh``) is graded as
    an assignment of its own and exported as the chapter it is an edition of."""
    groups: dict[str, list] = {}
    for a in sorted(assignments, key=lambda a: (edition_of(a.name)[0], a.name != edition_of(
            a.name)[0], a.name)):
        groups.setdefault(edition_of(a.name)[0], []).append(a)
    return groups


def grade_table(root: Path = COURSE_ROOT, chapters: list[str] | None = None
                ) -> tuple[list[str], list[dict[str, object]]]:
    """Header and rows of the grade table (scores in points, ``""`` where there is no score).

    One set of columns per chapter, whichever edition a student used; a chapter that has
    editions in other languages gets a ``<chapter>:edition`` column (``en``, ``zh``).
    """
    root = Path(root).resolve()
    coursedir = course_directory(root, load_config(root))
    autograded = Path(coursedir.root) / coursedir.autograded_directory
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        groups = {ch: group for ch, group in _by_chapter(gb.assignments).items()
                  if not chapters or ch in chapters or any(a.name in chapters for a in group)}
        header = ["student_id"]
        plan = []
        for chapter, group in groups.items():
            questions = _question_columns(coursedir, group[0], chapter)
            header += [chapter, f"{chapter}:max", f"{chapter}:status", f"{chapter}:{FLAGGED}"]
            if len(group) > 1 or group[0].name != chapter:
                header.append(f"{chapter}:{EDITION}")
            header += [col for _, _, col in questions]
            plan.append((chapter, group, questions))
        rows = []
        for student in sorted(gb.students, key=lambda s: s.id):
            row: dict[str, object] = {"student_id": student.id}
            for chapter, group, questions in plan:
                row.update(_chapter_cells(gb, autograded, chapter, group, questions, student.id))
            rows.append(row)
    return header, rows


def _submitted_edition(gb, group, student: str):
    """The assignment (edition) whose submission counts: the latest one handed in."""
    found = []
    for assignment in group:
        try:
            submission = gb.find_submission(assignment.name, student)
        except MissingEntry:
            continue
        found.append((submission.timestamp is not None, submission.timestamp or 0,
                      assignment, submission))
    if not found:
        return None, None
    _, _, assignment, submission = max(found, key=lambda f: f[:2])
    return assignment, submission


def _chapter_cells(gb, autograded: Path, chapter: str, group, questions, student: str) -> dict:
    assignment, submission = _submitted_edition(gb, group, student)
    cells: dict[str, object] = {chapter: "", f"{chapter}:max": group[0].max_score}
    if submission is None:
        cells[f"{chapter}:status"] = NO_SUBMISSION
        return cells
    name = assignment.name
    if len(group) > 1 or name != chapter:
        cells[f"{chapter}:{EDITION}"] = edition_of(name)[1]
    status = read_status(autograded / student / name)
    # Graded by stock nbgrader (no status record) still counts as graded.
    label = status.label if status is not None else GRADED
    cells[f"{chapter}:status"] = label
    cells[f"{chapter}:{FLAGGED}"] = "; ".join(status.flags) if status is not None else ""
    if status is not None and status.state != GRADED:
        return cells
    cells[chapter] = submission.score
    for notebook, grade_id, column in questions:
        edition_notebook = name if notebook == group[0].name else notebook
        try:
            cells[column] = gb.find_grade(grade_id, edition_notebook, name, student).score
        except MissingEntry:
            cells[column] = ""
    return cells


def export_grades(target: Path, root: Path = COURSE_ROOT,
                  chapters: list[str] | None = None) -> Path:
    """Write the grade table as CSV (UTF-8 with BOM, so spreadsheet programs read 中文)."""
    header, rows = grade_table(root, chapters)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.DictWriter(f, fieldnames=header, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return target
