"""Configuration: YAML -> typed, validated objects, and the project's paths.

A config maps a user's files and column names onto the data contract
(:mod:`opsai.data.schema`) and sets the report's chapters and their parameters.

Example:
    >>> cfg = load_config("configs/demo.yaml")          # doctest: +SKIP
    >>> cfg.data.tables["orders"].columns              # doctest: +SKIP
    {'user_id': 'customer_id', 'amount': 'value'}
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from opsai.data.schema import TABLES
from opsai.errors import ConfigError

# ---- paths (cookiecutter-data-science style: one place) -----------------------------------
PROJ_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
TEMPLATES_DIR = PROJ_ROOT / "templates"
REPORTS_DIR = PROJ_ROOT / "reports"
CONFIGS_DIR = PROJ_ROOT / "configs"


def cache_dir() -> Path:
    """Where fetched public datasets are cached (``OPSAI_CACHE`` or ``~/.cache/opsai``)."""
    return Path(os.environ.get("OPSAI_CACHE") or Path.home() / ".cache" / "opsai")


SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""


def is_sqlite_file(path: Path) -> bool:
    """Whether ``path`` is a SQLite database file (by its header, whatever its suffix)."""
    try:
        with path.open("rb") as f:
            return f.read(16) == SQLITE_HEADER
    except OSError:  # missing, a folder, unreadable
        return False


def known_zone(v: str | None) -> str | None:
    """``v`` when it names an IANA time zone (``Asia/Shanghai``); else a ValueError that says
    how to write one. ``None`` passes."""
    if v is None:
        return v
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(v)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        import difflib

        zones = sorted(zoneinfo.available_timezones())
        near = difflib.get_close_matches(v, zones, n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise ValueError(
            f"unknown time zone {v!r}{hint}; write an IANA name such as 'Asia/Shanghai', "
            "'Europe/Berlin', 'America/New_York' or 'UTC'"
        ) from None
    return v


PARTS_SEP = " + "
"""How a ``columns`` entry that lists several columns (``[transaction_date,
transaction_time]``) is kept: the names joined by it (``'transaction_date +
transaction_time'``), the name the joined column has while a table is read."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Unpivot(_Strict):
    """A wide table (one column per competitor, month or store) turned into long rows before
    it is mapped: ``Monat, Alpenmarkt AG, Nordlicht GmbH`` becomes ``Monat, company, share``
    with one row per month and competitor (rows whose value is empty are left out)."""

    names_to: str
    """Name of the new column holding the wide columns' names (``company``)."""
    values_to: str
    """Name of the new column holding their values (``share``)."""
    columns: list[str] | None = None
    """The wide columns to turn into rows; every other column is kept as it is."""
    keep: list[str] | None = None
    """Or: the columns kept as they are (``[Monat]``); every other column is turned into rows."""

    @model_validator(mode="after")
    def _one_list(self) -> Unpivot:
        if (self.columns is None) == (self.keep is None):
            raise ValueError(
                "set exactly one of columns (the wide columns to turn into rows) or keep "
                "(the columns kept as they are, e.g. [Monat])"
            )
        if self.columns == []:
            raise ValueError("columns is empty: list the wide columns to turn into rows")
        if self.names_to == self.values_to:
            raise ValueError(f"names_to and values_to are both {self.names_to!r}")
        return self


class Pivot(_Strict):
    """Key-value rows (one row per item, property and snapshot: Retail Rocket's
    ``item_properties.csv`` with ``timestamp, itemid, property, value``) turned into one row
    per id with one column per key before the table is mapped, the mirror of
    :class:`Unpivot`. The id is the column mapped to the table's key (``item_id`` for items);
    each key's column holds its latest value (by ``latest_by``, else the last row); other
    columns are left out."""

    key: str
    """The column naming the property (``property``); its values become column names."""
    value: str
    """The column holding the property's value (``value``)."""
    latest_by: str | None = None
    """The column ordering an id's rows (a snapshot's time: numbers, timestamps or text in
    ``timestamp_format``); the latest row of each key wins. Default: the last row in the
    file (a database table, whose rows have no order, needs it when a key repeats)."""
    keys: list[str] | None = None
    """Only these keys become columns (``[categoryid, available, '790']``). Default: every
    key, at most 100 of them."""
    names: dict[str, str] = Field(default_factory=dict)
    """Key -> the name of its column (``{'790': price}``); other keys keep their own."""

    @field_validator("keys", mode="before")
    @classmethod
    def _keys_text(cls, v: Any) -> Any:
        """Keys as text (YAML reads ``[790]`` as a number); one key alone is a list of one."""
        if v is None:
            return v
        out = [str(x).strip() for x in (v if isinstance(v, list) else [v])]
        if not out or any(not x for x in out):
            raise ValueError("list the keys that become columns, e.g. [categoryid, '790']")
        return out

    @field_validator("names", mode="before")
    @classmethod
    def _names_text(cls, v: Any) -> Any:
        return {str(k).strip(): str(x) for k, x in v.items()} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _distinct(self) -> Pivot:
        cols = [self.key, self.value, *([self.latest_by] if self.latest_by else [])]
        if len(set(cols)) < len(cols):
            raise ValueError("key, value and latest_by must name different columns")
        new = list(self.names.values())
        twice = sorted({n for n in new if new.count(n) > 1})
        if twice:
            raise ValueError(f"names gives several keys the column name {twice[0]!r}")
        return self

    def column(self, key: str) -> str:
        """The column a key becomes."""
        return self.names.get(key, key)


class FillDown(_Strict):
    """Fields an export writes on one row of a group only, carried to the group's other rows:
    a Shopify order export fills ``Email``, ``Created at``, ``Financial Status`` … on an
    order's first line item and leaves them empty on its other lines."""

    by: str
    """The column whose value groups the rows: the order number (``Name``), or ``order_id``
    when that is mapped. The rows of a group need not be next to each other."""
    columns: list[str] = Field(min_length=1)
    """The columns to fill, each written by its own name (``Email``) or, when mapped, by its
    contract name (``user_id``). An empty value takes the one its group has; two different
    values in one group are an error."""

    @model_validator(mode="after")
    def _distinct(self) -> FillDown:
        twice = sorted({c for i, c in enumerate(self.columns) if c in self.columns[:i]})
        if twice:
            raise ValueError(f"columns names {', '.join(map(repr, twice))} twice")
        if self.by in self.columns:
            raise ValueError(
                f"columns names {self.by!r}, the column the rows are grouped by (by); list "
                "only the columns to fill"
            )
        return self


class Derive(_Strict):
    """A column computed from another when read: the province of a Chinese shipping address
    (``{from: 收货地址, take: province}``: ``四川省 成都市 武侯区 …`` gives ``四川省``), or the
    first group of a regular expression (``{from: address, pattern: ', ([A-Z]{2}) \\d{5}'}``
    gives a US state). The ``from`` column is then left out of the attributes (a full address
    is personal data); map it under a name in ``columns`` to keep it too."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", min_length=1)
    """The column the value is taken from, by its own name."""
    take: Literal["province"] | None = None
    """``province``: the province, municipality, autonomous or special region a Chinese
    address starts with, by its full name (``上海`` and ``上海市`` are both ``上海市``);
    empty where the address starts with none."""
    pattern: str | None = None
    """A regular expression with one group: the value is what the group matches, empty
    where the expression does not match."""

    @model_validator(mode="after")
    def _one_way(self) -> Derive:
        import re

        if (self.take is None) == (self.pattern is None):
            raise ValueError(
                "set one of take (take: province, for a Chinese address) or pattern (a regular "
                "expression whose group is the value)"
            )
        if self.pattern is not None:
            try:
                groups = re.compile(self.pattern).groups
            except re.error as e:
                raise ValueError(
                    f"pattern {self.pattern!r} is no regular expression: {e}"
                ) from None
            if groups != 1:
                raise ValueError(
                    f"pattern {self.pattern!r} has {groups} groups; it needs exactly one, "
                    "around the part to keep, e.g. ', ([A-Z]{2}) \\d{5}'"
                )
        return self


class Fx(_Strict):
    """Money in several currencies converted to the config's ``currency`` when read: a
    marketplace's orders in EUR, GBP and USD with ``{column: currency, rates: {GBP: 1.17,
    USD: 0.926}}`` (the config's currency is EUR). Rows in the config's currency keep their
    values; a currency without a rate is an error naming it."""

    column: str
    """The column holding each row's currency code (``currency``), by its own name."""
    rates: dict[str, float] = Field(min_length=1)
    """Currency code -> the value of one unit in the config's currency."""

    @field_validator("rates")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        import math

        bad = [f"{c}: {r!r}" for c, r in v.items() if not (math.isfinite(r) and r > 0)]
        if bad:
            raise ValueError(f"rates must be positive numbers, got {', '.join(bad)}")
        return {c.strip().upper(): r for c, r in v.items()}


class Messages(_Strict):
    """A chat log with one row per message, turned into one ticket per conversation: the
    customer's messages joined in time order are the ticket's text (staff replies, and
    acknowledgements such as "ok thanks" beside other messages, are left out of it), the first
    message's time is its timestamp and the last staff reply's time its ``resolved_at`` (when
    that column is not mapped)."""

    by: str
    """The column naming the conversation (``会话ID``), by its own name or the contract name
    it is mapped to; it becomes the ticket's ``ticket_id``."""
    sender: str
    """The column saying who wrote each message (``发送方``, ``role``), by its own name, or a
    dotted path to a field of an object column as in ``columns`` (Intercom's ``author.type``)."""
    customer: list[str] = Field(min_length=1)
    """The ``sender`` value(s) of the customer's messages (``买家``, ``[customer, user]``)."""
    staff: list[str] | None = None
    """The ``sender`` value(s) of the staff's replies (``[admin, agent]``), whose last one's time
    is the ticket's ``resolved_at``; other senders (a bot's auto-close) are left out of it.
    Default: every value but the customer's and a bot's (``bot``, ``system``, ``automated``,
    ``auto``, ``robot``, ``workflow``, ``机器人``, ``系统``, in any case)."""

    @field_validator("customer", "staff", mode="before")
    @classmethod
    def _one_or_more(cls, v: Any) -> Any:
        return [v] if isinstance(v, str | int) else v

    @field_validator("customer", "staff")
    @classmethod
    def _strings(cls, v: list[Any] | None) -> list[str] | None:
        return None if v is None else [str(x) for x in v]


class Explode(_Strict):
    """A cell listing an order's lines (WooCommerce's ``Order Items``: ``Logo Tee x 2, Cap x
    1``) turned into one row per line before the table is mapped, as ``unpivot`` turns
    columns into rows. The column mapped to ``amount`` (the order's total) is split among its
    lines in proportion to their ``quantity`` group (equally without one), so revenue is
    unchanged; other columns are repeated on every line."""

    column: str
    """The column holding the list."""
    sep: str = ","
    """What separates the lines in a cell; blanks around each line are dropped."""
    pattern: str | None = None
    """A regular expression each line must match whole, whose named groups become columns
    (``(?P<item_id>.+) x (?P<quantity>\\d+)``); without it the line replaces the cell's
    value."""

    @field_validator("pattern")
    @classmethod
    def _named_groups(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            groups = re.compile(v).groupindex
        except re.error as e:
            raise ValueError(f"{v!r} is not a regular expression: {e}") from None
        if not groups:
            raise ValueError(
                f"{v!r} has no named group: name what each part is, e.g. "
                "'(?P<item_id>.+) x (?P<quantity>\\d+)'"
            )
        return v


def join_label(file: str | None, table: str | None) -> str:
    """A joined file's stem (``orders`` of ``orders_*.csv``) or table name, as the suffix of
    its columns whose names the table already has (``status_orders``)."""
    src = table or Path(file or "").name.split(".")[0]
    return re.sub(r"\W+", "_", src).strip("_") or "joined"


class Join(_Strict):
    """A second file (or database table) whose columns are added to each row of the table by
    a key, as a LEFT join: an order-lines export (``order_id, product_id, price``) whose
    customer and purchase time live on an order-header file (``order_id, customer_id,
    order_purchase_timestamp``). Every line is kept; a line whose key the other file lacks
    gets empty values (and a warning says how many). A column name on both sides keeps the
    line's value; the other file's is added as ``<column>_<file stem or table name>``
    (``order_status_orders``)."""

    file: str | None = None
    """The file (or glob) inside the source folder, read as a table's file is."""
    table: str | None = None
    """Or, on a database source (DuckDB, SQLite, PostgreSQL): the table's name."""
    on: str | list[str] | dict[str, str]
    """The key: a column name both sides share (``order_id``), a list of them, or a mapping
    of this table's column to the other file's (``{order_id: id}``). It may name a column an
    earlier join brought."""
    drop_duplicates: bool = False
    """Keep the first row of each key of the other file instead of stopping when a key
    repeats there (a header exported twice)."""
    format: Literal["csv", "parquet", "json", "excel"] | None = None
    sheet: str | int | list[str] | None = None
    """As a table's; without it, the sheet named like the file's stem, else the only sheet."""
    records: str | None = None
    """As a table's: the list holding the rows of a JSON file that is one object (an API
    export's ``{"data": [...]}``); found without it when one list holds the key columns."""
    skip_rows: int = Field(default=0, ge=0)
    sep: str | None = None
    encoding: str = "utf-8"
    header: bool = True

    @model_validator(mode="before")
    @classmethod
    def _yaml_on(cls, v: Any) -> Any:
        """YAML 1.1 (PyYAML) reads a bare ``on:`` key as the boolean True."""
        if isinstance(v, dict) and True in v and "on" not in v:
            v = {("on" if k is True else k): x for k, x in v.items()}
        return v

    @field_validator("on")
    @classmethod
    def _some_key(cls, v: str | list[str] | dict[str, str]) -> str | list[str] | dict[str, str]:
        if not v:
            raise ValueError("on is empty: name the key column(s), e.g. on: order_id")
        return v

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str) -> str:
        return TableSpec._known_encoding(v)

    @model_validator(mode="after")
    def _one_source(self) -> Join:
        if (self.file is None) == (self.table is None):
            raise ValueError(
                "set exactly one of file (a file in the source folder) or table (a table of "
                "a database source), e.g. {file: orders.csv, on: order_id}"
            )
        return self

    @property
    def keys(self) -> dict[str, str]:
        """This table's key column -> the other file's."""
        if isinstance(self.on, str):
            return {self.on: self.on}
        if isinstance(self.on, list):
            return {k: k for k in self.on}
        return dict(self.on)

    @property
    def label(self) -> str:
        """The other file's stem or table name, as a column-name suffix (``orders``)."""
        return join_label(self.file, self.table)


class TableSpec(_Strict):
    """Where one contract table comes from and how to read and map it.

    Rows are read, then ``unpivot``, ``pivot``, ``explode``, ``join``, ``drop_duplicates``,
    ``fill_down``, then the columns are mapped and cast, then ``drop_incomplete``, then
    ``where``, then ``messages``:
    a condition on a filled column sees every row of the group.
    """

    file: str | None = None
    """File (or glob) inside the source folder; default ``<table>.csv`` or ``<table>.parquet``."""
    table: str | None = None
    """Table name inside a database source; default the contract name."""
    format: Literal["csv", "parquet", "json", "excel"] | None = None
    """Needed only when the file name does not say (``.xlsx``, ``.xls``, ``.ods`` … are excel)."""
    sheet: str | int | list[str] | None = None
    """Sheet of a workbook to read: its name, or its position (0 is the first); or several read
    one after another as one table, all with the same header: a list of names, a glob
    (``"* 2024"`` for one sheet per month) or ``all``. Default: the only sheet, or the one
    named like the contract table (one workbook can hold every table)."""
    records: str | list[str] | None = None
    """JSON only: the field holding the rows when a file is one object with its records in a
    list, as API exports are (Zendesk's ``{"tickets": [...], "next_page": ...}``, Intercom's
    ``{"data": [...]}``): ``records: tickets``. Found without it when the object has one such
    list and the mapped columns are inside it (a warning says so). Several lists (names or
    globs, ``[train, val, test, "oos_*"]``) are read one after another, with a column
    ``records`` holding each row's list name. Rows that are arrays (``["text", "intent"]``)
    give the columns ``column0``, ``column1``, ... as a file without a header does."""
    skip_rows: int = Field(default=0, ge=0)
    """Lines above the header to skip (a title or a note above an exported table)."""
    sep: str | None = None
    encoding: str = "utf-8"
    header: bool = True
    unpivot: Unpivot | None = None
    """Turn a wide table into long rows before mapping (see :class:`Unpivot`); the new
    columns are mapped like any other, e.g. ``{keep: [Monat], names_to: company,
    values_to: share}``."""
    pivot: Pivot | None = None
    """Turn key-value rows into one row per id, one column per key, before mapping (see
    :class:`Pivot`), e.g. ``{key: property, value: value, latest_by: timestamp, keys:
    [categoryid, '790'], names: {'790': price}}``; after ``unpivot``."""
    explode: Explode | None = None
    """Turn a cell listing several lines into one row per line before mapping (see
    :class:`Explode`), e.g. ``{column: Order Items, sep: ", ", pattern: "(?P<item_id>.+) x
    (?P<quantity>\\d+)"}``; after ``unpivot``."""
    join: list[Join] = Field(default_factory=list)
    """Columns of other files added to each row by a key (see :class:`Join`), one mapping or
    a list applied in order, e.g. ``{file: orders.csv, on: order_id}`` for order lines whose
    customer and time are on the order header; after ``unpivot`` and ``explode``, before
    ``drop_duplicates``, ``fill_down``, the ``columns`` mapping and ``where``, which see the
    joined columns."""
    timestamp_format: str | None = None
    """strptime format of every timestamp column, e.g. ``'%Y%m%d'``; or ``epoch`` (seconds),
    ``epoch_ms``, ``epoch_us`` or ``epoch_ns`` for numeric Unix times; or ``'<unit> since
    <origin>'`` (seconds, minutes, hours, days or weeks) for numbers counted from a date,
    e.g. ``'days since 2023-12-31'`` for day numbers."""
    timezone: str | None = None
    """Zone of this table's timestamps written without a UTC offset, when it is not the
    business's own (``data.timezone``, whose zone they are in by default); they are converted
    to the business's wall-clock time. Dates without a time of day keep their calendar day,
    and so do timestamps with a zone (``TIMESTAMP WITH TIME ZONE``, or text with a UTC offset)
    that fall on midnight in this one. Without either, values all at one afternoon hour in UTC
    (dates at midnight east of UTC) get a warning."""
    thousands: str | None = None
    decimal: str = "."
    """Decimal mark of numbers written as text, e.g. ``','`` with ``thousands: '.'``."""
    na_values: list[str] = Field(default_factory=list)
    fill_down: FillDown | None = None
    """Carry a group's values to its rows that leave them empty, e.g. ``{by: Name, columns:
    [Email, Created at, Financial Status]}`` for a Shopify order export (see :class:`FillDown`);
    before ``drop_incomplete`` and ``where``."""
    messages: Messages | None = None
    """Tickets only: a chat log with one row per message becomes one ticket per conversation
    (see :class:`Messages`), e.g. ``{by: 会话ID, sender: 发送方, customer: 买家}``; after
    ``where``."""
    drop_incomplete: bool = False
    """Drop the rows whose required columns are empty (an order without a date, say) and say
    how many, instead of stopping with an error. An order's empty ``user_id`` is a guest
    order: kept, not dropped."""
    where: str | None = None
    """Keep only the rows this SQL condition holds for, e.g. ``status = 'paid'`` to leave out
    failed and refunded invoices; it reads the table as loaded (mapped columns by their
    contract names, other columns by their own), after ``fill_down``."""
    drop_duplicates: bool | list[str] = False
    """Drop rows that repeat an earlier row in every column (an export loaded twice) and say
    how many, instead of counting them twice. A list of columns (by their own names) keeps the
    first row of each value of them instead: ``[订单号]`` reads an export with one row per goods
    line, its order's paid total repeated on each, as one row per order."""
    amount_per_order: bool = False
    """``amount`` holds the order's total, repeated on each of its lines (有赞's and Taobao's
    paid total ``订单实付金额``): split it over the order's lines by quantity x price (by
    quantity without a price, evenly without either), so revenue counts each order once and
    the goods lines stay for recommendations and demand; after ``where``."""
    columns: dict[str, str] = Field(default_factory=dict)
    """Contract column name -> the column's name in the user's data; or a list of columns
    whose values are joined with a space and read as one, for a time split over several
    columns: ``timestamp: [transaction_date, transaction_time]`` (a till's date and time of
    day), ``timestamp: [arrival_date_year, arrival_date_month, arrival_date_day_of_month]``
    with ``timestamp_format: '%Y %B %d'``. A list is kept as its names joined by ``' + '``
    (:data:`PARTS_SEP`)."""
    lowercase_ids: bool = False
    """Read this table's id columns in lower case, trimmed: e-mails used as customer ids that
    one export writes as typed (``User078@Co78.IO``) and another in lower case. Set it on
    every table sharing those ids."""
    scale: dict[str, float] = Field(default_factory=dict)
    """Contract number column -> a factor its values are multiplied by when read: money in
    minor units (``order_total_cents``) sets ``scale: {amount: 0.01}``."""
    fx: Fx | None = None
    """Convert the money columns of rows in other currencies to the config's ``currency`` by
    fixed rates, e.g. ``{column: currency, rates: {GBP: 1.17, USD: 0.926}}`` (see
    :class:`Fx`); after ``where``."""
    durations: dict[str, Literal["seconds", "minutes", "hours", "days"]] = Field(
        default_factory=dict
    )
    """Contract time column -> the unit of the number mapped to it, a duration counted from
    the row's ``timestamp``: a help desk's SLA figures, Zendesk's
    ``reply_time_in_minutes.calendar`` as ``first_reply_at`` with ``durations:
    {first_reply_at: minutes}`` (Intercom's ``time_to_admin_reply``: ``seconds``)."""
    derive: dict[str, Derive] = Field(default_factory=dict)
    """New column name -> how it is computed from another column when read (see
    :class:`Derive`): ``{region: {from: 收货地址, take: province}}`` gives each order the
    province of its shipping address, as an attribute (the address itself is left out). A
    contract column of text (``store``) can be derived too; ``where`` sees the new column."""
    constants: dict[str, str | int | float] = Field(default_factory=dict)
    """Contract column name -> one value for every row, for a text or number column the export
    does not have (a ratings file without an event column: ``constants: {event: rate}``)."""
    sentiment_by: Literal["customer", "tool"] = "customer"
    """Tickets only: who gave the ``sentiment`` column. ``customer``: the customers' own rating
    (CSAT, stars, a review's score). ``tool``: a social-listening tool computed it from the text
    (Brandwatch's or Talkwalker's ``Sentiment``): 05 and the scorecard word it as the listening
    tool's sentiment, not as customers' ratings, and 05 measures how often opsai's own
    sentiment model agrees with it. ``opsai init`` sets it on a listening export."""
    non_items: list[str] = Field(default_factory=list)
    """Item ids of lines that are no product (postage, fees, adjustments, gift cards): UCI's
    ``[POST, DOT, M, B, BANK CHARGES]``. Their lines stay in every revenue and order total, and
    are left out of the analyses per item (recommendations, demand series and inventory
    actions, top items, return rates, segment categories); an id one table lists is no item
    in the catalogue or the inventory either. An id with ``*`` (any text) or ``?`` (one
    character) is a glob (``'*Gift Card*'``); matched as written, case included."""

    @field_validator("columns", mode="before")
    @classmethod
    def _joined_parts(cls, v: Any) -> Any:
        """A list of columns (a date and a time of day) becomes their names joined by
        :data:`PARTS_SEP`, which the loader reads as the parts' values joined by a space."""
        if not isinstance(v, dict):
            return v
        out: dict[Any, Any] = {}
        for k, src in v.items():
            if isinstance(src, list):
                parts = [str(p).strip() for p in src]
                if len(parts) < 2 or not all(parts):
                    raise ValueError(
                        f"columns.{k}: a list names the columns whose values are joined with "
                        f"a space and read as one (at least two, none empty), e.g. {k}: "
                        f"[transaction_date, transaction_time]; got {src!r}"
                    )
                src = PARTS_SEP.join(parts)
            out[k] = src
        return out

    @field_validator("non_items", mode="before")
    @classmethod
    def _non_items_listed(cls, v: Any) -> list[str]:
        """Ids as text (YAML reads ``[22197]`` as a number); one id alone is a list of one."""
        out = [str(x).strip() for x in (v if isinstance(v, list) else [v])]
        if any(not x for x in out):
            raise ValueError("an entry is empty; list item ids (POST) or globs ('*Gift Card*')")
        return out

    @field_validator("join", mode="before")
    @classmethod
    def _one_or_more_joins(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v

    @field_validator("scale")
    @classmethod
    def _positive_scale(cls, v: dict[str, float]) -> dict[str, float]:
        import math

        bad = [f"{c}: {f!r}" for c, f in v.items() if not (math.isfinite(f) and f > 0)]
        if bad:
            raise ValueError(
                f"factors must be positive numbers, got {', '.join(bad)} (cents: 0.01)"
            )
        return v

    @field_validator("timezone")
    @classmethod
    def _known_table_zone(cls, v: str | None) -> str | None:
        return known_zone(v)

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str) -> str:
        import codecs

        try:
            codecs.lookup(v)
        except LookupError as e:
            raise ValueError(f"unknown encoding {v!r} (e.g. utf-8, gbk, latin-1)") from e
        return v


class DataConfig(_Strict):
    source: str = "."
    """A folder of CSV/Parquet files, a ``.duckdb`` file, a SQLite file (or ``sqlite:///path``),
    or an Ibis URL (``postgres://...``)."""
    timezone: str | None = None
    """The business's time zone (an IANA name: ``Asia/Shanghai``, ``America/New_York``): every
    timestamp is read as the wall-clock time there, so days, weeks and months are the
    business's own (a Beijing shop's order at 01:00 on 1 November is November's, not
    October's). Timestamps without a UTC offset are taken to be written in it, unless their
    table sets its own ``timezone``. Default: UTC, as the timestamps of most exports are."""
    as_of: dt.date | None = None
    """The day the data was exported (a scrape date, ``2025-06-14``): demand and market rows
    dated after it are bookings or orders on the books, not history. Without it, a demand or
    market table starting after the latest date of the other tables is read as such a
    forward book (``opsai.data.forward``)."""
    tables: dict[str, TableSpec] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str | None) -> str | None:
        return known_zone(v)

    @field_validator("tables")
    @classmethod
    def _known_tables(cls, v: dict[str, TableSpec]) -> dict[str, TableSpec]:
        unknown = sorted(set(v) - set(TABLES))
        if unknown:
            raise ValueError(
                f"unknown table(s) {', '.join(unknown)}; the contract has {', '.join(TABLES)}"
            )
        return v

    @field_validator("tables")
    @classmethod
    def _numeric_scale(cls, v: dict[str, TableSpec]) -> dict[str, TableSpec]:
        for name, spec in v.items():
            table = TABLES[name]
            numbers = [c.name for c in table.columns if c.dtype in ("float", "int")]
            for c in spec.scale:
                if c not in numbers:
                    what = "not a column of" if c not in table.names else "not a number column of"
                    raise ValueError(
                        f"data.tables.{name}.scale names {c!r}, {what} the {name} table; scale "
                        f"applies to its number columns: {', '.join(numbers) or 'none'}"
                    )
        return v

    @field_validator("tables")
    @classmethod
    def _durations_of_times(cls, v: dict[str, TableSpec]) -> dict[str, TableSpec]:
        for name, spec in v.items():
            table = TABLES[name]
            times = [
                c.name for c in table.columns if c.dtype == "timestamp" and c.name != "timestamp"
            ]
            for c in spec.durations:
                if c not in times or not table.has("timestamp"):
                    raise ValueError(
                        f"data.tables.{name}.durations names {c!r}; a duration is counted from "
                        f"the row's timestamp into one of the {name} table's other time columns: "
                        f"{', '.join(times) or 'none'} (tickets: first_reply_at: minutes)"
                    )
                if c not in spec.columns:
                    raise ValueError(
                        f"data.tables.{name}.durations.{c}: map {c} to the column holding the "
                        f"duration (data.tables.{name}.columns.{c}: <your column name>)"
                    )
        return v

    @field_validator("tables")
    @classmethod
    def _renames_not_typos(cls, v: dict[str, TableSpec]) -> dict[str, TableSpec]:
        """A key of ``columns`` that is not a contract column renames an attribute column;
        one spelled nearly like a contract column is a typo, not a new attribute."""
        import difflib

        for name, spec in v.items():
            names = list(TABLES[name].names)
            for k in spec.columns:
                close = difflib.get_close_matches(k, names, n=1, cutoff=0.8)
                if k not in names and close:
                    raise ValueError(
                        f"data.tables.{name}.columns.{k}: {k!r} is not a column of the {name} "
                        f"contract (did you mean {close[0]!r}?). Its columns: "
                        f"{', '.join(names)}; any other key renames an attribute column "
                        "(revenue: params.revenue)"
                    )
        return v

    @field_validator("tables")
    @classmethod
    def _messages_on_tickets(cls, v: dict[str, TableSpec]) -> dict[str, TableSpec]:
        for name, spec in v.items():
            if spec.messages is not None and name != "tickets":
                raise ValueError(
                    f"data.tables.{name}.messages: only tickets can be built from a message "
                    "log (one ticket per conversation); remove it from the "
                    f"{name} table"
                )
        return v

    @field_validator("tables")
    @classmethod
    def _sentiment_by_on_tickets(cls, v: dict[str, TableSpec]) -> dict[str, TableSpec]:
        for name, spec in v.items():
            if spec.sentiment_by != "customer" and name != "tickets":
                raise ValueError(
                    f"data.tables.{name}.sentiment_by: only the tickets table has a sentiment "
                    "column; set sentiment_by on data.tables.tickets"
                )
        return v

    @field_validator("tables")
    @classmethod
    def _non_items_need_items(cls, v: dict[str, TableSpec]) -> dict[str, TableSpec]:
        for name, spec in v.items():
            if spec.non_items and not TABLES[name].has("item_id"):
                raise ValueError(
                    f"data.tables.{name}.non_items: the {name} table has no item_id column, so "
                    "no line of it is an item; set non_items on the table whose item_id names "
                    "them (orders, demand or events)"
                )
        return v


