"""The data contract: the only place that names opsai's tables and columns.

Every chapter reads these constants instead of spelling column names, and functions take
``col_*`` overrides that default to them (as in microsoft/recommenders' ``constants.py``).

Example:
    >>> from opsai.data import schema
    >>> schema.TABLES["orders"].required
    ('user_id', 'timestamp', 'amount')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# ---- column names --------------------------------------------------------------------------
USER_ID = "user_id"
ITEM_ID = "item_id"
ORDER_ID = "order_id"
SESSION_ID = "session_id"
TICKET_ID = "ticket_id"
TIMESTAMP = "timestamp"
SIGNUP_AT = "signup_at"
CHURNED = "churned"
RESOLVED_AT = "resolved_at"
FIRST_REPLY_AT = "first_reply_at"
ABANDONED = "abandoned"
WAIT_SECONDS = "wait_seconds"
HOLD_SECONDS = "hold_seconds"
EVENT = "event"
AMOUNT = "amount"
QUANTITY = "quantity"
PRICE = "price"
PROMO = "promo"
EVENT_DAY = "event_day"
FORECAST = "forecast"
COMPETITOR_PRICE = "competitor_price"
STORE = "store"
TITLE = "title"
CATEGORY = "category"
DESCRIPTION = "description"
BRAND = "brand"
ON_HAND = "on_hand"
ON_ORDER = "on_order"
LEAD_TIME_DAYS = "lead_time_days"
UNIT_COST = "unit_cost"
ORDER_COST = "order_cost"
HOLDING_RATE = "holding_rate"
SERVICE_LEVEL = "service_level"
TEXT = "text"
CHANNEL = "channel"
LANGUAGE = "language"
INTENT = "intent"
SENTIMENT = "sentiment"
ANSWER = "answer"
QUESTION = "question"
PERIOD = "period"
COMPANY = "company"
SALES = "sales"
USERS = "users"
SHARE = "share"
MARKETING_SPEND = "marketing_spend"
SEGMENT = "segment"
CAMPAIGN = "campaign"
START = "start"
END = "end"
TYPE = "type"
SPEND = "spend"
IMPRESSIONS = "impressions"
CLICKS = "clicks"
CONVERSIONS = "conversions"
CONVERSION_VALUE = "conversion_value"
UTM_SOURCE = "utm_source"
UTM_MEDIUM = "utm_medium"
UTM_CAMPAIGN = "utm_campaign"
LANDING_URL = "landing_url"
DELIVERED_AT = "delivered_at"
PROMISED_AT = "promised_at"
DELIVERY_DAYS = "delivery_days"
PROMISED_DAYS = "promised_days"
SHIP_MODE = "ship_mode"
ORDER_STATUS = "order_status"

NO_CUSTOMER_COLUMN = (
    "orders has no customer id column: every order is a guest order; segments, churn, lifetime "
    "value and recommendations from orders need customer ids (03a and 03b still use events, if "
    "there are any)"
)
"""What validation says of ``orders`` without a ``user_id`` column (a till or marketplace payout
export)."""

NO_TIME_COLUMN = (
    "events has no timestamp column: an interaction matrix without times (user, item, plays or "
    "a rating). 03b recommends from it with its stratified split (SPLIT: time needs times); the "
    "chapters that need time skip it: the overview's activity and trends, 03a and 04"
)
"""What validation says of ``events`` without a ``timestamp`` column (Last.fm's user, artist,
plays; Book-Crossing's ratings)."""

NO_TEXT_COLUMN = (
    "tickets has no text column: a telephony or ticket-metrics export. 05 still counts volume "
    "and spikes per intent (map the queue as intent), ratings, handle and resolution times and "
    "escalation; it skips what reads text: intent models, topics, sentiment from text, reply "
    "suggestion and complaint terms"
)
"""What validation says of ``tickets`` without a ``text`` column (a call centre's export:
queue, wait and talk seconds, CSAT)."""

TOOL_SENTIMENT = (
    "tickets.sentiment holds a listening tool's labels (sentiment_by: tool), computed from the "
    "text by the tool, not given by the customers: 05 and the scorecard call it the listening "
    "tool's sentiment, never a rating, and 05 measures how often opsai's own sentiment model "
    "agrees with it"
)
"""What validation says of ``tickets`` whose ``sentiment`` is a social-listening tool's
(Brandwatch's or Talkwalker's ``Sentiment``), as ``TableSpec.sentiment_by: tool`` declares."""

# Default event names used by the funnel; users map theirs in the chapter parameters.
DEFAULT_FUNNEL = ("visit", "view", "add_to_cart", "checkout", "purchase")
EVENT_ALIASES: dict[str, str] = {
    # other shops' names for the default event types (RetailRocket: addtocart, transaction;
    # GA4: session_start, view_item, begin_checkout), after canonical_event's folding
    "sessionstart": "visit",
    "session": "visit",
    "pageview": "view",
    "viewitem": "view",
    "cart": "addtocart",
    "addcart": "addtocart",
    "begincheckout": "checkout",
    "transaction": "purchase",
    "order": "purchase",
    "buy": "purchase",
    # Segment's e-commerce spec (also Amplitude's and Mixpanel's usual names), Shopify pixels
    "productviewed": "view",
    "viewproduct": "view",
    "productadded": "addtocart",
    "productaddedtocart": "addtocart",
    "addedtocart": "addtocart",
    "checkoutstarted": "checkout",
    "ordercompleted": "purchase",
    "orderplaced": "purchase",
    "checkoutcompleted": "purchase",
    "purchased": "purchase",
    # taking an item out of the cart (GA4 remove_from_cart, Segment's Product Removed)
    "productremoved": "removefromcart",
    "removedfromcart": "removefromcart",
    "removecart": "removefromcart",
    "cartremove": "removefromcart",
    "removefrombasket": "removefromcart",
}


def fold_name(name: object) -> str:
    """A name folded for matching: lower case, no spaces or punctuation (``Order-ID`` gives
    ``orderid``)."""
    import re

    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def canonical_event(name: object) -> str:
    """An event name folded for matching (:func:`fold_name`), common synonyms mapped
    (``Add to cart``, ``addtocart`` and ``cart`` all give ``addtocart``).

    Example:
        >>> canonical_event("Add-To-Cart"), canonical_event("transaction")
        ('addtocart', 'purchase')
    """
    key = fold_name(name)
    return EVENT_ALIASES.get(key, key)


FLAG_TRUE = ("true", "t", "yes", "y", "是")
"""Words a yes/no (``flag``) column reads as 1, compared in lower case after trimming."""
FLAG_FALSE = ("false", "f", "no", "n", "否")
"""Words a yes/no (``flag``) column reads as 0."""
NO_EVENT = ("0", "0.0", "none", *FLAG_FALSE)
"""Values of the demand table's ``event_day`` that mark an ordinary day (so does an empty one);
any other value marks an event or holiday."""

DType = Literal["id", "string", "timestamp", "float", "int", "period"]
"""Logical types: ``id`` is a string key (leading zeros kept), ``period`` a date or an int."""


@dataclass(frozen=True)
class Column:
    """One column of the contract."""

    name: str
    dtype: DType
    required: bool = False
    nonnegative: bool = False
    bounds: tuple[float, float] | None = None
    doc: str = ""
    may_be_empty: bool = False
    """A required column (it must be mapped) whose empty values mean something rather than
    a defect: an order's empty ``user_id`` is a guest order (a walk-in, a guest checkout). It
    loads as a missing value, is no validation error and ``drop_incomplete`` keeps its rows."""
    flag: bool = False
    """A yes/no column read as 1/0: besides numbers (``1``/``0``, ``1.0``), the words in
    :data:`FLAG_TRUE` and :data:`FLAG_FALSE` in any case (``True``/``False``, ``yes``/``no``,
    ``Y``/``N``, ``是``/``否``) and typed boolean columns (Parquet, DuckDB, PostgreSQL). An
    empty value stays missing, not 0: Favorita's ``onpromotion`` is empty where the export
    has no promotion record (the forecast reads a missing promo as none)."""
    absent: str = ""
    """When not empty, a required column the data may lack altogether (a till export has no
    customer column): unmapped, it loads as all-missing values of its type, and validation
    warns once with this text, which is also the reason a chapter needing the column is skipped
    (it names it in its ``requires``: ``orders.user_id``)."""


@dataclass(frozen=True)
class Table:
    """One table of the contract: its columns and, if any, the column that must be unique."""

    name: str
    columns: tuple[Column, ...]
    key: str | None = None
    doc: str = ""
    extra_columns: bool = True
    """Whether columns outside the contract are kept (as attributes/properties)."""
    derived: tuple[tuple[str, str, str], ...] = ()
    """``(column, a, b)``: when ``column`` is absent but ``a`` and ``b`` are there, it is
    ``a * b`` (an order line's amount from its quantity and unit price); with ``b`` empty it
    is ``a`` (demand measured in money: its quantity is its amount)."""
    group_key: str = ""
    """A column whose rows make up one record (an order's lines): an export may write the
    record's other fields on one of its rows only (see ``TableSpec.fill_down``)."""
    generated_key: str = ""
    """When not empty and the data has no (mapped) key column, the rows are numbered in file
    order with this prefix (``t000001``, ...) instead: exports of labelled texts often have
    no id."""

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def non_empty(self) -> tuple[str, ...]:
        """The required columns that may not be empty (``drop_incomplete`` drops such rows)."""
        return tuple(c.name for c in self.columns if c.required and not c.may_be_empty)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return name in self.names


def _c(name: str, dtype: DType, required: bool = False, **kw: object) -> Column:
    return Column(name, dtype, required, **kw)  # type: ignore[arg-type]


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "users",
            (
                _c(USER_ID, "id", True),
                _c(SIGNUP_AT, "timestamp"),
                _c(
                    CHURNED,
                    "int",
                    flag=True,
                    bounds=(0, 1),
                    doc="a churn label: 1/0, yes/no (Telco's Churn, a bank's Exited)",
                ),
            ),
            key=USER_ID,
            generated_key="u",  # a bookings file with an outcome label (is_canceled) has no id
            doc=(
                "One row per user; any other column is an attribute (age, region, channel, ...). "
                "Without a user_id the rows are numbered (a bookings file whose churned is an "
                "outcome label such as is_canceled)."
            ),
        ),
        Table(
            "events",
            (
                _c(USER_ID, "id", True),
                _c(
                    TIMESTAMP,
                    "timestamp",
                    True,
                    may_be_empty=True,
                    absent=NO_TIME_COLUMN,
                    doc="may be left unmapped when the data has no times (03b only)",
                ),
                _c(EVENT, "string", True),
                _c(SESSION_ID, "id"),
                _c(ITEM_ID, "id"),
            ),
            doc="Behaviour events, one row per event; other columns are properties.",
        ),
        Table(
            "orders",
            (
                _c(
                    USER_ID,
                    "id",
                    True,
                    may_be_empty=True,
                    absent=NO_CUSTOMER_COLUMN,
                    doc="empty for a guest order; may be left unmapped (every order a guest's)",
                ),
                _c(TIMESTAMP, "timestamp", True),
                _c(AMOUNT, "float", True, doc="order line value in one currency"),
                _c(ORDER_ID, "id"),
                _c(ITEM_ID, "id"),
                _c(QUANTITY, "float", doc="negative for returns (a warning, not an error)"),
                _c(PRICE, "float", doc="unit price; amount = quantity x price when absent"),
                _c(
                    UTM_SOURCE,
                    "string",
                    doc="the order's ad channel (google, facebook): its visit's utm_source",
                ),
                _c(UTM_MEDIUM, "string", doc="cpc, paid_social, email: its visit's utm_medium"),
                _c(
                    UTM_CAMPAIGN,
                    "string",
                    doc=(
                        "the ad campaign the order came from (its visit's utm_campaign): "
                        "matched to ad_spend.campaign, case and spaces aside"
                    ),
                ),
                _c(
                    LANDING_URL,
                    "string",
                    doc=(
                        "the order's landing page (Shopify's landing_site): its ?utm_source= "
                        "and &utm_campaign= are read where utm_source/utm_campaign are absent"
                    ),
                ),
                _c(DELIVERED_AT, "timestamp", doc="when the order reached the customer"),
                _c(
                    PROMISED_AT,
                    "timestamp",
                    doc="the delivery date promised or estimated (Olist's estimated date)",
                ),
                _c(
                    DELIVERY_DAYS,
                    "float",
                    nonnegative=True,
                    doc="days the delivery took, when given as a count (DataCo's real days)",
                ),
                _c(
                    PROMISED_DAYS,
                    "float",
                    nonnegative=True,
                    doc="days the delivery was scheduled to take (DataCo's scheduled days)",
                ),
                _c(SHIP_MODE, "string", doc="shipping mode or method (First Class, Same Day)"),
                _c(
                    ORDER_STATUS,
                    "string",
                    doc="the order's state; cancelled or fraud orders are no deliveries",
                ),
                _c(
                    STORE,
                    "id",
                    doc=(
                        "the store, mall or branch that sold the order: 00 gives sales per "
                        "store, 04 forecasts per item and store, 07 shows the store table"
                    ),
                ),
            ),
            derived=((AMOUNT, QUANTITY, PRICE),),
            group_key=ORDER_ID,
            doc=(
                "Order lines (or whole orders when there is no item_id). Without an amount "
                "column it is quantity x price. An empty user_id is a guest order: counted in "
                "revenue, orders and demand, left out of per-customer analyses. Without a user_id "
                "column every order is a guest order."
            ),
        ),
        Table(
            "returns",
            (
                _c(ORDER_ID, "id", True, doc="the order the refund is for"),
                _c(
                    AMOUNT,
                    "float",
                    doc=(
                        "money refunded (a partial refund is less); without it each listed "
                        "order (or its listed item) is returned in full"
                    ),
                ),
                _c(TIMESTAMP, "timestamp", doc="when refunded; the order's time when absent"),
                _c(ITEM_ID, "id"),
                _c(QUANTITY, "float", doc="units returned"),
                _c(USER_ID, "id", doc="the order's customer when absent"),
            ),
            doc=(
                "Returns and refunds, one row per refund: appended to orders as negative "
                "lines (matched to their order by order_id), then left out of the workspace. "
                "Without an amount (a list of returned orders) each order listed is returned "
                "in full: its lines become the refund."
            ),
        ),
        Table(
            "demand",
            (
                _c(ITEM_ID, "id", True),
                _c(TIMESTAMP, "timestamp", True),
                _c(QUANTITY, "float", True, nonnegative=True),
                _c(PRICE, "float", nonnegative=True),
                _c(PROMO, "float", flag=True, doc="1/0, True/False, yes/no, Y/N, 是/否"),
                _c(STORE, "id"),
                _c(
                    EVENT_DAY,
                    "string",
                    doc=(
                        "an event or holiday known in advance: any label (M5's event_name_1, "
                        "a state holiday 'a') or 1/yes; empty, 0 or no is an ordinary day. "
                        "Chapter 04's global models take it as a feature"
                    ),
                ),
                _c(
                    AMOUNT,
                    "float",
                    nonnegative=True,
                    doc=(
                        "sales value (money). Without a quantity (store turnover: Rossmann's "
                        "Sales) it is the demand measure: forecasts and headlines are in money"
                    ),
                ),
                _c(
                    FORECAST,
                    "float",
                    doc=(
                        "your own forecast of the row's demand, in the same measure (the Kaggle "
                        "retail file's Demand Forecast): chapter 04 scores it beside its models "
                        "on the same backtest windows"
                    ),
                ),
                _c(
                    COMPETITOR_PRICE,
                    "float",
                    nonnegative=True,
                    doc=(
                        "a competitor's price of the item on the row's day, in the money of "
                        "price (the Kaggle retail file's Competitor Pricing): chapter 04 "
                        "estimates the cross-price elasticity and its global models read it"
                    ),
                ),
            ),
            derived=((QUANTITY, AMOUNT, ""),),
            doc="Pre-aggregated sales series, for data without order lines.",
        ),
        Table(
            "calendar",
            (
                _c(TIMESTAMP, "timestamp", True, doc="the day"),
                _c(
                    EVENT_DAY,
                    "string",
                    True,
                    may_be_empty=True,
                    doc="any label or 1/yes: an event day; empty, 0 or no: an ordinary one",
                ),
                _c(STORE, "id", doc="the store the row holds for; empty: every store"),
            ),
            doc=(
                "Event days known in advance (holidays, promotions, M5's calendar.csv), past "
                "and coming: chapter 04's global models read them in the backtest and in the "
                "forecast beyond the data's last day."
            ),
        ),
        Table(
            "items",
            (
                _c(ITEM_ID, "id", True),
                _c(TITLE, "string"),
                _c(CATEGORY, "string"),
                _c(PRICE, "float", nonnegative=True),
                _c(DESCRIPTION, "string"),
                _c(BRAND, "string"),
            ),
            key=ITEM_ID,
            doc="The catalogue.",
        ),
        Table(
            "inventory",
            (
                _c(ITEM_ID, "id", True),
                _c(ON_HAND, "float", True, nonnegative=True),
                _c(ON_ORDER, "float", nonnegative=True),
                _c(LEAD_TIME_DAYS, "float", nonnegative=True),
                _c(UNIT_COST, "float", nonnegative=True),
                _c(ORDER_COST, "float", nonnegative=True),
                _c(HOLDING_RATE, "float", nonnegative=True),
                _c(SERVICE_LEVEL, "float", bounds=(0.0, 1.0)),
            ),
            key=ITEM_ID,
            doc="A stock snapshot per item.",
        ),
        Table(
            "tickets",
            (
                _c(TICKET_ID, "id", True),
                _c(TIMESTAMP, "timestamp"),
                _c(
                    TEXT,
                    "string",
                    True,
                    absent=NO_TEXT_COLUMN,
                    doc="may be left unmapped (a call centre's export): 05 skips what reads text",
                ),
                _c(USER_ID, "id"),
                _c(CHANNEL, "string"),
                _c(LANGUAGE, "string"),
                _c(INTENT, "string"),
                _c(SENTIMENT, "string"),
                _c(RESOLVED_AT, "timestamp"),
                _c(
                    FIRST_REPLY_AT,
                    "timestamp",
                    doc=(
                        "the first staff reply: a time, or a duration after the timestamp "
                        "(TableSpec.durations: Zendesk's reply_time_in_minutes.calendar)"
                    ),
                ),
                _c(ITEM_ID, "id"),
                _c(
                    ABANDONED,
                    "float",
                    flag=True,
                    doc="a call the customer hung up on in the queue: Y/N, 1/0",
                ),
                _c(
                    WAIT_SECONDS,
                    "float",
                    nonnegative=True,
                    doc="seconds the customer waited for an agent",
                ),
                _c(
                    HOLD_SECONDS,
                    "float",
                    nonnegative=True,
                    doc="seconds the agent put the customer on hold during the call",
                ),
            ),
            key=TICKET_ID,
            generated_key="t",
            doc=(
                "Customer-service tickets (or chat messages, or product reviews). Without a "
                "ticket_id the rows are numbered; without a timestamp the analytics over time "
                "are skipped; an item_id (a review's product) gives the per-product sentiment."
            ),
        ),
        Table(
            "kb",
            (
                _c(ANSWER, "string", True),
                _c(INTENT, "string"),
                _c(QUESTION, "string"),
                _c(LANGUAGE, "string"),
            ),
            doc="Knowledge-base answers used for reply suggestion.",
        ),
        Table(
            "market",
            (
                _c(PERIOD, "period", True),
                _c(COMPANY, "string", True),
                _c(SALES, "float", True, nonnegative=True),
                _c(USERS, "float", nonnegative=True),
                _c(PRICE, "float", nonnegative=True),
                _c(SHARE, "float", bounds=(0.0, 1.0)),
                _c(MARKETING_SPEND, "float", nonnegative=True),
                _c(SEGMENT, "string"),
            ),
            doc="Market figures per period and company (us and competitors).",
        ),
        Table(
            "campaigns",
            (
                _c(USER_ID, "id", True, doc="a customer the campaign targeted"),
                _c(CAMPAIGN, "id", True),
                _c(START, "timestamp", True, doc="the campaign's first day"),
                _c(END, "timestamp", True, doc="its last day (included)"),
                _c(TYPE, "string", doc="a kind of campaign (Dunnhumby's TypeA, a channel)"),
                _c(DESCRIPTION, "string"),
            ),
            doc=(
                "Campaign targeting: one row per customer and campaign (a customer in three "
                "campaigns is three rows). start and end often live in a second file keyed by "
                "campaign: bring them with join. Chapter 03a measures each campaign's uplift."
            ),
        ),
        Table(
            "ad_spend",
            (
                _c(TIMESTAMP, "timestamp", True, doc="the day (a report's Day, Reporting starts)"),
                _c(CAMPAIGN, "string", True, doc="the campaign's name, as utm_campaign names it"),
                _c(SPEND, "float", True, nonnegative=True, doc="cost in the config's currency"),
                _c(
                    CHANNEL,
                    "string",
                    doc="the platform or channel (google, facebook); empty: one channel",
                ),
                _c(IMPRESSIONS, "float", nonnegative=True),
                _c(CLICKS, "float", nonnegative=True, doc="clicks (Meta: link clicks)"),
                _c(
                    CONVERSIONS,
                    "float",
                    nonnegative=True,
                    doc="the platform's own count (Google's Conversions, Meta's Results)",
                ),
                _c(
                    CONVERSION_VALUE,
                    "float",
                    nonnegative=True,
                    doc="the platform's value of those conversions (Conv. value)",
                ),
            ),
            doc=(
                "Ad spend per campaign and day (Google Ads' Campaign report, Meta's Ads "
                "Manager export). Chapter 03a reads each campaign's cost, clicks and the "
                "platform's conversions against the orders whose utm_campaign names it: "
                "return on ad spend, cost per order and per new customer."
            ),
        ),
    )
}

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)

# Which tables reference users/items, for orphan-id warnings.
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "events": ((USER_ID, "users"), (ITEM_ID, "items")),
    "orders": ((USER_ID, "users"), (ITEM_ID, "items")),
    "demand": ((ITEM_ID, "items"),),
    "inventory": ((ITEM_ID, "items"),),
    "tickets": ((USER_ID, "users"), (ITEM_ID, "items")),
    # against the buyers whose spend the uplift measures (a users file may be partial)
    "campaigns": ((USER_ID, "orders"),),
}
