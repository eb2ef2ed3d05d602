"""The course glossary (术语表): every chapter's key terms, kept in one place.

Each term has its English name, its Chinese name (中文), a one-line definition
and the chapter that introduces it. A chapter shows its key-terms table with
:func:`table`, and the book builds its glossary page from :data:`TERMS`, so a
term is written once and read everywhere.

>>> terms("06_rfm")["english"].iloc[0]
'RFM model'
>>> TERMS.columns.tolist()
['english', 'chinese', 'definition', 'chapter']

To add a chapter's terms, append rows to ``_ROWS`` below with the chapter's
folder name (``NN_topic``); a test checks that every chapter has some and shows
them with ``glossary.table("NN_topic")``.
"""

from __future__ import annotations

import pandas as pd

from crm_lab.i18n import tr

__all__ = ["TERMS", "CHAPTER_TITLES", "CHAPTER_TITLES_ZH", "terms", "table", "markdown"]

CHAPTER_TITLES: dict[str, str] = {
    "00_overview": "00 · CRM and this course (客户关系管理概述)",
    "01_customer_analysis": "01 · Customer analysis (客户分析)",
    "02_customer_information": "02 · Customer information management (客户信息管理)",
    "03_satisfaction": "03 · Customer satisfaction (客户满意度管理)",
    "04_loyalty_churn": "04 · Customer loyalty, churn and lifetime value (客户忠诚与流失)",
    "05_membership": "05 · Membership systems and points (会员体系与积分)",
    "06_rfm": "06 · RFM analysis (RFM 分析模型)",
    "07_call_centre": "07 · Call centre and customer service (呼叫中心与客户服务)",
}
"""Chapter folder name -> the title the glossary shows for it."""

CHAPTER_TITLES_ZH: dict[str, str] = {
    "00_overview": "00 · 客户关系管理概述与课程导览",
    "01_customer_analysis": "01 · 客户分析",
    "02_customer_information": "02 · 客户信息管理",
    "03_satisfaction": "03 · 客户满意度管理",
    "04_loyalty_churn": "04 · 客户忠诚、流失与终身价值",
    "05_membership": "05 · 会员体系与积分",
    "06_rfm": "06 · RFM 分析模型",
    "07_call_centre": "07 · 呼叫中心与客户服务",
}
"""Chapter folder name -> its title in Chinese (the Chinese book's start page and glossary)."""

