"""Find, load and validate the shop's CSV files, and load the real CDNOW log.

The loaders work wherever a notebook runs: :func:`find_data_dir` looks, in
order, at the ``data_dir`` argument, the ``CRM_DATA_DIR`` environment variable,
a ``datasets/`` folder (holding ``orders.csv``) in the current folder or any
parent of it, and the ``datasets/`` folder beside the ``crm_lab`` package.

Every loader returns proper dtypes (dates as ``datetime64[ns]``, categories
with their full list of allowed values, ids and text as ``str``) and checks
the file first: a missing column, an empty required value, an unparseable
number or date, a negative amount, a value outside the allowed categories or a
duplicated id raises ``ValueError`` naming the file, the column and the rows.

>>> orders = load_orders()  # doctest: +SKIP
>>> orders.dtypes["order_time"]  # doctest: +SKIP
dtype('<M8[ns]')

Each call returns a new DataFrame of its own (change it freely), but a file is
parsed and validated only once per process while its bytes stay the same: a
chapter that reloads ``orders`` in every exercise pays for it once (30 ms each
time otherwise), and a grading kernel forked from a pre-warmed template not at all.
"""

# No pandera: `import pandera.pandas` took 0.17-0.30 s on top of pandas here and pulls in
# ~19 MB (pydantic, typeguard...); every grading kernel imports crm_lab, and we need
# row-level messages with file line numbers anyway. The checks below are ~100 lines.

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from crm_lab.i18n import tr

from . import schema

__all__ = [
    "STR_DTYPE",
    "cast_table",
    "find_data_dir",
    "load_accounts",
    "load_business_accounts",
    "load_business_order_items",
    "load_business_orders",
    "load_call_staffing",
    "load_calls",
    "load_cdnow_orders",
    "load_chat_questions",
    "load_chat_staffing",
    "load_chats",
    "load_customer_records",
    "load_customers",
    "load_faq",
    "load_members",
    "load_membership",
    "load_order_items",
    "load_orders",
    "load_points_ledger",
    "load_product_costs",
    "load_products",
    "load_service",
    "load_shipments",
    "load_shop_ratings",
    "load_reviews",
    "load_satisfaction",
    "load_surveys",
    "load_shop",
    "load_tickets",
    "validate_shop",
    "validate_table",
]

try:  # pandas >= 2.3: the "str" dtype (the default for text in pandas 3)
    STR_DTYPE = pd.StringDtype(na_value=np.nan)
except TypeError:  # pragma: no cover - older pandas keeps text as object
    STR_DTYPE = np.dtype(object)

_MARKER = schema.FILE_NAMES["orders"]
# Every table the loaders know: the shop proper and the customer-service tables.
_ALL_TABLES = {
    **schema.TABLES,
    **schema.SERVICE_TABLES,
    **schema.ACCOUNT_TABLES,
    **schema.RECORD_TABLES,
    **schema.MEMBERSHIP_TABLES,
    **schema.SURVEY_TABLES,
}
_TRUE, _FALSE = ("True", "true", "1"), ("False", "false", "0")
_SHOWN_ROWS = 5


def find_data_dir(data_dir=None) -> Path:
    """The folder holding the shop's CSV files, as an absolute ``Path``.

    Looks at ``data_dir``, then ``$CRM_DATA_DIR``, then ``datasets/`` in the
    current folder and each parent, then the ``datasets/`` beside the
    ``crm_lab`` package. A given ``data_dir`` or ``CRM_DATA_DIR`` must exist.
    Raises ``FileNotFoundError`` saying where it looked.

    >>> find_data_dir().name  # doctest: +SKIP
    'datasets'
    """
    if data_dir is not None:
        path = Path(data_dir).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(tr("data_dir {path!r} is not a folder.", path=str(path)))
        return path.resolve()
    env = os.environ.get("CRM_DATA_DIR")
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(tr(
                "CRM_DATA_DIR is set to {env!r}, which is not a folder. "
                "Point it at the folder holding orders.csv, or unset it.", env=env))
        return path.resolve()
    looked = []
    cwd = Path.cwd()
    for folder in (cwd, *cwd.parents):
        candidate = folder / "datasets"
        looked.append(candidate)
        if (candidate / _MARKER).is_file():
            return candidate.resolve()
    beside_package = Path(__file__).resolve().parents[2] / "datasets"
    looked.append(beside_package)
    if (beside_package / _MARKER).is_file():
        return beside_package
    places = "\n  ".join(str(p) for p in looked)
    raise FileNotFoundError(tr(
        "Could not find the shop data (a datasets/ folder with {marker}). Looked in:\n  "
        "{places}\nSet the environment variable CRM_DATA_DIR to the folder holding the CSV "
        "files (e.g. os.environ['CRM_DATA_DIR'] = '/path/to/datasets'), pass data_dir=..., "
        "or rebuild the files with `python -m crm_lab.data build datasets`.",
        marker=_MARKER, places=places))


