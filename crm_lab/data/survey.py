"""Deliveries, the post-purchase survey and the platform's ratings (客户满意度, chapter 03).

Built after the rest of the shop, from what already happened in it, on its own random
streams, so no other table changes. One function per step of the story:

1. :func:`shipments`: every shipped order's days to dispatch and to delivery, and the
   delivery the shop promised. Parcels to lower-tier cities travel longer, and the big
   sales (618, Double 11) clog warehouses and couriers. Every order whose customer chased
   the parcel (a logistics chat, a late-delivery ticket) arrives after its promise: late
   delivery is a fact of the order, which the survey then follows.
2. :func:`experience`: what each shipped order was like for its customer, one latent
   perception (感知) per survey dimension and one expectation (期望): a late parcel lowers
   delivery, a refund lowers quality and service, a service contact moves service by how
   it was rated (a rejected complaint most of all), and customers who stay (a low hidden
   dropout probability; a repeat order in the next six months) are happier throughout.
   Bigger spenders expect more. Overall satisfaction (总体满意度) follows perception
   against expectation, with weights the shop does not know (the chapter's key-driver
   analysis estimates them).
3. :func:`surveys`: a share of shipped orders is invited the day after delivery; who
   answers depends on the experience (the very unhappy and the very happy answer more)
   and on the customer (repeat buyers answer more). Some customers tick the
   same box on every item (straight-liners, 直线作答) and some agree with everything
   (acquiescence, 默许倾向); a few write a comment in Chinese.
4. :func:`shop_ratings` and :func:`reviews`: the platform's shop ratings (DSR: 描述相符,
   服务态度, 物流服务) and review stars, from the same experience, skewed high as
   platform ratings are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lab import satisfaction as rules

from . import schema
from .loaders import cast_table

__all__ = ["shipments", "experience", "surveys", "shop_ratings", "reviews", "survey_tables"]

# Promised delivery (days from order to receipt) and typical transit, by city tier.
PROMISED_DAYS = np.array([3, 3, 4, 4, 5, 5])  # order of schema.CITY_TIERS
_TRANSIT_DAYS = np.array([1, 1, 2, 2, 3, 3])
_BIG_SALES = ("618", "double11")
# A refunded order was shipped when the customer complained about what arrived, else
# (a change of mind before dispatch is the other story) with this chance.
_REFUND_SHIPPED = 0.45
_SHIPPED_TOPICS = ("logistics", "damaged", "wrong_item", "quality")
_INVITED_SHARE = 0.40
_SURVEY_DAYS = 7  # the survey stays open a week after it is sent
_STRAIGHT_LINER = 0.05
_ACQUIESCENT = 0.08
# Latent perception per dimension for a typical order, and expectation.
_PERCEPTION_BASE = {"quality": 4.05, "value": 3.65, "delivery": 3.95, "service": 3.95, "ease": 4.2}
_EXPECTATION_BASE = {"quality": 4.1, "value": 3.7, "delivery": 4.0, "service": 3.8, "ease": 3.9}
# The weights overall satisfaction really has (perception against expectation).
_TRUE_WEIGHTS = {"quality": 0.34, "value": 0.10, "delivery": 0.28, "service": 0.20, "ease": 0.05}


def _period_end(calendar) -> pd.Timestamp:
    return pd.Timestamp(calendar.date.iloc[-1]).normalize()


def shipments(seed, calendar, traits, orders, chats, tickets, stream) -> pd.DataFrame:
    """``shipments``: order_id, customer_id, ship_days, delivery_days, promised_days."""
    rng = stream(seed, "shipments")
    n = len(orders)
    status = orders.status.astype(str).to_numpy()
    chased = set(chats.order_id[chats.topic.isin(_SHIPPED_TOPICS)].dropna()) | set(
        tickets.order_id[tickets.category.astype(str) != "refund"]
    )
    complained = orders.order_id.isin(chased).to_numpy()
    shipped = (status == schema.PAID) | (
        (status == schema.REFUNDED) & (complained | (rng.random(n) < _REFUND_SHIPPED))
    )
    tier_code = pd.Categorical(
        traits.set_index("customer_id").city_tier.reindex(orders.customer_id),
        categories=list(schema.CITY_TIERS),
    ).codes
    big = orders.promotion.isin(_BIG_SALES).to_numpy()
    ship_days = np.minimum(rng.poisson(0.4, n) + big * rng.integers(0, 3, n), 7)
    transit = _TRANSIT_DAYS[tier_code] + rng.poisson(0.45, n) + big * rng.poisson(0.8, n)
    delivery = ship_days + transit
    promised = PROMISED_DAYS[tier_code]
    logistics = set(chats.order_id[chats.topic == "logistics"].dropna()) | set(
        tickets.order_id[tickets.category.astype(str) == "late_delivery"]
    )
    chasing = orders.order_id.isin(logistics).to_numpy()
    delivery = np.where(chasing, np.maximum(delivery, promised + 1 + rng.poisson(1.5, n)), delivery)
    out = pd.DataFrame(
        {
            "order_id": orders.order_id.to_numpy(),
            "customer_id": orders.customer_id.to_numpy(),
            "ship_days": ship_days.astype("int64"),
            "delivery_days": delivery.astype("int64"),
            "promised_days": promised.astype("int64"),
        }
    )
    return out[shipped].reset_index(drop=True)


def _contact_ratings(chats, tickets) -> pd.DataFrame:
    """Per order with an after-sale contact: mean rating (or NaN) and a rejected complaint."""
    after = chats[chats.stage.astype(str) == "after_sale"]
    contacts = pd.concat(
        [
            after[["order_id", "satisfaction"]].assign(rejected=False),
            tickets[["order_id", "satisfaction"]].assign(
                rejected=tickets.outcome.astype(object).eq("rejected")
            ),
        ]
    ).dropna(subset=["order_id"])
    contacts["satisfaction"] = contacts.satisfaction.astype("Float64")
    return contacts.groupby("order_id").agg(
        rating=("satisfaction", "mean"), rejected=("rejected", "any")
    )


def experience(seed, traits, orders, ships, chats, tickets, stream) -> pd.DataFrame:
    """One row per shipment: what the order was like (facts) and the latent scores.

    Facts: ``late_days``, ``refunded``, ``contacted``, ``contact_rating``, ``rejected``,
    ``prior_orders`` (paid orders before this one), ``repurchased`` (a paid order in the next
    :data:`crm_lab.satisfaction.FOLLOW_UP_DAYS` days). Latent: ``p_<dimension>`` and
    ``e_<dimension>`` (1-5 scale, continuous), ``satisfaction`` (continuous).
    """
    rng = stream(seed, "surveys.experience")
    info = orders.set_index("order_id").loc[ships.order_id]
    n = len(ships)
    people = traits.set_index("customer_id").loc[ships.customer_id]
    dropout = people.dropout_probability.to_numpy()
    logit = np.log(dropout / (1 - dropout))
    staying = -(logit - logit.mean()) / logit.std()
    spend = np.log(people.spend_level.to_numpy())
    warmth_of = pd.Series(rng.normal(0, 0.3, len(traits)), index=traits.customer_id)
    warmth = warmth_of.reindex(ships.customer_id).to_numpy()

    # Repeat paid order within the follow-up window, and paid orders before this one.
    paid = orders[orders.status.astype(str) == schema.PAID][["customer_id", "order_time"]]
    times = info.order_time.to_numpy()
    following = pd.DataFrame({"customer_id": ships.customer_id.to_numpy(), "t": times})
    following["row"] = np.arange(n)
    pairs = following.merge(paid, on="customer_id")
    delta = pairs.order_time - pairs.t
    window = pd.Timedelta(days=rules.FOLLOW_UP_DAYS)
    later = pairs[(delta > pd.Timedelta(0)) & (delta <= window)].row.unique()
    before = pairs[delta < pd.Timedelta(0)].groupby("row").size()
    repurchased = np.isin(np.arange(n), later)
    prior = before.reindex(np.arange(n), fill_value=0).to_numpy()

    late = np.maximum(ships.delivery_days.to_numpy() - ships.promised_days.to_numpy(), 0)
    refunded = info.status.astype(str).to_numpy() == schema.REFUNDED
    contacts = _contact_ratings(chats, tickets).reindex(ships.order_id)
    contacted = contacts.rejected.notna().to_numpy()
    rating = contacts.rating.astype(float).to_numpy()
    rejected = contacts.rejected.astype("boolean").fillna(False).to_numpy(dtype=bool)
    discounted = info.discount_cny.to_numpy() > 0

    person = 0.22 * staying + 0.35 * repurchased - 0.1 + warmth
    p = {
        "quality": 0.9 * person - 0.9 * refunded,
        "value": 0.7 * person + 0.25 * discounted - 0.3 * refunded,
        "delivery": 0.5 * person - 0.45 * np.minimum(late, 5) - 0.3 * refunded,
        "service": 0.8 * person
        - 0.5 * refunded
        + np.where(np.isnan(rating), -0.15 * contacted, 0.45 * (np.nan_to_num(rating) - 3.6))
        - 0.9 * rejected,
        "ease": 0.5 * person - 0.2 * (prior == 0),
    }
    out = pd.DataFrame(
        {
            "order_id": ships.order_id.to_numpy(),
            "customer_id": ships.customer_id.to_numpy(),
            "late_days": late,
            "refunded": refunded,
            "contacted": contacted,
            "contact_rating": rating,
            "rejected": rejected,
            "prior_orders": prior,
            "repurchased": repurchased,
        }
    )
    gap = np.zeros(n)
    for d in rules.DIMENSIONS:
        noise = rng.normal(0, 0.5, n)
        out[f"p_{d}"] = np.clip(_PERCEPTION_BASE[d] + p[d] + noise, 1, 5.4)
        out[f"e_{d}"] = np.clip(_EXPECTATION_BASE[d] + 0.25 * spend + rng.normal(0, 0.45, n), 1, 5)
        gap += _TRUE_WEIGHTS[d] * (out[f"p_{d}"] - out[f"e_{d}"])
    level = sum(_TRUE_WEIGHTS[d] * out[f"p_{d}"] for d in rules.DIMENSIONS)
    out["satisfaction"] = 0.55 + level / sum(_TRUE_WEIGHTS.values()) * 0.85 + 0.35 * gap
    out["satisfaction"] += rng.normal(0, 0.3, n)
    return out


def _likert(values) -> np.ndarray:
    return np.clip(np.rint(values), 1, 5).astype(int)


# Comment phrases (Chinese), by what the order was like.
_PHRASES = {
    "late": (
        "物流太慢了，比承诺的晚了好几天。",
        "等了很久才到，下次希望快一点。",
        "大促发货慢，可以理解，但物流信息一直不更新。",
    ),
    "refund": (
        "退款还算顺利，就是商品有问题很扫兴。",
        "茶具碎了，申请退款花了不少时间。",
        "退款流程有点麻烦。",
    ),
    "bad_service": (
        "客服回复很慢，问题拖了好几天。",
        "客服态度一般，问题没有真正解决。",
        "投诉被驳回，很失望。",
    ),
    "good_service": ("客服很耐心，问题很快解决了。", "客服态度很好，主动跟进。"),
    "happy": (
        "茶很香，包装也精致，会回购。",
        "品质不错，物有所值。",
        "老顾客了，一直很放心。",
        "送人很有面子，朋友都说好喝。",
        "发货快，茶叶新鲜。",
    ),
    "neutral": ("还可以，价格稍微有点贵。", "一般吧，和描述差不多。", "茶叶还行，没有特别惊喜。"),
    "unhappy": ("味道和描述的不太一样，有点失望。", "不值这个价。", "质量一般，不会再买了。"),
}


def _comments(rng, exp, mask) -> np.ndarray:
    """A comment for the rows of ``mask``, from the most telling thing about the order."""
    n = len(exp)
    sat = exp.satisfaction.to_numpy()
    kind = np.select(
        [
            exp.late_days.to_numpy() >= 2,
            exp.refunded.to_numpy(),
            exp.rejected.to_numpy() | (exp.contact_rating.to_numpy() <= 2),
            exp.contact_rating.to_numpy() >= 4.5,
            sat >= 4.3,
            sat < 3.2,
        ],
        ["late", "refund", "bad_service", "good_service", "happy", "unhappy"],
        default="neutral",
    )
    pick = rng.random(n)
    out = np.full(n, None, dtype=object)
    for k in np.flatnonzero(mask):
        phrases = _PHRASES[kind[k]]
        out[k] = phrases[int(pick[k] * len(phrases))]
    return out


def surveys(seed, calendar, ships, exp, stream) -> pd.DataFrame:
    """``surveys``: one row per invited order; the answers are empty when not answered."""
    rng = stream(seed, "surveys.answers")
    n = len(ships)
    orders_day = exp["order_day"].to_numpy()
    sent = orders_day + pd.to_timedelta(ships.delivery_days.to_numpy() + 1, unit="D")
    invited = (rng.random(n) < _INVITED_SHARE) & (
        sent + pd.Timedelta(days=_SURVEY_DAYS) <= _period_end(calendar)
    )
    sat = exp.satisfaction.to_numpy()
    z = (sat - sat.mean()) / sat.std()
    logit = (
        -1.7
        + 0.6 * z**2
        + 0.4 * np.log1p(exp.prior_orders.to_numpy())
    )
    answered = invited & (rng.random(n) < 1 / (1 + np.exp(-logit)))

    people = pd.Index(pd.unique(ships.customer_id))
    who = people.get_indexer(ships.customer_id)
    style_draw = rng.random(len(people))[who]
    straight = style_draw < _STRAIGHT_LINER
    acquiescent = (style_draw >= _STRAIGHT_LINER) & (style_draw < _STRAIGHT_LINER + _ACQUIESCENT)

    items = {}
    for d in rules.DIMENSIONS:
        items[rules.EXPECTATION_COLUMNS[d]] = exp[f"e_{d}"].to_numpy() + rng.normal(0, 0.35, n)
        for column in rules.PERCEPTION_COLUMNS[d]:
            items[column] = exp[f"p_{d}"].to_numpy() + rng.normal(0, 0.45, n)
    items["overall_satisfaction"] = sat + rng.normal(0, 0.25, n)
    staying = exp.repurchased.to_numpy()
    items["repurchase_intention"] = 0.75 * sat + 0.6 * staying + 0.6 + rng.normal(0, 0.5, n)
    likert = {c: _likert(v) for c, v in items.items()}
    yes = rng.random((n, len(likert))) < 0.6
    for k, column in enumerate(likert):
        raised = np.minimum(likert[column] + 1, 5)
        likert[column] = np.where(acquiescent & yes[:, k], raised, likert[column])
        likert[column] = np.where(straight, likert["overall_satisfaction"], likert[column])
    recommend = np.clip(np.rint(2.3 * (sat - 3.0) + 6.3 + rng.normal(0, 1.1, n)), 0, 10)
    recommend = np.where(straight, np.array([0, 2, 5, 8, 10])[likert["overall_satisfaction"] - 1],
                         recommend).astype(int)
    writes = answered & (rng.random(n) < 0.2 + 0.25 * (np.abs(z) > 1.2))
    comment = _comments(rng, exp, writes)
    answer_days = np.minimum(rng.geometric(0.45, n) - 1, _SURVEY_DAYS - 1)

    out = pd.DataFrame(
        {
            "order_id": ships.order_id.to_numpy(),
            "customer_id": ships.customer_id.to_numpy(),
            "sent_date": sent,
            "answered": answered,
            "answer_days": pd.array(np.where(answered, answer_days, pd.NA), dtype="Int64"),
        }
    )
    for column in rules.LIKERT_COLUMNS[:-2]:
        out[column] = pd.array(np.where(answered, likert[column], pd.NA), dtype="Int64")
    out["overall_satisfaction"] = pd.array(
        np.where(answered, likert["overall_satisfaction"], pd.NA), dtype="Int64"
    )
    out["recommend"] = pd.array(np.where(answered, recommend, pd.NA), dtype="Int64")
    out["repurchase_intention"] = pd.array(
        np.where(answered, likert["repurchase_intention"], pd.NA), dtype="Int64"
    )
    out["comment_zh"] = np.where(answered, comment, None)
    out = out[invited].sort_values(["sent_date", "order_id"], kind="stable")
    out.insert(0, "survey_id", [f"S{i:06d}" for i in range(1, len(out) + 1)])
    return out.reset_index(drop=True)


def _rated_days(rng, ships, exp, share, calendar):
    """Who rates or reviews (more when very pleased or very displeased) and on which day."""
    n = len(ships)
    sat = exp.satisfaction.to_numpy()
    z = (sat - sat.mean()) / sat.std()
    chance = np.clip(share * (1 + 0.35 * z**2), 0, 0.95)
    when = exp.order_day.to_numpy() + pd.to_timedelta(
        ships.delivery_days.to_numpy() + rng.integers(0, 8, n), unit="D"
    )
    keep = (rng.random(n) < chance) & (when <= _period_end(calendar))
    return keep, when, z


def shop_ratings(seed, calendar, ships, exp, stream) -> pd.DataFrame:
    """``shop_ratings``: the platform's three DSR scores (1-5) for each rated order."""
    rng = stream(seed, "shop_ratings")
    n = len(ships)
    keep, when, _ = _rated_days(rng, ships, exp, 0.40, calendar)
    # Platform ratings lean to 5: many buyers leave the default (默认好评).
    lift = 0.75
    out = pd.DataFrame(
        {
            "order_id": ships.order_id.to_numpy(),
            "customer_id": ships.customer_id.to_numpy(),
            "rating_date": when,
            "description_match": _likert(exp.p_quality + lift + rng.normal(0, 0.45, n)),
            "service_attitude": _likert(exp.p_service + lift + rng.normal(0, 0.45, n)),
            "logistics_service": _likert(exp.p_delivery + lift + rng.normal(0, 0.45, n)),
        }
    )
    out = out[keep].sort_values(["rating_date", "order_id"], kind="stable")
    return out.reset_index(drop=True)


