"""``grade``: autograde a chapter for the whole class in parallel, on nbgrader's gradebook.

The pipeline is nbgrader's ``Autograde`` converter taken apart so the slow
part runs in parallel:

- main process: gradebook bookkeeping (student, submission, timestamp), file
  copies, and the sanitising pass (ClearOutput … CheckCellMetadata) — fast;
- N worker processes: execution (:class:`RobustExecute`) and output
  post-processing — the slow part;
- main process again: SaveAutoGrades (scoring.py's), AssignLatePenalties, writing
  ``autograded/<student>/<chapter>/<chapter>.ipynb`` (the pass's closing
  CheckCellMetadata, which only validates, runs in the worker).

The three overlap: submissions are prepared one by one while the workers start
and run earlier ones, and results are recorded as they arrive. So the gradebook
is written by nbgrader's own preprocessors, from one process,
and scores are the ones ``nbgrader autograde`` gives, except that a warning
(stderr) never costs a test cell its points (:mod:`grader.autograde.scoring`).
A status record per submission (:mod:`grader.autograde.status`) says why a score is what it is and
lets a killed run resume: finished submissions whose file has not changed are
skipped unless ``force``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import get_context
from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import AssignLatePenalties
from nbgrader.utils import find_all_files

from grader.autograde.config import course_directory, load_config
from grader.autograde.gradebook import one_engine, open_gradebook
from grader.autograde.limits import DEFAULT_MEMORY_LIMIT_BYTES
from grader.autograde.scoring import SaveAutoGradesIgnoringStderr
from grader.autograde.status import (
    GRADED,
    MISSING,
    UNGRADABLE,
    SubmissionStatus,
    read_status,
    write_status,
)
from grader.autograde.submissions import (
    SourceCells,
    Unreadable,
    locate_notebook,
    read_release,
    sanitize,
    sha256_of,
    student_ids,
)
from grader.autograde.tamper import scan as scan_for_tampering
from grader.autograde.worker import Job, Outcome, init_worker, run_job
from grader.course import COURSE_ROOT

__all__ = ["grade", "GradingRun", "format_summary", "usable_cores"]


@dataclass
class GradingRun:
    """What ``grade`` did: one status per student (graded now or earlier), and timings (s)."""

    chapter: str
    statuses: dict[str, SubmissionStatus] = field(default_factory=dict)
    resumed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0
    #: main-process time: reading, sanitising and gradebook set-up; saving the grades
    prepare_seconds: float = 0.0
    record_seconds: float = 0.0
    #: stopped by Ctrl-C: what was graded is saved; the same command goes on from there
    interrupted: bool = False


@dataclass
class _Pending:
    student: str
    dest: Path
    sha: str
    notes: list[str]
    resources: dict
    flags: list[str] = field(default_factory=list)  # tamper.scan: for review, never scored


def grade(chapter: str, *, root: Path = COURSE_ROOT, students: list[str] | None = None,
          workers: int | None = None, force: bool = False, timeout_seconds: int | None = None,
          memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES, kernels: str = "prewarmed",
          progress: bool = True) -> GradingRun:
    """Autograde ``chapter`` for every student in ``submitted/`` (or ``students``).

    ``workers``: parallel kernels (default: :func:`usable_cores`); ``timeout_seconds``: per
    cell (default: ``c.Execute.timeout`` of nbgrader_config.py);
    ``memory_limit_bytes``: address space per kernel (0 = none); ``kernels``:
    ``"prewarmed"`` or ``"fresh"``; ``force``: regrade submissions graded before.
    """
    began = time.perf_counter()
    root = Path(root).resolve()
    overrides: dict = {"RobustExecute": {"memory_limit_bytes": int(memory_limit_bytes)}}
    if timeout_seconds is not None:
        overrides["Execute"] = {"timeout": int(timeout_seconds)}
    cfg = load_config(root, **overrides)
    coursedir = course_directory(root, cfg)
    notebook_id = _chapter_notebook(coursedir, chapter)
    submitted = Path(coursedir.root) / coursedir.submitted_directory
    known = student_ids(submitted, chapter)
    if students:
        unknown = sorted(set(students) - set(known))
        if unknown:
            raise ValueError(f"no submission of {chapter} for {unknown} in {submitted}")
    chosen = [s for s in known if not students or s in students]
    run = GradingRun(chapter, workers=workers or usable_cores())
    try:  # the release as the gradebook records it, once for every submission
        source = SourceCells.read(coursedir.db_url, chapter, notebook_id)
    except MissingEntry:  # never released here: each submission says so (ungradable)
        source = None

    def prepared():
        """Jobs to run, prepared one by one while the workers start and run earlier ones."""
        for student in chosen:
            began_prepare = time.perf_counter()
            what, result = _prepare(coursedir, cfg, chapter, notebook_id, student, force,
                                    source)
            run.prepare_seconds += time.perf_counter() - began_prepare
            if what == "run":
                yield result
                continue
            run.statuses[student] = result
            if what == "kept":
                run.resumed.append(student)
            yield None  # counted as done at once

    # The instructors' notebook: the kernels' template remembers its reference answers.
    answers_from = Path(coursedir.format_path(coursedir.source_directory, ".", chapter),
                        f"{notebook_id}.ipynb")
    answers_from = str(answers_from) if answers_from.is_file() else None
    with (tempfile.TemporaryDirectory(prefix="crm-grading-", ignore_cleanup_errors=True) as shared,
          _shared_template(kernels, root, cfg, chapter, answers_from, shared,
                           bool(chosen)) as template,
          one_engine(coursedir.db_url, coursedir.course_id)):
        address, modules = template
        _execute_all(prepared(), len(chosen), run, coursedir, cfg, chapter, notebook_id, root,
                     overrides, kernels, progress,
                     {"answers_from": answers_from, "answers_shared": shared,
                      "template_address": address, "modules": modules})
    run.seconds = time.perf_counter() - began
    return run


@contextmanager
def _shared_template(kernels: str, root: Path, cfg, chapter: str, answers_from: str | None,
                     folder: str, wanted: bool):
    """``(address, modules)`` of one kernel template for every worker of the run, started
    now so that it warms up while the workers start (:class:`SharedTemplate`); ``(None,
    None)`` for cold kernels, or with nothing to grade."""
    if kernels != "prewarmed" or not hasattr(os, "fork") or not wanted:
        yield None, None
        return
    from grader.autograde.imports import preloaded_modules
    from grader.autograde.kernels import SharedTemplate

    extra = cfg.RobustExecute.get("preload_modules", ())
    modules = preloaded_modules(root, extra=extra, chapter=chapter)
    with SharedTemplate(modules, str(root), folder, answers_from) as template:
        yield template.address, modules


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, which a container or ``taskset``
    narrows), not the machine's: one worker per core is the fastest (3 on 2 cores is
    slower); ``os.cpu_count()`` where affinity is unknown."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


def _chapter_notebook(coursedir, chapter: str) -> str:
    with open_gradebook(coursedir.db_url, coursedir.course_id) as gb:
        try:
            assignment = gb.find_assignment(chapter)
        except MissingEntry:
            raise ValueError(f"{chapter} is not in the gradebook ({coursedir.db_url}): run "
                             f"`python -m grader release {chapter}` first") from None
        names = [nb.name for nb in assignment.notebooks]
    if len(names) != 1:
        raise ValueError(f"{chapter} has notebooks {names}; this grader expects one per chapter")
    return names[0]


def _prepare(coursedir, cfg, chapter, notebook_id, student, force, source=None):
    """Bookkeeping and sanitising in the main process.

    Returns ``("run", (pending, job))``, ``("kept", status)`` for a submission
    graded before and unchanged, or ``("done", status)`` when there is nothing to run.
    """
    src = Path(coursedir.format_path(coursedir.submitted_directory, student, chapter))
    dest = Path(coursedir.format_path(coursedir.autograded_directory, student, chapter))
    located = locate_notebook(src, notebook_id)
    sha = sha256_of(located.path) if located.path else ""
    earlier = read_status(dest)
    if (not force and earlier is not None and earlier.submission_sha256 == sha
            and (earlier.state != GRADED or (dest / f"{notebook_id}.ipynb").is_file())):
        return "kept", earlier

    # Separate sessions, as nbgrader's Autograde does: in one session SQLAlchemy 2
    # does not attach the new submission to the student (SAWarning, no rows).
    with open_gradebook(coursedir.db_url, coursedir.course_id) as gb:
        gb.update_or_create_student(student)
    with open_gradebook(coursedir.db_url, coursedir.course_id) as gb:
        timestamp = coursedir.get_existing_timestamp(str(src))
        if timestamp:
            gb.update_or_create_submission(chapter, student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(chapter, student)
    _fresh_destination(coursedir, src, dest, chapter)
    resources = {"unique_key": notebook_id, "output_files_dir": f"{notebook_id}_files",
                 "nbgrader": {"student": student, "assignment": chapter,
                              "notebook": notebook_id, "db_url": coursedir.db_url}}
    if located.path is None:
        return "done", _unscored(coursedir, chapter, notebook_id, student, dest, MISSING,
                                 located.reason, located.notes, sha)
    try:
        release = Path(coursedir.format_path(coursedir.release_directory, ".", chapter))
        nb, notes = sanitize(located.path, resources, cfg,
                             read_release(release / f"{notebook_id}.ipynb"), source)
    except Unreadable as exc:
        return "done", _unscored(coursedir, chapter, notebook_id, student, dest, UNGRADABLE,
                                 str(exc), located.notes, sha)
    flags = [str(flag) for flag in scan_for_tampering(nb, release / f"{notebook_id}.ipynb")]
    pending = _Pending(student, dest, sha, located.notes + notes, resources, flags)
    return "run", (pending, Job(student, json.dumps(nb), str(dest), resources))


def _fresh_destination(coursedir, src: Path, dest: Path, chapter: str) -> None:
    """Empty autograded folder with the submission's other files and the release's (as nbgrader)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    source = Path(coursedir.format_path(coursedir.source_directory, ".", chapter))
    for folder in (src, source):
        for filename in find_all_files(str(folder), coursedir.ignore + ["*.ipynb"]):
            target = dest / Path(filename).relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(filename, target)


