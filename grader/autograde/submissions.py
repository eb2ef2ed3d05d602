"""Finding, reading and sanitising one submission, with a reason for whatever goes wrong.

Sanitising is nbgrader's own first autograde pass (ClearOutput, DeduplicateIds,
OverwriteKernelspec, OverwriteCells, CheckCellMetadata), with one change of
default: deleted test cells and read-only cells are restored at their places
(:class:`RestoringOverwriteCells`, our version of ``OverwriteCells.add_missing_cells``)
so they are run and scored instead of silently left ungraded, and one change of
speed: :class:`CheckCellMetadataOnce` validates exactly as CheckCellMetadata does
but checks nbgrader's (constant) JSON schema once per process instead of once per
cell (``jsonschema.validate`` re-checks the schema on every call: 75 ms of a
40-cell notebook, paid twice per submission).
"""

from __future__ import annotations

import hashlib
import json
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import nbformat
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    OverwriteCells,
    OverwriteKernelspec,
)
from traitlets.config import Config

__all__ = ["Located", "locate_notebook", "sha256_of", "sanitize", "Unreadable", "student_ids",
           "Release", "read_release", "CheckCellMetadataOnce", "RestoringOverwriteCells",
           "SourceCells"]


class _SchemaCheckedOnce(BaseMetadataValidator):
    """The JSON-schema step of nbgrader's cell validation, with a validator built once."""

    _validators: dict = {}

    def validate_cell(self, cell) -> None:
        meta = cell.metadata.get("nbgrader")
        if meta is None or meta.get("schema_version", 0) != self.schema_version:
            return super().validate_cell(cell)  # nbgrader's own errors for other versions
        validator = self._validators.get(self.schema_version)
        if validator is None:
            cls = jsonschema.validators.validator_for(self.schema)
            cls.check_schema(self.schema)
            validator = self._validators[self.schema_version] = cls(self.schema)
        # What jsonschema.validate does after checking the schema.
        error = jsonschema.exceptions.best_match(validator.iter_errors(meta))
        if error is not None:
            raise error


class _MetadataValidatorOnce(MetadataValidator, _SchemaCheckedOnce):
    """nbgrader's current MetadataValidator, whose base check is :class:`_SchemaCheckedOnce`."""


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's CheckCellMetadata (same checks, same errors), the schema checked once."""

    def preprocess(self, nb, resources):
        try:
            _MetadataValidatorOnce().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources


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


@dataclass(frozen=True)
class Release:
    """What students received: the nbgrader cells in order, and the autograded test cells."""

    #: grade_id of every cell with nbgrader metadata, in the notebook's order
    order: tuple[str, ...] = ()
    #: grade_id → source of each autograded test cell
    tests: dict[str, str] = field(default_factory=dict)


