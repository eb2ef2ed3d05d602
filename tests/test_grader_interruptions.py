"""``grader grade`` when something stops it: a worker killed mid-run, the grading process
killed (SIGKILL) while workers start or kernels run, and Ctrl-C. Nothing is left running,
nothing graded is lost, and the next run goes on from there."""

from __future__ import annotations

import os
import threading
import time

import psutil
import pytest
from grading_support import MEMORY, TIMEOUT_S, autograded_points, released_course

from grader.autograde import grade
from grader.autograde.status import GRADED
from grader.sample_class import CHAPTER, STUDENTS, write_class

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grader_interruptions")]


def _kill_a_busy_worker(killed: list, within_s: float = 120) -> None:
    """SIGKILL the first grading worker seen talking to a kernel, as the OOM killer or a
    crash in a library would end it; ``killed`` gets that kernel (a child of the run's
    kernel template, listening on the ports the worker is connected to) and the worker."""
    me = psutil.Process()
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        for worker in me.children():
            try:
                ports = {c.raddr.port for c in worker.net_connections(kind="tcp") if c.raddr}
                kernels = [p for p in me.children(recursive=True) if p.pid != worker.pid
                           and ports & {c.laddr.port for c in p.net_connections(kind="tcp")}]
                if kernels:
                    worker.kill()
                    killed.extend([worker, *kernels])
                    # gone within seconds, while the run goes on: not at the run's end
                    _, alive = psutil.wait_procs(kernels, timeout=5)
                    killed.append(("alive after 5 s", alive))
                    return
            except psutil.Error:
                continue
        time.sleep(0.02)


def test_a_grading_worker_killed_midway_costs_nobody_their_grade(tmp_path_factory):
    course = released_course(tmp_path_factory, "worker_killed")
    names = ["perfect", "scores_reversed", "blank", "other_style", "median_and_percent"]
    write_class(course, names)
    killed: list[int] = []
    killer = threading.Thread(target=_kill_a_busy_worker, args=(killed,), daemon=True)
    killer.start()
    run = grade(CHAPTER, root=course, workers=2, timeout_seconds=TIMEOUT_S,
                memory_limit_bytes=MEMORY, progress=False)
    killer.join()
    assert killed, "no worker was seen running a kernel"
    *processes, (_, alive) = killed
    assert not alive, "the killed worker's kernel went on running"
    assert not psutil.wait_procs(processes, timeout=10)[1]
    for name in names:
        assert run.statuses[name].state == GRADED, run.statuses[name].label
        assert sum(autograded_points(course, name).values()) == STUDENTS[name].expected, name


def _depth_below(process, ancestor_pid: int) -> int:
    return [p.pid for p in process.parents()].index(ancestor_pid) + 1


def _is_the_moment(process, main_pid: int, moment: str) -> bool:
    if moment == "workers starting":
        return "spawn_main" in " ".join(process.cmdline())
    return _depth_below(process, main_pid) >= 2 and bool(process.net_connections(kind="tcp"))


@pytest.mark.parametrize("moment", ["workers starting", "kernel running"])
def test_a_killed_grading_run_leaves_no_process_behind_and_resumes(tmp_path_factory, moment):
    import signal
    import subprocess
    import sys

    course = released_course(tmp_path_factory, "killed_run")
    names = ["perfect", "scores_reversed", "blank", "other_style"]
    write_class(course, names)
    main = subprocess.Popen(
        [sys.executable, "-m", "grader", "grade", CHAPTER, "--root", str(course), "-q",
         "--timeout", str(TIMEOUT_S)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # main -> workers and the kernel template (1); template -> kernels (2), which listen on
    # TCP ports (its other child, the reference answers' run, does not)
    below: list = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and main.poll() is None:
        try:
            below = psutil.Process(main.pid).children(recursive=True)
            if any(_is_the_moment(p, main.pid, moment) for p in below):
                break
        except (psutil.Error, ValueError):
            pass
        time.sleep(0.02)
    assert main.poll() is None and below, "the run ended before the moment came"
    main.send_signal(signal.SIGKILL)
    main.wait()
    _, alive = psutil.wait_procs(below, timeout=15)
    assert not alive, f"left behind: {[' '.join(p.cmdline())[-80:] for p in alive]}"
    run = grade(CHAPTER, root=course, workers=2, timeout_seconds=TIMEOUT_S,
                memory_limit_bytes=MEMORY, progress=False)
    for name in names:
        assert run.statuses[name].state == GRADED, name
        assert sum(autograded_points(course, name).values()) == STUDENTS[name].expected, name


def test_ctrl_c_saves_what_is_graded_stops_and_the_next_run_goes_on(tmp_path_factory):
    import signal
    import subprocess
    import sys

    from grader.autograde.status import STATUS_FILE

    course = released_course(tmp_path_factory, "ctrl_c")
    written = write_class(course, ["perfect", "scores_reversed", "blank", "other_style",
                                   "median_and_percent", "refunds_and_customers"], copies=2)
    main = subprocess.Popen(
        [sys.executable, "-m", "grader", "grade", CHAPTER, "--root", str(course), "-q",
         "--timeout", str(TIMEOUT_S)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)  # its own group, as a terminal's job
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and main.poll() is None:
        if any((course / "autograded").glob(f"*/{CHAPTER}/{STATUS_FILE}")):
            break
        time.sleep(0.05)
    group = psutil.Process(main.pid).children(recursive=True)
    os.killpg(main.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    out, err = main.communicate(timeout=120)
    assert main.returncode == 130, err[-2000:]
    assert "interrupted" in out and "Traceback" not in err
    _, alive = psutil.wait_procs(group, timeout=15)
    assert not alive
    statuses = (course / "autograded").glob(f"*/{CHAPTER}/{STATUS_FILE}")
    done = {p.parent.parent.name for p in statuses}
    assert 0 < len(done) < len(written)
    run = grade(CHAPTER, root=course, workers=2, timeout_seconds=TIMEOUT_S,
                memory_limit_bytes=MEMORY, progress=False)
    assert set(run.resumed) == done
    for name, spec in written.items():
        assert run.statuses[name].state == GRADED, name
        assert sum(autograded_points(course, name).values()) == spec.expected, name


def test_cold_kernels_still_stop_an_endless_loop_at_its_timeout(tmp_path_factory):
    """``--kernels fresh`` (no fork, e.g. on Windows): kernels started by jupyter_client from
    workers that ignore Ctrl-C must still be interruptible when a cell runs too long."""
    course = released_course(tmp_path_factory, "cold_kernels")
    names = ["endless_loop", "perfect"]
    write_class(course, names)
    run = grade(CHAPTER, root=course, workers=2, timeout_seconds=TIMEOUT_S, kernels="fresh",
                memory_limit_bytes=MEMORY, progress=False)
    for name in names:
        assert run.statuses[name].state == GRADED, name
        assert not run.statuses[name].skipped_cells, name  # interrupted, not left out
        assert sum(autograded_points(course, name).values()) == STUDENTS[name].expected, name
