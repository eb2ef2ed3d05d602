"""Executing each chapter's solution notebook with a real kernel. Prints figures; asserts nothing.

Run: ``python benchmarks/bench_chapter.py [CHAPTER ...]`` (default: every chapter).
"""

from __future__ import annotations

import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient

from grader.course import COURSE_ROOT, chapter_names


def main(argv: list[str]) -> None:
    for chapter in argv or chapter_names():
        nb = nbformat.read(COURSE_ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
        with tempfile.TemporaryDirectory() as cwd:
            client = NotebookClient(
                nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": cwd}}
            )
            began = time.perf_counter()
            with client.setup_kernel():
                started = time.perf_counter()
                cell_times = []
                for index, cell in enumerate(nb.cells):
                    t = time.perf_counter()
                    client.execute_cell(cell, index)
                    cell_times.append((time.perf_counter() - t, index))
            finished = time.perf_counter()
        slowest = sorted(cell_times, reverse=True)[:3]
        print(
            f"{chapter}: {finished - began:.1f} s in all "
            f"(kernel start {started - began:.1f} s, cells {finished - started:.1f} s); "
            "slowest cells: " + ", ".join(f"#{i} {s:.1f} s" for s, i in slowest),
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
