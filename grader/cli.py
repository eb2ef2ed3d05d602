"""Instructors' command line: ``python -m grader COMMAND`` (or ``crm-grader``).

Commands:
  release [CHAPTER ...]   regenerate chapters/ from solutions/ with nbgrader
  bundle [ZIP]            build the student bundle (default dist/crm-course-student.zip)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.course import COURSE_ROOT


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
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