def _unscored(coursedir, chapter, notebook_id, student, dest, state, reason, notes, sha):
    """Zero auto-scores (as nbgrader does for a missing notebook) and a status saying why."""
    with open_gradebook(coursedir.db_url, coursedir.course_id) as gb:
        submission = gb.find_submission_notebook(notebook_id, chapter, student)
        for grade in submission.grades:
            if grade.auto_score is not None or grade.cell.cell_type == "code":
                grade.auto_score = 0
                grade.needs_manual_grade = grade.manual_score is not None
        gb.db.commit()
    status = SubmissionStatus(student, chapter, state, reason, notes, submission_sha256=sha)
    write_status(dest, status)
    return status


def _execute_all(prepared, total, run, coursedir, cfg, chapter, notebook_id, root, overrides,
                 kernels, progress, sources):
    """Run the jobs ``prepared`` yields (``None`` = nothing to run) on pools of workers.

    Preparing (main process) overlaps with the workers' start-up and with execution: at
    most :data:`_AHEAD` jobs per worker wait in the pool, so memory stays flat for a
    class of any size. Results are recorded in the main process as they arrive. A
    worker that dies (not a kernel: those are separate processes) breaks the pool; its
    jobs run again in a new pool, and a job that was in a broken pool twice is reported.
    ``sources``: where the workers' kernels come from, as keywords of
    :func:`~grader.autograde.worker.init_worker`.
    """
    from tqdm import tqdm

    bar = tqdm(total=total, desc=f"grading {chapter}", unit="nb", disable=not progress,
               dynamic_ncols=True)

    def record(pending: _Pending, outcome: Outcome) -> None:
        began_record = time.perf_counter()
        status = _record(coursedir, cfg, chapter, notebook_id, pending, outcome)
        run.record_seconds += time.perf_counter() - began_record
        run.statuses[pending.student] = status
        bar.set_postfix_str(f"{pending.student}: {_short(status)}")
        bar.update()

    with _StopOnInterrupt() as stop:
        queue = _JobQueue(prepared, skipped=bar.update)
        try:
            while queue.has_more() and not stop.requested:
                with ProcessPoolExecutor(max_workers=run.workers,
                                         mp_context=get_context("spawn"),
                                         initializer=partial(init_worker, **sources),
                                         initargs=(str(root), overrides, kernels,
                                                   os.getpid())) as pool:
                    _drain(pool, queue, record, stop, ahead=_AHEAD * run.workers)
        finally:
            bar.close()
        run.interrupted = stop.requested


