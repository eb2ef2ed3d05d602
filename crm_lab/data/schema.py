"""The shop's tables as data: column names, kinds, allowed category values.

One definition serves the generator (it casts its output with it), the loaders
(they validate files against it) and ``datasets/README.md`` (it documents it).
Category dtypes always carry the *full* list of allowed values, in a fixed
order, so a table from the generator and the same table from a CSV file have
identical dtypes even when a value happens not to occur.

>>> [c.name for c in TABLES["order_items"]]
['order_id', 'line_no', 'product_id', 'quantity', 'unit_price_cny', 'line_amount_cny']
>>> ORDER_STATUSES
('paid', 'refunded', 'closed')
>>> PAID
'paid'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACCOUNT_TABLES",
    "ACCOUNT_TYPES",
    "ACQUISITION_CHANNELS",
    "CITY_TIERS",
    "CLOSED",
    "CONTACT_STAGES",
    "CONTACT_TOPICS",
    "Column",
    "FilledExactlyWhere",
    "FILE_NAMES",
    "GENDERS",
    "INVOICE_TYPES",
    "JOIN_SOURCES",
    "LEDGER_EVENTS",
    "MEMBERSHIP_TABLES",
    "RECORD_SOURCES",
    "RECORD_TABLES",
    "SURVEY_TABLES",
    "InOrder",
    "ORDER_STATUSES",
    "PAID",
    "PAYMENT_METHODS",
    "PRODUCT_CATEGORIES",
    "PROMOTIONS",
    "REFUNDED",
    "SERVICE_QUEUES",
    "SERVICE_TABLES",
    "Score",
    "TABLES",
    "TABLE_RULES",
    "TICKET_CATEGORIES",
    "TICKET_CHANNELS",
    "TICKET_OUTCOMES",
    "FAQ_STAGES",
    "UNIQUE_KEYS",
]

ACQUISITION_CHANNELS = ("search", "social_media", "live_stream", "referral", "marketplace_ads")
# Ordered from the biggest cities down (一线, 新一线, 二线, 三线, 四线, 五线).
CITY_TIERS = ("tier1", "new_tier1", "tier2", "tier3", "tier4", "tier5")
GENDERS = ("F", "M", "unknown")
# An order's end state in the platform's life cycle (订单生命周期): placed (待付款), then
# either never paid and closed by the platform's time limit (交易关闭, CLOSED), or paid,
# shipped and completed (交易成功, PAID), or paid and then refunded, before or after
# shipping (退款成功, REFUNDED). PAID is the one status that counts as a purchase.
PAID = "paid"
REFUNDED = "refunded"
CLOSED = "closed"
ORDER_STATUSES = (PAID, REFUNDED, CLOSED)
# Payment channels of the platform's cashier; which were open when, and their shares,
# are in catalog.PAYMENT_RULES. A closed (never paid) order has no payment method.
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
# Customer service (chapter 07): call-centre queues (skill groups), ticket channels,
# complaint categories and outcomes, and the stage of the sale an FAQ entry belongs to.
SERVICE_QUEUES = ("pre_sale", "after_sale", "complaint")
TICKET_CHANNELS = ("chat", "phone", "email")
TICKET_CATEGORIES = ("late_delivery", "damaged", "wrong_item", "quality", "refund")
TICKET_OUTCOMES = ("refund", "replacement", "compensation", "explanation", "rejected")
FAQ_STAGES = ("pre_sale", "in_sale", "after_sale")
# A contact (chat or call) of the shop's own customers: before or after the sale, and what
# about: pre-sale questions on a product, a promotion or shipping; after-sale logistics
# queries (物流查询), refunds, damage, wrong items, quality and usage (冲泡/保存).
CONTACT_STAGES = ("pre_sale", "after_sale")
CONTACT_TOPICS = (
    "product",
    "promotion",
    "shipping",
    "logistics",
    "refund",
    "damaged",
    "wrong_item",
    "quality",
    "usage",
)


@dataclass(frozen=True)
class Column:
    """One column of a shop table.

    ``kind`` is one of: ``id`` (non-empty text), ``text`` (non-empty text),
    ``optional_text`` (text or missing), ``date`` (calendar day),
    ``datetime`` (to the second), ``category`` (one of ``categories``),
    ``optional_category`` (one of ``categories``, or missing),
    ``money`` (float CNY/USD, >= 0, two decimals), ``count`` (int >= 1),
    ``optional_year`` (nullable Int64); for the service tables also
    ``optional_datetime`` (to the second, or missing), ``whole`` (int >= 0),
    ``optional_whole`` (nullable Int64 >= 0), ``flag`` (bool, ``True``/``False``)
    and ``optional_flag`` (nullable boolean).
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
        Column("payment_method", "optional_category", PAYMENT_METHODS),
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