_ROWS = [
    # chapter, English, 中文, definition
    ("00_overview", "customer relationship management (CRM)", "客户关系管理",
     "managing every contact with customers so that the right ones stay, buy again and "
     "recommend the shop; at once an idea, a system and a strategy"),
    ("00_overview", "customer asset", "客户资产",
     "customers seen as the firm's most valuable asset, worth what they will buy in the future"),
    ("00_overview", "CRM system", "客户关系管理系统",
     "software that stores customer data and every interaction, and supports acting on them"),
    ("00_overview", "collaborative CRM", "协作型 CRM",
     "connects the channels customers use (chat, phone, e-mail) so that any request is "
     "answered quickly and consistently"),
    ("00_overview", "operational CRM", "操作型 CRM",
     "runs daily sales, marketing and service processes, such as orders, campaigns and tickets"),
    ("00_overview", "analytical CRM", "分析型 CRM",
     "turns stored customer data into knowledge: segments, forecasts, reports"),
    ("00_overview", "integrated CRM", "综合型 CRM",
     "combines the collaborative, operational and analytical parts, linked to the back office"),
    ("00_overview", "customer lifecycle", "客户生命周期",
     "the stages of a relationship: acquisition, retention, loyalty and, if lost, win-back"),
    ("00_overview", "acquisition channel", "获客渠道",
     "how a customer first found the shop, e.g. search, live stream or a friend's referral"),
    ("00_overview", "descriptive data", "客户描述性数据",
     "who the customer is: facts about the person, such as gender, age and city"),
    ("00_overview", "transactional data", "客户交易性数据",
     "what happened in each purchase: items, time, amounts, payment and how the order ended"),
    ("00_overview", "promotional data", "市场促销性数据",
     "the shop's marketing that reached the customer: campaigns, coupons, ads, channels"),
    ("00_overview", "order life cycle", "订单生命周期",
     "placed, then paid, shipped and completed, or refunded, or closed unpaid"),
    ("00_overview", "order status", "订单状态",
     "where an order ended: paid (交易成功), refunded (退款) or closed unpaid (交易关闭); "
     "only paid orders bring revenue"),
    ("00_overview", "first-purchase rate (buyer rate)", "首购率",
     "the share of signed-up customers who placed at least one paid order"),
    ("00_overview", "formative check", "形成性评价",
     "a quick check right after an exercise that gives a hint, but no marks"),
    ("00_overview", "autograding", "自动评分",
     "hidden tests that compare a student's function with a reference to award points"),
    ("01_customer_analysis", "consumer", "消费者",
     "anyone who uses a product, whether or not they bought it; a customer is a buyer the shop "
     "knows and manages"),
    ("01_customer_analysis", "customer type", "客户类型",
     "consumer, business (B2B), channel or internal customer: who buys and what for"),
    ("01_customer_analysis", "business customer (B2B)", "企业客户",
     "an organisation buying for its own use, such as a company's gift boxes or an office's tea"),
    ("01_customer_analysis", "channel customer", "渠道客户",
     "a reseller or agent who buys to sell the product on"),
    ("01_customer_analysis", "internal customer", "内部客户",
     "a person or team inside the firm who uses its products or services"),
    ("01_customer_analysis", "customer identification", "客户识别",
     "telling from the data who is a potential, new, repeat, loyal or lapsed customer"),
    ("01_customer_analysis", "ABC classification", "ABC 分类",
     "A: the biggest spenders who bring the first 70% of revenue; B: the next 20%; C: the rest"),
    ("01_customer_analysis", "Lorenz curve", "洛伦兹曲线",
     "the share of revenue brought by the smallest x% of customers; the diagonal means equal "
     "spending"),
    ("01_customer_analysis", "Gini coefficient", "基尼系数",
     "twice the area between the diagonal and the Lorenz curve: 0 equal, near 1 concentrated"),
    ("01_customer_analysis", "customer value class", "客户价值分类",
     "VIP, key account, ordinary or small customer, by rank of revenue"),
    ("01_customer_analysis", "key account", "大客户",
     "one of the few customers (about 4%) just below the VIPs who bring a large share of revenue"),
    ("01_customer_analysis", "customer profitability", "客户盈利能力",
     "what a customer earns the shop after product, refund, shipping and service costs"),
    ("01_customer_analysis", "customer portrait", "客户画像",
     "a customer's information turned into tags: social attributes, behaviour, consumption"),
    ("01_customer_analysis", "tag", "标签",
     "one short fact about a customer that a campaign can filter on, e.g. post-90 big spender"),
    ("01_customer_analysis", "clustering", "聚类",
     "grouping customers who look alike without labels given in advance; named afterwards"),
    ("01_customer_analysis", "k-means", "K均值聚类",
     "clustering that assigns each customer to the nearest of k centres and moves the centres "
     "to minimise the inertia"),
    ("01_customer_analysis", "standardization", "标准化",
     "rescaling a feature to mean 0 and standard deviation 1, so no unit outweighs another"),
    ("01_customer_analysis", "elbow method", "肘部法则",
     "choosing k where adding a cluster stops reducing the inertia much"),
    ("01_customer_analysis", "silhouette coefficient", "轮廓系数",
     "from -1 to 1: how much closer a customer is to its own cluster than to the next one"),
    ("04_loyalty_churn", "customer loyalty", "客户忠诚",
     "a positive attitude towards the shop together with repeated buying from it"),
    ("04_loyalty_churn", "loyalty matrix", "忠诚度矩阵",
     "attitude (high/low) crossed with repeat buying (yes/no): true, latent, inertia or no "
     "loyalty"),
    ("04_loyalty_churn", "true loyalty", "真正忠诚",
     "a customer who likes the shop and keeps buying: the one to reward and ask for referrals"),
    ("04_loyalty_churn", "latent loyalty", "潜在忠诚",
     "a customer who likes the shop but does not buy again; something stands in the way"),
    ("04_loyalty_churn", "inertia loyalty", "惰性忠诚",
     "a customer who keeps buying out of habit or convenience, without a positive attitude"),
    ("04_loyalty_churn", "lifecycle stage", "生命周期阶段",
     "where a customer stands on a day by fixed rules: new, active, loyal, at risk, lost or "
     "won back"),
    ("04_loyalty_churn", "win-back", "客户赢回",
     "bringing a lost customer back to buying; the last stage of lifecycle marketing"),
    ("04_loyalty_churn", "acquisition cohort", "获客同期群",
     "the customers whose first paid order fell in the same calendar month"),
    ("04_loyalty_churn", "cohort retention", "同期群留存",
     "the share of a cohort that buys again in each month after its first"),
    ("04_loyalty_churn", "leakage", "数据泄漏",
     "letting information from after a cut-off into a model's features: it looks good and "
     "fails in use"),
    ("04_loyalty_churn", "churn model", "流失预测模型",
     "a model that scores each customer's probability of churning after a cut-off date"),
    ("04_loyalty_churn", "ROC AUC", "ROC 曲线下面积",
     "the probability that a random churner is scored above a random stayer (0.5 is guessing)"),
    ("04_loyalty_churn", "lift", "提升度",
     "a score group's churn rate divided by the overall churn rate"),
    ("04_loyalty_churn", "customer lifetime value (CLV)", "客户终身价值",
     "the margin a customer is expected to bring in the future"),
    ("04_loyalty_churn", "BG/NBD model", "BG/NBD 模型",
     "forecasts repeat purchases: a steady buying rate while alive, a chance of dropping out "
     "after each purchase"),
    ("04_loyalty_churn", "Gamma-Gamma model", "Gamma-Gamma 模型",
     "forecasts a customer's average spend per purchase from their own and everyone's spend"),
    ("04_loyalty_churn", "calibration and holdout periods", "校准期与留出期",
     "fit a model on one period, then check its forecast on the following one"),
    ("02_customer_information", "customer information", "客户信息",
     "everything a shop records about its customers: who they are, what they bought, how they "
     "responded to offers and how they were served"),
    ("02_customer_information", "basic customer record", "客户基本资料",
     "descriptive information about a customer: name, phone, e-mail, birth date, region"),
    ("02_customer_information", "transaction data", "交易信息",
     "the customer's orders, amounts, products and refunds"),
    ("02_customer_information", "direct and indirect channels", "直接渠道与间接渠道",
     "information the customer gives the shop itself, or that reaches it through others"),
    ("02_customer_information", "Personal Information Protection Law (PIPL)", "个人信息保护法",
     "China's law (2021) on handling personal information: a lawful basis for each use, "
     "consent for marketing, the minimum necessary, protection of what is shared"),
    ("02_customer_information", "consent", "同意（授权）",
     "the customer's agreement to one use of their information, which they may withdraw"),
    ("02_customer_information", "data masking", "数据脱敏",
     "hiding part of an identifier (138****5678, 王**) in anything shown or exported"),
    ("02_customer_information", "data cleaning", "数据清洗",
     "correcting, standardising and checking raw values before they are used"),
    ("02_customer_information", "completeness", "完整性",
     "data quality: the share of records in which a value is present"),
    ("02_customer_information", "validity", "有效性",
     "data quality: the share of present values that could be true (a real date, a real number)"),
    ("02_customer_information", "uniqueness", "唯一性",
     "data quality: each real thing appears once (distinct valid values / valid values)"),
    ("02_customer_information", "consistency", "一致性",
     "data quality: records of the same thing agree with each other"),
    ("02_customer_information", "E.164", "E.164 国际电话号码格式",
     "the international standard way of writing a phone number: +, country code, number"),
    ("02_customer_information", "deduplication (record linkage)", "去重（记录链接）",
     "finding the records that describe the same person and putting them in one group"),
    ("02_customer_information", "blocking", "分块",
     "comparing only records that share something rarely wrong (city, surname), not all pairs"),
    ("02_customer_information", "precision and recall", "精确率与召回率",
     "of a matching rule: the share of its merged pairs that are right, and the share of the "
     "true pairs it merges"),
    ("02_customer_information", "blacklist", "黑名单",
     "customers whose behaviour (serial refunds, unfounded claims) the team checks before "
     "offering coupons or easy refunds"),
    ("02_customer_information", "churn record", "流失记录",
     "a buyer who has not bought for a stated time, e.g. a year"),
    ("02_customer_information", "data warehouse", "数据仓库",
     "a subject-oriented, integrated, non-volatile, time-variant collection of data for "
     "decisions"),
    ("02_customer_information", "data mart", "数据集市",
     "a small warehouse for one subject or department; independent (from the operational "
     "systems) or dependent (from the warehouse)"),
    ("02_customer_information", "star schema", "星型模型",
     "a fact table of events at a stated grain, joined to dimension tables by their keys"),
    ("02_customer_information", "fact table and dimension table", "事实表与维度表",
     "the events one measures (order lines), and what describes them (customer, product, day)"),
    ("02_customer_information", "grain", "粒度",
     "what one row of a fact table is, e.g. one order line"),
    ("03_satisfaction", "customer satisfaction", "客户满意度",
     "a customer's judgement of perceived performance against expectation (Kotler)"),
    ("03_satisfaction", "expectation management", "期望管理",
     "promising what the shop can keep, so that expectations stay reachable"),
    ("03_satisfaction", "customer delivered value", "顾客让渡价值",
     "total customer value (product, service, staff, image) minus total customer cost "
     "(money, time, effort, worry)"),
    ("03_satisfaction", "Likert scale", "李克特量表",
     "a rating scale of ordered answers, here 1 (very poor) to 5 (excellent)"),
    ("03_satisfaction", "gap score", "差距得分",
     "perception minus expectation on one service dimension (SERVQUAL)"),
    ("03_satisfaction", "CSAT top-2-box", "顾客满意率（前两格）",
     "the share of answers 4 or 5 on a 5-point satisfaction question"),
    ("03_satisfaction", "Net Promoter Score (NPS)", "净推荐值",
     "% promoters (9-10) minus % detractors (0-6) on the 0-10 recommend question"),
    ("03_satisfaction", "customer satisfaction index (CSI)", "顾客满意度指数",
     "a weighted average of dimension scores on a 0-100 scale"),
    ("03_satisfaction", "detailed seller ratings (DSR)", "店铺动态评分",
     "the platform's three 1-5 shop ratings per order: 描述相符, 服务态度, 物流服务"),
    ("03_satisfaction", "Cronbach's alpha", "克朗巴哈系数",
     "how consistently a set of items measures one thing; above 0.7 is usually acceptable"),
    ("03_satisfaction", "straight-lining", "直线作答",
     "ticking the same answer on every item, whatever it asks"),
    ("03_satisfaction", "acquiescence", "默许倾向",
     "a respondent's tendency to agree with whatever is asked"),
    ("03_satisfaction", "non-response bias", "无应答偏差",
     "a difference between those who answer a survey and those who do not that distorts "
     "its results"),
    ("03_satisfaction", "key-driver analysis", "关键驱动因素分析",
     "finding which dimensions move overall satisfaction, by correlation and regression"),
    ("03_satisfaction", "importance-performance analysis (IPA)", "重要性-绩效分析",
     "a grid of importance against performance whose four quadrants say where to act"),
    ("03_satisfaction", "double-barrelled question", "双重问题",
     "one question that asks about two things at once, so that it cannot be answered well"),
    ("05_membership", "membership system", "会员体系",
     "a shop's tiers, benefits and points, meant to recognise, keep and grow its customers"),
    ("05_membership", "membership tier", "会员等级",
     "a level of membership (普通, 银卡, 金卡, 钻石 here) reached by spending; "
     "higher tiers get more"),
    ("05_membership", "rolling 12-month spend", "滚动12个月消费",
     "paid spend in the 365 days before a day; tiers follow it, so they move up and down"),
    ("05_membership", "member benefit", "会员权益",
     "what a member gets for belonging: faster points, gifts, service; each has a cost"),
    ("05_membership", "loyalty points", "会员积分",
     "credits earned on purchases and redeemed for rewards; a reward now and a reason to return"),
    ("05_membership", "points ledger", "积分流水",
     "one row per change to a member's points: earned, bonus, redeemed, expired, clawed back"),
    ("05_membership", "point balance", "积分余额",
     "the points a member holds on a date, replayed from the ledger and never below zero"),
    ("05_membership", "points clawback", "积分扣回",
     "taking back the points of a refunded order"),
    ("05_membership", "points liability", "积分负债",
     "outstanding points times the cost of a point: what the shop owes its members"),
    ("05_membership", "redemption rate", "积分兑换率",
     "the share of points issued that members redeem"),
    ("05_membership", "breakage", "积分失效率",
     "the share of points that leave balances by expiring unredeemed"),
    ("05_membership", "tier migration matrix", "会员等级迁移矩阵",
     "members counted by their tier on one date (rows) and on a later one (columns)"),
    ("05_membership", "selection bias", "选择偏差",
     "a difference that comes from who joins a group, not from what the group does to them"),
    ("05_membership", "before/after comparison", "前后对比",
     "the same customers in a window before and a window after an event such as joining"),
    ("05_membership", "matched comparison", "匹配对比",
     "comparing members with non-members who looked the same before, over the same days"),
    ("06_rfm", "RFM model", "RFM 模型",
     "segments customers by recency, frequency and monetary value"),
    ("06_rfm", "recency", "最近一次消费 (R)",
     "days since the last paid purchase, as of a fixed date"),
    ("06_rfm", "frequency", "消费频率 (F)", "number of paid purchases in the period"),
    ("06_rfm", "monetary value", "消费金额 (M)", "total spent on paid purchases in the period"),
    ("06_rfm", "as-of date", "基准日", "the day the analysis looks back from"),
    ("06_rfm", "quintile score", "五分位评分",
     "1–5 score by which fifth of customers one falls into"),
    ("06_rfm", "customer segmentation", "客户细分",
     "dividing customers into groups that need different treatment"),
    ("06_rfm", "customer value tiers", "客户价值分层",
     "the eight RFM segments, 重要价值客户 … 一般挽留客户"),
    ("06_rfm", "Pareto principle", "二八定律",
     "a small share of customers brings most of the revenue"),
    ("06_rfm", "churn", "客户流失", "a customer stops buying, usually without saying so"),
    ("06_rfm", "high score", "高分 (R/F/M 高)",
     "a 1–5 score of 4 or 5, the top two fifths of customers: a fixed threshold"),
    ("06_rfm", "action groups", "客户行动分组",
     "活跃, 重点突破, 重点维护 and 要遗弃客户: the eight segments grouped by what the shop does"),
    ("06_rfm", "repeat-purchase rate", "复购率",
     "the share of a group's customers with two or more paid orders"),
    ("06_rfm", "average order value", "客单价",
     "paid revenue divided by the number of paid orders"),
    ("06_rfm", "repurchase interval", "回购周期",
     "the typical number of days between one paid order and the customer's next"),
    ("06_rfm", "back-test", "回测",
     "fitting a model as of an earlier date and checking it against what happened afterwards"),
    ("07_call_centre", "call centre", "呼叫中心",
     "the team and systems that answer customers' calls, chats and e-mails at scale"),
    ("07_call_centre", "queue (skill group)", "队列（技能组）",
     "where calls of one kind wait for the agents trained to handle them"),
    ("07_call_centre", "service level", "服务水平",
     "share of offered calls answered within a threshold, e.g. 80% within 20 seconds"),
    ("07_call_centre", "average speed of answer (ASA)", "平均应答速度",
     "mean time answered calls waited in the queue"),
    ("07_call_centre", "average handle time (AHT)", "平均处理时长",
     "mean talk time plus after-call work of answered calls"),
    ("07_call_centre", "abandonment rate", "放弃率",
     "share of offered calls whose caller hung up before being answered"),
    ("07_call_centre", "first-contact resolution (FCR)", "首次解决率",
     "share of answered contacts that solved the problem without another contact"),
    ("07_call_centre", "occupancy", "座席占用率",
     "share of the agents' logged-in time spent handling calls"),
    ("07_call_centre", "offered load (erlang)", "话务量（爱尔兰）",
     "calls per unit of time times the mean handle time; one erlang keeps one agent busy"),
    ("07_call_centre", "Erlang C", "爱尔兰 C 公式",
     "queueing formula for the chance of waiting, service level and ASA with N agents"),
    ("07_call_centre", "discrete-event simulation", "离散事件仿真",
     "a program that plays out random arrivals and services one event at a time"),
    ("07_call_centre", "service-level agreement (SLA)", "服务水平协议",
     "a promise of how fast contacts are answered or resolved, and the measure of keeping it"),
    ("07_call_centre", "complaint handling", "投诉处理",
     "record, judge, analyse, reply, feed back and follow up a customer's complaint"),
    ("07_call_centre", "follow-up contact", "回访",
     "contacting the customer after a case is closed to check they are satisfied"),
    ("07_call_centre", "FAQ", "常见问题",
     "a list of frequent questions with prepared answers"),
    ("07_call_centre", "customer-service bot", "智能客服机器人",
     "software that receives chats first and answers what it can from the FAQ"),
    ("07_call_centre", "handover to a person", "转人工",
     "passing a chat the bot is not confident about to a human agent"),
    ("07_call_centre", "TF-IDF", "词频-逆文档频率",
     "weights a text piece by how often it occurs in a document and how rare it is overall"),
    ("07_call_centre", "shrinkage", "缩减率",
     "share of paid agent time not available for contacts: breaks, meetings, training, leave"),
    ("07_call_centre", "FAQ coverage", "FAQ 覆盖率",
     "share of customers' questions that some FAQ entry answers, whatever the bot does"),
    ("07_call_centre", "precision (of a bot's answers)", "准确率",
     "share of the bot's answers that were right; undefined when it answers nothing"),
    ("07_call_centre", "fully automatic reception", "全自动接待",
     "bot mode in which its answers go straight to the customer"),
    ("07_call_centre", "assisted reception", "智能辅助接待",
     "bot mode in which an agent sees the bot's suggested answer and sends, edits or ignores it"),
    ("07_call_centre", "paraphrase family", "问法",
     "questions sharing one core wording; a fair test keeps whole families out of the "
     "learning data"),
    ("07_call_centre", "train, validation and test sets", "训练集、验证集与测试集",
     "data to learn from, data to choose settings on, and data to report on once"),
    ("07_call_centre", "first response time", "首次响应时长",
     "time from a customer's first chat message to the shop's first reply"),
    ("07_call_centre", "average response time", "平均响应时长",
     "mean time the customer waits for each reply during a chat"),
    ("07_call_centre", "inquiry conversion rate", "询单转化率",
     "share of pre-sale chats (询单) that are followed by an order"),
    ("07_call_centre", "contracted service centre", "外包客服中心",
     "a call centre that answers the hotlines of many client shops"),
]

