"""Load test of the course hub: N students start servers, run chapter 06 and submit at once.

Prints figures, asserts nothing but "no failures" (exit 1 otherwise). A real JupyterHub
(hub/jupyterhub_config.py, on 127.0.0.1) and, as root, N real system accounts; each
simulated student does what a student does in the browser, through the same server
endpoints the Assignments tab and the notebook use: start the server, fetch 06_rfm from
nbgrader's exchange (assignment_list's /assignments/fetch), answer it (the solution's
answer cells, saved through the contents API), run every code cell in a kernel of their
own server (the kernel websocket), and submit (/assignments/submit).

    python benchmarks/bench_hub.py --students 20     # the figures in hub/SIZING.md

Figures: spawn time (login to a ready server), the chapter's run time, peak memory of each
student's server with its kernel (RSS of the process tree, sampled every 0.5 s), failures.
Not as root, every server runs as you (SimpleLocalProcessSpawner): same figures, no accounts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from conftest import copy_course  # noqa: E402
from hub_support import (  # noqa: E402
    PROXY,
    fill_answers,
    running_hub,
    shared_folder,
    system_users,
)

from grader.exchange import release_to_exchange  # noqa: E402

CHAPTER = "06_rfm"
COURSE_ID = "crm-course"


async def run_cells(ws_url: str, token: str, cells: list[str], timeout_seconds: float) -> None:
    """Execute ``cells`` one by one on a kernel's websocket; raise on the first error."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    conn = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}))
    session = uuid.uuid4().hex
    try:
        for number, source in enumerate(cells, 1):
            msg_id = uuid.uuid4().hex
            conn.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session,
                           "username": "bench", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": source, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False,
                            "stop_on_error": True}}))
            while True:
                raw = await asyncio.wait_for(conn.read_message(), timeout_seconds)
                if raw is None:
                    raise RuntimeError("the kernel's websocket closed")
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "execute_reply":
                    if msg["content"]["status"] != "ok":
                        raise RuntimeError(f"cell {number}: {msg['content'].get('ename')}: "
                                           f"{msg['content'].get('evalue')}")
                    break
    finally:
        conn.close()


class MemorySampler(threading.Thread):
    """Peak RSS (bytes) and CPU time (s) of each user's server process tree, every 0.5 s."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peaks: dict[str, int] = {}
        self.cpu_seconds: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(0.5):
            for proc in psutil.process_iter(["cmdline", "environ"]):
                try:
                    if "jupyterhub.singleuser" not in " ".join(proc.info["cmdline"] or []):
                        continue
                    user = (proc.info["environ"] or {}).get("JUPYTERHUB_USER")
                    tree = [proc, *proc.children(recursive=True)]
                    rss = sum(p.memory_info().rss for p in tree)
                    cpu = sum(sum(p.cpu_times()[:2]) for p in tree)
                except (psutil.Error, TypeError):
                    continue
                if user:
                    self.peaks[user] = max(self.peaks.get(user, 0), rss)
                    self.cpu_seconds[user] = max(self.cpu_seconds.get(user, 0.0), cpu)


def simulate(hub, student: str, solution: Path) -> dict:
    """One student's lab session; returns its timings (seconds)."""
    spawn = hub.start_server(student)
    query = urllib.parse.urlencode({"course_id": COURSE_ID, "assignment_id": CHAPTER})
    hub.server_request(student, f"assignments/fetch?{query}", method="POST", body={})
    path = f"api/contents/{CHAPTER}/{CHAPTER}.ipynb"
    model = hub.server_request(student, path)
    nb = fill_answers(nbformat.from_dict(model["content"]), solution)
    hub.server_request(student, path, method="PUT",
                       body={"type": "notebook", "format": "json", "content": nb})
    kernel = hub.server_request(student, "api/kernels", method="POST", body={"name": "python3"})
    ws_url = f"{hub.url.replace('http', 'ws', 1)}user/{student}/api/kernels/{kernel['id']}/channels"
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    started = time.monotonic()
    asyncio.run(run_cells(ws_url, hub.token, cells, timeout_seconds=600))
    chapter = time.monotonic() - started
    hub.server_request(student, f"api/kernels/{kernel['id']}", method="DELETE")
    result = hub.server_request(student, f"assignments/submit?{query}", method="POST", body={})
    if not result.get("success", True):
        raise RuntimeError(f"submit failed: {result.get('value')}")
    return {"spawn": spawn, "chapter": chapter}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3, help="simulated students (N)")
    args = parser.parse_args(argv)
    if not PROXY.is_file():  # make bench runs every benchmark; this one needs make hub-setup
        print(f"hub load test skipped: no proxy at {PROXY} (make hub-setup installs it)")
        return 0
    students = [f"crmbench-{i:03d}" for i in range(1, args.students + 1)]
    as_root = os.geteuid() == 0
    work = shared_folder("crm-hub-bench-")
    course = copy_course(work / "course")
    exchange = work / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    state = work / "state"
    state.mkdir()
    release_to_exchange(CHAPTER, root=course, exchange=exchange)
    solution = course / "solutions" / CHAPTER / f"{CHAPTER}.ipynb"
    results, failures = {}, {}
    with ExitStack() as stack:
        if as_root:
            stack.enter_context(system_users(students))
        hub = stack.enter_context(running_hub(
            state, students=students, exchange=exchange, course_root=course,
            password="bench", python=None if as_root else Path(sys.executable)))
        sampler = MemorySampler()
        sampler.start()
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(students)) as pool:
            futures = {s: pool.submit(simulate, hub, s, solution) for s in students}
            for student, future in futures.items():
                try:
                    results[student] = future.result()
                except Exception as exc:  # a failure is a figure, reported below
                    failures[student] = f"{type(exc).__name__}: {exc}"
        wall = time.monotonic() - began
        sampler.stop.set()
        inbound = list((exchange / COURSE_ID / "inbound").glob(f"*+{CHAPTER}+*"))
    _print_figures(args.students, results, failures, sampler, wall, len(inbound), as_root)
    return 1 if failures else 0


def _stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    return (f"median {statistics.median(ordered):.1f}, max {ordered[-1]:.1f} "
            f"(min {ordered[0]:.1f})")


def _print_figures(n, results, failures, sampler, wall, submitted, as_root):
    cores = os.cpu_count()
    memory_gib = psutil.virtual_memory().total / 2**30
    print(f"hub load test: {n} students at once on {cores} cores, {memory_gib:.0f} GiB "
          f"({'system accounts, LocalProcessSpawner' if as_root else 'one account'})")
    print(f"  spawn time (s):        {_stats([r['spawn'] for r in results.values()])}")
    print(f"  chapter 06 run (s):    {_stats([r['chapter'] for r in results.values()])}")
    mib = [p / 2**20 for p in sampler.peaks.values()]
    print(f"  peak memory per server with its kernel (MiB): {_stats(mib)}")
    print(f"  CPU time per student, server + kernel (s):    "
          f"{_stats(list(sampler.cpu_seconds.values()))}")
    print(f"  all {n} done in {wall:.0f} s; submissions in the exchange: {submitted}")
    print(f"  failures: {len(failures)}")
    for student, reason in failures.items():
        print(f"    {student}: {reason[:300]}")


if __name__ == "__main__":
    sys.exit(main())
