"""Command line: ``python -m crm_lab.data build DIR [--seed S] [--customers N]``.

``build`` writes the shop's CSV files (four shop tables, seven service tables,
four of business buyers and product costs, two of the membership programme, four of
deliveries, the survey and ratings, one of raw customer records)
into DIR (the shipped files are ``python -m crm_lab.data build datasets``);
``check [DIR]`` loads and validates a folder of them and prints the row counts.
"""

from __future__ import annotations

import argparse
import sys
import time

from .loaders import (
    load_accounts,
    load_customer_records,
    load_membership,
    load_satisfaction,
    load_service,
    load_shop,
)
from .shop import DEFAULT_SEED, generate_shop, write_shop


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crm_lab.data", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="generate the shop and write its CSV files")
    build.add_argument("directory", help="folder to write (created if missing)")
    build.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
    build.add_argument("--customers", type=int, default=4000, help="default 4000")
    build.add_argument("--start", default="2024-01-01", help="first day, default 2024-01-01")
    build.add_argument("--end", default="2025-12-31", help="last day, default 2025-12-31")
    check = commands.add_parser("check", help="load and validate a folder of shop CSV files")
    check.add_argument(
        "directory", nargs="?", default=None, help="default: found as the loaders do"
    )
    args = parser.parse_args(argv)

    if args.command == "build":
        began = time.perf_counter()
        tables = generate_shop(args.seed, args.customers, args.start, args.end)
        paths = write_shop(tables, args.directory)
        seconds = time.perf_counter() - began
        for path, table in zip(paths, tables.values(), strict=True):
            print(f"{str(path):<40} {len(table):>9,} rows {path.stat().st_size / 1e6:8.2f} MB")
        print(f"seed {args.seed}, {args.customers:,} customers, {seconds:.1f} s")
    else:
        tables = {
            **load_shop(args.directory),
            **load_service(args.directory),
            **load_accounts(args.directory),
            **load_membership(args.directory),
            **load_satisfaction(args.directory),
            "customer_records": load_customer_records(args.directory),
        }
        for name, table in tables.items():
            print(f"{name:<12} {len(table):>9,} rows  ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
