"""Collect submissions from a folder or an LMS zip into nbgrader's ``submitted/`` layout.

Where a notebook belongs is decided, in order, by:

1. a regular expression on the file name with a ``student_id`` group (and
   optionally ``timestamp``) — the one given, else nbgrader's
   ``c.FileNameCollector.named_regexp`` from nbgrader_config.py (the
   ``zip_collect`` convention), else the built-in LMS patterns below;
2. the first folder under the source: ``<source>/<student>/…/*.ipynb`` (one
   folder per student, as Moodle downloads and hand-made folders are).

Each student gets ``submitted/<student>/<chapter>/<chapter>.ipynb`` (plus
``timestamp.txt`` when the name carries one). A student with several
notebooks gets the one named ``<chapter>.ipynb``, else the latest by
timestamp, else none (reported). Files that could not be placed are
reported with the reason, never silently dropped.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader.autograde.config import course_directory, load_config
from grader.course import COURSE_ROOT

__all__ = ["collect", "Collected", "LMS_PATTERNS"]

#: Built-in file-name patterns of common LMS downloads.
LMS_PATTERNS = {
    # Blackboard: <assignment>_<user>_attempt_<yyyy-mm-dd-hh-mm-ss>_<file>
    "blackboard": r".*_(?P<student_id>[^_]+)_attempt_(?P<timestamp>[0-9\-]+)_(?P<file_id>.+)$",
    # Canvas: <lastfirst>[_LATE]_<canvas id>_<submission id>_<file>
    "canvas": r"^(?P<student_id>[a-z0-9]+)(?:_late|_LATE)?_\d+_\d+_(?P<file_id>.+)$",
}
# Moodle: one folder per student, "<Full Name>_<id>_assignsubmission_file_"
_MOODLE_FOLDER = re.compile(r"^.+_(?P<student_id>\d+)_assignsubmission_file_?$")
_VALID_ID = re.compile(r"^[\w.@-]+$")


@dataclass
class Collected:
    """``placed``: student → notebook written; ``unplaced``: (file, reason) not written."""

    placed: dict[str, Path] = field(default_factory=dict)
    unplaced: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Candidate:
    path: Path
    shown: str
    timestamp: str = ""


def _extract(source: Path, into: Path) -> Path:
    """Unzip ``source`` (and zips inside it, one level: some LMSs zip each student)."""
    with zipfile.ZipFile(source) as zf:
        zf.extractall(into)
    for inner in list(into.rglob("*.zip")):
        target = inner.with_suffix("")
        with zipfile.ZipFile(inner) as zf:
            zf.extractall(target)
        inner.unlink()
    return into


def _parse_timestamp(text: str) -> datetime | None:
    for fmt in ("%Y-%m-%d-%H-%M-%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d-%H-%M", "%Y%m%d%H%M%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _student_of(rel: Path, patterns: list[str]) -> tuple[str | None, str]:
    for pattern in patterns:
        match = re.match(pattern, rel.name)
        if match and match.groupdict().get("student_id"):
            return match.group("student_id"), match.groupdict().get("timestamp") or ""
    if len(rel.parts) > 1:
        folder = rel.parts[0]
        moodle = _MOODLE_FOLDER.match(folder)
        return (moodle.group("student_id") if moodle else folder), ""
    return None, ""


def collect(chapter: str, source: Path, *, root: Path = COURSE_ROOT,
            regexp: str | None = None, force: bool = False) -> Collected:
    """Place the notebooks in ``source`` (folder or .zip) under ``submitted/``; see module doc."""
    root = Path(root).resolve()
    cfg = load_config(root)
    coursedir = course_directory(root, cfg)
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist")
    configured = cfg.get("FileNameCollector", {}).get("named_regexp", "")
    patterns = [p for p in (regexp, configured) if p] + list(LMS_PATTERNS.values())
    result = Collected()
    with tempfile.TemporaryDirectory() as tmp:
        base = _extract(source, Path(tmp)) if source.suffix == ".zip" else source
        by_student: dict[str, list[_Candidate]] = {}
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(base)
            if not path.is_file() or {"__MACOSX", ".ipynb_checkpoints"} & set(rel.parts):
                continue
            if path.suffix != ".ipynb":
                result.unplaced.append((str(rel), "not a notebook"))
                continue
            student, stamp = _student_of(rel, patterns)
            if not student:
                result.unplaced.append((str(rel), "no student id in its name or folder"))
            elif not _VALID_ID.match(student):
                result.unplaced.append((str(rel), f"{student!r} is not a usable student id"))
            else:
                by_student.setdefault(student, []).append(_Candidate(path, str(rel), stamp))
        for student, candidates in sorted(by_student.items()):
            chosen = _choose(chapter, candidates, result)
            if chosen is not None:
                _place(coursedir, chapter, student, chosen, force, result)
    return result


def _choose(chapter: str, candidates: list[_Candidate], result: Collected) -> _Candidate | None:
    named = [c for c in candidates if c.path.name == f"{chapter}.ipynb"
             or c.path.name.endswith(f"_{chapter}.ipynb")]
    pool = named or candidates
    if len(pool) > 1 and all(_parse_timestamp(c.timestamp) for c in pool):
        pool = [max(pool, key=lambda c: _parse_timestamp(c.timestamp))]
    if len(pool) == 1:
        for other in candidates:
            if other is not pool[0]:
                result.unplaced.append((other.shown, f"another notebook ({pool[0].shown}) "
                                                     "was collected for this student"))
        return pool[0]
    for c in candidates:
        result.unplaced.append((c.shown, "several notebooks for one student and none named "
                                         f"{chapter}.ipynb: rename the right one"))
    return None


def _place(coursedir, chapter, student, chosen: _Candidate, force: bool, result: Collected):
    folder = Path(coursedir.format_path(coursedir.submitted_directory, student, chapter))
    target = folder / f"{chapter}.ipynb"
    if target.exists() and not force and target.read_bytes() != chosen.path.read_bytes():
        result.unplaced.append((chosen.shown, f"{target} exists and differs: use --force"))
        return
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(chosen.path, target)
    stamp = _parse_timestamp(chosen.timestamp)
    if stamp is not None:
        (folder / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S"))
    result.placed[student] = target
