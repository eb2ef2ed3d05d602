"""The loaders find the data, return proper dtypes, and reject bad files with clear messages."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from crm_lab.data import (
    ORDER_STATUSES,
    PAYMENT_METHODS,
    find_data_dir,
    generate_shop,
    load_cdnow_orders,
    load_customers,
    load_order_items,
    load_orders,
    load_products,
    load_shop,
    loaders,
    validate_shop,
    validate_table,
    write_shop,
)

SHIPPED = Path(__file__).resolve().parents[1] / "datasets"


@pytest.fixture(scope="module")
def small_shop():
    return generate_shop(seed=7, n_customers=200)


@pytest.fixture
def data_dir(small_shop, tmp_path):
    write_shop(small_shop, tmp_path)
    return tmp_path


def edit_csv(path, change):
    """Read a CSV as text, replace it by ``change(table)``, write it back."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(table).to_csv(path, index=False, lineterminator="\n")


def set_cells(rows, column, value):
    """A change for :func:`edit_csv`: put ``value`` in ``column`` of ``rows``."""

    def change(table):
        table.loc[rows, column] = value
        return table

    return change


# --- dtypes --------------------------------------------------------------------------------


def test_orders_have_proper_dtypes():
    orders = load_orders(SHIPPED)
    assert orders.order_time.dtype == "datetime64[ns]"
    assert orders.status.cat.categories.tolist() == list(ORDER_STATUSES)
    assert orders.net_amount_cny.dtype == "float64"
    assert pd.api.types.is_string_dtype(orders.order_id)
    assert orders.coupon_code.isna().any() and orders.coupon_code.notna().any()


def test_payment_method_is_empty_exactly_for_closed_orders():
    orders = load_orders(SHIPPED)
    assert orders.payment_method.cat.categories.tolist() == list(PAYMENT_METHODS)
    assert (orders.payment_method.isna() == (orders.status == "closed")).all()


def test_customers_have_proper_dtypes():
    customers = load_customers(SHIPPED)
    assert customers.signup_date.dtype == "datetime64[ns]"
    assert customers.birth_year.dtype == "Int64"
    assert customers.city_tier.cat.ordered
    assert customers.city_tier.cat.categories[0] == "tier1"


def test_products_and_items_have_proper_dtypes():
    assert load_products(SHIPPED).category.dtype == "category"
    items = load_order_items(SHIPPED)
    assert items.quantity.dtype == "int64" and items.line_no.dtype == "int64"


def test_load_shop_returns_the_four_tables():
    assert sorted(load_shop(SHIPPED)) == ["customers", "order_items", "orders", "products"]


# --- bad files -----------------------------------------------------------------------------


def test_missing_column_names_the_file_and_the_column(data_dir):
    edit_csv(data_dir / "orders.csv", lambda t: t.drop(columns="discount_cny"))
    with pytest.raises(ValueError, match=r"orders\.csv.*missing column.*discount_cny"):
        load_orders(data_dir)


def test_negative_amount_names_the_file_column_and_rows(data_dir):
    edit_csv(data_dir / "orders.csv", set_cells([3, 8], "net_amount_cny", "-12.50"))
    with pytest.raises(ValueError) as error:
        load_orders(data_dir)
    message = str(error.value)
    assert "orders.csv" in message and "'net_amount_cny' is negative" in message
    assert "row 3 (line 5, order_id O0000004" in message and "row 8" in message


def test_negative_price_is_rejected(data_dir):
    edit_csv(data_dir / "products.csv", set_cells(0, "list_price_cny", "-1"))
    with pytest.raises(ValueError, match=r"products\.csv.*'list_price_cny' is negative.*row 0"):
        load_products(data_dir)


def test_quantity_below_one_is_rejected(data_dir):
    edit_csv(data_dir / "order_items.csv", set_cells(2, "quantity", "0"))
    with pytest.raises(ValueError, match=r"order_items\.csv.*'quantity' is below 1.*row 2"):
        load_order_items(data_dir)