def _describe_rows(mask, df, name, source, values=None) -> str:
    """'3 rows: row 0 (line 2, order_id O0000001, value '-5'), ...' for the first few."""
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    id_columns = [c for c in schema.UNIQUE_KEYS[name] if c in df.columns]
    from_file = not source.startswith("<")
    parts = []
    for pos in positions[:_SHOWN_ROWS]:
        where = [tr("line {n}", n=pos + 2)] if from_file else []
        where += [f"{c} {df[c].iloc[pos]}" for c in id_columns]
        if values is not None:
            value = values.iloc[pos]
            where.append(tr("value {value!r}",
                            value=value.item() if hasattr(value, "item") else value))
        parts.append(tr("row {n} ({where})", n=pos, where=tr(", ").join(where)))
    more = (tr(", and {n} more", n=len(positions) - _SHOWN_ROWS)
            if len(positions) > _SHOWN_ROWS else "")
    rows = (tr("1 row: {rows}", rows=parts[0]) if len(positions) == 1 else
            tr("{n} rows: {rows}", n=len(positions), rows="; ".join(parts)))
    return rows + more


def _to_text(s: pd.Series) -> pd.Series:
    if s.dtype != STR_DTYPE:
        s = s.astype(STR_DTYPE)
    return s.mask(s == "")


def _to_numbers(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers, and a mask of non-empty values that are not numbers."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64"), pd.Series(False, index=s.index)
    numbers = pd.to_numeric(s.mask(s.astype(STR_DTYPE).str.strip() == ""), errors="coerce")
    return numbers.astype("float64"), numbers.isna() & s.notna() & (s.astype(STR_DTYPE) != "")


def _convert(column: schema.Column, s: pd.Series):
    """(converted series, [(problem, mask), ...]) for one column."""
    kind = column.kind
    problems = []
    if kind in ("id", "text", "optional_text"):
        out = _to_text(s)
        if kind != "optional_text":
            problems.append((tr("is empty"), out.isna()))
        return out, problems
    if kind in ("date", "datetime", "optional_datetime"):
        required = kind != "optional_datetime"
        if pd.api.types.is_datetime64_any_dtype(s):
            out = s.astype("datetime64[ns]")
            if required:
                problems.append((tr("is empty"), out.isna()))
            return out, problems
        text = _to_text(s)
        out = pd.to_datetime(text, format="ISO8601", errors="coerce").astype("datetime64[ns]")
        expected = "YYYY-MM-DD" if kind == "date" else "YYYY-MM-DD HH:MM:SS"
        if required:
            problems.append((tr("is empty"), text.isna()))
        problems.append((tr("is not a date ({expected})", expected=expected),
                         out.isna() & text.notna()))
        return out, problems
    if kind in ("flag", "optional_flag"):
        if pd.api.types.is_bool_dtype(s):
            out = s.astype("boolean")
        else:
            text = _to_text(s.astype(object).astype(STR_DTYPE))
            out = pd.Series(
                np.where(text.isin(_TRUE), True, np.where(text.isin(_FALSE), False, None)),
                index=s.index,
                dtype="boolean",
            )
            problems.append((tr("is not True or False"), out.isna() & text.notna()))
        if kind == "flag":
            problems.append((tr("is empty"), s.isna()))
            return out.fillna(False).astype(bool), problems
        return out, problems
    if kind in ("category", "optional_category"):
        text = _to_text(s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s)
        outside = text.notna() & ~text.isin(column.categories)
        if kind == "category":
            problems.append((tr("is empty"), text.isna()))
        problems.append((tr("is not one of {values}", values=list(column.categories)), outside))
        dtype = pd.CategoricalDtype(list(column.categories), ordered=column.ordered)
        return text.where(~outside).astype(dtype), problems
    numbers, unparseable = _to_numbers(s)
    problems.append((tr("is not a number"), unparseable))
    if kind == "money":
        problems.append((tr("is empty"), numbers.isna() & ~unparseable))
        problems.append((tr("is negative"), numbers < 0))
        return numbers, problems
    whole = numbers.isna() | (numbers == np.round(numbers))
    problems.append((tr("is not a whole number"), ~whole))
    if kind == "count":
        problems.append((tr("is empty"), numbers.isna() & ~unparseable))
        problems.append((tr("is below 1"), numbers < 1))
        ok = numbers.notna() & whole & (numbers >= 1)
        return numbers.where(ok, 1).astype("int64"), problems
    if kind == "optional_year":
        return numbers.where(whole).round().astype("Int64"), problems
    if kind in ("whole", "optional_whole"):
        if kind == "whole":
            problems.append((tr("is empty"), numbers.isna() & ~unparseable))
        problems.append((tr("is negative"), numbers < 0))
        if kind == "whole":
            ok = numbers.notna() & whole & (numbers >= 0)
            return numbers.where(ok, 0).astype("int64"), problems
        return numbers.where(whole & (numbers >= 0)).round().astype("Int64"), problems
    raise AssertionError(f"unknown column kind {kind!r}")  # pragma: no cover


