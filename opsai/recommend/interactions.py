"""Interactions: behaviour events and orders as weighted user-item pairs and a sparse matrix.

Events are weighted by type (a view counts less than a purchase), orders count as purchases,
explicit ratings are used as they are. The long frame (one row per user-item pair) is what the
splitters take; :class:`InteractionMatrix` is what the models fit on.

Example:
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"user_id": ["u1", "u1", "u2"], "item_id": ["a", "a", "b"],
    ...                    "event": ["view", "purchase", "view"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])})
    >>> pairs = build_interactions(ev)
    >>> pairs["weight"].tolist()
    [6.0, 1.0]
    >>> InteractionMatrix.from_frame(pairs).matrix.shape
    (2, 2)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import ibis
import numpy as np
import pandas as pd
import scipy.sparse as sp

from opsai.data.customers import GuestShare, guest_share, known_customers, no_tastes_reason
from opsai.data.schema import (
    AMOUNT,
    EVENT,
    ITEM_ID,
    QUANTITY,
    TIMESTAMP,
    USER_ID,
    canonical_event,
)
from opsai.errors import ConfigError, NothingToAnalyse, SchemaError

WEIGHT = "weight"
"""Column of the interaction strength in the long interactions frame."""
COUNT = "n_events"
"""Column of how many raw rows (order lines count their quantity, returns less) were folded
into a pair."""
RETURNED = "returned"
"""``attrs`` key of the interactions frame: the user-item pairs whose every unit bought was
returned (order lines with a negative quantity or amount). They are no interaction, and
:func:`drop_pairs` keeps them out of the lists sent to users."""
GUESTS = "guest_orders"
"""``attrs`` key of :func:`interactions_from_workspace`'s frame: the orders' guest share (a
:class:`~opsai.data.customers.GuestShare`), when it read orders."""

DEFAULT_WEIGHTS: dict[str, float] = {"view": 1.0, "add_to_cart": 3.0, "purchase": 5.0}


def resolve_weights(
    weights: Mapping[str, float], names: Iterable[object]
) -> tuple[dict[str, float], list[str]]:
    """The weight of each event type in the data, matched to ``weights`` by name.

    A name matches exactly, or after case, spaces and punctuation are ignored and common
    synonyms are mapped (``addtocart``/``Add to cart``/``cart`` are ``add_to_cart``;
    ``transaction``/``buy``/``order`` are ``purchase``).

    Returns:
        ``{event type: weight}`` for the types that matched, and the types that did not.

    Example:
        >>> resolve_weights({"view": 1, "add_to_cart": 3, "purchase": 5},
        ...                 ["view", "addtocart", "transaction", "hover"])
        ({'view': 1.0, 'addtocart': 3.0, 'transaction': 5.0}, ['hover'])
    """
    by_canon = {canonical_event(k): float(v) for k, v in weights.items()}
    used: dict[str, float] = {}
    missing: list[str] = []
    for n in names:
        if n in weights:
            used[str(n)] = float(weights[str(n)])
        elif canonical_event(n) in by_canon:
            used[str(n)] = by_canon[canonical_event(n)]
        else:
            missing.append(str(n))
    return used, missing


"""Weight per event type; events of other types are ignored. Override in the chapter config."""
DEFAULT_ORDER_WEIGHT = 5.0
"""Weight of one order line (a purchase) when interactions come from the orders table."""


def _require(frame: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{table}: column(s) {', '.join(missing)} not found (have: {', '.join(map(str, frame.columns))}). "
            f"Map them in the config (data.tables.{table}.columns) or pass col_* arguments"
        )


def build_interactions(
    events: pd.DataFrame | None = None,
    orders: pd.DataFrame | None = None,
    *,
    weights: Mapping[str, float] | None = None,
    order_weight: float = DEFAULT_ORDER_WEIGHT,
    rating: str | None = None,
    col_user: str = USER_ID,
    col_item: str = ITEM_ID,
    col_event: str = EVENT,
    col_timestamp: str = TIMESTAMP,
) -> pd.DataFrame:
    """Fold events and/or order lines into one row per user-item pair.

    Args:
        events: behaviour events with an item column; rows without an item are dropped.
        orders: order lines with an item column; each line adds ``order_weight`` (times the
            quantity when there is a positive one).
        weights: weight per event type (default :data:`DEFAULT_WEIGHTS`); types not listed are
            ignored, so a data set with other event names must pass its own mapping.
        order_weight: weight of one order line.
        rating: name of an explicit-rating column in ``events``; when given, the pair's weight
            is its last rating instead of summed event weights.
        col_user: user column.
        col_item: item column.
        col_event: event-type column of ``events``.
        col_timestamp: time column (optional); the pair keeps its latest time.

    Returns:
        Columns ``user_id, item_id, weight, n_events`` and ``timestamp`` when the inputs have
        one; sorted by user and item, ids as strings.

    Raises:
        SchemaError: a needed column is missing, or no interaction is left.
        ConfigError: neither table is given or no event type has a weight.
    """
    if events is None and orders is None:
        raise ConfigError("build_interactions: pass events, orders or both")
    parts: list[pd.DataFrame] = []
    if events is not None:
        need = [col_user, col_item] + ([rating] if rating else [col_event])
        _require(events, "events", need)
        ev = events[events[col_item].notna()]
        if rating:
            w = pd.to_numeric(ev[rating], errors="coerce")
        else:
            wmap = dict(DEFAULT_WEIGHTS if weights is None else weights)
            if not wmap:
                raise ConfigError("build_interactions: weights is empty; give e.g. {'view': 1}")
            w = ev[col_event].map(resolve_weights(wmap, ev[col_event].dropna().unique())[0])
            if w.notna().sum() == 0 and len(ev):
                seen = ", ".join(map(str, ev[col_event].dropna().unique()[:8]))
                raise ConfigError(
                    f"build_interactions: no event type has a weight (weights: {sorted(wmap)}; "
                    f"events have: {seen}). Pass weights={{event: weight, ...}} for them"
                )
        parts.append(_frame(ev, w, col_user, col_item, col_timestamp))
    if orders is not None:
        _require(orders, "orders", [col_user, col_item])
        od = orders[orders[col_item].notna()]
        units = _signed_units(od)
        lines = _frame(od, units, col_user, col_item, col_timestamp)
        if TIMESTAMP in lines.columns:  # a pair's time is its latest purchase, not a return
            lines[TIMESTAMP] = lines[TIMESTAMP].where(units.to_numpy() > 0)
        spec: dict[str, Any] = {COUNT: (WEIGHT, "sum")}
        if TIMESTAMP in lines.columns:
            spec[TIMESTAMP] = (TIMESTAMP, "max")
        net = lines.groupby([USER_ID, ITEM_ID], sort=False, as_index=False).agg(**spec)
        returned = net[net[COUNT] <= 0]
        net = net[net[COUNT] > 0]
        parts.append(net.assign(**{WEIGHT: net[COUNT] * float(order_weight)}))
    long = pd.concat(parts, ignore_index=True)
    long = long[long[WEIGHT].notna()]
    if long.empty:
        raise SchemaError("interactions: no user-item row with a weight; check item_id and weights")
    has_time = TIMESTAMP in long.columns and long[TIMESTAMP].notna().any()
    keys = [USER_ID, ITEM_ID]
    long[COUNT] = long[COUNT].fillna(1.0) if COUNT in long.columns else 1.0  # an event is 1
    if rating:  # the latest rating of a pair (ratings are not additive)
        if has_time:
            long = long.sort_values(TIMESTAMP, kind="stable")
        agg: dict[str, Any] = {WEIGHT: (WEIGHT, "last"), COUNT: (COUNT, "sum")}
    else:
        agg = {WEIGHT: (WEIGHT, "sum"), COUNT: (COUNT, "sum")}
    if has_time:
        agg[TIMESTAMP] = (TIMESTAMP, "max")
    out = long.groupby(keys, sort=True, as_index=False).agg(**agg)
    out[WEIGHT] = out[WEIGHT].astype("float64")
    out[COUNT] = out[COUNT].round().astype("int64")
    out = out.reset_index(drop=True)
    if orders is not None:
        out.attrs[RETURNED] = _returned_pairs(returned, out)
    return out


def _signed_units(orders: pd.DataFrame) -> pd.Series:
    """Units of each order line: its quantity (1 when missing or zero), negative for a return
    (a negative quantity or amount)."""
    units = pd.Series(1.0, index=orders.index)
    back = pd.Series(False, index=orders.index)
    if QUANTITY in orders.columns:
        q = pd.to_numeric(orders[QUANTITY], errors="coerce")
        units = q.abs().where(q.abs() > 0, 1.0).fillna(1.0)
        back |= q < 0
    if AMOUNT in orders.columns:
        back |= pd.to_numeric(orders[AMOUNT], errors="coerce") < 0
    return units.where(~back, -units)


def drop_pairs(reco: pd.DataFrame, exclude: pd.DataFrame | None, k: int) -> pd.DataFrame:
    """Top-``k`` lists less the ``exclude`` pairs (``user_id, item_id``), ranks renumbered.

    Ask the model for ``k`` plus :func:`most_per_user` of ``exclude`` so every list stays
    ``k`` long.
    """
    if exclude is None or exclude.empty or reco.empty:
        return reco[reco["rank"] <= k].reset_index(drop=True)
    key = reco[USER_ID].astype(str) + "\x1f" + reco[ITEM_ID].astype(str)
    bad = set(exclude[USER_ID].astype(str) + "\x1f" + exclude[ITEM_ID].astype(str))
    out = reco[~key.isin(bad)].copy()
    out["rank"] = out.groupby(USER_ID, sort=False).cumcount() + 1
    return out[out["rank"] <= k].reset_index(drop=True)


def most_per_user(pairs: pd.DataFrame | None, users: Iterable[str]) -> int:
    """The largest number of ``pairs`` one of ``users`` has (0 without pairs)."""
    if pairs is None or pairs.empty:
        return 0
    mine = pairs[pairs[USER_ID].astype(str).isin({str(u) for u in users})]
    return int(mine.groupby(USER_ID).size().max()) if len(mine) else 0


def _signed_units_expr(t: Any) -> Any:
    """:func:`_signed_units` in the engine, for an Ibis table of order lines."""
    units = ibis.literal(1.0)
    back = ibis.literal(False)
    if QUANTITY in t.columns:
        q = t[QUANTITY].cast("float64")
        units = (q.abs() > 0).ifelse(q.abs(), 1.0).fill_null(1.0)
        back = back | (q < 0).fill_null(False)
    if AMOUNT in t.columns:
        back = back | (t[AMOUNT].cast("float64") < 0).fill_null(False)
    return back.ifelse(-units, units)


def _returned_pairs(returned: pd.DataFrame, kept: pd.DataFrame) -> pd.DataFrame:
    """The fully returned user-item pairs that no other source (events) keeps."""
    pairs = returned[[USER_ID, ITEM_ID]].merge(kept[[USER_ID, ITEM_ID]], how="left", indicator=True)
    left = pairs[pairs["_merge"] == "left_only"][[USER_ID, ITEM_ID]]
    return left.sort_values([USER_ID, ITEM_ID]).reset_index(drop=True)


def _frame(
    df: pd.DataFrame, w: pd.Series, col_user: str, col_item: str, col_timestamp: str
) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            USER_ID: df[col_user].astype(str).to_numpy(),
            ITEM_ID: df[col_item].astype(str).to_numpy(),
            WEIGHT: w.to_numpy(dtype="float64"),
        }
    )
    if col_timestamp in df.columns:
        out[TIMESTAMP] = pd.to_datetime(df[col_timestamp]).to_numpy()
    return out


@dataclass
class InteractionMatrix:
    """A sparse user x item matrix with the id maps both ways.

    Attributes:
        matrix: CSR, ``float32``, rows follow ``user_ids`` and columns ``item_ids``.
        user_ids: row ids (strings).
        item_ids: column ids (strings); may include catalogue items nobody touched.
        order: optional CSR with the pattern of ``matrix``: each pair's position in its
            user's history by time (1 = first; pairs with the same time share a position).
            Built when the frame has a ``timestamp`` column; sequence-aware models read it.
        times: optional float64 array aligned with ``matrix.data`` (indices sorted): each
            pair's latest time in seconds since the epoch (NaN when unknown). Built with
            ``order``; time-aware rerankers read it.
    """

    matrix: sp.csr_matrix
    user_ids: np.ndarray
    item_ids: np.ndarray
    order: sp.csr_matrix | None = None
    times: np.ndarray | None = None
    _user_pos: dict[str, int] = field(default_factory=dict, repr=False)
    _item_pos: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._user_pos = {u: i for i, u in enumerate(self.user_ids.tolist())}
        self._item_pos = {t: i for i, t in enumerate(self.item_ids.tolist())}

    @classmethod
    def from_frame(
        cls,
        pairs: pd.DataFrame,
        *,
        items: Iterable[str] | None = None,
        binary: bool = False,
        col_user: str = USER_ID,
        col_item: str = ITEM_ID,
        col_weight: str = WEIGHT,
        col_timestamp: str = TIMESTAMP,
    ) -> InteractionMatrix:
        """Build the matrix from a long frame (one row per pair; repeated pairs are summed).

        Args:
            pairs: user, item and (optional) weight columns.
            items: the full catalogue, so items without interactions get a column (content
                models and cold-start items need it); items in ``pairs`` are always included.
            binary: every observed pair counts 1 (the usual choice for top-K benchmarks).
            col_user: user column.
            col_item: item column.
            col_weight: weight column; absent means 1 per row.
            col_timestamp: time column; when present, ``order`` is filled.
        """
        _require(pairs, "interactions", [col_user, col_item])
        users = pairs[col_user].astype(str)
        its = pairs[col_item].astype(str)
        user_ids = np.array(sorted(users.unique()), dtype=object)
        known = set(its.unique())
        extra = sorted(set(map(str, items)) - known) if items is not None else []
        item_ids = np.array(sorted(known) + extra, dtype=object)
        upos = pd.Index(user_ids).get_indexer(users)
        ipos = pd.Index(item_ids).get_indexer(its)
        if binary or col_weight not in pairs.columns:
            data = np.ones(len(pairs), dtype=np.float32)
        else:
            data = pd.to_numeric(pairs[col_weight], errors="coerce").fillna(0.0).to_numpy()
        m = sp.csr_matrix(
            (data.astype(np.float32), (upos, ipos)), shape=(len(user_ids), len(item_ids))
        )
        m.sum_duplicates()
        if binary:
            m.data[:] = 1.0
        m.eliminate_zeros()
        m.sort_indices()
        order = times = None
        if col_timestamp in pairs.columns and pairs[col_timestamp].notna().any():
            order = _time_order(upos, ipos, pairs[col_timestamp], m)
            times = _pair_times(upos, ipos, pairs[col_timestamp], m)
        return cls(m, user_ids, item_ids, order, times)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.user_ids), len(self.item_ids))

    def user_index(self, user_ids: Iterable[str]) -> np.ndarray:
        """Row positions of ``user_ids``; -1 for users not in the matrix (cold start)."""
        return np.array([self._user_pos.get(str(u), -1) for u in user_ids], dtype=np.int64)

    def item_index(self, item_ids: Iterable[str]) -> np.ndarray:
        """Column positions of ``item_ids``; -1 for items not in the matrix."""
        return np.array([self._item_pos.get(str(t), -1) for t in item_ids], dtype=np.int64)

    def to_frame(self) -> pd.DataFrame:
        """The non-zero entries as a long frame ``user_id, item_id, weight`` (and
        ``timestamp`` when the matrix carries times)."""
        m = self.matrix.tocsr()
        m.sort_indices()
        rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        out = pd.DataFrame(
            {
                USER_ID: self.user_ids[rows],
                ITEM_ID: self.item_ids[m.indices],
                WEIGHT: m.data.astype("float64"),
            }
        )
        if self.times is not None and len(self.times) == m.nnz:
            out[TIMESTAMP] = pd.to_datetime(self.times, unit="s")
        return out

    def history(self, user_id: str) -> pd.Series:
        """One user's items and weights, strongest first (empty for an unknown user)."""
        pos = self._user_pos.get(str(user_id), -1)
        if pos < 0:
            return pd.Series(dtype="float64", name=WEIGHT)
        row = self.matrix.getrow(pos)
        s = pd.Series(row.data.astype("float64"), index=self.item_ids[row.indices], name=WEIGHT)
        return s.sort_values(ascending=False, kind="stable")


