"""Flags for review (grader.autograde.tamper): code of a student's that reaches into the
grading is flagged, in the summary, the status record, the export and the item report;
honest code never is; and a flag never changes a score."""

from __future__ import annotations

import copy
import inspect
import json
import textwrap

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from grader.autograde import tamper
from grader.autograde.status import SubmissionStatus, read_status, write_status

CHAPTERS = ["00_overview", "06_rfm", "07_call_centre"]


def _solution(root, chapter):
    return nbformat.read(root / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)


def _release(root, chapter):
    return root / "chapters" / chapter / f"{chapter}.ipynb"


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _flags(root, nb, chapter="06_rfm"):
    return tamper.scan(nb, _release(root, chapter))


def _with_added_cell(root, source, after="code_02", chapter="06_rfm"):
    """The chapter's solution (hidden tests in place, as after sanitising) with a cell the
    student added after the cell ``after``."""
    nb = _solution(root, chapter)
    nb.cells.insert(nb.cells.index(_cell(nb, after)) + 1, new_code_cell(source))
    return nb


def _with_answer(root, chapter, grade_id, source):
    nb = _solution(root, chapter)
    _cell(nb, grade_id).source = source
    return nb


# ---- honest code is never flagged ---------------------------------------------------------

@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_answer_cell_of_a_solution_is_flagged(root, chapter):
    nb = _solution(root, chapter)
    read = [name for _, name in tamper.student_cells(nb) if name]
    assert len(read) >= 3 and all(name.startswith("answer cell") for name in read)
    assert _flags(root, nb, chapter) == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_course_cells_imports_of_grader_are_not_the_students(root, chapter):
    # The hidden tests import grader in every test cell: those cells are the course's.
    nb = _solution(root, chapter)
    course = [src for src, name in tamper.student_cells(nb) if name is None]
    assert any("from grader." in src for src in course)
    assert tamper.scan_cells(course) != []  # ...which would be flagged in a student's cell


def test_no_submission_of_the_synthetic_class_is_flagged(root):
    from grader.sample_class import EXTRA_STUDENTS, STUDENTS, submission_notebook

    for name, student in {**STUDENTS, **EXTRA_STUDENTS}.items():
        if student.damage == "no_notebook":
            continue
        assert _flags(root, submission_notebook(root, student)) == [], name


def _contract_answers():
    """(chapter, answer grade_id, source) of every other correct style and common mistake
    the chapters' autograder tests list."""
    import test_callcentre_autograder
    import test_overview_autograder
    import test_rfm_autograder

    for module in (test_overview_autograder, test_rfm_autograder, test_callcentre_autograder):
        chapter = module.TestAutograder.CHAPTER
        tables = [*module.TestAutograder.CORRECT_STYLES.values(),
                  *(replacements for replacements, _ in module.TestAutograder.MISTAKES.values())]
        for replacements in tables:
            for grade_id, func in replacements.items():
                if not _leans_on_grader(func):
                    yield chapter, grade_id, textwrap.dedent(inspect.getsource(func))


def _leans_on_grader(func) -> bool:
    """A variant written as "the reference, then a slip" (``ref.status_share(orders) * 100``)
    calls the test module's own import of grader: as a student's cell it would be flagged,
    rightly, so it is no example of honest code."""
    def origin(value):
        return getattr(value, "__name__" if inspect.ismodule(value) else "__module__", "") or ""

    def names(code):  # the function's own and its inner functions'
        yield from code.co_names
        for const in code.co_consts:
            if inspect.iscode(const):
                yield from names(const)

    used = [func.__globals__[n] for n in names(func.__code__) if n in func.__globals__]
    return any(origin(value).startswith("grader") for value in used)


def test_no_other_correct_style_or_common_mistake_is_flagged(root):
    answers = list(_contract_answers())
    assert len({chapter for chapter, *_ in answers}) == len(CHAPTERS) and len(answers) > 20
    for chapter, grade_id, source in answers:
        nb = _with_answer(root, chapter, grade_id, source)
        assert _flags(root, nb, chapter) == [], (chapter, grade_id, source)


