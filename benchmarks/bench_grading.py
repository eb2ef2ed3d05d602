"""Grading a class: stock ``nbgrader autograde`` (serial) against ``grader grade``. Prints
figures; asserts nothing.

Both grade the same N submissions of the RFM chapter (default 40, a mix of correct
answers in several styles and common mistakes that stock nbgrader grades normally:
:data:`grader.sample_class.BENCHMARK_MIX`), each in its own temporary course copy.
Prints both wall times, the ratio, whether every cell's score is identical, and where
the time goes (kernel start, cold vs pre-warmed; per-notebook execution).

Run: ``python benchmarks/bench_grading.py [--n 40] [--workers N] [--skip-stock]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from nbgrader.api import Gradebook

from grader.autograde import grade
from grader.course import COURSE_ROOT, run_nbgrader
from grader.sample_class import BENCHMARK_MIX, CHAPTER, write_class

sys.path.insert(0, str(COURSE_ROOT / "tests"))
from conftest import copy_course  # noqa: E402  (the test suite's course copy)


def scores(course: Path) -> dict[tuple[str, str], float | None]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "crm-course") as gb:
        return {(s.student.id, g.name): g.auto_score
                for s in gb.find_assignment(CHAPTER).submissions
                for nb in s.notebooks for g in nb.grades if g.cell.cell_type == "code"}


def prepared(folder: Path, n: int) -> Path:
    course = copy_course(folder / "course")
    run_nbgrader("generate_assignment", CHAPTER, "--force", root=course, capture=True)
    copies = -(-n // len(BENCHMARK_MIX))
    written = write_class(course, BENCHMARK_MIX, copies=copies)
    for extra in sorted(written)[n:]:  # trim to exactly n
        for p in sorted((course / "submitted" / extra).rglob("*"), reverse=True):
            p.rmdir() if p.is_dir() else p.unlink()
        (course / "submitted" / extra).rmdir()
    return course


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
    parser.add_argument("--n", type=int, default=40, help="submissions")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--skip-stock", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        ours = prepared(Path(tmp) / "ours", args.n)
        print(f"{args.n} submissions of {CHAPTER}; {os.cpu_count()} cores; "
              f"grade with {args.workers} workers", flush=True)
        began = time.perf_counter()
        run = grade(CHAPTER, root=ours, workers=args.workers, progress=False)
        ours_s = time.perf_counter() - began
        per_nb = [s.seconds for s in run.statuses.values() if s.seconds]
        print(f"grade:            {ours_s:7.1f} s  ({ours_s / args.n:.2f} s per submission; "
              f"execution per notebook median {statistics.median(per_nb):.2f} s)", flush=True)
        print(f"  where it went: workers executing {sum(per_nb):.1f} s in all "
              f"({sum(per_nb) / (args.workers * ours_s):.0%} of {args.workers} workers' time); "
              f"main process preparing {run.prepare_seconds:.1f} s, "
              f"saving grades {run.record_seconds:.1f} s", flush=True)
        if not args.skip_stock:
            stock = prepared(Path(tmp) / "stock", args.n)
            began = time.perf_counter()
            run_nbgrader("autograde", CHAPTER, root=stock, capture=True)
            stock_s = time.perf_counter() - began
            same = scores(stock) == scores(ours)
            per = stock_s / args.n
            print(f"nbgrader autograde: {stock_s:5.1f} s  ({per:.2f} s per submission)")
            print(f"speed-up: {stock_s / ours_s:.2f}x; scores identical: {same}")
    cold, warm = kernel_start_seconds(False), kernel_start_seconds(True)
    print(f"kernel ready with pandas/matplotlib/seaborn imported: cold {cold:.2f} s, "
          f"pre-warmed {warm:.2f} s")


if __name__ == "__main__":
    main()
