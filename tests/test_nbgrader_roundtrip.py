"""A real nbgrader round trip in a temporary copy of the course: release, submit,
autograde with real kernels, feedback, export. Full marks for the solution, zero for
the unanswered notebook, partial marks on exactly the right cells for wrong answers."""

from __future__ import annotations

import csv

import nbformat
import pytest
from conftest import ROOT, copy_course
from harness import autograded_points
from nbgrader.api import Gradebook

from grader.course import run_nbgrader

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("roundtrip")]

CHAPTER = "06_rfm"
POINTS = autograded_points(ROOT / "solutions" / CHAPTER / f"{CHAPTER}.ipynb")  # grade_id -> points
FULL = sum(POINTS.values())
LOST = {"test_rfm_table_shop", "test_rfm_table_rules", "test_top_customer_share"}
NOTEBOOK = f"{CHAPTER}.ipynb"


def _answer_cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def wrong_answers(solution_path):
    """The solution with two common mistakes: refunds counted, share of customers returned."""
    nb = nbformat.read(solution_path, as_version=4)
    cell = _answer_cell(nb, "rfm_table")
    assert '(orders["status"] == "paid") & ' in cell.source
    cell.source = cell.source.replace('(orders["status"] == "paid") & ', "")
    cell = _answer_cell(nb, "top_customer_share")
    cell.source = "def top_customer_share(rfm, top_fraction=0.2):\n    return float(top_fraction)\n"
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("roundtrip") / "course")
    run_nbgrader("generate_assignment", CHAPTER, "--force", root=course, capture=True)
    solution = course / "solutions" / CHAPTER / NOTEBOOK
    release = course / "chapters" / CHAPTER / NOTEBOOK
    submissions = {
        "perfect": nbformat.read(solution, as_version=4),
        "blank": nbformat.read(release, as_version=4),
        "partial": wrong_answers(solution),
    }
    for student, nb in submissions.items():
        folder = course / "submitted" / student / CHAPTER
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NOTEBOOK)
    run_nbgrader("autograde", CHAPTER, root=course, capture=True)
    run_nbgrader("generate_feedback", CHAPTER, root=course, capture=True)
    run_nbgrader("export", "--to", str(course / "grades.csv"), root=course, capture=True)
    return course


def cell_scores(course, student):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "crm-course") as gb:
        nb = gb.find_submission_notebook(NOTEBOOK[:-6], CHAPTER, student)
        return {
            g.name: g.score
            for g in nb.grades
            if g.cell.cell_type == "code" and g.auto_score is not None
        }


def test_solution_gets_full_autograded_marks(graded):
    scores = cell_scores(graded, "perfect")
    assert sum(scores.values()) == FULL
    assert set(scores) == set(POINTS)


def test_unanswered_notebook_gets_zero(graded):
    assert sum(cell_scores(graded, "blank").values()) == 0


def test_wrong_answers_lose_exactly_their_cells(graded):
    scores = cell_scores(graded, "partial")
    lost = {name for name, score in scores.items() if score == 0}
    assert lost == LOST
    assert sum(scores.values()) == FULL - sum(POINTS[c] for c in LOST)


def test_feedback_html_is_generated_for_every_student(graded):
    for student in ("perfect", "blank", "partial"):
        html = (graded / "feedback" / student / CHAPTER / f"{CHAPTER}.html").read_text(
            encoding="utf-8"
        )
        assert "rfm_table" in html


def test_grades_export_as_csv(graded):
    with open(graded / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"perfect", "blank", "partial"}
    assert float(rows["perfect"]["raw_score"]) == FULL  # written answers not graded yet
    assert float(rows["blank"]["raw_score"]) == 0
    assert float(rows["partial"]["raw_score"]) == FULL - sum(POINTS[c] for c in LOST)
