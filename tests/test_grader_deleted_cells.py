"""Deleted cells, on every chapter: a student who answered everything but deleted test cells
(the first, the last, several, all) or a read-only cell is still graded, with the missing
cells put back at their places and a note, and gets the marks the answers deserve.

nbgrader 0.9's own ``add_missing_cells`` raises ``KeyError`` when the cell before a deleted
test cell is a read-only one (the first test cell of every chapter);
:class:`grader.autograde.submissions.RestoringOverwriteCells` replaces it.
"""

from __future__ import annotations

import copy

import nbformat
import pytest
from grading_support import MEMORY, TIMEOUT_S
from nbgrader import utils
from nbgrader.api import Gradebook

from grader.autograde import grade
from grader.autograde.config import load_config
from grader.autograde.status import GRADED
from grader.autograde.submissions import read_release, sanitize
from grader.course import chapter_names, run_nbgrader

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("deleted_cells")]

CHAPTERS = chapter_names()


def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _is_test(cell) -> bool:
    return utils.is_grade(cell) and not utils.is_solution(cell)


def _is_read_only(cell) -> bool:
    return utils.is_locked(cell) and not utils.is_grade(cell)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from conftest import copy_course

    course = copy_course(tmp_path_factory.mktemp("deleted") / "course")
    for chapter in CHAPTERS:
        run_nbgrader("generate_assignment", chapter, "--force", root=course, capture=True)
    return course


def answered(course, chapter) -> nbformat.NotebookNode:
    """The released chapter with every answer cell holding the solution's answer."""
    solution = nbformat.read(course / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    answers = {_gid(c): c.source for c in solution.cells if utils.is_solution(c)}
    nb = nbformat.read(course / "chapters" / chapter / f"{chapter}.ipynb", as_version=4)
    for cell in nb.cells:
        if utils.is_solution(cell):
            cell.source = answers[_gid(cell)]
    return nb


def _first_read_only_code(nb) -> str:
    return next(_gid(c) for c in nb.cells if _is_read_only(c) and c.cell_type == "code")


#: which cells a case deletes, from the answered notebook
DELETIONS = {
    "first test": lambda nb: [next(_gid(c) for c in nb.cells if _is_test(c))],
    "last test": lambda nb: [[_gid(c) for c in nb.cells if _is_test(c)][-1]],
    "several tests": lambda nb: [_gid(c) for c in nb.cells if _is_test(c)][::2],
    "every test": lambda nb: [_gid(c) for c in nb.cells if _is_test(c)],
    "a read-only set-up cell": lambda nb: [_first_read_only_code(nb)],
    "every test and read-only cell": lambda nb: [
        _gid(c) for c in nb.cells if _is_test(c) or _is_read_only(c)],
}


def without(nb, ids):
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if _gid(c) not in set(ids)]
    return out


def _sanitized(course, chapter, nb, tmp_path):
    path = tmp_path / f"{chapter}.ipynb"
    nbformat.write(nb, path)
    resources = {"unique_key": chapter, "nbgrader": {
        "student": "s1", "assignment": chapter, "notebook": chapter,
        "db_url": f"sqlite:///{course / 'gradebook.db'}"}}
    with Gradebook(resources["nbgrader"]["db_url"], "crm-course") as gb:
        gb.update_or_create_student("s1")
        gb.update_or_create_submission(chapter, "s1")
    release = read_release(course / "chapters" / chapter / f"{chapter}.ipynb")
    return sanitize(path, resources, load_config(course), release)


@pytest.mark.parametrize("case", list(DELETIONS))
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_deleted_cells_are_put_back_where_they_were(course, chapter, case, tmp_path):
    full = answered(course, chapter)
    deleted = DELETIONS[case](full)
    assert deleted, case
    nb, notes = _sanitized(course, chapter, without(full, deleted), tmp_path)
    assert [_gid(c) for c in nb.cells] == [_gid(c) for c in full.cells]
    released = {_gid(c): c for c in full.cells}
    for cell in nb.cells:
        if _gid(cell) in deleted:
            assert cell.cell_type == released[_gid(cell)].cell_type
            assert "was missing from the submission" in cell.source
            if cell.cell_type == "code" and not _is_test(cell):
                assert cell.source.endswith(released[_gid(cell)].source)
    said = " ".join(notes)
    tests = [g for g in deleted if _is_test(released[g])]
    others = [g for g in deleted if g not in tests]
    assert all(g in said for g in deleted)
    assert ("deleted test cells restored" in said) == bool(tests)
    assert ("deleted read-only cells restored" in said) == bool(others)


def test_a_notebook_with_nothing_deleted_gets_no_note(course, tmp_path):
    chapter = CHAPTERS[0]
    nb, notes = _sanitized(course, chapter, answered(course, chapter), tmp_path)
    assert not [n for n in notes if "restored" in n]


def test_a_student_cell_after_an_answer_stays_before_the_restored_test(course, tmp_path):
    """Code a student added under an answer runs before that answer's (deleted) test."""
    chapter = "06_rfm"
    full = answered(course, chapter)
    first_test = next(i for i, c in enumerate(full.cells) if _is_test(c))
    mine = nbformat.v4.new_code_cell("helper = 1  # my own cell")
    full.cells.insert(first_test, mine)
    nb, _ = _sanitized(course, chapter, without(full, [_gid(full.cells[first_test + 1])]),
                       tmp_path)
    sources = [c.source for c in nb.cells]
    assert sources.index(mine.source) == first_test
    assert _is_test(nb.cells[first_test + 1])


@pytest.fixture(scope="module")
def graded(course):
    """Per chapter: the answered notebook, and the same with every test and read-only cell
    deleted (the worst case), graded with real kernels."""
    for chapter in CHAPTERS:
        full = answered(course, chapter)
        cases = {"intact": full,
                 "mangled": without(full, DELETIONS["every test and read-only cell"](full))}
        for student, nb in cases.items():
            folder = course / "submitted" / student / chapter
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / f"{chapter}.ipynb")
    return {chapter: grade(chapter, root=course, timeout_seconds=TIMEOUT_S * 3,
                           memory_limit_bytes=MEMORY, workers=2, progress=False)
            for chapter in CHAPTERS}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_submission_without_its_test_cells_gets_the_marks_of_its_answers(course, graded,
                                                                           chapter):
    run = graded[chapter]
    mangled, intact = run.statuses["mangled"], run.statuses["intact"]
    assert mangled.state == GRADED == intact.state
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "crm-course") as gb:
        points, best = {}, {}
        for student in ("intact", "mangled"):
            nb = gb.find_submission_notebook(chapter, chapter, student)
            autograded = [g for g in nb.grades
                          if g.cell.cell_type == "code" and g.auto_score is not None]
            points[student] = {g.name: g.auto_score for g in autograded}
            best = {g.name: g.max_score for g in autograded}
    assert points["intact"] == best  # the solution's answers pass every test cell
    assert points["mangled"] == points["intact"]
    assert any("restored" in n for n in mangled.notes)
