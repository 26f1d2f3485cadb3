"""The red alert: which topics are red now, and a sound once when one turns red (if its rules
ask for it and the lead has not muted it; the choice is remembered). The sound is a short
chime made here, played with QtMultimedia; with no sound device it falls back to the
system's beep, and nothing fails where there is no audio at all."""

from __future__ import annotations

import array
import logging
import math
import wave
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTemporaryDir, QUrl, Signal
from PySide6.QtWidgets import QApplication

from desktop.windows.lead_models import QueueLevel

if TYPE_CHECKING:  # loaded only when the alert first rings (tests never load it)
    from PySide6.QtMultimedia import QSoundEffect

log = logging.getLogger(__name__)
MUTE_KEY = "lead/mute_red_sound"
RATE = 44_100  # 16-bit stereo at 44.1 kHz: what every sound device plays


def chime(path: Path) -> Path:
    """Two falling notes (880 Hz, then 660 Hz), a quarter second each, softened at the ends:
    a WAV file a QSoundEffect can play."""
    samples = array.array("h")
    for frequency in (880.0, 660.0):
        count = RATE // 4
        for n in range(count):
            envelope = min(1.0, n / 400, (count - n) / 1600)
            sample = int(12_000 * envelope * math.sin(2 * math.pi * frequency * n / RATE))
            samples.extend((sample, sample))  # left, right
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return path


class Bell(QObject):
    """The alert's sound, loaded the first time it rings."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._effect: QSoundEffect | None = None
        self._folder: QTemporaryDir | None = None
        self._failed = False

    @property
    def settled(self) -> bool:
        """Loading is over: the sound is ready, or it failed (the beep rings instead)."""
        effect = self._effect
        return self._failed or effect is None or effect.status() in (
            effect.Status.Ready, effect.Status.Error)

    def ring(self) -> None:
        effect = None if self._failed else self._load()
        if effect is None:
            QApplication.beep()
            return
        if effect.status() == effect.Status.Error:
            self._failed = True
            QApplication.beep()
        else:
            effect.play()  # played once loaded, if it is still loading

    def _load(self) -> QSoundEffect | None:
        if self._effect is not None:
            return self._effect
        try:
            from PySide6.QtMultimedia import QSoundEffect

            self._folder = QTemporaryDir()
            path = chime(Path(self._folder.path()) / "red-alert.wav")
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(0.8)
        except Exception:  # no QtMultimedia, no sound device: the beep will do
            log.info("no sound for the red alert; the system beep instead", exc_info=True)
            self._failed = True
            return None
        self._effect = effect
        return effect


class RedAlert(QObject):
    """The topics at red, and the sound when one turns red.

    Attributes:
        red: the topics red now.
        muted: the lead turned the sound off (remembered in the settings).
        rings: how many times it rang (since the window opened).

    Signals:
        changed(list): the topics red now, when that changed.
    """

    changed = Signal(list)

    def __init__(self, settings: QSettings, bell: Callable[[], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._bell = bell
        self.red: list[str] = []
        self.muted = str(settings.value(MUTE_KEY, "false")).lower() == "true"
        self.rings = 0

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        self._settings.setValue(MUTE_KEY, "true" if muted else "false")

    def update(self, found: Mapping[str, QueueLevel], sound_on_red: Mapping[str, bool]) -> None:
        """The levels now: a topic newly red rings once (not again while it stays red)."""
        red = [topic for topic, level in found.items() if level.level == "red"]
        newly = [topic for topic in red if topic not in self.red]
        if red != self.red:
            self.red = red
            self.changed.emit(list(red))
        if newly and not self.muted and any(sound_on_red.get(t, True) for t in newly):
            self.ring()

    def ring(self) -> None:
        self.rings += 1
        if self._bell is None:
            self._bell = Bell(self).ring
        try:
            self._bell()
        except Exception:  # a sound must never take the board down
            log.warning("the red alert's sound failed", exc_info=True)
