"""The shop's raw customer records (客户原始资料, chapter 02): ``customer_records``.

Four channels hand the shop records about its customers, each in its own way, and none of
them knows the others' ids. The generator builds every record from a real customer of the
shop and what that customer did, on its own random streams, so no other table changes:

1. :func:`identities`: each customer's true name, mobile phone (a few changed number during
   the period), e-mail (most have one) and birth day, drawn once per customer; the birth
   year is the customer's ``birth_year`` (customers who hide it give no birth date).
2. the four sources, one function each, each row a ``(customer, captured day)``:
   :func:`platform_rows` (the platform's order export: every customer who placed an order,
   captured on the first order, a few again on a later one), :func:`mini_program_rows`
   (the members of the membership programme, who registered in the shop's mini-programme
   on their join day), :func:`tasting_rows` (paper forms of offline tasting events in eight
   big cities; better customers come more often, a few come twice) and
   :func:`service_rows` (the profiles customer service opened on a customer's first call,
   ticket or after-sale chat; a few profiles opened twice);
3. :func:`render`: the fields as each channel writes them: the platform's clean phones,
   the mini-programme's "+86 138 1234 5678" and pickers' region names, the forms'
   handwriting (typos, dropped digits, 北京 / 北京市 / Beijing, impossible birth dates),
   service agents' "王女士" and caller-id numbers.

The true customer of each record is kept in ``true_customer_id``: the answer key for
measuring a cleaning or matching rule, never an input to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lab.information import CITY_PROVINCES, PROVINCE_EN

from . import schema
from .loaders import cast_table

__all__ = [
    "EVENT_CITIES",
    "identities",
    "platform_rows",
    "mini_program_rows",
    "tasting_rows",
    "service_rows",
    "render",
    "customer_records",
]

# (surname, pinyin, weight): the most common surnames, roughly by frequency.
_SURNAMES = (
    ("王", "Wang", 7.1), ("李", "Li", 7.0), ("张", "Zhang", 6.5), ("刘", "Liu", 5.2),
    ("陈", "Chen", 4.6), ("杨", "Yang", 3.2), ("黄", "Huang", 2.4), ("赵", "Zhao", 2.2),
    ("吴", "Wu", 2.0), ("周", "Zhou", 1.9), ("徐", "Xu", 1.6), ("孙", "Sun", 1.5),
    ("马", "Ma", 1.4), ("朱", "Zhu", 1.3), ("胡", "Hu", 1.3), ("郭", "Guo", 1.2),
    ("何", "He", 1.1), ("林", "Lin", 1.1), ("罗", "Luo", 1.0), ("高", "Gao", 1.0),
    ("郑", "Zheng", 0.9), ("梁", "Liang", 0.9), ("谢", "Xie", 0.8), ("宋", "Song", 0.7),
    ("唐", "Tang", 0.7), ("许", "Xu", 0.6), ("韩", "Han", 0.6), ("冯", "Feng", 0.6),
    ("邓", "Deng", 0.6), ("曹", "Cao", 0.5), ("彭", "Peng", 0.5), ("曾", "Zeng", 0.5),
    ("萧", "Xiao", 0.4), ("田", "Tian", 0.4), ("董", "Dong", 0.4), ("潘", "Pan", 0.4),
)
# Characters of given names, (character, pinyin), for women, men and either.
_GIVEN_F = tuple(zip("芳娜敏静丽艳娟霞秀婷雪琳颖慧佳欣怡悦岚萍", (
    "fang na min jing li yan juan xia xiu ting xue lin ying hui jia xin yi yue lan ping"
).split(), strict=True))
_GIVEN_M = tuple(zip("伟强磊军洋勇杰涛明超刚平辉鹏浩宇航博文斌", (
    "wei qiang lei jun yang yong jie tao ming chao gang ping hui peng hao yu hang bo wen bin"
).split(), strict=True))
_GIVEN_ANY = tuple(zip("晨子一思嘉雨云天诗梓安若春海志晓", (
    "chen zi yi si jia yu yun tian shi zi an ruo chun hai zhi xiao"
).split(), strict=True))
# Characters a hurried hand or an input method swaps for a similar-sounding one (同音错字).
_SOUNDALIKE = {
    "芳": "方", "娜": "纳", "敏": "民", "静": "晶", "丽": "莉", "艳": "燕", "娟": "鹃", "霞": "侠",
    "婷": "亭", "琳": "林", "颖": "莹", "慧": "惠", "佳": "家", "欣": "新", "伟": "玮", "强": "蔷",
    "磊": "垒", "军": "君", "洋": "阳", "杰": "洁", "涛": "滔", "明": "铭", "超": "潮", "刚": "钢",
    "辉": "晖", "鹏": "朋", "浩": "皓", "宇": "雨", "博": "波", "文": "雯", "斌": "彬", "晨": "辰",
    "子": "紫", "思": "斯", "嘉": "佳", "云": "芸", "天": "田", "诗": "施", "安": "岸", "海": "凯",
    "志": "智", "晓": "小", "悦": "月", "怡": "宜", "雪": "学", "萍": "平", "岚": "兰",
}
# Mobile prefixes of China's three carriers (号段).
_MOBILE_PREFIXES = (
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
    "178", "182", "183", "187", "188", "198", "130", "131", "132", "155", "156", "166", "175",
    "176", "185", "186", "133", "153", "173", "177", "180", "181", "189", "191", "199",
)
_MAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "outlook.com",
                 "gmail.com", "139.com")
_MAIL_WEIGHTS = np.array([0.36, 0.22, 0.08, 0.06, 0.08, 0.08, 0.06, 0.06])
# Offline tasting events (线下品鉴会): where, and when in the tea year (spring tea in April,
# Mid-Autumn gifts in September, Double 11 warm-up in late October).
EVENT_CITIES = ("上海", "北京", "杭州", "广州", "深圳", "成都", "南京", "苏州")
_EVENT_DAYS = ("2024-04-20", "2024-09-07", "2024-10-26", "2025-04-19", "2025-09-06",
               "2025-10-25")
_P_ATTEND = 0.10  # chance that a typical customer in an event city comes to one event
# Chance that one customer appears twice in a source (a second profile).
_P_SECOND_PLATFORM = 0.03
_P_SECOND_SERVICE = 0.04
_SOURCE_ORDER = {name: i for i, name in enumerate(schema.RECORD_SOURCES)}


def identities(seed, traits, stream) -> pd.DataFrame:
    """Each customer's true identity: name, name_pinyin, phone (11 digits), second_phone
    (a changed number, or None), email (or None), birth_date (text, or None)."""
    rng = stream(seed, "records.identity")
    n = len(traits)
    weights = np.array([s[2] for s in _SURNAMES])
    surname = rng.choice(len(_SURNAMES), size=n, p=weights / weights.sum())
    gender = traits.gender.astype(str).to_numpy()
    one_char = rng.random(n) < 0.3
    names, pinyins = [], []
    for i in range(n):
        pool = {"F": _GIVEN_F, "M": _GIVEN_M}.get(gender[i], _GIVEN_F + _GIVEN_M)
        chars = [pool[rng.integers(len(pool))]]
        if not one_char[i]:
            second = pool + _GIVEN_ANY
            chars.insert(int(rng.integers(2)), second[rng.integers(len(second))])
        names.append(_SURNAMES[surname[i]][0] + "".join(c for c, _ in chars))
        pinyins.append(_SURNAMES[surname[i]][1] + " " + "".join(p for _, p in chars).title())
    prefixes = np.array(_MOBILE_PREFIXES)

    def phones():
        tails = rng.integers(0, 10**8, size=n)
        return [f"{p}{t:08d}" for p, t in zip(prefixes[rng.integers(len(prefixes), size=n)],
                                               tails, strict=True)]

    phone, other = phones(), phones()
    changed = rng.random(n) < 0.05
    has_mail = rng.random(n) < 0.75
    domain = rng.choice(len(_MAIL_DOMAINS), size=n, p=_MAIL_WEIGHTS / _MAIL_WEIGHTS.sum())
    qq_number = rng.integers(10**5, 10**10, size=n)
    digits = rng.integers(0, 100, size=n)
    style = rng.random(n)
    emails = []
    for i in range(n):
        if not has_mail[i]:
            emails.append(None)
            continue
        local = pinyins[i].replace(" ", "").lower()
        if _MAIL_DOMAINS[domain[i]] == "qq.com" and style[i] < 0.7:
            local = str(qq_number[i])  # QQ mail: the QQ number itself
        elif style[i] < 0.5:
            local = f"{local}{digits[i]:02d}"
        elif style[i] < 0.75:
            local = f"{local}.{1960 + digits[i] % 50}"
        emails.append(f"{local}@{_MAIL_DOMAINS[domain[i]]}")
    year = traits.birth_year.to_numpy(dtype=float, na_value=np.nan)
    day_of_year = rng.integers(0, 365, size=n)
    birth = [
        None if np.isnan(y) else
        (pd.Timestamp(int(y), 1, 1) + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d")
        for y, d in zip(year, day_of_year, strict=True)
    ]
    return pd.DataFrame({
        "customer_id": traits.customer_id.to_numpy(dtype=object),
        "name": names,
        "name_pinyin": pinyins,
        "phone": phone,
        "second_phone": np.where(changed, np.array(other, dtype=object), None),
        "email": emails,
        "birth_date": birth,
        "gender": gender,
        "city": traits.city.to_numpy(dtype=object),
    })


def _rows(customer_ids, days, source) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": pd.Series(customer_ids, dtype=object).to_numpy(),
                         "captured": pd.to_datetime(pd.Series(days)).dt.normalize().to_numpy(),
                         "source": source})


def _with_second_profiles(rng, first, later, share) -> pd.DataFrame:
    """``first`` rows plus, for about ``share`` of their customers who have a ``later`` day,
    a second row on one of those later days."""
    later = later.merge(first[["customer_id", "captured"]].rename(columns={"captured": "first"}),
                        on="customer_id")
    later = later[later["captured"] > later["first"]]
    chosen = first.loc[rng.random(len(first)) < share, "customer_id"]
    later = later[later["customer_id"].isin(chosen)]
    pick = later.groupby("customer_id").sample(n=1, random_state=rng)
    return pd.concat([first, pick[first.columns]], ignore_index=True)


def platform_rows(seed, orders, stream) -> pd.DataFrame:
    """The platform's order export: every customer who placed an order, on the first one."""
    rng = stream(seed, "records.platform")
    placed = _rows(orders.customer_id, orders.order_time, "platform_order")
    first = placed.sort_values("captured", kind="stable").drop_duplicates("customer_id")
    return _with_second_profiles(rng, first, placed, _P_SECOND_PLATFORM)


