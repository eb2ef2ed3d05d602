"""The course's nbgrader configuration, read the way the ``nbgrader`` command reads it."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from grader.course import COURSE_ROOT

__all__ = ["load_config", "course_directory"]


@lru_cache(maxsize=8)
def _load(root: str) -> Config:
    path = Path(root) / "nbgrader_config.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: is {root} a course root?")
    cfg = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    # Tests and benchmarks grade copies of the course: the copy is the root,
    # whatever the config file computed.
    cfg.CourseDirectory.root = str(Path(root).resolve())
    return cfg


def load_config(root: Path = COURSE_ROOT, **overrides) -> Config:
    """nbgrader_config.py of the course at ``root`` (a copy), merged with ``overrides``.

    ``overrides`` are ``{"Section": {"trait": value}}``, e.g. ``{"Execute": {"timeout": 10}}``.
    """
    # A deep copy: Config(...) copies only the top level, and merge() writes into the
    # sections, which would then be the cached ones (one call's timeout in every later call).
    cfg = copy.deepcopy(_load(str(Path(root).resolve())))
    cfg.merge(Config(overrides))
    return cfg


def course_directory(root: Path = COURSE_ROOT, config: Config | None = None) -> CourseDirectory:
    """nbgrader's CourseDirectory (paths, ``db_url``, ``course_id``) of the course at ``root``."""
    return CourseDirectory(config=config if config is not None else load_config(root))