def _time_order(
    upos: np.ndarray, ipos: np.ndarray, times: pd.Series, m: sp.csr_matrix
) -> sp.csr_matrix:
    """Per-user dense rank of each pair's (latest) time, on the sparsity pattern of ``m``."""
    t = pd.to_datetime(times).astype("int64").to_numpy(dtype=np.float64)
    t[pd.isna(times).to_numpy()] = np.nan
    f = pd.DataFrame({"u": upos, "i": ipos, "t": t}).groupby(["u", "i"], sort=False)["t"].max()
    f = f.reset_index()
    f["t"] = f["t"].fillna(f.groupby("u")["t"].transform("max")).fillna(0.0)
    rank = f.groupby("u")["t"].rank(method="dense").to_numpy(dtype=np.float32)
    o = sp.csr_matrix((rank, (f["u"].to_numpy(), f["i"].to_numpy())), shape=m.shape)
    return o.multiply(m != 0).tocsr()


def _pair_times(
    upos: np.ndarray, ipos: np.ndarray, times: pd.Series, m: sp.csr_matrix
) -> np.ndarray:
    """Each stored pair's latest time (seconds since the epoch), aligned with ``m.data``."""
    since = pd.to_datetime(times) - pd.Timestamp(0)
    t = (since / pd.Timedelta(seconds=1)).to_numpy(dtype=np.float64, na_value=np.nan)
    n_items = max(m.shape[1], 1)
    latest = pd.Series(t).groupby(upos.astype(np.int64) * n_items + ipos).max()
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr)).astype(np.int64)
    return latest.reindex(rows * n_items + m.indices).to_numpy(dtype=np.float64)