def mini_program_rows(members) -> pd.DataFrame:
    """The mini-programme's sign-ups: every member of the programme, on the join day."""
    return _rows(members.customer_id, members.join_date, "mini_program")


def tasting_rows(seed, traits, stream) -> pd.DataFrame:
    """Forms filled in at tasting events: customers of the event's city who had signed up."""
    rng = stream(seed, "records.tasting")
    city = traits.city.astype(str).to_numpy()
    # Regular, bigger spenders are the ones the shop invites and who come.
    keen = (traits.spend_level.to_numpy() * np.minimum(traits.purchase_rate_per_year, 8.0) / 4.0
            * ~traits.never_buys.to_numpy())
    signup = traits.signup_date.to_numpy()
    rows = []
    for event_city in EVENT_CITIES:
        for day in pd.to_datetime(list(_EVENT_DAYS)):
            local = (city == event_city) & (signup < day.to_datetime64())
            p = np.clip(_P_ATTEND * keen / len(_EVENT_DAYS) * 2.0, 0, 0.5)
            come = local & (rng.random(len(city)) < p)
            rows.append(_rows(traits.customer_id[come], [day] * int(come.sum()),
                              "tasting_event"))
    return pd.concat(rows, ignore_index=True)


def service_rows(seed, calls, chats, tickets, stream) -> pd.DataFrame:
    """Profiles opened by customer service: on a customer's first call, ticket or after-sale
    chat, a few opened again on a later contact."""
    rng = stream(seed, "records.service")
    own_calls = calls[calls.customer_id.notna()]
    after_sale = chats[chats.stage == "after_sale"]
    contacts = pd.concat([
        _rows(own_calls.customer_id, own_calls.arrival_time, "service_export"),
        _rows(tickets.customer_id, tickets.created_time, "service_export"),
        _rows(after_sale.customer_id, after_sale.start_time, "service_export"),
    ], ignore_index=True)
    first = contacts.sort_values(["captured", "customer_id"], kind="stable").drop_duplicates(
        "customer_id")
    return _with_second_profiles(rng, first, contacts, _P_SECOND_SERVICE)


