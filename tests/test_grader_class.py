"""``grader grade`` on a synthetic class with real kernels, in a temporary course copy:
every submission gets its known score, pathological ones cost only their own cells or are
reported with a reason, the batch always completes, an interrupted run resumes, and manual
grades survive a re-run. Scores equal stock ``nbgrader autograde``'s on the same submissions."""

from __future__ import annotations

import pytest
from grading_support import MEMORY, TIMEOUT_S, autograded_points, released_course
from nbgrader.api import Gradebook

from grader.autograde import grade
from grader.autograde.status import GRADED, MISSING, UNGRADABLE, read_status
from grader.course import run_nbgrader
from grader.sample_class import CHAPTER, FULL, STUDENTS, write_class

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grader_class")]

FIRST_BATCH = ["blank", "broken_json", "kernel_exit", "perfect"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = released_course(tmp_path_factory, "grader_class")
    write_class(course)
    kw = dict(root=course, timeout_seconds=TIMEOUT_S, memory_limit_bytes=MEMORY, workers=2,
              progress=False)
    # A first run that "stops" after four students, then the whole class: the second resumes.
    first = grade(CHAPTER, students=FIRST_BATCH, **kw)
    second = grade(CHAPTER, **kw)
    return course, first, second


def test_every_submission_gets_its_expected_score(graded):
    course, _, run = graded
    assert set(run.statuses) == set(STUDENTS)
    for student, spec in STUDENTS.items():
        if spec.expected is None:
            continue
        assert sum(autograded_points(course, student).values()) == spec.expected, student
        assert run.statuses[student].state == GRADED, student


def test_the_summary_counts_what_still_waits_for_a_grader(graded):
    from grader.autograde import format_summary

    _, _, run = graded
    assert run.statuses["perfect"].manual_points == 2       # the plot: answered, ungraded
    assert not run.statuses["blank"].manual_points          # nothing answered: nothing to grade
    assert "points to grade by hand" in format_summary(run)


def test_unreadable_and_missing_notebooks_are_reported_not_zeroed_silently(graded):
    _, _, run = graded
    assert run.statuses["broken_json"].state == UNGRADABLE
    assert "not a readable notebook" in run.statuses["broken_json"].reason
    assert run.statuses["no_notebook"].state == MISSING
    assert "no notebook submitted" in run.statuses["no_notebook"].label


def test_killer_cells_cost_only_themselves(graded):
    course, _, run = graded
    exited = autograded_points(course, "kernel_exit")
    assert exited["test_rfm_scores"] == 0
    assert exited["test_top_customer_share"] == 2  # after the dead kernel: still counted
    assert set(run.statuses["kernel_exit"].skipped_cells) == {"rfm_scores"}
    assert "out of memory" in run.statuses["memory_hog"].skipped_cells["segment_profile"]
    assert autograded_points(course, "endless_loop")["test_top_customer_share"] == 0


def test_repairs_are_noted(graded):
    _, _, run = graded
    assert any("renamed" in n for n in run.statuses["renamed_file"].notes)
    notes = " ".join(run.statuses["deleted_and_duplicated"].notes)
    assert "restored" in notes and "duplicated" in notes
    assert any("edited test cells" in n for n in run.statuses["edited_test"].notes)


def test_a_second_run_resumes_where_the_first_stopped(graded):
    _, first, second = graded
    assert set(first.statuses) == set(FIRST_BATCH)
    assert sorted(second.resumed) == sorted(FIRST_BATCH)


def test_manual_grades_and_comments_survive_a_forced_regrade(graded):
    course, *_ = graded
    url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(url, "crm-course") as gb:
        g = gb.find_grade("segment_actions", CHAPTER, CHAPTER, "blank")
        g.manual_score = 1.5
        c = gb.find_comment("segment_actions", CHAPTER, CHAPTER, "blank")
        c.manual_comment = "see me"
        gb.db.commit()
    # "blank" is the quickest notebook to run again.
    grade(CHAPTER, root=course, students=["blank"], force=True, timeout_seconds=TIMEOUT_S,
          memory_limit_bytes=MEMORY, progress=False)
    with Gradebook(url, "crm-course") as gb:
        assert gb.find_grade("segment_actions", CHAPTER, CHAPTER, "blank").score == 1.5
        assert gb.find_comment("segment_actions", CHAPTER, CHAPTER, "blank").comment == "see me"
        assert gb.find_submission_notebook(CHAPTER, CHAPTER, "blank").score == 1.5
    assert read_status(course / "autograded" / "blank" / CHAPTER).score == 1.5


def test_scores_equal_stock_nbgrader_autograde(graded, tmp_path_factory):
    # Between them, these two pass and fail every autograded cell at least once.
    students = ["refunds_and_customers", "median_and_percent"]
    ours, *_ = graded
    stock = released_course(tmp_path_factory, "stock")
    write_class(stock, students)
    run_nbgrader("autograde", CHAPTER, f"--Execute.timeout={TIMEOUT_S}", root=stock, capture=True)
    for student in students:
        assert autograded_points(ours, student) == autograded_points(stock, student), student


# ---- after grading: feedback, export, report, similarity (no more kernels) ------------------

@pytest.fixture(scope="module")
def feedback(graded):
    from grader.feedback import generate_feedback

    course, *_ = graded
    return generate_feedback(CHAPTER, root=course)


def test_feedback_never_shows_hidden_test_source(graded, feedback):
    import html
    import re

    from grader.feedback import hidden_test_lines

    course, *_ = graded
    hidden = hidden_test_lines(course / "solutions" / CHAPTER / f"{CHAPTER}.ipynb",
                               course / "chapters" / CHAPTER / f"{CHAPTER}.ipynb")
    assert "from grader.reference import rfm as ref" in hidden
    assert len(feedback) == len([s for s in STUDENTS.values() if s.expected is not None])
    for student, path in feedback.items():
        text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
        assert not [line for line in hidden if line in text], student
        assert "HIDDEN TESTS" not in text and "assert_same_table" not in text, student


def test_feedback_shows_visible_checks_and_the_hint_of_each_failure(feedback):
    import html
    import re

    page = feedback["refunds_and_customers"].read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "checks.check_frame" in text            # the visible check's source
    assert "Hint: keep the paid orders only" in text
    assert "is not the expected value" in text     # a hidden test's message, not its code
    assert f"{STUDENTS['refunds_and_customers'].expected:g} / {FULL:g}" in text


def test_export_separates_ungradable_from_zero(graded, tmp_path):
    import csv

    from grader.export import export_grades

    course, *_ = graded
    path = export_grades(tmp_path / "grades.csv", root=course)
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert rows["blank"][f"{CHAPTER}:test_rfm_scores"] == "0.0"  # a real zero...
    assert rows["blank"][f"{CHAPTER}:status"] == "graded"
    assert rows["broken_json"][CHAPTER] == ""                     # ...is not "could not grade"
    assert rows["broken_json"][f"{CHAPTER}:status"].startswith("ungradable: not a readable")
    assert rows["no_notebook"][f"{CHAPTER}:status"].startswith("missing:")
    assert float(rows["scores_reversed"][f"{CHAPTER}:test_rfm_scores"]) == 0
    assert float(rows["scores_reversed"][f"{CHAPTER}:test_rfm_segments"]) == 3


def test_report_is_one_html_file_with_item_statistics(graded, tmp_path):
    from grader.report import item_statistics, item_table, write_report

    course, *_ = graded
    path = write_report(CHAPTER, tmp_path / "items.html", root=course)
    text = path.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 3 and "<img src=\"http" not in text
    table, points, left_out = item_table(CHAPTER, course)
    assert set(left_out) == {"broken_json", "no_notebook"}
    stats = item_statistics(table, points)
    assert stats.loc["test_rfm_scores", "difficulty"] < 1
    assert "most common failures" in text and "is not the expected value" in text


def test_similarity_ranks_identical_answers_first(graded, tmp_path):
    from grader.similarity import similar_pairs, write_similarity_report

    course, *_ = graded
    table, _ = similar_pairs(CHAPTER, course)
    top = table.iloc[0]
    assert top.similarity == 1.0  # e.g. perfect and renamed_file hand in the same code
    blank = table[(table.student_a == "blank") | (table.student_b == "blank")]
    assert (blank.similarity == 0).all()  # the release's stubs are not evidence
    page, csv_path = write_similarity_report(CHAPTER, tmp_path / "sim.html", root=course)
    assert csv_path.is_file() and "similarity" in page.read_text(encoding="utf-8")


# ---- the command line, on the graded class ----------------------------------------------

def test_the_command_line_grades_and_prints_a_summary(graded):
    import subprocess
    import sys

    course, *_ = graded
    done = subprocess.run(
        [sys.executable, "-m", "grader", "grade", CHAPTER, "--root", str(course), "--student",
         "blank", "--force", "--timeout", str(TIMEOUT_S), "-q"],
        capture_output=True, text=True, cwd=course)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "blank" in done.stdout and "1 graded" in done.stdout


def test_the_command_line_writes_every_instructor_file(graded, tmp_path, capsys):
    from grader.cli import main

    course, *_ = graded
    root = ["--root", str(course)]
    assert main(["export", str(tmp_path / "grades.csv"), *root]) == 0
    assert main(["report", CHAPTER, "--out", str(tmp_path / "items.html"), *root]) == 0
    assert main(["similarity", CHAPTER, "--out", str(tmp_path / "sim.html"), *root]) == 0
    assert main(["feedback", CHAPTER, "--student", "perfect", *root]) == 0
    for name in ("grades.csv", "items.html", "sim.html", "sim.csv"):
        assert (tmp_path / name).is_file(), name
    assert (course / "feedback" / "perfect" / CHAPTER / f"{CHAPTER}.html").is_file()
    capsys.readouterr()
    assert main(["grade", "99_nothing", *root]) == 2
    assert "error:" in capsys.readouterr().err


def test_the_command_line_releases_into_another_course_root_and_bundles(course_copy, root,
                                                                         tmp_path):
    from grader.cli import main

    released = course_copy / "chapters" / "00_overview" / "00_overview.ipynb"
    released.unlink()
    assert main(["release", "00_overview", "--root", str(course_copy)]) == 0
    assert released.is_file()
    assert main(["bundle", str(tmp_path / "b.zip"), "--root", str(root)]) == 0
    assert (tmp_path / "b.zip").stat().st_size > 0
