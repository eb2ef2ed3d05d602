"""The customer-information chapter's autograder tests are honest: every correct answer passes,
in any reasonable style, and each common mistake fails exactly the cells it should.

Graded in-process (see harness.py); the nbgrader round trip checks a real kernel agrees.
"""

from __future__ import annotations

import math
import re
import unicodedata

import duckdb
import numpy as np
import pandas as pd
import phonenumbers
from autograder_contract import ChapterAutograder

from crm_lab.information import (
    EMAIL_PATTERN,
    REGIONS,
    groups_from_pairs,
    is_missing,
    mart_connection,
    mask_name,
    mask_phone,
    same_value_pairs,
)
from grader.reference import information as ref

REFERENCE = {
    "standardize_phone": ref.standardize_phone,
    "clean_email": ref.clean_email,
    "quality_report": ref.quality_report,
    "pair_precision_recall": ref.pair_precision_recall,
    "duplicate_groups": ref.duplicate_groups,
    "marketing_export": ref.marketing_export,
    "build_mart": ref.build_mart,
    "revenue_by_tier_month": ref.revenue_by_tier_month,
    "repeat_rate_by_channel": ref.repeat_rate_by_channel,
    "credit_flags": ref.credit_flags,
}
PHONE_CELLS = {"test_standardize_phone_formats", "test_standardize_phone_invalid"}
QUALITY_CELLS = {"test_quality_report_shop", "test_quality_report_rules"}
DUPLICATE_CELLS = {"test_duplicate_groups_shop", "test_duplicate_groups_other"}
MART_CELLS = {"test_build_mart_structure", "test_build_mart_values"}
CREDIT_CELLS = {"test_credit_flags_shop", "test_credit_flags_rules"}


# ---- other correct styles -------------------------------------------------------------


def phone_from_parts(raw):
    """E.164 written by hand from the parsed number's parts; every exception caught."""
    try:
        number = phonenumbers.parse(str(raw), "CN") if isinstance(raw, str) else None
    except Exception:
        return None
    if number is None or not phonenumbers.is_valid_number_for_region(number, "CN"):
        return None
    return f"+{number.country_code}{number.national_number}"


def email_casefold(raw):
    """casefold, re.match with an end anchor, pd.isna for missing values."""
    if not isinstance(raw, str) and pd.isna(raw):
        return None
    text = unicodedata.normalize("NFKC", raw).strip().casefold()
    return text if re.match(EMAIL_PATTERN.rstrip("$") + r"\Z", text) else None


def quality_multiindex(records, clean):
    """Vectorised by groupby, columns in another order."""
    valid = {
        "name": clean["name_std"].where(
            ~clean["name_std"].fillna("").str.fullmatch(r".{1,2}(先生|女士|小姐)")
        ),
        "phone": clean["phone_std"],
        "email": clean["email_std"],
        "birth_date": clean["birth_date_std"],
        "city": clean["city_std"],
        "province": records["province"].map(ref.standardize_province),
    }
    parts = []
    for column in ("name", "phone", "email", "birth_date", "province", "city"):
        raw = records[column].astype("string").str.strip()
        frame = pd.DataFrame(
            {
                "source": records["source"].astype(str).to_numpy(),
                "filled": (raw.notna() & raw.ne("")).fillna(False).to_numpy(),
                "value": pd.Series(valid[column]).to_numpy(),
            }
        )
        frame["value"] = frame["value"].where(frame["filled"])
        by = frame.groupby("source")
        part = pd.DataFrame(
            {
                "completeness": by["filled"].mean(),
                "validity": by["value"].count() / by["filled"].sum().replace(0, np.nan),
                "uniqueness": by["value"].nunique() / by["value"].count().replace(0, np.nan),
            }
        )
        part["column"] = column
        parts.append(part)
    return pd.concat(parts).reset_index()[
        ["column", "source", "validity", "uniqueness", "completeness"]
    ]


