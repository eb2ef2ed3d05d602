"""The shop's FAQ (常见问题) and the ways customers actually ask those questions in chat.

Not random: :data:`FAQ` is the shop's list of questions with the answers its
service team wrote; :data:`ASKED` holds, per FAQ entry, several phrasings a
Taobao customer might type, and :data:`UNANSWERED` questions no entry answers
(some share words with entries on purpose, so that a naive bot is fooled).
``{p}`` in a phrasing stands for a product's short name.

:func:`chat_questions` samples and decorates them (a greeting before, a
particle or emoji code after, a product's name in the slot). Each phrasing is
a **paraphrase family** (问法): every question generated from it shares its
core wording, so a fair test of a bot that learns from labelled questions keeps
whole families out of its learning data. :func:`question_family` recovers a
question's family from its text, by undoing exactly those decorations.

Coverage is a designed property: the FAQ answers :data:`ANSWERABLE_SHARE` (82%)
of the questions customers ask, just above the "at least 80%" a well-designed
FAQ should reach (seed 004); the other 18% need a person.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd

from .loaders import STR_DTYPE, cast_table

__all__ = [
    "ANSWERABLE_SHARE",
    "ASKED",
    "FAQ",
    "FILLERS_AFTER",
    "FILLERS_BEFORE",
    "SHORT_NAMES",
    "UNANSWERED",
    "chat_questions",
    "families",
    "question_family",
]

ANSWERABLE_SHARE = 0.82  # share of chat questions some FAQ entry answers
QUESTIONS_PER_CUSTOMER = 0.3  # chat questions sampled per customer (at least 400)
# A labelled sample for the FAQ bot, not a log of every chat (chats.csv is that): past a few
# thousand questions a larger sample teaches nothing new, and at 0.3 per customer a
# 450,000-customer shop spent 1.7 s of its generation on 135,000 of them.
MAX_QUESTIONS = 6000

# (faq_id, stage, topic, question, answer)
FAQ = (
    ("F01", "pre_sale", "shipping_time", "下单后多久发货？",
     "付款后48小时内从杭州仓库发出；双十一、618等大促期间72小时内发出。"),
    ("F02", "pre_sale", "courier", "默认发什么快递？可以发顺丰吗？",
     "默认发中通或圆通；需要顺丰的话，下单时备注并补5元差价即可。"),
    ("F03", "pre_sale", "free_shipping", "满多少钱包邮？",
     "单笔实付满99元全国包邮，新疆、西藏等偏远地区需补运费。"),
    ("F04", "pre_sale", "freshness", "茶叶是今年的新茶吗？生产日期怎么看？",
     "绿茶均为当年春茶，生产日期印在包装底部；其他茶类的年份写在商品详情页。"),
    ("F05", "pre_sale", "storage", "茶叶怎么保存？保质期多久？",
     "密封、避光、防潮、远离异味存放；绿茶建议冷藏，保质期18个月，普洱和白茶适合常温长期存放。"),
    ("F06", "pre_sale", "brewing", "这款茶怎么泡？水温多少度合适？",
     "绿茶用80度左右的水，红茶和乌龙茶用90到100度；每次3到5克茶叶，第一泡可以稍短。"),
    ("F07", "pre_sale", "authenticity", "是正宗产地的吗？有质检报告吗？",
     "每款茶都直接从产区茶厂进货，详情页最后一张图是第三方检测报告，需要原件可以联系客服。"),
    ("F08", "pre_sale", "samples", "有没有小样可以先试喝？",
     "店铺有9.9元试饮装，每种茶5克，首单可以用，满99元赠送一份小样。"),
    ("F09", "pre_sale", "invoice", "可以开发票吗？",
     "可以开电子普通发票，确认收货后在订单详情里申请，填写抬头和税号即可。"),
    ("F10", "pre_sale", "coupons", "优惠券怎么用？可以和满减一起用吗？",
     "店铺优惠券在结算页自动选用，可以和平台跨店满减叠加，但两张店铺券不能同时用。"),
    ("F11", "pre_sale", "gift_wrap", "送礼有手提袋和贺卡吗？",
     "礼盒类商品都配手提袋；需要贺卡的话在订单备注里写上祝福语，我们手写后放进包裹。"),
    ("F12", "pre_sale", "bulk_order", "公司团购量大有优惠吗？",
     "企业采购满20盒可以申请团购价，并可定制礼盒和开专用发票，请留下联系方式，专人对接。"),
    ("F13", "in_sale", "change_address", "下单后还能改地址吗？",
     "未发货前可以在订单里直接修改地址，已经发货的请联系客服，我们帮您联系快递改派。"),
    ("F14", "in_sale", "combine_orders", "拍了好几单可以合并发货吗？",
     "同一收货地址、未发货的订单可以合并发货，请在旺旺上告诉客服订单号。"),
    ("F15", "in_sale", "tracking", "快递到哪了？怎么查物流？",
     "在订单详情里点“查看物流”就能看到实时信息；超过3天没有更新请联系客服帮您催件。"),
    ("F16", "in_sale", "refund_unshipped", "付款后不想要了，还没发货能退款吗？",
     "未发货的订单可以在订单详情里点“退款”申请仅退款，客服同意后原路退回，不用寄回任何东西。"),
    ("F17", "in_sale", "installments", "可以用花呗分期付款吗？",
     "支持花呗分期，满300元可享3期免息，在付款页选择分期就行。"),
    ("F18", "after_sale", "return_policy", "支持七天无理由退货吗？拆封了还能退吗？",
     "支持7天无理由退换，但茶叶拆封后影响二次销售就不能无理由退，质量问题除外。"),
    ("F19", "after_sale", "damaged", "收到的茶具碎了怎么办？",
     "请在签收后48小时内拍下包裹和破损处的照片发给客服，核实后免费补发或退款。"),
    ("F20", "after_sale", "wrong_item", "发错货或者少发了怎么办？",
     "请拍下收到的商品和快递单发给客服，我们会尽快补发或换货，来回运费由店铺承担。"),
    ("F21", "after_sale", "refund_time", "退款多久能到账？",
     "退货签收后24小时内处理退款，原路退回，支付宝一般当天到账，银行卡需1到3个工作日。"),
    ("F22", "after_sale", "quality", "茶叶有异味或者受潮了怎么办？",
     "请拍照或录视频发给客服，确认是质量问题的，可以退货退款或换新，运费由我们承担。"),
    ("F23", "after_sale", "return_shipping", "退货运费谁来出？",
     "质量问题和发错货的运费由店铺承担；无理由退货的运费由买家承担，买了运费险的可以理赔。"),
    ("F24", "after_sale", "points", "会员积分怎么用？",
     "每消费1元得1积分，100积分可以抵1元，在结算页勾选“使用积分”即可。"),
)  # fmt: skip

# Short product names customers use in chat.
SHORT_NAMES = (
    "龙井", "碧螺春", "正山小种", "金骏眉", "大红袍", "铁观音", "普洱", "白毫银针",
    "白牡丹", "茉莉花茶", "盖碗", "紫砂壶", "茶具套装", "礼盒", "滇红", "寿眉",
)  # fmt: skip

# faq_id -> how customers ask it (several phrasings each).
ASKED = {
    "F01": ["今天拍的话什么时候能发出", "几天发货", "下单了多久能发货", "付完款什么时候发",
            "{p}现在拍今天能发吗", "怎么还没发货，一般几天发"],
    "F02": ["发什么快递", "能发顺丰吗", "可以指定顺丰快递吗", "用的哪家快递", "顺丰要加钱吗"],
    "F03": ["包邮吗", "多少钱包邮", "满多少包邮", "新疆包邮吗", "买一盒{p}包不包邮"],
    "F04": ["是新茶吗", "{p}是今年的吗", "生产日期是什么时候", "是不是陈茶", "今年的春茶到了吗"],
    "F05": ["茶叶怎么保存", "要放冰箱吗", "{p}保质期多久", "开封了怎么存放", "能放多久"],
    "F06": ["{p}怎么泡", "水温多少度", "泡几克合适", "第一泡要倒掉吗", "{p}用多少度的水泡",
            "怎么泡才不苦"],
    "F07": ["是正品吗", "{p}是正宗产地的吗", "有检测报告吗", "有没有农残检测", "是不是真的原产地"],
    "F08": ["有小样吗", "可以试喝吗", "{p}有试饮装吗", "能先买点试试吗"],
    "F09": ["能开发票吗", "可以开专票吗", "发票怎么开", "怎么申请电子发票"],
    "F10": ["优惠券怎么用", "券和满减能一起用吗", "为什么优惠券用不了", "两张券能叠加吗",
            "领的券在哪里用"],
    "F11": ["送人有袋子吗", "{p}有手提袋吗", "能帮忙写贺卡吗", "送礼的话包装好看吗"],
    "F12": ["公司采购有优惠吗", "团购价多少", "买50盒{p}能便宜吗", "企业定制礼盒可以吗"],
    "F13": ["地址写错了能改吗", "下单后还能改地址吗", "怎么修改收货地址", "帮我改一下地址"],
    "F14": ["拍了两单能一起发吗", "能合并发货吗", "分开拍的可以一起寄吗"],
    "F15": ["快递到哪了", "物流怎么查", "怎么三天了物流都没更新", "我的{p}到哪了", "帮我查下物流"],
    "F16": ["还没发货能退款吗", "拍错了能取消订单吗", "付完款不想要了怎么办",
            "没发货可以申请仅退款吗", "{p}拍多了能退掉一盒吗"],
    "F17": ["能用花呗吗", "可以分期吗", "花呗分期免息吗", "{p}能分期付款吗"],
    "F18": ["可以退货吗", "拆开了还能退吗", "七天无理由吗", "不想要了能退吗", "{p}喝不惯可以退吗"],
    "F19": ["{p}收到就碎了", "杯子碎了怎么办", "盖碗摔坏了", "快递把壶压坏了", "收到的茶具有裂缝"],
    "F20": ["发错货了", "少发了一盒", "我买的是{p}怎么收到别的", "包裹里少了一件", "颜色发错了"],
    "F21": ["退款多久到账", "退款怎么还没到", "钱什么时候退回来", "退款到哪里了"],
    "F22": ["茶叶有股怪味", "{p}受潮了", "茶叶发霉了", "喝起来味道不对", "{p}里面有杂质"],
    "F23": ["退货运费谁出", "退货要我出运费吗", "运费险怎么用", "退回去的邮费能报销吗"],
    "F24": ["积分怎么用", "积分能抵钱吗", "我的积分在哪看", "积分可以换东西吗"],
}  # fmt: skip

# Questions no FAQ entry answers: for a person, not the bot.
UNANSWERED = (
    "你们有线下门店吗", "主播刚才说的那款还有吗", "老人喝哪种茶比较好", "孕妇可以喝{p}吗",
    "你们招代理吗", "我上次买的那个茶叫什么名字来着", "能再便宜点吗", "{p}和{p}哪个更好喝",
    "晚上喝茶会失眠吗", "你们客服几点下班", "可以帮我推荐一款送领导的茶吗", "胃不好能喝{p}吗",
    "你们老板是哪里人", "这个价格比别家贵好多", "发货的小哥态度太差了", "我想投诉你们的客服",
    "能不能直播的时候再上一次链接", "{p}跟去年买的味道不一样了", "你们有公众号吗",
    "可以到店里自提吗", "小孩能喝{p}吗", "喝茶能减肥吗", "你好，在吗", "帮我看看订单号是多少",
)  # fmt: skip

FILLERS_BEFORE = (
    "",
    "",
    "",
    "亲，",
    "你好，",
    "在吗？",
    "老板，",
    "客服，",
    "您好，",
    "请问",
    "问一下，",
)
FILLERS_AFTER = ("", "？", "？", "呀", "呢", "啊？", "～", "。", "??", "[疑问]", "急")


# --- generating and recognising questions --------------------------------------------------

# Delivery, breakage, refunds, free shipping and brewing are asked most.
_OFTEN_ASKED = ("F01", "F15", "F19", "F21", "F03", "F06")


def families() -> pd.DataFrame:
    """Every paraphrase family: ``family_id`` (``"F03-2"``: the 3rd phrasing of F03, counted
    from 1; ``"none-05"`` for questions no entry answers), ``faq_id`` (None for those) and
    ``phrasing`` (with ``{p}`` for a product's name)."""
    rows = [
        (f"{faq_id}-{k}", faq_id, text)
        for faq_id, texts in ASKED.items()
        for k, text in enumerate(texts, start=1)
    ]
    rows += [(f"none-{k:02d}", None, text) for k, text in enumerate(UNANSWERED, start=1)]
    return pd.DataFrame(rows, columns=["family_id", "faq_id", "phrasing"])


@cache
def _family_patterns() -> tuple[re.Pattern, tuple[str, ...]]:
    def alternatives(options):
        return "|".join(re.escape(o) for o in sorted(set(options), key=len, reverse=True) if o)

    name = f"(?:{alternatives(SHORT_NAMES)})"
    table = families()
    cores = [
        f"(?P<f{i}>{re.escape(text).replace(re.escape('{p}'), name)})"
        for i, text in enumerate(table["phrasing"])
    ]
    pattern = re.compile(
        f"(?:{alternatives(FILLERS_BEFORE)})?(?:{'|'.join(cores)})(?:{alternatives(FILLERS_AFTER)})?"
    )
    return pattern, tuple(table["family_id"])


def question_family(question_zh: str) -> str | None:
    """The paraphrase family of a generated question, or None for any other text.

    >>> question_family("亲，包邮吗？"), question_family("买一盒龙井包不包邮呀")
    ('F03-1', 'F03-5')
    """
    pattern, ids = _family_patterns()
    found = pattern.fullmatch(question_zh)
    if found is None:
        return None
    (group,) = [name for name, value in found.groupdict().items() if value is not None]
    return ids[int(group[1:])]


def chat_questions(seed: int, n_customers: int, stream) -> pd.DataFrame:
    """Customers' chat questions, each labelled with the FAQ entry that answers it or none.

    ``ANSWERABLE_SHARE`` of them have an entry. A question is one of its
    entry's phrasings (or an unanswerable one), decorated as people type: a
    greeting, a product's short name, a trailing particle or emoji code.
    ``stream(seed, name)`` gives the named random stream.
    """
    rng = stream(seed, "chat.questions")
    n = min(MAX_QUESTIONS, max(400, round(QUESTIONS_PER_CUSTOMER * n_customers)))
    ids = list(ASKED)
    weight = np.array([3.0 if i in _OFTEN_ASKED else 1.0 for i in ids])
    answerable = rng.permutation(n) < round(ANSWERABLE_SHARE * n)  # exactly that share
    entry = rng.choice(len(ids), size=n, p=weight / weight.sum())
    texts, labels = [], []
    for has_entry, e in zip(answerable, entry, strict=True):
        options, label = (ASKED[ids[e]], ids[e]) if has_entry else (UNANSWERED, None)
        texts.append(_decorate(options[rng.integers(len(options))], rng))
        labels.append(label)
    table = pd.DataFrame(
        {
            "question_id": [f"Q{i:05d}" for i in range(1, n + 1)],
            "question_zh": texts,
            "faq_id": pd.array(labels, dtype=STR_DTYPE),
        }
    )
    return cast_table("chat_questions", table)


def _decorate(text: str, rng) -> str:
    """A phrasing as a customer types it: product names filled in, a greeting, a particle."""
    while "{p}" in text:
        text = text.replace("{p}", SHORT_NAMES[rng.integers(len(SHORT_NAMES))], 1)
    before = FILLERS_BEFORE[rng.integers(len(FILLERS_BEFORE))]
    after = FILLERS_AFTER[rng.integers(len(FILLERS_AFTER))]
    if text.endswith(("吗", "呢")) and after in ("呀", "呢", "啊？"):
        after = "？"
    return before + text + after