class ChapterSpec(_Strict):
    enabled: bool = True
    timeout: int | None = None
    """Seconds before the chapter's notebook is stopped (default ``report.timeout``)."""
    parameters: dict[str, Any] = Field(default_factory=dict)
    """Injected into the notebook's ``parameters`` cell (names in upper case)."""


class ReportConfig(_Strict):
    title: str = "Operations report"
    chapters: list[str] | None = None
    """Chapter notebook stems to run, in order; default every notebook in ``notebooks/``."""
    timeout: int = 1800
    out: str = "reports"
    pdf: bool = False
    jobs: int = 1
    mask_emails: bool = True
    """Show e-mail addresses on the pages as ``[EMAIL 3fa2c1]`` (one token per address): user
    ids that are e-mails (a Shopify export's customer key) must not reach a page shared with
    stakeholders. The run's result files keep them for the operations team."""


class LLMSpec(_Strict):
    """An OpenAI-compatible chat endpoint, off by default; nothing personal is ever sent."""

    enabled: bool = False
    base_url: str | None = None
    """e.g. ``http://localhost:8000/v1``."""
    model: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    """Environment variable holding the key (may be unset for a local server)."""
    timeout: float = 20.0


class Config(_Strict):
    name: str = "opsai"
    company: str = "Our company"
    currency: str = "USD"
    """ISO 4217 code of every money figure (``USD``, ``EUR``, ``CNY``)."""
    data: DataConfig = Field(default_factory=DataConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    chapters: dict[str, ChapterSpec] = Field(default_factory=dict)
    llm: LLMSpec = Field(default_factory=LLMSpec)
    """Optional language model: reply drafts (customer service), summary wording (executive)."""
    path: Path | None = Field(default=None, exclude=True)
    """The file this config was read from; relative paths are resolved against its folder."""

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, v: str) -> str:
        code = v.strip().upper()
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise ValueError(
                f"currency must be a 3-letter ISO 4217 code such as USD, EUR, GBP, JPY or CNY "
                f"(got {v!r}); it is printed after every money figure"
            )
        return code

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def resolve(self, p: str | os.PathLike[str]) -> Path:
        """A path from the config, made absolute against the config file's folder."""
        q = Path(os.path.expanduser(os.fspath(p)))
        return q if q.is_absolute() else (self.base_dir / q).resolve()

    @property
    def source_kind(self) -> Literal["folder", "duckdb", "sqlite", "url"]:
        s = self.data.source
        if s.lower().startswith("sqlite:"):
            return "sqlite"
        if "://" in s:
            return "url"
        if s.lower().endswith((".sqlite", ".sqlite3")) or is_sqlite_file(self.resolve(s)):
            return "sqlite"  # read through Python's sqlite3 (a .db is often SQLite)
        if s.endswith((".duckdb", ".ddb", ".db")):
            return "duckdb"
        return "folder"

    def chapter(self, stem: str) -> ChapterSpec:
        return self.chapters.get(stem, ChapterSpec())


