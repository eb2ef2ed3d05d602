"""One tolerant comparison for hidden tests: a student's answer against the reference.

What counts as "the same answer" is decided here once, for every chapter:

- column order does not matter, and extra columns are ignored: a student who keeps
  a helper column (``days_since``, ``month``) has not answered wrongly. The one policy
  for every chapter; a question that must forbid them passes ``allow_extra_columns=False``
  and says "only these columns" in its statement;
- int vs float does not matter (3 == 3.0), floats are compared with a tolerance;
- the key (e.g. ``customer_id``) may be the index or a column;
- row order does not matter when there is a key (rows are matched on it);
- categorical vs plain string values do not matter.

A mismatch raises ``AssertionError`` with a message a student can act on:
which column, how many rows, and one example, in the language the notebook set
(:func:`crm_lab.set_language`: a Chinese edition's feedback is Chinese).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from crm_lab.i18n import tr

__all__ = ["assert_same_table", "assert_same_number"]


def _to_frame(obj, what: str) -> pd.DataFrame:
    if isinstance(obj, pd.Series):
        return obj.to_frame(obj.name if obj.name is not None else "value")
    if not isinstance(obj, pd.DataFrame):
        raise AssertionError(tr("{what} should be a pandas DataFrame, got {kind}.", what=what,
                                kind=type(obj).__name__))
    return obj


def _keyed(df: pd.DataFrame, key: str | None, what: str) -> pd.DataFrame:
    if key is None:
        return df.reset_index(drop=True)
    if key in df.columns:
        out = df.reset_index(drop=True)
    elif key in [n for n in df.index.names if n is not None]:
        out = df.reset_index()
    else:
        raise AssertionError(tr("{what} has no column or index named {key!r}.", what=what, key=key))
    out = out.assign(**{key: out[key].astype(str)})
    if out[key].duplicated().any():
        raise AssertionError(tr("{what} has duplicate {key} values, e.g. {example!r}.",
                                what=what, key=key,
                                example=out.loc[out[key].duplicated(), key].iloc[0]))
    return out.sort_values(key).reset_index(drop=True)


def _is_number(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _column_mismatch(col: str, got: pd.Series, want: pd.Series, rtol: float, atol: float):
    """Boolean mask of rows where ``got`` differs from ``want`` (None if comparable)."""
    if _is_number(want) or pd.api.types.is_bool_dtype(want):
        if not (_is_number(got) or pd.api.types.is_bool_dtype(got)):
            converted = pd.to_numeric(got, errors="coerce")
            if converted.isna().sum() > got.isna().sum():
                raise AssertionError(tr("column {col!r} should hold numbers, not {dtype}.",
                                        col=col, dtype=got.dtype))
            got = converted
        g = got.astype("float64").to_numpy()
        w = want.astype("float64").to_numpy()
        both_nan = np.isnan(g) & np.isnan(w)
        return ~(np.isclose(g, w, rtol=rtol, atol=atol) | both_nan)
    if pd.api.types.is_datetime64_any_dtype(want):
        g = pd.to_datetime(got, errors="coerce")
        return ~((g == want) | (g.isna() & want.isna())).to_numpy()
    g = got.astype("object").where(got.notna(), None).map(lambda v: None if v is None else str(v))
    w = want.astype("object").where(want.notna(), None).map(lambda v: None if v is None else str(v))
    return (g != w).to_numpy()


def assert_same_table(
    actual,
    expected: pd.DataFrame,
    *,
    key: str | None = None,
    columns: Iterable[str] | None = None,
    allow_extra_columns: bool = True,
    rtol: float = 1e-6,
    atol: float = 1e-6,
    what: str = "your answer",
) -> None:
    """Assert that ``actual`` holds the same table as the reference ``expected``.

    Parameters
    ----------
    actual : the student's DataFrame (a Series is taken as a one-column table).
    expected : the reference DataFrame.
    key : identifying column, matched whether it is a column or the index; rows
        are aligned on it, so row order does not matter. Without a key, rows are
        compared in order.
    columns : which columns to compare (default: all of ``expected``'s).
    allow_extra_columns : accept (and ignore) columns the reference does not have
        (default); False fails on them, for a question that says "only these columns".
    rtol, atol : float tolerance, as in :func:`numpy.isclose`.
    what : how messages refer to the answer.

    >>> import pandas as pd
    >>> want = pd.DataFrame({"frequency": [2, 1]}, index=pd.Index(["C1", "C2"], name="customer_id"))
    >>> got = pd.DataFrame({"frequency": [1.0, 2.0], "customer_id": ["C2", "C1"]})
    >>> assert_same_table(got, want, key="customer_id")
    """
    what = tr(what)
    actual = _keyed(_to_frame(actual, what), key, what)
    reference = tr("the reference")
    expected = _keyed(_to_frame(expected, reference), key, reference)
    wanted = [c for c in (columns if columns is not None else expected.columns) if c != key]
    missing = [c for c in wanted if c not in actual.columns]
    if missing:
        raise AssertionError(tr("{what} is missing column(s) {missing}; it has {present}.",
                                what=what, missing=missing, present=list(actual.columns)))
    if not allow_extra_columns and columns is None:
        extra = [c for c in actual.columns if c not in expected.columns]
        if extra:
            raise AssertionError(tr("{what} has column(s) the question does not ask for: "
                                    "{extra}.", what=what, extra=extra))
    if key is not None:
        only_actual = actual[key][~actual[key].isin(expected[key])]
        only_expected = expected[key][~expected[key].isin(actual[key])]
        if len(only_actual) or len(only_expected):
            parts = []
            if len(only_expected):
                example = only_expected.iloc[0]
                parts.append(tr("{n:,} {key} value(s) missing (e.g. {example!r})",
                                n=len(only_expected), key=key, example=example))
            if len(only_actual):
                parts.append(tr("{n:,} unexpected (e.g. {example!r})", n=len(only_actual),
                                example=only_actual.iloc[0]))
            raise AssertionError(tr("{what} has {rows:,} rows, expected {expected:,}: {parts}.",
                                    what=what, rows=len(actual), expected=len(expected),
                                    parts="; ".join(parts)))
    elif len(actual) != len(expected):
        raise AssertionError(tr("{what} has {rows:,} rows, expected {expected:,}.", what=what,
                                rows=len(actual), expected=len(expected)))
    for col in wanted:
        bad = _column_mismatch(col, actual[col], expected[col], rtol, atol)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            where = f"{key} {actual[key].iloc[i]!r}" if key else tr("row {i}", i=i)
            raise AssertionError(tr(
                "column {col!r} differs in {bad:,} of {rows:,} rows "
                "(e.g. {where}: got {got!r}, expected {want!r}).", col=col, bad=int(bad.sum()),
                rows=len(bad), where=where, got=actual[col].iloc[i], want=expected[col].iloc[i])
            )


def assert_same_number(
    actual, expected: float, *, rtol: float = 1e-6, atol: float = 1e-9, what: str = "your answer"
) -> None:
    """Assert that ``actual`` is one number close to ``expected``.

    >>> assert_same_number(0.5, 0.5000000001)
    """
    what = tr(what)
    if isinstance(actual, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)):
        raise AssertionError(tr("{what} should be a single number, not a {kind}.", what=what,
                                kind=type(actual).__name__))
    try:
        value = float(actual)
    except (TypeError, ValueError):
        raise AssertionError(tr("{what} should be a number, got {kind}.", what=what,
                                kind=type(actual).__name__)) from None
    if not math.isclose(value, expected, rel_tol=rtol, abs_tol=atol):
        raise AssertionError(tr("{what} = {value:g} is not the expected value.", what=what,
                                value=value))
