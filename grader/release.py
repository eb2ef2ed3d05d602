"""Regenerate ``chapters/`` from ``solutions/`` with nbgrader generate_assignment."""

from __future__ import annotations

from pathlib import Path

from grader.course import COURSE_ROOT, chapter_names, run_nbgrader

__all__ = ["release"]


def release(chapters: list[str] | None = None, root: Path = COURSE_ROOT) -> list[Path]:
    """Generate the student version of each chapter (all, every edition, by default);
    returns the notebooks."""
    root = Path(root)
    known = chapter_names(root, editions=True)
    names = chapters or known
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f"no such chapter(s) in solutions/: {unknown}; known: {known}")
    written = []
    for name in names:
        run_nbgrader(
            "generate_assignment", name, "--force", "--log-level=WARN", root=root, capture=True
        )
        written.append(root / "chapters" / name / f"{name}.ipynb")
    return written
