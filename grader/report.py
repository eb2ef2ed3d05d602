"""Item analysis of a chapter for the instructor: which questions the class found hard.

One self-contained HTML file (plots embedded as base64 PNG) with, per question:
mean score, difficulty (mean score / points: 1 = everyone got it), discrimination
(Pearson correlation of the question's score with the rest of the chapter's
score: near 0 or negative means the question does not separate stronger from
weaker submissions), the score distribution, and the most common failure
messages from the autograded notebooks; per chapter, the distribution of totals.
Only graded submissions count (ungradable and missing ones are listed apart), and
submissions flagged for review (:mod:`grader.autograde.tamper`) are listed with their flags.
The page is ``templates/item_report.html.j2``.
"""

from __future__ import annotations

import base64
import io
import re
from collections import Counter
from pathlib import Path

import jinja2
import nbformat
import numpy as np
import pandas as pd
from nbgrader.api import Gradebook

from grader.autograde.config import course_directory, load_config
from grader.autograde.status import GRADED, read_status
from grader.course import COURSE_ROOT, edition_of

__all__ = ["item_table", "item_statistics", "failure_messages", "flagged_submissions",
           "write_report"]


def _edition_names(gb, chapter: str) -> list[str]:
    """The gradebook's assignments that are ``chapter`` in some language, English first."""
    base = edition_of(chapter)[0]
    names = [a.name for a in gb.assignments if edition_of(a.name)[0] == base]
    return sorted(names, key=lambda n: (n != base, n))


def item_table(chapter: str, root: Path = COURSE_ROOT) -> tuple[pd.DataFrame, pd.Series, dict]:
    """Scores of graded submissions: (students × questions DataFrame of points,
    points per question, {student: status label} of the submissions left out).

    Every edition of the chapter counts (``06_rfm`` and ``06_rfm_zh`` share their grade
    ids); a student who handed in two counts once, with the later submission, as in export.
    A question that nobody has a score for yet (manual grading pending) is left out.
    """
    root = Path(root).resolve()
    coursedir = course_directory(root, load_config(root))
    autograded = Path(coursedir.root) / coursedir.autograded_directory
    scores, points, left_out, when = {}, {}, {}, {}
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        names = _edition_names(gb, chapter)
        if not names:
            raise ValueError(f"{chapter} is not in the gradebook; grade it first")
        for name in names:
            assignment = gb.find_assignment(name)
            for notebook in assignment.notebooks:
                for cell in notebook.grade_cells:
                    points[cell.name] = cell.max_score
            for submission in assignment.submissions:
                student = submission.student.id
                stamp = (submission.timestamp is not None, submission.timestamp or 0)
                if student in when and when[student] > stamp:
                    continue
                when[student] = stamp
                scores.pop(student, None)
                left_out.pop(student, None)
                status = read_status(autograded / student / name)
                if status is not None and status.state != GRADED:
                    left_out[student] = status.label
                    continue
                row = {}
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        row[grade.name] = grade.score if grade.auto_score is not None \
                            or grade.manual_score is not None else np.nan
                scores[student] = row
    table = pd.DataFrame.from_dict(scores, orient="index").sort_index()
    table = table.dropna(axis=1, how="all")
    return table, pd.Series(points)[table.columns], left_out


def item_statistics(table: pd.DataFrame, points: pd.Series) -> pd.DataFrame:
    """Per question: points, mean, difficulty (0–1), discrimination (−1–1; NaN if constant)."""
    total = table.sum(axis=1)
    rows = {}
    for question in table.columns:
        item = table[question]
        rest = total - item.fillna(0)
        ok = item.notna()
        if item[ok].nunique() > 1 and rest[ok].nunique() > 1:
            disc = float(np.corrcoef(item[ok], rest[ok])[0, 1])
        else:
            disc = float("nan")  # everyone scored the same: it cannot discriminate
        rows[question] = {"points": float(points[question]), "mean": float(item.mean()),
                          "difficulty": float(item.mean() / points[question])
                          if points[question] else float("nan"),
                          "discrimination": disc, "graded": int(ok.sum())}
    return pd.DataFrame.from_dict(rows, orient="index")