TERMS: pd.DataFrame = pd.DataFrame(_ROWS, columns=["chapter", "english", "chinese", "definition"])[
    ["english", "chinese", "definition", "chapter"]
]
"""Every term: columns ``english``, ``chinese``, ``definition`` and ``chapter`` (folder name)."""


def terms(chapter: str | None = None) -> pd.DataFrame:
    """The terms of one chapter (``"06_rfm"``), or all of them, in the order written.

    Raises ``ValueError`` for a chapter with no terms.
    """
    if chapter is None:
        return TERMS.copy()
    out = TERMS[TERMS["chapter"] == chapter].reset_index(drop=True)
    if out.empty:
        known = sorted(TERMS["chapter"].unique())
        raise ValueError(tr("no glossary terms for chapter {chapter!r}; chapters with terms: "
                            "{known}", chapter=chapter, known=known))
    return out


def table(chapter: str):
    """A chapter's key-terms table (关键术语), ready to show as a notebook cell's output.

    Returns a pandas ``Styler``: columns English, 中文 and meaning, no index.

    >>> table("06_rfm")  # doctest: +SKIP
    """
    shown = terms(chapter)[["english", "chinese", "definition"]].rename(
        columns={"english": "English", "chinese": "中文", "definition": "meaning"}
    )
    return shown.style.hide(axis="index").set_properties(**{"text-align": "left"})


def markdown(chapter: str | None = None) -> str:
    """The terms as a Markdown table (one chapter, or all with a chapter column).

    >>> print(markdown("06_rfm").splitlines()[2])
    | RFM model | RFM 模型 | segments customers by recency, frequency and monetary value |
    """
    rows = terms(chapter)
    header = ["English", "中文", "meaning"] + ([] if chapter else ["chapter"])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows.itertuples(index=False):
        cells = [row.english, row.chinese, row.definition]
        if not chapter:
            cells.append(CHAPTER_TITLES.get(row.chapter, row.chapter))
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