# The customer-service tables (chapter 07). Kept apart from TABLES, the four tables of
# the shop proper that load_shop() returns; write_shop() and validate_table() know both.
SERVICE_TABLES: dict[str, tuple[Column, ...]] = {
    "calls": (
        Column("call_id", "id"),
        Column("arrival_time", "datetime"),
        Column("queue", "category", SERVICE_QUEUES),
        Column("shop_id", "id"),
        Column("customer_id", "optional_text"),
        Column("order_id", "optional_text"),
        Column("topic", "optional_category", CONTACT_TOPICS),
        Column("abandoned", "flag"),
        Column("wait_seconds", "whole"),
        Column("handle_seconds", "optional_whole"),
        Column("resolved_first_contact", "optional_flag"),
        Column("csat", "optional_whole"),
    ),
    "call_staffing": (
        Column("interval_start", "datetime"),
        Column("queue", "category", SERVICE_QUEUES),
        Column("agents", "whole"),
        Column("scheduled_agents", "whole"),
    ),
    "chats": (
        Column("chat_id", "id"),
        Column("customer_id", "id"),
        Column("order_id", "optional_text"),
        Column("stage", "category", CONTACT_STAGES),
        Column("topic", "category", CONTACT_TOPICS),
        Column("start_time", "datetime"),
        Column("first_response_seconds", "whole"),
        Column("avg_response_seconds", "whole"),
        Column("messages", "count"),
        Column("duration_seconds", "whole"),
        Column("resolved", "optional_flag"),
        Column("satisfaction", "optional_whole"),
    ),
    "chat_staffing": (
        Column("interval_start", "datetime"),
        Column("agents", "whole"),
        Column("chats_per_agent", "count"),
    ),
    "tickets": (
        Column("ticket_id", "id"),
        Column("order_id", "id"),
        Column("customer_id", "id"),
        Column("channel", "category", TICKET_CHANNELS),
        Column("category", "category", TICKET_CATEGORIES),
        Column("created_time", "datetime"),
        Column("first_response_time", "datetime"),
        Column("resolved_time", "optional_datetime"),
        Column("followed_up_time", "optional_datetime"),
        Column("outcome", "optional_category", TICKET_OUTCOMES),
        Column("satisfaction", "optional_whole"),
    ),
    "faq": (
        Column("faq_id", "id"),
        Column("stage", "category", FAQ_STAGES),
        Column("topic", "text"),
        Column("question_zh", "text"),
        Column("answer_zh", "text"),
    ),
    "chat_questions": (
        Column("question_id", "id"),
        Column("question_zh", "text"),
        Column("faq_id", "optional_text"),
    ),
}


