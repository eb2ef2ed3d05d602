"""How fast is the shop generator? Prints figures per table; asserts nothing.

Run: ``python benchmarks/bench_generator.py [n_customers ...]`` (default: the
shipped size, then 450,000 customers, over a million orders).

For each size it prints the whole ``generate_shop`` (wall clock and this
process's CPU time: on a shared machine the CPU time is the steadier figure),
then each customer-service step timed again on the generated orders: the
contacts derived from the orders (pre-sale questions, after-sale issues,
repeats), the ``chats`` and ``chat_staffing`` tables, the service centre's
``calls`` and ``call_staffing``, ``tickets``, ``faq`` and ``chat_questions``.
The shop proper (customers, products, orders, order_items) is the total minus
those steps.
"""

from __future__ import annotations

import sys
import tempfile
import time

from crm_lab.data import generate_shop, service, write_shop
from crm_lab.data.seasons import shop_calendar
from crm_lab.data.shop import stream


def timed(step):
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def service_steps(shop, seed, calendar):
    """(name, wall s, cpu s) of each service step, run again on the shop's orders."""
    orders = shop["orders"]
    service._LAST_CONTACTS.clear()  # time the contacts, not the kept result
    (view, contacts, _issues), *contact_times = timed(
        lambda: service.shop_contacts(seed, calendar, orders, stream)
    )
    _, *chat_times = timed(lambda: service.chat_sessions(seed, calendar, view, contacts, stream))
    _, *phone_times = timed(lambda: service.phone_line(seed, calendar, view, contacts, stream))
    _, *ticket_times = timed(lambda: service.tickets(seed, calendar, orders, None, None, stream))
    _, *faq_times = timed(service.faq_table)
    _, *question_times = timed(lambda: service.chat_questions(seed, len(shop["customers"]), stream))
    return [
        ("contacts (shared by chats, calls, tickets)", *contact_times),
        ("chats + chat_staffing", *chat_times),
        ("calls + call_staffing (phone line)", *phone_times),
        ("tickets", *ticket_times),
        ("faq", *faq_times),
        ("chat_questions", *question_times),
    ]


def bench(n_customers: int, write: bool, seed: int = 2026) -> None:
    shop, wall, cpu = timed(lambda: generate_shop(seed=seed, n_customers=n_customers))
    n_orders, n_lines = len(shop["orders"]), len(shop["order_items"])
    print(
        f"{n_customers:>9,} customers {n_orders:>10,} orders {n_lines:>10,} lines: "
        f"generate {wall:6.2f} s wall, {cpu:6.2f} s CPU ({n_orders / wall:>10,.0f} orders/s)",
        flush=True,
    )
    steps = service_steps(shop, seed, shop_calendar("2024-01-01", "2025-12-31"))
    service_cpu = sum(step[2] for step in steps)
    sizes = {
        "contacts (shared by chats, calls, tickets)": "",
        "chats + chat_staffing": f"{len(shop['chats']):,} + {len(shop['chat_staffing']):,} rows",
        "calls + call_staffing (phone line)": (
            f"{len(shop['calls']):,} + {len(shop['call_staffing']):,} rows"
        ),
        "tickets": f"{len(shop['tickets']):,} rows",
        "faq": f"{len(shop['faq']):,} rows",
        "chat_questions": f"{len(shop['chat_questions']):,} rows",
    }
    shop_proper = cpu - service_cpu
    print(f"    {'shop proper (customers ... order_items)':<44} {'':>8} {shop_proper:6.2f} s CPU")
    for name, step_wall, step_cpu in steps:
        print(f"    {name:<44} {step_wall:6.2f} s {step_cpu:6.2f} s CPU  {sizes[name]}")
    if write:
        with tempfile.TemporaryDirectory() as folder:
            (paths, written, _) = timed(lambda: write_shop(shop, folder))
            megabytes = sum(p.stat().st_size for p in paths) / 1e6
        print(f"    write {written:5.2f} s ({megabytes:.1f} MB)", flush=True)


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [4_000, 450_000]
    generate_shop(seed=1, n_customers=100)  # warm-up
    for n in sizes:
        bench(n, write=True)


if __name__ == "__main__":
    main(sys.argv[1:])
