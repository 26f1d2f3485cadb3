"""Local drafts of case forms: on disk after every edit, so a crash, a power cut or a dropped link
loses nothing, and re-sent until the server acknowledges them.

One JSON file per draft, replaced atomically (temp file, fsync, os.replace, fsync of the folder):
a reader finds the old draft or the new one, never half of one. Each save gets the next revision;
the server's acknowledgement names the revision it stored, so an edit made while the previous
save was in flight stays pending. The files hold personal health data: the folder is made
private to the user (0700) and the files 0600.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

log = logging.getLogger(__name__)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # also the hub's limit on a draft_id
_TEMP_PREFIX = ".draft-"


@dataclass(frozen=True)
class Draft:
    """One stored draft.

    Attributes:
        draft_id: the caller's name for it (e.g. the call's uuid), also the file's name.
        payload: what was saved (JSON).
        revision: 1 for the first save, one more for each save after it.
        saved_at: when it was saved (UTC, ISO 8601).
        acknowledged: the server holds this revision.
    """

    draft_id: str
    payload: dict[str, Any]
    revision: int
    saved_at: str
    acknowledged: bool = False


class DraftStore:
    """Drafts in `directory`, one `<draft_id>.json` each. Not thread-safe: the GUI thread's."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for stale in self.directory.glob(_TEMP_PREFIX + "*"):  # a write a crash interrupted
            stale.unlink(missing_ok=True)

    def save(self, draft_id: str, payload: Mapping[str, Any]) -> Draft:
        """Store `payload` as the next revision of `draft_id`, durably, before returning."""
        previous = self.load(draft_id)
        draft = Draft(draft_id, dict(payload), (previous.revision if previous else 0) + 1,
                      dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"))
        self._write(draft)
        return draft

    def load(self, draft_id: str) -> Draft | None:
        """The stored draft, or None if there is none (or it cannot be read: logged, kept)."""
        path = self._path(draft_id)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            return Draft(record["draft_id"], record["payload"], int(record["revision"]),
                         record["saved_at"], bool(record.get("acknowledged", False)))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("draft %s cannot be read (%s); left as it is in %s", draft_id, exc, path)
            return None

    def pending(self) -> list[Draft]:
        """Drafts the server has not acknowledged, oldest save first: what to re-send."""
        return [d for d in self.all() if not d.acknowledged]

    def all(self) -> list[Draft]:
        """Every readable draft, oldest save first."""
        drafts = (self.load(path.stem) for path in self.directory.glob("*.json")
                  if _ID.fullmatch(path.stem))
        return sorted((d for d in drafts if d), key=lambda d: (d.saved_at, d.draft_id))

    def acknowledge(self, draft_id: str, revision: int | None = None) -> bool:
        """The server stored `revision` (None: the latest). False, and still pending, when the
        draft was saved again since, or is unknown."""
        draft = self.load(draft_id)
        if draft is None or (revision is not None and draft.revision != revision):
            return False
        if not draft.acknowledged:
            self._write(Draft(draft.draft_id, draft.payload, draft.revision, draft.saved_at, True))
        return True

    def prune(self, older_than: dt.timedelta, now: dt.datetime | None = None,
              keep: Collection[str] = ()) -> list[str]:
        """Forget acknowledged drafts saved more than `older_than` before `now` (but those in
        `keep`): the server holds them and their call is long over, so the health data goes.
        Unacknowledged and unreadable drafts stay. Returns the ids forgotten, sorted."""
        cutoff = (now or dt.datetime.now(dt.UTC)) - older_than
        gone = []
        for path in self.directory.glob("*.json"):
            draft = self.load(path.stem) if _ID.fullmatch(path.stem) else None
            saved = _time(draft.saved_at) if draft else None
            if draft and draft.acknowledged and draft.draft_id not in keep and saved and \
                    saved < cutoff:
                path.unlink(missing_ok=True)
                gone.append(draft.draft_id)
        if gone:
            _fsync_directory(self.directory)
        return sorted(gone)

    def discard(self, draft_id: str) -> None:
        """Forget a draft (its case is saved): personal data does not linger on the disk."""
        self._path(draft_id).unlink(missing_ok=True)
        _fsync_directory(self.directory)

    def _path(self, draft_id: str) -> Path:
        if not _ID.fullmatch(draft_id):
            raise ValueError(f"not a draft id: {draft_id!r} (letters, digits, _ . -; up to 64)")
        return self.directory / f"{draft_id}.json"

    def _write(self, draft: Draft) -> None:
        path = self._path(draft.draft_id)
        data = json.dumps({"draft_id": draft.draft_id, "revision": draft.revision,
                           "saved_at": draft.saved_at, "acknowledged": draft.acknowledged,
                           "payload": draft.payload}, ensure_ascii=False, indent=1)
        fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_directory(self.directory)


def _time(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _fsync_directory(directory: Path) -> None:
    """Make a rename or unlink itself durable (POSIX; Windows cannot open a folder for this)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Form(Protocol):
    changed: SignalInstance

    def values(self) -> dict[str, Any]: ...


class Autosave(QObject):
    """Saves a form's values into a DraftStore every `interval_ms`, and `debounce_ms` after the
    last `changed` of the form (typing a word is one save, not one per key). A save whose payload
    equals the last one is skipped.

    The payload is `{**extra(), "form": form.values()}`: `extra` adds what the server needs to
    file the draft (topic, call uuid, case id …).

    Signals:
        saved(object): the Draft just written (send it; acknowledge its revision on reply).
        failed(str): a save failed (disk full, folder gone); the next edit or tick tries again.
    """

    saved = Signal(object)
    failed = Signal(str)

    def __init__(self, store: DraftStore, draft_id: str, form: _Form,
                 extra: Callable[[], Mapping[str, Any]] | None = None, interval_ms: int = 5000,
                 debounce_ms: int = 300, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store, self.draft_id = store, draft_id
        self._form, self._extra = form, extra or dict
        self._last: dict[str, Any] | None = None
        self._debounce = QTimer(self, singleShot=True, interval=debounce_ms)
        self._debounce.timeout.connect(self.save_now)
        self._tick = QTimer(self, interval=interval_ms)
        self._tick.timeout.connect(self.save_now)
        form.changed.connect(self._changed)
        self._tick.start()

    def _changed(self, *_: object) -> None:
        self._debounce.start()

    def schedule(self) -> None:
        """Something of the payload besides the form changed (`extra`'s notes): save it as
        soon as an edit of the form would be."""
        self._debounce.start()

    def save_now(self) -> Draft | None:
        """Save at once if anything changed since the last save (call it when the call ends)."""
        self._debounce.stop()
        payload = {**self._extra(), "form": self._form.values()}
        if payload == self._last:
            return None
        try:
            draft = self.store.save(self.draft_id, payload)
        except (OSError, TypeError, ValueError) as exc:
            log.error("draft %s not saved: %s", self.draft_id, exc)
            self.failed.emit(str(exc))
            return None
        self._last = payload
        self.saved.emit(draft)
        return draft

    def stop(self) -> None:
        """Save what is left, then stop the timers and let go of the form."""
        self.save_now()
        self._tick.stop()
        with contextlib.suppress(RuntimeError, TypeError):
            self._form.changed.disconnect(self._changed)
