"""Parallel, robust autograding on nbgrader's gradebook (see :mod:`grader.autograde.run`).

Imports are lazy so that ``python -m grader.autograde.limits`` (the kernel
launcher) starts without loading nbgrader.
"""

__all__ = ["grade", "GradingRun", "format_summary"]


def __getattr__(name):
    if name in __all__:
        from grader.autograde import run

        return getattr(run, name)
    raise AttributeError(name)
