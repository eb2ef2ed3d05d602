"""The simulated shop 云雾茶舍 (Yunwu Tea House): a seeded, vectorised generator.

Yunwu Tea House sells tea and teaware on a Taobao/Tmall-style platform. Its
flagship store opened on the first day of the period, so every customer's
sign-up and first order is observed (no left-censoring, as BG/NBD assumes).

The model, in the order the generator runs it:

1. **Customers and latent traits** (潜在特征), :func:`customer_traits`. Each
   customer signs up on some day (more during promotions, slowly growing) and
   carries hidden traits that every table of the shop reuses:
   ``purchase_rate_per_year`` (Gamma-distributed, so a few buy often and most
   rarely), ``dropout_probability`` (Beta-distributed: after each purchase the
   customer silently leaves for good with this probability, as in BG/NBD),
   ``spend_level`` (log-normal basket-size multiplier, higher in big cities),
   ``is_bulk_buyer`` (about 1% buy gift boxes by the dozen: 企业团购),
   ``never_buys`` (signed up, never ordered), a preferred category, payment
   method and coupon appetite. The acquisition channel shifts these a little:
   referred customers stay longer, live-stream and ad customers leave sooner.
2. **Orders** (订单). The first order follows sign-up after a short delay.
   Repeat orders form a Poisson process whose rate is the customer's rate times
   the day's intensity from :func:`crm_lab.data.seasons.shop_calendar`
   (Double 11, 618, Spring Festival ...), until the customer drops out or the
   period ends.
3. **Baskets** (购物篮): lines, products (seasonal category mix, the customer's
   favourite category, pricier picks for bigger spenders), quantities.
4. **Money**: coupons (优惠券, more used during promotions), the platform's
   cross-store "每满300减" discount during Double 11 and 618.
5. **Status and payment**, following the platform's order life cycle: a few
   orders are never paid and closed by the platform (交易关闭, more during big
   sales); a few paid ones are refunded (退款), before shipping (a change of
   mind, more during big sales) or after it (more often for fragile teaware);
   the rest are completed (交易成功, status ``paid``). Paid orders carry a
   payment method drawn from the methods the platform offered on that day
   (:data:`crm_lab.data.catalog.PAYMENT_RULES`: no WeChat Pay before September
   2024); closed orders carry none.

Every part draws from its own random stream, derived from ``(seed, name)`` by
:class:`numpy.random.SeedSequence` (see :func:`stream`). Adding a table later
(surveys, membership points, call-centre calls, service tickets, chat
questions) therefore never changes the existing tables of the same seed: give
it a new stream name and build it on :func:`customer_traits`, which is where a
customer's latent traits live.

>>> shop = generate_shop(seed=7, n_customers=300)
>>> list(shop)[:4]
['customers', 'products', 'orders', 'order_items']
>>> list(shop)[4:11]
['calls', 'call_staffing', 'chats', 'chat_staffing', 'tickets', 'faq', 'chat_questions']
>>> list(shop)[11:15]
['business_accounts', 'business_orders', 'business_order_items', 'product_costs']
>>> list(shop)[15:17]
['members', 'points_ledger']
>>> list(shop)[17:18]
['customer_records']
>>> list(shop)[18:]
['shipments', 'surveys', 'shop_ratings', 'reviews']
>>> shop["orders"].status.dtype.categories.tolist()
['paid', 'refunded', 'closed']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import accounts, catalog, membership, records, schema, service, survey
from .loaders import STR_DTYPE, cast_table, validate_table
from .seasons import shop_calendar

__all__ = [
    "AS_OF",
    "DEFAULT_SEED",
    "PERIOD_END",
    "PERIOD_START",
    "customer_traits",
    "generate_shop",
    "payment_shares",
    "product_catalog",
    "stream",
    "write_shop",
]

AS_OF = pd.Timestamp("2026-01-01")
DEFAULT_SEED = 2026
PERIOD_START = pd.Timestamp("2024-01-01")
PERIOD_END = pd.Timestamp("2025-12-31")

_CHANNEL_SHARES = np.array([0.30, 0.20, 0.16, 0.10, 0.24])  # order of ACQUISITION_CHANNELS
_CHANNEL_RATE = np.array([1.0, 0.95, 0.9, 1.15, 0.9])
_CHANNEL_DROPOUT = np.array([1.0, 1.1, 1.3, 0.7, 1.15])
_CHANNEL_NEVER_BUYS = np.array([0.10, 0.14, 0.12, 0.06, 0.20])
_TIER_SPEND_SHIFT = np.array([0.20, 0.10, 0.0, -0.08, -0.15, -0.20])  # log scale
_CATEGORY_SHARES = np.array([0.20, 0.14, 0.17, 0.12, 0.09, 0.08, 0.12, 0.08])
# Each customer keeps to one payment method for most paid orders, and is one of the
# platform's younger Huabei (花呗) users twice as often when born in 1995 or later.
_PAYMENT_HABIT = 0.85
_YOUNG_HUABEI = 2.0
# Orders never paid and closed by the platform (交易关闭): a few percent, more in big sales.
_P_CLOSED = 0.03
_P_CLOSED_BIG_SALE = 0.03
# (code, promotion it belongs to or "any", minimum order CNY, CNY off); 满X减Y coupons.
_COUPONS = (
    ("WELCOME15", "first_order", 99.0, 15.0),
    ("TEA10", "any", 129.0, 10.0),
    ("TEA30", "any", 299.0, 30.0),
    ("NY20", "new_year", 159.0, 20.0),
    ("NY60", "new_year", 399.0, 60.0),
    ("M618_30", "618", 199.0, 30.0),
    ("M618_80", "618", 499.0, 80.0),
    ("MA50", "mid_autumn", 399.0, 50.0),
    ("D11_40", "double11", 259.0, 40.0),
    ("D11_100", "double11", 599.0, 100.0),
    ("D12_30", "double12", 299.0, 30.0),
)
# The platform's own cross-store discount: every full 300 CNY, this much off.
_PLATFORM_PER_300 = {"618": 40.0, "double11": 50.0}


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random generator for one named part of the shop.

    The same ``(seed, name)`` always gives the same stream, and different
    names give unrelated streams, so new parts never disturb old ones.

    >>> float(stream(1, "surveys").random()) == float(stream(1, "surveys").random())
    True
    """
    entropy = [int(seed), *name.encode("utf-8")]
    return np.random.default_rng(np.random.SeedSequence(entropy))


