"""``opsai init`` on the ticket exports of BYOD round 8: a Freshdesk export with Japanese
headers (Shift-JIS) and Olist's reviews with a 1-5 ``review_score``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.init import plan_folder

pytestmark = pytest.mark.unit

_TEXTS = ("ログインできません。パスワードを再設定しました。", "二重に請求されました。返金をお願いします。",
          "アプリが起動しません。", "配送が遅れています。いつ届きますか。")  # fmt: skip
_CSAT = ("Happy", "Neutral", "Unhappy", "")


def _freshdesk_ja(folder: Path, resolved: str | None = "解決日時") -> Path:
    """Freshdesk's ticket export with Japanese headers: the created time first, the first
    response and the resolution after it (empty for open tickets)."""
    head = ["チケットID", "件名", "説明", "ステータス", "Source", "作成日時"]
    head += [resolved] if resolved else []
    head += ["Initial response time", "満足度"]
    rows = [",".join(head)]
    for i in range(60):
        created = f"2024-{1 + i % 12:02d}-{1 + i % 27:02d} 09:{i % 60:02d}:00"
        cells = [
            str(1000 + i),
            "請求",
            _TEXTS[i % 4],
            "Closed" if i % 6 else "Open",
            "Email",
            created,
        ]
        if resolved:
            cells.append(
                "" if i % 6 == 0 else f"2024-{1 + i % 12:02d}-{2 + i % 27:02d} 15:{i % 60:02d}:00"
            )
        cells += [f"2024-{1 + i % 12:02d}-{1 + i % 27:02d} 11:00:00", _CSAT[i % 4]]
        rows.append(",".join(cells))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "チケット.csv").write_bytes(("\n".join(rows) + "\n").encode("shift_jis"))
    return folder


def test_japanese_freshdesk_headers_map_created_resolved_and_satisfaction(tmp_path: Path) -> None:
    """D17: 作成日時 (created) was taken as resolved_at and 'Initial response time' as the
    timestamp, so chapter 05 printed negative resolution times; 満足度 was left unmapped. Now
    the Japanese names map by name."""
    (g,) = plan_folder(_freshdesk_ja(tmp_path)).guesses
    got = {m.contract: (m.source, m.how) for m in g.matches}
    assert g.table == "tickets" and g.confidence == "high"
    assert got["ticket_id"] == ("チケットID", "name")
    assert got["timestamp"] == ("作成日時", "name")
    assert got["resolved_at"] == ("解決日時", "name")
    assert got["sentiment"] == ("満足度", "name")
    assert got["text"] == ("説明", "name")


def test_a_created_or_unnamed_time_is_never_the_resolution(tmp_path: Path) -> None:
    """D17: without a resolution column, neither the created time nor another time found by
    its values alone ('Initial response time') becomes resolved_at."""
    (g,) = plan_folder(_freshdesk_ja(tmp_path, resolved=None)).guesses
    got = {m.contract: m.source for m in g.matches}
    assert got["timestamp"] == "作成日時"
    assert "resolved_at" not in got
    (g,) = plan_folder(_freshdesk_ja(tmp_path / "en", resolved="Created At 2")).guesses
    assert "resolved_at" not in {m.contract for m in g.matches}


def _reviews(folder: Path, score: str, values: list[int], bare: int = 0) -> Path:
    """Olist's order reviews: a 32-hex review and order id, the score, a Portuguese comment
    (empty on every ``bare``-th review when ``bare``: a rating without a comment)."""
    rows = [f"review_id,order_id,{score},review_comment_message,review_creation_date"]
    comments = ("Produto chegou antes do prazo, recomendo", "Não recebi o produto ainda",
                "Veio errado, quero devolver", "Ótimo vendedor, tudo certo")  # fmt: skip
    for i in range(80):
        text = "" if bare and i % bare == 0 else f'"{comments[i % 4]} ({i})"'
        rows.append(
            f"{i:032x},{i * 7919:032x},{values[i % len(values)]},{text},"
            f"2018-{1 + i % 12:02d}-{1 + i % 27:02d} 00:00:00"
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "olist_order_reviews_dataset.csv").write_text("\n".join(rows) + "\n", "utf-8")
    return folder


@pytest.mark.parametrize("score", ["review_score", "nota", "Bewertung", "star_rating"])
def test_review_score_of_whole_stars_is_the_sentiment(tmp_path: Path, score: str) -> None:
    """D16: Olist's review_score (1-5) was kept as an attribute, so Portuguese reviews got no
    sentiment. Now a score column of whole stars 1-5 is the tickets' sentiment."""
    (g,) = plan_folder(_reviews(tmp_path, score, [5, 4, 1, 5, 3, 2])).guesses
    got = {m.contract: m.source for m in g.matches}
    assert g.table == "tickets"
    assert got["sentiment"] == score
    assert got["text"] == "review_comment_message"