# Business buyers and product costs (chapter 01, customer analysis; crm_lab.data.accounts):
# gift buyers (企业礼品), offices (办公室茶水) and tea houses (茶馆); the invoice they ask for.
ACCOUNT_TYPES = ("company_gifts", "office", "tea_house")
INVOICE_TYPES = ("vat_special", "vat_general")
ACCOUNT_TABLES: dict[str, tuple[Column, ...]] = {
    "business_accounts": (
        Column("account_id", "id"),
        Column("account_type", "category", ACCOUNT_TYPES),
        Column("opened_date", "date"),
        Column("city", "text"),
        Column("city_tier", "category", CITY_TIERS, ordered=True),
        Column("contact_customer_id", "optional_text"),
        Column("invoice_type", "category", INVOICE_TYPES),
        Column("contract_discount_pct", "whole"),
    ),
    "business_orders": (
        Column("order_id", "id"),
        Column("account_id", "id"),
        Column("order_time", "datetime"),
        Column("status", "category", ORDER_STATUSES),
        Column("gross_amount_cny", "money"),
        Column("discount_cny", "money"),
        Column("net_amount_cny", "money"),
        Column("invoice_no", "optional_text"),
        Column("promotion", "category", PROMOTIONS),
    ),
    # The same columns as a consumer order's lines: code written for one reads the other.
    "business_order_items": TABLES["order_items"],
    "product_costs": (
        Column("product_id", "id"),
        Column("unit_cost_cny", "money"),
    ),
}


# The raw customer records (chapter 02; crm_lab.data.records): one row per record as one of
# four channels wrote it, every field as text (a phone, a birth date or a city is data to be
# cleaned, not yet a value), and the generator's answer key true_customer_id.
RECORD_SOURCES = ("platform_order", "mini_program", "tasting_event", "service_export")
RECORD_TABLES: dict[str, tuple[Column, ...]] = {
    "customer_records": (
        Column("record_id", "id"),
        Column("source", "category", RECORD_SOURCES),
        Column("captured_date", "date"),
        Column("name", "optional_text"),
        Column("phone", "optional_text"),
        Column("email", "optional_text"),
        Column("birth_date", "optional_text"),
        Column("province", "optional_text"),
        Column("city", "optional_text"),
        Column("marketing_consent", "optional_flag"),
        Column("true_customer_id", "id"),
    ),
}


# The membership programme (chapter 05; crm_lab.data.membership, rules in crm_lab.membership):
# who joined when, and every change to a member's points. Kept in step with crm_lab.membership.
JOIN_SOURCES = ("store_page", "checkout")
LEDGER_EVENTS = ("signup_bonus", "earn", "festival_bonus", "redeem", "expire", "refund_clawback")
MEMBERSHIP_TABLES: dict[str, tuple[Column, ...]] = {
    "members": (
        Column("customer_id", "id"),
        Column("join_date", "date"),
        Column("join_source", "category", JOIN_SOURCES),
    ),
    "points_ledger": (
        Column("event_id", "id"),
        Column("event_date", "date"),
        Column("customer_id", "id"),
        Column("event_type", "category", LEDGER_EVENTS),
        Column("points", "count"),
        Column("order_id", "optional_text"),
    ),
}


# The post-purchase survey, deliveries and the platform's ratings (chapter 03;
# crm_lab.data.survey, the questionnaire in crm_lab.satisfaction).
_SURVEY_ITEMS = (
    *(f"exp_{d}" for d in ("quality", "value", "delivery", "service", "ease")),
    *(f"perc_{d}_{k}" for d in ("quality", "value", "delivery", "service", "ease") for k in (1, 2)),
)
SURVEY_TABLES: dict[str, tuple[Column, ...]] = {
    "shipments": (
        Column("order_id", "id"),
        Column("customer_id", "id"),
        Column("ship_days", "whole"),
        Column("delivery_days", "whole"),
        Column("promised_days", "whole"),
    ),
    "surveys": (
        Column("survey_id", "id"),
        Column("order_id", "id"),
        Column("customer_id", "id"),
        Column("sent_date", "date"),
        Column("answered", "flag"),
        Column("answer_days", "optional_whole"),
        *(Column(item, "optional_whole") for item in _SURVEY_ITEMS),
        Column("overall_satisfaction", "optional_whole"),
        Column("recommend", "optional_whole"),
        Column("repurchase_intention", "optional_whole"),
        Column("comment_zh", "optional_text"),
    ),
    "shop_ratings": (
        Column("order_id", "id"),
        Column("customer_id", "id"),
        Column("rating_date", "date"),
        Column("description_match", "whole"),
        Column("service_attitude", "whole"),
        Column("logistics_service", "whole"),
    ),
    "reviews": (
        Column("review_id", "id"),
        Column("order_id", "id"),
        Column("customer_id", "id"),
        Column("review_date", "date"),
        Column("stars", "whole"),
        Column("review_text_zh", "optional_text"),
    ),
}


