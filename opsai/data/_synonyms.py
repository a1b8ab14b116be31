"""The synonyms ``opsai init`` reads column and file names with, and how names are compared.

One table, English, Chinese and German (the names of German exports and market reports): a contract column may share a
synonym with a column of another table (``date``: timestamp, period), never with one of its own
table. Names are folded first (:func:`fold`), so case, spaces and punctuation do not matter.

Example:
    >>> from opsai.data.schema import TABLES
    >>> name_score("客户ID", "user_id", TABLES["orders"]), name_score("dollar_value", "amount",
    ...     TABLES["orders"])
    (1.0, 0.6)
"""

from __future__ import annotations

import functools
import re
import unicodedata

from opsai.data.schema import Table

SYNONYMS: dict[str, tuple[str, ...]] = {
    "user_id": ("user_id", "user", "customer_id", "customer", "cust", "client", "member_id",
                "household_key", "household_id", "hh_key", "hh_id",  # Dunnhumby's household_key
                "client_id", "buyer_id", "uid", "account", "account_id", "requester", "subscriber", "subscription_id", "subscription", "sub_id",
                "visitor_id", "distinct_id", "user_pseudo_id", "shopper_id", "patron", "player_id", "player", "device_id", "guest", "guest_id",
                "traveler", "traveler_id", "traveller", "traveller_id", "passenger", "passenger_id",
                "install_id", "客户id", "客户编号", "会员编号", "会员id", "用户id", "用户",
                "reviewer_id", "reviewer", "顾客id", "买家id", "买家会员名", "会员名", "会员手机号", "会员手机", "买家手机号", "会员卡号", "卡号", "会员号", "kunde", "kundennummer", "kundennr", "kunden_id"),
    "item_id": ("item_id", "item", "sku", "product_id", "product", "article", "stockcode",
                "movie_id", "part", "part_number", "material", "asin", "商品编码", "商品id", "商品编号", "货号", "产品编码", "菜品编码", "菜品编号", "菜品id", "artikel", "artikelnummer", "artikelnr"),
    "order_id": ("order_id", "order_no", "order_number", "invoice", "invoice_no",
                 "basket_id", "basket_key",  # Dunnhumby's BASKET_ID
                 "transaction_id", "receipt", "订单号", "订单编号", "订单id", "单号", "原单号", "账单号", "bestellnummer", "bestellung", "bestellnr", "auftragsnummer"),
    "session_id": ("session_id", "session", "visit_id", "会话id"),
    "ticket_id": ("ticket_id", "ticket", "case_id", "工单号", "工单编号", "チケットid", "チケット番号",
                  "問い合わせ番号", "お問い合わせ番号", "티켓id", "티켓번호"),
    "timestamp": ("timestamp", "time", "date", "datetime", "order_date", "created_at",
                  "created", "event_time", "ts", "invoice_date", "occurred_at", "opened",
                  "opened_at", "submitted_at", "received_at", "sent_at", "logged_at", "下单时间", "结账时间", "时间", "日期",
                  "创建时间", "订单创建时间", "datum", "bestelldatum", "zeitpunkt",
                  "作成日時", "作成日", "受付日時", "建立時間", "생성일", "생성일시", "접수일시"),
    "signup_at": ("signup_at", "signup", "registered", "registered_at", "register_date",
                  "registration", "registration_date", "registration_time",
                  "join_date", "joined", "created_at", "created", "first_seen", "first_touch",
                  "first_touch_timestamp", "install_date", "installed_at", "install_time",
                  "first_open", "first_open_time", "注册时间", "注册日期"),
    "churned": ("churned", "churn", "is_churned", "has_churned", "churn_flag", "churn_label",
                "exited", "attrition", "attrited", "left_company"),  # a yes/no churn label
    "first_reply_at": ("first_reply_at", "first_response_at", "first_reply", "first_response",
                       "first_reply_time", "first_response_time", "initial_response_time",
                       "initial_response", "first_agent_reply_date", "first_agent_reply",
                       "first_responded_at", "first_replied_at"),
    "resolved_at": ("resolved_at", "resolved", "closed_at", "closed", "solved_at", "solved", "close_date",
                    "closed_date", "date_closed", "closed_on", "close_time", "time_closed", "solved_date",
                    "date_solved", "resolution_date", "resolved_date", "date_resolved", "解决时间", "关闭时间",
                    "解決日時", "解決日", "完了日時", "クローズ日時", "解決時間", "해결일", "해결일시", "종료일시"),
    "event": ("event", "event_type", "event_name", "action", "activity", "behavior", "type", "事件", "行为", "行为类型"),
    "amount": ("amount", "total", "value", "revenue", "sales", "paid", "payment", "subtotal",
               "sales_value",
               "grand_total", "net_sales", "amount_due", "amount_paid", "total_price", "total_amount", "金额",
               "实付金额", "订单金额", "买家实际支付金额", "实付款", "实收款", "实收金额", "总价", "销售额", "betrag", "umsatz", "gesamtbetrag"),
    "quantity": ("quantity", "qty", "units", "count", "number", "数量", "件数", "销量", "宝贝数量", "购买数量", "menge",
                 "anzahl", "stückzahl"),
    "price": ("price", "unit_price", "msrp", "list_price", "单价", "价格", "售价", "preis",
              "einzelpreis", "stückpreis"),
    "promo": ("promo", "promotion", "on_promotion", "onpromotion", "促销"),
    "store": ("store", "shop", "store_id", "mall", "branch", "outlet", "门店", "店铺", "filiale"),
    "delivered_at": ("delivered_at", "delivery_date", "delivered_date", "date_delivered",
                     "order_delivered_customer_date", "actual_delivery_date", "delivered_on",
                     "签收时间", "送达时间", "lieferdatum"),
    "promised_at": ("promised_at", "promised_date", "promised_delivery_date", "due_date",
                    "estimated_delivery_date", "order_estimated_delivery_date",
                    "expected_delivery_date", "预计送达时间"),
    "delivery_days": ("delivery_days", "days_for_shipping_real", "shipping_days",
                      "actual_delivery_days", "days_to_deliver", "lead_time_actual"),
    "promised_days": ("promised_days", "days_for_shipment_scheduled", "scheduled_days",
                      "scheduled_delivery_days", "promised_delivery_days"),
    "ship_mode": ("ship_mode", "shipping_mode", "shipping_method", "ship_via", "shipment_mode",
                  "delivery_method", "配送方式", "versandart"),
    "order_status": ("order_status", "订单状态", "bestellstatus"),
    "title": ("title", "name", "product_name", "item_name", "商品名称", "名称", "标题", "宝贝标题", "商品标题",
              "bezeichnung", "artikelname"),
    "category": ("category", "genre", "类目", "品类", "分类", "类别", "kategorie", "warengruppe"),
    "description": ("description", "details", "描述", "详情"),
    "brand": ("brand", "品牌"),
    "on_hand": ("on_hand", "stock", "inventory", "in_stock", "qty_on_hand", "stock_on_hand",
                "stock_level", "available", "qty_available", "库存", "库存量", "bestand",
                "lagerbestand"),
    "on_order": ("on_order", "qty_on_order", "on_order_qty", "在途"),
    "lead_time_days": ("lead_time_days", "lead_time", "交货期", "提前期", "lieferzeit"),
    "unit_cost": ("unit_cost", "cost", "成本", "单位成本"),
    "order_cost": ("order_cost", "ordering_cost", "订货成本"),
    "holding_rate": ("holding_rate", "持有成本率"),
    "service_level": ("service_level", "服务水平"),
    "text": ("text", "message", "body", "content", "review", "comment", "description",
             "instruction", "utterance", "query", "question", "prompt", "customer_message",
             "user_message", "内容", "留言", "评论", "消息", "文本", "review_text",
             "顾客评价", "用户评价", "买家评价", "评价内容", "评论内容", "説明", "本文", "問い合わせ内容",
             "お問い合わせ内容", "メッセージ", "コメント", "내용", "본문", "메시지"),
    "channel": ("channel", "source", "via", "medium", "渠道", "来源"),
    "landing_url": ("landing_url", "landing_site", "landing_page", "landing_page_url"),
    "language": ("language", "lang", "locale", "语言"),
    "intent": ("intent", "topic", "category", "label", "reason", "类别", "主题", "意图", "问题类型"),
    "sentiment": ("sentiment", "polarity", "rating", "stars", "csat", "satisfaction",
                  "satisfaction_rating", "satisfaction_score", "满意度", "评价", "情感倾向", "情感", "情绪", "评分",
                  "満足度", "評価", "滿意度", "만족도", "평점"),
    "answer": ("answer", "a", "reply", "response", "solution", "回答", "答案", "回复", "antwort"),
    "question": ("question", "q", "query", "instruction", "utterance", "prompt", "问题", "frage"),
    "period": ("period", "month", "date", "quarter", "year", "week", "week_ending", "week_end",
               "week_start", "week_of", "day", "期间", "月份", "日期", "周", "monat", "woche",
               "datum", "quartal", "jahr"),
    "company": ("company", "competitor", "brand", "firm", "manufacturer", "maker", "vendor",
                "player", "retailer", "seller", "merchant", "retailer_name", "seller_name", "厂商", "厂家", "公司", "品牌", "竞品", "anbieter", "hersteller",
                "wettbewerber", "firma", "unternehmen", "händler"),
    "sales": ("sales", "revenue", "dollars", "dollar_sales", "sales_dollars", "value_sales",
              "sales_value", "units_sold", "unit_sales", "volume_sales", "units", "bought_past_month",
              "bought", "销售额", "销量", "收入", "umsatz", "absatz"),
    "users": ("users", "customers", "active_users", "用户数"),
    "share": ("share", "market_share", "份额", "市场份额", "marktanteil"),
    "marketing_spend": ("marketing_spend", "marketing", "ad_spend", "spend", "营销费用",
                        "广告费", "werbeausgaben", "marketingausgaben"),
    "segment": ("segment", "tier", "细分"),
}  # fmt: skip
STAND_INS: dict[str, tuple[str, ...]] = {
    "user_id": ("email", "e_mail", "email_address", "customer_email", "buyer_email", "邮箱",
                "电子邮件", "billing_email", "billing_email_address", "billing_e_mail",
                "customer_email_address", "买家昵称"),  # a WeChat nickname (微信用户1234): not unique
    "item_id": ("dept", "department", "dept_id", "department_id", "abteilung", "宝贝标题",
                "商品标题", "商品名称", "菜品名称", "菜品", "菜名"),
}  # fmt: skip
"""Names that stand in for a contract column when nothing better is there: a shop whose
customer key is the e-mail (Shopify), sales by department (Walmart's Store x Dept). They score
0.7, below every synonym, so a ``customer_id`` or a ``sku`` column beside them wins. A
marketplace order export without an item code (Taobao's ``宝贝标题``) is keyed by the title, a
restaurant's POS export (``菜品名称``) by the dish."""
STAR_NAMES = ("score", "review_score", "review_rating", "star_rating", "stars_given", "nota",
              "nota_avaliacao", "note", "bewertung", "sterne")  # fmt: skip
