"""Hand-made cases for chapter 02's hidden tests (customer information management).

Each case pins down one rule a large table might hide: phone formats and invalid numbers,
e-mail forms, a small multi-source record table whose quality figures and duplicate
pairs can be counted by hand, and orders and tickets on the edges of the credit rules.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from grader.fixtures import fresh_copies

__all__ = [
    "shop_records",
    "EDGE_PHONES",
    "EDGE_EMAILS",
    "edge_records",
    "EDGE_GROUPS",
    "edge_credit_tables",
    "keyed_report",
    "group_labels",
    "keyed_mart",
    "second_mart",
]

@lru_cache(maxsize=2)
def _shop_records(which: str):
    from crm_lab.data import load_customer_records
    from grader.fixtures import second_shop
    from grader.reference import information as ref

    records = load_customer_records() if which == "shipped" else second_shop()["customer_records"]
    return records, ref.clean_records(records)


def shop_records(which: str = "shipped") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(raw records, reference-cleaned records) of the shipped shop or of the second shop
    (``which="second"``), fresh copies; the cleaning is done once per process."""
    records, clean = _shop_records(which)
    return records.copy(), clean.copy()


# (raw phone, E.164 or None)
EDGE_PHONES = (
    ("13812345678", "+8613812345678"),
    ("+86 138 1234 5678", "+8613812345678"),
    ("138-1234-5678", "+8613812345678"),
    ("0086 138 1234 5678", "+8613812345678"),
    ("86-13812345678", "+8613812345678"),
    ("１３８１２３４５６７８", "+8613812345678"),  # full-width digits (全角)
    (" 139 0000 1111 ", "+8613900001111"),
    ("021-6234 5678", "+862162345678"),  # a Shanghai landline is a valid Chinese number
    ("1381234567", None),  # a digit dropped
    ("12345678901", None),  # no such prefix
    ("+1 650 253 0000", None),  # a valid number, but not a Chinese one
    ("138****5678", None),  # masked
    ("", None),
    ("not given", None),
)
# (raw e-mail, cleaned or None)
EDGE_EMAILS = (
    ("wangfang88@163.com", "wangfang88@163.com"),
    ("WangFang88@163.COM", "wangfang88@163.com"),
    ("  li.na@qq.com\t", "li.na@qq.com"),
    ("zhang_wei@mail.example.cn", "zhang_wei@mail.example.cn"),
    ("liu\uff20sina.com", "liu@sina.com"),  # full-width @
    ("chen.1990@foxmail.com", "chen.1990@foxmail.com"),
    ("wangfang88163.com", None),  # no @
    ("wangfang88@163", None),  # no top-level domain
    ("wangfang88@163,com", None),  # comma for dot
    ("wang@@163.com", None),
    ("wang fang@163.com", None),  # a space inside
    ("", None),
)


@fresh_copies
def edge_records() -> pd.DataFrame:
    """Nine raw records of four people, with every column of ``customer_records``.

    C1 (three records: the same phone in two formats, then an e-mail that matches the
    third), C2 (two records: a name with a space, a changed phone, the same city and birth
    date), C3 (one record, invalid phone and e-mail) and C4 (three records: a title-only
    name and a valid phone, the same phone, and a record with nothing but a name).
    """
    from crm_lab.data import schema, validate_table

    # record_id|source|captured_date|name|phone|email|birth_date|province|city|consent|truth
    table = """
E01|platform_order|2024-03-01|王芳|13812345678|||广东省|深圳||C1
E02|mini_program|2024-05-01|王芳|+86 138 1234 5678|wf@qq.com|1990-05-17|广东省|深圳市|True|C1
E03|tasting_event|2024-09-07|王 芳|138 1234 567|WF@QQ.COM|1990/5/17|广东|Shenzhen|False|C1
E04|platform_order|2024-03-02|李 静|13900001111|||北京市|北京||C2
E05|mini_program|2024-06-02|李静|15000002222||1985-02-30|北京市|北京市|True|C2
E06|tasting_event|2024-06-03|张伟|1360000333|zw@163|2001-13-01||beijing|True|C3
E07|service_export|2024-07-01|刘女士|+8618600004444||||||C4
E08|platform_order|2024-02-01|刘晓|186-0000-4444|||上海市|上海||C4
E09|service_export|2025-01-01|刘晓|||||||C4
"""
    rows = [[field or None for field in line.split("|")] for line in table.strip().splitlines()]
    columns = [c.name for c in schema.RECORD_TABLES["customer_records"]]
    frame = pd.DataFrame(rows, columns=columns)
    return validate_table("customer_records", frame, source="<edge records>")


# (groups, truth, precision, recall): counted by hand. Pairs within truth: a-b, a-c, b-c, d-e.
EDGE_GROUPS = (
    ([0, 0, 1, 2, 2], ["A", "A", "A", "B", "B"], 1.0, 0.5),  # a-b and d-e found, of 4
    ([0, 0, 0, 0, 0], ["A", "A", "A", "B", "B"], 0.4, 1.0),  # 10 pairs, 4 true
    ([0, 1, 2, 3, 4], ["A", "A", "A", "B", "B"], 1.0, 0.0),  # nothing put together
    ([0, 0, 1, 1, 2], ["A", "B", "C", "C", "D"], 0.5, 1.0),  # one right pair of two
)


