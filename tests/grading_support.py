"""Helpers shared by the tests that grade classes with real kernels."""

from __future__ import annotations

from conftest import copy_course
from nbgrader.api import Gradebook

from grader.course import run_nbgrader
from grader.sample_class import CHAPTER

TIMEOUT_S = 10
MEMORY = 2 * 1024**3  # a kernel with the chapter loaded uses about 1.2 GiB of address space


def released_course(tmp_path_factory, name, chapter=CHAPTER):
    """A course copy with ``chapter`` released afresh from its solutions."""
    course = copy_course(tmp_path_factory.mktemp(name) / "course")
    run_nbgrader("generate_assignment", chapter, "--force", root=course, capture=True)
    return course


def autograded_points(course, student, db=None):
    """grade_id -> auto score of the student's autograded test cells."""
    url = db or f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(url, "crm-course") as gb:
        nb = gb.find_submission_notebook(CHAPTER, CHAPTER, student)
        return {g.name: g.auto_score for g in nb.grades
                if g.cell.cell_type == "code" and g.auto_score is not None}


def run_in_forked_kernel(kernels, code: str, env: dict | None = None) -> tuple[str, str]:
    """Run ``code`` in a fresh kernel from ``kernels`` (a PrewarmedKernels), with ``env``
    as its environment if given: (status, stdout)."""
    import asyncio

    async def run() -> tuple[str, str]:
        km = kernels.kernel_manager()
        await (km.start_kernel(env=env) if env is not None else km.start_kernel())
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            out = []
            reply = await kc.execute_interactive(
                code, timeout=60,
                output_hook=lambda msg: out.append(msg["content"].get("text", "")))
            return reply["content"]["status"], "".join(out)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    return asyncio.run(run())
