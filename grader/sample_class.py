"""Synthetic classes of submissions with known scores, for trying, testing and benchmarking
the grader, for any chapter.

Each student's notebook is the released chapter with answer cells filled in. Every chapter's
class is derived from the chapter itself (:func:`chapter_class`), so a new chapter needs no
entry here:

- ``worked_solution``: the answer cells of ``solutions/``, handed in as they are;
- ``blank``: the released notebook, nothing answered;
- ``copies_inputs``: another correct style, every answer working on copies of its arguments;
- ``slip_<answer>``: a common mistake, one answer whose result comes out wrong (its last row
  or item lost, every number 10% too high, plus one) and which loses the test cells that
  depend on it.

Chapter 06 also has a hand-written class (:data:`STUDENTS`): other correct styles, common
mistakes and the pathologies a real class produces (an endless loop, ``os._exit``, a memory
hog, broken JSON, a renamed file, deleted, duplicated or edited cells), each with the
autograded points it must get (out of :data:`FULL`, read from the chapter) — or ``None``
when it cannot be graded.
No student of any benchmark mix prints a warning: stock nbgrader scores such a test cell 0
and ``grade`` deliberately does not, so their scores could not be compared.

>>> write_class(course_root, names=["perfect", "blank"])  # doctest: +SKIP
>>> write_benchmark_class(course_root, "07_call_centre", n=40)  # doctest: +SKIP
"""

from __future__ import annotations

import ast
import copy
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import nbformat

from grader.course import COURSE_ROOT

__all__ = ["Student", "STUDENTS", "EXTRA_STUDENTS", "BENCHMARK_MIX", "ANSWERS", "REWRITES",
           "write_class", "write_benchmark_class", "chapter_class", "benchmark_mix",
           "submission_notebook", "CHAPTER"]

CHAPTER = "06_rfm"  # the chapter of the hand-written class


def _test_points(nb) -> dict[str, float]:
    """Autograded test cell grade_id -> points (plots and written answers are graded by hand)."""
    return {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader.get("points", 0))
            for c in nb.cells if c.cell_type == "code"
            and c.get("metadata", {}).get("nbgrader", {}).get("grade")
            and not c.metadata.nbgrader.get("solution")}


# Read from the chapter (14 when the class was written), so a new exercise in 06 does not
# make every hand-written expectation stale.
FULL = sum(_test_points(nbformat.read(
    COURSE_ROOT / "solutions" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)).values())

# -- answer cells, by grade_id --------------------------------------------------------------

ANSWERS: dict[str, str] = {
    # correct, in other styles (the worked solution's rfm_segments looks every customer up
    # one by one, which costs seconds per call; most students vectorise it)
    "segments_vectorised": '''def rfm_segments(scores):
    levels = [np.where(scores[c] >= HIGH_SCORE, "high", "low")
              for c in ["r_score", "f_score", "m_score"]]
    index = pd.MultiIndex.from_arrays(levels, names=SEGMENTS.index.names)
    return scores.assign(segment=SEGMENTS["segment"].reindex(index).to_numpy())
''',
    "table_query": '''def rfm_table(orders, as_of, amount_col="net_amount_cny"):
    as_of = pd.Timestamp(as_of)
    paid = orders.query("status == 'paid' and order_time < @as_of")
    by_customer = paid.groupby("customer_id", observed=True)
    last_day = by_customer["order_time"].max().dt.normalize()
    return pd.DataFrame({"recency_days": (as_of - last_day).dt.days,
                         "frequency": by_customer.size(),
                         "monetary_cny": by_customer[amount_col].sum()})
''',
    "top_nlargest": '''import math

def top_customer_share(rfm, top_fraction=0.2):
    top = rfm.nlargest(math.ceil(top_fraction * len(rfm)), "monetary_cny")
    return top["monetary_cny"].sum() / rfm["monetary_cny"].sum()
''',
    # common mistakes
    "scores_not_reversed": '''def rfm_scores(rfm):
    def score(values):
        return (1 + np.floor(5 * (values.rank(method="min") - 1) / len(values))).astype(int)
    return rfm.assign(r_score=score(rfm["recency_days"]), f_score=score(rfm["frequency"]),
                      m_score=score(rfm["monetary_cny"]))
''',
    "segments_median": '''def rfm_segments(scores):
    levels = [np.where(scores[c] > scores[c].median(), "high", "low")
              for c in ["r_score", "f_score", "m_score"]]
    index = pd.MultiIndex.from_arrays(levels, names=SEGMENTS.index.names)
    return scores.assign(segment=SEGMENTS["segment"].reindex(index).to_numpy())
''',
    "profile_percent": '''def segment_profile(segmented):
    by_segment = segmented.groupby("segment")["monetary_cny"]
    return pd.DataFrame({
        "customers": by_segment.size(),
        "customer_share": 100 * by_segment.size() / len(segmented),
        "revenue_share": 100 * by_segment.sum() / segmented["monetary_cny"].sum(),
        "avg_monetary_cny": by_segment.mean(),
    })
''',
    "top_share_of_customers": '''def top_customer_share(rfm, top_fraction=0.2):
    return float(top_fraction)
''',
    # pathologies
    "loop_forever": '''while True:
    pass

def top_customer_share(rfm, top_fraction=0.2):
    return 0.5
''',
    "exit_kernel": '''import os
os._exit(1)
''',
    "memory_hog": '''hog = []
while True:
    # 800 MB of address space a time; np.empty does not touch the pages, so the limit is
    # reached in milliseconds even on a loaded machine (no race with the cell timeout).
    hog.append(np.empty(100_000_000))
''',
}