def _table_checks(name, df, source) -> list[str]:
    """Checks across columns, run once every column is well-formed."""
    problems = []
    key = list(schema.UNIQUE_KEYS[name])
    duplicated = df.duplicated(subset=key, keep=False)
    if duplicated.any():
        problems.append(
            _column_problem(source, "+".join(key), tr("has duplicated ids"),
                            _describe_rows(duplicated, df, name, source))
        )
    if name == "orders":
        too_big = df.discount_cny > df.gross_amount_cny + 0.005
        if too_big.any():
            problems.append(
                _column_problem(source, "'discount_cny'", tr("is larger than gross_amount_cny"),
                                _describe_rows(too_big, df, name, source, df.discount_cny))
            )
        off = (df.net_amount_cny - (df.gross_amount_cny - df.discount_cny)).abs() > 0.005
        if off.any():
            problems.append(
                _column_problem(source, "'net_amount_cny'",
                                tr("is not gross_amount_cny - discount_cny"),
                                _describe_rows(off, df, name, source, df.net_amount_cny))
            )
    for rule in schema.TABLE_RULES.get(name, ()):
        problem = _broken_rule(rule, df, name, source)
        if problem:
            problems.append(problem)
    if name == "order_items":
        off = (df.line_amount_cny - df.quantity * df.unit_price_cny).abs() > 0.005
        if off.any():
            problems.append(
                _column_problem(source, "'line_amount_cny'",
                                tr("is not quantity * unit_price_cny"),
                                _describe_rows(off, df, name, source, df.line_amount_cny))
            )
    return problems


def _broken_rule(rule, df, name, source) -> str | None:
    """The message for a rule of ``schema.TABLE_RULES`` that ``df`` breaks, else None."""
    if isinstance(rule, schema.Score):
        values = df[rule.column]
        scores = list(range(rule.low, rule.high + 1))
        wrong = (values.notna() & ~values.isin(scores)).to_numpy(dtype=bool)
        what = (tr("is not a score from 1 to 5") if (rule.low, rule.high) == (1, 5)
                else tr("is not a score from {low} to {high}", low=rule.low, high=rule.high))
    elif isinstance(rule, schema.FilledExactlyWhere):
        values = None
        should = (df[rule.where].astype(object) == rule.value).to_numpy(dtype=bool)
        wrong = df[rule.column].notna().to_numpy() != should
        what = tr("must be filled for {rows}, but is not", rows=tr(rule.rows))
    elif isinstance(rule, schema.InOrder):
        values = df[rule.later]
        wrong = (df[rule.later] < df[rule.earlier]).fillna(False).to_numpy(dtype=bool)
        what = f"{tr(rule.words)} {rule.earlier!r}"
    else:  # pragma: no cover - a new kind of rule needs its check here
        raise AssertionError(f"unknown table rule {rule!r}")
    if not wrong.any():
        return None
    column = rule.later if isinstance(rule, schema.InOrder) else rule.column
    return _column_problem(source, repr(column), what,
                           _describe_rows(wrong, df, name, source, values))