#: Ordinary student code, each in a cell the student added after the set-up cell of 06.
HONEST = {
    "own helper function": "def share(part, whole):\n    return part / whole\n",
    "import math": "import math\nmath.ceil(0.2 * 10)\n",
    "the course's data": "from crm_lab import data\norders = data.load_orders()\n",
    "warnings": "import warnings\nwarnings.filterwarnings('ignore', category=FutureWarning)\n",
    "pandas options": "pd.set_option('display.max_rows', 10)\npd.options.display.width = 120\n"
                      "pd.options.mode.copy_on_write = True\n",
    "pandas idioms": "paid = orders.query(\"status == 'paid'\")\n"
                     "paid = paid.eval('twice = net_amount_cny * 2')\n"
                     "paid.columns = [c.upper() for c in paid.columns]\n"
                     "paid['x'] = 1\npaid.reset_index(inplace=True)\n",
    "a local named like a module": "def f(pd):\n    pd.x = 1\n    return pd\n",
    "reusing the name data": "data = orders.copy()\ndata.columns = list(data.columns)\n",
    "numpy calls": "rng = np.random.default_rng(0)\nnp.set_printoptions(precision=3)\n",
    "matplotlib settings": "plt.rcParams['figure.figsize'] = (8, 4)\n",
    "setattr on own object": "class Box:\n    pass\nbox = Box()\nsetattr(box, 'size', 3)\n",
    "sys for the version": "import sys\nprint(sys.version)\n",
    "magics": "%timeit len(orders)\n!ls\n",
    "a syntax error": "def broken(:\n    import grader\n",
    "the stub as released": "# YOUR CODE HERE\nraise NotImplementedError()\n",
}


@pytest.mark.parametrize("name", list(HONEST))
def test_ordinary_student_code_is_not_flagged(root, name):
    assert _flags(root, _with_added_cell(root, HONEST[name])) == []


# ---- each rule flags ----------------------------------------------------------------------

#: One example per rule (at least), in a cell the student added after the set-up cell of 06
#: (so pd, np, checks, SEGMENTS are the set-up's imports); the rule it must raise.
TAMPERING = {
    "the issue's example": (
        "import grader.compare\ngrader.compare.assert_same_table = lambda *a, **k: None\n",
        "rebinding"),
    "import from grader": ("from grader.reference import rfm\n", "grader"),
    "the formative checks": ("checks.check_frame = lambda *a, **k: None\n", "rebinding"),
    "checks imported under another name": (
        "from crm_lab import checks as c\ndel c.check_number\n", "rebinding"),
    "a pandas class": ("pd.DataFrame.equals = lambda self, other: True\n", "rebinding"),
    "a numpy function": ("np.isclose = lambda *a, **k: True\n", "rebinding"),
    "a course table": ("SEGMENTS.loc[('high', 'high', 'high'), 'segment'] = 'x'\n", "rebinding"),
    "sys.modules": ("import sys\nsys.modules['grader.compare'].assert_same_table = print\n",
                    "sys.modules"),
    "from sys import modules": ("from sys import modules\n", "sys.modules"),
    "import builtins": ("import builtins\nbuiltins.isinstance = lambda *a: True\n", "builtins"),
    "__builtins__": ("__builtins__.len = lambda x: 0\n", "builtins"),
    "__import__": ("compare = __import__('grader.compare')\n", "__import__"),
    "importlib": ("import importlib\nimportlib.reload(checks)\n", "importlib"),
    "setattr on a module": ("setattr(checks, 'check_frame', print)\n", "setattr"),
    "delattr on a pandas class": ("delattr(pd.DataFrame, 'equals')\n", "setattr"),
    "exec": ("exec('x = 1')\n", "exec/eval"),
    "eval": ("y = eval('1 + 1')\n", "exec/eval"),
    "behind a magic": ("%time x = 1\nimport grader\n", "grader"),
}


def test_every_rule_has_an_example():
    assert {rule for _, rule in TAMPERING.values()} == set(tamper.RULES)


@pytest.mark.parametrize("name", list(TAMPERING))
def test_tampering_is_flagged_with_its_rule_and_cell(root, name):
    source, rule = TAMPERING[name]
    flags = _flags(root, _with_added_cell(root, source))
    assert rule in {f.rule for f in flags}
    assert all(f.cell.startswith("added cell") and "(after code_02)" in f.cell for f in flags)


def test_a_flag_says_what_and_which_cell(root):
    nb = _with_added_cell(root, TAMPERING["the issue's example"][0])
    number = next(i for i, c in enumerate(nb.cells, 1) if "grader.compare" in c.source
                  and "nbgrader" not in c.metadata)
    assert [str(f) for f in _flags(root, nb)] == [
        f"imports grader.compare, added cell {number} (after code_02) line 1",
        f"assigns to grader.compare.assert_same_table, added cell {number} (after code_02) line 2",
    ]


