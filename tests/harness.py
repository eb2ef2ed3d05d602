"""Grade a chapter's test cells in-process, the way nbgrader's autograder would.

Runs the notebook's cells in order in one namespace: answer cells are replaced
by the functions given (a student's answer in a particular style), every other
code cell runs with errors ignored (as nbgrader's allow_errors does), and each
autograded test cell passes if it raises nothing. No kernel is started, so
dozens of answer variants can be graded in seconds; the nbgrader round-trip
test checks that a real kernel agrees.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import matplotlib
import nbformat

matplotlib.use("Agg")


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def load_cells(notebook: Path):
    return nbformat.read(notebook, as_version=4).cells


def grade_in_process(notebook: Path, answers: dict[str, object]) -> dict[str, bool]:
    """Map each autograded test cell's grade_id to pass/fail for the given answers.

    ``answers`` maps an answer cell's ``grade_id`` to the function that cell
    should define (named like the cell's ``def``); an answer cell without an
    entry is left unanswered (it defines nothing).
    """
    import matplotlib.pyplot as plt

    namespace: dict[str, object] = {"__name__": "__main__"}
    results: dict[str, bool] = {}
    for cell in load_cells(notebook):
        if cell.cell_type != "code":
            continue
        meta = _nbgrader(cell)
        if meta.get("solution") and not meta.get("grade"):
            func = answers.get(meta["grade_id"])
            if func is not None:
                namespace[func.__name__] = func
            continue
        if meta.get("solution"):  # manually graded code (a plot): not autograded
            continue
        ok = True
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                exec(compile(cell.source, f"<cell {meta.get('grade_id', '?')}>", "exec"), namespace)
            except Exception:
                ok = False
        plt.close("all")
        if meta.get("grade"):
            results[meta["grade_id"]] = ok
    return results


def autograded_points(notebook: Path) -> dict[str, float]:
    """grade_id → points of every autograded test cell."""
    return {
        m["grade_id"]: float(m["points"])
        for m in map(_nbgrader, load_cells(notebook))
        if m.get("grade") and not m.get("solution")
    }


def answers_with(reference: dict[str, object], **replacements) -> dict[str, object]:
    """The reference answers, some replaced by other functions.

    Each replacement is renamed to its cell's ``grade_id``, since the notebook
    calls the answer by that name.
    """
    out = dict(reference)
    for grade_id, func in replacements.items():
        func.__name__ = grade_id
        out[grade_id] = func
    return out


def failed(results: dict[str, bool]) -> set[str]:
    """The grade_ids of the test cells that failed."""
    return {cell for cell, ok in results.items() if not ok}
