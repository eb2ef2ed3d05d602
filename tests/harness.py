"""Grade a chapter's test cells in-process, the way ``python -m grader grade`` would.

Runs the notebook's cells in order in one namespace: answer cells are replaced
by the functions given (a student's answer in a particular style), every other
code cell runs with errors ignored (as nbgrader's allow_errors does). Each cell
gets the outputs a kernel would record (stdout, stderr with any warnings, the
error, the last expression's value), and each autograded test cell is scored by
``grade``'s own rule, :func:`grader.autograde.scoring.grade_cell`, so the two
cannot drift (a warning costs nothing; an error, even a warning the student turned
into one, fails the cell). No kernel is started, so dozens of answer variants can
be graded in seconds; the nbgrader round-trip and grader tests check that a real
kernel agrees.
"""

from __future__ import annotations

import ast
import contextlib
import io
import sys
import warnings
from pathlib import Path

import matplotlib
import nbformat
from nbformat.v4 import new_code_cell, new_output

from grader import memo
from grader.autograde.scoring import grade_cell

matplotlib.use("Agg")
# The hidden tests' reference answers are kept by the content of their inputs, as in the
# grading kernels (grader.memo): each chapter's dozens of answer variants call the
# reference functions on the same tables, so each answer is computed once per process.
memo.memoize_package("grader.reference")


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def load_cells(notebook: Path):
    return nbformat.read(notebook, as_version=4).cells


def grade_in_process(notebook: Path, answers: dict[str, object]) -> dict[str, bool]:
    """Map each autograded test cell's grade_id to pass (full points) or fail.

    ``answers`` maps an answer cell's ``grade_id`` to the function that cell
    should define (named like the cell's ``def``); an answer cell without an
    entry is left unanswered (it defines nothing).
    """
    scores = {gid: grade_cell(cell) for gid, cell in run_in_process(notebook, answers).items()}
    return {gid: score == points for gid, (score, points) in scores.items()}


def run_in_process(notebook: Path, answers: dict[str, object]) -> dict[str, nbformat.NotebookNode]:
    """grade_id → each autograded test cell after running, with the outputs a kernel records."""
    import matplotlib.pyplot as plt

    import crm_lab

    # A kernel starts in English; a Chinese edition's set-up cell switches it, and that
    # must not carry over into the next notebook run in this process.
    crm_lab.set_language("en")
    namespace: dict[str, object] = {"__name__": "__main__"}
    results: dict[str, nbformat.NotebookNode] = {}
    # One set of filters for the whole notebook, as in a kernel: a filter one cell sets
    # holds in the cells after it. "default" shows each warning once per place, as a
    # kernel does for a student's own code (these answers live in test modules, not in
    # __main__, so Python's default filters would hide their DeprecationWarnings).
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _warning_to_stderr
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
            # IPython clears the user namespace's warning registry before each cell, so a
            # warning shows again in every cell that triggers it.
            for module in {id(f.__globals__): f.__globals__ for f in answers.values()}.values():
                module.pop("__warningregistry__", None)
            ran = new_code_cell(cell.source, metadata=cell.metadata)
            ran.outputs = _run_cell(cell.source, f"<cell {meta.get('grade_id', '?')}>", namespace)
            plt.close("all")
            if meta.get("grade"):
                results[meta["grade_id"]] = ran
    crm_lab.set_language("en")  # the edition's switch ends with its notebook
    return results


def _warning_to_stderr(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _run_cell(source: str, name: str, namespace: dict) -> list:
    """Run ``source`` as a kernel would; its outputs as nbformat records them.

    Errors are recorded, not raised (allow_errors); the last statement's value, if it is
    an expression that is not None, is the cell's ``execute_result``.
    """
    out, err = io.StringIO(), io.StringIO()
    tail = []
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            tree = ast.parse(source, name)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, name, "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), name, "eval"), namespace)
                if value is not None:
                    tail.append(new_output("execute_result", {"text/plain": repr(value)},
                                           execution_count=1))
        except Exception as exc:
            tail.append(new_output("error", ename=type(exc).__name__, evalue=str(exc),
                                   traceback=[]))
    streams = [new_output("stream", name=stream, text=text.getvalue())
               for stream, text in (("stdout", out), ("stderr", err)) if text.getvalue()]
    return streams + tail


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
