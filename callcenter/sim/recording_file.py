"""The file a recording writes: FreeSWITCH opens it when the recording starts (its folder made
first) and writes the channel's audio until it stops. The simulator has no audio: it writes
silence, as long as the recording ran, at the channel's rate, so the file is a real WAV of the
right length for whoever plays it back."""

from __future__ import annotations

import logging
import wave
from pathlib import Path

log = logging.getLogger(__name__)
RATE = 8000  # the captures' channels: PCMU at 8 kHz (variable_read_rate: 8000)


def on_disk(path: str, root: Path | None) -> Path:
    """Where `path` is on this machine (under `root`, the simulated machine's files, if set)."""
    return Path(path) if root is None else root / path.lstrip("/")


def start(path: Path) -> bool:
    """The folder made and an empty WAV opened; False (logged) if it cannot be written."""
    # FreeSWITCH: switch_ivr_async.c switch_ivr_record_session_event
    # (switch_dir_make_recursive of the file's folder, then switch_core_file_open at
    # read_impl.actual_samples_per_second, one channel unless RECORD_STEREO)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, 0)
    except OSError as exc:
        log.error("Error opening %s: %s", path, exc)
        return False
    return True


def stop(path: Path, seconds: float) -> None:
    """The recording ran `seconds`: the file holds that much (silent) audio."""
    try:
        _write(path, max(0, int(seconds * RATE)))
    except OSError as exc:
        log.error("Error writing %s: %s", path, exc)


def _write(path: Path, frames: int) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"\0\0" * frames)
