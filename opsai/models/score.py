"""``opsai score``: apply a report run's saved models to new data and write CSVs.

For each chapter whose models the run saved (``<run>/models/<chapter>/``, hashes verified):

- ``churn_risk.csv`` (3a): every buyer's churn probability from features computed as of the
  new data's last order, the risk rank (1 = most likely to leave), spend so far and, with the
  saved BG/NBD + Gamma-Gamma parameters, the expected purchases and value over the CLV horizon;
- ``recommendations.csv`` (3b): the top-K items of every user of the new data, from their
  training plus new history; users the model cannot score get the most popular items;
- ``forecasts.csv`` (4): the saved model choice re-fitted per series on the new history, with
  the forecast and its intervals (not reconciled: that needs a new backtest); the new data's
  coming event days (its ``calendar`` table's rows after the last day) are given to the
  forecast as the chapter gives them.

A chapter the run did not save, or whose tables the new data lacks, is skipped with its reason.

Example:
    >>> result = score("reports/latest", "new/opsai.yaml")   # doctest: +SKIP
    >>> result.written["churn_risk"]                            # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from opsai.data.schema import ITEM_ID, TIMESTAMP, USER_ID
from opsai.errors import ConfigError, SchemaError
from opsai.models import behavior, forecast, recommend
from opsai.models.store import MANIFEST, models_dir


@dataclass
class ScoreResult:
    """What :func:`score` wrote and what it skipped (chapter -> reason)."""

    out: Path
    written: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


_SCORED = (behavior.CHAPTER, recommend.CHAPTER, forecast.CHAPTER)
"""The chapters whose saved models ``opsai score`` applies, in its order."""


def why_unsaved(run: Path, chapter: str) -> str | None:
    """Why a run saved no models for ``chapter``, as its ``results/<chapter>.json`` says:
    chapter 3a trained no churn model (its ``churn_skipped`` finding, with the count of
    churners), or the chapter was skipped or failed. ``None`` when the results say neither (or
    the run has none for it)."""
    try:
        data = json.loads((run / "results" / f"{chapter}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    status = data.get("status")
    if status in ("skipped", "failed"):
        return f"chapter {chapter} {status} in that run ({data.get('reason') or 'no reason given'})"
    for f in data.get("findings") or []:
        if isinstance(f, dict) and f.get("name") == "churn_skipped":
            why = (f.get("evidence") or {}).get("reason") or "too few churners"
            return (
                f"chapter {chapter} trained no churn model in that run ({why}), so there is no "
                "churn model to score with. churn_risk.csv needs a report run whose orders hold "
                "enough customers who churned and who stayed: build the report again on a "
                "longer order history (opsai report --config FILE) and pass that run"
            )
    return None


def find_run(run_dir: str | os.PathLike[str]) -> Path:
    """The run folder holding ``models/``: ``run_dir`` itself, or its ``latest`` run.

    Raises:
        ConfigError: neither has saved models (the message says why when the run's results
            do, e.g. chapter 3a trained no churn model: too few churners).
    """
    p = Path(run_dir).expanduser()
    for cand in (p, p / "latest"):
        if models_dir(cand).is_dir():
            return cand.resolve()
    if not p.exists():
        raise ConfigError(f"--run {p}: no such folder; pass a report run folder (reports/<run>)")
    for cand in (p, p / "latest"):
        reasons = [r for c in _SCORED if (r := why_unsaved(cand, c))]
        if reasons:
            raise ConfigError(f"--run {p}: no saved models: " + "; ".join(reasons))
    raise ConfigError(
        f"--run {p}: no saved models (no {models_dir(p)}). Build a report with this version of "
        "opsai (opsai report --config FILE) and pass its run folder"
    )


def _saved(run: Path, chapter: str) -> bool:
    return (models_dir(run) / chapter / MANIFEST).is_file()


def _orders(ws: Any, saved: behavior.UserBehaviorModels, notes: list[str]) -> Any:
    """The orders with a customer id (guest orders are no one's to score), or the purchase
    events read as orders the way the chapter read them."""
    from opsai.behavior.purchases import orders_from_events
    from opsai.data.customers import known_customers

    if ws.has("orders"):
        return known_customers(ws.table("orders"))
    if not ws.has("events"):
        raise SchemaError(
            f"the new data has no orders or events table (present: {', '.join(ws.present)})"
        )
    how = saved.purchases or {"event": "purchase", "value": None}
    orders, info = orders_from_events(ws.table("events"), purchase=how["event"], value=how["value"])
    notes.append("churn: " + info["text"])
    return orders


def saved_levels(features: list[str], columns: Any) -> dict[str, list[str]]:
    """The one-hot levels the churn model was trained on, per users column (``u_region=UK``
    -> ``{"region": ["UK"]}``): the new data's users are encoded with these, not with the levels
    common in the new users table (a level rare there would be dropped, and set to 0 for the
    users who hold it)."""
    out: dict[str, list[str]] = {}
    for col in map(str, columns):
        got = [f[len(f"u_{col}=") :] for f in features if f.startswith(f"u_{col}=")]
        if got:
            out[col] = got
    return out


def _lost_event_types(events: Any, trained: list[str] | None) -> list[str]:
    """The event types the training events held (of those counted) that ``events`` lacks."""
    from opsai.data.schema import EVENT

    if not trained:
        return []
    held = events.filter(events[EVENT].isin(trained)).select(EVENT).distinct().to_pandas()
    return [t for t in trained if t not in set(map(str, held[EVENT]))]


_HISTORY_FEATURES = ("tenure_days", "frequency", "monetary", "mean_gap_days")
_SHORT = 0.75  # the new history is "short" under this share of the training features' span


def short_history(
    first: pd.Timestamp, last: pd.Timestamp, saved: behavior.UserBehaviorModels
) -> str | None:
    """A note when the new orders span much less time than the training features saw.

    The features count every order before the cut-off, so an export of the last few months
    only makes a five-year customer read as new (tenure, frequency and spend from the
    export alone). The training features saw ``end - horizon - start`` of the run's data
    window; under 75% of that, the note names the spans and the fix.
    """
    window = saved.manifest.get("data_window") or {}
    if not window.get("start") or not window.get("end"):
        return None
    start, end = pd.Timestamp(window["start"]), pd.Timestamp(window["end"])
    if start.tz is not None:
        start, end = start.tz_convert(None), end.tz_convert(None)
    if first.tz is not None:
        first, last = first.tz_convert(None), last.tz_convert(None)
    trained = (end - pd.Timedelta(days=saved.horizon_days) - start).days
    new = (last - first).days
    used = [f for f in _HISTORY_FEATURES if f in saved.features]
    if trained <= 0 or new >= _SHORT * trained or not used:
        return None
    return (
        f"churn: the new orders cover {new:,} days ({first:%Y-%m-%d} to {last:%Y-%m-%d}); the "
        f"model's features saw up to {trained:,} days of history ({start:%Y-%m-%d} on). "
        f"{', '.join(used)} count only the orders the export holds, so long-standing customers "
        "look new and their churn risk is misread. Score an export with the whole order "
        "history (the run's orders and the new ones)"
    )


def churn_risk(ws: Any, saved: behavior.UserBehaviorModels, notes: list[str]) -> pd.DataFrame:
    """Churn probability, risk rank and (with the CLV parameters) value for every buyer."""
    from opsai.behavior import churn, clv
    from opsai.behavior._engine import as_table
    from opsai.behavior.attributes import integer_dates, order_attributes

    orders = _orders(ws, saved, notes)
    events = users = None
    if saved.uses_events:
        if ws.has("events"):
            events = ws.table("events")
            gone = _lost_event_types(events, saved.event_types)
            if gone:
                notes.append(
                    f"churn: the new events have no {', '.join(map(repr, gone))} events, which "
                    "the model counted in training (ev_n_<type> is 0 for every user, so they "
                    "look less active). If the export renamed them, rename them back"
                )
        else:
            notes.append("churn: the model used events, the new data has none (activity = 0)")
    if saved.uses_users:  # with the attributes 03a took from orders/events (a Country column)
        users, _ = order_attributes(
            orders, events, ws.to_pandas("users") if ws.has("users") else None
        )
        if users is None:
            notes.append("churn: the model used user attributes, the new data has no users")
        else:  # as 03a: 20150101 is a date (u_<col>_days), not a number
            users = integer_dates(users)
    last = churn.last_timestamp(orders)
    first = pd.Timestamp(as_table(orders, name="orders")[TIMESTAMP].min().to_pandas())
    if note := short_history(first, last, saved):
        notes.append(note)
    frame = churn.churn_frame(
        orders,
        cutoff=last + pd.Timedelta(seconds=1),
        horizon_days=saved.horizon_days,
        events=events,
        users=users,
        levels=None if users is None else saved_levels(saved.features, users.columns),
    )
    missing = [c for c in saved.features if c not in frame.columns]
    if missing:
        notes.append(
            f"churn: {len(missing)} feature(s) absent from the new data, set to 0: "
            + ", ".join(missing[:5])
            + (" ..." if len(missing) > 5 else "")
        )
    p = saved.churn.predict_proba(frame.reindex(columns=saved.features, fill_value=0.0))[:, 1]
    out = pd.DataFrame(
        {
            USER_ID: frame.index.astype(str),
            "churn_probability": p,
            "monetary": frame["monetary"].to_numpy(),
            "recency_days": frame["recency_days"].to_numpy(),
            # the model learnt on customers still ordering; the others have lapsed (win-back)
            "still_active": churn.still_active(frame, horizon_days=saved.horizon_days).to_numpy(),
        }
    )
    out["risk_rank"] = (
        out["churn_probability"].rank(ascending=False, method="first").astype("int64")
    )
    if saved.bg is not None and saved.gg is not None:
        s = clv.summary(orders, calibration_end=last.normalize())
        v = clv.customer_value(s, saved.bg, saved.gg, t=saved.clv_weeks)
        v.index = v.index.astype(str)
        out = out.join(v[["p_alive", "expected_purchases", "clv"]], on=USER_ID)
        if note := one_time_buyers_note(s["frequency"]):
            notes.append(note)
    out.attrs["asof"] = str(last)
    cols = [USER_ID, "churn_probability", "risk_rank"]
    out = out[cols + [c for c in out.columns if c not in cols]]
    return out.sort_values("risk_rank", ignore_index=True)


def one_time_buyers_note(frequency: pd.Series) -> str | None:
    """Why ``p_alive`` reads 1.0 beside a high churn probability, when buyers without a repeat
    purchase (``frequency`` 0 in :func:`opsai.behavior.clv.summary`) are among those scored."""
    once = int((frequency == 0).sum())
    if not once:
        return None
    return (
        f"clv: {once:,} of {len(frequency):,} buyers have no repeat purchase; BG/NBD lets a "
        "customer drop out only after a repeat purchase, so their p_alive is 1.0 whatever their "
        "churn_probability. Rank and act on churn_probability; p_alive and clv compare repeat "
        "buyers"
    )


def recommendations(
    ws: Any,
    saved: recommend.SavedRecommender,
    *,
    k: int | None = None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Top-K lists for every user of the new data (users table and interactions); items the
    model never saw are named in ``notes`` (it can neither recommend them nor read them)."""
    from opsai.recommend.chapter import load_data
    from opsai.recommend.interactions import DEFAULT_WEIGHTS

    pairs, items = load_data(ws, weights=saved.weights, rating=saved.rating)  # "auto" as in 3b
    left = [
        e for e in pairs.attrs.get("unweighted_events") or [] if e not in (saved.unweighted or [])
    ]
    if left and notes is not None:  # types the training data did not have
        notes.append(
            f"recommendations: events of type {', '.join(map(repr, left[:8]))} are not read: "
            f"the run's EVENT_WEIGHTS ({', '.join(saved.weights or DEFAULT_WEIGHTS)}) give them no "
            "weight. "
            "If one is a new name for a weighted type (an export that now writes "
            "'product_view' for 'view'), rename it back, or run the report again with "
            "EVENT_WEIGHTS naming it"
        )
    known = pd.Index(saved.model.interactions_.item_ids)
    unseen = ~pairs[ITEM_ID].astype(str).isin(known)
    new = pd.concat([pairs.loc[unseen, ITEM_ID], *([] if items is None else [items[ITEM_ID]])])
    new = pd.Index(new.astype(str).unique()).difference(known)
    if len(new) and notes is not None:
        lone = pairs.loc[unseen, USER_ID].nunique()
        notes.append(
            f"recommendations: {len(new):,} item(s) are not in the run's model (added since "
            f"it was trained, e.g. {', '.join(new[:3])}): they are never recommended, and their "
            f"{int(unseen.sum()):,} user-item interaction(s) of {lone:,} user(s) are left out of "
            "the histories (a user with only these gets the bestsellers). A new report run "
            "learns them"
        )
    users = list(dict.fromkeys(pairs[USER_ID].astype(str)))
    if ws.has("users"):
        users += [u for u in ws.to_pandas("users", [USER_ID])[USER_ID].astype(str) if u]
    return recommend.recommend_for(saved, pairs, users, k=k)


def forecasts(ws: Any, saved: forecast.SavedForecasts) -> pd.DataFrame:
    """The saved model choice re-fitted on the new history (read as the chapter read its own:
    the same series filter, purchase event and item cap, items with an inventory row kept
    first): forecasts with intervals."""
    from opsai.forecast.periods import drop_last_period, partial_period
    from opsai.forecast.series import build_series, event_calendar, future_events, parse_filter

    s = saved.settings
    cap = s.get("max_series")
    keep = ws.to_pandas("inventory")[ITEM_ID].astype(str) if cap and ws.has("inventory") else []
    where = parse_filter(str(s.get("series_filter") or ""))
    freq: Any = saved.freq
    hs = build_series(
        ws,
        freq=freq,
        where=where,
        purchase=str(s.get("purchase_event") or "purchase"),
        max_items=int(cap) if cap else None,
        keep=keep,
    )
    if partial_period(ws, hs, where=where, purchase=str(s.get("purchase_event") or "purchase")):
        hs = drop_last_period(hs)  # as the chapter: a period the data stops in is no history
    model = saved.forecaster()
    model.fit(hs.df)
    # as the chapter: the new data's event days after its last one (a calendar table's coming
    # holidays) are the forecast's X_future, so the global models lift them
    events = event_calendar(ws, freq=freq, where=where)
    ahead = future_events(model.future_index(saved.h), events)
    pred = model.predict(saved.h, level=saved.level, X_future=ahead)
    name = model.name
    out = pd.DataFrame(
        {
            "unique_id": pred[ITEM_ID].astype(str),
            "ds": pred[TIMESTAMP],
            "model": pred[ITEM_ID].map(model.choice_),
            "forecast": pred[name],
        }
    )
    for lv in saved.level:
        out[f"lo_{lv}"] = pred[f"{name}-lo-{lv}"]
        out[f"hi_{lv}"] = pred[f"{name}-hi-{lv}"]
    out.attrs["history_end"] = str(hs.df[TIMESTAMP].max())
    out.attrs["unseen"] = int((~pred[ITEM_ID].drop_duplicates().isin(saved.choice)).sum())
    return out


def score(
    run_dir: str | os.PathLike[str],
    config: Any,
    *,
    out: str | os.PathLike[str] | None = None,
    k: int | None = None,
    log: Callable[[str], None] | None = print,
) -> ScoreResult:
    """Apply a run's saved models to the data of ``config`` and write the CSVs.

    Args:
        run_dir: the report run folder (``reports/<run>`` or a reports folder with ``latest``).
        config: the new data's config (file or :class:`~opsai.config.Config`).
        out: folder for the CSVs (default ``<run>/scores``).
        k: recommendation list length (default: the chapter's).
        log: called with one line per chapter (``None``: quiet).

    Raises:
        ConfigError: no saved models in ``run_dir``.
        ModelStoreError: a saved file changed since it was written, or holds untrusted types.
    """
    from opsai.data.workspace import open_workspace

    say = log or (lambda _: None)
    run = find_run(run_dir)
    dest = Path(out).expanduser().resolve() if out is not None else run / "scores"
    result = ScoreResult(dest)
    with open_workspace(config) as ws:
        jobs: list[tuple[str, str, Callable[[], pd.DataFrame], tuple[str, ...]]] = [
            ("churn_risk", behavior.CHAPTER,
             lambda: churn_risk(ws, behavior.load_user_behavior(run), result.notes), ()),
            ("recommendations", recommend.CHAPTER,
             lambda: recommendations(ws, recommend.load_recommender(run), k=k,
                                     notes=result.notes), ()),
            ("forecasts", forecast.CHAPTER,
             lambda: forecasts(ws, forecast.load_forecasts(run)), ()),
        ]  # fmt: skip
        for name, chapter, make, needs in jobs:
            if not _saved(run, chapter):
                result.skipped[chapter] = (
                    why_unsaved(run, chapter) or f"the run has no saved models for {chapter}"
                )
            elif [t for t in needs if not ws.has(t)]:
                result.skipped[chapter] = (
                    f"the new data has no {' or '.join(needs)} table (present: "
                    f"{', '.join(ws.present)})"
                )
            else:
                try:
                    frame = make()
                except (SchemaError, ConfigError) as e:  # its tables are absent or unusable
                    result.skipped[chapter] = str(e)
                else:
                    dest.mkdir(parents=True, exist_ok=True)
                    path = dest / f"{name}.csv"
                    frame.to_csv(path, index=False)
                    result.written[name], result.rows[name] = path, len(frame)
                    say(f"{name}.csv: {len(frame):,} rows{_detail(name, frame)} ({chapter})")
            if chapter in result.skipped:
                say(f"skipped {chapter}: {result.skipped[chapter]}")
    for note in result.notes:
        say(f"note: {note}")
    return result


def _detail(name: str, frame: pd.DataFrame) -> str:
    if name == "churn_risk" and len(frame):
        high = int((frame["churn_probability"] >= 0.5).sum())
        return f", {high:,} users more likely than not to churn, as of {frame.attrs.get('asof')}"
    if name == "recommendations" and len(frame):
        users = frame[USER_ID].nunique()
        cold = frame.loc[frame["source"] == "fallback", USER_ID].nunique()
        return f" for {users:,} users ({cold:,} given the bestseller fallback)"
    if name == "forecasts" and len(frame):
        unseen = frame.attrs.get("unseen", 0)
        extra = f"; {unseen} new series got the overall best model" if unseen else ""
        return f" for {frame['unique_id'].nunique():,} series{extra}"
    return ""


__all__ = [
    "ScoreResult", "churn_risk", "find_run", "forecasts", "recommendations", "saved_levels", "score",
    "short_history", "why_unsaved",
]  # fmt: skip
