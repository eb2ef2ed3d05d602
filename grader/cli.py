"""Instructors' command line: ``python -m grader COMMAND`` (or ``crm-grader``).

Commands:
  release [CHAPTER ...]   regenerate chapters/ from solutions/ with nbgrader
                          (--exchange: and publish them to nbgrader's exchange, on a hub)
  bundle [ZIP]            build the student bundle (default dist/crm-course-student.zip)
  collect CHAPTER SOURCE  put a folder or LMS zip of submissions into submitted/
                          (--exchange instead of SOURCE: the submissions made on the hub)
  grade CHAPTER           autograde every submission in parallel into nbgrader's gradebook
                          (every edition of the chapter: 06_rfm and 06_rfm_zh)
  feedback CHAPTER        HTML feedback per student, without hidden tests
                          (--exchange: and release it to the students through the exchange)
  export [CSV]            grades: one row per student, columns per chapter and question
  report CHAPTER          item analysis for the instructor (one HTML file with plots)
  similarity CHAPTER      pairs of students with suspiciously alike answers
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.course import COURSE_ROOT


def _command(sub, name: str, func, text: str, chapter: bool = True):
    """A sub-command with the options every grading command shares."""
    p = sub.add_parser(name, help=text)
    if chapter:
        p.add_argument("chapter", help="chapter folder, e.g. 06_rfm")
    p.add_argument("--root", default=str(COURSE_ROOT),
                   help="course root, where nbgrader_config.py is (default: this checkout)")
    p.set_defaults(func=func)
    return p


def _exchange_option(p, text: str) -> None:
    """``--exchange [DIR]``: DIR, else CRM_EXCHANGE_ROOT, else c.Exchange.root (grader/exchange)."""
    p.add_argument("--exchange", nargs="?", const="", default=None, metavar="DIR",
                   help=f"{text} (DIR: default CRM_EXCHANGE_ROOT or c.Exchange.root)")


def _release(args) -> int:
    from grader.release import release

    root = Path(args.root)
    for path in release(args.chapters or None, root=root):
        print(f"released {path.relative_to(root)}")
        if args.exchange is not None:
            from grader.exchange import release_to_exchange

            outbound = release_to_exchange(path.parent.name, root=root,
                                           exchange=args.exchange or None)
            print(f"published to the exchange: {outbound}")
    return 0


def _bundle(args) -> int:
    from grader.bundle import build_bundle

    root = Path(args.root)
    path = build_bundle(Path(args.zip or root / "dist" / "crm-course-student.zip"), root=root)
    print(f"student bundle written to {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


def _grade(args) -> int:
    import warnings

    from grader.autograde import format_summary, grade
    from grader.autograde.limits import parse_bytes

    # nbgrader's gradebook code triggers SQLAlchemy 2 warnings that say nothing to instructors.
    warnings.filterwarnings("ignore", module="nbgrader.api")
    root = Path(args.root)
    for name in _editions_to_grade(args.chapter, root, args.student):
        asked = _students_of(name, root, args.student) if args.student else None
        run = grade(name, root=root, students=asked or args.student or None,
                    workers=args.workers, force=args.force, timeout_seconds=args.timeout,
                    memory_limit_bytes=parse_bytes(args.memory_limit), kernels=args.kernels,
                    progress=not args.quiet)
        print(format_summary(run))
        if run.interrupted:
            return 130
    return 0


def _editions_to_grade(chapter: str, root: Path, students) -> list[str]:
    """``grade 06_rfm`` grades the chapter and every edition of it (``06_rfm_zh``) that has
    submissions (of the students asked for); ``grade 06_rfm_zh`` grades that edition only."""
    from grader.course import editions

    found = editions(chapter, root)
    if found.get("en") != chapter:
        return [chapter]
    names = [found["en"]] + [name for lang, name in found.items()
                             if lang != "en" and _students_of(name, root, None)]
    chosen = [name for name in names if not students or _students_of(name, root, students)]
    return chosen or [chapter]  # nobody asked for has a submission: grade says so


def _students_of(name: str, root: Path, students) -> list[str] | None:
    """The students asked for (all: None) who handed in ``name``."""
    from grader.autograde.submissions import student_ids

    here = student_ids(root / "submitted", name)
    if students is None:
        return here or None
    return [s for s in students if s in here]


def _feedback(args) -> int:
    from grader.feedback import generate_feedback

    written = generate_feedback(args.chapter, root=Path(args.root),
                                students=args.student or None)
    print(f"feedback for {len(written)} students in "
          f"{Path(args.root) / 'feedback'}/<student>/{args.chapter}/")
    if args.exchange is not None:
        from grader.exchange import release_feedback_to_exchange

        released = release_feedback_to_exchange(args.chapter, root=Path(args.root),
                                                exchange=args.exchange or None,
                                                students=args.student or None)
        print(f"feedback released through the exchange to {len(released)} students")
    return 0


def _export(args) -> int:
    from grader.export import export_grades

    path = export_grades(Path(args.csv), root=Path(args.root), chapters=args.chapter or None)
    print(f"grades written to {path}")
    return 0


def _collect(args) -> int:
    from grader.collect import collect

    if args.exchange is not None:
        from grader.exchange import collect_from_exchange

        if args.source:
            raise ValueError("give either SOURCE or --exchange, not both")
        placed = collect_from_exchange(args.chapter, root=Path(args.root),
                                       exchange=args.exchange or None)
        print(f"collected {len(placed)} submissions of {args.chapter} from the exchange "
              "into submitted/")
        return 0
    if not args.source:
        raise ValueError("collect needs a SOURCE (folder or zip) or --exchange")
    result = collect(args.chapter, Path(args.source), root=Path(args.root),
                     regexp=args.regexp, force=args.force)
    print(f"collected {len(result.placed)} submissions of {args.chapter} into submitted/")
    for name, reason in result.unplaced:
        print(f"  not placed: {name}: {reason}")
    return 0 if not result.unplaced else 1


def _report(args) -> int:
    from grader.report import write_report

    target = Path(args.out or Path(args.root) / "reports" / f"{args.chapter}-items.html")
    print(f"item analysis written to {write_report(args.chapter, target, root=Path(args.root))}")
    return 0


def _similarity(args) -> int:
    from grader.similarity import write_similarity_report

    target = Path(args.out or Path(args.root) / "reports" / f"{args.chapter}-similarity.html")
    page, table = write_similarity_report(args.chapter, target, root=Path(args.root),
                                          top=args.top, threshold=args.threshold,
                                          common_share=args.ignore_common)
    print(f"similar pairs: {page} (all pairs: {table})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = _command(sub, "release", _release, "regenerate chapters/ from solutions/", chapter=False)
    p.add_argument("chapters", nargs="*", help="chapter folders, e.g. 06_rfm (default: all)")
    _exchange_option(p, "also publish the chapters to nbgrader's exchange")
    p = _command(sub, "bundle", _bundle, "build the student bundle zip", chapter=False)
    p.add_argument("zip", nargs="?", help="default: ROOT/dist/crm-course-student.zip")
    p = _command(sub, "grade", _grade, "autograde a chapter for the class, in parallel")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument("-j", "--workers", type=int, default=None,
                   help="kernels run in parallel (default: the cores this process may use)")
    p.add_argument("--force", action="store_true",
                   help="regrade submissions already graded and unchanged")
    p.add_argument("--timeout", type=int, default=None,
                   help="seconds per cell (default: c.Execute.timeout in nbgrader_config.py)")
    p.add_argument("--memory-limit", default="4G", help="address space per kernel (0 = none)")
    p.add_argument("--kernels", choices=["prewarmed", "fresh"], default="prewarmed",
                   help="fork each fresh kernel from a pre-imported template, or start it cold")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p = _command(sub, "feedback", _feedback, "HTML feedback per student, hidden tests removed")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    _exchange_option(p, "also release the feedback through nbgrader's exchange")
    p = _command(sub, "export", _export, "grades as CSV with a status per submission",
                 chapter=False)
    p.add_argument("csv", nargs="?", default="grades.csv")
    p.add_argument("--chapter", action="append", help="only this chapter (repeatable)")
    p = _command(sub, "collect", _collect, "put a folder or LMS zip of notebooks in submitted/")
    p.add_argument("source", nargs="?",
                   help="a folder (one sub-folder per student) or an LMS .zip")
    _exchange_option(p, "take the latest submission of each student from nbgrader's exchange")
    p.add_argument("--regexp", help="file-name pattern with a (?P<student_id>...) group")
    p.add_argument("--force", action="store_true", help="replace notebooks collected before")
    p = _command(sub, "report", _report, "item analysis (HTML with plots) for the instructor")
    p.add_argument("--out", help="HTML file (default: reports/CHAPTER-items.html)")
    p = _command(sub, "similarity", _similarity, "rank pairs of students with alike answers")
    p.add_argument("--out", help="HTML file (default: reports/CHAPTER-similarity.html; "
                                 "a CSV of all pairs is written beside it)")
    p.add_argument("--top", type=int, default=20, help="pairs shown in the HTML")
    p.add_argument("--threshold", type=float, default=0.5, help="lowest similarity shown")
    p.add_argument("--ignore-common", type=float, default=None, metavar="SHARE",
                   help="ignore code shared by more than this share of the class (e.g. 0.5)")
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
