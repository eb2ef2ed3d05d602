"""Instructors' command line: ``python -m grader COMMAND`` (or ``crm-grader``).

Commands:
  release [CHAPTER ...]   regenerate chapters/ from solutions/ with nbgrader
  bundle [ZIP]            build the student bundle (default dist/crm-course-student.zip)
  grade CHAPTER           autograde every submission in parallel into nbgrader's gradebook
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.course import COURSE_ROOT


def _add_root(p) -> None:
    p.add_argument("--root", default=str(COURSE_ROOT),
                   help="course root, where nbgrader_config.py is (default: this checkout)")


def _release(args) -> int:
    from grader.release import release

    for path in release(args.chapters or None):
        print(f"released {path.relative_to(COURSE_ROOT)}")
    return 0


def _bundle(args) -> int:
    from grader.bundle import build_bundle

    path = build_bundle(Path(args.zip))
    print(f"student bundle written to {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


def _grade(args) -> int:
    import warnings

    from grader.autograde import format_summary, grade
    from grader.autograde.limits import parse_bytes

    # nbgrader's gradebook code triggers SQLAlchemy 2 warnings that say nothing to instructors.
    warnings.filterwarnings("ignore", module="nbgrader.api")
    run = grade(args.chapter, root=Path(args.root), students=args.student or None,
                workers=args.workers, force=args.force, timeout_seconds=args.timeout,
                memory_limit_bytes=parse_bytes(args.memory_limit), kernels=args.kernels,
                progress=not args.quiet)
    print(format_summary(run))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="regenerate chapters/ from solutions/")
    p.add_argument("chapters", nargs="*", help="chapter folders, e.g. 06_rfm (default: all)")
    p.set_defaults(func=_release)
    p = sub.add_parser("bundle", help="build the student bundle zip")
    p.add_argument("zip", nargs="?", default=str(COURSE_ROOT / "dist" / "crm-course-student.zip"))
    p.set_defaults(func=_bundle)
    p = sub.add_parser("grade", help="autograde a chapter for the class, in parallel")
    p.add_argument("chapter", help="chapter folder, e.g. 06_rfm")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument("-j", "--workers", type=int, default=None,
                   help="kernels run in parallel (default: CPU cores)")
    p.add_argument("--force", action="store_true",
                   help="regrade submissions already graded and unchanged")
    p.add_argument("--timeout", type=int, default=None,
                   help="seconds per cell (default: c.Execute.timeout in nbgrader_config.py)")
    p.add_argument("--memory-limit", default="4G", help="address space per kernel (0 = none)")
    p.add_argument("--kernels", choices=["prewarmed", "fresh"], default="prewarmed",
                   help="fork each fresh kernel from a pre-imported template, or start it cold")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _add_root(p)
    p.set_defaults(func=_grade)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