# Rules across the columns of a service table, checked by the loaders once every column is
# well-formed: a new table declares its rules here rather than adding code to the loaders.
@dataclass(frozen=True)
class Score:
    """``column`` is empty or a whole score from ``low`` to ``high`` (1 to 5 unless said)."""

    column: str
    low: int = 1
    high: int = 5


@dataclass(frozen=True)
class FilledExactlyWhere:
    """``column`` is filled on the rows where ``where`` equals ``value`` and empty elsewhere;
    ``rows`` says which rows those are in messages."""

    column: str
    where: str
    value: object
    rows: str


@dataclass(frozen=True)
class InOrder:
    """On every row where both are filled, ``later`` is not below ``earlier`` (times or
    counts); ``words`` say what a broken row is in messages."""

    earlier: str
    later: str
    words: str = "is before"


TABLE_RULES: dict[str, tuple[Score | FilledExactlyWhere | InOrder, ...]] = {
    "calls": (
        FilledExactlyWhere(
            "handle_seconds", "abandoned", False, "answered calls and empty for abandoned ones"
        ),
        FilledExactlyWhere(
            "resolved_first_contact",
            "abandoned",
            False,
            "answered calls and empty for abandoned ones",
        ),
        Score("csat"),
    ),
    "call_staffing": (InOrder("agents", "scheduled_agents", "is below"),),
    "chats": (
        FilledExactlyWhere(
            "resolved", "stage", "after_sale", "after-sale chats and empty for pre-sale ones"
        ),
        Score("satisfaction"),
    ),
    "tickets": (
        Score("satisfaction"),
        InOrder("created_time", "first_response_time"),
        InOrder("first_response_time", "resolved_time"),
        InOrder("resolved_time", "followed_up_time"),
    ),
    "business_orders": (
        InOrder("discount_cny", "gross_amount_cny", "is above"),
        FilledExactlyWhere(
            "invoice_no", "status", "paid", "paid orders and empty for refunded ones"
        ),
    ),
    "shipments": (InOrder("ship_days", "delivery_days", "is below"),),
    "surveys": (
        FilledExactlyWhere(
            "answer_days", "answered", True, "answered surveys and empty for the others"
        ),
        *(Score(item) for item in (*_SURVEY_ITEMS, "overall_satisfaction", "repurchase_intention")),
        Score("recommend", 0, 10),
    ),
    "shop_ratings": tuple(
        Score(c) for c in ("description_match", "service_attitude", "logistics_service")
    ),
    "reviews": (Score("stars"),),
}

# Columns whose combination must not repeat within a table.
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "products": ("product_id",),
    "orders": ("order_id",),
    "order_items": ("order_id", "line_no"),
    "calls": ("call_id",),
    "call_staffing": ("interval_start", "queue"),
    "chats": ("chat_id",),
    "chat_staffing": ("interval_start",),
    "tickets": ("ticket_id",),
    "faq": ("faq_id",),
    "chat_questions": ("question_id",),
    "business_accounts": ("account_id",),
    "business_orders": ("order_id",),
    "business_order_items": ("order_id", "line_no"),
    "product_costs": ("product_id",),
    "customer_records": ("record_id",),
    "members": ("customer_id",),
    "points_ledger": ("event_id",),
    "shipments": ("order_id",),
    "surveys": ("survey_id",),
    "shop_ratings": ("order_id",),
    "reviews": ("review_id",),
}

FILE_NAMES: dict[str, str] = {
    name: f"{name}.csv"
    for name in (*TABLES, *SERVICE_TABLES, *ACCOUNT_TABLES, *MEMBERSHIP_TABLES, *SURVEY_TABLES)
}
FILE_NAMES.update({name: f"{name}.csv" for name in RECORD_TABLES})
