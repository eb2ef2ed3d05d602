"""Finding, reading and sanitising one submission, with a reason for whatever goes wrong.

Sanitising is nbgrader's own first autograde pass (ClearOutput, DeduplicateIds,
OverwriteKernelspec, OverwriteCells, CheckCellMetadata), with one change of
default: deleted test cells are restored (``OverwriteCells.add_missing_cells``)
so they are run and scored instead of silently left ungraded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    OverwriteCells,
    OverwriteKernelspec,
)
from traitlets.config import Config

__all__ = ["Located", "locate_notebook", "sha256_of", "sanitize", "Unreadable", "student_ids",
           "released_test_cells"]


class Unreadable(Exception):
    """A submission that cannot be graded; the message is the reason shown to instructors."""


@dataclass
class Located:
    """The notebook to grade in a submission folder (``path`` None if there is none)."""

    path: Path | None
    notes: list[str] = field(default_factory=list)
    reason: str = ""


def student_ids(submitted: Path, chapter: str) -> list[str]:
    """Students with a ``<submitted>/<student>/<chapter>/`` folder, sorted."""
    submitted = Path(submitted)
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / chapter).is_dir())


def locate_notebook(folder: Path, notebook_id: str) -> Located:
    """Find ``<notebook_id>.ipynb`` in a submission folder, or the one notebook standing in for it.

    A student who submits ``06_rfm (1).ipynb`` or ``Copy of 06_rfm.ipynb`` meant
    the chapter notebook: when exactly one notebook is there, it is graded, with
    a note. Checkpoints are never graded.
    """
    folder = Path(folder)
    expected = folder / f"{notebook_id}.ipynb"
    if expected.is_file():
        return Located(expected)
    candidates = sorted(p for p in folder.rglob("*.ipynb")
                        if ".ipynb_checkpoints" not in p.parts and p.is_file())
    if len(candidates) == 1:
        found = candidates[0]
        return Located(found, [f"graded {found.relative_to(folder)} as {expected.name} "
                               "(the notebook was renamed)"])
    if not candidates:
        return Located(None, reason=f"no notebook submitted ({expected.name} not found)")
    names = ", ".join(str(p.relative_to(folder)) for p in candidates)
    return Located(None, reason=f"{expected.name} not found and several notebooks submitted "
                                f"({names}): rename the right one to {expected.name}")


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (identifies a submission for resuming)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _grade_cells(nb) -> dict[str, str]:
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if utils.is_grade(c) and not utils.is_solution(c)}


def released_test_cells(release_notebook: Path) -> dict[str, str]:
    """grade_id → source of each autograded test cell as students received it."""
    path = Path(release_notebook)
    return dict(_released(str(path), path.stat().st_mtime_ns))


@lru_cache(maxsize=4)
def _released(path: str, mtime_ns: int) -> tuple:
    return tuple(_grade_cells(nbformat.read(path, as_version=4)).items())


def _drop_empty_nbgrader_metadata(nb) -> None:
    # DeduplicateIds leaves ``nbgrader: {}`` on a duplicate; OverwriteCells with
    # add_missing_cells then fails on its missing grade_id (nbgrader 0.9.6). An
    # empty dict and no dict mean the same: an ordinary cell.
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", None) == {}:
            del cell.metadata["nbgrader"]


def sanitize(path: Path, resources: dict, config: Config,
             released: dict[str, str] | None = None) -> tuple[nbformat.NotebookNode, list[str]]:
    """Read and sanitise a submitted notebook as nbgrader's autograde does.

    ``resources`` is nbgrader's: ``{"nbgrader": {"notebook", "assignment",
    "student", "db_url"}}``; ``released``: the test cells students received
    (:func:`released_test_cells`), to tell which ones were edited. Returns the
    notebook and notes on what was repaired; raises :class:`Unreadable` with
    the reason when it cannot be graded.
    """
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # JSON errors, wrong nbformat, bad encoding: all mean one thing
        detail = " ".join(str(exc).split())[:160]
        raise Unreadable(f"not a readable notebook ({type(exc).__name__}: {detail})") from None
    if not isinstance(nb.get("cells"), list):
        raise Unreadable("not a readable notebook (it has no list of cells)")
    notes = []
    ids = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells]
    duplicated = sorted({i for i in ids if i and ids.count(i) > 1})
    if duplicated:
        notes.append(f"duplicated cells {duplicated}: the last copy of each is graded")
    before = _grade_cells(nb)
    cfg = Config(config)
    cfg.OverwriteCells.add_missing_cells = True
    try:
        for pp in (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
                   CheckCellMetadata):
            nb, resources = pp(config=cfg)(nb, resources)
            if pp is DeduplicateIds:
                _drop_empty_nbgrader_metadata(nb)
    except Exception as exc:
        detail = " ".join(str(exc).split())[:160]
        raise Unreadable(f"nbgrader could not check its cells ({type(exc).__name__}: "
                         f"{detail})") from None
    after = _grade_cells(nb)
    restored = sorted(set(after) - set(before))
    edited = sorted(k for k in before if released and k in released and before[k] != released[k])
    if restored:
        notes.append(f"deleted test cells restored and run: {restored}")
    if edited:
        notes.append(f"edited test cells reset to the original: {edited}")
    return nb, notes
