"""One database engine for a whole grading run, instead of one per gradebook opened.

nbgrader's :class:`~nbgrader.api.Gradebook` creates an engine, inspects the database
and runs ``create_all`` (a query per table) every time it is opened; the grading
process opens one five times per submission, about 10 ms each: a tenth of its own
work per submission. Inside :func:`one_engine`, :func:`open_gradebook` gives
Gradebooks that share one engine (tables made once, as nbgrader makes them), each
with its own session, so every step still commits on its own as before. Outside
it, or for another database, it is nbgrader's Gradebook unchanged. The engine
lives only for the run: a gradebook file replaced between two runs is never written
through an old connection.
"""

from __future__ import annotations

from contextlib import contextmanager

from nbgrader.api import Gradebook
from sqlalchemy import create_engine
from sqlalchemy.orm import scoped_session, sessionmaker

__all__ = ["one_engine", "open_gradebook"]

_ENGINES: dict = {}


class _RunGradebook(Gradebook):
    """nbgrader's Gradebook on the run's engine: its own session, the engine kept open."""

    def __init__(self, engine, course_id: str = "default_course"):
        # not nbgrader's __init__: that is what makes an engine and inspects the database
        self.engine = engine
        self.db = scoped_session(sessionmaker(autoflush=True, bind=engine, future=True))
        self.check_course(course_id=course_id)
        self.course_id = course_id
        self.authenticator = None

    def close(self) -> None:
        self.db.remove()


@contextmanager
def one_engine(db_url: str, course_id: str = "default_course"):
    """Within this block, :func:`open_gradebook` for ``db_url`` shares one engine."""
    if db_url in _ENGINES:  # nested: the outer block owns it
        yield
        return
    with Gradebook(db_url, course_id):  # tables and alembic version, exactly as nbgrader
        pass
    engine = create_engine(db_url, echo=False, future=True)
    _ENGINES[db_url] = engine
    try:
        yield
    finally:
        _ENGINES.pop(db_url, None)
        engine.dispose()


def open_gradebook(db_url: str, course_id: str = "default_course") -> Gradebook:
    """A Gradebook for ``db_url``: on the run's engine inside :func:`one_engine`."""
    engine = _ENGINES.get(db_url)
    return Gradebook(db_url, course_id) if engine is None else _RunGradebook(engine, course_id)