def product_catalog() -> pd.DataFrame:
    """The shop's 50 products (not random): the ``products`` table.

    Columns: ``product_id`` (str, "P0001"...), ``name_zh``, ``name_en`` (str),
    ``category`` (category, ``schema.PRODUCT_CATEGORIES``),
    ``list_price_cny`` (float, CNY).

    >>> products = product_catalog()
    >>> products.loc[0, "product_id"], products.loc[0, "category"], len(products)
    ('P0001', 'green_tea', 50)
    """
    rows = catalog.PRODUCTS
    products = pd.DataFrame(
        {
            "product_id": [f"P{i:04d}" for i in range(1, len(rows) + 1)],
            "name_zh": [r[0] for r in rows],
            "name_en": [r[1] for r in rows],
            "category": [r[2] for r in rows],
            "list_price_cny": [r[3] for r in rows],
        }
    )
    return validate_table("products", products, source="<generated products>")


def payment_shares(dates) -> pd.DataFrame:
    """Share of paid orders each payment method has on each day, from the platform's rules.

    ``dates`` are days (anything ``pd.to_datetime`` reads); returns one row per date
    and one column per ``schema.PAYMENT_METHODS``, each row summing to 1. A method
    is 0 before its ``available_from`` day in :data:`crm_lab.data.catalog.PAYMENT_RULES`.

    >>> payment_shares(["2024-06-01", "2025-10-01"])["wechat_pay"].tolist()
    [0.0, 0.09]
    """
    days = pd.to_datetime(pd.Series(dates)).to_numpy().astype("datetime64[D]")
    shares = np.zeros((len(days), len(schema.PAYMENT_METHODS)))
    for method, available_from, share in sorted(catalog.PAYMENT_RULES, key=lambda r: r[1]):
        column = schema.PAYMENT_METHODS.index(method)
        shares[days >= np.datetime64(available_from), column] = share
    rest = schema.PAYMENT_METHODS.index("alipay")
    shares[:, rest] = 1.0 - np.delete(shares, rest, axis=1).sum(axis=1)
    return pd.DataFrame(shares, columns=list(schema.PAYMENT_METHODS), index=pd.Index(days))


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """Ids like C000001, C000002... as an object array (wider past 10**width - 1)."""
    numbers = np.arange(1, n + 1).astype(str)
    return np.strings.add(prefix, np.strings.zfill(numbers, width)).astype(object)