def failure_messages(chapter: str, root: Path = COURSE_ROOT, top: int = 3) -> dict[str, list]:
    """Per test cell, the ``top`` most common ``ename: first line of evalue`` with counts.

    Numbers are replaced by ``#`` so that "has 3,409 rows" and "has 3,310 rows" count as one.
    """
    root = Path(root).resolve()
    coursedir = course_directory(root, load_config(root))
    autograded = Path(coursedir.root) / coursedir.autograded_directory
    counts: dict[str, Counter] = {}
    base = edition_of(chapter)[0]
    for path in sorted(p for p in autograded.glob("*/*/*.ipynb")
                       if p.parent.name == p.stem and edition_of(p.stem)[0] == base):
        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception:
            continue
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if not meta.get("grade") or cell.cell_type != "code":
                continue
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    first = (out.get("evalue") or "").strip().splitlines()[:1]
                    msg = f"{out.get('ename')}: {first[0] if first else ''}"
                    msg = re.sub(r"\d[\d,.]*", "#", msg)
                    counts.setdefault(meta["grade_id"], Counter())[msg] += 1
                    break
    return {gid: c.most_common(top) for gid, c in counts.items()}


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _plots(table: pd.DataFrame, points: pd.Series, stats: pd.DataFrame) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    out = {}
    total = table.sum(axis=1)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    sns.histplot(total, bins=np.arange(0, points.sum() + 2) - 0.5, ax=ax, color="tab:green")
    ax.set(title="Chapter total per student", xlabel="points", ylabel="students")
    out["total"] = _png(fig)

    fig, axes = plt.subplots(1, 2, figsize=(10, 0.45 * len(stats) + 1.5), sharey=True)
    order = stats.index[::-1]
    axes[0].barh(order, stats.loc[order, "difficulty"], color="tab:blue")
    axes[0].set(xlim=(0, 1), title="Difficulty (share of points earned)",
                xlabel="0 = nobody, 1 = all")
    axes[1].barh(order, stats.loc[order, "discrimination"].fillna(0), color="tab:orange")
    axes[1].axvline(0.2, ls="--", color="grey")
    axes[1].set(xlim=(-1, 1), title="Discrimination (correlation with the rest)",
                xlabel="below 0.2 (dashed): weak")
    out["items"] = _png(fig)

    shares = pd.DataFrame({q: (table[q] / points[q]).round(2).value_counts(normalize=True)
                           for q in table.columns}).T.fillna(0).sort_index(axis=1)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(shares) + 1.5))
    shares.loc[order].plot.barh(stacked=True, ax=ax, colormap="RdYlGn", width=0.8)
    ax.set(title="Score distribution per question", xlabel="share of students",
           xlim=(0, 1))
    ax.legend(title="fraction of points", bbox_to_anchor=(1.01, 1), loc="upper left")
    out["distribution"] = _png(fig)
    return out


def flagged_submissions(chapter: str, root: Path = COURSE_ROOT) -> dict[str, list[str]]:
    """{student: flags} of the submissions whose code reached into the grading
    (:mod:`grader.autograde.tamper`), from their status records; students without flags left out."""
    root = Path(root).resolve()
    coursedir = course_directory(root, load_config(root))
    autograded = Path(coursedir.root) / coursedir.autograded_directory
    base = edition_of(chapter)[0]
    statuses = {p.parent.name: read_status(p) for p in sorted(autograded.glob("*/*"))
                if edition_of(p.name)[0] == base}
    return {student: st.flags for student, st in statuses.items() if st is not None and st.flags}


_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)


def write_report(chapter: str, target: Path, root: Path = COURSE_ROOT) -> Path:
    """Write the item-analysis HTML for ``chapter`` to ``target``; returns the path."""
    table, points, left_out = item_table(chapter, root)
    if table.empty:
        raise ValueError(f"no graded submissions of {chapter} yet: run `grade {chapter}` first")
    stats = item_statistics(table, points)
    messages = failure_messages(chapter, root)
    total = table.sum(axis=1)
    questions = [{"name": q, "points": f"{s.points:g}", "mean": s["mean"],
                  "difficulty": s.difficulty, "discrimination": s.discrimination,
                  "graded": int(s.graded), "failures": messages.get(q, [])}
                 for q, s in stats.iterrows()]
    body = _TEMPLATES.get_template("item_report.html.j2").render(
        chapter=chapter, graded=len(table), total_mean=total.mean(), points=f"{points.sum():g}",
        total_median=f"{total.median():g}", total_std=total.std(),
        plots=_plots(table, points, stats), questions=questions,
        flagged=flagged_submissions(chapter, root), left_out=dict(sorted(left_out.items())))
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target
