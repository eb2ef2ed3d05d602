"""The shop's tables as data: column names, kinds, allowed category values.

One definition serves the generator (it casts its output with it), the loaders
(they validate files against it) and ``datasets/README.md`` (it documents it).
Category dtypes always carry the *full* list of allowed values, in a fixed
order, so a table from the generator and the same table from a CSV file have
identical dtypes even when a value happens not to occur.

>>> [c.name for c in TABLES["order_items"]]
['order_id', 'line_no', 'product_id', 'quantity', 'unit_price_cny', 'line_amount_cny']
>>> ORDER_STATUSES
('paid', 'refunded', 'cancelled')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACQUISITION_CHANNELS",
    "CITY_TIERS",
    "Column",
    "FILE_NAMES",
    "GENDERS",
    "ORDER_STATUSES",
    "PAYMENT_METHODS",
    "PRODUCT_CATEGORIES",
    "PROMOTIONS",
    "TABLES",
    "UNIQUE_KEYS",
]

ACQUISITION_CHANNELS = ("search", "social_media", "live_stream", "referral", "marketplace_ads")
# Ordered from the biggest cities down (一线, 新一线, 二线, 三线, 四线, 五线).
CITY_TIERS = ("tier1", "new_tier1", "tier2", "tier3", "tier4", "tier5")
GENDERS = ("F", "M", "unknown")
ORDER_STATUSES = ("paid", "refunded", "cancelled")
PAYMENT_METHODS = ("alipay", "wechat_pay", "huabei", "card")
PRODUCT_CATEGORIES = (
    "green_tea",
    "black_tea",
    "oolong",
    "puer",
    "white_tea",
    "flower_tea",
    "teaware",
    "gift_set",
)
# Calendar order; "none" means an ordinary day.
PROMOTIONS = ("none", "new_year", "618", "mid_autumn", "double11", "double12")


@dataclass(frozen=True)
class Column:
    """One column of a shop table.

    ``kind`` is one of: ``id`` (non-empty text), ``text`` (non-empty text),
    ``optional_text`` (text or missing), ``date`` (calendar day),
    ``datetime`` (to the second), ``category`` (one of ``categories``),
    ``money`` (float CNY/USD, >= 0, two decimals), ``count`` (int >= 1),
    ``optional_year`` (nullable Int64).
    """

    name: str
    kind: str
    categories: tuple[str, ...] | None = None
    ordered: bool = False


TABLES: dict[str, tuple[Column, ...]] = {
    "customers": (
        Column("customer_id", "id"),
        Column("signup_date", "date"),
        Column("acquisition_channel", "category", ACQUISITION_CHANNELS),
        Column("city", "text"),
        Column("city_tier", "category", CITY_TIERS, ordered=True),
        Column("gender", "category", GENDERS),
        Column("birth_year", "optional_year"),
    ),
    "products": (
        Column("product_id", "id"),
        Column("name_zh", "text"),
        Column("name_en", "text"),
        Column("category", "category", PRODUCT_CATEGORIES),
        Column("list_price_cny", "money"),
    ),
    "orders": (
        Column("order_id", "id"),
        Column("customer_id", "id"),
        Column("order_time", "datetime"),
        Column("status", "category", ORDER_STATUSES),
        Column("gross_amount_cny", "money"),
        Column("discount_cny", "money"),
        Column("coupon_code", "optional_text"),
        Column("net_amount_cny", "money"),
        Column("payment_method", "category", PAYMENT_METHODS),
        Column("promotion", "category", PROMOTIONS),
    ),
    "order_items": (
        Column("order_id", "id"),
        Column("line_no", "count"),
        Column("product_id", "id"),
        Column("quantity", "count"),
        Column("unit_price_cny", "money"),
        Column("line_amount_cny", "money"),
    ),
}

# Columns whose combination must not repeat within a table.
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "products": ("product_id",),
    "orders": ("order_id",),
    "order_items": ("order_id", "line_no"),
}

FILE_NAMES: dict[str, str] = {name: f"{name}.csv" for name in TABLES}
