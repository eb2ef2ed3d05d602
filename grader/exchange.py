"""Chapters out, submissions in, feedback back, through nbgrader's exchange (a course hub).

On a JupyterHub (hub/), students fetch and submit in their own servers' Assignments tab;
the exchange is the folder between them and the instructors. These functions run
nbgrader's own commands on it from the course root; nothing here moves files itself
except the two small files nbgrader's ``release_feedback`` needs beside each feedback page:

- :func:`release_to_exchange`: ``nbgrader release_assignment`` (chapters/ → outbound/);
- :func:`collect_from_exchange`: ``nbgrader collect --update`` (inbound/ → submitted/, the
  latest submission per student), after which ``grade``, ``export``, ``report`` and
  ``similarity`` work as on any other source;
- :func:`release_feedback_to_exchange`: ``nbgrader release_feedback`` (feedback/ → feedback/
  in the exchange, where each student can fetch only their own: the files are named by a
  hash of the submission's secret).

The exchange is, in order: the ``root`` given, ``CRM_EXCHANGE_ROOT``, ``c.Exchange.root``
in nbgrader_config.py, nbgrader's default ``/srv/nbgrader/exchange``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader.autograde.config import course_directory, load_config
from grader.course import COURSE_ROOT, run_nbgrader

__all__ = ["exchange_root", "release_to_exchange", "collect_from_exchange",
           "release_feedback_to_exchange"]

NBGRADER_DEFAULT_ROOT = "/srv/nbgrader/exchange"
# What release_feedback reads beside each student's feedback page (nbgrader 0.9).
_FEEDBACK_COMPANIONS = ("timestamp.txt", "submission_secret.txt")


def exchange_root(root: Path = COURSE_ROOT, exchange: str | Path | None = None) -> Path:
    """The exchange folder to use (see the module doc for the order)."""
    configured = load_config(root).get("Exchange", {}).get("root")
    chosen = exchange or os.environ.get("CRM_EXCHANGE_ROOT") or configured
    return Path(chosen or NBGRADER_DEFAULT_ROOT)


def _nbgrader(command: str, chapter: str, root: Path, exchange, *extra: str) -> str:
    course_id = course_directory(root).course_id
    if not course_id:
        raise ValueError("the exchange needs c.CourseDirectory.course_id in nbgrader_config.py")
    result = run_nbgrader(command, chapter, f"--Exchange.root={exchange_root(root, exchange)}",
                          f"--CourseDirectory.course_id={course_id}", *extra,
                          root=root, capture=True)
    return result.stderr


def release_to_exchange(chapter: str, *, root: Path = COURSE_ROOT,
                        exchange: str | Path | None = None) -> Path:
    """Publish ``chapters/<chapter>`` to the exchange (replacing an earlier release).

    Returns the folder students fetch from.
    """
    root = Path(root).resolve()
    if not (root / "chapters" / chapter).is_dir():
        raise FileNotFoundError(f"chapters/{chapter} does not exist: run `release {chapter}`")
    _nbgrader("release_assignment", chapter, root, exchange, "--force")
    course_id = course_directory(root).course_id
    return exchange_root(root, exchange) / course_id / "outbound" / chapter


def collect_from_exchange(chapter: str, *, root: Path = COURSE_ROOT,
                          exchange: str | Path | None = None) -> dict[str, Path]:
    """Copy each student's latest submission into ``submitted/<student>/<chapter>/``.

    Returns student → submitted notebook, for every student with a submission there.
    A newer submission replaces an older one (``--update``); grading afterwards
    regrades only what changed.
    """
    root = Path(root).resolve()
    _nbgrader("collect", chapter, root, exchange, "--update")
    coursedir = course_directory(root)
    submitted = Path(coursedir.root) / coursedir.submitted_directory
    return {p.parent.parent.name: p for p in sorted(submitted.glob(f"*/{chapter}/{chapter}.ipynb"))
            if (p.parent / "timestamp.txt").is_file()}


def release_feedback_to_exchange(chapter: str, *, root: Path = COURSE_ROOT,
                                 exchange: str | Path | None = None,
                                 students: list[str] | None = None) -> list[str]:
    """Release ``feedback/<student>/<chapter>/*.html`` to the exchange; returns the students.

    Only feedback for submissions that came through the exchange can be released: the
    submission's secret and timestamp (copied here from ``submitted/``) name the file that
    the student, and only that student, can fetch.
    """
    root = Path(root).resolve()
    coursedir = course_directory(root)
    feedback = Path(coursedir.root) / coursedir.feedback_directory
    submitted = Path(coursedir.root) / coursedir.submitted_directory
    released = []
    for folder in sorted(feedback.glob(f"*/{chapter}")):
        student = folder.parent.name
        source = submitted / student / chapter
        if (students and student not in students) or not list(folder.glob("*.html")):
            continue
        if not all((source / name).is_file() for name in _FEEDBACK_COMPANIONS):
            continue  # collected from a folder or a zip: there is no one to release it to
        for name in _FEEDBACK_COMPANIONS:
            shutil.copyfile(source / name, folder / name)
        released.append(student)
    if released:
        exclude = sorted({p.parent.name for p in feedback.glob(f"*/{chapter}")} - set(released))
        extra = [f"--CourseDirectory.student_id_exclude={','.join(exclude)}"] if exclude else []
        _nbgrader("release_feedback", chapter, root, exchange, *extra)
    return released
