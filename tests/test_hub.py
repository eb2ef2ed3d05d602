"""The course on a real JupyterHub (hub/): two students and an instructor, through the exchange.

A hub on 127.0.0.1 (hub/jupyterhub_config.py: JupyterHub, configurable-http-proxy,
LocalProcessSpawner) serves two students who are real system accounts. In Chromium each
logs in, fetches chapter 06 from nbgrader's Assignments tab, answers (the solution's
answer cells are written into the fetched notebook, as its owner: typing a whole chapter
is test_browser_lab's job), presses Validate and submits. The instructor then runs the
course's own commands through the exchange (collect --exchange, grade, feedback
--exchange), each student fetches their feedback in the Assignments tab, and neither can
read the other's submission or feedback. Needs root for the system accounts: CI runs it
(.ci/run sets CRM_REQUIRE_HUB=1); elsewhere it skips and says why. Screenshots of a
failure go to test-artifacts/hub/.
"""

from __future__ import annotations

import json
import pwd
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser_support import (
    artifact_dir,
    chromium_browser,
    require_chromium,
    screenshot_on_failure,
)
from conftest import copy_course
from hub_support import (
    fill_answers,
    require_hub,
    running_hub,
    shared_folder,
    system_users,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]

CHAPTER = "06_rfm"
STUDENTS = ["crmhub-ana", "crmhub-bo"]
INSTRUCTOR = "crmhub-teacher"
PASSWORD = "class-password"
COURSE_ID = "crm-course"