"""A review's score (Olist's ``review_score``, a Portuguese ``nota``, a French ``note``, a German
``Bewertung``): the tickets' sentiment only when its values are whole stars 1-5 (``opsai init``
checks them), never a score of another scale or a free-text note."""
TABLE_SYNONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("demand", "quantity"): ("sales", "weekly_sales", "daily_sales", "unit_sales", "units_sold",
                             "sold", "absatz"),
    ("tickets", "user_id"): ("买家昵称",  # a chat log's only customer key (千牛)
                             # HubSpot's Associated Contact (an e-mail), a requester's e-mail
                             "contact", "associated_contact", "contact_email", "requester_email"),
    ("demand", "forecast"): ("forecast", "demand_forecast", "fcst", "forecast_units",
                             "planned_demand", "预测", "预测销量", "prognose"),  # your own forecast
    ("demand", "competitor_price"): ("competitor_price", "competitor_pricing", "comp_price",
                                     "competitor_prices", "rival_price", "wettbewerbspreis",
                                     "konkurrenzpreis", "竞品价格", "竞争对手价格"),
    ("tickets", "ticket_id"): ("tweet_id",),  # TWCS: a thread's opening tweet is the ticket
    ("tickets", "sentiment"): (*STAR_NAMES, "overall"),  # Amazon reviews' stars
}  # fmt: skip
"""Synonyms for one table's column only: demand has no amount, so its ``sales`` (units or
money, as Walmart's ``Weekly_Sales``) is the quantity it forecasts."""
CONVERSATION_WORDS = ("conversation", "chat", "dialog", "dialogue", "thread", "ticket", "case",
                      "session", "会话", "对话", "聊天", "工单")  # fmt: skip