def pairs_with_comb(groups, truth):
    """math.comb over a crosstab's cells."""
    table = pd.crosstab(pd.Series(list(groups), name="g"), pd.Series(list(truth), name="t"))
    both = sum(math.comb(int(n), 2) for n in table.to_numpy().ravel())
    predicted = sum(math.comb(int(n), 2) for n in table.sum(axis=1))
    actual = sum(math.comb(int(n), 2) for n in table.sum(axis=0))
    return (both / predicted if predicted else 1.0), (both / actual if actual else 1.0)


def groups_union_find(clean, records):
    """The reference's pairs, grouped by a hand-written union-find; labels are strings."""
    pairs = same_value_pairs(clean, "phone_std") + same_value_pairs(clean, "email_std")
    matched = ref.fuzzy_pairs(ref.candidate_pairs(clean, records))
    pairs += list(zip(matched["record_id_a"], matched["record_id_b"], strict=True))
    parent = {r: r for r in clean["record_id"]}

    def find(r):
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for a, b in pairs:
        parent[find(a)] = find(b)
    return pd.Series({r: f"G-{find(r)}" for r in clean["record_id"]})


def export_with_query(records, clean):
    """query() on a merged table, columns in another order, index kept."""
    both = clean.assign(consent=records["marketing_consent"].to_numpy())
    keep = both[both["consent"].eq(True).fillna(False).astype(bool) & both["phone_std"].notna()]
    return pd.DataFrame(
        {
            "city_std": keep["city_std"],
            "phone_masked": keep["phone_std"].map(mask_phone),
            "name_masked": keep["name_std"].map(mask_name),
            "record_id": keep["record_id"],
        }
    )


def mart_in_sql(customers, products, orders, order_items):
    """duckdb.connect() and CREATE TABLE ... AS SELECT, the allocation done in SQL."""
    con = duckdb.connect()
    for name, df in {
        "c": customers,
        "p": products,
        "o": orders,
        "i": order_items,
        "r": REGIONS,
    }.items():
        con.register(name, df)
    con.execute("""CREATE TABLE dim_customer AS
        SELECT c.customer_id, c.signup_date, c.acquisition_channel, c.city, r.province,
               c.city_tier, c.gender, c.birth_year
        FROM c LEFT JOIN r USING (city)""")
    con.execute(
        "CREATE TABLE dim_product AS"
        " SELECT product_id, name_zh, name_en, category, list_price_cny FROM p"
    )
    con.execute("""CREATE TABLE dim_date AS
        SELECT d::TIMESTAMP AS date_key, year(d) AS year, quarter(d) AS quarter, month(d) AS month,
               isodow(d) AS day_of_week, isodow(d) >= 6 AS is_weekend
        FROM range((SELECT min(order_time)::DATE FROM o), (SELECT max(order_time)::DATE FROM o) + 1,
                   INTERVAL 1 DAY) AS t(d)""")
    con.execute("""CREATE TABLE fact_orders AS
        SELECT i.order_id, i.line_no, o.customer_id, i.product_id,
               date_trunc('day', o.order_time) AS date_key, o.status, i.quantity, i.line_amount_cny,
               o.net_amount_cny * i.line_amount_cny
                   / sum(i.line_amount_cny) OVER (PARTITION BY i.order_id)
                   AS net_line_cny
        FROM i JOIN o USING (order_id)""")
    return con


def revenue_ordered_cte(con):
    """A CTE, an explicit GROUP BY and ORDER BY, month from year and month."""
    return con.sql("""
        WITH paid AS (SELECT * FROM fact_orders WHERE status = 'paid')
        SELECT CAST(c.city_tier AS VARCHAR) AS city_tier,
               printf('%04d-%02d', year(p.date_key), month(p.date_key)) AS month,
               round(sum(p.net_line_cny), 6) AS revenue_cny
        FROM paid p JOIN dim_customer c ON c.customer_id = p.customer_id
        GROUP BY 1, 2 ORDER BY 1, 2""").df()