def _column_problem(source: str, column: str, what: str, rows: str) -> str:
    """'<source>: column <column> <what> in <rows>', in the language set."""
    return tr("{source}: column {column} {what} in {rows}", source=source, column=column,
              what=what, rows=rows)


def validate_table(name: str, df: pd.DataFrame, source: str = "<memory>") -> pd.DataFrame:
    """Check one shop table and return a copy with the schema's dtypes.

    ``name`` is one of ``customers``, ``products``, ``orders``,
    ``order_items``; ``df`` may hold text (as read from CSV) or typed values;
    ``source`` (a file path, or ``<...>`` for memory) goes into messages.
    Schema columns come first, in schema order; extra columns are kept after.
    Raises ``ValueError`` naming the source, column and offending rows.

    >>> bad = pd.DataFrame({"product_id": ["P1"], "name_zh": ["茶"], "name_en": ["tea"],
    ...                     "category": ["coffee"], "list_price_cny": [-1.0]})
    >>> validate_table("products", bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: <memory>: 2 problem(s) in table 'products':
    <memory>: column 'category' is not one of [...] in 1 row: row 0 (product_id P1, value 'coffee')
    <memory>: column 'list_price_cny' is negative in 1 row: row 0 (product_id P1, value -1.0)
    """
    if name not in _ALL_TABLES:
        raise ValueError(tr("unknown table {name!r}; known tables: {known}", name=name,
                            known=list(_ALL_TABLES)))
    columns = _ALL_TABLES[name]
    missing = [c.name for c in columns if c.name not in df.columns]
    if missing:
        raise ValueError(tr(
            "{source}: missing column(s) {missing} in table {name!r} "
            "(expected {expected}, found {found})", source=source, missing=missing, name=name,
            expected=[c.name for c in columns], found=list(df.columns)))
    problems = []
    converted = {}
    for column in columns:
        raw = df[column.name]
        converted[column.name], found = _convert(column, raw)
        for problem, mask in found:
            if mask.any():
                problems.append(_column_problem(source, repr(column.name), problem,
                                                _describe_rows(mask, df, name, source, raw)))
    out = pd.DataFrame(converted, index=df.index)
    for extra in df.columns.difference(list(converted), sort=False):
        out[extra] = df[extra]
    if not problems:
        problems = _table_checks(name, out, source)
    if problems:
        raise ValueError(tr("{source}: {n} problem(s) in table {name!r}:", source=source,
                            n=len(problems), name=name) + "\n" + "\n".join(problems))
    return out


def _dtype(column: schema.Column):
    if column.kind in ("category", "optional_category"):
        return pd.CategoricalDtype(list(column.categories), ordered=column.ordered)
    return {
        "id": STR_DTYPE,
        "text": STR_DTYPE,
        "optional_text": STR_DTYPE,
        "date": np.dtype("datetime64[ns]"),
        "datetime": np.dtype("datetime64[ns]"),
        "optional_datetime": np.dtype("datetime64[ns]"),
        "money": np.dtype("float64"),
        "count": np.dtype("int64"),
        "optional_year": pd.Int64Dtype(),
        "whole": np.dtype("int64"),
        "optional_whole": pd.Int64Dtype(),
        "flag": np.dtype(bool),
        "optional_flag": pd.BooleanDtype(),
    }[column.kind]