def read_release(release_notebook: Path) -> Release:
    """The released notebook's cell order and test cells (read once while the file is unchanged)."""
    path = Path(release_notebook)
    return _released(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _released(path: str, mtime_ns: int) -> Release:
    nb = nbformat.read(path, as_version=4)
    order = tuple(c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade_id"))
    return Release(order, _grade_cells(nb))


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


@dataclass(frozen=True)
class SourceCells:
    """What the gradebook records of one released notebook, read once per grading run.

    Answers the few Gradebook questions OverwriteCells and OverwriteKernelspec ask
    (``find_source_cell``, ``find_graded_cell``, ``find_notebook``) from memory, with
    the same values and the same ``MissingEntry`` for a cell the release does not have.
    The gradebook's source cells do not change while a chapter is graded: only
    ``generate_assignment`` writes them.
    """

    cells: dict  # name -> SimpleNamespace(name, cell_type, locked, checksum, source)
    max_scores: dict  # graded cell name -> points
    solutions: frozenset
    tasks: frozenset
    kernelspec: str | None

    @classmethod
    def read(cls, db_url: str, assignment: str, notebook: str) -> SourceCells:
        """Raises ``MissingEntry`` when the chapter was never released into this gradebook."""
        with Gradebook(db_url) as gb:
            nb = gb.find_notebook(notebook, assignment)
            cells = {c.name: SimpleNamespace(name=c.name, cell_type=c.cell_type,
                                             locked=c.locked, checksum=c.checksum,
                                             source=c.source)
                     for c in nb.source_cells}
            graded = {c.name: c.max_score for c in nb.grade_cells}
            graded.update({c.name: c.max_score for c in nb.task_cells})
            return cls(cells, graded, frozenset(c.name for c in nb.solution_cells),
                       frozenset(c.name for c in nb.task_cells), nb.kernelspec)

    # The Gradebook methods the sanitising preprocessors call.
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def find_source_cell(self, name, notebook=None, assignment=None):
        if name not in self.cells:
            raise MissingEntry()
        return self.cells[name]

    def find_graded_cell(self, name, notebook=None, assignment=None):
        if name not in self.max_scores:
            raise MissingEntry()
        return SimpleNamespace(name=name, max_score=self.max_scores[name])

    def find_notebook(self, notebook=None, assignment=None):
        def rows(names):
            return [SimpleNamespace(name=n, max_score=self.max_scores.get(n)) for n in names]

        graded = [n for n in self.cells if n in self.max_scores and n not in self.tasks]
        return SimpleNamespace(source_cells=list(self.cells.values()),
                               grade_cells=rows(graded), task_cells=rows(
                                   n for n in self.cells if n in self.tasks),
                               solution_cells=rows(n for n in self.cells if n in self.solutions),
                               kernelspec=self.kernelspec)


class _KernelspecFromSource(OverwriteKernelspec):
    """OverwriteKernelspec reading the released kernelspec from :class:`SourceCells`."""

    def __init__(self, source: SourceCells, **kw):
        super().__init__(**kw)
        self.source = source

    def preprocess(self, nb, resources):
        if self.source.kernelspec is not None:
            nb.metadata["kernelspec"] = json.loads(self.source.kernelspec)
        return nb, resources


class RestoringOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells, restoring every deleted test or read-only cell at its place.

    nbgrader 0.9's ``add_missing_cells`` (PR #1770) puts a missing grade cell after
    the cell that precedes it in the source, looked up among the submission's grade
    and solution cells only. When that neighbour is a read-only cell (the usual case:
    a locked set-up or instruction cell before the first test) the look-up raises
    ``KeyError`` and the whole submission fails; its index shift (one per cell added,
    wherever it was added) also misplaces a second missing cell, deleted read-only
    cells are not restored at all, and the order comes from the gradebook's source
    cells, which the database does not keep in notebook order. Here the order is
    the released notebook's (``release_order``): each missing cell goes just before
    the next released cell still present (after any cells the student added there),
    or at the end. Contents come from the gradebook, as nbgrader's do.
    """

    def __init__(self, release_order=(), source: SourceCells | None = None, **kw):
        super().__init__(**kw)
        self.release_order = tuple(release_order)
        self.source = source
        self.restored: list[str] = []

    def preprocess(self, nb, resources):
        if self.source is None:  # nbgrader's way: the gradebook, cell by cell
            return super().preprocess(nb, resources)
        # OverwriteCells.preprocess with the gradebook's answers from memory.
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = self.source
        nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        sources = {c.name: c for c in source_nb.source_cells}
        graded = {c.name: c for c in source_nb.grade_cells}
        solutions = {c.name for c in source_nb.solution_cells}
        tasks = {c.name for c in source_nb.task_cells}  # nbgrader's own step appends them
        # Released order first; cells the release file lacks (edited since) keep the gradebook's.
        order = [g for g in self.release_order if g in sources]
        order += [g for g in sources if g not in order]
        present = {_grade_id(c) for c in nb.cells}
        wanted = [g for g in order if g not in present and g not in tasks
                  and (g in graded or sources[g].locked)]
        for name in wanted:
            if name in graded:
                cell = self.missing_cell_transform(sources[name], graded[name].max_score,
                                                   is_solution=name in solutions)
            else:
                cell = self._missing_locked_cell(sources[name])
            later = set(order[order.index(name) + 1:])
            at = next((i for i, c in enumerate(nb.cells) if _grade_id(c) in later), len(nb.cells))
            nb.cells.insert(at, cell)
            self.restored.append(name)
        return nb, resources

    def _missing_locked_cell(self, source_cell):
        """A read-only (locked, ungraded) cell as released, with nbgrader's notification."""
        note = self.missing_cell_notification.format(cell_id=source_cell.name)
        cell = {"cell_type": source_cell.cell_type,
                "metadata": {"deletable": False, "editable": False,
                             "nbgrader": {"grade": False, "solution": False, "locked": True,
                                          "grade_id": source_cell.name,
                                          "checksum": source_cell.checksum}},
                "source": note + source_cell.source}
        if cell["cell_type"] == "code":  # the notification as a comment, as nbgrader's own
            cell.update(execution_count=None, outputs=[], source="# " + cell["source"])
        return MetadataValidator().upgrade_cell_metadata(nbformat.from_dict(cell))


def _drop_empty_nbgrader_metadata(nb) -> None:
    # DeduplicateIds leaves ``nbgrader: {}`` on a duplicate; OverwriteCells with
    # add_missing_cells then fails on its missing grade_id (nbgrader 0.9.6). An
    # empty dict and no dict mean the same: an ordinary cell.
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", None) == {}:
            del cell.metadata["nbgrader"]


def sanitize(path: Path, resources: dict, config: Config, release: Release | None = None,
             source: SourceCells | None = None) -> tuple[nbformat.NotebookNode, list[str]]:
    """Read and sanitise a submitted notebook as nbgrader's autograde does.

    ``resources`` is nbgrader's: ``{"nbgrader": {"notebook", "assignment",
    "student", "db_url"}}``; ``release``: what students received
    (:func:`read_release`), to put deleted cells back at their places and to
    tell which test cells were edited; ``source``: the gradebook's record of the
    release (:meth:`SourceCells.read`), else it is asked cell by cell. Returns the
    notebook and notes on what was repaired; raises :class:`Unreadable` with the reason
    when it cannot be graded.
    """
    release = release or Release()
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
    overwrite = RestoringOverwriteCells(release_order=release.order, source=source, config=cfg)
    kernelspec = (OverwriteKernelspec(config=cfg) if source is None
                  else _KernelspecFromSource(source, config=cfg))
    try:
        for pp in (ClearOutput(config=cfg), DeduplicateIds(config=cfg),
                   kernelspec, overwrite, CheckCellMetadataOnce(config=cfg)):
            nb, resources = pp(nb, resources)
            if isinstance(pp, DeduplicateIds):
                _drop_empty_nbgrader_metadata(nb)
    except Exception as exc:
        detail = " ".join(str(exc).split())[:160]
        raise Unreadable(f"nbgrader could not check its cells ({type(exc).__name__}: "
                         f"{detail})") from None
    after = _grade_cells(nb)
    tests = [g for g in overwrite.restored if g in after]
    others = [g for g in overwrite.restored if g not in after]
    edited = sorted(k for k in before if k in release.tests and before[k] != release.tests[k])
    if tests:
        notes.append(f"deleted test cells restored and run: {tests}")
    if others:
        notes.append(f"deleted read-only cells restored: {others}")
    if edited:
        notes.append(f"edited test cells reset to the original: {edited}")
    return nb, notes
