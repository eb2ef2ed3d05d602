"""The grader on a PostgreSQL gradebook (nbgrader's ``db_url``), with a real server.

Release, grade in parallel, keep manual grades through a forced regrade, export: the
same commands as on SQLite, and the same scores."""

from __future__ import annotations

import csv

import pytest
from conftest import copy_course
from grading_support import autograded_points
from nbgrader.api import Gradebook
from pg_server import REQUIRED, postgres_bindir, throwaway_postgres

from grader.autograde import grade
from grader.autograde.status import GRADED
from grader.course import run_nbgrader
from grader.export import export_grades
from grader.sample_class import CHAPTER, STUDENTS, write_class

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grader_postgres")]

CLASS = ["perfect", "scores_reversed", "broken_json"]


@pytest.fixture(scope="module")
def db_url():
    if postgres_bindir() is None and not REQUIRED:
        pytest.skip("PostgreSQL is not installed here (.ci/run installs it)")
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def course(tmp_path_factory, db_url):
    course = copy_course(tmp_path_factory.mktemp("pg") / "course")
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    run_nbgrader("generate_assignment", CHAPTER, "--force", root=course, capture=True)
    write_class(course, CLASS)
    return course


@pytest.fixture(scope="module")
def graded(course):
    return grade(CHAPTER, root=course, workers=2, timeout_seconds=10, progress=False)


def test_grading_writes_the_expected_scores_to_postgres(course, db_url, graded):
    run = graded
    assert run.statuses["perfect"].state == GRADED
    assert run.statuses["broken_json"].state != GRADED
    for student in ("perfect", "scores_reversed"):
        assert sum(autograded_points(course, student, db=db_url).values()) == \
            STUDENTS[student].expected, student
    assert not (course / "gradebook.db").exists()


def test_manual_grades_survive_a_forced_regrade_on_postgres(course, db_url, graded):
    with Gradebook(db_url, "crm-course") as gb:
        gb.find_grade("segment_actions", CHAPTER, CHAPTER, "scores_reversed").manual_score = 2
        gb.db.commit()
    before = autograded_points(course, "scores_reversed", db=db_url)
    grade(CHAPTER, root=course, students=["scores_reversed"], force=True, timeout_seconds=10,
          progress=False)
    assert autograded_points(course, "scores_reversed", db=db_url) == before
    with Gradebook(db_url, "crm-course") as gb:
        assert gb.find_grade("segment_actions", CHAPTER, CHAPTER, "scores_reversed").score == 2


def test_export_reads_the_postgres_gradebook(course, graded, tmp_path):
    path = export_grades(tmp_path / "grades.csv", root=course)
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert float(rows["perfect"][CHAPTER]) == STUDENTS["perfect"].expected
    assert rows["broken_json"][f"{CHAPTER}:status"].startswith("ungradable")


def test_feedback_and_report_read_the_postgres_gradebook(course, graded, tmp_path):
    from grader.feedback import generate_feedback
    from grader.report import write_report

    written = generate_feedback(CHAPTER, root=course, students=["perfect"])
    assert f"{STUDENTS['perfect'].expected:g} / " in written["perfect"].read_text(encoding="utf-8")
    page = write_report(CHAPTER, tmp_path / "items.html", root=course)
    assert "data:image/png;base64," in page.read_text(encoding="utf-8")