"""Words of a chat log's conversation column (``conversation_id``, ``会话ID``, Zendesk's
``ticket_id`` on a comments export), best first: its values repeat, one row per message."""
SENDER_WORDS = ("sender", "author", "role", "from", "speaker", "who", "by", "type", "发送方",
                "发送者", "发言人", "角色", "身份")  # fmt: skip
"""Words of the column saying who wrote a message (``发送方``, ``role``, ``author.type``)."""
CUSTOMER_SENDERS = ("customer", "user", "end_user", "enduser", "buyer", "client", "visitor",
                    "requester", "contact", "lead", "guest", "shopper", "consumer", "member",
                    "买家", "顾客", "客户", "用户", "访客", "会员")  # fmt: skip
"""A chat log's sender values that mark the customer's messages (Intercom's ``user``,
Zendesk's ``end-user``, Qianniu's ``买家``)."""
STAFF_SENDERS = ("agent", "admin", "staff", "operator", "support", "seller", "merchant", "shop",
                 "store", "teammate", "rep", "employee", "human", "human_agent", "客服", "卖家",
                 "商家", "店家", "店铺", "人工客服", "人工")  # fmt: skip
"""Sender values that mark a human staff reply (``admin``, ``agent``, ``客服``)."""
FILE_NAMES: dict[str, tuple[str, ...]] = {
    "users": ("users", "customers", "members", "客户", "会员", "用户"),
    "events": ("events", "clicks", "behaviour", "behavior", "ratings", "行为", "日志"),
    "orders": ("orders", "orders_export", "transactions", "sales", "invoices", "订单",
               "bestellungen"),
    "demand": ("demand", "daily_sales", "需求"),
    "items": ("items", "products", "products_export", "catalog", "catalogue", "parts",
              "parts_master", "商品", "产品", "artikel"),
    "inventory": ("inventory", "stock", "stock_on_hand", "on_hand", "库存"),
    "tickets": ("tickets", "messages", "support", "reviews", "工单", "评论", "客服"),
    "kb": ("kb", "faq", "answers", "知识库"),
    "market": ("market", "competitors", "competitor_prices", "price_scrape", "市场", "竞品"),
}  # fmt: skip
"""File (or sheet) names that add 1 to a table's score."""


