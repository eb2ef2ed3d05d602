"""Reference answers for chapter 02, customer information management (客户信息管理).

Cleaning (phones with Google's libphonenumber, e-mails, names, regions, birth dates), a
data-quality report per source and column, duplicate groups from exact keys and a fuzzy
rule, their precision and recall against the generator's truth, the DuckDB star schema and
its SQL answers, credit and blacklist flags. The hidden tests compare students' functions
with these.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from crm_lab.information import (
    CITY_PROVINCES,
    EMAIL_PATTERN,
    clean_table,
    groups_from_pairs,
    is_missing,
    is_title_only,
    phone_digits,
    same_value_pairs,
    standardize_province,
)

__all__ = [
    "standardize_phone",
    "clean_email",
    "clean_records",
    "quality_report",
    "pair_precision_recall",
    "exact_key_groups",
    "candidate_pairs",
    "fuzzy_pairs",
    "duplicate_groups",
    "build_mart",
    "MART_TABLES",
    "revenue_by_tier_month",
    "repeat_rate_by_channel",
    "credit_flags",
]

_EMAIL = re.compile(EMAIL_PATTERN)


def standardize_phone(raw) -> str | None:
    """A Chinese phone number (mobile or landline) in E.164 (+8613812345678), or None if it
    is missing, not a valid number (libphonenumber's judgement) or not a Chinese one."""
    import phonenumbers

    if is_missing(raw):
        return None
    try:
        number = phonenumbers.parse(str(raw), "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(
            number) != "CN":
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_email(raw) -> str | None:
    """The e-mail in lower case without spaces (full-width signs made half-width), or None
    if missing or not of the form local@domain.tld."""
    if is_missing(raw):
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    return text if _EMAIL.fullmatch(text) else None


def clean_records(records: pd.DataFrame) -> pd.DataFrame:
    """The records cleaned with the reference phone and e-mail rules (see
    :func:`crm_lab.information.clean_table`)."""
    return clean_table(records, phone=standardize_phone, email=clean_email)


QUALITY_COLUMNS = ("name", "phone", "email", "birth_date", "province", "city")


def _valid_name(std) -> bool:
    return not is_missing(std) and not is_title_only(std)


def quality_report(records: pd.DataFrame, clean: pd.DataFrame) -> pd.DataFrame:
    """One row per source and column (columns ``source``, ``column``): ``completeness`` (share
    of records with a value), ``validity`` (share of those values that are valid: their
    standard form in ``clean`` exists; a title-only name is not valid) and ``uniqueness``
    (distinct valid values / valid values), NaN where there are no values."""
    standard = {
        "name": clean["name_std"].map(lambda s: s if _valid_name(s) else None),
        "phone": clean["phone_std"], "email": clean["email_std"],
        "birth_date": clean["birth_date_std"], "city": clean["city_std"],
        "province": records["province"].map(standardize_province).to_numpy(dtype=object),
    }
    rows = []
    sources = records["source"].astype(str).to_numpy()
    for source in pd.unique(records["source"].astype(str)):
        here = sources == source
        for column in QUALITY_COLUMNS:
            raw = records.loc[here, column]
            filled = raw.notna() & (raw.astype(str).str.strip() != "")
            valid = pd.Series(standard[column], index=records.index)[here][filled.to_numpy()]
            valid = valid.dropna()
            n_filled = int(filled.sum())
            rows.append({
                "source": source, "column": column,
                "completeness": n_filled / int(here.sum()),
                "validity": len(valid) / n_filled if n_filled else np.nan,
                "uniqueness": valid.nunique() / len(valid) if len(valid) else np.nan,
            })
    return pd.DataFrame(rows)


def pair_precision_recall(groups, truth) -> tuple[float, float]:
    """Pairwise precision and recall of ``groups`` (a label per record) against ``truth``
    (the true customer per record), compared by position: the share of record pairs put
    together that are the same customer, and the share of same-customer pairs put together."""
    frame = pd.DataFrame({"group": np.asarray(groups), "truth": np.asarray(truth)})
    if frame.isna().any().any():
        raise ValueError("pair_precision_recall: groups and truth must cover the same records")

    def pairs(counts):
        counts = counts.to_numpy(dtype=float)
        return float((counts * (counts - 1) / 2).sum())

    both = pairs(frame.groupby(["group", "truth"]).size())
    predicted = pairs(frame.groupby("group").size())
    actual = pairs(frame.groupby("truth").size())
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    return precision, recall


# The fuzzy rule, within records of the same city and surname (first character): the same
# standardized name, or names at least this similar (rapidfuzz ratio, 0-100) whose phones
# differ by at most PHONE_EDITS_MAX digits (a dropped or swapped digit) or whose birth dates
# agree.
NAME_SIMILARITY_MIN = 50
PHONE_EDITS_MAX = 2


def exact_key_groups(clean: pd.DataFrame) -> pd.Series:
    """The rule to beat: records with the same standardized phone or e-mail are one person."""
    pairs = same_value_pairs(clean, "phone_std") + same_value_pairs(clean, "email_std")
    return groups_from_pairs(clean["record_id"], pairs)


def candidate_pairs(clean: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Pairs of records (``_a`` and ``_b`` columns, each pair once) in the same city with
    the same surname: the blocks the fuzzy rule compares within. Titles (王女士) are left out."""
    people = clean.assign(digits=records["phone"].map(phone_digits).to_numpy(dtype=object))
    people = people[people["city_std"].notna() & people["name_std"].map(_valid_name)]
    people = people.assign(surname=people["name_std"].str[0])
    pairs = people.merge(people, on=["city_std", "surname"], suffixes=("_a", "_b"))
    return pairs[pairs["record_id_a"] < pairs["record_id_b"]].reset_index(drop=True)


def fuzzy_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """The candidate pairs the fuzzy rule accepts."""
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Levenshtein

    same_name = (pairs["name_std_a"] == pairs["name_std_b"]).to_numpy()
    similar = np.array([fuzz.ratio(a, b) >= NAME_SIMILARITY_MIN
                        for a, b in zip(pairs["name_std_a"], pairs["name_std_b"], strict=True)])
    close_phone = np.array([not is_missing(a) and not is_missing(b)
                            and Levenshtein.distance(a, b) <= PHONE_EDITS_MAX
                            for a, b in zip(pairs["digits_a"], pairs["digits_b"], strict=True)],
                           dtype=bool)
    same_birth = (pairs["birth_date_std_a"] == pairs["birth_date_std_b"]).to_numpy()
    return pairs[same_name | (similar & (close_phone | same_birth))]


def duplicate_groups(clean: pd.DataFrame, records: pd.DataFrame) -> pd.Series:
    """Groups of records judged to be one person: exact keys (the same standardized phone or
    e-mail), then the fuzzy rule above. ``records`` gives the raw phones for digit
    distances. A Series of group numbers indexed by record_id."""
    pairs = same_value_pairs(clean, "phone_std") + same_value_pairs(clean, "email_std")
    matched = fuzzy_pairs(candidate_pairs(clean, records))
    pairs += list(zip(matched["record_id_a"], matched["record_id_b"], strict=True))
    return groups_from_pairs(clean["record_id"], pairs)


def marketing_export(records: pd.DataFrame, clean: pd.DataFrame) -> pd.DataFrame:
    """What may go to the SMS agency under PIPL: records whose customer said yes to
    marketing (``marketing_consent`` True) and have a valid phone; columns record_id,
    name_masked, phone_masked, city_std, nothing else."""
    from crm_lab.information import mask_name, mask_phone

    consent = records["marketing_consent"].fillna(False).astype(bool).to_numpy()
    keep = clean[consent & clean["phone_std"].notna().to_numpy()]
    return pd.DataFrame({
        "record_id": keep["record_id"].to_numpy(),
        "name_masked": keep["name_std"].map(mask_name).to_numpy(dtype=object),
        "phone_masked": keep["phone_std"].map(mask_phone).to_numpy(dtype=object),
        "city_std": keep["city_std"].to_numpy(dtype=object),
    })


# The star schema: each table's columns, in order (fact at the grain of an order line).
MART_TABLES = {
    "dim_customer": ("customer_id", "signup_date", "acquisition_channel", "city", "province",
                     "city_tier", "gender", "birth_year"),
    "dim_product": ("product_id", "name_zh", "name_en", "category", "list_price_cny"),
    "dim_date": ("date_key", "year", "quarter", "month", "day_of_week", "is_weekend"),
    "fact_orders": ("order_id", "line_no", "customer_id", "product_id", "date_key", "status",
                    "quantity", "line_amount_cny", "net_line_cny"),
}


def mart_frames(customers, products, orders, order_items) -> dict[str, pd.DataFrame]:
    """The four tables of the star schema as DataFrames (the pandas way)."""
    province = customers["city"].astype(str).map(lambda c: CITY_PROVINCES[c][0])
    dim_customer = customers.assign(province=province.to_numpy())[
        list(MART_TABLES["dim_customer"])]
    days = pd.date_range(orders["order_time"].min().normalize(),
                         orders["order_time"].max().normalize(), freq="D")
    dim_date = pd.DataFrame({
        "date_key": days, "year": days.year, "quarter": days.quarter, "month": days.month,
        "day_of_week": days.day_of_week + 1, "is_weekend": days.day_of_week >= 5,
    })
    lines = order_items.merge(orders[["order_id", "customer_id", "order_time", "status",
                                      "net_amount_cny"]], on="order_id")
    share = lines["line_amount_cny"] / lines.groupby("order_id")["line_amount_cny"].transform("sum")
    fact = lines.assign(date_key=lines["order_time"].dt.normalize(),
                        net_line_cny=lines["net_amount_cny"] * share)
    fact = fact.sort_values(["order_id", "line_no"])[list(MART_TABLES["fact_orders"])]
    return {"dim_customer": dim_customer.reset_index(drop=True),
            "dim_product": products[list(MART_TABLES["dim_product"])].reset_index(drop=True),
            "dim_date": dim_date, "fact_orders": fact.reset_index(drop=True)}


def build_mart(customers, products, orders, order_items):
    """An in-memory DuckDB database holding the star schema (dim_customer, dim_product,
    dim_date, fact_orders)."""
    from crm_lab.information import mart_connection

    return mart_connection(**mart_frames(customers, products, orders, order_items))


REVENUE_BY_TIER_MONTH_SQL = """
SELECT c.city_tier::VARCHAR AS city_tier, strftime(f.date_key, '%Y-%m') AS month,
       sum(f.net_line_cny) AS revenue_cny
FROM fact_orders AS f JOIN dim_customer AS c USING (customer_id)
WHERE f.status = 'paid'
GROUP BY ALL ORDER BY city_tier, month
"""

REPEAT_RATE_BY_CHANNEL_SQL = """
WITH paid_orders AS (
    SELECT DISTINCT customer_id, order_id FROM fact_orders WHERE status = 'paid'
), per_customer AS (
    SELECT customer_id, count(*) AS n_orders FROM paid_orders GROUP BY customer_id
)
SELECT c.acquisition_channel::VARCHAR AS acquisition_channel, count(*) AS buyers,
       count(*) FILTER (WHERE p.n_orders >= 2) AS repeat_buyers,
       count(*) FILTER (WHERE p.n_orders >= 2) / count(*) AS repeat_rate
FROM per_customer AS p JOIN dim_customer AS c USING (customer_id)
GROUP BY ALL ORDER BY acquisition_channel
"""


def revenue_by_tier_month(con) -> pd.DataFrame:
    """Paid revenue (CNY) by city tier and month ('YYYY-MM'), from the mart, in SQL."""
    return con.sql(REVENUE_BY_TIER_MONTH_SQL).df()


def repeat_rate_by_channel(con) -> pd.DataFrame:
    """Buyers (1+ paid orders), repeat buyers (2+) and their share by acquisition channel."""
    return con.sql(REPEAT_RATE_BY_CHANNEL_SQL).df()


def revenue_by_tier_month_pandas(frames) -> pd.DataFrame:
    """The same answer as :func:`revenue_by_tier_month`, in pandas (the peer check)."""
    fact = frames["fact_orders"]
    paid = fact[fact["status"] == "paid"].merge(frames["dim_customer"], on="customer_id")
    out = paid.assign(city_tier=paid["city_tier"].astype(str),
                      month=paid["date_key"].dt.strftime("%Y-%m"))
    out = out.groupby(["city_tier", "month"], as_index=False)["net_line_cny"].sum()
    return out.rename(columns={"net_line_cny": "revenue_cny"}).sort_values(
        ["city_tier", "month"]).reset_index(drop=True)


def repeat_rate_by_channel_pandas(frames) -> pd.DataFrame:
    """The same answer as :func:`repeat_rate_by_channel`, in pandas."""
    fact = frames["fact_orders"]
    orders = fact.loc[fact["status"] == "paid"].groupby("customer_id")["order_id"].nunique()
    channel = frames["dim_customer"].set_index("customer_id")["acquisition_channel"].astype(str)
    per = pd.DataFrame({"n_orders": orders, "acquisition_channel": channel.reindex(orders.index)})
    out = per.groupby("acquisition_channel").agg(
        buyers=("n_orders", "size"), repeat_buyers=("n_orders", lambda s: int((s >= 2).sum())))
    out["repeat_rate"] = out["repeat_buyers"] / out["buyers"]
    return out.reset_index().sort_values("acquisition_channel").reset_index(drop=True)


# Credit and blacklist rules (信用与黑名单): a serial refunder has 2+ refunded orders that are
# at least half of their paid-or-refunded orders; an abusive claimant opened 3+ service
# tickets, at least one of which the shop rejected as unfounded.
SERIAL_REFUNDS_MIN = 2
SERIAL_REFUND_RATE_MIN = 0.5
CLAIMS_MIN = 3


def credit_flags(orders: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    """One row per customer with a paid or refunded order, indexed by customer_id:
    paid_orders, refunded_orders, refund_rate, tickets, rejected_tickets (int / float),
    serial_refunder, abusive_claimant, blacklisted (bool: either flag)."""
    bought = orders[orders["status"].isin(["paid", "refunded"])]
    counts = pd.crosstab(bought["customer_id"], bought["status"].astype(str))
    counts = counts.reindex(columns=["paid", "refunded"], fill_value=0)
    out = pd.DataFrame({"paid_orders": counts["paid"], "refunded_orders": counts["refunded"]})
    out["refund_rate"] = out["refunded_orders"] / (out["paid_orders"] + out["refunded_orders"])
    rejected = (tickets["outcome"].astype(object) == "rejected").to_numpy()
    per_ticket = pd.DataFrame({
        "tickets": tickets.groupby("customer_id").size(),
        "rejected_tickets": pd.Series(rejected, index=tickets.index).groupby(
            tickets["customer_id"]).sum(),
    })
    out = out.join(per_ticket)
    out[["tickets", "rejected_tickets"]] = out[["tickets", "rejected_tickets"]].fillna(0).astype(
        "int64")
    out["serial_refunder"] = (out["refunded_orders"] >= SERIAL_REFUNDS_MIN) & (
        out["refund_rate"] >= SERIAL_REFUND_RATE_MIN)
    out["abusive_claimant"] = (out["tickets"] >= CLAIMS_MIN) & (out["rejected_tickets"] >= 1)
    out["blacklisted"] = out["serial_refunder"] | out["abusive_claimant"]
    out.index.name = "customer_id"
    return out