def repeat_in_pandas(con):
    """The SQL only fetches the paid lines; pandas does the rest."""
    lines = con.sql("""SELECT f.customer_id, f.order_id, c.acquisition_channel::VARCHAR AS channel
                       FROM fact_orders f JOIN dim_customer c USING (customer_id)
                       WHERE f.status = 'paid'""").df()
    per = lines.groupby(["channel", "customer_id"])["order_id"].nunique().reset_index()
    out = per.groupby("channel")["order_id"].agg(
        buyers="size", repeat_buyers=lambda s: (s >= 2).sum()
    )
    out["repeat_rate"] = out["repeat_buyers"] / out["buyers"]
    return out.rename_axis("acquisition_channel")


def credit_crosstab_inplace(orders, tickets):
    """crosstab, a groupby.apply, and set_index(inplace=True): pandas 3.1 warns that inplace
    is deprecated (a Pandas4Warning), no mistake."""
    bought = orders[orders["status"].astype(str).isin(["paid", "refunded"])]
    counts = pd.crosstab(bought["customer_id"], bought["status"].astype(str)).reindex(
        columns=["paid", "refunded"], fill_value=0
    )
    rejected = pd.Series(dtype="int64")
    if len(tickets):
        rejected = tickets.groupby("customer_id").apply(
            lambda g: int((g["outcome"].astype(object) == "rejected").sum())
        )
    out = pd.DataFrame({"paid_orders": counts["paid"], "refunded_orders": counts["refunded"]})
    out["tickets"] = tickets.groupby("customer_id").size().reindex(out.index)
    out["rejected_tickets"] = rejected.reindex(out.index)
    out = out.fillna({"tickets": 0, "rejected_tickets": 0})
    out["refund_rate"] = out["refunded_orders"] / out[["paid_orders", "refunded_orders"]].sum(
        axis=1
    )
    out["serial_refunder"] = out["refunded_orders"].ge(2) & out["refund_rate"].ge(0.5)
    out["abusive_claimant"] = out["tickets"].ge(3) & out["rejected_tickets"].ge(1)
    out["blacklisted"] = out["serial_refunder"] | out["abusive_claimant"]
    out = out.rename_axis("customer").reset_index()
    out.set_index("customer", inplace=True)
    return out.rename_axis("customer_id")


CORRECT_STYLES = {
    "phone from its parts, every exception caught": dict(standardize_phone=phone_from_parts),
    "e-mail with casefold and an end anchor": dict(clean_email=email_casefold),
    "quality report vectorised, columns in another order": dict(quality_report=quality_multiindex),
    "pairs counted with math.comb over a crosstab": dict(pair_precision_recall=pairs_with_comb),
    "groups by a hand-written union-find, string labels": dict(duplicate_groups=groups_union_find),
    "marketing export with query, other column order": dict(marketing_export=export_with_query),
    "mart built in SQL (CREATE TABLE AS, window sum)": dict(build_mart=mart_in_sql),
    "revenue with a CTE, GROUP BY 1, 2 and ORDER BY": dict(
        revenue_by_tier_month=revenue_ordered_cte
    ),
    "repeat rate finished in pandas, channel as index": dict(
        repeat_rate_by_channel=repeat_in_pandas
    ),
    "credit flags with set_index(inplace=True) (pandas warns)": dict(
        credit_flags=credit_crosstab_inplace
    ),
}


# ---- common mistakes ------------------------------------------------------------------


def phone_by_regex(raw):
    """An 11-digit mobile regex instead of libphonenumber: landlines lost, +1 numbers 'Chinese'."""
    if is_missing(raw):
        return None
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", str(raw)))
    digits = digits[2:] if len(digits) == 13 and digits.startswith("86") else digits
    digits = digits[4:] if digits.startswith("0086") else digits
    return f"+86{digits}" if re.fullmatch(r"1[3-9]\d{9}", digits) else None


def phone_national_digits(raw):
    number = ref.standardize_phone(raw)
    return None if number is None else number[3:]