@fresh_copies
def edge_credit_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(orders, tickets) on the edges of the credit rules.

    A: 2 refunded of 4 paid or refunded (rate 0.5, exactly the rule; its closed order does
    not count) -> serial refunder. B: 2 refunded of 5
    (0.4) -> not. C: 1 refunded of 1 -> not (one refund is not serial). D: 3 tickets, one
    rejected -> abusive. E: 3 tickets, none rejected -> not. F: 2 tickets, both rejected ->
    not (fewer than 3). G: only a closed (never paid) order -> no row at all.
    """
    from grader.fixtures import orders_table

    def orders_of(customer, statuses, start):
        return [(f"{customer}{i}", customer, f"2025-0{start}-{i + 1:02d} 10:00", status, 100.0)
                for i, status in enumerate(statuses)]

    rows = (orders_of("A", ["paid", "refunded", "paid", "refunded", "closed"], 1)
            + orders_of("B", ["paid", "paid", "refunded", "paid", "refunded"], 2)
            + orders_of("C", ["refunded"], 3) + orders_of("D", ["paid"] * 3, 4)
            + orders_of("E", ["paid"] * 3, 5) + orders_of("F", ["paid", "paid"], 6)
            + orders_of("G", ["closed"], 7))
    orders = orders_table(rows)
    ticket_rows = [
        ("T1", "D0", "D", "rejected"), ("T2", "D1", "D", "refund"), ("T3", "D2", "D", None),
        ("T4", "E0", "E", "refund"), ("T5", "E1", "E", "explanation"),
        ("T6", "E2", "E", "replacement"),
        ("T7", "F0", "F", "rejected"), ("T8", "F1", "F", "rejected"), ("T9", "A0", "A", "refund"),
    ]
    tickets = pd.DataFrame(ticket_rows, columns=["ticket_id", "order_id", "customer_id", "outcome"])
    tickets["outcome"] = pd.Categorical(tickets["outcome"], categories=[
        "refund", "replacement", "compensation", "explanation", "rejected"])
    return orders, tickets


def keyed_report(report) -> pd.DataFrame:
    """A quality report with one key column ``source_column`` ("mini_program/phone"), whether
    ``source`` and ``column`` are columns or the index."""
    table = report.reset_index() if {"source", "column"} - set(report.columns) else report.copy()
    missing = {"source", "column"} - set(table.columns)
    if missing:
        raise AssertionError(f"the quality report has no {sorted(missing)} (as columns or index).")
    table["source_column"] = table["source"].astype(str) + "/" + table["column"].astype(str)
    return table


def group_labels(result, record_ids):
    """The group label of each record of ``record_ids``, in that order, from a Series of
    labels indexed by record_id (what duplicate_groups returns)."""
    if not isinstance(result, pd.Series):
        raise AssertionError(
            "duplicate_groups should return a Series of labels indexed by record_id.")
    labels = result.copy()
    labels.index = labels.index.astype(str)
    if labels.index.has_duplicates:
        raise AssertionError("duplicate_groups gives some record_id more than one label.")
    aligned = labels.reindex(pd.Index(record_ids).astype(str))
    if aligned.isna().any():
        missing = int(aligned.isna().sum())
        raise AssertionError(f"duplicate_groups has no label for {missing} records.")
    return aligned.astype(str).to_numpy()


_MART_KEYS = {"dim_customer": ("customer_id",), "dim_product": ("product_id",),
              "dim_date": ("date_key",), "fact_orders": ("order_id", "line_no")}


def keyed_mart(table: str, got: pd.DataFrame, want: pd.DataFrame):
    """``(key, got, want)`` for comparing one mart table: a single text key column made from
    the table's key, dates in both tables at day precision, categories as text."""
    parts = _MART_KEYS[table]

    def prepare(frame):
        frame = frame.copy()
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                frame[column] = frame[column].astype(str)
            elif pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].astype("datetime64[ns]")
        # column by column, not row by row (.agg("/".join, axis=1) takes 0.1 s per table)
        key = frame[parts[0]].astype(str).to_numpy(dtype=object)
        for part in parts[1:]:
            key = key + "/" + frame[part].astype(str).to_numpy(dtype=object)
        frame["mart_key"] = key
        return frame

    return "mart_key", prepare(got), prepare(want)


@lru_cache(maxsize=1)
def _second_mart():
    from crm_lab.information import mart_connection
    from grader.fixtures import second_shop
    from grader.reference import information as ref

    other = second_shop()
    frames = ref.mart_frames(**{name: other[name] for name in
                                ("customers", "products", "orders", "order_items")})
    return frames, mart_connection(**frames)


def second_mart():
    """(the star schema's tables as DataFrames, a DuckDB connection holding them) for the
    second shop, built once per process: every DuckDB connection reserves address space
    (about 0.6 GB for the first), so the hidden tests share one rather than open their own."""
    frames, con = _second_mart()
    return {name: table.copy() for name, table in frames.items()}, con
