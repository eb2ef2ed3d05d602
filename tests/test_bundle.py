"""The student bundle holds what students need and nothing instructors keep."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from grader.bundle import LAB_SETTINGS, build_bundle

SECRETS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "MARK SCHEME",
    "grader.reference",
    "grader.compare",
    "grader.fixtures",
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    path = build_bundle(tmp_path_factory.mktemp("bundle") / "student.zip")
    with zipfile.ZipFile(path) as zf:
        yield {name: zf.read(name) for name in zf.namelist()}


def test_bundle_has_chapters_helper_package_data_and_setup(bundle, root):
    names = set(bundle)
    for chapter in (root / "chapters").iterdir():
        for nb in chapter.glob("*.ipynb"):
            key = f"crm-course/{nb.relative_to(root).as_posix()}"
            assert bundle[key] == nb.read_bytes()
    assert "crm-course/crm_lab/__init__.py" in names
    assert "crm-course/crm_lab/data/__init__.py" in names
    assert "crm-course/datasets/orders.csv" in names
    assert {
        "crm-course/pyproject.toml",
        "crm-course/environment.yml",
        "crm-course/README.md",
    } <= names


def test_bundle_has_no_solutions_hidden_tests_or_reference_code(bundle):
    for name, content in bundle.items():
        parts = name.split("/")
        assert parts[1] not in {"solutions", "grader", "tests", "benchmarks"}, name
        if name.endswith((".ipynb", ".py", ".md", ".toml", ".yml")):
            text = content.decode("utf-8")
            for secret in SECRETS:
                assert secret not in text, f"{name} contains {secret!r}"


def test_student_pyproject_installs_only_crm_lab_with_the_course_dependencies(bundle, root):
    student = tomllib.loads(bundle["crm-course/pyproject.toml"].decode())
    course = tomllib.loads((root / "pyproject.toml").read_text())
    assert student["tool"]["setuptools"]["packages"]["find"]["include"] == ["crm_lab*"]
    assert student["project"]["dependencies"] == course["project"]["dependencies"]


# ---- the students' JupyterLab --------------------------------------------------------------

INSTRUCTOR_TOOLS = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                    "@jupyter/nbgrader:course-list"}
STUDENT_TOOLS = {"@jupyter/nbgrader:validate-assignment", "@jupyter/nbgrader:assignment-list"}
NEWS = "@jupyterlab/apputils-extension:notification"


def nbgrader_plugins() -> set[str]:
    """The plugin ids of the installed nbgrader lab extension (read from its built code)."""
    static = Path(sys.prefix, "share/jupyter/labextensions/@jupyter/nbgrader/static")
    text = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in static.glob("*.js"))
    return set(re.findall(r"@jupyter/nbgrader:[a-z-]+", text))


@pytest.fixture(scope="module")
def installed(bundle, tmp_path_factory):
    """The bundle's lab settings placed below a prefix the way its pyproject's data-files
    say ``pip install .`` places them; returns that prefix."""
    student = tomllib.loads(bundle["crm-course/pyproject.toml"].decode())
    prefix = tmp_path_factory.mktemp("prefix")
    for target, files in student["tool"]["setuptools"]["data-files"].items():
        (prefix / target).mkdir(parents=True, exist_ok=True)
        for name in files:
            (prefix / target / Path(name).name).write_bytes(bundle[f"crm-course/{name}"])
    return prefix


def news_default(app_settings_dir: Path) -> str:
    from jupyterlab_server.settings_utils import get_settings

    schemas = Path(sys.prefix, "share/jupyter/lab/schemas")
    with tempfile.TemporaryDirectory() as user:
        settings, _ = get_settings(str(app_settings_dir), str(schemas), user, schema_name=NEWS)
    return settings["schema"]["properties"]["fetchNews"]["default"]


def test_the_bundle_installs_the_lab_settings_with_the_course(bundle):
    student = tomllib.loads(bundle["crm-course/pyproject.toml"].decode())
    assert set(student["tool"]["setuptools"]["data-files"]) == set(LAB_SETTINGS.values())
    # setuptools leaves data-files out of an editable install
    assert "\n    .venv/bin/pip install .\n" in bundle["crm-course/README.md"].decode()
    assert "- ." in bundle["crm-course/environment.yml"].decode().splitlines()[-1]


@pytest.mark.filterwarnings("ignore:Support for `\\[tool.setuptools\\]`")
def test_setuptools_finds_every_lab_file_the_student_pyproject_names(bundle, tmp_path,
                                                                      monkeypatch):
    from setuptools.config.pyprojecttoml import read_configuration

    for name, content in bundle.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    pyproject = tmp_path / "crm-course/pyproject.toml"
    monkeypatch.chdir(pyproject.parent)  # setuptools globs from the current folder, as pip runs it
    declared = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["data-files"]
    expanded = read_configuration(pyproject)["tool"]["setuptools"]["data-files"]
    assert all(declared[target] for target in declared)
    assert {t: sorted(f) for t, f in expanded} == declared  # each glob found its file


def test_students_lab_disables_exactly_the_instructor_tools(installed):
    plugins = nbgrader_plugins()
    assert INSTRUCTOR_TOOLS | STUDENT_TOOLS <= plugins, "nbgrader renamed its plugins"
    page = json.loads((installed / "etc/jupyter/labconfig/page_config.json").read_text())
    assert {k for k, off in page["disabledExtensions"].items() if off} == INSTRUCTOR_TOOLS


def test_students_server_has_validate_and_assignment_list_but_no_formgrader(installed):
    from jupyter_server.extension.config import ExtensionConfigManager

    # nbgrader's own enabling file beside ours, as pip leaves them in sys.prefix
    folder = installed / "etc/jupyter/jupyter_server_config.d"
    shutil.copy2(Path(sys.prefix, "etc/jupyter/jupyter_server_config.d/nbgrader.json"), folder)
    enabled = ExtensionConfigManager(
        read_config_path=[str(installed / "etc/jupyter")]).get_jpserver_extensions()
    (folder / "nbgrader.json").unlink()
    assert enabled["nbgrader.server_extensions.validate_assignment"] is True
    assert enabled["nbgrader.server_extensions.assignment_list"] is True
    assert enabled["nbgrader.server_extensions.formgrader"] is False
    assert enabled["nbgrader.server_extensions.course_list"] is False


@pytest.mark.slow
def test_jupyter_labextension_list_shows_the_instructor_tools_disabled(installed, tmp_path):
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(installed / "etc/jupyter"),
           "JUPYTER_CONFIG_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "jupyterlab.labextensions", "list"], env=env,
                         capture_output=True, text=True, check=True)
    listed = out.stdout + out.stderr
    disabled = set(re.findall(r"^\s+(@jupyter/nbgrader:[a-z-]+)\s*$",
                              listed.split("Disabled extensions:")[-1], re.MULTILINE))
    assert disabled == INSTRUCTOR_TOOLS


def test_no_news_pop_up_for_students_or_instructors(installed, root):
    assert news_default(installed / "share/jupyter/lab/settings") == "false"
    assert news_default(root / "lab/settings") == "false"
    assert news_default(Path(sys.prefix, "share/jupyter/lab/settings")) == "none"  # stock: asks


def test_make_lab_uses_the_course_settings_and_keeps_every_nbgrader_tool(root):
    lab_target = (root / "Makefile").read_text().split("\nlab:")[1].split("\n\n")[0]
    assert "--LabApp.app_settings_dir=$(CURDIR)/lab/settings" in lab_target
    assert not list((root / "lab/settings").glob("page_config.json*"))