def grader(*args: str, root: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "grader", *args, "--root", str(root)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def as_user(user: str, *cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", *cmd], capture_output=True, text=True)


def answer(notebook: Path, solution: Path, student: str) -> None:
    """Answer a fetched notebook as its owner; each answer cell names the student, so each
    feedback page is recognisably its student's own."""
    owner = notebook.stat()
    nb = fill_answers(nbformat.read(notebook, as_version=4), solution, f"answered by {student}")
    nbformat.write(nb, notebook)
    shutil.chown(notebook, owner.st_uid, owner.st_gid)


def open_assignments(page, hub_url: str, user: str):
    page.goto(f"{hub_url}user/{user}/lab", wait_until="domcontentloaded")
    page.get_by_text("Nbgrader", exact=True).click(timeout=120_000)
    page.get_by_text("Assignment List", exact=True).click()


@pytest.fixture(scope="module")
def hub_class(root):
    """A running hub with two student accounts, chapter 06 released to its exchange."""
    require_hub(as_root=True)
    require_chromium()
    work = shared_folder("crm-hub-test-")
    course = copy_course(work / "course")
    exchange = work / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)  # as the README says: sticky, so no student can move another's folder
    state = work / "state"
    state.mkdir()
    try:
        with system_users([*STUDENTS, INSTRUCTOR]):
            out = grader("release", CHAPTER, "--exchange", str(exchange), root=course)
            assert "published to the exchange" in out
            with running_hub(state, students=STUDENTS, instructors=[INSTRUCTOR],
                             exchange=exchange, course_root=course, password=PASSWORD) as hub:
                yield hub, course, exchange
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_release_publishes_the_student_version_to_the_exchange(hub_class):
    _, course, exchange = hub_class
    released = exchange / COURSE_ID / "outbound" / CHAPTER / f"{CHAPTER}.ipynb"
    chapter = course / "chapters" / CHAPTER / f"{CHAPTER}.ipynb"
    assert released.read_bytes() == chapter.read_bytes()


def test_two_students_fetch_validate_submit_and_get_only_their_own_feedback(hub_class, root):
    hub, course, exchange = hub_class
    shots = artifact_dir("hub")
    homes = {s: Path(pwd.getpwnam(s).pw_dir) for s in STUDENTS}
    with chromium_browser() as browser:
        pages = {}
        for student in STUDENTS:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            pages[student] = page
            with screenshot_on_failure(page, shots / f"{student}-login.png"):
                page.goto(f"{hub.url}hub/login", wait_until="domcontentloaded")
                page.fill("#username_input", student)
                page.fill("#password_input", PASSWORD)
                page.click("#login_submit")
                page.wait_for_url(f"**/user/{student}/lab**", timeout=300_000)
        for student, page in pages.items():
            with screenshot_on_failure(page, shots / f"{student}-fetch.png"):
                open_assignments(page, hub.url, student)
                page.get_by_role("button", name="Fetch", exact=True).click(timeout=60_000)
                fetched = homes[student] / CHAPTER / f"{CHAPTER}.ipynb"
                # the file appears before nbgrader has finished copying it: wait until it reads
                _wait_for(lambda f=fetched: _is_notebook(f), f"{fetched} after Fetch")
                assert fetched.stat().st_uid == pwd.getpwnam(student).pw_uid
                answer(fetched, root / "solutions" / CHAPTER / f"{CHAPTER}.ipynb", student)
        for student, page in pages.items():
            with screenshot_on_failure(page, shots / f"{student}-validate.png"):
                page.goto(f"{hub.url}user/{student}/lab/tree/{CHAPTER}/{CHAPTER}.ipynb",
                          wait_until="domcontentloaded")
                page.get_by_role("button", name="Validate").first.click(timeout=120_000)
                page.get_by_text("Success! Your notebook passes all the tests.").wait_for(
                    timeout=300_000)
        for student, page in pages.items():
            with screenshot_on_failure(page, shots / f"{student}-submit.png"):
                open_assignments(page, hub.url, student)
                page.get_by_role("button", name="Submit", exact=True).first.click(
                    timeout=60_000)
                _wait_for(lambda s=student: list((exchange / COURSE_ID / "inbound").glob(
                    f"{s}+{CHAPTER}+*")), f"{student}'s submission in the exchange")

        out = grader("collect", CHAPTER, "--exchange", str(exchange), root=course)
        assert f"collected {len(STUDENTS)} submissions" in out
        grader("grade", CHAPTER, "-j", "2", "-q", root=course)
        out = grader("feedback", CHAPTER, "--exchange", str(exchange), root=course)
        assert f"released through the exchange to {len(STUDENTS)} students" in out

        for student, page in pages.items():
            with screenshot_on_failure(page, shots / f"{student}-feedback.png"):
                open_assignments(page, hub.url, student)
                page.get_by_role("button", name="Fetch Feedback").first.click(timeout=60_000)
                _wait_for(lambda s=student: list(homes[s].glob(f"{CHAPTER}/feedback/*/*.html")),
                          f"{student}'s fetched feedback")
    for student in STUDENTS:
        (page,) = homes[student].glob(f"{CHAPTER}/feedback/*/{CHAPTER}.html")
        text = page.read_text(encoding="utf-8")
        other = next(s for s in STUDENTS if s != student)
        assert f"answered by {student}" in text and f"answered by {other}" not in text

    ana, bo = STUDENTS
    # The other student's home, the exchange's inbox and its feedback folder are closed to bo:
    # nbgrader makes inbound/ 733 and feedback/ 711 (write or enter, never list).
    for path in (homes[ana] / CHAPTER / f"{CHAPTER}.ipynb", exchange / COURSE_ID / "inbound",
                 exchange / COURSE_ID / "feedback"):
        reading = as_user(bo, "ls", str(path))
        assert reading.returncode != 0 and "Permission denied" in reading.stderr, path
    # bo cannot reach ana's submission even by guessing the name's student and chapter part.
    guess = as_user(bo, "sh", "-c", f"cat {exchange}/{COURSE_ID}/inbound/{ana}+{CHAPTER}+*/*")
    assert guess.returncode != 0
    # The exchange root is sticky (1777): bo cannot rename or remove the course's folder.
    moved = as_user(bo, "mv", str(exchange / COURSE_ID), str(exchange / "taken"))
    assert moved.returncode != 0 and (exchange / COURSE_ID).is_dir()


def test_only_the_instructors_servers_have_formgrader_on_the_course(hub_class):
    """Formgrader's page answers in the instructor's server (it checks that the server runs
    on the course root); a student's server has no formgrader at all."""
    hub, _, _ = hub_class
    student = STUDENTS[0]
    hub.start_server(student)
    assert "started" in hub.server_request(student, "api/status")  # the server answers
    with pytest.raises(urllib.error.HTTPError) as err:
        hub.server_request(student, "formgrader/api/assignments")
    assert err.value.code == 404
    hub.start_server(INSTRUCTOR)
    request = urllib.request.Request(f"{hub.url}user/{INSTRUCTOR}/formgrader/manage_assignments",
                                     headers={"Authorization": f"token {hub.token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        page = response.read().decode()
    # 200, not nbgrader's 500 for a server outside the course root
    assert response.status == 200 and "Manage Assignments" in page, page[:500]


def _is_notebook(path: Path) -> bool:
    try:
        nbformat.read(path, as_version=4)
    except (OSError, ValueError):  # missing, or half-written (NotJSONError is a ValueError)
        return False
    return True


def _wait_for(condition, what: str, timeout_seconds: float = 120):
    deadline = time.monotonic() + timeout_seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} after {timeout_seconds} s")
        time.sleep(0.5)


def test_hub_settings_hide_instructor_tools_from_students(root):
    """Students' lab: Assignments and Validate only; their server: no formgrader endpoints."""
    page = json.loads((root / "hub/student/labconfig/page_config.json").read_text())
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
            "@jupyter/nbgrader:course-list"} <= set(page["disabledExtensions"])
    server = json.loads((root / "hub/student/jupyter_server_config.json").read_text())
    enabled = server["ServerApp"]["jpserver_extensions"]
    assert not enabled["nbgrader.server_extensions.formgrader"]
    assert enabled["nbgrader.server_extensions.assignment_list"]


def _merged(defaults: dict, values: dict) -> dict:
    """Helm's merge of user values onto the chart's defaults (maps merge, the rest replaces)."""
    merged = dict(defaults)
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def test_helm_values_are_valid_for_the_charts_documented_schema(root):
    """hub/helm/values.yaml, merged onto chart 4.4.0's defaults, passes the chart's schema."""
    import jsonschema
    import yaml

    chart = root / "hub" / "helm" / "z2jh-4.4.0"
    schema = yaml.safe_load((chart / "values.schema.yaml").read_text())
    values = _helm_values(root)
    jsonschema.validate(_merged(yaml.safe_load((chart / "values.yaml").read_text()), values),
                        schema)
    # The schema is strict (additionalProperties: false), so a misspelt key fails above:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_merged(values, {"singleuser": {"memroy": {"limit": "1G"}}}), schema)


def test_helm_values_have_the_course_settings(root):
    values = _helm_values(root)
    single = values["singleuser"]
    assert single["extraEnv"]["CRM_EXCHANGE_ROOT"] == "/srv/nbgrader/exchange"
    assert any(m["mountPath"] == "/srv/nbgrader/exchange"
               for m in single["storage"]["extraVolumeMounts"])
    assert values["cull"]["enabled"] and values["cull"]["timeout"] > 0
    assert "/opt/crm-course/hub/" in values["hub"]["extraConfig"]["crm-course-roles"]
    # Memory per student is the measured peak written on the sizing page.
    sizing = (root / "hub" / "SIZING.md").read_text()
    assert f"guarantee: {single['memory']['guarantee']}" in sizing


def _helm_values(root) -> dict:
    """hub/helm/values.yaml, parsed."""
    import yaml

    return yaml.safe_load((root / "hub" / "helm" / "values.yaml").read_text())


def _spawner(values: dict, user_id: int, name: str, groups: tuple[str, ...] = ()):
    """A stand-in KubeSpawner as chart 4.4.0's jupyterhub_config.py leaves it: environment
    from singleuser.extraEnv, volumes and mounts as dicts (extraVolumeMounts keyed
    "<index>-<name>"), the home volume under the chart's default name."""
    from types import SimpleNamespace

    storage = values["singleuser"]["storage"]
    volumes = {"volume-{user_server}": {"name": "volume-{user_server}",
                                        "persistentVolumeClaim": {"claimName": "{pvc_name}"}}}
    volumes.update({v["name"]: v for v in storage["extraVolumes"]})
    mounts = {"volume-{user_server}": {"name": "volume-{user_server}",
                                       "mountPath": "/home/jovyan"}}
    mounts.update({f"{i}-{m['name']}": m for i, m in enumerate(storage["extraVolumeMounts"])})
    user = SimpleNamespace(id=user_id, name=name,
                           groups=[SimpleNamespace(name=g) for g in groups])
    return SimpleNamespace(user=user, environment=dict(values["singleuser"]["extraEnv"]),
                           volumes=volumes, volume_mounts=mounts)


def _hub_extra_config(values: dict):
    """hub.extraConfig run as the chart runs it: exec() in key order onto one config."""
    from traitlets.config import Config

    c = Config()
    for _, snippet in sorted(values["hub"]["extraConfig"].items()):
        exec(snippet, {"c": c})
    return c.KubeSpawner


def test_helm_gives_every_student_a_uid_of_their_own_in_group_users(root):
    """As on one machine, the exchange's file permissions tell students apart: each hub user
    runs as a uid of their own, the same at every start; everyone's group is users (100)."""
    values = _helm_values(root)
    spawner_config = _hub_extra_config(values)
    uid = spawner_config.uid
    ana, bo = _spawner(values, 7, "ana"), _spawner(values, 8, "bo")
    teacher = _spawner(values, 1, "instructor1", groups=("instructors",))
    assert callable(uid)
    assert uid(ana) != uid(bo)
    assert uid(ana) == uid(_spawner(values, 7, "ana"))  # the next start: the same uid
    assert uid(teacher) not in (uid(ana), uid(bo))
    # Instructors share one account: inbound/ is readable by the one who released only.
    assert uid(teacher) == uid(_spawner(values, 9, "instructor2", groups=("instructors",)))
    assert min(uid(ana), uid(bo), uid(teacher)) > 0  # nobody runs as root
    assert spawner_config.gid == 100 and values["singleuser"]["fsGid"] == 100
    assert values["singleuser"]["allowPrivilegeEscalation"] is False
    # fsGid must not re-open the exchange (its root is made group 100, setgid, g+rwx):
    assert spawner_config.pod_security_context["fsGroupChangePolicy"] == "OnRootMismatch"


def test_helm_instructors_get_the_course_volume_and_students_only_the_exchange(root):
    values = _helm_values(root)
    hook = _hub_extra_config(values).pre_spawn_hook
    student = _spawner(values, 7, "ana")
    teacher = _spawner(values, 1, "instructor1", groups=("instructors",))
    hook(student)
    hook(teacher)

    def mounts(spawner):
        return {m["mountPath"] for m in spawner.volume_mounts.values()}

    assert mounts(student) == {"/home/jovyan", "/srv/nbgrader/exchange"}
    assert mounts(teacher) == {"/home/jovyan", "/srv/nbgrader/exchange", "/srv/crm-course"}
    claims = {v["persistentVolumeClaim"]["claimName"] for v in teacher.volumes.values()}
    assert "crm-course-instructors" in claims and teacher.notebook_dir == "/srv/crm-course"
    assert student.environment["JUPYTER_CONFIG_PATH"] == "/opt/crm-course/hub/student"
    assert teacher.environment["JUPYTER_CONFIG_PATH"] == "/opt/crm-course/hub/instructor"
    assert (student.environment["USER"], teacher.environment["USER"]) == ("ana", "instructor1")


def test_helm_image_lets_any_uid_in_group_users_write_and_have_a_name(root):
    """The pod's uid is not jovyan's: the image's start.sh adds it to /etc/passwd (nbgrader's
    get_username needs an entry) only if group users may write it."""
    dockerfile = (root / "hub" / "helm" / "Dockerfile").read_text()
    assert 'chgrp "${NB_GID}" /etc/passwd && chmod g+w /etc/passwd' in dockerfile
    assert 'fix-permissions "${CONDA_DIR}" /opt/crm-course "/home/${NB_USER}"' in dockerfile


def test_exchange_is_the_one_given_then_the_environments_then_nbgraders_default(root,
                                                                                monkeypatch):
    from grader.exchange import NBGRADER_DEFAULT_ROOT, exchange_root

    monkeypatch.delenv("CRM_EXCHANGE_ROOT", raising=False)
    assert exchange_root(root) == Path(NBGRADER_DEFAULT_ROOT)  # nbgrader_config.py sets none
    monkeypatch.setenv("CRM_EXCHANGE_ROOT", "/srv/class/exchange")
    assert exchange_root(root) == Path("/srv/class/exchange")
    assert exchange_root(root, "/tmp/given") == Path("/tmp/given")


def test_collect_needs_a_source_or_the_exchange(root, capsys):
    from grader.cli import main

    assert main(["collect", CHAPTER, "--root", str(root)]) == 2
    assert "SOURCE" in capsys.readouterr().err