ACTION_VALUES = frozenset(
    ("pv", "click", "clicks", "view", "views", "buy", "cart", "fav", "favorite", "favourite",
     "like", "share", "search", "wishlist", "rate", "review", "login", "signup", "play",
     "install", "open", "impression", "addtocart", "removefromcart", "checkout", "purchase",
     "transaction", "浏览", "点击", "收藏", "加购", "购买", "下单")
)  # fmt: skip
"""Folded values of an event column (Taobao's ``pv``/``buy``/``cart``/``fav``, RetailRocket's
``view``/``addtocart``/``transaction``): a header-less file's column holding mostly these is its
``event``."""


STAND_IN = 0.7
"""The score of a :data:`STAND_INS` name (and of an order number found by its values)."""
_ID_WORDS = {"id", "no", "nr", "num", "number", "code", "key", "ref", "reference"}
PRODUCT_KEY = 0.75
"""The score of an item key named by a product word first and an id word last (DataCo's
``Product Card Id``): above a stand-in (``Department Id``), below an id form (``product_code``)."""
_ITEM_WORDS = {"item", "product", "article", "part", "material", "sku", "artikel"}
_GROUP_WORDS = {"category", "categories", "group", "type", "class", "family", "department",
                "dept", "brand", "line", "segment", "division", "genre", "kategorie"}  # fmt: skip
"""Words of a grouping of products (``Product Category Id``): no product's own key."""
_TIMES = {"timestamp", "signup_at", "resolved_at", "period"}
_MEASURES = {"amount", "price", "quantity", "sales", "unit_cost", "on_hand", "marketing_spend"}
"""Numbers that are summed or averaged: never a column whose name holds a key word."""
_KEY_WORDS = {"id", "no", "nr", "code", "key", "ref"}
"""Words of a code (``sales_channel_id``, ``product_type_no``): a part-name match for a measure
is refused."""
_RANK_WORDS = {"rank", "ranking", "rk", "position", "bsr"}
"""Words of a rank (Keepa's ``SALES_rank``): lower is better, so never a measure."""
_COUNT_WORDS = {"bought", "sold", "sales", "units", "count", "qty", "quantity", "orders",
                "purchases", "views", "clicks", "revenue"}  # fmt: skip