def _loc(err: Any) -> str:
    """``data.tables.orders.join[1].on``: a join entry by its 1-based position, as the
    loader's messages name it."""
    out: list[str] = []
    for p in err.get("loc", ()):
        if isinstance(p, int) and out and out[-1].endswith("join"):
            out[-1] += f"[{p + 1}]"
        else:
            out.append(str(p))
    return ".".join(out)


def config_from_dict(raw: dict[str, Any], *, path: Path | None = None) -> Config:
    """Validate a mapping as a :class:`Config`, turning pydantic errors into ``ConfigError``."""
    where = f"{path}: " if path else ""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}expected a mapping at the top level, got {type(raw).__name__}")
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as e:
        lines = []
        for err in e.errors():
            key = _loc(err)
            if err["type"] == "extra_forbidden":
                lines.append(f"  {key}: unknown key (check its spelling and indentation)")
            else:
                lines.append(f"  {key}: {err['msg'].removeprefix('Value error, ')}")
        raise ConfigError(f"{where}invalid configuration:\n" + "\n".join(lines)) from None
    cfg.path = path.resolve() if path else None
    return cfg


def load_config(path: str | os.PathLike[str] | Config) -> Config:
    """Read and validate a YAML config file.

    Raises:
        ConfigError: the file is missing, not YAML, or has unknown or invalid keys.
    """
    if isinstance(path, Config):
        return path
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file {p} not found (pass --config with an existing YAML file)")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p}: not valid YAML: {e}") from None
    return config_from_dict(raw, path=p)


def dump_config(cfg: Config, path: str | os.PathLike[str]) -> None:
    """Write a config back to YAML (only non-default keys)."""
    data = cfg.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    data.setdefault("data", {})["source"] = cfg.data.source  # always say where the data is
    Path(path).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
