"""How an executed test cell is scored: by its assertions and errors, never by its warnings.

nbgrader's :func:`nbgrader.utils.determine_grade` gives a code test cell 0 as soon as
anything was written to stderr while it ran. pandas 3.x writes a deprecation warning
to stderr for ``inplace=True`` (``reset_index``, ``rename``, ``sort_values``,
``dropna`` …), an everyday student idiom, so a correct answer lost the whole cell.
Here a test cell is scored as nbgrader scores it, with its stderr stream left out:

- an ``error`` output (a failed assertion, any exception) still scores 0;
- a number as the cell's result still gives partial credit;
- a warning, or anything else printed to stderr, costs nothing, and stays in the
  autograded notebook, so feedback and formgrader still show it.

Warning filters the student set make no difference (``ignore``, ``always``, ``once``),
except ``warnings.simplefilter("error")``: then the warning *is* an exception, the
student's code stops before the test's assertions ran, and the cell scores 0 like any
other error. Nothing was checked, the student saw the same error in their own notebook
(the visible checks share the cell), and grading does not reset filters inside a
student's kernel.

Stock ``nbgrader autograde`` and ``nbgrader validate`` still use nbgrader's rule; ``grade``,
``feedback`` and the in-process contract harness (tests/harness.py) use this one.
"""

from __future__ import annotations

from types import SimpleNamespace

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import SaveAutoGrades

from grader.autograde.gradebook import open_gradebook

__all__ = ["grade_cell", "scored_view", "counts_for_score", "SaveAutoGradesIgnoringStderr"]


def counts_for_score(output) -> bool:
    """False for stderr stream output (warnings, logging): it never changes a score."""
    return not (output.get("output_type") == "stream" and output.get("name") == "stderr")


def scored_view(cell: NotebookNode) -> NotebookNode:
    """``cell`` as scoring sees it: an autograded code test cell loses its stderr outputs.

    Any other cell is returned as is (an answer cell is scored by its checksum). A
    shallow copy: ``cell`` itself, and what the autograded notebook shows, is unchanged.
    """
    if cell.get("cell_type") != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
        return cell
    view = NotebookNode(cell)
    view["outputs"] = [o for o in cell.get("outputs", []) if counts_for_score(o)]
    return view


def grade_cell(cell: NotebookNode, log=None) -> tuple[float | None, float]:
    """``(score, max_points)`` of a grade cell: nbgrader's rule, stderr left out.

    ``score`` is None for a cell graded by hand, as in nbgrader.
    """
    return utils.determine_grade(scored_view(cell), log)


class SaveAutoGradesIgnoringStderr(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, scoring each test cell with :func:`grade_cell`.

    Everything else (finding the grade row, keeping manual scores, flagging cells for
    manual grading, comments) is nbgrader's, so formgrader and feedback read the
    gradebook as they would after ``nbgrader autograde``. The submission's grade and
    comment rows are loaded in one query and written in one commit, so a submission's
    scores land together or not at all (nbgrader's: two queries and a commit per cell,
    ~1.5 s of the grading process per submission on a busy machine).
    """

    def preprocess(self, nb: NotebookNode, resources):
        ids = resources["nbgrader"]
        self.notebook_id, self.assignment_id = ids["notebook"], ids["assignment"]
        self.student_id, self.db_url = ids["student"], ids["db_url"]
        with open_gradebook(self.db_url) as gb:
            self.gradebook = _OneSubmission(gb, self.notebook_id, self.assignment_id,
                                            self.student_id)
            nb, resources = super(SaveAutoGrades, self).preprocess(nb, resources)
            gb.db.commit()
        return nb, resources

    def _add_score(self, cell: NotebookNode, resources) -> None:
        super()._add_score(scored_view(cell), resources)


class _OneSubmission:
    """The Gradebook calls SaveAutoGrades makes for one submission, from rows loaded once;
    its per-cell ``db.commit()`` waits for the one commit at the end."""

    def __init__(self, gb: Gradebook, notebook: str, assignment: str, student: str):
        submission = gb.find_submission_notebook(notebook, assignment, student)
        self._grades = {g.name: g for g in submission.grades}
        self._comments = {c.name: c for c in submission.comments}
        self.db = SimpleNamespace(commit=lambda: None)

    def find_grade(self, name, *_ids):
        if name not in self._grades:
            raise MissingEntry()
        return self._grades[name]

    def find_comment(self, name, *_ids):
        if name not in self._comments:
            raise MissingEntry()
        return self._comments[name]