# How each source writes a field: {variant: share}. Variants are rendered by _name, _phone ...
_NAME_STYLES = {
    "platform_order": {"exact": 0.88, "spaced": 0.04, "wide_space": 0.02, "soundalike": 0.03,
                       "missing": 0.03},
    "mini_program": {"exact": 0.90, "spaced": 0.03, "soundalike": 0.02, "missing": 0.05},
    "tasting_event": {"exact": 0.75, "soundalike": 0.08, "pinyin": 0.06, "spaced": 0.06,
                      "missing": 0.05},
    "service_export": {"exact": 0.55, "title": 0.25, "pinyin": 0.05, "soundalike": 0.05,
                       "missing": 0.10},
}
_PHONE_STYLES = {
    "platform_order": {"plain": 0.80, "plus_spaced": 0.07, "plus_dashed": 0.04, "cc_dashed": 0.03,
                       "dashed": 0.03, "dropped": 0.01, "missing": 0.02},
    "mini_program": {"plus_spaced": 0.40, "plain": 0.55, "plus": 0.05},
    "tasting_event": {"plain": 0.38, "spaced": 0.25, "dashed": 0.17, "wide": 0.05,
                      "dropped": 0.05, "swapped": 0.02, "plus_spaced": 0.03, "missing": 0.05},
    "service_export": {"plus": 0.45, "plain": 0.30, "spaced": 0.05, "dropped": 0.03,
                       "missing": 0.17},
}
_EMAIL_STYLES = {
    "platform_order": {"missing": 1.0},
    "mini_program": {"missing": 0.60, "exact": 0.32, "upper": 0.04, "padded": 0.02,
                     "wide_at": 0.01, "broken": 0.01},
    "tasting_event": {"missing": 0.45, "exact": 0.34, "upper": 0.07, "padded": 0.05,
                      "wide_at": 0.03, "broken": 0.06},
    "service_export": {"missing": 0.80, "exact": 0.16, "upper": 0.02, "broken": 0.02},
}
_BIRTH_STYLES = {
    "platform_order": {"missing": 1.0},
    "mini_program": {"missing": 0.30, "iso": 0.675, "impossible": 0.025},
    "tasting_event": {"missing": 0.40, "iso": 0.25, "slashed": 0.28, "impossible": 0.07},
    "service_export": {"missing": 1.0},
}
_CITY_STYLES = {
    "platform_order": {"plain": 0.62, "shi": 0.30, "pinyin": 0.04, "lower_pinyin": 0.02,
                       "missing": 0.02},
    "mini_program": {"shi": 0.80, "plain": 0.20},
    "tasting_event": {"plain": 0.50, "shi": 0.28, "pinyin": 0.12, "lower_pinyin": 0.05,
                      "missing": 0.05},
    "service_export": {"plain": 0.40, "missing": 0.60},
}
_PROVINCE_STYLES = {
    "platform_order": {"full": 0.70, "short": 0.25, "pinyin": 0.03, "missing": 0.02},
    "mini_program": {"full": 1.0},
    "tasting_event": {"short": 0.40, "full": 0.20, "missing": 0.40},
    "service_export": {"missing": 1.0},
}
# Share of records that say True to marketing messages (营销授权); missing where not asked.
_CONSENT = {"mini_program": 0.62, "tasting_event": 0.78}