"""Words of a count over a time window (Amazon's ``bought_past_month``): never a time."""
_PAYABLE = {"amount", "price", "sales"}
_COMPONENTS = {"freight", "shipping", "shipment", "postage", "delivery", "carriage", "tax", "taxes",
               "vat", "gst", "fee", "fees", "commission", "discount", "discounts", "voucher",
               "coupon", "tip", "tips", "installment", "installments", "instalments", "deposit"}  # fmt: skip
"""Words of a part of an order's value (``freight_value``, ``tax_amount``, Olist's
``payment_installments``): a part-name match for the amount or the price is refused, so an
exact ``price`` beside it is the line's value."""
CURRENCY_CODES = frozenset(
    ("usd", "eur", "gbp", "jpy", "cny", "rmb", "cad", "aud", "nzd", "chf", "sek", "nok", "dkk",
     "pln", "czk", "huf", "ron", "try", "rub", "uah", "inr", "idr", "myr", "sgd", "hkd", "twd",
     "krw", "thb", "php", "vnd", "brl", "mxn", "ars", "clp", "cop", "pen", "zar", "ngn", "kes",
     "egp", "aed", "sar", "ils")
)  # fmt: skip
"""ISO 4217 codes a money column's name may carry (Google Play's ``price_usd``, RevenueCat's
``revenue_usd``, ``amount_eur``): read without them, the rest of the name says the column."""
_MONEY = {"amount", "price", "sales", "unit_cost", "order_cost", "marketing_spend"}
_TIME_WORDS = {"at", "date", "time", "datetime", "timestamp", "ts", "day", "on"}
_DURATION_WORDS = {"days", "hours", "minutes", "mins", "seconds", "secs", "weeks", "months"}
"""Words of a duration (KKBox's ``payment_plan_days``, ``total_secs``): never money."""


_BOOKKEEPING = {"deleted", "updated", "modified", "loaded", "synced", "ingested", "inserted",
                "expires", "expiry", "expired", "valid", "etl", "dbt", "fivetran", "airbyte",
                "batch", "exported", "archived"}  # fmt: skip
"""Words of a time column that records the export's own bookkeeping, never a business event."""
_TABLE_PREFIXES = re.compile(r"^(?:fct|fact|dim|stg|raw|tbl|export)_+", re.IGNORECASE)


def bookkeeping(name: str) -> bool:
    """A column like ``deleted_at``, ``_dbt_loaded_at`` or ``valid_to``: a row's history in the
    warehouse, not when the customer did something."""
    return bool(set(name_words(name)) & _BOOKKEEPING)


def file_stem(name: str) -> str:
    """A file or sheet name folded for :data:`FILE_NAMES`, without its suffixes and without a
    warehouse prefix (``fct_orders.parquet`` -> ``orders``, ``dim_customers`` -> ``customers``)."""
    return fold(_TABLE_PREFIXES.sub("", re.sub(r"(\.\w+)+$", "", name)))


def fold(name: object) -> str:
    """A name folded for matching: NFKC, lower case, no spaces or punctuation (CJK kept)."""
    return _fold(str(name))


