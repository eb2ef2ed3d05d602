"""Where the course lives and how to run nbgrader on it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["COURSE_ROOT", "chapter_names", "nbgrader_env", "run_nbgrader"]

COURSE_ROOT = Path(__file__).resolve().parent.parent


def chapter_names(root: Path = COURSE_ROOT) -> list[str]:
    """Chapter folders in ``solutions/`` (``NN_topic``), in course order."""
    return sorted(
        p.name
        for p in (Path(root) / "solutions").iterdir()
        if p.is_dir() and p.name[:2].isdigit() and (p / f"{p.name}.ipynb").is_file()
    )


def nbgrader_env() -> dict[str, str]:
    """The environment nbgrader needs: this interpreter's bin/ first on PATH.

    nbgrader runs the ``alembic`` command by name to set up the gradebook, so
    it must find the one installed beside it.
    """
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def run_nbgrader(
    *args: str, root: Path = COURSE_ROOT, check: bool = True, capture: bool = False
) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in the course root (where nbgrader_config.py is)."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    result = subprocess.run(cmd, cwd=root, env=nbgrader_env(), text=True, capture_output=capture)
    if check and result.returncode != 0:
        detail = (result.stderr or "")[-3000:] if capture else ""
        raise RuntimeError(
            f"nbgrader {' '.join(args)} failed (exit {result.returncode}).\n{detail}"
        )
    return result