def cast_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The schema's columns of ``df`` with the schema's dtypes, without checking values.

    For tables known to be valid (the generator's); use :func:`validate_table`
    for anything read or edited.
    """
    columns = _ALL_TABLES[name]
    return pd.DataFrame({c.name: df[c.name].astype(_dtype(c)) for c in columns}, index=df.index)


def validate_shop(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Check the links between tables; returns ``tables`` unchanged.

    Every order's customer exists, every item's order and product exist, no
    order is placed before its customer signed up, and each order's
    ``gross_amount_cny`` is the sum of its lines. Raises ``ValueError``.

    >>> validate_shop(load_shop())  # doctest: +SKIP
    """
    customers, products = tables["customers"], tables["products"]
    orders, items = tables["orders"], tables["order_items"]
    problems = []

    def check(mask, what, df, name):
        if mask.any():
            problems.append(tr("{name}: {what} in {rows}", name=name, what=tr(what),
                               rows=_describe_rows(mask, df, name, f"<{name}>")))

    check(
        ~orders.customer_id.isin(customers.customer_id),
        "customer_id not in customers",
        orders,
        "orders",
    )
    check(~items.order_id.isin(orders.order_id), "order_id not in orders", items, "order_items")
    check(
        ~items.product_id.isin(products.product_id),
        "product_id not in products",
        items,
        "order_items",
    )
    signup = orders.customer_id.map(customers.set_index("customer_id").signup_date)
    check(
        orders.order_time < signup, "order_time before the customer's signup_date", orders, "orders"
    )
    line_sums = items.groupby("order_id", sort=False).line_amount_cny.sum()
    off = (orders.order_id.map(line_sums).fillna(0.0) - orders.gross_amount_cny).abs() > 0.005
    check(off, "gross_amount_cny is not the sum of its line_amount_cny", orders, "orders")
    if problems:
        raise ValueError(tr("the shop's tables do not fit together:") + "\n"
                         + "\n".join(problems))
    return tables


def _load(name: str, data_dir) -> pd.DataFrame:
    path = find_data_dir(data_dir) / schema.FILE_NAMES[name]
    if not path.is_file():
        raise FileNotFoundError(tr(
            "{path} does not exist. Rebuild the data with `python -m crm_lab.data build "
            "{folder}` or point CRM_DATA_DIR at a folder holding {name}.", path=path,
            folder=path.parent, name=path.name))
    content = path.read_bytes()
    digest = hashlib.blake2b(content, digest_size=16).digest()  # ~1 ms per MB
    return _parsed(name, str(path), digest, content).copy()


def _parsed(name: str, path: str, digest: bytes, content: bytes) -> pd.DataFrame:
    key = (name, path, digest)
    table = _PARSED.get(key)
    if table is None:
        # Everything as text first, so bad values can be reported row by row; only
        # empty fields are missing ("NA" could be a real coupon code).
        raw = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False,
                          na_values=[""], encoding="utf-8")
        table = validate_table(name, raw, source=path)  # raises: nothing is kept
        if len(content) <= _PARSED_MAX_BYTES:  # a shop of your own may be hundreds of MB
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.pop(next(iter(_PARSED)))
            _PARSED[key] = table
    return table


#: Parsed tables by (table, file, content digest); the oldest goes first when full.
#: (Not functools.lru_cache: the file's bytes must not be part of the key.) Files over
#: _PARSED_MAX_BYTES are parsed on every call instead of being held twice in memory.
_PARSED: dict[tuple[str, str, bytes], pd.DataFrame] = {}
# Above the number of shipped tables (17 with chapter 05's), so that a grading template that
# loads them all keeps every one (at 16, the first loaded, customers, was dropped again).
_PARSED_MAX = 32
_PARSED_MAX_BYTES = 32 * 1024**2


def load_customers(data_dir=None) -> pd.DataFrame:
    """The ``customers`` table (one row per sign-up), validated; see ``datasets/README.md``.

    >>> load_customers().columns[:3].tolist()  # doctest: +SKIP
    ['customer_id', 'signup_date', 'acquisition_channel']
    """
    return _load("customers", data_dir)


def load_products(data_dir=None) -> pd.DataFrame:
    """The ``products`` table (the catalogue, 50 rows), validated."""
    return _load("products", data_dir)


def load_orders(data_dir=None) -> pd.DataFrame:
    """The ``orders`` table (one row per order, sorted by time), validated.

    >>> load_orders().status.value_counts().index.tolist()  # doctest: +SKIP
    ['paid', 'refunded', 'cancelled']
    """
    return _load("orders", data_dir)


def load_order_items(data_dir=None) -> pd.DataFrame:
    """The ``order_items`` table (one row per order line), validated."""
    return _load("order_items", data_dir)


def load_shop(data_dir=None) -> dict[str, pd.DataFrame]:
    """All four tables, each validated and the links between them checked.

    >>> sorted(load_shop())  # doctest: +SKIP
    ['customers', 'order_items', 'orders', 'products']
    """
    tables = {name: _load(name, data_dir) for name in schema.TABLES}
    return validate_shop(tables)


