"""Every chapter: the solution runs cleanly, the student version fails every
autograded test until answered, and chapters/ is exactly what nbgrader generates."""

from __future__ import annotations

import filecmp

import nbformat
import pytest
from nbclient import NotebookClient

from grader.course import chapter_names
from grader.release import release

CHAPTERS = chapter_names(editions=True)  # every chapter in every language
pytestmark = pytest.mark.slow


def execute(path, cwd):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    ).execute()
    return nb


def errors(nb):
    return {
        (c.metadata.get("nbgrader", {}).get("grade_id") or f"cell {i}"): next(
            o for o in c.outputs if o.output_type == "error"
        )["ename"]
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)
    }


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_notebook_runs_without_errors(root, tmp_path, chapter):
    nb = execute(root / "solutions" / chapter / f"{chapter}.ipynb", tmp_path)
    assert errors(nb) == {}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_unanswered_student_notebook_fails_every_autograded_test(root, tmp_path, chapter):
    nb = execute(root / "chapters" / chapter / f"{chapter}.ipynb", tmp_path)
    tests = [
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade")
        and not c.metadata["nbgrader"].get("solution")
    ]
    assert tests, "a chapter must have autograded tests"
    assert set(tests) <= set(errors(nb))


def test_chapters_folder_is_exactly_what_nbgrader_generates(root, course_copy):
    generated = release(root=course_copy)
    assert {p.parent.name for p in generated} == set(CHAPTERS)
    for chapter in CHAPTERS:
        comparison = filecmp.dircmp(
            root / "chapters" / chapter,
            course_copy / "chapters" / chapter,
            ignore=["__pycache__", ".ipynb_checkpoints"],
        )
        assert not (comparison.left_only or comparison.right_only), comparison.report()
        for name in comparison.common_files:
            a = (root / "chapters" / chapter / name).read_bytes()
            b = (course_copy / "chapters" / chapter / name).read_bytes()
            assert a == b, (
                f"chapters/{chapter}/{name} differs from nbgrader's output: run `make release`"
            )


def test_every_chapter_has_autograder_honesty_tests(root):
    """Each chapter's test module subclasses ChapterAutograder (autograder_contract.py)."""
    import re

    subclass = re.compile(r"class \w+\(ChapterAutograder\):\n(?:[ \t]+.*\n)*?[ \t]+"
                          r"CHAPTER = \"(\w+)\"")
    covered = {name for path in (root / "tests").glob("test_*.py")
               for name in subclass.findall(path.read_text(encoding="utf-8"))}
    missing = set(chapter_names()) - covered  # an edition is covered by its chapter's class
    assert not missing, f"chapters without autograder honesty tests: {sorted(missing)}"