@functools.lru_cache(maxsize=1 << 16)  # init folds the same few hundred names many times
def _fold(name: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", name).lower())


def name_words(name: str) -> list[str]:
    """A column or event name's words, lower-cased: split at ``_``, spaces, punctuation and
    camel case (``OnHandDollars`` -> on, hand, dollars; ``isActive`` -> is, active)."""
    return list(_name_words(name))


@functools.lru_cache(maxsize=1 << 16)
def _name_words(name: str) -> tuple[str, ...]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", unicodedata.normalize("NFKC", name))
    return tuple(w for w in re.split(r"[\W_]+", spaced.lower()) if w)


_QUALIFIED = re.compile(r"\s*(\S.*?)\s*[(\[][^()\[\]]*[)\]]\s*")
"""A name with a bracketed qualifier after it (DataCo's ``order date (DateOrders)``, ``Date
(UTC)``): as a time, the name is read without it, so a word there (``Orders``) is no count."""


_HEADLINE_WORDS = {"title", "subject", "headline", "heading", "summary"}
"""Words of a text's headline (Trustpilot's ``Review Title`` beside ``Review Content``): a
column named by one is never the ticket text by part of its name."""


def _product_key(words: list[str]) -> bool:
    """``Product Card Id``, ``Article Variant Code``: a product's key, not an order line's
    (``Order Item Id`` starts with the order) nor a group's (``Product Category Id``)."""
    return (
        len(words) > 2
        and words[0] in _ITEM_WORDS
        and words[-1] in _ID_WORDS
        and not set(words) & _GROUP_WORDS
    )


@functools.lru_cache(maxsize=1 << 16)  # init scores every column against every contract
def name_score(name: str, contract: str, table: Table) -> float:
    """How well a column name says ``contract``: 1.0 a synonym, 0.8 ``id`` on the table's key
    or an id synonym with another id word (``cust_no``), 0.7 a stand-in (:data:`STAND_INS`),
    0.6 a synonym that is a word (or, in CJK, a part) of the name (words split at ``_``,
    spaces and camel case: ``Weekly_Sales``, ``OnHandDollars``), else 0. A measure never takes a
    part-name match from a code (``sales_channel_id``), nor the amount or price from a part of
    the order's value (``freight_value``, ``tax_amount``)."""
    if contract in _TIMES and bookkeeping(name):
        return 0.0
    head = _QUALIFIED.fullmatch(name)
    if contract in _TIMES and head:  # order date (DateOrders): the qualifier is no count
        return name_score(head.group(1), contract, table)
    coded = name_words(name)
    if contract in _MONEY and len(coded) > 1 and set(coded) & CURRENCY_CODES:
        bare = [w for w in coded if w not in CURRENCY_CODES]
        if bare:  # price_usd, revenue_usd, amount_eur: the money named with its currency
            return name_score("_".join(bare), contract, table)
    f = fold(name)
    syn = SYNONYMS.get(contract, (contract,)) + TABLE_SYNONYMS.get((table.name, contract), ())
    if f in {fold(s) for s in syn} or f == fold(contract):
        return 1.0
    if f in {fold(s) for s in STAND_INS.get(contract, ())}:
        return STAND_IN
    if f == "id" and contract == (table.key or ("order_id" if table.name == "orders" else "")):
        return 0.8
    words = set(name_words(name))
    core = words - _ID_WORDS
    if (
        contract.endswith("_id")
        and core
        and any(set(name_words(s)) - _ID_WORDS == core for s in syn)
    ):
        return 0.8  # the same name with another id word: cust_no, product_code, MemberNr
    if (
        contract in ("timestamp", "period")
        and len(words) > 1
        and name_words(name)[-1] in _TIME_WORDS
    ):
        return 0.6  # occurred_at, purchase_date, event_time: a time by its last word
    if contract.endswith("_id") and name_words(name)[-1] in _TIME_WORDS - {"on"}:
        return 0.0  # order_delivered_customer_date: a time, not the customer
    if contract == "text" and words & _HEADLINE_WORDS:
        return 0.0  # Review Title, review_comment_title: the headline, not the message
    if contract in _MEASURES and words & _RANK_WORDS:
        return 0.0  # SALES_rank, bestseller_rank: lower is better, no sales figure
    if contract in _TIMES and words & _COUNT_WORDS:
        return 0.0  # bought_past_month, sales_last_30_days: a count over a time, not a time
    if contract in _MEASURES and words & (
        _KEY_WORDS | (_COMPONENTS | _DURATION_WORDS if contract in _PAYABLE else set())
    ):
        return 0.0  # sales_channel_id, freight_value, payment_plan_days: no line's value
    if contract == "item_id" and _product_key(name_words(name)):
        return PRODUCT_KEY  # Product Card Id: above Department Id, a stand-in
    for s in syn:
        sw = name_words(s)
        cjk = not s.isascii() and len(s) >= 2
        if (len(words) > 1 and set(sw) <= words) or (cjk and fold(s) in f):
            return 0.6
    return 0.0


NON_PRODUCTS = ("POST", "DOT", "M", "B", "C2", "BANK CHARGES", "AMAZONFEE", "CRUK", "D", "S")
"""Item codes of the UCI Online Retail export that are no product: postage (POST, DOT), manual
adjustments (M), bad debt (B), carriage (C2), bank and Amazon fees, charity (CRUK), discounts
(D) and samples (S). ``opsai init`` names them in a note; the data overview calls their
negative lines adjustments, not refunds."""
