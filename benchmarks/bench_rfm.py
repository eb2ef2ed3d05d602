"""RFM reference on a large generated shop (1M+ orders). Prints figures; asserts nothing.

Run: ``python benchmarks/bench_rfm.py [n_customers]`` (default 450,000 customers).
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from crm_lab.data import AS_OF, generate_shop
from grader.reference import rfm as ref


def timed(label, func, *args):
    began = time.perf_counter()
    result = func(*args)
    print(f"  {label:<22} {time.perf_counter() - began:7.2f} s", flush=True)
    return result


def main(argv: list[str]) -> None:
    n_customers = int(argv[0]) if argv else 450_000
    began = time.perf_counter()
    orders = generate_shop(seed=2026, n_customers=n_customers)["orders"]
    print(
        f"shop: {n_customers:,} customers, {len(orders):,} orders "
        f"(generated in {time.perf_counter() - began:.1f} s)"
    )
    began = time.perf_counter()
    rfm = timed("rfm_table", ref.rfm_table, orders, AS_OF)
    scores = timed("rfm_scores", ref.rfm_scores, rfm)
    segments = timed("rfm_segments", ref.rfm_segments, scores)
    timed("segment_profile", ref.segment_profile, segments)
    timed("top_customer_share", ref.top_customer_share, rfm)
    total = time.perf_counter() - began
    then = pd.Timestamp(AS_OF) - pd.DateOffset(months=6)
    earlier = ref.rfm_segments(ref.rfm_scores(ref.rfm_table(orders, then)))  # not timed
    timed("segment_backtest", ref.segment_backtest, earlier, orders, then)
    print(
        f"RFM pipeline on {len(orders):,} orders / {len(rfm):,} customers: {total:.2f} s "
        f"({len(orders) / total:,.0f} orders/s)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