def customer_traits(
    seed: int = DEFAULT_SEED,
    n_customers: int = 4000,
    start="2024-01-01",
    end="2025-12-31",
) -> pd.DataFrame:
    """Every customer's public attributes and hidden (latent) traits.

    One row per customer, sorted by ``signup_date`` (ids follow sign-up order).
    Public columns are those of the ``customers`` table. Latent columns:
    ``purchase_rate_per_year`` (float, orders per year on an ordinary day while
    active), ``dropout_probability`` (float, chance of leaving after each
    order), ``spend_level`` (float, 1.0 = typical basket), ``is_bulk_buyer``
    (bool), ``never_buys`` (bool), ``first_order_delay_days`` (int),
    ``preferred_category`` (str), ``preferred_payment`` (str, the usual method
    among those the platform offered at sign-up, WeChat Pay aside),
    ``coupon_propensity`` (float 0-1, chance of using a coupon on an ordinary
    day). Later tables (surveys, points, calls) should read their customers'
    behaviour from here rather than invent new traits.

    >>> traits = customer_traits(seed=1, n_customers=50)
    >>> traits.customer_id.iloc[0], bool(traits.signup_date.is_monotonic_increasing)
    ('C000001', True)
    """
    if n_customers < 1:
        raise ValueError(f"n_customers must be at least 1, got {n_customers}")
    calendar = shop_calendar(start, end)
    n_days = len(calendar)
    n = int(n_customers)

    # Sign-ups: a launch month, slow growth, and more during promotions.
    rng = stream(seed, "customers.signup")
    day = np.arange(n_days)
    weights = (1.0 + 0.15 * day / n_days) * (1.0 + 0.9 * (calendar.intensity.to_numpy() - 1.0))
    weights[:91] *= 2.5
    signup_day = np.sort(rng.choice(n_days, size=n, p=weights / weights.sum()))

    rng = stream(seed, "customers.demographics")
    # Live-stream selling (直播带货) grows over the period at the expense of search.
    progress = signup_day / max(n_days - 1, 1)
    shares = np.tile(_CHANNEL_SHARES, (n, 1))
    shares[:, 2] += 0.10 * progress - 0.05
    shares[:, 0] -= 0.10 * progress - 0.05
    channel = (shares.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1)
    channel = np.minimum(channel, len(_CHANNEL_SHARES) - 1)

    cities = catalog.CITIES
    tier_of_city = np.array([schema.CITY_TIERS.index(c[1]) for c in cities])
    city_weight = np.array([c[2] for c in cities])
    tier_share = np.array([catalog.TIER_SHARES[c[1]] for c in cities])
    city_p = tier_share * city_weight / np.bincount(tier_of_city, weights=city_weight)[tier_of_city]
    city = rng.choice(len(cities), size=n, p=city_p / city_p.sum())
    tier = tier_of_city[city]
    gender = rng.choice(len(schema.GENDERS), size=n, p=[0.56, 0.36, 0.08])
    birth_year = np.clip(np.rint(rng.normal(1991, 9, size=n)), 1955, 2007).astype(int)
    # Customers who hide their gender mostly hide their age too.
    missing_year = rng.random(n) < np.where(gender == 2, 0.6, 0.1)

    rng = stream(seed, "traits.purchasing")
    rate = rng.gamma(shape=0.8, scale=4.0 / 0.8, size=n) * _CHANNEL_RATE[channel]
    dropout = np.clip(rng.beta(1.2, 3.8, size=n) * _CHANNEL_DROPOUT[channel], 0.02, 0.95)
    never_buys = rng.random(n) < _CHANNEL_NEVER_BUYS[channel]
    delay = np.where(rng.random(n) < 0.55, 0, np.ceil(rng.exponential(18.0, size=n))).astype(int)

    rng = stream(seed, "traits.spending")
    age_shift = np.where(missing_year, 0.0, (1991 - birth_year) / 100)
    spend = np.exp(rng.normal(_TIER_SPEND_SHIFT[tier] + age_shift, 0.45))
    bulk = rng.random(n) < 0.01
    # Company buyers (企业团购) come back for every festival.
    rate = np.where(bulk, 2.0 * rate, rate)
    dropout = np.where(bulk, 0.5 * dropout, dropout)

    rng = stream(seed, "traits.preferences")
    category = rng.choice(len(schema.PRODUCT_CATEGORIES), size=n, p=_CATEGORY_SHARES)
    young = ~missing_year & (birth_year >= 1995)
    pay_p = _habit_shares(payment_shares(dates_of(calendar, signup_day)).to_numpy(), young)
    payment = (pay_p.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1)
    payment = np.minimum(payment, len(schema.PAYMENT_METHODS) - 1)
    coupon_propensity = rng.beta(1.2, 3.0, size=n)

    dates = calendar.date.to_numpy()
    return pd.DataFrame(
        {
            "customer_id": pd.array(_ids("C", n, 6), dtype=STR_DTYPE),
            "signup_date": pd.to_datetime(dates[signup_day]).astype("datetime64[ns]"),
            "acquisition_channel": pd.Categorical.from_codes(
                channel, categories=list(schema.ACQUISITION_CHANNELS)
            ),
            "city": pd.array(np.array([c[0] for c in cities], dtype=object)[city], dtype=STR_DTYPE),
            "city_tier": pd.Categorical.from_codes(
                tier, categories=list(schema.CITY_TIERS), ordered=True
            ),
            "gender": pd.Categorical.from_codes(gender, categories=list(schema.GENDERS)),
            "birth_year": pd.array(np.where(missing_year, None, birth_year), dtype="Int64"),
            "purchase_rate_per_year": rate,
            "dropout_probability": dropout,
            "spend_level": spend,
            "is_bulk_buyer": bulk,
            "never_buys": never_buys,
            "first_order_delay_days": delay,
            "preferred_category": np.array(schema.PRODUCT_CATEGORIES)[category],
            "preferred_payment": np.array(schema.PAYMENT_METHODS)[payment],
            "coupon_propensity": coupon_propensity,
        }
    )