def test_an_answer_that_calls_the_reference_the_hidden_tests_imported_is_flagged(root):
    # test_rfm_table_shop runs `from grader.reference import rfm as ref` before this answer
    answer = "def rfm_scores(rfm):\n    return ref.rfm_scores(rfm)\n"
    flags = _flags(root, _with_answer(root, "06_rfm", "rfm_scores", answer))
    assert [str(f) for f in flags] == [
        "uses grader.reference.rfm.rfm_scores, answer cell rfm_scores line 2"]


def test_rebinding_a_name_the_hidden_tests_imported_is_flagged(root):
    answer = "def rfm_scores(rfm):\n    return rfm\n\nassert_same_table = lambda *a, **k: None\n"
    flags = _flags(root, _with_answer(root, "06_rfm", "rfm_scores", answer))
    assert [f.rule for f in flags] == ["grader"]
    assert "rebinds assert_same_table (grader.compare.assert_same_table)" in str(flags[0])


def test_a_cell_unchanged_from_the_release_is_not_the_students(root):
    # A copy of the set-up cell without its metadata (pasted, or a duplicate nbgrader
    # stripped): its code is the course's, whatever it imports.
    nb = _solution(root, "06_rfm")
    setup = copy.deepcopy(_cell(nb, "code_02"))
    del setup.metadata["nbgrader"]
    setup.source = setup.source + "\nimport importlib\n"
    nb.cells.append(setup)
    assert [f.rule for f in _flags(root, nb)] == ["importlib"]  # changed: the student's
    release = nbformat.read(_release(root, "06_rfm"), as_version=4)
    setup.source = _cell(release, "code_02").source + "\nimport importlib\n"
    assert tamper.scan_cells(tamper.student_cells(nb, {setup.source})) == []


def test_a_cell_dressed_as_a_locked_one_is_still_the_students(root):
    # Sanitising drops a grade_id the gradebook does not know but keeps the rest of the
    # metadata: "locked" without a grade_id is no course cell.
    source = "import importlib\n"
    nb = _with_added_cell(root, source)
    added = next(c for c in nb.cells if c.source == source)
    added.metadata["nbgrader"] = {"locked": True, "solution": False, "grade": False,
                                  "schema_version": 3}
    assert [f.rule for f in _flags(root, nb)] == ["importlib"]


# ---- where flags are kept and shown -------------------------------------------------------

def test_status_records_written_before_flags_are_still_read(tmp_path):
    old = {"student": "s1", "chapter": "06_rfm", "state": "graded", "reason": "", "notes": [],
           "skipped_cells": {}, "submission_sha256": "ab", "score": 12.0, "max_score": 14.0,
           "seconds": 3.1, "manual_points": 2.0}
    (tmp_path / ".grading-status.json").write_text(json.dumps(old), encoding="utf-8")
    status = read_status(tmp_path)
    assert status is not None and status.flags == [] and status.review == []
    assert status.score == 12.0


def test_flags_are_kept_in_the_status_record(tmp_path):
    status = SubmissionStatus("s1", "06_rfm", "graded", flags=["uses exec, cell 3 line 1"])
    write_status(tmp_path, status)
    assert read_status(tmp_path).review == ["flagged for review: uses exec, cell 3 line 1"]


def test_a_record_with_a_field_of_a_newer_grader_is_still_read(tmp_path):
    write_status(tmp_path, SubmissionStatus("s1", "06_rfm", "graded", score=3.0))
    record = json.loads((tmp_path / ".grading-status.json").read_text(encoding="utf-8"))
    record["from_the_future"] = 1
    (tmp_path / ".grading-status.json").write_text(json.dumps(record), encoding="utf-8")
    assert read_status(tmp_path).score == 3.0


def test_the_summary_shows_each_flag_under_its_student():
    from grader.autograde.run import GradingRun, format_summary

    run = GradingRun("06_rfm", workers=2)
    run.statuses["honest"] = SubmissionStatus("honest", "06_rfm", "graded", score=14.0,
                                              max_score=14.0)
    run.statuses["sly"] = SubmissionStatus("sly", "06_rfm", "graded", score=14.0,
                                           max_score=14.0, flags=["uses exec, cell 3 line 1"])
    lines = format_summary(run).splitlines()
    sly = next(i for i, line in enumerate(lines) if line.startswith("sly"))
    assert "14/14" in lines[sly]
    assert lines[sly + 1].strip() == "flagged for review: uses exec, cell 3 line 1"
    assert "1 flagged for review (scores unchanged)" in lines[-1]
    assert not any("flagged" in line for line in lines[:sly])  # honest: nothing


# ---- a real grading run: the flag everywhere, the score the kernel's -----------------------

