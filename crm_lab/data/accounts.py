"""Business buyers and product costs at Yunwu Tea House (chapter 01, customer analysis).

Besides the consumers of ``customers.csv``, a tea shop sells to organisations
(企业客户, B2B). Three kinds, each with its own ordering pattern, follow here,
each step on its own random stream (:func:`crm_lab.data.shop.stream`), so that
the shop's other tables never change:

1. **Accounts** (企业账户), :func:`business_accounts`. ``company_gifts``: firms
   that buy gift boxes for staff and clients before Mid-Autumn (中秋) and the
   Spring Festival (春节); some started as consumers of the shop who bought gift
   boxes by the dozen (the shop's bulk buyers, ``is_bulk_buyer`` in
   :func:`crm_lab.data.shop.customer_traits`) and were offered an account after
   such a paid order (``contact_customer_id``). ``office``: offices restocking
   everyday tea (办公室茶水) about monthly. ``tea_house``: tea houses (茶馆)
   restocking oolong, pu'er and white tea every few weeks. Each account has a
   negotiated discount off list price (协议折扣) and asks for an invoice (发票):
   a VAT special invoice (增值税专用发票) or an ordinary one (普通发票).
2. **Orders** (企业订单), :func:`business_orders`: one order per festival for
   gift buyers (quantities of boxes by the dozen), regular restocking for
   offices and tea houses, until the account stops ordering. A few orders are
   refunded (a festival plan cancelled, a batch returned).
3. **Product costs** (商品成本), :func:`product_costs`: each product's unit cost
   (进货成本, CNY), so that gross margins are those of Chinese tea e-commerce:
   about 55-62% on loose tea, 45% on gift boxes (packaging), 40% on teaware.

>>> from crm_lab.data.shop import generate_shop
>>> shop = generate_shop(seed=5, n_customers=400)  # doctest: +SKIP
>>> sorted(shop["business_accounts"].account_type.unique())  # doctest: +SKIP
['company_gifts', 'office', 'tea_house']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import catalog, schema
from .loaders import cast_table

__all__ = [
    "ACCOUNT_MIX",
    "CATEGORY_MARGINS",
    "business_accounts",
    "business_orders",
    "product_costs",
]

#: Gross margin (毛利率 = 1 - unit cost / list price) per category, before any discount.
CATEGORY_MARGINS = {
    "green_tea": 0.58,
    "black_tea": 0.56,
    "oolong": 0.57,
    "puer": 0.55,
    "white_tea": 0.60,
    "flower_tea": 0.62,
    "teaware": 0.40,
    "gift_set": 0.45,
}
#: Accounts per 1,000 consumers of the shop, by type (beside the bulk buyers who converted).
ACCOUNT_MIX = {"company_gifts": 4.0, "office": 4.0, "tea_house": 2.5}
_BULK_CONVERSION = 0.6  # share of the shop's bulk buyers who open an account
# Per type: (discount % low, high), order every (days low, high), monthly chance to stop,
# units per line (median), lines (max), share of VAT special invoices.
_TERMS = {
    "company_gifts": ((12, 30), None, 0.0, 15.0, 2, 0.7),
    "office": ((5, 12), (25, 40), 0.025, 5.0, 3, 0.4),
    "tea_house": ((15, 22), (18, 35), 0.02, 6.0, 3, 0.5),
}
# What each type buys: product indices (catalog.PRODUCTS) and their weights.
_CATEGORIES_BOUGHT = {
    "company_gifts": {"gift_set": 0.85, "green_tea": 0.1, "teaware": 0.05},
    "office": {"green_tea": 0.45, "black_tea": 0.25, "flower_tea": 0.25, "oolong": 0.05},
    "tea_house": {"oolong": 0.35, "puer": 0.3, "white_tea": 0.2, "black_tea": 0.15},
}
# Festival plans change after the boxes are printed with the company's name.
_P_REFUND = {"company_gifts": 0.12, "office": 0.02, "tea_house": 0.03}
_FESTIVALS = ("mid_autumn", "new_year")


def product_costs(seed: int, stream) -> pd.DataFrame:
    """Unit cost (CNY) of every product: the ``product_costs`` table.

    The cost is ``list_price_cny * (1 - margin)`` with the category's margin of
    :data:`CATEGORY_MARGINS` moved by up to 4 points per product (a supplier's
    price), rounded to cents.
    """
    rng = stream(seed, "costs.products")
    rows = catalog.PRODUCTS
    margin = np.array([CATEGORY_MARGINS[r[2]] for r in rows]) + rng.uniform(-0.04, 0.04, len(rows))
    price = np.array([r[3] for r in rows])
    costs = pd.DataFrame(
        {
            "product_id": [f"P{i:04d}" for i in range(1, len(rows) + 1)],
            "unit_cost_cny": np.round(price * (1 - margin), 2),
        }
    )
    return cast_table("product_costs", costs)


def _days(calendar, when) -> np.ndarray:
    return ((when - calendar.date.iloc[0]) / pd.Timedelta(days=1)).astype(int)


def business_accounts(seed, calendar, traits, orders, order_items, stream) -> pd.DataFrame:
    """The shop's business buyers: the ``business_accounts`` table.

    ``traits`` are the consumers' (:func:`~crm_lab.data.shop.customer_traits`);
    ``orders`` and ``order_items`` the consumer tables. A bulk buyer's account
    opens 3-30 days after their first paid order with a gift box in it; other
    accounts open on days spread over the period, more in its first months.
    """
    n_days = len(calendar)
    n_consumers = len(traits)
    rng = stream(seed, "accounts.bulk")
    gift_ids = [f"P{i + 1:04d}" for i, p in enumerate(catalog.PRODUCTS) if p[2] == "gift_set"]
    gift_orders = order_items.loc[order_items.product_id.isin(gift_ids), "order_id"]
    paid = orders[orders.status.eq(schema.PAID) & orders.order_id.isin(gift_orders)]
    bulk_ids = traits.loc[traits.is_bulk_buyer, "customer_id"]
    first_gift = paid[paid.customer_id.isin(bulk_ids)].groupby("customer_id").order_time.min()
    first_gift = first_gift.sort_index()
    converts = rng.random(len(first_gift)) < _BULK_CONVERSION
    first_gift = first_gift[converts]
    opened = _days(calendar, first_gift.dt.normalize()).to_numpy() + rng.integers(
        3, 31, converts.sum()
    )
    keep = opened < n_days
    contact = first_gift.index.to_numpy()[keep].astype(object)
    open_day = list(opened[keep])
    kinds = ["company_gifts"] * len(contact)
    contacts = list(contact)

    rng = stream(seed, "accounts.others")
    for kind, per_thousand in ACCOUNT_MIX.items():
        n = rng.poisson(per_thousand * n_consumers / 1000)
        weights = np.where(np.arange(n_days) < 120, 2.0, 1.0)
        open_day += list(rng.choice(n_days, size=n, p=weights / weights.sum()))
        kinds += [kind] * n
        contacts += [None] * n
    order = np.argsort(np.array(open_day), kind="stable")
    n = len(order)
    open_day = np.array(open_day, dtype=int)[order]
    kinds = np.array(kinds, dtype=object)[order]
    contacts = np.array(contacts, dtype=object)[order]

    rng = stream(seed, "accounts.terms")
    cities = catalog.CITIES
    # Businesses that buy tea online cluster in the big cities.
    tier_weight = np.array([3.0, 2.5, 1.5, 0.8, 0.5, 0.3])
    city_p = np.array([c[2] * tier_weight[schema.CITY_TIERS.index(c[1])] for c in cities])
    city = rng.choice(len(cities), size=n, p=city_p / city_p.sum())
    low = np.array([_TERMS[k][0][0] for k in kinds])
    high = np.array([_TERMS[k][0][1] for k in kinds])
    discount = rng.integers(low, high + 1)
    special = rng.random(n) < np.array([_TERMS[k][5] for k in kinds])
    dates = calendar.date.to_numpy()
    accounts = pd.DataFrame(
        {
            "account_id": [f"B{i:04d}" for i in range(1, n + 1)],
            "account_type": kinds,
            "opened_date": dates[open_day],
            "city": np.array([c[0] for c in cities], dtype=object)[city],
            "city_tier": np.array([c[1] for c in cities], dtype=object)[city],
            "contact_customer_id": contacts,
            "invoice_type": np.where(special, "vat_special", "vat_general"),
            "contract_discount_pct": discount,
        }
    )
    return cast_table("business_accounts", accounts)


def _order_days(rng, kind, open_day, calendar) -> list[int]:
    """The days one account orders on, from its opening day to when it stops ordering."""
    n_days = len(calendar)
    if kind == "company_gifts":
        days = []
        promotion = calendar.promotion.to_numpy()
        for festival in _FESTIVALS:
            window = np.flatnonzero(promotion == festival)
            # One window per year: split where the days jump.
            for run in np.split(window, np.flatnonzero(np.diff(window) > 1) + 1):
                if len(run) and run[-1] >= open_day and rng.random() < 0.8:
                    # Companies order at the start of the window or a few days before it.
                    day = max(int(run[0]) - int(rng.integers(0, 10)), open_day)
                    days.append(min(day, n_days - 1))
        return sorted(days)
    (low, high), stop = _TERMS[kind][1], _TERMS[kind][2]
    days, day = [], open_day + int(rng.integers(0, 7))
    while day < n_days:
        days.append(day)
        gap = int(rng.integers(low, high + 1))
        if rng.random() < 1 - (1 - stop) ** (gap / 30):
            break
        day += gap
    return days


def business_orders(seed, calendar, accounts, stream) -> dict[str, pd.DataFrame]:
    """``business_orders`` and ``business_order_items`` of the accounts.

    Lines are priced at list price (``unit_price_cny``); the order's
    ``discount_cny`` is the account's contract discount on the gross amount, so
    ``net_amount_cny = gross_amount_cny - discount_cny``. Paid orders of accounts
    asking for an invoice carry an invoice number (发票号码); refunded ones none.
    """
    rng = stream(seed, "accounts.orders")
    products = catalog.PRODUCTS
    rows, lines = [], []
    open_days = _days(calendar, accounts.opened_date).to_numpy()
    for k, account in enumerate(accounts.itertuples(index=False)):
        kind = account.account_type
        size = np.exp(rng.normal(0, 0.6))  # a bigger or smaller organisation
        weights = np.array(
            [
                _CATEGORIES_BOUGHT[kind].get(p[2], 0.0)
                * p[4]
                / sum(q[4] for q in products if q[2] == p[2])
                for p in products
            ]
        )
        for day in _order_days(rng, kind, int(open_days[k]), calendar):
            n_lines = int(rng.integers(1, _TERMS[kind][4] + 1))
            picked = rng.choice(
                len(products), size=n_lines, replace=False, p=weights / weights.sum()
            )
            median = _TERMS[kind][3] * size
            quantity = np.maximum(1, np.rint(median * np.exp(rng.normal(0, 0.5, n_lines))))
            rows.append((account.account_id, day, kind))
            lines.append((picked, quantity.astype(int)))
    n = len(rows)
    seconds = rng.integers(9 * 3600, 18 * 3600, size=n)  # office hours
    refunded = rng.random(n) < np.array([_P_REFUND[r[2]] for r in rows])
    day = np.array([r[1] for r in rows], dtype=int)
    when = calendar.date.to_numpy()[day].astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    by_time = np.argsort(when, kind="stable")
    discount_pct = accounts.set_index("account_id").contract_discount_pct
    invoice = accounts.set_index("account_id").invoice_type
    order_rows, item_rows = [], []
    for number, i in enumerate(by_time, start=1):
        account_id = rows[i][0]
        order_id = f"BO{number:05d}"
        picked, quantity = lines[i]
        price = np.array([products[p][3] for p in picked])
        amounts = np.round(price * quantity, 2)
        gross = round(float(amounts.sum()), 2)
        discount = round(gross * discount_pct[account_id] / 100, 2)
        status = schema.REFUNDED if refunded[i] else schema.PAID
        issued = status == schema.PAID
        prefix = "ZP" if invoice[account_id] == "vat_special" else "PP"
        order_rows.append(
            {
                "order_id": order_id,
                "account_id": account_id,
                "order_time": when[i],
                "status": status,
                "gross_amount_cny": gross,
                "discount_cny": discount,
                "net_amount_cny": round(gross - discount, 2),
                "invoice_no": f"{prefix}{seed % 100:02d}{number:06d}" if issued else None,
                "promotion": calendar.promotion.iloc[day[i]],
            }
        )
        for line_no, (p, q, a) in enumerate(zip(picked, quantity, amounts, strict=True), 1):
            item_rows.append(
                {
                    "order_id": order_id,
                    "line_no": line_no,
                    "product_id": f"P{p + 1:04d}",
                    "quantity": int(q),
                    "unit_price_cny": products[p][3],
                    "line_amount_cny": float(a),
                }
            )
    orders_columns = [c.name for c in schema.ACCOUNT_TABLES["business_orders"]]
    items_columns = [c.name for c in schema.ACCOUNT_TABLES["business_order_items"]]
    return {
        "business_orders": cast_table(
            "business_orders", pd.DataFrame(order_rows, columns=orders_columns)
        ),
        "business_order_items": cast_table(
            "business_order_items", pd.DataFrame(item_rows, columns=items_columns)
        ),
    }


def account_tables(seed, calendar, traits, tables, stream) -> dict[str, pd.DataFrame]:
    """Every table of this module, from the shop's ``tables`` generated so far."""
    accounts = business_accounts(
        seed, calendar, traits, tables["orders"], tables["order_items"], stream
    )
    return {
        "business_accounts": accounts,
        **business_orders(seed, calendar, accounts, stream),
        "product_costs": product_costs(seed, stream),
    }
