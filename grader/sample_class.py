"""A synthetic class of RFM submissions with known scores, for trying and testing the grader.

Each student's notebook is the released chapter with answer cells filled in:
the worked solution, another correct style, a common mistake, or a
pathology a real class produces (an endless loop, ``os._exit``, a memory
hog, broken JSON, a renamed file, deleted, duplicated or edited cells).
:data:`STUDENTS` says what each one is and the autograded points it must get
(out of 14) — or ``None`` when it cannot be graded.

>>> write_class(course_root, names=["perfect", "blank"])  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = ["Student", "STUDENTS", "EXTRA_STUDENTS", "BENCHMARK_MIX", "ANSWERS", "write_class",
           "submission_notebook", "CHAPTER"]

CHAPTER = "06_rfm"
FULL = 14.0

# -- answer cells, by grade_id --------------------------------------------------------------

ANSWERS: dict[str, str] = {
    # correct, in other styles (the worked solution's rfm_segments looks every customer up
    # one by one, which costs seconds per call; most students vectorise it)
    "segments_vectorised": '''def rfm_segments(scores):
    levels = [np.where(scores[c] > scores[c].mean(), "high", "low")
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
    damage: str = ""                                        # see _damage()
    expected: float | None = FULL                           # autograded points; None: ungradable
    solution: bool = True                                   # start from the worked answers


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

_SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*\n", re.MULTILINE)


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _cell(nb, grade_id):
    return next(c for c in nb.cells if _meta(c).get("grade_id") == grade_id)


def submission_notebook(root: Path, student: Student):
    """The notebook ``student`` hands in: the release with answer cells filled in."""
    root = Path(root)
    release = nbformat.read(root / "chapters" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)
    solution = nbformat.read(root / "solutions" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)
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


def write_class(root: Path, names: list[str] | None = None, copies: int = 1) -> dict[str, Student]:
    """Write submissions into ``<root>/submitted/<student>/06_rfm/``; returns student → Student.

    ``names``: keys of :data:`STUDENTS` or :data:`EXTRA_STUDENTS` (default: all of
    STUDENTS); ``copies`` > 1 writes each several times (``perfect_2`` …), for benchmarks.
    """
    root = Path(root)
    written = {}
    kinds = {**STUDENTS, **EXTRA_STUDENTS}
    for name in names or list(STUDENTS):
        student = kinds[name]
        nb = None if student.damage == "no_notebook" else submission_notebook(root, student)
        for k in range(1, copies + 1):
            sid = name if copies == 1 else f"{name}_{k}"
            folder = root / "submitted" / sid / CHAPTER
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{CHAPTER}.ipynb"
            if student.damage == "no_notebook":
                (folder / "README.txt").write_text("forgot to attach the notebook\n")
            elif student.damage == "broken_json":
                target.write_text(nbformat.writes(nb)[:5000], encoding="utf-8")
            elif student.damage == "rename":
                nbformat.write(nb, folder / f"Copy of {CHAPTER}.ipynb")
            else:
                nbformat.write(nb, target)
            written[sid] = student
    return written
