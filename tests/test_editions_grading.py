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


@pytest.fixture(scope="module")
def graded(course):
    """A class split between the editions, graded; 'both' handed in English, then Chinese."""
    from grader.autograde import grade

    wrong = {"status_share": "def status_share(orders):\n    return None\n"}
    _submit(course, "en_student", CHAPTER, _answered(course, CHAPTER))
    _submit(course, "zh_student", EDITION, _answered(course, EDITION))
    _submit(course, "zh_wrong", EDITION, _answered(course, EDITION, wrong))
    _submit(course, "both", CHAPTER, _answered(course, CHAPTER, wrong))
    _submit(course, "both", EDITION, _answered(course, EDITION))
    for name, stamp in ((CHAPTER, "2026-11-01 10:00:00"), (EDITION, "2026-11-02 10:00:00")):
        (course / "submitted" / "both" / name / "timestamp.txt").write_text(stamp)
    kw = dict(root=course, workers=2, progress=False, timeout_seconds=60)
    return {name: grade(name, **kw) for name in (CHAPTER, EDITION)}


def _auto_points(course, student, name):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "crm-course") as gb:
        nb = gb.find_submission_notebook(name, name, student)
        return {g.name: g.auto_score for g in nb.grades if g.auto_score is not None}


def test_both_editions_are_graded_by_the_same_tests(course, graded):
    en = _auto_points(course, "en_student", CHAPTER)
    zh = _auto_points(course, "zh_student", EDITION)
    assert en == zh and en
    wrong = _auto_points(course, "zh_wrong", EDITION)
    assert {g for g in zh if wrong[g] != zh[g]} == {"test_status_share"}


def test_export_has_one_score_per_student_per_chapter_and_says_which_edition(course, graded):
    from grader.export import grade_table

    header, rows = grade_table(course)
    assert not any(h.startswith(EDITION) for h in header)
    assert f"{CHAPTER}:edition" in header
    by = {r["student_id"]: r for r in rows}
    assert by["en_student"][f"{CHAPTER}:edition"] == "en"
    assert by["zh_student"][f"{CHAPTER}:edition"] == "zh"
    assert by["zh_student"][CHAPTER] == by["en_student"][CHAPTER] > 0
    assert by["zh_wrong"][CHAPTER] < by["zh_student"][CHAPTER]
    # handed in both: the later (Chinese, correct) one counts
    assert by["both"][f"{CHAPTER}:edition"] == "zh"
    assert by["both"][CHAPTER] == by["zh_student"][CHAPTER]
    assert by["zh_wrong"][f"{CHAPTER}:test_status_share"] == 0


def test_one_item_report_covers_both_editions(course, graded):
    from grader.report import item_table, write_report

    table, points, _ = item_table(CHAPTER, course)
    assert set(table.index) >= {"en_student", "zh_student", "zh_wrong", "both"}
    assert table.loc["both", "test_status_share"] == points["test_status_share"]
    assert table.loc["zh_wrong", "test_status_share"] == 0
    page = write_report(EDITION, course / "reports" / "r.html", course).read_text()
    assert "test_status_share" in page


def test_feedback_is_written_in_the_language_of_the_student_s_edition(course, graded):
    from grader.feedback import generate_feedback

    written = generate_feedback(CHAPTER, root=course)
    assert written["zh_student"].parent.name == EDITION
    assert written["en_student"].parent.name == CHAPTER
    assert "自动评分题" in written["zh_student"].read_text(encoding="utf-8")
    assert "Autograded questions" in written["en_student"].read_text(encoding="utf-8")


def test_grading_a_chapter_from_the_command_line_grades_its_editions(course, graded, capsys):
    from grader.autograde.status import GRADED, read_status
    from grader.cli import main

    _submit(course, "late_zh", EDITION, _answered(course, EDITION))
    assert main(["grade", CHAPTER, "--root", str(course), "--student", "late_zh", "-q"]) == 0
    assert read_status(course / "autograded" / "late_zh" / EDITION).state == GRADED
    assert EDITION in capsys.readouterr().out
