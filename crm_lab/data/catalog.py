"""Fixed facts of 云雾茶舍 (Yunwu Tea House): its product catalogue and where customers live.

Nothing here is random. The catalogue is the shop's whole range; ``popularity``
is a relative weight the generator uses to pick products within a category
(it is not shipped in ``products.csv``). Payment methods follow the platform's
history (:data:`PAYMENT_RULES`). Cities are grouped into the usual Chinese city
tiers (一线, 新一线, 二线, 三线, 四线, 五线); the assignment of a city to a tier is
approximate and only meant for teaching.

>>> len(PRODUCTS), PRODUCTS[0][:2]
(50, ('西湖龙井·明前特级 50g', 'Xihu Longjing, pre-Qingming top grade, 50 g'))
"""

from __future__ import annotations

__all__ = ["CITIES", "PAYMENT_RULES", "PRODUCTS", "SEASONAL_PRODUCTS", "TIER_SHARES"]

# (name_zh, name_en, category, list_price_cny, popularity)
PRODUCTS: tuple[tuple[str, str, str, float, float], ...] = (
    (
        "西湖龙井·明前特级 50g",
        "Xihu Longjing, pre-Qingming top grade, 50 g",
        "green_tea",
        268.0,
        3.0,
    ),
    ("西湖龙井·雨前一级 100g", "Xihu Longjing, pre-rain grade 1, 100 g", "green_tea", 168.0, 5.0),
    ("洞庭碧螺春 100g", "Dongting Biluochun, 100 g", "green_tea", 128.0, 4.0),
    ("黄山毛峰 100g", "Huangshan Maofeng, 100 g", "green_tea", 88.0, 3.0),
    ("信阳毛尖 100g", "Xinyang Maojian, 100 g", "green_tea", 78.0, 2.5),
    ("安吉白茶 100g", "Anji Baicha (a green tea), 100 g", "green_tea", 158.0, 3.0),
    ("六安瓜片 100g", "Lu'an Guapian, 100 g", "green_tea", 118.0, 1.5),
    ("太平猴魁 50g", "Taiping Houkui, 50 g", "green_tea", 198.0, 1.2),
    ("口粮绿茶 250g", "Everyday green tea, 250 g", "green_tea", 49.0, 6.0),
    ("正山小种 100g", "Lapsang Souchong, 100 g", "black_tea", 98.0, 4.0),
    ("金骏眉 50g", "Jin Jun Mei, 50 g", "black_tea", 238.0, 2.0),
    ("祁门红茶 100g", "Keemun black tea, 100 g", "black_tea", 108.0, 3.0),
    ("滇红金芽 100g", "Dianhong golden buds, 100 g", "black_tea", 88.0, 3.5),
    ("英德红茶 100g", "Yingde black tea, 100 g", "black_tea", 68.0, 2.0),
    ("红茶袋泡茶 30包", "Black tea bags, 30 bags", "black_tea", 39.0, 5.0),
    ("安溪铁观音·清香型 125g", "Anxi Tieguanyin, light roast, 125 g", "oolong", 98.0, 5.0),
    ("武夷大红袍 125g", "Wuyi Da Hong Pao, 125 g", "oolong", 158.0, 4.0),
    ("武夷肉桂 100g", "Wuyi Rougui, 100 g", "oolong", 188.0, 2.0),
    ("凤凰单丛·蜜兰香 100g", "Phoenix Dancong, honey orchid, 100 g", "oolong", 138.0, 2.5),
    ("冻顶乌龙 150g", "Dong Ding oolong, 150 g", "oolong", 128.0, 1.5),
    ("东方美人 50g", "Oriental Beauty oolong, 50 g", "oolong", 168.0, 1.2),
    ("高山乌龙 150g", "High-mountain oolong, 150 g", "oolong", 118.0, 2.5),
    ("熟普洱饼 357g", "Ripe pu'er cake, 357 g", "puer", 128.0, 4.0),
    ("生普洱饼·2019 357g", "Raw pu'er cake, 2019, 357 g", "puer", 268.0, 2.0),
    ("新会小青柑普洱 250g", "Xinhui tangerine pu'er (Xiao Qing Gan), 250 g", "puer", 98.0, 4.5),
    ("普洱沱茶 250g", "Pu'er tuocha, 250 g", "puer", 68.0, 2.0),
    ("古树生普 357g", "Ancient-tree raw pu'er, 357 g", "puer", 598.0, 0.6),
    ("白毫银针 50g", "Silver Needle white tea (Baihao Yinzhen), 50 g", "white_tea", 228.0, 1.5),
    ("白牡丹 100g", "White Peony white tea (Bai Mudan), 100 g", "white_tea", 128.0, 3.0),
    ("寿眉饼 350g", "Shoumei white tea cake, 350 g", "white_tea", 158.0, 2.5),
    ("老白茶·2018 寿眉 300g", "Aged Shoumei white tea, 2018, 300 g", "white_tea", 298.0, 1.0),
    ("茉莉花茶 100g", "Jasmine tea, 100 g", "flower_tea", 58.0, 5.0),
    ("茉莉龙珠 100g", "Jasmine dragon pearls, 100 g", "flower_tea", 98.0, 2.0),
    ("桂花乌龙 100g", "Osmanthus oolong, 100 g", "flower_tea", 78.0, 2.5),
    ("玫瑰花茶 50g", "Rose bud tea, 50 g", "flower_tea", 35.0, 3.0),
    ("杭白菊·胎菊 50g", "Hangzhou chrysanthemum buds, 50 g", "flower_tea", 29.0, 3.0),
    ("白瓷盖碗", "White porcelain gaiwan", "teaware", 68.0, 4.0),
    ("宜兴紫砂壶", "Yixing clay teapot", "teaware", 388.0, 1.5),
    ("玻璃公道杯", "Glass fairness pitcher (gongdao bei)", "teaware", 39.0, 4.0),
    ("品茗杯 6只装", "Tasting cups, set of 6", "teaware", 59.0, 3.0),
    ("竹制茶盘", "Bamboo tea tray", "teaware", 168.0, 1.5),
    ("便携旅行茶具", "Portable travel tea set", "teaware", 129.0, 3.0),
    ("飘逸杯", "Push-button brewing teapot (piaoyi bei)", "teaware", 49.0, 3.5),
    ("电陶炉煮茶器", "Electric tea stove and kettle", "teaware", 299.0, 1.2),
    ("功夫茶具整套", "Complete gongfu tea set", "teaware", 588.0, 0.8),
    ("龙井礼盒 250g", "Longjing gift box, 250 g", "gift_set", 398.0, 3.0),
    ("大红袍礼盒 250g", "Da Hong Pao gift box, 250 g", "gift_set", 328.0, 2.0),
    ("中秋茶礼·茶与月饼", "Mid-Autumn gift box: tea and mooncakes", "gift_set", 268.0, 2.5),
    ("新春六味茶礼盒", "Spring Festival six-tea gift box", "gift_set", 458.0, 2.5),
    ("商务茶礼·茶与茶具", "Business gift: tea with a tea set", "gift_set", 888.0, 1.0),
)

