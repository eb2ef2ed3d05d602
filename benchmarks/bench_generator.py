"""How fast is the shop generator? Prints figures; asserts nothing.

Run: ``python benchmarks/bench_generator.py [n_customers ...]`` (default: the
shipped size, then 450,000 customers, over a million orders).
"""

from __future__ import annotations

import sys
import tempfile
import time

from crm_lab.data import generate_shop, write_shop


def bench(n_customers: int, write: bool) -> None:
    began = time.perf_counter()
    shop = generate_shop(seed=2026, n_customers=n_customers)
    generated = time.perf_counter() - began
    n_orders, n_lines = len(shop["orders"]), len(shop["order_items"])
    line = (
        f"{n_customers:>9,} customers {n_orders:>10,} orders {n_lines:>10,} lines "
        f"generate {generated:6.2f} s ({n_orders / generated:>10,.0f} orders/s)"
    )
    if write:
        with tempfile.TemporaryDirectory() as folder:
            began = time.perf_counter()
            paths = write_shop(shop, folder)
            written = time.perf_counter() - began
            megabytes = sum(p.stat().st_size for p in paths) / 1e6
        line += f"  write {written:5.2f} s ({megabytes:.1f} MB)"
    print(line, flush=True)


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [4_000, 450_000]
    generate_shop(seed=1, n_customers=100)  # warm-up
    for n in sizes:
        bench(n, write=True)


if __name__ == "__main__":
    main(sys.argv[1:])
