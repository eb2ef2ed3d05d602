"""JupyterHub for crm-course on one machine (``make hub``): a small class, one server each.

Everything is JupyterHub's own: its proxy (configurable-http-proxy, installed by npm from
hub/package.json), its authenticators and spawners, and nbgrader's exchange between the
students' and the instructors' servers. Settings come from environment variables, so the
same file serves ``make hub``, the tests (loopback, free ports) and the load test:

CRM_HUB_STUDENTS / CRM_HUB_INSTRUCTORS   user names, comma-separated (the class list)
CRM_HUB_AUTH         ``pam`` (system accounts' own passwords; the default as root) or
                     ``dummy`` (one shared CRM_HUB_PASSWORD: for trying the hub out)
CRM_HUB_IP / CRM_HUB_PORT                where students connect (127.0.0.1:8000)
CRM_HUB_API_PORT / CRM_HUB_PROXY_API_PORT  the hub's and the proxy's internal ports
CRM_HUB_STATE        the hub's database, cookie secret and (not as root) students' homes
CRM_EXCHANGE_ROOT    nbgrader's exchange (default /srv/nbgrader/exchange)
CRM_COURSE_ROOT      the course root instructors' servers open on (default: this checkout)
CRM_HUB_PYTHON       the interpreter of the single-user servers (default: the hub's own)

As root (a real class machine, and CI), every user is a system account and each server runs
as its owner (LocalProcessSpawner), so the exchange's file permissions separate students.
Not as root, all servers run as the one user who started the hub (SimpleLocalProcessSpawner,
homes under CRM_HUB_STATE): fine for a demo, no privacy between students.

Who sees what: students get nbgrader's Assignments tab and Validate only (hub/student/);
the ``instructors`` group gets Formgrader as nbgrader's per-instructor server extension, on
the course root (hub/instructor/). Why not formgrader as a hub-managed service: that runs
as one shared account on one course folder, while the course's graders already work in
their own servers with ``python -m grader`` on the course root; one gradebook (PostgreSQL,
``c.CourseDirectory.db_url``) is what lets several of them grade at once.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (injected by traitlets)

HUB = Path(__file__).resolve().parent
ENV_BIN = Path(sys.prefix) / "bin"  # the course environment: the hub runs from it
COURSE_ROOT = Path(os.environ.get("CRM_COURSE_ROOT", HUB.parent)).resolve()
STATE = Path(os.environ.get("CRM_HUB_STATE", HUB / "state")).resolve()
EXCHANGE = os.environ.get("CRM_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
AS_ROOT = os.geteuid() == 0


def _names(variable: str) -> set[str]:
    return {n.strip() for n in os.environ.get(variable, "").split(",") if n.strip()}


STUDENTS = _names("CRM_HUB_STUDENTS")
INSTRUCTORS = _names("CRM_HUB_INSTRUCTORS")
STATE.mkdir(parents=True, exist_ok=True)

# --- network: the public port, the hub's API and the proxy's API --------------------------
ip = os.environ.get("CRM_HUB_IP", "127.0.0.1")
c.JupyterHub.bind_url = f"http://{ip}:{os.environ.get('CRM_HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("CRM_HUB_API_PORT", "8081"))
proxy_api_port = os.environ.get("CRM_HUB_PROXY_API_PORT", "8001")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(HUB / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")

# --- who may log in -------------------------------------------------------------------------
auth = os.environ.get("CRM_HUB_AUTH", "pam" if AS_ROOT else "dummy")
if auth == "dummy":
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ.get("CRM_HUB_PASSWORD", "")
    if not c.DummyAuthenticator.password:
        raise SystemExit("CRM_HUB_AUTH=dummy needs CRM_HUB_PASSWORD (the class's shared password)")
else:
    c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = STUDENTS | INSTRUCTORS
c.Authenticator.admin_users = INSTRUCTORS
c.JupyterHub.load_groups = {"instructors": {"users": sorted(INSTRUCTORS)}}

# --- the single-user servers ------------------------------------------------------------------
if AS_ROOT:
    c.JupyterHub.spawner_class = "localprocess"
else:
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
# Each student's server runs as that student, so its interpreter must be one every account
# can execute: the course environment when it is installed where they can reach it (a class
# machine: /opt or /srv), else CRM_HUB_PYTHON names one (a pyenv Python under /root is not).
SINGLEUSER_PYTHON = os.environ.get("CRM_HUB_PYTHON", sys.executable)
c.Spawner.cmd = [SINGLEUSER_PYTHON, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    "PATH": f"{Path(SINGLEUSER_PYTHON).parent}:{ENV_BIN}:/usr/local/bin:/usr/bin:/bin",
    "CRM_EXCHANGE_ROOT": EXCHANGE}
# 20 students starting at once on 2 cores take ~1 min each to import JupyterLab
# (benchmarks/bench_hub.py); JupyterHub's defaults (60 s / 30 s) would give up on some.
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 240
c.JupyterHub.concurrent_spawn_limit = 0


def course_settings(spawner):
    """Students' servers read hub/student/, instructors' hub/instructor/ and open on the course."""
    instructor = spawner.user.name in INSTRUCTORS or any(
        g.name == "instructors" for g in spawner.user.groups)
    settings = HUB / ("instructor" if instructor else "student")
    spawner.environment["JUPYTER_CONFIG_PATH"] = str(settings)
    if instructor:
        spawner.notebook_dir = str(COURSE_ROOT)


c.Spawner.pre_spawn_hook = course_settings

# --- idle servers stop after an hour (a lab session), freeing their memory --------------------
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [str(ENV_BIN / "python"), "-m", "jupyterhub_idle_culler",
                f"--timeout={os.environ.get('CRM_HUB_CULL_SECONDS', '3600')}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