def load_calls(data_dir=None) -> pd.DataFrame:
    """The ``calls`` table: one row per call to the service line (eight weeks), validated.

    >>> load_calls().queue.dtype.categories.tolist()  # doctest: +SKIP
    ['pre_sale', 'after_sale', 'complaint']
    """
    return _load("calls", data_dir)


def load_call_staffing(data_dir=None) -> pd.DataFrame:
    """The ``call_staffing`` table: agents on duty per queue and half hour, validated."""
    return _load("call_staffing", data_dir)


def load_chats(data_dir=None) -> pd.DataFrame:
    """The ``chats`` table: one row per chat session (旺旺/千牛) of the shop's customers,
    pre-sale and after-sale, with response times in seconds; validated.

    >>> load_chats().stage.dtype.categories.tolist()  # doctest: +SKIP
    ['pre_sale', 'after_sale']
    """
    return _load("chats", data_dir)


def load_chat_staffing(data_dir=None) -> pd.DataFrame:
    """The ``chat_staffing`` table: the shop's chat agents on duty per hour, and how many
    chats each holds at once; validated."""
    return _load("chat_staffing", data_dir)


def load_tickets(data_dir=None) -> pd.DataFrame:
    """The ``tickets`` table: one row per service ticket (complaint), validated."""
    return _load("tickets", data_dir)


def load_faq(data_dir=None) -> pd.DataFrame:
    """The ``faq`` table: the shop's frequently asked questions and answers (常见问题)."""
    return _load("faq", data_dir)


def load_chat_questions(data_dir=None) -> pd.DataFrame:
    """The ``chat_questions`` table: customers' chat questions, each labelled with the
    ``faq_id`` that answers it, or missing when no FAQ entry does."""
    return _load("chat_questions", data_dir)


def load_service(data_dir=None) -> dict[str, pd.DataFrame]:
    """The customer-service tables (chapter 07), each validated.

    >>> sorted(load_service())  # doctest: +SKIP
    ['call_staffing', 'calls', 'chat_questions', 'chat_staffing', 'chats', 'faq', 'tickets']
    """
    return {name: _load(name, data_dir) for name in schema.SERVICE_TABLES}


def load_business_accounts(data_dir=None) -> pd.DataFrame:
    """The ``business_accounts`` table (chapter 01): the shop's business buyers, validated."""
    return _load("business_accounts", data_dir)


def load_business_orders(data_dir=None) -> pd.DataFrame:
    """The ``business_orders`` table (chapter 01): the business buyers' orders, validated."""
    return _load("business_orders", data_dir)


def load_business_order_items(data_dir=None) -> pd.DataFrame:
    """The ``business_order_items`` table (chapter 01): the lines of the business orders."""
    return _load("business_order_items", data_dir)


def load_product_costs(data_dir=None) -> pd.DataFrame:
    """The ``product_costs`` table (chapter 01): each product's unit cost in CNY."""
    return _load("product_costs", data_dir)


def load_accounts(data_dir=None) -> dict[str, pd.DataFrame]:
    """The business-buyer and product-cost tables (chapter 01), each validated.

    >>> sorted(load_accounts())  # doctest: +SKIP
    ['business_accounts', 'business_order_items', 'business_orders', 'product_costs']
    """
    return {name: _load(name, data_dir) for name in schema.ACCOUNT_TABLES}


def load_customer_records(data_dir=None) -> pd.DataFrame:
    """The ``customer_records`` table (chapter 02): raw customer records from four channels.

    Every field is text as the channel wrote it; ``true_customer_id`` is the generator's
    answer key, for measuring a matching rule only.
    """
    return _load("customer_records", data_dir)


def load_members(data_dir=None) -> pd.DataFrame:
    """The ``members`` table (chapter 05): who joined the membership programme, and when."""
    return _load("members", data_dir)


def load_points_ledger(data_dir=None) -> pd.DataFrame:
    """The ``points_ledger`` table (chapter 05): every change to a member's points."""
    return _load("points_ledger", data_dir)


def load_membership(data_dir=None) -> dict[str, pd.DataFrame]:
    """Both membership tables (chapter 05), each validated.

    >>> sorted(load_membership())  # doctest: +SKIP
    ['members', 'points_ledger']
    """
    return {name: _load(name, data_dir) for name in schema.MEMBERSHIP_TABLES}


