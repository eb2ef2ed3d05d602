"""Grades as CSV: one row per student, columns per chapter and per question, with a status.

``nbgrader export`` writes a notebook it could not read as an ordinary 0.0.
Here every chapter has a status column — ``graded``, ``ungradable: <reason>``,
``missing: <reason>`` or ``no submission`` — and the score cells of a
submission that was not graded are left empty, so a real zero is never
confused with "could not be graded". A ``<chapter>:flagged for review`` column lists the
code that reached into the grading (:mod:`grader.autograde.tamper`), ``; ``-separated; it
holds no score, so an LMS import that reads the score columns is not affected.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from grader.autograde.config import course_directory, load_config
from grader.autograde.status import GRADED, read_status
from grader.course import COURSE_ROOT

__all__ = ["grade_table", "export_grades"]

NO_SUBMISSION = "no submission"
FLAGGED = "flagged for review"


def _question_columns(coursedir, assignment) -> list[tuple[str, str, str]]:
    """(notebook, grade_id, column name) of every graded cell, in notebook order."""
    columns = []
    for notebook in assignment.notebooks:
        source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment.name))
        order = _cell_order(source / f"{notebook.name}.ipynb")
        cells = sorted(notebook.grade_cells, key=lambda c: (order.get(c.name, len(order)), c.name))
        columns += [(notebook.name, c.name, f"{assignment.name}:{c.name}") for c in cells]
    return columns


def _cell_order(notebook: Path) -> dict[str, int]:
    # The gradebook keeps no cell order; the source notebook does.
    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except (OSError, ValueError):
        return {}
    ids = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells]
    return {gid: i for i, gid in enumerate(ids) if gid}


def grade_table(root: Path = COURSE_ROOT, chapters: list[str] | None = None
                ) -> tuple[list[str], list[dict[str, object]]]:
    """Header and rows of the grade table (scores in points, ``""`` where there is no score)."""
    root = Path(root).resolve()
    coursedir = course_directory(root, load_config(root))
    autograded = Path(coursedir.root) / coursedir.autograded_directory
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        assignments = [a for a in sorted(gb.assignments, key=lambda a: a.name)
                       if not chapters or a.name in chapters]
        header = ["student_id"]
        plan = []
        for assignment in assignments:
            questions = _question_columns(coursedir, assignment)
            header += [assignment.name, f"{assignment.name}:max", f"{assignment.name}:status",
                       f"{assignment.name}:{FLAGGED}"]
            header += [col for _, _, col in questions]
            plan.append((assignment, questions))
        rows = []
        for student in sorted(gb.students, key=lambda s: s.id):
            row: dict[str, object] = {"student_id": student.id}
            for assignment, questions in plan:
                row.update(_chapter_cells(gb, autograded, assignment, questions, student.id))
            rows.append(row)
    return header, rows


def _chapter_cells(gb, autograded: Path, assignment, questions, student: str) -> dict:
    name = assignment.name
    cells: dict[str, object] = {name: "", f"{name}:max": assignment.max_score}
    try:
        submission = gb.find_submission(name, student)
    except MissingEntry:
        cells[f"{name}:status"] = NO_SUBMISSION
        return cells
    status = read_status(autograded / student / name)
    # Graded by stock nbgrader (no status record) still counts as graded.
    label = status.label if status is not None else GRADED
    cells[f"{name}:status"] = label
    cells[f"{name}:{FLAGGED}"] = "; ".join(status.flags) if status is not None else ""
    if status is not None and status.state != GRADED:
        return cells
    cells[name] = submission.score
    for notebook, grade_id, column in questions:
        try:
            cells[column] = gb.find_grade(grade_id, notebook, name, student).score
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