#: Jobs queued per worker: enough to keep workers busy while the main process
#: records results, few enough that a class of 1000 is not held in memory at once.
_AHEAD = 3


class _JobQueue:
    """Jobs to run: first those to retry (their pool broke), then the prepared ones in order."""

    def __init__(self, prepared, skipped):
        self._source = iter(prepared)
        self._skipped = skipped  # called for each student with nothing to run
        self._exhausted = False
        self.retry: list[tuple[_Pending, Job]] = []
        self.crashes: dict[str, int] = {}

    def has_more(self) -> bool:
        return bool(self.retry) or not self._exhausted

    def next(self) -> tuple[_Pending, Job] | None:
        if self.retry:
            return self.retry.pop(0)
        for item in self._source:
            if item is not None:
                return item
            self._skipped()  # graded earlier, missing or unreadable
        self._exhausted = True
        return None

    def crashed(self, item: tuple[_Pending, Job]) -> bool:
        """Count a broken pool against ``item``; True if it may run again."""
        student = item[0].student
        self.crashes[student] = self.crashes.get(student, 0) + 1
        if self.crashes[student] < 2:
            self.retry.append(item)
            return True
        return False


def _drain(pool, queue: _JobQueue, record, stop, ahead: int) -> None:
    """Keep ``pool`` fed from ``queue`` and record results, until the queue is empty, the
    pool breaks (its jobs go back to the queue) or a stop is requested."""
    futures: dict = {}
    broken = False
    while True:
        while not broken and not stop.requested and len(futures) < ahead:
            item = queue.next()
            if item is None:
                break
            try:
                futures[pool.submit(run_job, item[1])] = item
            except BrokenProcessPool:
                queue.retry.append(item)
                broken = True
        if stop.requested:  # queued, not started: left for the next run
            for future in [f for f in futures if f.cancel()]:
                del futures[future]
        if not futures:
            return
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        for future in done:
            pending, job = item = futures.pop(future)
            try:
                outcome = future.result()
            except BrokenProcessPool:
                broken = True
                if queue.crashed(item):
                    continue
                outcome = Outcome(pending.student, error="the grading worker crashed twice")
            record(pending, outcome)