def interactions_from_workspace(
    workspace: Any,
    *,
    source: Literal["auto", "events", "orders", "both"] = "auto",
    weights: Mapping[str, float] | None = None,
    order_weight: float = DEFAULT_ORDER_WEIGHT,
    rating: str | None = None,
) -> pd.DataFrame:
    """Interactions from a workspace, pre-aggregated in the engine (events can be 10M+ rows).

    Args:
        workspace: an :class:`opsai.data.workspace.Workspace`.
        source: ``"events"``, ``"orders"``, ``"both"`` or ``"auto"`` (every one present that
            has an ``item_id`` column).
        weights: weight per event type (default :data:`DEFAULT_WEIGHTS`).
        order_weight: weight of one order line.
        rating: explicit-rating column of ``events`` (e.g. MovieLens ``rating``).

    Returns:
        The frame of :func:`build_interactions`; from events, ``attrs["event_weights"]``
        holds the weight each event type got and ``attrs["unweighted_events"]`` the types
        left out; from orders, ``attrs[GUESTS]`` how many orders are guest orders (no
        customer id), which are left out: they are no one's interactions.

    Raises:
        NothingToAnalyse: no table with an ``item_id`` column is present, or the only one is
            orders and every order is a guest order (the chapter is then skipped with this
            reason, not failed).
        ConfigError: no event type has a weight and there are no order lines, or events
            lack the ``rating`` column.
    """
    names = {"auto": ("events", "orders"), "both": ("events", "orders")}.get(source, (source,))
    usable = [n for n in names if workspace.has(n) and ITEM_ID in workspace.columns(n)]
    if not usable or (source == "both" and len(usable) < 2):
        raise NothingToAnalyse(
            f"recommend: no {' or '.join(names)} table with an item_id column, so there is "
            f"nothing to recommend (present: {', '.join(workspace.present)}). If your events "
            "or orders name what users used or bought, map it in "
            "data.tables.<table>.columns.item_id"
        )
    if rating and "events" in usable and rating not in workspace.columns("events"):
        have = ", ".join(map(str, workspace.columns("events")))
        raise ConfigError(
            f"recommend: events have no rating column {rating!r} (RATING; events have: {have}). "
            f"Map the column holding the ratings to {rating!r} in data.tables.events.columns, "
            'or set chapters.03b_recommendation.parameters.RATING to another column ("": '
            "event weights)"
        )
    wmap = dict(DEFAULT_WEIGHTS if weights is None else weights)
    used: dict[str, float] = {}  # the data's event types and their weights
    unweighted: list[str] = []
    parts: list[pd.DataFrame] = []
    returned = pd.DataFrame({USER_ID: [], ITEM_ID: []})
    guests: GuestShare | None = None
    for name in usable:
        t = workspace.table(name)
        if name == "orders":  # guest orders (no customer id) are no one's interactions
            guests = guest_share(t)
            if not guests.known_orders and usable == ["orders"]:
                raise NothingToAnalyse(f"recommend: {no_tastes_reason(guests)}")
            t = known_customers(t)
        t = workspace.item_lines(name, t)  # postage, fees (non_items): no one's taste
        t = t.filter(t[ITEM_ID].notnull())
        if name == "events" and rating:
            raw = t.select(USER_ID, ITEM_ID, TIMESTAMP, rating).to_pandas()
            parts.append(build_interactions(raw, rating=rating))
            continue
        keys = [USER_ID, ITEM_ID]
        n, last = t.count(), t[TIMESTAMP].max()
        if name == "events":
            kinds = t.select(EVENT).distinct().to_pandas()[EVENT].dropna().tolist()
            used, unweighted = resolve_weights(wmap, kinds)
            t = t.filter(t[EVENT].isin(list(used)))
            keys.append(EVENT)
            n = t.count()
        else:  # order lines: units, a return's negative; a pair's time is its last purchase
            units = _signed_units_expr(t)
            n = units.sum()
            last = (units > 0).ifelse(t[TIMESTAMP], ibis.null(t[TIMESTAMP].type())).max()
        g = t.group_by(keys).aggregate(**{COUNT: n, TIMESTAMP: last}).to_pandas()
        if name == "orders":
            returned = g[g[COUNT] <= 0]
            g = g[g[COUNT] > 0]
        if g.empty:
            continue
        unit = g[EVENT].map(used).astype("float64") if name == "events" else float(order_weight)
        g[WEIGHT] = unit * g[COUNT].astype("float64")
        parts.append(g[[USER_ID, ITEM_ID, WEIGHT, COUNT, TIMESTAMP]])
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({WEIGHT: []})
    if long.empty or long[WEIGHT].notna().sum() == 0:
        msg = f"recommend: no interaction left from {', '.join(usable)}"
        if "events" in usable:
            ev = workspace.table("events")
            numeric = [
                c for c, t in ev.schema().items() if t.is_numeric() and c not in (USER_ID, ITEM_ID)
            ]
            msg += (
                f": the events' types ({', '.join(map(str, unweighted[:8])) or 'none'}) have no "
                f"weight in EVENT_WEIGHTS ({', '.join(sorted(wmap))}). Give them one in the "
                "config's chapters.03b_recommendation.parameters.EVENT_WEIGHTS, or name the "
                "column of explicit ratings in RATING"
                + (f" (numeric columns of events: {', '.join(numeric)})" if numeric else "")
            )
        raise ConfigError(msg)
    long = long[long[WEIGHT].notna()]
    long[USER_ID] = long[USER_ID].astype(str)
    long[ITEM_ID] = long[ITEM_ID].astype(str)
    out = long.groupby([USER_ID, ITEM_ID], as_index=False, sort=True).agg(
        **{WEIGHT: (WEIGHT, "sum"), COUNT: (COUNT, "sum"), TIMESTAMP: (TIMESTAMP, "max")}
    )
    out[WEIGHT] = out[WEIGHT].astype("float64")
    out[COUNT] = out[COUNT].round().astype("int64")
    out = out.reset_index(drop=True)
    if "orders" in usable:
        out.attrs[RETURNED] = _returned_pairs(returned.astype({USER_ID: str, ITEM_ID: str}), out)
    if guests is not None:
        out.attrs[GUESTS] = guests
    if "events" in usable and not rating:
        out.attrs["event_weights"], out.attrs["unweighted_events"] = used, unweighted
    return out
