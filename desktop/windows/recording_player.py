"""A call's recording, played from the hub: its bytes asked for piece by piece over the hub's
TLS link (recording_get), played from memory (never a file share, never a file on this disk),
with play / pause and a position slider to seek. A call not recorded, or whose file is missing
or was deleted, says so."""

from __future__ import annotations

import base64
import logging
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, Qt, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
from desktop.windows.labels import error_text, plain_text
from protocol.messages import Error, RecordingGet, Reply

log = logging.getLogger(__name__)
PIECE = 128 * 1024  # bytes asked for at a time (the protocol's largest)


def clock(ms: int) -> str:
    seconds = max(0, ms) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


class RecordingPlayer(QDialog):
    """Plays one call's recording.

    Attributes:
        data: the bytes received so far.
        total: the file's size in bytes, once the first piece came (None before).
        player: the QMediaPlayer, once every piece came.
    """

    def __init__(self, connection: HubConnection, call_id: int, title: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection, self.call_id, self._title = connection, call_id, title
        self.data = QByteArray()
        self.total: int | None = None
        self.mime = ""
        self.player: QMediaPlayer | None = None
        self._output: QAudioOutput | None = None
        self._buffer: QBuffer | None = None
        self._request: str | None = None
        self.message = plain_text(QLabel())
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.play_button = QPushButton()
        self.play_button.setEnabled(False)
        self.play_button.clicked.connect(self.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setEnabled(False)
        self.slider.sliderMoved.connect(self.seek)
        self.position = plain_text(QLabel("0:00 / 0:00"))
        row = QHBoxLayout()
        row.addWidget(self.play_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.position)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addLayout(row)
        self.setMinimumWidth(460)
        self.retranslate()
        self._ask(0)

    # -- the pieces ------------------------------------------------------------------------

    def _ask(self, offset: int) -> None:
        self._request = self._connection.request(RecordingGet, self._on_piece,
                                                 call_id=self.call_id, offset=offset,
                                                 length=PIECE)

    def _on_piece(self, answer: Reply | Error) -> None:
        if isinstance(answer, Error):
            self.message.setText(error_text(answer.code, answer.message))
            self.progress.hide()
            return
        data: dict[str, Any] = answer.data
        self.total, self.mime = int(data["size"]), str(data.get("mime") or "")
        piece = base64.b64decode(data["data"])
        self.data.append(piece)
        self.progress.setRange(0, max(1, self.total))
        self.progress.setValue(self.data.size())
        if self.data.size() < self.total and piece:
            self._ask(self.data.size())
        else:
            self._ready()

    def _ready(self) -> None:
        """Every piece is here: play it from memory."""
        self.progress.hide()
        self._buffer = QBuffer(self.data, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.player = QMediaPlayer(self)
        self._output = QAudioOutput(self)
        self.player.setAudioOutput(self._output)
        self.player.durationChanged.connect(self._on_duration)
        self.player.positionChanged.connect(self._on_position)
        self.player.playbackStateChanged.connect(lambda _state: self.retranslate())
        self.player.errorOccurred.connect(self._on_error)
        self.player.setSourceDevice(self._buffer, QUrl(f"recording-{self.call_id}.wav"))
        self.play_button.setEnabled(True)
        self.slider.setEnabled(True)
        self.retranslate()

    # -- playing ---------------------------------------------------------------------------

    def toggle(self) -> None:
        if self.player is None:
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def seek(self, ms: int) -> None:
        if self.player is not None:
            self.player.setPosition(ms)

    def _on_duration(self, ms: int) -> None:
        self.slider.setRange(0, ms)
        self._on_position(self.player.position() if self.player else 0)

    def _on_position(self, ms: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(ms)
        duration = self.player.duration() if self.player else 0
        self.position.setText(f"{clock(ms)} / {clock(duration)}")

    def _on_error(self, _error: object, text: str) -> None:
        log.warning("recording of call %s: %s", self.call_id, text)
        self.message.setText(self.tr("This recording cannot be played here: %1")
                             .replace("%1", text))

    # -- language --------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Recording of call %1").replace("%1", self._title or
                                                                    str(self.call_id)))
        playing = self.player is not None and \
            self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))
        if self.player is None and self.progress.isVisibleTo(self):
            self.message.setText(self.tr("Loading the recording from the hub…"))
        elif self.player is not None and not self.message.text().startswith("!"):
            self.message.setText(self.tr("Every playback is recorded in the audit log."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def done(self, result: int) -> None:
        if self.player is not None:
            self.player.stop()
        super().done(result)