def test_reviews_without_a_comment_are_dropped_not_refused(tmp_path: Path) -> None:
    """Verification N5: with review_score mapped, Olist's reviews without a comment (57%)
    stopped validation of the config init wrote ('text is empty in 5,450 rows'). init now
    sets drop_incomplete on tickets whose sampled texts are partly empty, with a note."""
    (g,) = plan_folder(_reviews(tmp_path, "review_score", [5, 4, 1], bare=2)).guesses
    assert g.table == "tickets" and g.options.get("drop_incomplete") is True
    assert any(n.startswith("40 of 80 sampled rows have no text") for n in g.notes)
    (g,) = plan_folder(_reviews(tmp_path / "full", "review_score", [5, 4, 1])).guesses
    assert "drop_incomplete" not in g.options


@pytest.mark.parametrize("values", [[0, 7, 9, 10, 3, 8], [1, 2, 1, 2], [4.5, 3.5, 5, 1]])
def test_a_score_of_another_scale_is_no_sentiment(tmp_path: Path, values: list[int]) -> None:
    """D16: an NPS 0-10, a 1/2 flag or half stars named 'score' stay attributes."""
    (g,) = plan_folder(_reviews(tmp_path, "score", values)).guesses
    assert "sentiment" not in {m.contract for m in g.matches}


def test_validation_warns_when_tickets_are_resolved_before_they_were_opened(tmp_path: Path) -> None:
    """D17: the mapping init wrote (timestamp = 'Initial response time', resolved_at = 作成日時)
    validated without a word. Now validation counts the tickets resolved before their
    timestamp and asks whether the columns are swapped."""
    _freshdesk_ja(tmp_path)
    cols = {"ticket_id": "チケットID", "text": "説明", "timestamp": "Initial response time",
            "resolved_at": "作成日時"}  # fmt: skip
    spec = {"file": "チケット.csv", "encoding": "shift_jis", "columns": cols}
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": ".", "tables": {"tickets": spec}}}), "utf-8")
    with open_workspace(cfg) as ws:
        (w,) = [w for w in ws.warnings if w.column == "resolved_at"]
    assert (w.table, w.count) == ("tickets", 60)
    assert w.message.startswith("60 of 60 resolved tickets (100%) have resolved_at before their")
    assert "are the two columns swapped" in w.message
    cols.update(timestamp="作成日時", resolved_at="解決日時")
    cfg.write_text(yaml.safe_dump({"data": {"source": ".", "tables": {"tickets": spec}}}), "utf-8")
    with open_workspace(cfg) as ws:
        assert not [w for w in ws.warnings if w.column == "resolved_at"]


def test_a_review_title_is_not_the_ticket_text(tmp_path: Path) -> None:
    """Verification N3: a Trustpilot export's 'Review Title' (its headline, a few words) was
    taken as the ticket text by part of its name, ahead of 'Review Content' (the message)."""
    rows = ["Review Id,Review Created (UTC),Review Title,Review Content,Review Stars"]
    for i in range(60):
        rows.append(
            f"r{i:04d},2024-01-{1 + i % 28:02d}T10:00:00Z,Late again,"
            f'"The parcel arrived a week late and nobody answered ({i})",{1 + i % 5}'
        )
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "trustpilot_export_2024.csv").write_text("\n".join(rows) + "\n", "utf-8")
    (g,) = plan_folder(tmp_path).guesses
    got = {m.contract: m.source for m in g.matches}
    assert g.table == "tickets" and got["text"] == "Review Content"
    assert got["sentiment"] == "Review Stars"