def phone_any_country(raw):
    if is_missing(raw):
        return None
    try:
        number = phonenumbers.parse(str(raw), "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_international_format(raw):
    number = ref.standardize_phone(raw)
    if number is None:
        return None
    parsed = phonenumbers.parse(number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def email_keeps_case(raw):
    if is_missing(raw):
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    return text if re.fullmatch(EMAIL_PATTERN, text.lower()) else None


def email_search_not_fullmatch(raw):
    if is_missing(raw):
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    return text if re.search(EMAIL_PATTERN.strip("^$"), text) else None


def email_without_nfkc(raw):
    if is_missing(raw):
        return None
    text = str(raw).strip().lower()
    return text if re.fullmatch(EMAIL_PATTERN, text) else None


def quality_blanks_filled(records, clean):
    """Counts a value of spaces as filled (notna only)."""
    report = ref.quality_report(records, clean)
    filled = records[["name", "phone", "email", "birth_date", "province", "city"]].notna()
    shares = filled.groupby(records["source"].astype(str)).mean()
    report["completeness"] = [
        shares.loc[s, c] for s, c in zip(report["source"], report["column"], strict=True)
    ]
    return report


def quality_validity_over_records(records, clean):
    report = ref.quality_report(records, clean)
    report["validity"] = (report["validity"] * report["completeness"]).fillna(0.0)
    return report


def quality_titles_valid(records, clean):
    patched = clean.assign(name_std=clean["name_std"].map(lambda s: s if s is None else s + "_"))
    return ref.quality_report(records, patched)


def quality_zero_not_nan(records, clean):
    return ref.quality_report(records, clean).fillna(0.0)


def quality_uniqueness_of_raw(records, clean):
    report = ref.quality_report(records, clean)
    shares = records.groupby(records["source"].astype(str)).agg(
        {
            c: lambda s: s.dropna().nunique() / max(s.notna().sum(), 1)
            for c in ("name", "phone", "email", "birth_date", "province", "city")
        }
    )
    report["uniqueness"] = [
        shares.loc[s, c] for s, c in zip(report["source"], report["column"], strict=True)
    ]
    return report


def pairs_n_squared(groups, truth):
    frame = pd.DataFrame({"g": np.asarray(groups), "t": np.asarray(truth)})
    both = (frame.groupby(["g", "t"]).size() ** 2).sum()
    return both / (frame.groupby("g").size() ** 2).sum(), both / (
        frame.groupby("t").size() ** 2
    ).sum()


def pairs_swapped(groups, truth):
    precision, recall = ref.pair_precision_recall(groups, truth)
    return recall, precision


def pairs_aligned_on_index(groups, truth):
    return ref.pair_precision_recall(*pd.Series(groups).align(pd.Series(truth), join="inner"))


def groups_names_alone(clean, records):
    """Similar names in a block are merged with no other evidence: many 王芳 in 上海."""
    from rapidfuzz import fuzz

    pairs = same_value_pairs(clean, "phone_std") + same_value_pairs(clean, "email_std")
    candidates = ref.candidate_pairs(clean, records)
    similar = [
        fuzz.ratio(a, b) >= 50
        for a, b in zip(candidates["name_std_a"], candidates["name_std_b"], strict=True)
    ]
    matched = candidates[similar]
    pairs += list(zip(matched["record_id_a"], matched["record_id_b"], strict=True))
    return groups_from_pairs(clean["record_id"], pairs)


def groups_phone_only(clean, records):
    return groups_from_pairs(clean["record_id"], same_value_pairs(clean, "phone_std"))


def export_missing_consent_counts(records, clean):
    return ref.marketing_export(
        records.assign(marketing_consent=records["marketing_consent"].fillna(True)), clean
    )


def export_unmasked(records, clean):
    out = ref.marketing_export(records, clean)
    phones = clean.set_index("record_id")["phone_std"]
    return out.assign(phone_masked=out["record_id"].map(phones))


def export_keeps_email(records, clean):
    out = ref.marketing_export(records, clean)
    return out.assign(email_std=out["record_id"].map(clean.set_index("record_id")["email_std"]))


def _mart_with(change):
    def build(customers, products, orders, order_items):
        frames = ref.mart_frames(customers, products, orders, order_items)
        change(frames, orders)
        return mart_connection(**frames)

    return build


def _gross_lines(frames, orders):
    frames["fact_orders"]["net_line_cny"] = frames["fact_orders"]["line_amount_cny"]


def _order_days_only(frames, orders):
    days = set(frames["fact_orders"]["date_key"])
    frames["dim_date"] = frames["dim_date"][frames["dim_date"]["date_key"].isin(days)]


def _monday_zero(frames, orders):
    frames["dim_date"]["day_of_week"] = frames["dim_date"]["day_of_week"] - 1


def _order_grain(frames, orders):
    frames["fact_orders"] = frames["fact_orders"].drop_duplicates("order_id")


def revenue_counts_refunds(con):
    return con.sql("""SELECT c.city_tier::VARCHAR AS city_tier,
                             strftime(f.date_key, '%Y-%m') AS month,
                             sum(f.net_line_cny) AS revenue_cny
                      FROM fact_orders f JOIN dim_customer c USING (customer_id)
                      WHERE f.status <> 'closed' GROUP BY ALL""").df()


def revenue_from_line_amounts(con):
    return con.sql("""SELECT c.city_tier::VARCHAR AS city_tier,
                             strftime(f.date_key, '%Y-%m') AS month,
                             sum(f.line_amount_cny) AS revenue_cny
                      FROM fact_orders f JOIN dim_customer c USING (customer_id)
                      WHERE f.status = 'paid' GROUP BY ALL""").df()


def repeat_counts_lines(con):
    return con.sql(
        ref.REPEAT_RATE_BY_CHANNEL_SQL.replace(
            "SELECT DISTINCT customer_id, order_id", "SELECT customer_id, order_id"
        )
    ).df()


def repeat_over_all_customers(con):
    return con.sql("""
        WITH per AS (SELECT customer_id,
                            count(DISTINCT order_id) FILTER (WHERE status = 'paid') AS n
                     FROM fact_orders GROUP BY customer_id)
        SELECT c.acquisition_channel::VARCHAR AS acquisition_channel, count(*) AS buyers,
               count(*) FILTER (WHERE p.n >= 2) AS repeat_buyers,
               count(*) FILTER (WHERE p.n >= 2) / count(*) AS repeat_rate
        FROM dim_customer c LEFT JOIN per p USING (customer_id) GROUP BY ALL""").df()


def credit_counts_closed(orders, tickets):
    out = ref.credit_flags(orders, tickets)
    every = orders.groupby("customer_id").size().reindex(out.index)
    out["refund_rate"] = out["refunded_orders"] / every
    out["serial_refunder"] = (out["refunded_orders"] >= 2) & (out["refund_rate"] >= 0.5)
    out["blacklisted"] = out["serial_refunder"] | out["abusive_claimant"]
    return out


def credit_strictly_above_half(orders, tickets):
    out = ref.credit_flags(orders, tickets)
    out["serial_refunder"] = (out["refunded_orders"] >= 2) & (out["refund_rate"] > 0.5)
    out["blacklisted"] = out["serial_refunder"] | out["abusive_claimant"]
    return out


def credit_inner_join_tickets(orders, tickets):
    out = ref.credit_flags(orders, tickets)
    return out[out["tickets"] > 0]


def credit_three_rejections(orders, tickets):
    out = ref.credit_flags(orders, tickets)
    out["abusive_claimant"] = out["rejected_tickets"] >= 3
    out["blacklisted"] = out["serial_refunder"] | out["abusive_claimant"]
    return out


MISTAKES = {
    "phones by an 11-digit regex instead of libphonenumber": (
        dict(standardize_phone=phone_by_regex),
        PHONE_CELLS,
    ),
    "phones as national digits, not E.164": (
        dict(standardize_phone=phone_national_digits),
        PHONE_CELLS,
    ),
    "phones of other countries accepted": (
        dict(standardize_phone=phone_any_country),
        {"test_standardize_phone_invalid"},
    ),
    "phones in INTERNATIONAL format (+86 138 1234 5678)": (
        dict(standardize_phone=phone_international_format),
        PHONE_CELLS,
    ),
    "e-mails checked in lower case but returned as typed": (
        dict(clean_email=email_keeps_case),
        {"test_clean_email_normalises"},
    ),
    "e-mail pattern searched, not matched in full": (
        dict(clean_email=email_search_not_fullmatch),
        {"test_clean_email_rejects"},
    ),
    "e-mails without NFKC (full-width ＠ rejected)": (
        dict(clean_email=email_without_nfkc),
        {"test_clean_email_normalises"},
    ),
    "completeness counts blank values as filled": (
        dict(quality_report=quality_blanks_filled),
        {"test_quality_report_rules"},
    ),
    "validity over all records, 0 where nothing is filled": (
        dict(quality_report=quality_validity_over_records),
        QUALITY_CELLS,
    ),
    "titles (王女士) counted as valid names": (
        dict(quality_report=quality_titles_valid),
        QUALITY_CELLS,
    ),
    "validity 0 instead of NaN when nothing is filled": (
        dict(quality_report=quality_zero_not_nan),
        QUALITY_CELLS,
    ),
    "uniqueness of raw values, not of standard ones": (
        dict(quality_report=quality_uniqueness_of_raw),
        QUALITY_CELLS,
    ),
    "pairs counted as n squared": (
        dict(pair_precision_recall=pairs_n_squared),
        {"test_pair_precision_recall"},
    ),
    "precision and recall swapped": (
        dict(pair_precision_recall=pairs_swapped),
        {"test_pair_precision_recall"},
    ),
    "groups and truth aligned on their index": (
        dict(pair_precision_recall=pairs_aligned_on_index),
        {"test_pair_precision_recall"},
    ),
    "similar names merged with no other evidence": (
        dict(duplicate_groups=groups_names_alone),
        DUPLICATE_CELLS,
    ),
    "duplicates by exact phone only": (dict(duplicate_groups=groups_phone_only), DUPLICATE_CELLS),
    "missing consent taken as consent": (
        dict(marketing_export=export_missing_consent_counts),
        {"test_marketing_export"},
    ),
    "phones exported unmasked": (dict(marketing_export=export_unmasked), {"test_marketing_export"}),
    "export keeps the e-mail too": (
        dict(marketing_export=export_keeps_email),
        {"test_marketing_export"},
    ),
    "fact lines keep the gross line amount (no allocation)": (
        dict(build_mart=_mart_with(_gross_lines)),
        MART_CELLS,
    ),
    "dim_date only on days with orders": (
        dict(build_mart=_mart_with(_order_days_only)),
        {"test_build_mart_values"},
    ),
    "day_of_week from 0 (pandas' dayofweek)": (
        dict(build_mart=_mart_with(_monday_zero)),
        {"test_build_mart_values"},
    ),
    "fact table at order grain": (dict(build_mart=_mart_with(_order_grain)), MART_CELLS),
    "revenue counts refunded lines": (
        dict(revenue_by_tier_month=revenue_counts_refunds),
        {"test_revenue_by_tier_month"},
    ),
    "revenue from line amounts before discounts": (
        dict(revenue_by_tier_month=revenue_from_line_amounts),
        {"test_revenue_by_tier_month"},
    ),
    "repeat buyers counted by lines, not orders": (
        dict(repeat_rate_by_channel=repeat_counts_lines),
        {"test_repeat_rate_by_channel"},
    ),
    "repeat rate over every customer of the channel": (
        dict(repeat_rate_by_channel=repeat_over_all_customers),
        {"test_repeat_rate_by_channel"},
    ),
    "refund rate over all orders, closed ones too": (
        dict(credit_flags=credit_counts_closed),
        CREDIT_CELLS,
    ),
    "serial refunder needs a rate above 0.5": (
        dict(credit_flags=credit_strictly_above_half),
        CREDIT_CELLS,
    ),
    "customers without tickets dropped": (
        dict(credit_flags=credit_inner_join_tickets),
        CREDIT_CELLS,
    ),
    "abusive claimant needs 3 rejections": (
        dict(credit_flags=credit_three_rejections),
        CREDIT_CELLS,
    ),
}


class TestAutograder(ChapterAutograder):
    CHAPTER = "02_customer_information"
    REFERENCE = REFERENCE
    CORRECT_STYLES = CORRECT_STYLES
    WARNING_STYLE = "credit flags with set_index(inplace=True) (pandas warns)"
    MISTAKES = MISTAKES
    MIN_POINTS = 16
