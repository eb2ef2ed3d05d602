"""grader.memo: reference answers kept by the content of their arguments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from grading_support import run_in_forked_kernel

from grader import memo


@pytest.fixture
def counted():
    """A memoized function that counts how often it really runs."""
    memo.clear()
    calls = []

    def paid_total(orders, status="paid"):
        calls.append(1)
        kept = orders.loc[orders["status"] == status, ["customer_id", "amount"]]
        return kept.reset_index(drop=True)

    yield memo.memoized(paid_total), calls
    memo.clear()


def orders():
    return pd.DataFrame({
        "customer_id": pd.array(["c1", "c2", "c3"], dtype="string"),
        "status": pd.Categorical(["paid", "closed", "paid"]),
        "amount": [10.0, 20.0, 30.0],
    })


def test_equal_content_is_answered_from_memory_as_a_copy(counted):
    fn, calls = counted
    first = fn(orders())
    first.loc[0, "amount"] = -1  # a test that edits what it got...
    again = fn(orders())
    assert len(calls) == 1
    assert again["amount"].tolist() == [10.0, 30.0]  # ...changes no later answer


@pytest.mark.parametrize("change", [
    lambda df: df.assign(amount=[10.0, 20.0, 30.5]),
    lambda df: df.assign(amount=df["amount"].astype("float32")),
    lambda df: df[["amount", "status", "customer_id"]],
    lambda df: df.set_axis([5, 6, 7]),
    lambda df: df.rename(columns={"amount": "amount_cny"}).rename(columns={"amount_cny": "amount"})
               .assign(customer_id=pd.array(["c1", "c2", "c4"], dtype="string")),
])
def test_any_change_of_values_dtypes_columns_or_index_is_a_new_call(counted, change):
    fn, calls = counted
    fn(orders())
    fn(change(orders()))
    assert len(calls) == 2


def test_defaults_and_keywords_make_the_same_key(counted):
    fn, calls = counted
    fn(orders())
    fn(orders(), "paid")
    fn(orders=orders(), status="paid")
    assert len(calls) == 1
    fn(orders(), status="closed")
    assert len(calls) == 2


def test_plain_values_are_keyed_by_value_and_type():
    """Scalars take the fast key: equal values share an answer, 1 / 1.0 / True and
    0.0 / -0.0 do not, NaN finds its own answer, and a str subclass takes the digest."""
    memo.clear()
    calls = []

    def echo(value, suffix=""):
        calls.append(value)
        return f"{value!r}{suffix}"

    fn = memo.memoized(echo)
    assert [fn("138 1234 5678"), fn("138 1234 5678")] == ["'138 1234 5678'"] * 2
    assert len(calls) == 1
    assert [fn(1), fn(1.0), fn(True), fn(0.0), fn(-0.0)] == ["1", "1.0", "True", "0.0", "-0.0"]
    assert len(calls) == 6
    fn(float("nan")), fn(float("nan")), fn(None), fn(None)
    assert len(calls) == 8

    class Text(str):
        pass

    assert fn(Text("a")) == "'a'" and fn("a", suffix="!") == "'a'!" == fn("a", suffix="!")
    assert len(calls) == 10
    assert [fn(np.int64(1)), fn(np.float64(1.0)), fn(np.float64(1.0))] == [
        repr(np.int64(1)), repr(np.float64(1.0)), repr(np.float64(1.0))]
    assert len(calls) == 12
    memo.clear()


def test_object_columns_are_never_remembered(counted):
    fn, calls = counted
    mixed = orders().astype({"customer_id": object})
    fn(mixed)
    fn(mixed)
    assert len(calls) == 2
    assert memo.fingerprint(mixed) is None
    assert memo.fingerprint(np.array([1, "a"], dtype=object)) is None


def test_what_is_not_data_is_returned_but_not_kept():
    memo.clear()
    made = []
    fn = memo.memoized(lambda n: made.append(n) or (lambda: n))
    fn(1), fn(1)
    assert made == [1, 1] and memo.entries() == []


def test_a_reference_function_calling_another_keeps_only_the_outer_answer():
    memo.clear()
    inner = memo.memoized(lambda x: x * 2)
    outer = memo.memoized(lambda x: inner(x) + 1)
    assert outer(3) == 7
    assert len(memo.entries()) == 1
    memo.clear()


def test_the_language_is_part_of_the_key(counted):
    import crm_lab

    fn, calls = counted
    fn(orders())
    crm_lab.set_language("zh")
    try:
        fn(orders())
    finally:
        crm_lab.set_language("en")
    assert len(calls) == 2


def test_answers_travel_between_processes_as_pickles(counted):
    import pickle

    fn, calls = counted
    want = fn(orders())
    items = pickle.loads(pickle.dumps(memo.entries()))
    memo.clear()
    memo.load_entries(items)
    pd.testing.assert_frame_equal(fn(orders()), want)
    assert len(calls) == 1


def test_every_reference_module_is_memoized_with_its_signature_kept():
    import importlib
    import inspect

    names = memo.memoize_package("grader.reference")
    assert "grader.reference.rfm" in names and "grader.reference.loyalty" in names
    rfm = importlib.import_module("grader.reference.rfm")
    functions = [getattr(rfm, n) for n in rfm.__all__ if callable(getattr(rfm, n))]
    assert functions and all(f.__wrapped_by_memo__ for f in functions)
    assert list(inspect.signature(rfm.rfm_table).parameters)[0] == "orders"


@pytest.mark.slow
def test_kernels_forked_after_the_solution_ran_start_with_its_reference_answers(tmp_path):
    """The template runs the instructors' notebook aside (a failing cell is skipped) and
    hands its reference answers to the kernels it forks afterwards."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from grader.autograde.kernels import PrewarmedKernels

    source = tmp_path / "source.ipynb"
    nbformat.write(new_notebook(cells=[
        new_code_cell("raise RuntimeError('a broken cell costs only itself')"),
        new_code_cell("from grader.reference import callcentre as ref\n"
                      "ref.erlang_c_wait_probability(100, 180, 12)"),
    ]), source)
    kernels = PrewarmedKernels(modules=("json",), answers_from=str(source))
    assert "grader.reference.callcentre.erlang_c_wait_probability" in _remembered_soon(kernels)


