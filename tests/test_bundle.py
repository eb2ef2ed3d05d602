"""The student bundle holds what students need and nothing instructors keep."""

import zipfile

import pytest

from grader.bundle import build_bundle

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
    import tomllib

    student = tomllib.loads(bundle["crm-course/pyproject.toml"].decode())
    course = tomllib.loads((root / "pyproject.toml").read_text())
    assert student["tool"]["setuptools"]["packages"]["find"]["include"] == ["crm_lab*"]
    assert student["project"]["dependencies"] == course["project"]["dependencies"]