@dataclass
class Student:
    """One synthetic submission: answer overrides, a damage to apply, the expected points."""

    answers: dict[str, str] = field(default_factory=dict)   # answer grade_id -> ANSWERS key
    damage: str = ""                                        # see submission_notebook()
    expected: float | None = FULL                           # autograded points; None: ungradable
    solution: bool = True                                   # start from the worked answers
    rewrite: str = ""                                       # a REWRITES key, applied to...
    rewritten: tuple[str, ...] = ()                         # ...these answer grade_ids
    chapter: str = CHAPTER


_FAST = {"rfm_segments": "segments_vectorised"}

STUDENTS: dict[str, Student] = {
    "perfect": Student(dict(_FAST)),
    "other_style": Student({**_FAST, "rfm_table": "table_query",
                            "top_customer_share": "top_nlargest"}),
    "blank": Student(solution=False, expected=0.0),
    "refunds_and_customers": Student(
        {**_FAST, "top_customer_share": "top_share_of_customers"}, damage="count_refunds",
        expected=FULL - 4 - 2),
    "scores_reversed": Student({**_FAST, "rfm_scores": "scores_not_reversed"}, expected=FULL - 3),
    "median_and_percent": Student({"rfm_segments": "segments_median",
                                   "segment_profile": "profile_percent"}, expected=FULL - 3 - 2),
    "endless_loop": Student({**_FAST, "top_customer_share": "loop_forever"}, expected=FULL - 2),
    "kernel_exit": Student({**_FAST, "rfm_scores": "exit_kernel"}, expected=FULL - 3),
    "memory_hog": Student({**_FAST, "segment_profile": "memory_hog"}, expected=FULL - 2),
    "broken_json": Student(dict(_FAST), damage="broken_json", expected=None),
    "renamed_file": Student(dict(_FAST), damage="rename"),
    "deleted_and_duplicated": Student(dict(_FAST), damage="delete_and_duplicate"),
    "edited_test": Student({**_FAST, "top_customer_share": "top_share_of_customers"},
                           damage="edit_test", expected=FULL - 2),
    "no_notebook": Student(damage="no_notebook", expected=None),
}

#: Not in the test class (its rfm_segments takes seconds), but in benchmarks: the worked
#: solution handed in as is.
EXTRA_STUDENTS: dict[str, Student] = {"worked_solution": Student({})}

#: Submissions stock nbgrader grades the same way (no killed kernels, no renamed or deleted
#: cells), cycled through by the benchmark.
BENCHMARK_MIX = ["perfect", "other_style", "blank", "refunds_and_customers", "scores_reversed",
                 "median_and_percent", "worked_solution", "edited_test"]

# -- rewrites of a worked answer, for any chapter ----------------------------------------
# Appended to an answer cell after the worked solution; $name is the function the cell
# defines. They rebind the student's own function only, never a module's.

