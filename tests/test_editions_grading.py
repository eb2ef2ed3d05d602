"""A class in which some students use the Chinese edition and some the English one: the
instructor's tools treat the two editions as one chapter.

The edition here is built from an identity catalogue (every msgstr = its msgid), so the
test needs no real translation and runs the very pipeline a real edition goes through.
"""

from __future__ import annotations

import shutil

import nbformat
import polib
import pytest
from nbgrader import utils

from grader import translate
from grader.course import editions, run_nbgrader

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("editions")]

CHAPTER = "00_overview"
EDITION = translate.edition_name(CHAPTER, "zh")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from conftest import copy_course

    course = copy_course(tmp_path_factory.mktemp("editions") / "course")
    shutil.rmtree(course / "solutions" / EDITION, ignore_errors=True)
    shutil.rmtree(course / "chapters" / EDITION, ignore_errors=True)
    (course / "i18n" / "zh").mkdir(parents=True, exist_ok=True)
    path = translate.update(CHAPTER, root=course)
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr, entry.flags = entry.msgid, []
    po.save()
    translate.build(CHAPTER, root=course)
    for name in (CHAPTER, EDITION):
        run_nbgrader("generate_assignment", name, "--force", root=course, capture=True)
    return course


def _answered(course, name, answers=None):
    """The released edition with every answer cell holding the solution's answer."""
    solution = nbformat.read(course / "solutions" / name / f"{name}.ipynb", as_version=4)
    given = {c.metadata.nbgrader.grade_id: c.source for c in solution.cells if utils.is_solution(c)}
    given.update(answers or {})
    nb = nbformat.read(course / "chapters" / name / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if utils.is_solution(cell):
            cell.source = given[cell.metadata.nbgrader.grade_id]
    return nb


def _submit(course, student, name, nb):
    folder = course / "submitted" / student / name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")


def test_the_course_knows_both_editions_as_one_chapter(course):
    assert editions(CHAPTER, course) == {"en": CHAPTER, "zh": EDITION}


def test_a_copy_across_editions_is_found_by_the_similarity_screen(course):
    from grader.similarity import similar_pairs

    odd = {"monthly_orders": "def monthly_orders(orders):\n    zz_unusual = orders.copy()\n"
                             "    zz_unusual['m'] = zz_unusual['order_time'].dt.to_period('M')\n"
                             "    return zz_unusual.groupby('m').size().rename('n_orders')\n"}
    _submit(course, "copier_en", CHAPTER, _answered(course, CHAPTER, odd))
    _submit(course, "source_zh", EDITION, _answered(course, EDITION, odd))
    _submit(course, "honest_zh", EDITION, _answered(course, EDITION))
    table, cells = similar_pairs(EDITION, course)
    assert set(cells) >= {"copier_en", "source_zh", "honest_zh"}
    top = table.iloc[0]
    assert {top.student_a, top.student_b} == {"copier_en", "source_zh"}
    assert "monthly_orders" in top.alike_cells
