"""The Callbacks tab with web declarations: who declared, where, the triage level as a badge,
the SpO2 and danger signs, the receipt; the most urgent first; what the public typed shown as
text, never as markup. Real widgets offscreen, fed with the protocol's messages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextDocument
from PySide6.QtGui import Qt as QtText
from PySide6.QtWidgets import QApplication

from desktop.models import LEVEL_ROLE
from desktop.windows import AgentWindow
from desktop.windows.callbacks import CallbacksView
from protocol import messages as m
from tests.support.desktop_windows import NOW, Clock, agent_view, iso

F0 = "f0_home_care"
TRICK = '<b>x</b><img src="x"><script>alert(1)</script>'  # a "name" typed on the web form
DUE, TRIAGE, PHONE, TOPIC, REASON, WHO, ATTEMPTS, LAST_TRY = range(8)


def declared(callback_id: int, due_minutes: float, level: str | None, *,
             name: str = "Nguyễn Thị Hồng Nhung", birth_year: int | None = 1958,
             unit: str | None = "Xã Tân Thuận", red_flags: list[str] | None = None,
             spo2: float | None = None, receipt: str = "KB7K3M9Q2P",
             **fields: Any) -> dict[str, Any]:
    """A callback owed for a web declaration, as callcenter/hub/store.py pushes it."""
    return {"id": callback_id, "phone": f"09130001{callback_id:02d}", "topic": F0,
            "reason": "declaration", "state": "open",
            "due_at": iso(NOW + timedelta(minutes=due_minutes)), "attempts": 0, "note": None,
            "case_id": None, "last_result": None, "last_attempt_at": None,
            "declaration": {"id": callback_id + 500, "receipt": receipt, "full_name": name,
                            "birth_year": birth_year, "level": level, "unit": unit,
                            "received_at": iso(NOW - timedelta(minutes=30)), "source": "web",
                            "red_flags": red_flags or [], "spo2": spo2},
            **fields}


def owed(callback_id: int, due_minutes: float, reason: str = "abandoned") -> dict[str, Any]:
    """A callback with no declaration (a caller who hung up while waiting, a follow-up)."""
    return {"id": callback_id, "phone": f"09180002{callback_id:02d}", "topic": F0,
            "reason": reason, "state": "open",
            "due_at": iso(NOW + timedelta(minutes=due_minutes)), "attempts": 1, "note": None,
            "declaration": None}


def callbacks() -> list[dict[str, Any]]:
    return [
        owed(1, 40, "follow_up"),  # later, nothing urgent
        declared(2, 180, "green", name="Trần Văn Đạt", birth_year=2015, unit=None,
                 receipt="KB9P8Q7R6S"),
        owed(3, -25),  # overdue
        declared(4, -5, "yellow", name=TRICK, birth_year=1990, unit="Phường Tân Thành",
                 spo2=96, receipt="KB2H4J6K8M"),  # overdue
        declared(5, 20, "orange", name="Lê Thị Ánh Tuyết", birth_year=1972,
                 unit="Xã Đất Mũi", red_flags=["dyspnoea"], receipt="KB3C5D7F9G"),
        declared(6, 10, "red", red_flags=["dyspnoea", "chest_pain"], spo2=91),
        declared(7, 60, "yellow", name="Phạm Thị Yến", birth_year=1950, receipt="KB4D6F8H1J"),
    ]


def show(window: AgentWindow, rows: list[dict[str, Any]]) -> CallbacksView:
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available"), callbacks=rows))
    return window.callbacks_view


def cell(view: CallbacksView, callback_id: int, column: int,
         role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    model = view.model
    number = next(n for n, row in enumerate(model.rows) if row["id"] == callback_id)
    return model.data(model.index(number, column), role)


def test_declarations_show_who_where_how_urgent_and_the_receipt_in_vietnamese(
        window: AgentWindow) -> None:
    view = show(window, callbacks())
    model = view.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:6] == ["Hạn gọi", "Phân loại", "Số điện thoại", "Chủ đề", "Lý do",
                           "Người khai báo"]
    assert cell(view, 6, TRIAGE) == "Đỏ\nSpO2 91%\n2 dấu hiệu nguy hiểm"
    assert cell(view, 6, TRIAGE, LEVEL_ROLE) == "red"
    assert cell(view, 6, WHO) == "Nguyễn Thị Hồng Nhung, 68 tuổi\nXã Tân Thuận"  # 2026 − 1958
    assert cell(view, 6, REASON) == "Tờ khai trực tuyến\nKB-7K3M-9Q2P"
    assert cell(view, 6, DUE) == "09:51"  # today: the time alone
    assert cell(view, 5, TRIAGE) == "Cam\n1 dấu hiệu nguy hiểm"
    assert cell(view, 2, TRIAGE) == "Xanh" and cell(view, 2, TRIAGE, LEVEL_ROLE) == "green"
    assert cell(view, 2, WHO) == "Trần Văn Đạt, 11 tuổi"  # no commune given
    assert cell(view, 4, TRIAGE) == "Vàng\nSpO2 96%"
    assert cell(view, 4, DUE) == "09:36 — quá hạn"
    assert cell(view, 3, TRIAGE) == "" and cell(view, 3, TRIAGE, LEVEL_ROLE) is None
    assert cell(view, 3, WHO) == "" and cell(view, 3, REASON) == "Gác máy khi đang chờ"
    assert cell(view, 1, TOPIC) == "F0 điều trị tại nhà"  # the topic's short name
    assert cell(view, 1, TOPIC, Qt.ItemDataRole.ToolTipRole) == "F0 điều trị tại nhà"


def test_red_and_orange_first_then_the_overdue_then_by_level_and_due(
        window: AgentWindow, clock: Clock) -> None:
    view = show(window, callbacks())
    assert [row["id"] for row in view.model.rows] == [6, 5, 4, 3, 7, 1, 2]
    # red, orange; overdue: yellow, then no level; not yet due: yellow, none (as green) by due
    assert list(view.buttons) == [6, 5, 4, 3, 7, 1, 2]  # a dial button on each row
    assert window.tabs.tabText(1) == "Gọi lại (7) — 2 quá hạn"
    clock.advance(45 * 60)  # the follow-up (due at +40 min) falls overdue, the yellow not yet
    assert view.model.resort()
    assert [row["id"] for row in view.model.rows] == [6, 5, 4, 3, 1, 7, 2]
    assert not view.model.resort()  # nothing moved since


def test_a_name_typed_as_markup_is_shown_as_it_was_typed(window: AgentWindow) -> None:
    view = show(window, callbacks())
    shown = cell(view, 4, WHO)
    assert shown == f"{TRICK}, 36 tuổi\nPhường Tân Thành"
    tip = cell(view, 4, WHO, Qt.ItemDataRole.ToolTipRole)
    # A tooltip that looks like HTML is read as HTML (QToolTip): this one only says the text.
    document = QTextDocument()
    if QtText.mightBeRichText(tip):
        document.setHtml(tip)
    else:
        document.setPlainText(tip)
    assert document.toPlainText().replace("\u2028", "\n") == shown
    assert "<img" not in document.toHtml() and "<script" not in document.toHtml()
    assert cell(view, 6, WHO, Qt.ItemDataRole.ToolTipRole) == cell(view, 6, WHO)  # plain: as is


def _has_colour(view: CallbacksView, callback_id: int, colour: str) -> bool:
    table = view.view
    number = next(n for n, row in enumerate(view.model.rows) if row["id"] == callback_id)
    rect = table.visualRect(view.model.index(number, TRIAGE))
    image = table.viewport().grab().toImage()
    wanted = QColor(colour)
    return any(image.pixelColor(x, y) == wanted
               for x in range(rect.left(), rect.right(), 2)
               for y in range(rect.top(), rect.bottom(), 2))


def test_the_level_is_painted_as_a_badge_of_its_colour(qtbot: Any, window: AgentWindow) -> None:
    view = show(window, callbacks())
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(view.view.isVisible, timeout=2000)
    assert _has_colour(view, 6, "#c62828") and _has_colour(view, 5, "#ef6c00")
    assert _has_colour(view, 4, "#fbc02d") and _has_colour(view, 2, "#2e7d32")
    assert not _has_colour(view, 3, "#c62828")  # no declaration, no badge
    # a declaration's row is tall enough for its two lines
    table, model = view.view, view.model
    two = next(n for n, row in enumerate(model.rows) if row["id"] == 6)
    one = next(n for n, row in enumerate(model.rows) if row["id"] == 1)
    assert table.rowHeight(two) >= 2 * table.fontMetrics().height() + 4
    assert table.rowHeight(one) >= 34


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_table_fits_1366_pixels(qtbot: Any, window: AgentWindow, language: str) -> None:
    view = show(window, callbacks())
    window.set_language(language)
    window.resize(1366, 768)
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(view.view.isVisible, timeout=2000)
    QApplication.processEvents()  # the layouts, for the size and the language
    assert view.view.horizontalScrollBar().maximum() == 0  # every column in sight
    header = view.view.horizontalHeader()
    for column in range(view.model.columnCount()):
        text = str(view.model.headerData(column, Qt.Orientation.Horizontal) or "")
        assert header.sectionSize(column) >= header.fontMetrics().horizontalAdvance(text), text
    window.set_language("vi")


def test_the_declarations_in_english(window: AgentWindow) -> None:
    view = show(window, callbacks())
    window.set_language("en")
    try:
        assert view.model.headerData(TRIAGE, Qt.Orientation.Horizontal) == "Triage"
        assert view.model.headerData(WHO, Qt.Orientation.Horizontal) == "Declared by"
        assert cell(view, 6, TRIAGE) == "Red\nSpO2 91%\n2 danger signs"
        assert cell(view, 5, TRIAGE) == "Orange\n1 danger sign"
        assert cell(view, 6, WHO) == "Nguyễn Thị Hồng Nhung, 68 years old\nXã Tân Thuận"
        assert cell(view, 6, REASON) == "Web declaration\nKB-7K3M-9Q2P"
    finally:
        window.set_language("vi")
    assert cell(view, 6, TRIAGE).startswith("Đỏ\n")


def test_a_portal_declaration_names_its_source(window: AgentWindow) -> None:
    row = declared(8, 5, "red")
    row["declaration"]["source"] = "Cổng DVC Cà Mau"
    view = show(window, [row])
    assert cell(view, 8, REASON) == "Tờ khai trực tuyến (Cổng DVC Cà Mau)\nKB-7K3M-9Q2P"