#: rewrite -> (is the answer still right?, code appended to the answer cell)
REWRITES: dict[str, tuple[bool, Template]] = {
    "copies_inputs": (True, Template('''

# I work on copies, so that the tables I am given never change.
_${name}_on_originals = $name


def $name(*args, **kwargs):
    args = [a.copy() if hasattr(a, "copy") else a for a in args]
    kwargs = {k: v.copy() if hasattr(v, "copy") else v for k, v in kwargs.items()}
    return _${name}_on_originals(*args, **kwargs)
''')),
    "slip": (False, Template('''

# The last step slipped: the last row (or item) is lost and every number comes out 10% too
# high, plus one (so zeros move too); a result of names and labels is wrong all the same.
_${name}_right = $name


def _shifted(value):
    import numbers

    import pandas as pd

    if isinstance(value, pd.Series):
        numeric = pd.api.types.is_numeric_dtype(value) and not pd.api.types.is_bool_dtype(value)
        return value * 1.1 + 1 if numeric else value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return value * 1.1 + 1
    return value


def _off(value):
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return value.apply(_shifted).iloc[:-1]
    if isinstance(value, pd.Series):
        return _shifted(value).iloc[:-1]
    if isinstance(value, (list, tuple)):
        return [_off(v) for v in value][:-1]
    if isinstance(value, dict):
        return {k: _off(v) for k, v in list(value.items())[:-1]}
    if isinstance(value, (bool, str)):
        return not value if isinstance(value, bool) else value + "?"
    return _shifted(value)


def $name(*args, **kwargs):
    return _off(_${name}_right(*args, **kwargs))
''')),
}

#: chapter -> its hand-written (test class, extra kinds, benchmark mix)
_HAND_WRITTEN = {CHAPTER: (STUDENTS, EXTRA_STUDENTS, BENCHMARK_MIX)}

_SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*\n", re.MULTILINE)


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _cell(nb, grade_id):
    return next(c for c in nb.cells if _meta(c).get("grade_id") == grade_id)


def _notebook(root: Path, folder: str, chapter: str):
    return nbformat.read(Path(root) / folder / chapter / f"{chapter}.ipynb", as_version=4)


