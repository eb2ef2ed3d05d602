"""What every chapter's autograder must do, written once: a chapter's test module subclasses
:class:`ChapterAutograder` and lists only what is its own.

A subclass (named ``Test...`` so pytest collects it) sets

- ``CHAPTER``: the chapter folder, e.g. ``"06_rfm"``;
- ``REFERENCE``: answer cell ``grade_id`` → the reference function that cell defines;
- ``CORRECT_STYLES``: name → answer replacements that are right in another style (other
  column order, int vs float, key as index or column...); each must get full marks;
- ``WARNING_STYLE``: the name of one of them that prints a warning in a test cell (pandas'
  ``inplace=True`` deprecation, say): full marks still, where stock nbgrader gives 0;
- ``MISTAKES``: name → ``(replacements, {test cells that must fail})``: each common mistake
  fails exactly those cells and no other;
- ``MIN_POINTS``: the fewest autograded points the chapter may have.

``style`` and ``mistake`` are parametrised from those tables by ``pytest_generate_tests``
in conftest.py. Grading is in-process (harness.py): no kernel, a few seconds per variant;
the nbgrader round trip and the grader-class tests check that real kernels agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import answers_with, autograded_points, failed, grade_in_process, run_in_process
from nbgrader.utils import determine_grade

from grader.autograde.scoring import counts_for_score, grade_cell

__all__ = ["ChapterAutograder", "parametrize_contract"]


class ChapterAutograder:
    CHAPTER: str = ""
    REFERENCE: dict = {}
    CORRECT_STYLES: dict = {}
    WARNING_STYLE: str = ""
    MISTAKES: dict = {}
    MIN_POINTS: float = 6

    @pytest.fixture(scope="class")
    @classmethod
    def notebook(cls, root) -> Path:
        return root / "solutions" / cls.CHAPTER / f"{cls.CHAPTER}.ipynb"

    def grade(self, notebook: Path, **replacements) -> dict[str, bool]:
        """Pass/fail per autograded test cell, for the reference answers with ``replacements``."""
        return grade_in_process(notebook, answers_with(self.REFERENCE, **replacements))

    def test_reference_answers_pass_every_cell(self, notebook):
        results = self.grade(notebook)
        assert set(results) == set(autograded_points(notebook))
        assert failed(results) == set()

    def test_unanswered_notebook_fails_every_cell(self, notebook):
        results = grade_in_process(notebook, {})
        assert results and failed(results) == set(results)

    def test_enough_autograded_points_styles_and_mistakes(self, notebook):
        assert sum(autograded_points(notebook).values()) >= self.MIN_POINTS
        assert self.CORRECT_STYLES and self.MISTAKES, "list other styles and common mistakes"

    def test_correct_answer_in_another_style_gets_full_marks(self, notebook, style):
        assert failed(self.grade(notebook, **self.CORRECT_STYLES[style])) == set()

    def test_a_warning_in_a_test_cell_costs_no_points(self, notebook):
        assert self.WARNING_STYLE in self.CORRECT_STYLES, "name a correct style that warns"
        answers = answers_with(self.REFERENCE, **self.CORRECT_STYLES[self.WARNING_STYLE])
        cells = run_in_process(notebook, answers)
        warned = {gid: cell for gid, cell in cells.items()
                  if not all(map(counts_for_score, cell.outputs))}
        assert warned, f"{self.WARNING_STYLE!r} prints no warning in a test cell"
        for gid, cell in warned.items():
            assert "Warning" in "".join(o.get("text", "") for o in cell.outputs), gid
            assert grade_cell(cell)[0] == cell.metadata.nbgrader.points, gid
            assert determine_grade(cell)[0] == 0, gid  # stock nbgrader's rule: no points

    def test_common_mistake_fails_exactly_its_cells(self, notebook, mistake):
        replacements, expected_failures = self.MISTAKES[mistake]
        assert failed(self.grade(notebook, **replacements)) == set(expected_failures)

    # -- the chapter's other-language editions (grader.translate): same tests, same reference.
    # Their code is the English code (test_translation checks it), so the style and mistake
    # tables are not run again; these show the edition is graded and speaks its language.

    @pytest.fixture(scope="class")
    @classmethod
    def edition(cls, root, lang) -> Path:
        name = f"{cls.CHAPTER}_{lang}"
        return root / "solutions" / name / f"{name}.ipynb"

    def test_edition_reference_answers_pass_every_cell(self, edition, notebook):
        results = self.grade(edition)
        assert set(results) == set(autograded_points(notebook))
        assert failed(results) == set()

    def test_edition_unanswered_notebook_fails_every_cell(self, edition):
        results = grade_in_process(edition, {})
        assert results and failed(results) == set(results)

    def test_edition_shows_a_wrong_answer_s_check_in_its_language(self, edition):
        """The first listed mistake's failed checks say what is wrong in Chinese (a formative
        check's ✗ message, or a test's assertion message)."""
        replacements, _ = next(iter(self.MISTAKES.values()))
        cells = run_in_process(edition, answers_with(self.REFERENCE, **replacements))
        messages = [o.get("evalue", "") for c in cells.values() for o in c.outputs
                    if o.get("ename") in ("CheckFailed", "AssertionError")]
        assert messages, "the first listed mistake fails no check"
        assert all(_has_cjk(m) for m in messages), messages


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def parametrize_contract(metafunc) -> None:
    """conftest's pytest_generate_tests: ``style`` and ``mistake`` from the class's tables."""
    cls = metafunc.cls
    if cls is None or not issubclass(cls, ChapterAutograder):
        return
    for argument, table in (("style", cls.CORRECT_STYLES), ("mistake", cls.MISTAKES)):
        if argument in metafunc.fixturenames:
            metafunc.parametrize(argument, list(table))
    if "lang" in metafunc.fixturenames:
        from grader.course import editions

        others = [lang for lang in editions(cls.CHAPTER) if lang != "en"]
        metafunc.parametrize("lang", others, scope="class")