def test_unparseable_date_names_the_file_column_and_rows(data_dir):
    edit_csv(data_dir / "customers.csv", set_cells(5, "signup_date", "soon"))
    with pytest.raises(ValueError) as error:
        load_customers(data_dir)
    message = str(error.value)
    assert "customers.csv" in message and "'signup_date' is not a date" in message
    assert "row 5 (line 7, customer_id C000006, value 'soon')" in message


def test_unparseable_number_is_rejected(data_dir):
    edit_csv(data_dir / "orders.csv", set_cells(1, "gross_amount_cny", "12,5"))
    with pytest.raises(ValueError, match=r"orders\.csv.*'gross_amount_cny' is not a number.*row 1"):
        load_orders(data_dir)


def test_status_outside_the_allowed_set_is_rejected(data_dir):
    edit_csv(data_dir / "orders.csv", set_cells(4, "status", "shipped"))
    with pytest.raises(ValueError) as error:
        load_orders(data_dir)
    message = str(error.value)
    assert "orders.csv" in message
    assert "'status' is not one of ['paid', 'refunded', 'closed']" in message
    assert "row 4" in message and "'shipped'" in message


def test_payment_method_outside_the_allowed_set_is_rejected(data_dir):
    edit_csv(data_dir / "orders.csv", set_cells(2, "payment_method", "paypal"))
    with pytest.raises(ValueError, match=r"orders\.csv.*'payment_method' is not one of.*row 2"):
        load_orders(data_dir)


def test_duplicated_id_names_the_file_column_and_rows(data_dir):
    edit_csv(data_dir / "customers.csv", set_cells(9, "customer_id", "C000001"))
    with pytest.raises(ValueError) as error:
        load_customers(data_dir)
    message = str(error.value)
    assert "customers.csv" in message and "customer_id has duplicated ids" in message
    assert "row 0 (line 2, customer_id C000001)" in message and "row 9" in message


def test_empty_required_value_is_rejected(data_dir):
    edit_csv(data_dir / "orders.csv", set_cells(0, "customer_id", ""))
    with pytest.raises(ValueError, match=r"orders\.csv.*'customer_id' is empty.*row 0"):
        load_orders(data_dir)


def test_every_problem_in_a_file_is_reported_at_once(data_dir):
    def break_twice(table):
        table.loc[0, "status"] = "lost"
        table.loc[1, "discount_cny"] = "-1"
        return table

    edit_csv(data_dir / "orders.csv", break_twice)
    with pytest.raises(ValueError, match=r"2 problem\(s\)"):
        load_orders(data_dir)


def test_validate_table_checks_tables_in_memory(small_shop):
    orders = small_shop["orders"].copy()
    orders.loc[0, "discount_cny"] = -3.0
    with pytest.raises(ValueError, match=r"<memory>.*'discount_cny' is negative.*row 0"):
        validate_table("orders", orders)


def test_validate_table_returns_a_typed_copy_of_text_tables(small_shop):
    as_text = small_shop["orders"].astype(str).replace("nan", "")
    typed = validate_table("orders", as_text)
    pd.testing.assert_frame_equal(typed, small_shop["orders"])


def test_orders_of_unknown_customers_break_the_shop(small_shop):
    tables = dict(small_shop, customers=small_shop["customers"].iloc[1:])
    with pytest.raises(ValueError, match="customer_id not in customers"):
        validate_shop(tables)


# --- finding the data ----------------------------------------------------------------------


def test_an_explicit_folder_comes_first(data_dir, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(SHIPPED))
    assert find_data_dir(data_dir) == data_dir.resolve()


def test_crm_data_dir_comes_before_the_current_folder(data_dir, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(data_dir))
    assert find_data_dir() == data_dir.resolve()
    assert len(load_customers()) == 200