def dates_of(calendar, day):
    """The calendar dates of day indices."""
    return calendar.date.to_numpy()[day]


def _habit_shares(shares: np.ndarray, young: np.ndarray) -> np.ndarray:
    """Per customer, the chance of each method being their habit (WeChat Pay excluded).

    The platform's day shares without WeChat Pay, renormalised; Huabei weighs
    ``_YOUNG_HUABEI`` times more for the young, scaled so that its average stays
    the platform's share.
    """
    habit = shares.copy()
    habit[:, schema.PAYMENT_METHODS.index("wechat_pay")] = 0.0
    habit /= habit.sum(axis=1, keepdims=True)
    huabei = schema.PAYMENT_METHODS.index("huabei")
    weight = np.where(young, _YOUNG_HUABEI, 1.0)
    target = np.clip(habit[:, huabei] * weight / weight.mean(), 0.0, 0.95)
    others = 1.0 - habit[:, huabei]
    scale = np.where(others > 0, (1.0 - target) / np.where(others > 0, others, 1.0), 0.0)
    habit *= scale[:, None]
    habit[:, huabei] = target
    return habit


def _group_positions(owner: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal values of a sorted ``owner`` array."""
    if len(owner) == 0:
        return np.zeros(0, dtype=int)
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    lengths = np.diff(np.r_[starts, len(owner)])
    return np.arange(len(owner)) - np.repeat(starts, lengths)


def _order_days(seed, traits, calendar):
    """Which customer orders on which day: (customer index, day index, is_first)."""
    rng = stream(seed, "orders.timing")
    n_days = len(calendar)
    # Operational time: cumulative intensity in "ordinary years" at the end of each day.
    clock = np.cumsum(calendar.intensity.to_numpy()) / 365.25
    signup_day = (
        (traits.signup_date.to_numpy() - calendar.date.to_numpy()[0])
        .astype("timedelta64[D]")
        .astype(int)
    )
    first_day = signup_day + traits.first_order_delay_days.to_numpy()
    buys = ~traits.never_buys.to_numpy() & (first_day < n_days)
    buyers = np.flatnonzero(buys)

    rate = traits.purchase_rate_per_year.to_numpy()[buyers]
    dropout = traits.dropout_probability.to_numpy()[buyers]
    t0 = clock[first_day[buyers]]
    horizon = clock[-1] - t0
    # Repeat orders the customer would make before leaving (BG/NBD dropout) ...
    before_leaving = rng.geometric(dropout) - 1
    # ... capped far above what the period can hold, to keep the arrays small.
    expected = rate * horizon
    cap = np.ceil(expected + 6 * np.sqrt(expected) + 5).astype(int)
    n_draws = np.minimum(before_leaving, cap)
    owner = np.repeat(np.arange(len(buyers)), n_draws)
    gaps = rng.standard_exponential(len(owner)) / rate[owner]
    elapsed = np.cumsum(gaps)
    group_start = np.cumsum(n_draws) - n_draws
    elapsed -= np.repeat(np.r_[0.0, elapsed][group_start], n_draws)
    when = t0[owner] + elapsed
    inside = when <= clock[-1]
    repeat_day = np.minimum(np.searchsorted(clock, when[inside], side="left"), n_days - 1)

    customer = np.r_[buyers, buyers[owner[inside]]]
    day = np.r_[first_day[buyers], repeat_day]
    is_first = np.r_[np.ones(len(buyers), bool), np.zeros(len(repeat_day), bool)]
    return customer, day, is_first


_HOUR_WEIGHTS = np.array(
    [3, 1.5, 0.8, 0.4, 0.3, 0.3, 0.6, 1.5, 2.5, 3.5, 4.5, 4.5,
     4.5, 4.5, 4.5, 4.5, 4.5, 4, 4, 5, 6.5, 7.5, 6.5, 4.5]
)  # fmt: skip


def _seconds_of_day(rng, day, calendar):
    n = len(day)
    hour = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    month_day = calendar.date.dt.strftime("%m-%d").to_numpy()[day]
    # Double 11 opens at midnight: a rush in the first hour of 11-11.
    rush = (month_day == "11-11") & (rng.random(n) < 0.3)
    hour = np.where(rush, 0, hour)
    return hour * 3600 + rng.integers(0, 3600, size=n)


def _category_mix(calendar) -> np.ndarray:
    """Per day, the share of basket lines in each product category."""
    mix = np.tile(_CATEGORY_SHARES, (len(calendar), 1))
    month_day = calendar.date.dt.strftime("%m-%d").to_numpy()
    promotion = calendar.promotion.to_numpy()
    cat = schema.PRODUCT_CATEGORIES.index
    mix[(month_day >= "03-15") & (month_day <= "05-15"), cat("green_tea")] *= 2.0  # 春茶 new tea
    mix[promotion == "new_year", cat("gift_set")] *= 4.0
    mix[promotion == "mid_autumn", cat("gift_set")] *= 3.5
    mix[promotion == "double11", cat("gift_set")] *= 1.5
    return mix / mix.sum(axis=1, keepdims=True)


def _baskets(seed, traits, calendar, customer, day):
    """Order lines: (order index, product index, quantity), sorted by order."""
    rng = stream(seed, "orders.baskets")
    products = catalog.PRODUCTS
    promotion = calendar.promotion.to_numpy()[day]
    spend = traits.spend_level.to_numpy()[customer]
    big_sale = np.isin(promotion, ["618", "double11"])
    mean_extra_lines = 0.3 * spend**0.7 + np.where(big_sale, 0.35, 0.0)
    n_lines = 1 + np.minimum(rng.poisson(mean_extra_lines), 5)

    order = np.repeat(np.arange(len(customer)), n_lines)
    line_customer = customer[order]
    line_day = day[order]
    n = len(order)
    bulk = traits.is_bulk_buyer.to_numpy()[line_customer]

    # Category: the customer's favourite, else the day's mix; bulk buyers buy gift boxes.
    mix = _category_mix(calendar).cumsum(axis=1)
    category = (mix[line_day] < rng.random(n)[:, None]).sum(axis=1)
    favourite = pd.Categorical(
        traits.preferred_category, categories=list(schema.PRODUCT_CATEGORIES)
    ).codes[line_customer]
    category = np.where(rng.random(n) < 0.4, favourite, category)
    category = np.where(bulk & (rng.random(n) < 0.7), len(schema.PRODUCT_CATEGORIES) - 1, category)
    category = np.minimum(category, len(schema.PRODUCT_CATEGORIES) - 1)

    # Product within the category: popularity, nudged up the price list for big spenders.
    product_category = np.array([schema.PRODUCT_CATEGORIES.index(p[2]) for p in products])
    price = np.array([p[3] for p in products])
    popularity = np.array([p[4] for p in products])
    by_price = np.lexsort((price, product_category))
    cum = np.zeros(len(products))
    for c in range(len(schema.PRODUCT_CATEGORIES)):
        members = by_price[product_category[by_price] == c]
        cum[members] = np.cumsum(popularity[members]) / popularity[members].sum()
    keys = product_category[by_price] + cum[by_price]
    u = (1.0 - rng.random(n)) ** (traits.spend_level.to_numpy()[line_customer] ** -0.6)
    position = np.minimum(np.searchsorted(keys, category + u, side="left"), len(keys) - 1)
    product = by_price[position]
    line_promotion = promotion[order]
    for index, (window, substitute) in catalog.SEASONAL_PRODUCTS.items():
        product = np.where((product == index) & (line_promotion != window), substitute, product)

    # The same product twice in one order is one line.
    first = np.unique(order * len(products) + product, return_index=True)[1]
    keep = np.zeros(n, bool)
    keep[first] = True
    order, product, line_customer = order[keep], product[keep], line_customer[keep]
    bulk, n = bulk[keep], int(keep.sum())

    is_teaware = product_category[product] == schema.PRODUCT_CATEGORIES.index("teaware")
    p_one_more = np.clip(0.22 * traits.spend_level.to_numpy()[line_customer] ** 0.25, 0.05, 0.6)
    quantity = np.minimum(rng.geometric(np.where(is_teaware, 0.92, 1 - p_one_more)), 6)
    # Company gifts are bought for festivals (and on Double 11), rarely otherwise.
    gifting = np.isin(line_promotion[keep], ["new_year", "mid_autumn", "double11"])
    bulk_order = bulk & ~is_teaware & (rng.random(n) < np.where(gifting, 0.8, 0.25))
    quantity = np.where(bulk_order, quantity * rng.integers(3, 9, size=n), quantity)
    return order, product, quantity


def _money(seed, traits, calendar, customer, day, is_first, order, product, quantity):
    """Line amounts, order totals, discounts, net amounts and coupon codes."""
    n_orders = len(customer)
    price = np.array([p[3] for p in catalog.PRODUCTS])
    line_amount = np.round(quantity * price[product], 2)
    gross = np.round(np.bincount(order, weights=line_amount, minlength=n_orders), 2)
    promotion = calendar.promotion.to_numpy()[day]
    on_promotion = promotion != "none"

    rng = stream(seed, "orders.discounts")
    appetite = traits.coupon_propensity.to_numpy()[customer]
    uses_coupon = rng.random(n_orders) < np.clip(
        appetite * np.where(on_promotion, 2.2, 1.0), 0, 0.95
    )
    best_amount = np.zeros(n_orders)
    best_code = np.full(n_orders, -1)
    for k, (_code, window, minimum, amount) in enumerate(_COUPONS):
        if window == "first_order":
            valid = is_first
        elif window == "any":
            valid = np.ones(n_orders, bool)
        else:
            valid = promotion == window
        better = uses_coupon & valid & (gross >= minimum) & (amount > best_amount)
        best_amount = np.where(better, amount, best_amount)
        best_code = np.where(better, k, best_code)
    platform = np.zeros(n_orders)
    for window, per_300 in _PLATFORM_PER_300.items():
        platform += np.where(promotion == window, np.floor(gross / 300.0) * per_300, 0.0)
    discount = np.round(best_amount + platform, 2)
    net = np.round(gross - discount, 2)
    codes = np.array([c[0] for c in _COUPONS] + [None], dtype=object)
    coupon_code = codes[best_code]  # -1 picks the trailing None

    return line_amount, gross, discount, net, coupon_code


def _status(seed, calendar, day, order, product):
    """Each order's end state: codes into ``schema.ORDER_STATUSES``.

    Refunds come from the ``orders.status`` stream (before shipping: a change of
    mind, likelier during big sales; after it: breakage, likelier with teaware);
    orders never paid come from their own stream, ``orders.unpaid``, and win over
    a refund (an order that was never paid cannot be refunded).
    """
    n_orders = len(day)
    promotion = calendar.promotion.to_numpy()[day]
    big_sale = np.isin(promotion, ["618", "double11"])
    rng = stream(seed, "orders.status")
    has_teaware = (
        np.bincount(
            order,
            weights=(
                np.array([p[2] == "teaware" for p in catalog.PRODUCTS])[product].astype(float)
            ),
            minlength=n_orders,
        )
        > 0
    )
    p_before_shipping = 0.02 + np.where(big_sale, 0.02, 0.0)  # impulse orders during big sales
    p_after_shipping = 0.018 + np.where(has_teaware, 0.035, 0.0)  # porcelain breaks in transit
    refunded = rng.random(n_orders) < p_before_shipping + p_after_shipping

    rng = stream(seed, "orders.unpaid")
    closed = rng.random(n_orders) < _P_CLOSED + np.where(big_sale, _P_CLOSED_BIG_SALE, 0.0)
    code = schema.ORDER_STATUSES.index
    return np.where(
        closed, code(schema.CLOSED), np.where(refunded, code(schema.REFUNDED), code(schema.PAID))
    )


def _payment(seed, traits, calendar, customer, day, status):
    """Each order's payment method (codes into ``schema.PAYMENT_METHODS``; -1 if unpaid).

    A customer pays by habit (``preferred_payment``) ``_PAYMENT_HABIT`` of the
    time, otherwise by any method the platform offered that day. WeChat Pay,
    once offered, wins with its day's share, for the same customers again and
    again (those whose ``wechat_affinity`` is below it), so the share of each
    method on each day follows :func:`payment_shares`.
    """
    rng = stream(seed, "orders.payment")
    n_orders = len(customer)
    wechat_affinity = rng.random(len(traits))[customer]
    shares = payment_shares(dates_of(calendar, day)).to_numpy()
    wechat = schema.PAYMENT_METHODS.index("wechat_pay")
    habitual = pd.Categorical(
        traits.preferred_payment, categories=list(schema.PAYMENT_METHODS)
    ).codes[customer]
    without_wechat = shares.copy()
    without_wechat[:, wechat] = 0.0
    without_wechat /= without_wechat.sum(axis=1, keepdims=True)
    other = (without_wechat.cumsum(axis=1) < rng.random(n_orders)[:, None]).sum(axis=1)
    other = np.minimum(other, len(schema.PAYMENT_METHODS) - 1)
    by_habit = rng.random(n_orders) < _PAYMENT_HABIT
    chance = np.where(by_habit, wechat_affinity, rng.random(n_orders))
    payment = np.where(by_habit, habitual, other)
    payment = np.where(chance < shares[:, wechat], wechat, payment)
    return np.where(status == schema.ORDER_STATUSES.index(schema.CLOSED), -1, payment)


def generate_shop(
    seed: int = DEFAULT_SEED,
    n_customers: int = 4000,
    start="2024-01-01",
    end="2025-12-31",
) -> dict[str, pd.DataFrame]:
    """Simulate the shop: ``{"customers", "products", "orders", "order_items"}`` and the
    customer-service tables ``calls``, ``call_staffing``, ``chats``, ``chat_staffing``,
    ``tickets``, ``faq`` and ``chat_questions`` (see :mod:`crm_lab.data.service`), and
    chapter 01's ``business_accounts``, ``business_orders``, ``business_order_items`` and
    ``product_costs`` (see :mod:`crm_lab.data.accounts`).

    The tables have exactly the columns and dtypes the loaders return (see
    ``datasets/README.md`` for every column); the same ``seed`` gives the same
    tables. ``start``/``end`` bound sign-ups and orders (inclusive days).
    About 2.4 orders per customer: 4,000 customers give about 9,400 orders.

    >>> shop = generate_shop(seed=3, n_customers=200)  # doctest: +SKIP
    >>> shop["orders"].head(2)  # doctest: +SKIP
    """
    calendar = shop_calendar(start, end)
    traits = customer_traits(seed, n_customers, start, end)
    customer, day, is_first = _order_days(seed, traits, calendar)

    rng = stream(seed, "orders.clock")
    seconds = _seconds_of_day(rng, day, calendar)
    # Ids follow time: sort by (day, second, customer) and number the orders.
    by_time = np.lexsort((customer, seconds, day))
    customer, day, is_first, seconds = (a[by_time] for a in (customer, day, is_first, seconds))

    order, product, quantity = _baskets(seed, traits, calendar, customer, day)
    line_amount, gross, discount, net, coupon_code = _money(
        seed, traits, calendar, customer, day, is_first, order, product, quantity
    )
    status = _status(seed, calendar, day, order, product)
    payment = _payment(seed, traits, calendar, customer, day, status)

    n_orders = len(customer)
    order_ids = _ids("O", n_orders, 7)
    customer_ids = traits.customer_id.to_numpy(dtype=object)
    product_ids = np.array([f"P{i:04d}" for i in range(1, len(catalog.PRODUCTS) + 1)], object)
    order_time = calendar.date.to_numpy()[day].astype("datetime64[s]") + seconds.astype(
        "timedelta64[s]"
    )
    promotion = calendar.promotion.to_numpy()[day]

    customers = traits[[c.name for c in schema.TABLES["customers"]]]
    orders = pd.DataFrame(
        {
            "order_id": order_ids,
            "customer_id": customer_ids[customer],
            "order_time": order_time,
            "status": pd.Categorical.from_codes(status, categories=list(schema.ORDER_STATUSES)),
            "gross_amount_cny": gross,
            "discount_cny": discount,
            "coupon_code": coupon_code,
            "net_amount_cny": net,
            "payment_method": pd.Categorical.from_codes(
                payment, categories=list(schema.PAYMENT_METHODS)
            ),
            "promotion": promotion,
        }
    )
    items = pd.DataFrame(
        {
            "order_id": order_ids[order],
            "line_no": _group_positions(order) + 1,
            "product_id": product_ids[product],
            "quantity": quantity.astype("int64"),
            "unit_price_cny": np.array([p[3] for p in catalog.PRODUCTS])[product],
            "line_amount_cny": line_amount,
        }
    )
    tables = {
        # Built valid by construction; the tests validate generated shops in full.
        "customers": cast_table("customers", customers),
        "products": product_catalog(),
        "orders": cast_table("orders", orders),
        "order_items": cast_table("order_items", items),
    }
    # Customer service (chapter 07): each part from its own streams, after the shop proper.
    tables.update(service.call_centre(seed, calendar, tables["orders"], n_customers, stream))
    tables["tickets"] = service.tickets(
        seed, calendar, tables["orders"], tables["order_items"], tables["products"], stream
    )
    tables["faq"] = service.faq_table()
    tables["chat_questions"] = service.chat_questions(seed, n_customers, stream)
    # Business buyers and product costs (chapter 01), after everything they follow from.
    tables.update(accounts.account_tables(seed, calendar, traits, tables, stream))
    # The membership programme (chapter 05): who joined and their points, from the orders.
    tables.update(membership.membership_tables(seed, calendar, traits, tables, stream))
    # Raw customer records from four channels (chapter 02), from everything above.
    tables.update(records.customer_records(seed, traits, tables, stream))
    # Deliveries, the post-purchase survey and the platform's ratings (chapter 03).
    tables.update(survey.survey_tables(seed, calendar, traits, tables, stream))
    return tables


def write_shop(tables: dict[str, pd.DataFrame], directory) -> list[Path]:
    """Write shop tables as ``<name>.csv`` files; returns the paths written.

    Files are byte-for-byte reproducible: UTF-8, ``\\n`` line ends, money with
    two decimals, dates as ``YYYY-MM-DD`` and times as ``YYYY-MM-DD HH:MM:SS``,
    missing values as empty fields. Tables are validated before writing.

    >>> paths = write_shop(generate_shop(seed=7, n_customers=800), "tmp_shop")  # doctest: +SKIP
    """
    known = {
        **schema.TABLES,
        **schema.SERVICE_TABLES,
        **schema.ACCOUNT_TABLES,
        **schema.RECORD_TABLES,
        **schema.MEMBERSHIP_TABLES,
        **schema.SURVEY_TABLES,
    }
    unknown = set(tables) - set(known)
    if unknown:
        raise ValueError(f"write_shop: unknown table(s) {sorted(unknown)}; known: {list(known)}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in known:
        if name not in tables:
            continue
        table = validate_table(name, tables[name], source=f"<table {name}>")
        kinds = {c.kind for c in known[name]}
        path = directory / schema.FILE_NAMES[name]
        table.to_csv(
            path,
            index=False,
            encoding="utf-8",
            lineterminator="\n",
            float_format="%.2f",
            date_format="%Y-%m-%d %H:%M:%S"
            if kinds & {"datetime", "optional_datetime"}
            else "%Y-%m-%d",
        )
        paths.append(path)
    return paths
