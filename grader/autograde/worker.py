"""What a grading worker process does: execute one sanitised submission.

Workers never touch the gradebook (the main process owns every write, so
SQLite never sees concurrent writers); they get a notebook as JSON, run it
with :class:`~grader.autograde.execute.RobustExecute` plus nbgrader's
output post-processing, and send the executed notebook back.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from dataclasses import dataclass, field

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import IgnorePattern, LimitOutput

from grader.autograde.config import load_config
from grader.autograde.execute import RobustExecute
from grader.autograde.submissions import CheckCellMetadataOnce

__all__ = ["Job", "Outcome", "init_worker", "run_job"]

_STATE: dict = {}


@dataclass
class Job:
    """One submission to run: ``notebook_json`` (sanitised), ``cwd`` (where the kernel runs).

    Notebooks travel between processes as plain JSON: nbformat validated them once on
    reading and validates again on the final write; validating in transit costs CPU.
    """

    student: str
    notebook_json: str
    cwd: str
    resources: dict


@dataclass
class Outcome:
    """The executed notebook (JSON) and the cells left out (``{grade_id or "cell N": reason}``)."""

    student: str
    notebook_json: str = ""
    skipped_cells: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    error: str = ""
    notes: list[str] = field(default_factory=list)


def init_worker(root: str, overrides: dict, kernels: str, parent_pid: int | None = None,
                answers_from: str | None = None, answers_shared: str | None = None,
                template_address: str | None = None,
                modules: tuple[str, ...] | None = None) -> None:
    """Set up a worker process once: configuration, and the kernel source.

    ``kernels``: ``"fresh"`` (jupyter_client starts each kernel) or ``"prewarmed"``
    (forked from a pre-imported template, see :mod:`grader.autograde.kernels`);
    ``parent_pid``: the grading process, whose end this worker does not outlive;
    ``answers_from``: the chapter's source notebook, whose reference answers the
    pre-warmed kernels start with (:mod:`grader.memo`); ``answers_shared``: a folder the
    workers of one run share, so that one template computes those answers for all;
    ``template_address``: the run's shared template (:class:`~grader.autograde.kernels.
    SharedTemplate`), if any; ``modules``: what a template of this worker's own imports
    (default: what the course's notebooks import).
    """
    # nbgrader's Execute sets this while autograding; kernels inherit it.
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    # Ctrl-C reaches the whole process group: the grading process decides what stops
    # (see run._StopOnInterrupt); kernels are in groups of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with(parent_pid or os.getppid())
    _STATE["config"] = load_config(root, **overrides)
    _STATE["factory"] = None
    if kernels == "prewarmed" and hasattr(os, "fork"):  # no fork on Windows: cold kernels
        from grader.autograde.imports import preloaded_modules
        from grader.autograde.kernels import PrewarmedKernels

        settings = _STATE["config"].RobustExecute
        if modules is None:
            modules = preloaded_modules(root, extra=settings.get("preload_modules", ()))
        pool = PrewarmedKernels(memory_limit_bytes=settings.get("memory_limit_bytes", None),
                                modules=modules, course_root=root, answers_from=answers_from,
                                answers_shared=answers_shared, template_address=template_address)
        _STATE["factory"] = pool.kernel_manager


def _exit_with(parent_pid: int, every_seconds: float = 1.0) -> None:
    """Exit when the grading process is gone (killed, or the terminal closed).

    The pool's workers would otherwise wait forever on their task queue (each holds
    both ends of it); as they exit, their kernel templates and kernels exit too.
    """

    def watch() -> None:
        # Compared with the pid given, not read now: the parent may be gone already.
        while os.getppid() == parent_pid:
            time.sleep(every_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def run_job(job: Job) -> Outcome:
    """Execute one submission; never raises (a failure comes back in ``Outcome.error``)."""
    began = time.perf_counter()
    try:
        cfg = _STATE["config"]
        notes = []
        try:
            executor, nb, resources = _execute(job, cfg, _STATE.get("factory"))
        except Exception as exc:
            if _STATE.get("factory") is None:
                raise
            # A pre-warmed kernel that cannot start (a broken template) must not cost the
            # student: the same run in a kernel started the ordinary way.
            notes.append(f"graded in a cold kernel: the pre-warmed one failed "
                         f"({type(exc).__name__}: {exc})"[:300])
            executor, nb, resources = _execute(job, cfg, None)
        # CheckCellMetadata closes nbgrader's pass too; it only validates, so it runs
        # here, in parallel, before the grades are saved.
        for pp in (IgnorePattern, ClearMetadataPreprocessor, LimitOutput, CheckCellMetadataOnce):
            nb, resources = pp(config=cfg)(nb, resources)
        skipped = {_cell_name(nb.cells[i], i): why for i, why in executor.skipped.items()}
        return Outcome(job.student, json.dumps(nb), skipped,
                       time.perf_counter() - began, notes=notes)
    except Exception as exc:  # reported per student; the batch goes on
        return Outcome(job.student, seconds=time.perf_counter() - began,
                       error=f"{type(exc).__name__}: {exc}"[:500])


def _execute(job: Job, cfg, factory):
    nb = nbformat.from_dict(json.loads(job.notebook_json))
    resources = dict(job.resources, metadata={"path": job.cwd})
    executor = RobustExecute(config=cfg, kernel_manager_factory=factory)
    nb, resources = executor.preprocess(nb, resources)
    return executor, nb, resources


def _cell_name(cell, index: int) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {index}"
