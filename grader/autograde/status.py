"""What happened to each submission, beside nbgrader's gradebook.

The gradebook stores scores, not why a submission has them: a notebook nbgrader
could not read and an unanswered one both score 0. A small JSON record per
submission, ``autograded/<student>/<chapter>/.grading-status.json`` (a dot
file, so nbgrader never copies it into feedback), keeps the state and the
reasons, and lets an interrupted ``grade`` resume where it stopped.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

__all__ = ["SubmissionStatus", "STATUS_FILE", "read_status", "write_status",
           "GRADED", "UNGRADABLE", "MISSING"]

STATUS_FILE = ".grading-status.json"
GRADED, UNGRADABLE, MISSING = "graded", "ungradable", "missing"


@dataclass
class SubmissionStatus:
    """State of one student's submission of one chapter.

    ``state``: ``"graded"`` (scores in the gradebook are real), ``"ungradable"``
    (``reason`` says why; gradebook scores are 0 but mean nothing) or
    ``"missing"`` (no notebook submitted). ``notes``: what the grader repaired
    or left out (renamed file, restored test cells, cells that killed the
    kernel). ``score``/``max_score`` in points; ``manual_points``: points of
    cells still waiting for a grader (written answers, plots); ``seconds`` of execution.
    ``flags``: code of the student's that reaches into the grading, for an instructor to
    read (:mod:`grader.autograde.tamper`); a flag never changes a score.
    """

    student: str
    chapter: str
    state: str
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    skipped_cells: dict[str, str] = field(default_factory=dict)
    submission_sha256: str = ""
    score: float | None = None
    max_score: float | None = None
    seconds: float | None = None
    manual_points: float | None = None
    flags: list[str] = field(default_factory=list)  # absent from records written before flags

    @property
    def label(self) -> str:
        """``graded``, or ``ungradable: <reason>`` / ``missing: <reason>``."""
        return self.state if self.state == GRADED else f"{self.state}: {self.reason}"

    @property
    def review(self) -> list[str]:
        """One ``flagged for review: <what, which cell>`` per flag (none: an empty list)."""
        return [f"flagged for review: {flag}" for flag in self.flags]


def _path(folder: Path) -> Path:
    return Path(folder) / STATUS_FILE


def read_status(folder: Path) -> SubmissionStatus | None:
    """The record in an autograded submission folder, or None if there is none (or it is broken)."""
    try:
        record = json.loads(_path(folder).read_text(encoding="utf-8"))
        known = {f.name for f in fields(SubmissionStatus)}
        # A field a newer grader added is left out, not a reason to lose the record.
        return SubmissionStatus(**{k: v for k, v in record.items() if k in known})
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def write_status(folder: Path, status: SubmissionStatus) -> None:
    """Write the record atomically (a killed run never leaves half a file)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (STATUS_FILE + ".tmp")
    tmp.write_text(json.dumps(asdict(status), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, _path(folder))
