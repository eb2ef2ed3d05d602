"""Chapter 02's raw customer records (customer_records) and their stylized facts, on the
shipped shop and on a shop of another seed: each record follows from a real customer and
what they did, and the mess (formats, typos, invalid values, duplicates) is at the rates
a shop would recognise."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_data_service import edit  # rewrites one cell of a CSV file

from crm_lab.data import (
    generate_shop,
    load_calls,
    load_chats,
    load_customer_records,
    load_customers,
    load_members,
    load_orders,
    load_tickets,
)
from crm_lab.data.records import EVENT_CITIES
from crm_lab.information import standardize_city
from grader.reference import information as ref

SHIPPED = Path(__file__).resolve().parents[1] / "datasets"


@pytest.fixture(scope="module")
def shipped():
    return {
        "customers": load_customers(SHIPPED),
        "orders": load_orders(SHIPPED),
        "members": load_members(SHIPPED),
        "calls": load_calls(SHIPPED),
        "chats": load_chats(SHIPPED),
        "tickets": load_tickets(SHIPPED),
        "customer_records": load_customer_records(SHIPPED),
    }


@pytest.fixture(scope="module")
def seed13():
    return generate_shop(seed=13, n_customers=2000)


@pytest.fixture(params=["shipped", "seed13"])
def shop(request):
    return request.getfixturevalue(request.param)


_CLEAN = {}


def _clean(shop):
    records = shop["customer_records"]
    key = id(records)
    if key not in _CLEAN:
        _CLEAN[key] = ref.clean_records(records)
    return _CLEAN[key]


def _of(shop, source):
    records = shop["customer_records"]
    return records[records.source == source]


def test_the_shipped_file_is_what_the_generator_makes(shipped):
    fresh = generate_shop()
    pd.testing.assert_frame_equal(fresh["customer_records"], shipped["customer_records"],
                                  check_index_type=False)


def test_the_new_table_leaves_the_old_ones_unchanged(monkeypatch):
    from crm_lab.data import records

    with_records = generate_shop(seed=5, n_customers=300)
    monkeypatch.setattr(records, "customer_records", lambda *args: {})
    without = generate_shop(seed=5, n_customers=300)
    assert set(with_records) - set(without) == {"customer_records"}
    for name, table in without.items():
        pd.testing.assert_frame_equal(with_records[name], table)


def test_the_platform_export_has_every_ordering_customer_from_the_first_order(shop):
    platform = _of(shop, "platform_order")
    orders = shop["orders"]
    assert set(platform.true_customer_id) == set(orders.customer_id)
    first = orders.groupby("customer_id").order_time.min().dt.normalize()
    earliest = platform.groupby("true_customer_id").captured_date.min()
    assert (earliest == first.reindex(earliest.index)).all()
    # A few customers appear twice (a later order with another spelling): 1-5%.
    assert 0.01 <= platform.true_customer_id.duplicated().mean() <= 0.05


def test_the_mini_programme_sign_ups_are_the_members_on_their_join_day(shop):
    mini = _of(shop, "mini_program").set_index("true_customer_id").captured_date
    joined = shop["members"].set_index("customer_id").join_date
    assert len(mini) == len(joined)
    pd.testing.assert_series_equal(mini.sort_index(), joined.sort_index(), check_names=False)


def test_tasting_forms_come_from_customers_of_the_event_cities_after_they_signed_up(shop):
    tasting = _of(shop, "tasting_event")
    people = shop["customers"].set_index("customer_id")
    assert people.city.reindex(tasting.true_customer_id).isin(EVENT_CITIES).all()
    signup = people.signup_date.reindex(tasting.true_customer_id).to_numpy()
    assert (tasting.captured_date.to_numpy() > signup).all()
    # A minority: a few % of the records.
    assert 0.02 <= len(tasting) / len(shop["customer_records"]) <= 0.08


def test_better_customers_come_to_tasting_events_more_often(shipped):
    tasting = set(_of(shipped, "tasting_event").true_customer_id)
    paid = shipped["orders"][shipped["orders"].status == "paid"]
    spend = paid.groupby("customer_id").net_amount_cny.sum()
    local = shipped["customers"][shipped["customers"].city.isin(EVENT_CITIES)].customer_id
    spend = spend.reindex(local, fill_value=0)
    came = spend.index.isin(list(tasting))
    assert spend[came].median() > 1.5 * spend[~came].median()


def test_the_service_export_has_the_customers_who_contacted_service(shop):
    service = _of(shop, "service_export")
    calls, chats, tickets = shop["calls"], shop["chats"], shop["tickets"]
    contacted = (set(calls.customer_id.dropna()) | set(tickets.customer_id)
                 | set(chats.loc[chats.stage == "after_sale", "customer_id"]))
    assert set(service.true_customer_id) == contacted


def test_duplicates_are_mostly_across_sources(shop):
    records = shop["customer_records"]
    per_customer = records.groupby("true_customer_id").size()
    assert 0.4 <= (per_customer >= 2).mean() <= 0.7
    within = records.duplicated(["source", "true_customer_id"]).sum()
    across = len(records) - records.true_customer_id.nunique() - within
    assert within < 0.1 * across


def test_most_phones_are_valid_in_several_formats_and_belong_to_their_customer(shop):
    records, clean = shop["customer_records"], _clean(shop)
    filled = records.phone.notna()
    valid = clean.phone_std.notna().to_numpy()
    assert 0.95 <= valid[filled].mean() <= 0.995
    shapes = records.phone.dropna().str.replace(r"\d", "9", regex=True).value_counts()
    assert (shapes >= 10).sum() >= 5  # 138..., +86 138 ..., 138-...., 86-..., +86-...
    # A customer has at most two valid numbers (5% changed number; half their records show
    # the new one), so a few customers show two.
    numbers = clean[valid].groupby(records.true_customer_id[valid].to_numpy()).phone_std.nunique()
    assert numbers.max() == 2 and 0.005 <= (numbers == 2).mean() <= 0.05


def test_a_few_percent_of_emails_and_birth_dates_are_invalid(shop):
    records, clean = shop["customer_records"], _clean(shop)
    emails = records.email.notna()
    invalid_email = clean.email_std.isna().to_numpy()[emails]
    assert 0.02 <= invalid_email.mean() <= 0.08
    births = records.birth_date.notna()
    impossible = clean.birth_date_std.isna().to_numpy()[births]
    assert 0.02 <= impossible.mean() <= 0.08
    # The platform and service exports carry no birth dates; e-mails are optional everywhere.
    assert records.loc[records.source.isin(["platform_order", "service_export"]),
                       "birth_date"].isna().all()


def test_valid_birth_dates_agree_with_the_customers_birth_year(shop):
    clean = _clean(shop)
    records = shop["customer_records"]
    year = shop["customers"].set_index("customer_id").birth_year
    known = clean.birth_date_std.notna().to_numpy()
    stated = clean.birth_date_std[known].dt.year.to_numpy()
    truth = year.reindex(records.true_customer_id[known]).to_numpy()
    assert (stated == truth).all()


def test_cities_come_in_several_spellings_and_all_mean_the_customers_city(shop):
    records, clean = shop["customer_records"], _clean(shop)
    city = shop["customers"].set_index("customer_id").city.astype(str)
    filled = records.city.notna().to_numpy()
    assert (clean.city_std[filled].to_numpy()
            == city.reindex(records.true_customer_id[filled]).to_numpy()).all()
    spellings = records.loc[filled, "city"].map(standardize_city)
    assert records.loc[filled].groupby(spellings.to_numpy()).city.nunique().max() >= 3


def test_only_the_shops_own_forms_ask_for_marketing_consent(shop):
    records = shop["customer_records"]
    asked = records.source.isin(["mini_program", "tasting_event"])
    assert records.loc[~asked, "marketing_consent"].isna().all()
    assert 0.55 <= records.loc[asked, "marketing_consent"].mean() <= 0.85


def test_exact_keys_miss_a_tenth_of_the_pairs_and_the_fuzzy_rule_finds_some(shop):
    records, clean = shop["customer_records"], _clean(shop)
    truth = records.set_index("record_id").true_customer_id
    precision, recall = ref.pair_precision_recall(ref.exact_key_groups(clean), truth)
    assert precision > 0.99 and 0.8 <= recall <= 0.9
    fuzzy_p, fuzzy_r = ref.pair_precision_recall(ref.duplicate_groups(clean, records), truth)
    assert fuzzy_p >= 0.95 and fuzzy_r >= recall + 0.03


def test_a_bad_source_or_a_repeated_record_id_names_file_column_and_row(tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(SHIPPED, data_dir)
    path = data_dir / "customer_records.csv"
    edit(path, lambda t: t.loc.__setitem__((3, "source"), "wechat"))
    with pytest.raises(ValueError, match=r"customer_records\.csv.*'source'.*row 3"):
        load_customer_records(data_dir)
    shutil.copy(SHIPPED / "customer_records.csv", path)
    edit(path, lambda t: t.loc.__setitem__((5, "record_id"), "R000001"))
    with pytest.raises(ValueError, match=r"customer_records\.csv.*record_id.*duplicated"):
        load_customer_records(data_dir)
