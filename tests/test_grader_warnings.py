"""A warning is not a failure: ``grader grade`` with real kernels gives a correct answer that
prints a pandas deprecation warning in the test cells full marks, where stock nbgrader's rule
gives those cells 0; the warning stays in the autograded notebook and the feedback. A student
who turns warnings into errors gets the error, as in their own notebook."""

from __future__ import annotations

import html
import inspect
import re

import nbformat
import pytest
import test_rfm_autograder
from grading_support import MEMORY, TIMEOUT_S, autograded_points, released_course
from nbformat.v4 import new_code_cell, new_output
from nbgrader.api import Gradebook
from nbgrader.utils import determine_grade

from grader.autograde import grade
from grader.autograde.scoring import counts_for_score, grade_cell, scored_view
from grader.sample_class import CHAPTER, FULL, STUDENTS, submission_notebook

pytestmark = [pytest.mark.xdist_group("grader_warnings")]
slow = pytest.mark.slow  # the tests that grade with real kernels

RFM_TABLE_CELLS = {"test_rfm_table_shop", "test_rfm_table_rules"}

# The chapter contract's warning style (a correct rfm_table ending in pandas 2's inplace=True
# idiom: pandas 3 prints a Pandas4Warning, a DeprecationWarning, each time it runs), as a
# student's answer cell: the harness and a real kernel grade the same code.
RFM_TABLE_INPLACE = inspect.getsource(test_rfm_autograder.rfm_table_inplace).replace(
    "def rfm_table_inplace(", "def rfm_table(")
WARNINGS_AS_ERRORS = 'import warnings\n\nwarnings.simplefilter("error")\n\n'

SUBMISSIONS = {"warns": RFM_TABLE_INPLACE,
               "warnings_as_errors": WARNINGS_AS_ERRORS + RFM_TABLE_INPLACE}


def _cells(nb):
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}


# ---- the rule, on executed cells as nbgrader stores them --------------------------------

WARNING = new_output("stream", name="stderr", text="<cell>:4: Pandas4Warning: The inplace ...\n")
CHECKED = new_output("stream", name="stdout", text="✓ rfm_table(orders, AS_OF): 10 rows\n")
FAILED = new_output("error", ename="AssertionError", evalue="", traceback=[])


def _test_cell(*outputs, points=2):
    cell = new_code_cell("assert True", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": "t", "points": points}})
    cell.outputs = list(outputs)
    return cell


def test_a_warning_costs_a_test_cell_nothing_where_nbgrader_gives_zero():
    cell = _test_cell(CHECKED, WARNING)
    assert grade_cell(cell) == (2, 2)
    assert determine_grade(cell) == (0, 2)


def test_an_error_still_fails_a_test_cell_that_also_warned():
    assert grade_cell(_test_cell(WARNING, FAILED)) == (0, 2)


def test_partial_credit_still_counts_after_a_warning():
    result = new_output("execute_result", {"text/plain": "1.5"}, execution_count=3)
    assert grade_cell(_test_cell(WARNING, result)) == (1.5, 2)


def test_scoring_leaves_the_notebook_its_warnings():
    cell = _test_cell(WARNING)
    assert scored_view(cell).outputs == [] and cell.outputs == [WARNING]


def test_answer_cells_are_scored_as_nbgrader_scores_them():
    answer = new_code_cell("def f():\n    return 1\n", metadata={"nbgrader": {
        "grade": True, "solution": True, "locked": False, "grade_id": "a", "points": 1}})
    answer.outputs = [WARNING]
    assert scored_view(answer) is answer
    assert grade_cell(answer) == determine_grade(answer)


# ---- grade, with real kernels ------------------------------------------------------------

@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = released_course(tmp_path_factory, "grader_warnings")
    for student, answer in SUBMISSIONS.items():
        nb = submission_notebook(course, STUDENTS["perfect"])
        _cells(nb)["rfm_table"].source = answer
        folder = course / "submitted" / student / CHAPTER
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{CHAPTER}.ipynb")
    run = grade(CHAPTER, root=course, timeout_seconds=TIMEOUT_S, memory_limit_bytes=MEMORY,
                workers=2, progress=False)
    return course, run


def _autograded(course, student):
    path = course / "autograded" / student / CHAPTER / f"{CHAPTER}.ipynb"
    return nbformat.read(path, as_version=4)


@slow
def test_a_correct_answer_that_warns_gets_full_marks(graded):
    course, run = graded
    assert run.statuses["warns"].score == FULL
    assert sum(autograded_points(course, "warns").values()) == FULL


@slow
def test_stock_nbgrader_would_have_given_the_warned_cells_zero(graded):
    course, _ = graded
    points = autograded_points(course, "warns")
    warned = {gid: cell for gid, cell in _cells(_autograded(course, "warns")).items()
              if gid in points and not all(map(counts_for_score, cell.outputs))}
    assert RFM_TABLE_CELLS <= set(warned)
    for gid, cell in warned.items():
        stderr = "".join(o.text for o in cell.outputs if not counts_for_score(o))
        assert "Pandas4Warning" in stderr and "inplace" in stderr, gid  # still shown
        assert points[gid] == cell.metadata.nbgrader.points, gid
        assert determine_grade(cell)[0] == 0, gid


@slow
def test_warned_cells_do_not_wait_for_manual_grading(graded):
    course, _ = graded
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "crm-course") as gb:
        for gid in RFM_TABLE_CELLS:
            assert not gb.find_grade(gid, CHAPTER, CHAPTER, "warns").needs_manual_grade, gid


@slow
def test_feedback_shows_the_warning_and_the_full_marks(graded):
    from grader.feedback import generate_feedback

    course, _ = graded
    page = generate_feedback(CHAPTER, root=course, students=["warns"])["warns"]
    text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
    assert "Pandas4Warning" in text
    assert f"Autograded questions: {FULL:g} / {FULL:g} points" in text
    for gid in RFM_TABLE_CELLS:
        assert re.search(rf"{gid}\s*2 / 2\s*✓ passed", text), gid


@slow
def test_warnings_the_student_turned_into_errors_fail_their_cells(graded):
    # Decided in grader/autograde/scoring.py: the warning is then an exception, the answer
    # stopped before the test's assertions ran, and the student saw the same error.
    course, run = graded
    points = autograded_points(course, "warnings_as_errors")
    assert {gid for gid in RFM_TABLE_CELLS if points[gid] == 0} == RFM_TABLE_CELLS
    cells = _cells(_autograded(course, "warnings_as_errors"))
    errors = [o.ename for o in cells["test_rfm_table_rules"].outputs if o.output_type == "error"]
    assert errors == ["Pandas4Warning"]
    assert run.statuses["warnings_as_errors"].score < FULL
