"""The recording player: a call's recording asked for in pieces, played from memory with seek;
a refusal or a missing file says so."""

from __future__ import annotations

import base64
import io
import wave
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex

from desktop.connection import HubConnection
from desktop.windows import AgentWindow
from desktop.windows.recording_player import PIECE, RecordingPlayer
from protocol import messages as m
from tests.support.desktop_windows import NOW, iso


def wav(seconds: float) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x10\x00" * int(8000 * seconds))
    return out.getvalue()


@pytest.fixture
def asked(connection: HubConnection, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """(request fields, callback) of every request the window sends."""
    seen: list[Any] = []
    monkeypatch.setattr(connection, "request", lambda kind, callback=None, **fields:
                        seen.append((kind, fields, callback)) or f"r{len(seen)}")
    return seen


def serve(asked: list[Any], data: bytes, upto: int) -> None:
    """Answer the requests asked so far (from the `upto`-th) with the file's bytes."""
    for kind, fields, callback in asked[upto:]:
        assert kind is m.RecordingGet
        piece = data[fields["offset"]:fields["offset"] + fields["length"]]
        callback(m.Reply(type="recording_get", id="r", data={
            "call_id": fields["call_id"], "size": len(data), "offset": fields["offset"],
            "mime": "audio/wav", "data": base64.b64encode(piece).decode()}))


def test_a_call_in_the_history_plays_its_recording_in_pieces(
        qtbot: Any, window: AgentWindow, asked: list[Any]) -> None:
    view = window.search_view
    view.results.set_rows([{"kind": "call", "id": 4987, "at": iso(NOW), "status": "answered",
                            "topic": "f0_home_care"},
                           {"kind": "case", "id": 3, "at": iso(NOW), "code": "F0-2026-000003"}])
    case_row = next(i for i, r in enumerate(view.results.rows) if r["kind"] == "case")
    opened: list[int] = []
    view.case_requested.connect(opened.append)
    assert view.open_row(view.results.index(case_row, 0)) is None  # a case has no recording
    assert opened == [3]  # the window opens the case instead
    asked.clear()
    assert view.open_row(QModelIndex()) is None
    call_row = next(i for i, r in enumerate(view.results.rows) if r["kind"] == "call")
    player = view.open_row(view.results.index(call_row, 0))
    assert isinstance(player, RecordingPlayer)
    data = wav(20.0)  # 320 kB: three pieces
    done = 0
    while player.player is None:
        before = len(asked)
        serve(asked, data, done)
        done = before
    assert [f["offset"] for _k, f, _c in asked] == [0, PIECE, 2 * PIECE]
    assert bytes(player.data.data()) == data
    qtbot.waitUntil(lambda: player.slider.maximum() > 19_000, timeout=10_000)
    player.seek(15_000)
    qtbot.waitUntil(lambda: player.player is not None and
                    player.player.position() >= 14_000, timeout=10_000)
    assert player.position.text().endswith("/ 0:20")
    player.close()


def test_a_missing_recording_says_so(qtbot: Any, connection: HubConnection,
                                     asked: list[Any]) -> None:
    player = RecordingPlayer(connection, 12)
    qtbot.addWidget(player)
    (_kind, fields, callback), = asked
    assert fields == {"call_id": 12, "offset": 0, "length": PIECE}
    callback(m.Error(id="r1", code="not_found",
                     message="the recording of this call is missing or was deleted"))
    assert "missing or was deleted" in player.message.text()
    assert not player.play_button.isEnabled() and player.player is None