def test_a_datasets_folder_in_a_parent_of_the_current_folder_is_found(
    small_shop, tmp_path, monkeypatch
):
    write_shop(small_shop, tmp_path / "course" / "datasets")
    chapter = tmp_path / "course" / "chapters" / "06_rfm"
    chapter.mkdir(parents=True)
    monkeypatch.delenv("CRM_DATA_DIR", raising=False)
    monkeypatch.chdir(chapter)
    assert find_data_dir() == (tmp_path / "course" / "datasets").resolve()


def test_the_datasets_beside_the_package_is_the_last_resort(tmp_path, monkeypatch):
    monkeypatch.delenv("CRM_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert find_data_dir() == SHIPPED


def test_no_data_anywhere_raises_file_not_found_saying_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.delenv("CRM_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(loaders, "__file__", str(tmp_path / "pkg" / "crm_lab" / "data" / "x.py"))
    with pytest.raises(FileNotFoundError) as error:
        find_data_dir()
    message = str(error.value)
    assert "CRM_DATA_DIR" in message and str(tmp_path / "datasets") in message


def test_a_wrong_crm_data_dir_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="CRM_DATA_DIR"):
        find_data_dir()


def test_a_missing_file_is_reported_with_its_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="orders.csv"):
        load_orders(tmp_path)


# --- CDNOW ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow_orders()


def test_cdnow_has_23570_customers_and_69659_purchases(cdnow):
    assert cdnow.customer_id.nunique() == 23_570
    assert len(cdnow) == 69_659


def test_cdnow_runs_from_january_1997_to_june_1998(cdnow):
    assert cdnow.order_time.min() == pd.Timestamp("1997-01-01")
    assert cdnow.order_time.max() == pd.Timestamp("1998-06-30")


def test_cdnow_has_the_orders_layout_with_dollar_amounts(cdnow):
    assert cdnow.columns.tolist() == [
        "order_id", "customer_id", "order_time", "status", "net_amount_usd", "quantity",
    ]  # fmt: skip
    assert cdnow.status.dtype == load_orders(SHIPPED).status.dtype
    assert (cdnow.status == "paid").all()
    assert cdnow.order_id.is_unique and cdnow.order_time.is_monotonic_increasing


def test_cdnow_keeps_zero_dollar_rows(cdnow):
    assert (cdnow.net_amount_usd == 0).sum() > 0
    assert (cdnow.net_amount_usd >= 0).all() and (cdnow.quantity >= 1).all()


def test_cdnow_without_lifetimes_says_how_to_install_it(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "lifetimes" else real_find_spec(name, *a),
    )
    with pytest.raises(ModuleNotFoundError, match="pip install lifetimes"):
        load_cdnow_orders()


def test_importing_crm_lab_data_does_not_import_lifetimes():
    import subprocess
    import sys

    code = "import sys, crm_lab.data; print('lifetimes' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- parsing once ------------------------------------------------------------------------


def test_each_load_is_a_table_of_its_own(data_dir):
    first = load_orders(data_dir)
    first.loc[first.index[0], "customer_id"] = "changed"
    first["net_amount_cny"] *= 0
    again = load_orders(data_dir)
    assert again.loc[again.index[0], "customer_id"] != "changed"
    assert again["net_amount_cny"].sum() > 0


def test_a_file_changed_in_place_is_read_again_even_at_the_same_size(data_dir):
    path = data_dir / "orders.csv"
    first_id = load_orders(data_dir)["order_id"].iloc[0]
    size = path.stat().st_size
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(first_id, first_id[:-1] + "Z", 1), encoding="utf-8")
    assert path.stat().st_size == size
    assert load_orders(data_dir)["order_id"].iloc[0] == first_id[:-1] + "Z"


def test_a_large_file_is_not_held_in_memory_twice(data_dir, monkeypatch):
    from crm_lab.data import loaders

    monkeypatch.setattr(loaders, "_PARSED_MAX_BYTES", 1_000)  # "large" for this test
    monkeypatch.setattr(loaders, "_PARSED", {})
    orders = load_orders(data_dir)
    assert len(orders) > 0 and loaders._PARSED == {}
