"""Execute a submission so that one bad cell costs only itself.

nbgrader's ``Execute`` preprocessor (nbclient underneath) already survives a
cell that raises or loops (``allow_errors``, ``interrupt_on_timeout``). It
does not survive a kernel that dies: ``os._exit``, a segfault or the memory
limit end the run and the whole submission scores 0. :class:`RobustExecute`
is nbgrader's ``Execute`` with a different ``preprocess``: when the kernel
dies in cell *i* (or a cell runs out of memory, or ignores the interrupt
after its timeout), cell *i* is marked failed with the reason, and the
notebook is run again **from the top in a fresh kernel** without it, so later
answers that do not depend on cell *i* still count. Every other behaviour
(per-cell timeout, error recording, ``NBGRADER_EXECUTION``) is nbgrader's.
"""

from __future__ import annotations

import copy
import subprocess
import sys

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import Execute, LimitOutput
from traitlets import Instance, Integer, List, Unicode

from grader.autograde.limits import DEFAULT_MEMORY_LIMIT_BYTES

__all__ = ["RobustExecute", "LimitedKernelManager", "KILLER_ENAME"]

#: ``ename`` of the error output put in a cell that took the kernel down.
KILLER_ENAME = "CellSkippedByGrader"


class LimitedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run under an address-space limit (bytes; 0 = none)."""

    memory_limit_bytes = Integer(DEFAULT_MEMORY_LIMIT_BYTES).tag(config=True)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if self.memory_limit_bytes > 0:
            # A launcher applies the limit then execs the kernel: jupyter_client
            # offers no pre-exec hook on its provisioner's Popen.
            cmd = [sys.executable, "-m", "grader.autograde.limits",
                   str(self.memory_limit_bytes), "--", *cmd]
        return cmd

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        # Kernels print start-up warnings to stderr; they would break the progress bar.
        kw.setdefault("stderr", subprocess.DEVNULL)
        return await super()._async_launch_kernel(kernel_cmd, **kw)


class _CellKilledKernel(Exception):
    def __init__(self, index: int, reason: str):
        super().__init__(reason)
        self.index, self.reason = index, reason


class RobustExecute(Execute):
    """nbgrader's Execute, re-running without each cell that kills (or hangs) the kernel.

    ``skipped`` after :meth:`preprocess`: ``{cell_index: reason}`` for every cell
    that was left out, in the order they were found.
    """

    max_kernel_restarts = Integer(
        4, help="How many killer cells to skip before giving up on the rest of the notebook."
    ).tag(config=True)
    memory_limit_bytes = Integer(DEFAULT_MEMORY_LIMIT_BYTES).tag(config=True)
    probe_timeout_seconds = Integer(
        10, help="After a cell times out, how long the interrupted kernel has to answer again."
    ).tag(config=True)
    kernel_manager_factory = Instance(
        object, allow_none=True,
        help="callable() -> kernel manager; default: a LimitedKernelManager per run",
    )
    memory_error_name = Unicode("MemoryError")
    preload_modules = List(
        Unicode(), help="Modules pre-warmed kernels import in advance, beyond those the "
        "course's notebooks import (grader.autograde.imports finds those)."
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources, km=None):
        """Execute every cell of ``nb``; returns ``(nb, resources)`` like nbconvert."""
        self.skipped: dict[int, str] = {}
        self._max_stream_lines = LimitOutput(parent=self).max_lines
        original = copy.deepcopy(nb)
        for _ in range(self.max_kernel_restarts + 1):
            work = copy.deepcopy(original)
            try:
                self._run_once(work, resources)
            except _CellKilledKernel as died:
                self.skipped[died.index] = died.reason
                continue
            return work, resources
        # Too many killer cells: what ran last is the result, the rest is marked failed.
        for index, reason in self.skipped.items():
            self._mark_failed(work.cells[index], reason)
        self._mark_unrun(work, "the kernel died too often; this cell was not run")
        return work, resources

    # -- one run in one fresh kernel -------------------------------------------------------

    def create_kernel_manager(self):
        if self.kernel_manager_factory is not None:
            self.km = self.kernel_manager_factory()
        else:
            self.km = LimitedKernelManager(kernel_name=self.kernel_name or "python3",
                                           memory_limit_bytes=self.memory_limit_bytes)
        return self.km

    def _run_once(self, nb: NotebookNode, resources) -> None:
        self.reset_execution_trackers()
        self.nb, self.resources = nb, resources
        self.km, self.kc = None, None
        # The kernel is thrown away after the run: no need to wait for a polite shutdown.
        self.shutdown_kernel = "immediate"
        with self.setup_kernel(cleanup_kc=True):
            info = self.wait_for_reply(self.kc.kernel_info())
            if info is not None:
                nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(nb.cells):
                if index in self.skipped:
                    self._mark_failed(cell, self.skipped[index])
                    continue
                self._execute_one(cell, index)

    def _execute_one(self, cell: NotebookNode, index: int) -> None:
        try:
            self.execute_cell(cell, index, store_history=True)
        except DeadKernelError as exc:
            raise _CellKilledKernel(index, f"the kernel died running this cell ({exc})") from None
        except (CellTimeoutError, TimeoutError) as exc:
            raise _CellKilledKernel(index, f"this cell did not finish ({exc})") from None
        if cell.cell_type != "code":
            return
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if any(e.get("ename") == self.memory_error_name for e in errors):
            # The hog's data may still fill the kernel and fail every later cell.
            limit_gib = self.memory_limit_bytes / 1024**3
            raise _CellKilledKernel(
                index, f"this cell ran out of memory (limit {limit_gib:.1f} GiB per kernel)")
        if any(e.get("ename") == self.error_on_timeout.get("ename") for e in errors):
            if not self._kernel_answers():
                raise _CellKilledKernel(
                    index, f"this cell ran past the {self.timeout} s limit, then ignored the stop")

    def output(self, outs, msg, display_id, cell_index):
        """nbclient's output handler, except that printed text LimitOutput would cut is not kept.

        nbgrader's LimitOutput keeps a cell's first ``max_lines`` lines of printed text
        and drops the rest, after the run. A loop that prints until its timeout sends
        gigabytes meanwhile (about 14 MB/s here), all held in this process; so once
        a cell's kept text reaches the limit, further text is dropped on arrival. What
        LimitOutput then leaves is the same; other outputs (errors, plots) are untouched.
        """
        limit = getattr(self, "_max_stream_lines", -1)
        if msg["msg_type"] == "stream" and limit >= 0:
            kept = sum(len(o.text.split("\n")) for o in outs if o.get("output_type") == "stream")
            if kept >= limit:
                return None
        return super().output(outs, msg, display_id, cell_index)

    def _kernel_answers(self) -> bool:
        saved, self.timeout = self.timeout, self.probe_timeout_seconds
        try:
            msg_id = self.kc.kernel_info()
            return self.wait_for_reply(msg_id) is not None
        except Exception:
            return False
        finally:
            self.timeout = saved

    # -- marking cells ------------------------------------------------------------------

    def _mark_failed(self, cell: NotebookNode, reason: str) -> None:
        if cell.cell_type != "code":
            return
        cell.outputs = [from_dict({
            "output_type": "error", "ename": KILLER_ENAME,
            "evalue": f"not run by the grader: {reason}",
            "traceback": [f"{KILLER_ENAME}: not run by the grader: {reason}"],
        })]

    def _mark_unrun(self, nb: NotebookNode, reason: str) -> None:
        for cell in nb.cells:
            if cell.cell_type == "code" and not cell.get("outputs") and cell.get(
                    "execution_count") is None:
                self._mark_failed(cell, reason)
