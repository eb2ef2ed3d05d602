"""A real JupyterHub on 127.0.0.1 for the hub test and the load test (hub/jupyterhub_config.py).

The hub runs hub/jupyterhub_config.py unchanged, loaded from a small test config that
only adds one service with an admin token, so tests can start servers and read their
state through the hub's REST API. Ports are free ones; the hub's state, the exchange
and the students' system accounts are temporary and removed afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser_support import ARTIFACTS as _ARTIFACTS
from browser_support import free_port

ROOT = Path(__file__).resolve().parent.parent
HUB_CONFIG = ROOT / "hub" / "jupyterhub_config.py"
PROXY = ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
#: Set by .ci/run as root: a hub that cannot be set up is then a failure, not a skip.
REQUIRED = os.environ.get("CRM_REQUIRE_HUB") == "1"
ARTIFACTS = _ARTIFACTS / "hub-logs"

_TEST_CONFIG = """\
c = get_config()  # noqa: F821
load_subconfig({config!r})  # noqa: F821
c.JupyterHub.services.append({{"name": "tests", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{"name": "tests", "services": ["tests"],
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"]}})
"""


def require_hub(as_root: bool = False):
    """Skip (or, with CRM_REQUIRE_HUB=1, fail) unless a hub with real system users can run."""
    problems = []
    if shutil.which("jupyterhub", path=str(Path(sys.executable).parent)) is None:
        problems.append("JupyterHub is not installed: pip install -e '.[hub]'")
    if not PROXY.is_file():
        problems.append("the proxy is not installed: npm install --prefix hub (make hub does it)")
    if as_root and os.geteuid() != 0:
        problems.append("real system users need root (CI runs as root)")
    if problems:
        (pytest.fail if REQUIRED else pytest.skip)("; ".join(problems))


@contextlib.contextmanager
def system_users(names: list[str]):
    """Create system accounts ``names`` with private homes (0700); delete them afterwards."""
    try:
        for name in names:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name],
                           check=True, capture_output=True)
            home = Path(f"/home/{name}")
            home.chmod(0o700)
        yield names
    finally:
        for name in names:
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
            subprocess.run(["userdel", "--remove", name], capture_output=True)


def shared_folder(prefix: str) -> Path:
    """A temporary folder every user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder


def reachable_by_everyone(path: Path) -> bool:
    """Whether another account can reach ``path``: every folder above it is o+x."""
    return all(p.stat().st_mode & 0o001 for p in Path(path).resolve().parents)


def student_python(folder: Path) -> Path:
    """An interpreter the students' accounts can run, with the course environment's packages.

    The course environment's own interpreter when others can reach it; else (a pyenv
    Python under /root, mode 0700) a venv of Debian's python3 of the same minor version in
    ``folder`` that adds the course environment's site-packages (``site.addsitedir`` in a
    .pth file, so its editable install of crm_lab and grader works too).
    """
    if reachable_by_everyone(Path(sys.executable)):
        return Path(sys.executable)
    site_packages = Path(sysconfig.get_paths()["purelib"])
    if not reachable_by_everyone(site_packages / "x"):
        # Not a fault of the hub: students' servers cannot run from a checkout they cannot
        # enter (e.g. one under /root, mode 0700), so the test says so instead of failing.
        pytest.skip(f"the course environment {sys.prefix} is in a folder other accounts "
                    "cannot enter; put the checkout where they can (e.g. /srv, /opt, /work)")
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.is_file():
        pytest.fail(f"{sys.executable} is out of other accounts' reach and there is no {system}")
    bridge = folder / "student-env"
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(bridge)], check=True)
    (purelib,) = bridge.glob("lib/python*/site-packages")
    (purelib / "crm_course_env.pth").write_text(
        f"import site; site.addsitedir({str(site_packages)!r})\n")
    # Jupyter finds extensions (JupyterLab itself, nbgrader's) under sys.prefix.
    for folder in ("etc/jupyter", "share/jupyter"):
        (bridge / folder).parent.mkdir(parents=True, exist_ok=True)
        (bridge / folder).symlink_to(Path(sys.prefix) / folder)
    return bridge / "bin" / "python"


def fill_answers(nb, solution: Path, note: str = ""):
    """``nb`` (a fetched student notebook) with the solution's answer cells, by grade_id.

    ``note``, if given, ends each answer cell as a comment (a student's own mark).
    """
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source
               for c in nbformat.read(solution, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell.source = answers[meta["grade_id"]] + (f"\n# {note}" if note else "")
    return nb


class Hub:
    """A running hub: its public URL and an admin token for its REST API."""

    def __init__(self, url: str, token: str, log: Path):
        self.url, self.token, self.log = url, token, log

    def api(self, method: str, path: str, body: dict | None = None) -> dict | None:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}hub/api/{path}", data=data, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def server_request(self, user: str, path: str, method: str = "GET",
                       body: dict | None = None) -> dict:
        """A request to ``user``'s single-user server, through the proxy."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}user/{user}/{path}", data=data,
                                         method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
        return json.loads(text) if text else {}

    def start_server(self, user: str, timeout_seconds: float = 300) -> float:
        """Ask the hub to start ``user``'s server; wait until it is ready; returns seconds."""
        started = time.monotonic()
        with contextlib.suppress(urllib.error.HTTPError):  # 400: already running
            self.api("POST", f"users/{user}/server")
        while time.monotonic() - started < timeout_seconds:
            model = self.api("GET", f"users/{user}")
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                return time.monotonic() - started
            if not server.get("pending") and not server:
                raise RuntimeError(f"{user}'s server stopped while starting:\n{self.tail()}")
            time.sleep(0.5)
        raise TimeoutError(f"{user}'s server not ready after {timeout_seconds} s:\n{self.tail()}")

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


@contextlib.contextmanager
def running_hub(state: Path, *, students: list[str], instructors: list[str] = (),
                exchange: Path, course_root: Path, password: str,
                python: Path | None = None):
    """Start hub/jupyterhub_config.py on free loopback ports; yields a :class:`Hub`.

    ``python``: the single-user servers' interpreter (default: :func:`student_python`).
    """
    token = secrets.token_hex(16)
    config = state / "test_jupyterhub_config.py"
    config.write_text(_TEST_CONFIG.format(config=str(HUB_CONFIG), token=token))
    port = free_port()
    env = {**os.environ, "CRM_HUB_AUTH": "dummy", "CRM_HUB_PASSWORD": password,
           "CRM_HUB_STUDENTS": ",".join(students), "CRM_HUB_INSTRUCTORS": ",".join(instructors),
           "CRM_HUB_STATE": str(state), "CRM_EXCHANGE_ROOT": str(exchange),
           "CRM_COURSE_ROOT": str(course_root), "CRM_HUB_PORT": str(port),
           "CRM_HUB_PYTHON": str(python or student_python(state)),
           "CRM_HUB_API_PORT": str(free_port()), "CRM_HUB_PROXY_API_PORT": str(free_port()),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    log = state / "hub.log"
    with log.open("w") as out:
        hub = subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f", str(config)],
                               cwd=state, env=env, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    running = Hub(f"http://127.0.0.1:{port}/", token, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                running.api("GET", "")
                break
            except OSError:
                if hub.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterHub did not start:\n{running.tail()}") from None
                time.sleep(0.5)
        yield running
    finally:
        hub.terminate()  # the hub stops the servers it spawned and its proxy
        try:
            hub.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, 9)
            hub.wait(timeout=10)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log, ARTIFACTS / f"{state.parent.name}-hub.log")  # for people to read