# Products sold only around one festival: index -> (promotion window it belongs to,
# the product bought instead outside that window).
SEASONAL_PRODUCTS: dict[int, tuple[str, int]] = {
    47: ("mid_autumn", 45),
    48: ("new_year", 45),
}

# Share of customers per city tier (online tea buyers skew to big cities).
TIER_SHARES: dict[str, float] = {
    "tier1": 0.24,
    "new_tier1": 0.37,
    "tier2": 0.21,
    "tier3": 0.10,
    "tier4": 0.05,
    "tier5": 0.03,
}

# (city, tier, weight within the tier)
CITIES: tuple[tuple[str, str, float], ...] = (
    ("上海", "tier1", 8.0),
    ("北京", "tier1", 7.0),
    ("深圳", "tier1", 6.0),
    ("广州", "tier1", 5.0),
    ("杭州", "new_tier1", 6.0),
    ("成都", "new_tier1", 4.0),
    ("苏州", "new_tier1", 3.0),
    ("南京", "new_tier1", 3.0),
    ("武汉", "new_tier1", 3.0),
    ("重庆", "new_tier1", 3.0),
    ("宁波", "new_tier1", 2.5),
    ("西安", "new_tier1", 2.5),
    ("天津", "new_tier1", 2.5),
    ("长沙", "new_tier1", 2.0),
    ("郑州", "new_tier1", 2.0),
    ("青岛", "new_tier1", 2.0),
    ("东莞", "new_tier1", 2.0),
    ("合肥", "new_tier1", 1.8),
    ("佛山", "new_tier1", 1.8),
    ("沈阳", "new_tier1", 1.5),
    ("昆明", "new_tier1", 1.5),
    ("厦门", "tier2", 2.0),
    ("福州", "tier2", 2.0),
    ("无锡", "tier2", 2.0),
    ("温州", "tier2", 1.8),
    ("济南", "tier2", 1.5),
    ("泉州", "tier2", 1.5),
    ("金华", "tier2", 1.3),
    ("常州", "tier2", 1.2),
    ("嘉兴", "tier2", 1.2),
    ("绍兴", "tier2", 1.2),
    ("大连", "tier2", 1.2),
    ("南昌", "tier2", 1.0),
    ("南宁", "tier2", 1.0),
    ("石家庄", "tier2", 1.0),
    ("哈尔滨", "tier2", 1.0),
    ("珠海", "tier2", 1.0),
    ("贵阳", "tier2", 0.8),
    ("长春", "tier2", 0.8),
    ("湖州", "tier3", 0.8),
    ("扬州", "tier3", 0.7),
    ("芜湖", "tier3", 0.6),
    ("洛阳", "tier3", 0.6),
    ("潍坊", "tier3", 0.6),
    ("汕头", "tier3", 0.6),
    ("宜昌", "tier3", 0.5),
    ("桂林", "tier3", 0.5),
    ("赣州", "tier3", 0.5),
    ("三亚", "tier3", 0.4),
    ("丽水", "tier4", 0.4),
    ("宁德", "tier4", 0.4),
    ("安庆", "tier4", 0.4),
    ("黄山", "tier4", 0.3),
    ("南平", "tier4", 0.3),
    ("六安", "tier4", 0.3),
    ("普洱", "tier5", 0.3),
    ("临沧", "tier5", 0.25),
    ("雅安", "tier5", 0.25),
    ("安顺", "tier5", 0.2),
)

# The platform's cashier (收银台), as rules: (method, available_from, share of paid orders
# from that day on). A method's share holds until its next rule; Alipay (支付宝, balance,
# 余额宝 and linked cards shown as Alipay) takes what the others leave, so it stays
# dominant. Huabei (花呗) is Alipay's consumer credit; "card" is a bank or credit card paid
# through the same cashier (银行卡快捷支付). Taobao and Tmall took no WeChat Pay (微信支付)
# until the roll-out that began in September 2024; its share then grows slowly, as
# shoppers who keep their money in WeChat find the option.
PAYMENT_RULES: tuple[tuple[str, str, float], ...] = (
    ("huabei", "2024-01-01", 0.20),
    ("card", "2024-01-01", 0.08),
    ("wechat_pay", "2024-09-05", 0.03),
    ("wechat_pay", "2024-11-01", 0.05),
    ("wechat_pay", "2025-03-01", 0.07),
    ("wechat_pay", "2025-09-01", 0.09),
)
