"""The one tolerant comparison every hidden test uses."""

import pandas as pd
import pytest

from grader.compare import assert_same_number, assert_same_table


@pytest.fixture
def reference():
    return pd.DataFrame(
        {"recency_days": [3, 40], "frequency": [2, 1], "monetary_cny": [120.5, 30.0]},
        index=pd.Index(["C1", "C2"], name="customer_id"),
    )


def test_accepts_other_column_order_row_order_and_key_as_column(reference):
    answer = pd.DataFrame(
        {
            "monetary_cny": [30.0, 120.5],
            "customer_id": ["C2", "C1"],
            "frequency": [1, 2],
            "recency_days": [40, 3],
        }
    )
    assert_same_table(answer, reference, key="customer_id")


def test_accepts_int_as_float_and_tiny_float_error(reference):
    answer = reference.astype("float64")
    answer["monetary_cny"] += 1e-9
    assert_same_table(answer, reference, key="customer_id")


def test_accepts_categorical_for_strings():
    want = pd.DataFrame({"segment": ["a", "b"]}, index=pd.Index(["C1", "C2"], name="id"))
    got = want.assign(segment=pd.Categorical(["a", "b"]))
    assert_same_table(got, want, key="id")


def test_rejects_a_wrong_value_naming_column_and_row(reference):
    answer = reference.copy()
    answer.loc["C2", "frequency"] = 2
    with pytest.raises(AssertionError, match=r"'frequency' differs in 1 of 2 rows.*'C2'"):
        assert_same_table(answer, reference, key="customer_id")


def test_rejects_a_missing_row(reference):
    with pytest.raises(AssertionError, match="1 customer_id value\\(s\\) missing"):
        assert_same_table(reference.iloc[:1], reference, key="customer_id")


def test_rejects_a_missing_key(reference):
    with pytest.raises(AssertionError, match="no column or index named 'customer_id'"):
        assert_same_table(reference.reset_index(drop=True), reference, key="customer_id")


def test_rejects_duplicate_keys(reference):
    with pytest.raises(AssertionError, match="duplicate customer_id"):
        assert_same_table(pd.concat([reference, reference]), reference, key="customer_id")


def test_ignores_extra_columns_unless_forbidden(reference):
    answer = reference.assign(note="x")
    assert_same_table(answer, reference, key="customer_id")
    with pytest.raises(AssertionError, match="does not ask for"):
        assert_same_table(answer, reference, key="customer_id", allow_extra_columns=False)


def test_compares_only_named_columns(reference):
    answer = reference.assign(monetary_cny=0.0)
    assert_same_table(answer, reference, key="customer_id", columns=["frequency"])


def test_rejects_text_where_numbers_are_expected(reference):
    answer = reference.assign(frequency=["two", "one"])
    with pytest.raises(AssertionError, match="should hold numbers"):
        assert_same_table(answer, reference, key="customer_id")


def test_rejects_a_non_table():
    with pytest.raises(AssertionError, match="should be a pandas DataFrame"):
        assert_same_table([1, 2], pd.DataFrame({"a": [1, 2]}))


def test_number_accepts_numpy_scalars_and_rejects_arrays():
    import numpy as np

    assert_same_number(np.float32(0.25), 0.25, rtol=1e-6)
    with pytest.raises(AssertionError, match="single number"):
        assert_same_number(np.array([0.25]), 0.25)
    with pytest.raises(AssertionError, match="not the expected value"):
        assert_same_number(0.3, 0.25)