#: Both tests share one graded class: under xdist one worker grades it, once.
ONE_WORKER = pytest.mark.xdist_group("tamper_class")

TAMPER_CELL = ("import grader.compare\n"
               "grader.compare.assert_same_table = lambda *a, **k: None  # every table 'matches'\n")


@pytest.fixture(scope="module")
def tamper_class(tmp_path_factory):
    from grading_support import MEMORY, TIMEOUT_S, released_course

    from grader.autograde import grade
    from grader.sample_class import CHAPTER, Student, submission_notebook

    course = released_course(tmp_path_factory, "tamper_class")
    # Both use the median, not the mean, in rfm_segments: a mistake only the hidden
    # comparison (assert_same_table) catches. The second one switches that comparison off.
    median = Student({"rfm_segments": "segments_median"})
    honest = submission_notebook(course, median)
    sly = submission_notebook(course, median)
    sly.cells.insert(sly.cells.index(_cell(sly, "code_02")) + 1, new_code_cell(TAMPER_CELL))
    for student, nb in (("honest_median", honest), ("sly_median", sly)):
        folder = course / "submitted" / student / CHAPTER
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{CHAPTER}.ipynb")
    run = grade(CHAPTER, root=course, timeout_seconds=TIMEOUT_S, memory_limit_bytes=MEMORY,
                workers=2, progress=False)
    return course, run, sly


@pytest.mark.slow
@ONE_WORKER
def test_a_flag_never_changes_the_score_the_kernel_gives(tamper_class):
    from grading_support import autograded_points

    from grader.sample_class import CHAPTER

    course, run, _ = tamper_class
    sly = autograded_points(course, "sly_median")
    honest = autograded_points(course, "honest_median")
    # The tampering worked: the hidden comparison that failed the honest median passed...
    assert honest["test_rfm_segments"] == 0 < sly["test_rfm_segments"]
    assert {k: v for k, v in sly.items() if k != "test_rfm_segments"} == \
        {k: v for k, v in honest.items() if k != "test_rfm_segments"}
    # ...and the flag took nothing away: each test cell has the points its run in the kernel
    # earned (full without an error, 0 with one), and the status the gradebook's total.
    executed = nbformat.read(course / "autograded" / "sly_median" / CHAPTER / f"{CHAPTER}.ipynb",
                             as_version=4)
    for grade_id, points in sly.items():
        cell = _cell(executed, grade_id)
        failed = any(out.output_type == "error" for out in cell.outputs)
        assert points == (0 if failed else cell.metadata.nbgrader["points"]), grade_id
    assert run.statuses["sly_median"].score == sum(sly.values())
    assert run.statuses["sly_median"].flags and not run.statuses["honest_median"].flags


@pytest.mark.slow
@ONE_WORKER
def test_the_flag_shows_in_summary_status_export_and_report(tamper_class, tmp_path):
    import csv

    from grader.autograde import format_summary
    from grader.export import export_grades
    from grader.report import write_report
    from grader.sample_class import CHAPTER

    course, run, _ = tamper_class
    expected = ["imports grader.compare, added cell 3 (after code_02) line 1",
                "assigns to grader.compare.assert_same_table, added cell 3 (after code_02) line 2"]
    assert run.statuses["sly_median"].flags == expected
    assert run.statuses["honest_median"].flags == []
    assert read_status(course / "autograded" / "sly_median" / CHAPTER).flags == expected
    summary = format_summary(run)
    assert f"flagged for review: {expected[1]}" in summary

    path = export_grades(tmp_path / "grades.csv", root=course)
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        rows = {r["student_id"]: r for r in reader}
        header = reader.fieldnames
    column = f"{CHAPTER}:flagged for review"
    assert rows["sly_median"][column] == "; ".join(expected)
    assert rows["honest_median"][column] == ""
    # Score columns are what they were: the chapter's score and one column per test cell.
    assert float(rows["sly_median"][CHAPTER]) == run.statuses["sly_median"].score
    assert [h for h in header if h.startswith(f"{CHAPTER}:test_")]
    assert rows["sly_median"][f"{CHAPTER}:status"] == "graded"

    page = write_report(CHAPTER, tmp_path / "items.html", root=course).read_text(encoding="utf-8")
    flagged = page[page.index("<h2>Flagged for review</h2>"):page.index("<h2>Not graded</h2>")]
    assert "sly_median" in flagged and "honest_median" not in flagged
    assert "flagged for review: assigns to grader.compare.assert_same_table" in flagged
    assert page.count("data:image/png;base64,") == 3
