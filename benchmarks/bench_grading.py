"""Grading a class: stock ``nbgrader autograde`` (serial) against ``grader grade``, chapter by
chapter. Prints figures; asserts nothing.

For each chapter (default: every chapter in solutions/), both grade the same N submissions
(default 40), each in its own temporary course copy, each timed as the one command an
instructor runs (``python -m grader grade`` and ``nbgrader autograde``, start-up included).
The submissions are the chapter's benchmark mix
(:func:`grader.sample_class.benchmark_mix`: the worked solution, a blank, another correct
style and one slip per answer, all derived from the chapter; for 06 also its hand-written
styles and mistakes). No submission of the mix prints a warning: stock nbgrader scores a
test cell that writes to stderr 0 and ``grade`` deliberately does not, so "scores
identical" compares every cell's score on the submissions whose graded test cells wrote
nothing to stderr (any other is left out of the comparison and counted). Ends with a table
(N, stock, grade, ratio, identical) against the target of grade >= 4x stock, and how long a
kernel takes to be ready, cold and pre-warmed.

Run: ``python benchmarks/bench_grading.py [--chapter 06_rfm ...] [--n 40] [--workers N]
[--skip-stock]``
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from grader.autograde.run import usable_cores
from grader.autograde.status import read_status
from grader.course import COURSE_ROOT, chapter_names, nbgrader_env, run_nbgrader
from grader.sample_class import write_benchmark_class

sys.path.insert(0, str(COURSE_ROOT / "tests"))
from conftest import copy_course  # noqa: E402  (the test suite's course copy)

TARGET = 4.0  # grade must stay at least this many times faster than stock, on every chapter


@dataclass
class Row:
    chapter: str
    n: int
    grade_s: float
    stock_s: float | None = None
    identical: bool | None = None
    compared: int = 0


def scores(course: Path, chapter: str) -> dict[tuple[str, str], float | None]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "crm-course") as gb:
        return {(s.student.id, g.name): g.auto_score
                for s in gb.find_assignment(chapter).submissions
                for nb in s.notebooks for g in nb.grades if g.cell.cell_type == "code"}


def wrote_to_stderr(course: Path, chapter: str) -> set[str]:
    """Students whose graded notebook has stderr output in an autograded test cell."""
    noisy = set()
    for path in (course / "autograded").glob(f"*/{chapter}/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if (meta.get("grade") and not meta.get("solution")
                    and any(o.get("name") == "stderr" for o in cell.get("outputs", []))):
                noisy.add(path.parent.parent.name)
    return noisy


def prepared(folder: Path, chapter: str, n: int) -> Path:
    course = copy_course(folder / "course")
    run_nbgrader("generate_assignment", chapter, "--force", root=course, capture=True)
    write_benchmark_class(course, chapter, n)
    return course


def bench_chapter(chapter: str, n: int, workers: int, skip_stock: bool) -> Row:
    with tempfile.TemporaryDirectory() as tmp:
        ours = prepared(Path(tmp) / "ours", chapter, n)
        # one snapshot for both: solutions/ may change while the first run takes minutes
        stock = shutil.copytree(ours, Path(tmp) / "stock" / "course")
        print(f"== {chapter}: {n} submissions; grade with {workers} workers", flush=True)
        # Both are timed as instructors run them: one command each, start-up included.
        # (Called in this process, ``grade``'s spawned workers would each re-import this
        # script and what it imports, about 2 s a process, which the command never pays.)
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "grader", "grade", chapter, "--root", str(ours),
                        "--workers", str(workers), "--quiet"], check=True, env=nbgrader_env(),
                       stdout=subprocess.DEVNULL)
        row = Row(chapter, n, time.perf_counter() - began)
        per_nb = [st.seconds for st in map(read_status, (ours / "autograded").glob(f"*/{chapter}"))
                  if st is not None and st.seconds]
        print(f"grade:              {row.grade_s:5.1f} s  ({row.grade_s / n:.2f} s per "
              f"submission; execution per notebook median {statistics.median(per_nb):.2f} s)")
        print(f"  where it went: workers executing {sum(per_nb):.1f} s in all "
              f"({sum(per_nb) / (workers * row.grade_s):.0%} of {workers} workers' time)",
              flush=True)
        if skip_stock:
            return row
        began = time.perf_counter()
        run_nbgrader("autograde", chapter, root=stock, capture=True)
        row.stock_s = time.perf_counter() - began
        print(f"nbgrader autograde: {row.stock_s:5.1f} s  ({row.stock_s / n:.2f} s per "
              "submission)", flush=True)
        noisy = wrote_to_stderr(stock, chapter) | wrote_to_stderr(ours, chapter)
        theirs, mine = scores(stock, chapter), scores(ours, chapter)
        quiet = {key for key in theirs.keys() | mine.keys() if key[0] not in noisy}
        differ = sorted(k for k in quiet if theirs.get(k) != mine.get(k))
        row.identical = not differ
        for student, cell in differ[:10]:
            print(f"  differs: {student} {cell}: stock {theirs.get((student, cell))}, "
                  f"grade {mine.get((student, cell))}")
        row.compared = n - len(noisy)
        if noisy:
            print(f"  left out of the comparison (stderr in a test cell): {sorted(noisy)}")
        return row


def print_table(rows: list[Row]) -> None:
    print(f"\n{'chapter':<16}{'N':>4}{'stock s':>10}{'grade s':>10}{'ratio':>8}  "
          f"scores identical (target: grade >= {TARGET:g}x stock)")
    for r in rows:
        if r.stock_s is None:
            print(f"{r.chapter:<16}{r.n:>4}{'-':>10}{r.grade_s:>10.1f}{'-':>8}  -")
            continue
        ratio = r.stock_s / r.grade_s
        same = "yes" if r.identical else "NO"
        note = "" if r.compared == r.n else f" (on {r.compared} of {r.n})"
        print(f"{r.chapter:<16}{r.n:>4}{r.stock_s:>10.1f}{r.grade_s:>10.1f}{ratio:>7.2f}x  "
              f"{same}{note}{'' if ratio >= TARGET else '   below target'}")


def kernel_start_seconds(prewarmed: bool, repeats: int = 3) -> float:
    """Median seconds from asking for a kernel to a kernel that has imported pandas."""
    from jupyter_client.manager import AsyncKernelManager

    from grader.autograde.kernels import PrewarmedKernels

    pool = PrewarmedKernels() if prewarmed else None

    async def once() -> float:
        km = pool.kernel_manager() if pool else AsyncKernelManager(kernel_name="python3")
        began = time.perf_counter()
        await km.start_kernel(stderr=subprocess.DEVNULL)  # start-up warnings
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        await kc.execute_interactive("import pandas, matplotlib.pyplot, seaborn", timeout=60)
        took = time.perf_counter() - began
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        return took

    return statistics.median(asyncio.run(once()) for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", action="append", choices=chapter_names(),
                        help="a chapter to grade (repeatable; default: every chapter)")
    parser.add_argument("--n", type=int, default=40, help="submissions per chapter")
    parser.add_argument("--workers", type=int, default=usable_cores())
    parser.add_argument("--skip-stock", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    print(f"{usable_cores()} cores", flush=True)
    rows = [bench_chapter(chapter, args.n, args.workers, args.skip_stock)
            for chapter in args.chapter or chapter_names()]
    print_table(rows)
    cold, warm = kernel_start_seconds(False), kernel_start_seconds(True)
    print(f"\nkernel ready with pandas/matplotlib/seaborn imported: cold {cold:.2f} s, "
          f"pre-warmed {warm:.2f} s")


if __name__ == "__main__":
    main()
