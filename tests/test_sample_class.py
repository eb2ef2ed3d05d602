"""Every chapter has a synthetic class derived from the chapter itself (grader.sample_class):
the worked solution, a blank, another correct style and one slip per answer, each with the
points it must get, none printing a warning; a benchmark writes N of them round robin."""

from __future__ import annotations

import contextlib
import io
import warnings

import matplotlib
import nbformat
import pytest
from grading_support import released_course

from grader.course import chapter_names
from grader.sample_class import (
    STUDENTS,
    benchmark_mix,
    chapter_class,
    submission_notebook,
    write_benchmark_class,
)

matplotlib.use("Agg")

CHAPTERS = chapter_names()
# What stock nbgrader cannot grade like `grade` (killed kernels, missing or renamed cells).
NOT_COMPARABLE = {"loop_forever", "exit_kernel", "memory_hog"}
NOT_COMPARABLE_DAMAGE = {"broken_json", "rename", "delete_and_duplicate", "no_notebook"}


def _checked_in_process(chapter):
    """The other correct style and the first and last answers' slips: about 10 s each on a
    loaded machine, so not every kind (the benchmark compares all of them with stock
    nbgrader)."""
    slips = [k for k in chapter_class(chapter) if k.startswith("slip_")]
    return ["copies_inputs", slips[0], slips[-1]]


def run_in_process(nb, solution) -> tuple[float, dict[str, list[str]]]:
    """Autograded points of a submission run cell by cell in one namespace (no kernel), its
    test cells with their hidden tests (from ``solution``), as nbgrader restores them; and
    per test cell what it wrote to stderr or warned: as in a kernel, a DeprecationWarning
    shows only when raised by the notebook's own code (``__main__``)."""
    import matplotlib.pyplot as plt

    tests = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
             if c.get("metadata", {}).get("nbgrader", {}).get("locked")}
    namespace: dict[str, object] = {"__name__": "__main__"}
    points, noise = 0.0, {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = tests.get(meta.get("grade_id"), cell.source)
        err = io.StringIO()
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            warnings.resetwarnings()
            for action, category, module in (("ignore", PendingDeprecationWarning, ""),
                                              ("ignore", DeprecationWarning, ""),
                                              ("default", DeprecationWarning, "__main__")):
                warnings.filterwarnings(action, category=category, module=module)
            try:
                exec(compile(source, f"<cell {meta.get('grade_id', '?')}>", "exec"),
                     namespace)
                passed = True
            except Exception:
                passed = False
        plt.close("all")
        if meta.get("grade") and not meta.get("solution"):
            points += float(meta["points"]) if passed else 0.0
            said = [str(w.message) for w in caught] + ([err.getvalue()] if err.getvalue() else [])
            if said:
                noise[meta["grade_id"]] = said
    return points, noise


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_a_solution_a_blank_a_style_and_a_slip_per_answer(chapter, root):
    solution = nbformat.read(root / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    answers = [c.metadata.nbgrader["grade_id"] for c in solution.cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
               and not c.metadata.nbgrader.get("grade")]
    full = sum(c.metadata.nbgrader["points"] for c in solution.cells if c.cell_type == "code"
               and c.metadata.get("nbgrader", {}).get("grade")
               and not c.metadata.nbgrader.get("solution"))
    kinds = chapter_class(chapter)
    assert {"worked_solution", "blank", "copies_inputs"} <= set(kinds)
    assert {k for k in kinds if k.startswith("slip_")} == {f"slip_{a}" for a in answers}
    assert kinds["worked_solution"].expected == kinds["copies_inputs"].expected == full
    assert kinds["blank"].expected == 0
    assert all(0 <= kinds[f"slip_{a}"].expected < full for a in answers)


def test_chapter_06_keeps_its_hand_written_class():
    kinds = chapter_class("06_rfm")
    assert all(kinds[name] is student for name, student in STUDENTS.items())
    assert kinds["perfect"].expected == kinds["worked_solution"].expected  # full marks


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_benchmark_mix_holds_only_what_stock_nbgrader_grades_alike(chapter):
    kinds = chapter_class(chapter)
    for name in benchmark_mix(chapter):
        assert kinds[name].damage not in NOT_COMPARABLE_DAMAGE, name
        assert not NOT_COMPARABLE & set(kinds[name].answers.values()), name
        assert kinds[name].expected is not None, name


def test_a_slip_costs_the_cells_of_the_answers_that_call_it():
    kinds = chapter_class("07_call_centre")
    # agents_required and staffing_plan call erlang_c_service_level: its slip costs theirs too
    assert (kinds["slip_erlang_c_service_level"].expected
            < kinds["slip_agents_required"].expected)


def test_a_benchmark_class_cycles_through_the_mix(tmp_path, root):
    for folder in ("chapters", "solutions"):
        (tmp_path / folder).symlink_to(root / folder)
    mix = benchmark_mix("00_overview", tmp_path)
    written = write_benchmark_class(tmp_path, "00_overview", n=len(mix) + 2)
    assert list(written) == [f"{k}_1" for k in mix] + [f"{k}_2" for k in mix[:2]]
    for sid in written:
        assert (tmp_path / "submitted" / sid / "00_overview" / "00_overview.ipynb").is_file()


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """chapter -> a course copy with that chapter released afresh (solutions/ may be ahead
    of chapters/ while a chapter is being written)."""
    courses = {}

    def course(chapter):
        if chapter not in courses:
            courses[chapter] = released_course(tmp_path_factory, f"release_{chapter}", chapter)
        return courses[chapter]

    return course


@pytest.mark.slow
@pytest.mark.parametrize("chapter, kind",
                         [(c, k) for c in CHAPTERS for k in _checked_in_process(c)])
def test_a_derived_submission_gets_its_points_and_warns_nothing(chapter, kind, released,
                                                                tmp_path, monkeypatch):
    course = released(chapter)
    monkeypatch.chdir(tmp_path)
    student = chapter_class(chapter, course)[kind]
    solution = nbformat.read(course / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    points, noise = run_in_process(submission_notebook(course, student), solution)
    assert points == student.expected
    assert noise == {}
