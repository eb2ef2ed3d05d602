"""Shared fixtures: the course root, nbgrader's PATH, temporary course copies."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# nbgrader runs `alembic` by name: the environment's bin/ must be on PATH.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

COURSE_FILES = ("nbgrader_config.py", "solutions", "chapters", "datasets")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def copy_course(target: Path) -> Path:
    """Copy what nbgrader needs of the course (not .git, .venv or instructor state)."""
    target.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    for name in COURSE_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=ignore)
        else:
            shutil.copy2(src, target / name)
    return target


@pytest.fixture
def course_copy(tmp_path) -> Path:
    return copy_course(tmp_path / "course")


def pytest_generate_tests(metafunc):
    """A chapter's autograder tests take ``style`` and ``mistake`` from its own tables."""
    from autograder_contract import parametrize_contract

    parametrize_contract(metafunc)


@pytest.fixture(autouse=True)
def _messages_in_english(monkeypatch):
    """Every test starts and ends with crm_lab's messages in English.

    Running a Chinese edition in this process (tests/harness.py, the sample class) switches
    the language, as its set-up cell does in a kernel; without this the tests that match
    English messages and run after it on the same worker would fail, depending on order.
    """
    import crm_lab

    monkeypatch.delenv("CRM_LAB_LANGUAGE", raising=False)
    crm_lab.set_language("en")
    yield
    crm_lab.set_language("en")