class _StopOnInterrupt:
    """Ctrl-C while grading: start nothing new, finish and save what is running, then stop.

    A KeyboardInterrupt in the middle of saving a submission's grades would leave that
    submission half-written, so the first Ctrl-C only sets ``requested`` (the workers
    ignore it: the grading process decides); a second Ctrl-C stops at once.
    Only in the main thread, where Python delivers signals.
    """

    requested = False

    def __enter__(self):
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nstopping: saving the submissions being graded; press Ctrl-C again to quit "
              "at once", file=sys.stderr, flush=True)

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _short(status: SubmissionStatus) -> str:
    if status.state != GRADED:
        return status.state
    return f"{status.score:g}/{status.max_score:g}"


def _record(coursedir, cfg, chapter, notebook_id, pending: _Pending, outcome: Outcome):
    """Write an executed submission's grades with nbgrader's preprocessors, and its status."""
    if outcome.error:
        return _unscored(coursedir, chapter, notebook_id, pending.student, pending.dest,
                         UNGRADABLE, f"execution failed ({outcome.error})", pending.notes,
                         pending.sha)
    nb = nbformat.from_dict(json.loads(outcome.notebook_json))
    resources = dict(pending.resources)
    # SaveAutoGrades, except that a warning (stderr) in a test cell costs nothing: see scoring.
    for pp in (SaveAutoGradesIgnoringStderr, AssignLatePenalties):  # CheckCellMetadata: worker
        nb, resources = pp(config=cfg)(nb, resources)
    nbformat.write(nb, str(pending.dest / f"{notebook_id}.ipynb"))
    with open_gradebook(coursedir.db_url, coursedir.course_id) as gb:
        submission = gb.find_submission_notebook(notebook_id, chapter, pending.student)
        score, max_score = submission.score, submission.max_score
        manual = sum(g.max_score for g in submission.grades if g.needs_manual_grade)
    notes = list(pending.notes) + list(outcome.notes)
    if outcome.skipped_cells:
        left_out = sorted(outcome.skipped_cells)
        notes.append(f"cells that stopped the kernel were left out: {left_out}")
    status = SubmissionStatus(pending.student, chapter, GRADED, "", notes, outcome.skipped_cells,
                              pending.sha, score, max_score, round(outcome.seconds, 2), manual,
                              pending.flags)
    write_status(pending.dest, status)
    return status


def format_summary(run: GradingRun) -> str:
    """A plain-text table: one line per student, then counts and the time taken."""
    lines = [f"{'student':<20} {'score':>11}  status"]
    for student, st in sorted(run.statuses.items()):
        score = f"{st.score:g}/{st.max_score:g}" if st.score is not None else "-"
        pending = f" ({st.manual_points:g} points to grade by hand)" if st.manual_points else ""
        lines.append(f"{student:<20} {score:>11}  {st.label}{pending}")
        lines.extend(f"{'':<34}note: {note}" for note in st.notes)
        lines.extend(f"{'':<34}{line}" for line in st.review)
    states = [st.state for st in run.statuses.values()]
    counts = ", ".join(f"{states.count(s)} {s}" for s in (GRADED, UNGRADABLE, MISSING)
                       if states.count(s))
    resumed = f"; {len(run.resumed)} unchanged since the last run, kept" if run.resumed else ""
    if run.interrupted:
        lines.append(f"{run.chapter}: interrupted; run the same command again to grade the "
                     "rest (what was graded is kept)")
    by_hand = sum(1 for st in run.statuses.values() if st.manual_points)
    waiting = (f"; {by_hand} wait for manual grading (formgrader)" if by_hand else "")
    flagged = sum(1 for st in run.statuses.values() if st.flags)
    waiting += f"; {flagged} flagged for review (scores unchanged)" if flagged else ""
    nothing = (f"nothing to grade (no submitted/<student>/{run.chapter}/ folder; "
               "`python -m grader collect` puts submissions there)")
    lines.append(f"{run.chapter}: {counts or nothing}{resumed}{waiting}; "
                 f"{run.seconds:.1f} s with {run.workers} workers")
    return "\n".join(lines)