def _defined_function(source: str, grade_id: str) -> str | None:
    """The function an answer cell defines: the one named like the cell, else its last."""
    try:
        defs = [n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    except SyntaxError:
        return None
    return grade_id if grade_id in defs else (defs[-1] if defs else None)


def _names(source: str) -> set[str]:
    try:
        return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    except SyntaxError:
        return set()


def _dependencies(solution) -> tuple[dict[str, str], dict[str, float], dict[str, set[str]]]:
    """From a solution notebook: answer grade_id -> the function it defines; autograded test
    cell -> points; test cell -> the answers it depends on, directly or through another
    answer (chapter 07's test_agents_required calls agents_required, which calls
    erlang_c_service_level)."""
    functions, points, named = {}, _test_points(solution), {}
    for cell in solution.cells:
        meta = _meta(cell)
        if cell.cell_type != "code" or not meta:
            continue
        if meta.get("solution") and not meta.get("grade"):
            name = _defined_function(cell.source, meta["grade_id"])
            if name:
                functions[meta["grade_id"]] = name
                named[meta["grade_id"]] = _names(cell.source)
        elif meta["grade_id"] in points:
            named[meta["grade_id"]] = _names(cell.source)
    answer_of = {name: gid for gid, name in functions.items()}

    def reached(gid: str, seen: frozenset = frozenset()) -> set[str]:
        direct = {answer_of[n] for n in named[gid] if n in answer_of} - seen - {gid}
        return direct.union(*(reached(a, seen | direct | {gid}) for a in direct))

    return functions, points, {test: reached(test) for test in points}


def _derived_class(chapter: str, root: Path) -> dict[str, Student]:
    """The kinds every chapter has (module docstring), with the points each must get, read
    from the solution notebook: a slip costs every test cell that depends on its answer."""
    functions, points, depends = _dependencies(_notebook(root, "solutions", chapter))
    full = sum(points.values())
    kinds = {
        "worked_solution": Student(expected=full, chapter=chapter),
        "blank": Student(solution=False, expected=0.0, chapter=chapter),
        "copies_inputs": Student(rewrite="copies_inputs", rewritten=tuple(functions),
                                 expected=full, chapter=chapter),
    }
    for gid in functions:
        lost = sum(p for test, p in points.items() if gid in depends[test])
        kinds[f"slip_{gid}"] = Student(rewrite="slip", rewritten=(gid,), expected=full - lost,
                                       chapter=chapter)
    return kinds


def chapter_class(chapter: str = CHAPTER, root: Path = COURSE_ROOT) -> dict[str, Student]:
    """Every kind of submission of ``chapter``, by name: the derived kinds and, for chapter
    06, the hand-written ones."""
    students, extra, _ = _HAND_WRITTEN.get(chapter, ({}, {}, []))
    return {**_derived_class(chapter, root), **students, **extra}


def benchmark_mix(chapter: str = CHAPTER, root: Path = COURSE_ROOT) -> list[str]:
    """The kinds a benchmark of ``chapter`` cycles through: submissions stock nbgrader grades
    the way ``grade`` does (no killed kernels, no renamed or deleted cells, no warnings)."""
    _, _, hand = _HAND_WRITTEN.get(chapter, ({}, {}, []))
    return list(dict.fromkeys([*hand, *_derived_class(chapter, root)]))


def submission_notebook(root: Path, student: Student):
    """The notebook ``student`` hands in: the release with answer cells filled in."""
    root, chapter = Path(root), student.chapter
    release = _notebook(root, "chapters", chapter)
    solution = _notebook(root, "solutions", chapter)
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        meta = _meta(cell)
        if not meta.get("solution") or cell.cell_type != "code":
            continue
        gid = meta["grade_id"]
        if gid in student.answers:
            cell.source = ANSWERS[student.answers[gid]]
        elif student.solution:
            cell.source = _SOLUTION_MARKERS.sub("", _cell(solution, gid).source)
        if student.rewrite and gid in student.rewritten:
            name = _defined_function(cell.source, gid)
            cell.source += REWRITES[student.rewrite][1].substitute(name=name)
    if student.damage == "count_refunds":
        cell = _cell(nb, "rfm_table")
        cell.source = cell.source.replace('(orders["status"] == "paid") & ', "")
    elif student.damage == "delete_and_duplicate":
        nb.cells.remove(_cell(nb, "test_rfm_scores"))
        answer = _cell(nb, "rfm_table")
        nb.cells.insert(nb.cells.index(answer), copy.deepcopy(answer))
    elif student.damage == "edit_test":
        _cell(nb, "test_top_customer_share").source = '"""my own test"""\nassert True\n'
    return nb


def _write(root: Path, sid: str, student: Student, nb) -> None:
    folder = Path(root) / "submitted" / sid / student.chapter
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{student.chapter}.ipynb"
    if student.damage == "no_notebook":
        (folder / "README.txt").write_text("forgot to attach the notebook\n")
    elif student.damage == "broken_json":
        target.write_text(nbformat.writes(nb)[:5000], encoding="utf-8")
    elif student.damage == "rename":
        nbformat.write(nb, folder / f"Copy of {student.chapter}.ipynb")
    else:
        nbformat.write(nb, target)


def write_class(root: Path, names: list[str] | None = None, copies: int = 1,
                chapter: str = CHAPTER) -> dict[str, Student]:
    """Write submissions into ``<root>/submitted/<student>/<chapter>/``; returns student →
    Student.

    ``names``: keys of :func:`chapter_class` (default: chapter 06's :data:`STUDENTS`, every
    derived kind for another chapter); ``copies`` > 1 writes each several times
    (``perfect_2`` …).
    """
    kinds = chapter_class(chapter, root)
    hand, _, _ = _HAND_WRITTEN.get(chapter, ({}, {}, []))
    written = {}
    for name in names or list(hand or kinds):
        student = kinds[name]
        nb = None if student.damage == "no_notebook" else submission_notebook(root, student)
        for k in range(1, copies + 1):
            sid = name if copies == 1 else f"{name}_{k}"
            _write(root, sid, student, nb)
            written[sid] = student
    return written


def write_benchmark_class(root: Path, chapter: str, n: int) -> dict[str, Student]:
    """Write ``n`` submissions of ``chapter``, cycling through :func:`benchmark_mix`
    (``worked_solution_1``, ``blank_1``, … ``worked_solution_2`` …); returns student →
    Student."""
    kinds = chapter_class(chapter, root)
    mix = benchmark_mix(chapter, root)
    notebooks = {name: submission_notebook(root, kinds[name]) for name in mix[:n]}
    written, copies = {}, dict.fromkeys(mix, 0)
    for name in itertools.islice(itertools.cycle(mix), n):
        copies[name] += 1
        sid = f"{name}_{copies[name]}"
        _write(root, sid, kinds[name], notebooks[name])
        written[sid] = kinds[name]
    return written