def _remembered_soon(kernels, seconds: float = 90) -> str:
    """What a kernel forked from ``kernels`` has remembered, once the Erlang C answer of
    the test notebook has arrived (or ``seconds`` have passed)."""
    import time

    code = "import grader.memo as m; print(sorted(k[0] for k, _ in m.entries()))"
    deadline = time.monotonic() + seconds
    seen = run_in_forked_kernel(kernels, code)[1]
    while "erlang_c_wait_probability" not in seen and time.monotonic() < deadline:
        time.sleep(1)
        seen = run_in_forked_kernel(kernels, code)[1]
    return seen


def test_the_oldest_answers_go_first_when_memory_is_full(monkeypatch):
    memo.clear()
    monkeypatch.setattr(memo, "MAX_BYTES", 3 * 8 * 1000 + 500)  # three 1,000-float answers
    calls = []

    def zeros_plus(n):
        calls.append(n)
        return np.zeros(1000) + n

    fn = memo.memoized(zeros_plus)
    for n in range(5):
        fn(n)
    assert len(memo.entries()) == 3
    for n in (2, 3, 4, 1):
        fn(n)
    assert calls == [0, 1, 2, 3, 4, 1]  # 2, 3 and 4 were kept; 0 and 1 had gone
    memo.clear()


@pytest.mark.parametrize("answer", [
    lambda df: df["amount"],                          # a Series
    lambda df: df.set_index("customer_id")["amount"].sum(),  # a number
    lambda df: (df, df["amount"], {"n": len(df)}),    # containers of them
    lambda df: df.index,
])
def test_every_kind_of_data_answer_is_kept_and_given_back_equal(answer):
    memo.clear()
    fn = memo.memoized(answer)
    first, again = fn(orders()), fn(orders())
    assert len(memo.entries()) == 1
    assert repr(first) == repr(again)
    memo.clear()


def test_an_answer_the_memory_cannot_keep_is_still_returned(monkeypatch):
    memo.clear()
    monkeypatch.setattr(memo, "_bytes", lambda value: 1 / 0)  # a bug in the memory itself
    fn = memo.memoized(lambda df: df["amount"].sum())
    assert fn(orders()) == 60.0 and fn(orders()) == 60.0
    memo.clear()


@pytest.mark.slow
def test_templates_of_one_run_share_one_solution_run(tmp_path):
    """Two workers' templates given the same folder: one runs the instructors' notebook,
    both hand its answers to their kernels."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from grader.autograde.kernels import PrewarmedKernels

    runs, shared = tmp_path / "runs.txt", tmp_path / "shared"
    shared.mkdir()
    source = tmp_path / "source.ipynb"
    nbformat.write(new_notebook(cells=[
        new_code_cell(f"open({str(runs)!r}, 'a').write('ran\\n')"),
        new_code_cell("from grader.reference import callcentre as ref\n"
                      "ref.erlang_c_wait_probability(100, 180, 12)"),
    ]), source)
    for kernels in [PrewarmedKernels(modules=("json",), answers_from=str(source),
                                     answers_shared=str(shared)) for _ in range(2)]:
        assert "callcentre.erlang_c_wait_probability" in _remembered_soon(kernels)
    assert runs.read_text() == "ran\n"
