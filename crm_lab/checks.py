"""Formative checks: quick feedback right after an exercise, before grading.

A check looks at the *shape* of an answer (is it a table, are the columns
there, one row per customer, no gaps, values in a sensible range) and never at
the exact numbers, so it can run in the student's notebook without giving the
answer away. A failed check raises :class:`CheckFailed` (an ``AssertionError``,
so nbgrader counts it as a failed test) whose message ends with a hint; a
passed check prints one line starting with ``✓``.

>>> import pandas as pd
>>> df = pd.DataFrame({"customer_id": ["C1", "C2"], "frequency": [3, 1]})
>>> check_frame(df, "my table", key="customer_id", columns=["frequency"], n_rows=2)
✓ my table: 2 rows, columns and values look right.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from crm_lab.i18n import tr

__all__ = ["CheckFailed", "check_frame", "check_number", "frame_with_key"]


class CheckFailed(AssertionError):
    """A formative check failed; the message says what and gives a hint."""


def _fail(what: str, hint: str | None) -> None:
    __tracebackhide__ = True  # IPython (and pytest) leave the checks' own frames out
    message = f"✗ {what}"
    if hint:
        message += "\n  " + tr("Hint: {hint}", hint=hint)
    failure = CheckFailed(message)
    # Raised while handling e.g. a KeyError: the student needs this message, not that one.
    failure.__suppress_context__ = True
    raise failure


def frame_with_key(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """Return ``df`` with ``key`` as a column, whether it was a column or the index.

    >>> import pandas as pd
    >>> frame_with_key(pd.DataFrame({"x": [1]}, index=pd.Index(["C1"], name="customer_id")),
    ...                "customer_id").columns.tolist()
    ['customer_id', 'x']
    """
    if key in df.columns:
        return df.reset_index(drop=True)
    if key in (df.index.names or []):
        return df.reset_index()
    raise KeyError(key)


def check_frame(
    df,
    name: str,
    *,
    key: str | None = None,
    columns: Iterable[str] = (),
    n_rows: int | None = None,
    numeric: Iterable[str] = (),
    no_missing: bool = True,
    between: Mapping[str, tuple[float | None, float | None]] | None = None,
    allowed_values: Mapping[str, Iterable] | None = None,
    hint: str | None = None,
) -> None:
    """Check the shape of a table answer; print ``✓ …`` or raise :class:`CheckFailed`.

    Parameters
    ----------
    df : the student's answer, expected to be a ``pandas.DataFrame``.
    name : what the answer is called in messages, e.g. ``"rfm_table(orders, AS_OF)"``.
    key : a column that identifies rows (e.g. ``"customer_id"``); it may be a
        column or the index, and must be unique.
    columns : columns that must be present (any order; extra columns are fine).
    n_rows : the number of rows expected, if the question fixes it.
    numeric : columns that must hold numbers (int or float).
    no_missing : no NaN/None anywhere in ``key`` and ``columns``.
    between : ``{column: (low, high)}`` inclusive bounds; ``None`` leaves a side open.
    allowed_values : ``{column: values}``: every value must be one of these.
    hint : added to the first failure's message.
    """
    __tracebackhide__ = True
    if df is None:
        _fail(tr("{name} returned None.", name=name),
              tr("Did you forget `return` at the end of the function?"))
    if not isinstance(df, pd.DataFrame):
        _fail(tr("{name} should be a pandas DataFrame, not {kind}.", name=name,
                 kind=type(df).__name__), hint)
    columns = list(columns)
    if key is not None:
        try:
            df = frame_with_key(df, key)
        except KeyError:
            _fail(tr("{name} has no column (or index) named {key!r}.", name=name, key=key), hint)
        if df[key].duplicated().any():
            dups = df.loc[df[key].duplicated(), key].head(3).tolist()
            _fail(tr("{name} has more than one row for some {key} values, e.g. {dups}.",
                     name=name, key=key, dups=dups), hint)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        _fail(tr("{name} is missing the column(s) {missing}; it has {present}.", name=name,
                 missing=missing, present=list(df.columns)), hint)
    if n_rows is not None and len(df) != n_rows:
        _fail(tr("{name} has {rows:,} rows; this question expects {expected:,}.", name=name,
                 rows=len(df), expected=n_rows), hint)
    for col in numeric:
        if not (pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])):
            _fail(tr("column {col!r} of {name} should hold numbers, not {dtype}.", col=col,
                     name=name, dtype=df[col].dtype), hint)
    if no_missing:
        cols = ([key] if key else []) + columns
        gaps = [c for c in cols if df[c].isna().any()]
        if gaps:
            _fail(tr("{name} has missing values (NaN) in {gaps}.", name=name, gaps=gaps), hint)
    for col, (low, high) in (between or {}).items():
        values = pd.to_numeric(df[col], errors="coerce")
        bad = (low is not None and (values < low).any()) or (
            high is not None and (values > high).any()
        )
        if bad:
            _fail(tr("column {col!r} of {name} has values outside [{low}, {high}]: "
                     "min {lowest}, max {highest}.", col=col, name=name, low=low, high=high,
                     lowest=values.min(), highest=values.max()), hint)
    for col, values in (allowed_values or {}).items():
        allowed = set(values)
        unknown = sorted({str(v) for v in df[col].dropna().unique() if v not in allowed})
        if unknown:
            _fail(tr("column {col!r} of {name} has unexpected values {values}.", col=col,
                     name=name, values=unknown[:5]), hint)
    print("✓ " + tr("{name}: {rows:,} rows, columns and values look right.", name=name,
                    rows=len(df)))


def check_number(
    value,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    hint: str | None = None,
) -> None:
    """Check that an answer is one finite number, optionally within ``[low, high]``.

    >>> check_number(0.62, "top_share", low=0, high=1)
    ✓ top_share = 0.62 is a number in the expected range.
    """
    __tracebackhide__ = True
    if isinstance(value, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)):
        _fail(tr("{name} should be a single number, not a {kind}.", name=name,
                 kind=type(value).__name__), hint)
    try:
        number = float(value)
    except (TypeError, ValueError):
        _fail(tr("{name} should be a number, not {kind}.", name=name, kind=type(value).__name__),
              hint)
    if not np.isfinite(number):
        _fail(tr("{name} is {number}; expected a finite number.", name=name, number=number), hint)
    if (low is not None and number < low) or (high is not None and number > high):
        _fail(tr("{name} = {number:g} is outside the expected range [{low}, {high}].",
                 name=name, number=number, low=low, high=high), hint)
    print("✓ " + tr("{name} = {number:g} is a number in the expected range.", name=name,
                    number=number))