def _styles(rng, sources, table) -> np.ndarray:
    out = np.empty(len(sources), dtype=object)
    draw = rng.random(len(sources))
    for source, shares in table.items():
        here = sources == source
        names, p = list(shares), np.cumsum(list(shares.values()))
        index = np.minimum(np.searchsorted(p / p[-1], draw[here], side="right"), len(names) - 1)
        out[here] = np.array(names, dtype=object)[index]
    return out


def _wide(text: str) -> str:
    """Full-width forms (全角) of ASCII letters, digits and signs."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _name(style, person, rng):
    name = person["name"]
    if style == "missing":
        return None
    if style == "spaced":
        return name[0] + " " + name[1:] if rng.random() < 0.7 else f" {name} "
    if style == "wide_space":
        return name[0] + "\u3000" + name[1:]
    if style == "soundalike":
        last = name[-1]
        return name[:-1] + _SOUNDALIKE.get(last, last)
    if style == "pinyin":
        pinyin = person["name_pinyin"]
        return pinyin.upper() if rng.random() < 0.3 else pinyin
    if style == "title":
        gender = person["gender"] if person["gender"] != "unknown" else rng.choice(["F", "M"])
        return name[0] + ("女士" if gender == "F" else "先生")
    return name


def _phone(style, number, rng):
    if style == "missing":
        return None
    a, b, c = number[:3], number[3:7], number[7:]
    if style == "plus_spaced":
        return f"+86 {a} {b} {c}"
    if style == "plus_dashed":
        return f"+86-{a}-{b}-{c}"
    if style == "cc_dashed":
        return f"86-{number}"
    if style == "plus":
        return f"+86{number}"
    if style == "dashed":
        return f"{a}-{b}-{c}"
    if style == "spaced":
        return f"{a} {b} {c}"
    if style == "wide":
        return _wide(number)
    if style == "dropped":
        cut = int(rng.integers(3, 11))
        return number[:cut] + number[cut + 1:]
    if style == "swapped":
        at = int(rng.integers(3, 10))
        return number[:at] + number[at + 1] + number[at] + number[at + 2:]
    return number


def _email(style, email, rng):
    if style == "missing" or email is None:
        return None
    if style == "upper":
        local, domain = email.split("@")
        return local.title() + "@" + domain.upper() if rng.random() < 0.5 else email.upper()
    if style == "padded":
        return f" {email} " if rng.random() < 0.5 else f"{email}\t"
    if style == "wide_at":
        return email.replace("@", "\uff20")
    if style == "broken":
        local, domain = email.split("@")
        kind = rng.integers(4)
        return (f"{local}{domain}", f"{local}@{domain.split('.')[0]}",
                f"{local}@{domain.replace('.', ',')}", f"{local}@@{domain}")[kind]
    return email


def _birth(style, birth, rng):
    if style == "missing" or birth is None:
        return None
    year, month, day = birth.split("-")
    if style == "slashed":
        return f"{year}/{int(month)}/{int(day)}"
    if style == "impossible":
        kind = rng.integers(4)
        return (f"{year}-02-30", f"{year}-13-{day}", "1900-01-01",
                f"{int(year) + 100}-{month}-{day}")[kind]
    return birth


def _city(style, city):
    if style == "missing":
        return None
    if style == "shi":
        return city + "市"
    if style == "pinyin":
        return CITY_PROVINCES[city][1]
    if style == "lower_pinyin":
        return CITY_PROVINCES[city][1].lower()
    return city


def _province(style, city):
    province = CITY_PROVINCES[city][0]
    if style == "missing":
        return None
    if style == "short":
        for suffix in ("壮族自治区", "省", "市"):
            if province.endswith(suffix):
                return province[: -len(suffix)]
    if style == "pinyin":
        return PROVINCE_EN[province]
    return province


def render(seed, rows, people, stream) -> pd.DataFrame:
    """The fields of each ``(customer, captured, source)`` row as its source writes them."""
    rng = stream(seed, "records.render")
    sources = rows["source"].to_numpy(dtype=object)
    styles = {field: _styles(rng, sources, table) for field, table in (
        ("name", _NAME_STYLES), ("phone", _PHONE_STYLES), ("email", _EMAIL_STYLES),
        ("birth", _BIRTH_STYLES), ("city", _CITY_STYLES), ("province", _PROVINCE_STYLES))}
    use_second = rng.random(len(rows)) < 0.5
    consent_draw = rng.random(len(rows))
    person_of = people.set_index("customer_id")
    # Missing fields as None on every pandas (3.x reads a missing string as NaN).
    chosen = person_of.loc[rows["customer_id"]].astype(object)
    persons = chosen.where(chosen.notna(), None).to_dict("records")
    out = {key: [] for key in ("name", "phone", "email", "birth_date", "province", "city")}
    for i, person in enumerate(persons):
        number = person["phone"]
        if person["second_phone"] is not None and use_second[i]:
            number = person["second_phone"]
        out["name"].append(_name(styles["name"][i], person, rng))
        out["phone"].append(_phone(styles["phone"][i], number, rng))
        out["email"].append(_email(styles["email"][i], person["email"], rng))
        out["birth_date"].append(_birth(styles["birth"][i], person["birth_date"], rng))
        out["province"].append(_province(styles["province"][i], person["city"]))
        out["city"].append(_city(styles["city"][i], person["city"]))
    consent = pd.array([None] * len(rows), dtype="boolean")
    for source, share in _CONSENT.items():
        here = sources == source
        consent[here] = consent_draw[here] < share
    return pd.DataFrame({
        "source": rows["source"].to_numpy(),
        "captured_date": rows["captured"].to_numpy(),
        **out,
        "marketing_consent": consent,
        "true_customer_id": rows["customer_id"].to_numpy(),
    })


def customer_records(seed, traits, tables, stream) -> dict[str, pd.DataFrame]:
    """``customer_records``, validated: the raw rows of the four sources, by arrival."""
    people = identities(seed, traits, stream)
    rows = pd.concat([
        platform_rows(seed, tables["orders"], stream),
        mini_program_rows(tables["members"]),
        tasting_rows(seed, traits, stream),
        service_rows(seed, tables["calls"], tables["chats"], tables["tickets"], stream),
    ], ignore_index=True)
    rows = rows.assign(order=rows["source"].map(_SOURCE_ORDER)).sort_values(
        ["captured", "order", "customer_id"], kind="stable").reset_index(drop=True)
    records = render(seed, rows, people, stream)
    width = max(6, len(str(len(records))))
    records.insert(0, "record_id", [f"R{i:0{width}d}" for i in range(1, len(records) + 1)])
    return {"customer_records": cast_table("customer_records", records)}
