"""The fictional shop 云雾茶舍 (Yunwu Tea House): its data, generator and loaders.

One online tea and teaware shop, selling on a Taobao/Tmall-style platform,
carries the whole course. Its data covers 2024-01-01 to 2025-12-31 and is
analysed "as of" :data:`AS_OF` (2026-01-01). The shipped files live in
``datasets/`` (see ``datasets/README.md`` for every column):

>>> orders = load_orders()          # finds datasets/ wherever the notebook runs
>>> orders.columns[:4].tolist()
['order_id', 'customer_id', 'order_time', 'status']
>>> AS_OF
Timestamp('2026-01-01 00:00:00')

The customer-service tables of chapter 07 (chats, calls, staffing, tickets,
FAQ, chat questions) load with :func:`load_chats`, :func:`load_calls`... or
all at once with :func:`load_service`. Chapter 01's business buyers and product
costs load with :func:`load_business_accounts`, :func:`load_business_orders`,
:func:`load_business_order_items`, :func:`load_product_costs` or :func:`load_accounts`.
Chapter 05's membership programme loads with :func:`load_members`,
:func:`load_points_ledger` or :func:`load_membership`. Chapter 03's deliveries, survey and
ratings load with :func:`load_shipments`, :func:`load_surveys`, :func:`load_shop_ratings`,
:func:`load_reviews` or :func:`load_satisfaction`.

:func:`generate_shop` makes the same shop with another seed or size;
:func:`load_cdnow_orders` gives the real CDNOW purchase log in the same layout.
"""

from .loaders import (
    find_data_dir,
    load_accounts,
    load_business_accounts,
    load_business_order_items,
    load_business_orders,
    load_call_staffing,
    load_calls,
    load_cdnow_orders,
    load_chat_questions,
    load_chat_staffing,
    load_chats,
    load_customer_records,
    load_customers,
    load_faq,
    load_members,
    load_membership,
    load_order_items,
    load_orders,
    load_points_ledger,
    load_product_costs,
    load_products,
    load_reviews,
    load_satisfaction,
    load_service,
    load_shipments,
    load_shop,
    load_shop_ratings,
    load_surveys,
    load_tickets,
    validate_shop,
    validate_table,
)
from .schema import (
    ACQUISITION_CHANNELS,
    CITY_TIERS,
    CONTACT_STAGES,
    CONTACT_TOPICS,
    GENDERS,
    ORDER_STATUSES,
    PAYMENT_METHODS,
    PRODUCT_CATEGORIES,
    PROMOTIONS,
    SERVICE_QUEUES,
    TICKET_CATEGORIES,
    TICKET_CHANNELS,
    TICKET_OUTCOMES,
)
from .shop import (
    AS_OF,
    DEFAULT_SEED,
    PERIOD_END,
    PERIOD_START,
    customer_traits,
    generate_shop,
    product_catalog,
    stream,
    write_shop,
)

__all__ = [
    "ACQUISITION_CHANNELS",
    "AS_OF",
    "CITY_TIERS",
    "CONTACT_STAGES",
    "CONTACT_TOPICS",
    "DEFAULT_SEED",
    "GENDERS",
    "ORDER_STATUSES",
    "PAYMENT_METHODS",
    "PERIOD_END",
    "PERIOD_START",
    "PRODUCT_CATEGORIES",
    "PROMOTIONS",
    "SERVICE_QUEUES",
    "TICKET_CATEGORIES",
    "TICKET_CHANNELS",
    "TICKET_OUTCOMES",
    "customer_traits",
    "find_data_dir",
    "generate_shop",
    "load_accounts",
    "load_business_accounts",
    "load_business_order_items",
    "load_business_orders",
    "load_call_staffing",
    "load_calls",
    "load_cdnow_orders",
    "load_chat_questions",
    "load_chat_staffing",
    "load_chats",
    "load_customer_records",
    "load_customers",
    "load_faq",
    "load_members",
    "load_membership",
    "load_order_items",
    "load_orders",
    "load_points_ledger",
    "load_product_costs",
    "load_products",
    "load_service",
    "load_shipments",
    "load_shop_ratings",
    "load_reviews",
    "load_satisfaction",
    "load_surveys",
    "load_shop",
    "load_tickets",
    "product_catalog",
    "stream",
    "validate_shop",
    "validate_table",
    "write_shop",
]