def load_shipments(data_dir=None) -> pd.DataFrame:
    """The ``shipments`` table (chapter 03): days to dispatch and delivery per shipped order."""
    return _load("shipments", data_dir)


def load_surveys(data_dir=None) -> pd.DataFrame:
    """The ``surveys`` table (chapter 03): one row per invited post-purchase survey."""
    return _load("surveys", data_dir)


def load_shop_ratings(data_dir=None) -> pd.DataFrame:
    """The ``shop_ratings`` table (chapter 03): the platform's DSR scores per rated order."""
    return _load("shop_ratings", data_dir)


def load_reviews(data_dir=None) -> pd.DataFrame:
    """The ``reviews`` table (chapter 03): review stars and texts per reviewed order."""
    return _load("reviews", data_dir)


def load_satisfaction(data_dir=None) -> dict[str, pd.DataFrame]:
    """The four tables of chapter 03 (shipments, surveys, shop ratings, reviews), validated.

    >>> sorted(load_satisfaction())  # doctest: +SKIP
    ['reviews', 'shipments', 'shop_ratings', 'surveys']
    """
    return {name: _load(name, data_dir) for name in schema.SURVEY_TABLES}


def _cdnow_path() -> Path:
    spec = importlib.util.find_spec("lifetimes")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(tr(
            "load_cdnow_orders() reads the CDNOW file shipped in the 'lifetimes' package, "
            "which is not installed: run `pip install lifetimes`."))
    folder = Path(next(iter(spec.submodule_search_locations)))
    path = folder / "datasets" / "CDNOW_master.txt"
    if not path.is_file():
        raise FileNotFoundError(tr("{path} is missing; reinstall with `pip install lifetimes`.",
                                   path=path))
    return path


def load_cdnow_orders() -> pd.DataFrame:
    """The real CDNOW purchase log (Fader & Hardie), laid out like ``orders``.

    69,659 purchases by 23,570 customers who first bought at CDNOW (an online
    CD shop) in January-March 1997, followed to the end of June 1998. Read from
    the file shipped in the ``lifetimes`` package (MIT), without importing it.

    Columns: ``order_id`` (str, "D0000001"..., numbered in time order),
    ``customer_id`` (str, "00001"...), ``order_time`` (datetime64[ns], the day;
    the log has no time of day), ``status`` (category, always "paid"; the
    same dtype as ``orders.status``), ``net_amount_usd`` (float, **US dollars**,
    not CNY: pass ``amount_col="net_amount_usd"``), ``quantity`` (int, number
    of CDs). Sorted by ``order_time`` then ``customer_id``. Nothing is dropped:
    a few rows have a dollar value of 0 and are kept; a customer may have
    several rows on one day.

    >>> cdnow = load_cdnow_orders()  # doctest: +SKIP
    >>> cdnow.customer_id.nunique()  # doctest: +SKIP
    23570
    """
    return _cdnow_table(_cdnow_path()).copy()


@lru_cache(maxsize=1)
def _cdnow_table(path: Path) -> pd.DataFrame:
    # The file inside an installed package never changes: parse it once per process
    # (a grading kernel forked from a pre-warmed template gets it for free).
    raw = pd.read_csv(
        path,
        sep=r"\s+",
        header=0,
        names=["customer_id", "date", "number_of_cds", "dollar_value"],
        dtype={
            "customer_id": str,
            "date": str,
            "number_of_cds": "int64",
            "dollar_value": "float64",
        },
    )
    raw = raw.assign(order_time=pd.to_datetime(raw.date, format="%Y%m%d").astype("datetime64[ns]"))
    raw = raw.sort_values(["order_time", "customer_id"], kind="stable").reset_index(drop=True)
    statuses = pd.CategoricalDtype(list(schema.ORDER_STATUSES))
    return pd.DataFrame(
        {
            "order_id": pd.array([f"D{i:07d}" for i in range(1, len(raw) + 1)], dtype=STR_DTYPE),
            "customer_id": raw.customer_id.astype(STR_DTYPE),
            "order_time": raw.order_time,
            "status": pd.Categorical(["paid"] * len(raw), dtype=statuses),
            "net_amount_usd": raw.dollar_value,
            "quantity": raw.number_of_cds,
        }
    )