def reviews(seed, calendar, ships, exp, stream) -> pd.DataFrame:
    """``reviews``: one review per reviewed order, its stars (1-5) and sometimes a text."""
    rng = stream(seed, "reviews")
    n = len(ships)
    keep, when, z = _rated_days(rng, ships, exp, 0.22, calendar)
    stars = _likert(exp.satisfaction + 0.45 + rng.normal(0, 0.5, n))
    text = _comments(rng, exp, keep & (rng.random(n) < 0.5 + 0.2 * (np.abs(z) > 1)))
    out = pd.DataFrame(
        {
            "review_id": "",
            "order_id": ships.order_id.to_numpy(),
            "customer_id": ships.customer_id.to_numpy(),
            "review_date": when,
            "stars": stars,
            "review_text_zh": text,
        }
    )
    out = out[keep].sort_values(["review_date", "order_id"], kind="stable")
    out["review_id"] = [f"R{i:06d}" for i in range(1, len(out) + 1)]
    return out.reset_index(drop=True)


def survey_tables(seed, calendar, traits, tables, stream) -> dict[str, pd.DataFrame]:
    """The four tables of this module, validated, from the shop's tables so far."""
    orders, chats, tickets = tables["orders"], tables["chats"], tables["tickets"]
    ships = shipments(seed, calendar, traits, orders, chats, tickets, stream)
    exp = experience(seed, traits, orders, ships, chats, tickets, stream)
    order_day = orders.set_index("order_id").order_time.dt.normalize()
    exp["order_day"] = order_day.reindex(ships.order_id).to_numpy()
    return {
        "shipments": cast_table("shipments", ships),
        "surveys": cast_table("surveys", surveys(seed, calendar, ships, exp, stream)),
        "shop_ratings": cast_table(
            "shop_ratings", shop_ratings(seed, calendar, ships, exp, stream)
        ),
        "reviews": cast_table("reviews", reviews(seed, calendar, ships, exp, stream)),
    }
