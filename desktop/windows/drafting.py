"""The screen-pop's case as a local draft (desktop.drafts): put back into the form when the
same call pops again (after a crash or a restart), autosaved while the nurse types, sent to
the hub as `case_draft` (which it saves as a follow-up if after-call work runs out), and
forgotten once the case is saved, or a day after the hub took it. Drafts the hub never got are
sent when the link is back, and left-over ones filed at the next login of their agent."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.connection import HubConnection
from desktop.drafts import Autosave, Draft, DraftStore
from protocol.errors import LocalCode
from protocol.messages import CallView, Error, Reply, ScreenPop

log = logging.getLogger(__name__)
# What a draft's payload holds besides "form" (Autosave's `extra`), as case_draft's fields.
DRAFT_FIELDS = ("topic", "call_uuid", "case_id", "caller_phone", "notes")
# Whose draft it is (the username; kept on this desk, never sent): a desk is shared by shifts,
# and only its own agent may file a draft left over from an earlier session.
AGENT = "agent"
# How long a draft the hub took stays on the desk: past any after-call work, past the shift.
KEEP_ACKNOWLEDGED = timedelta(days=1)
# A draft the hub took is only in the daemon's memory until after-call work ends and saves
# it: if the daemon restarted meanwhile, that copy is gone. So one the desk still has after
# this long is filed again (idempotent: the hub updates the case it made, or makes it).
REFILE_ACKNOWLEDGED = timedelta(minutes=30)


class DraftKeeper(QObject):
    """One autosave at a time, for the case on screen.

    Attributes:
        store: where the drafts live.
        autosave: the running Autosave, or None.

    Signals:
        restored(str): a local draft was put back into the form (its draft id).
        resent(str, object): a draft left from an earlier session was sent as a follow-up
            case; the hub's Reply or Error.
    """

    restored = Signal(str)
    resent = Signal(str, object)

    def __init__(self, store: DraftStore, connection: HubConnection,
                 outcomes: Callable[[str], list[str]] = lambda _topic: [],
                 parent: QObject | None = None, *,
                 agent: Callable[[], str] | None = None) -> None:
        super().__init__(parent)
        self.store, self._connection, self._outcomes = store, connection, outcomes
        self._agent = agent or (lambda: connection.username)
        self.autosave: Autosave | None = None
        self._filing: set[str] = set()  # left-over drafts whose case_save awaits its answer

    def attach(self, draft_id: str, form: Any,
               extra: Callable[[], Mapping[str, Any]]) -> dict[str, Any] | None:
        """Autosave `form` as `draft_id`; a local draft of it is put back first, and its
        payload returned (the notes are the caller's to restore)."""
        self.detach()
        local = self.store.load(draft_id)
        if local is not None and isinstance(local.payload.get("form"), dict):
            form.set_values(local.payload["form"])
            self.restored.emit(draft_id)
        self.autosave = Autosave(self.store, draft_id, form,
                                 lambda: {**extra(), AGENT: self._agent()}, parent=self)
        self.autosave.saved.connect(self._send)
        return local.payload if local is not None else None

    def detach(self) -> None:
        """Stop autosaving (what was typed last is saved first)."""
        if self.autosave is not None:
            self.autosave.stop()
            self.autosave.deleteLater()
            self.autosave = None

    def save_now(self) -> None:
        if self.autosave is not None:
            self.autosave.save_now()

    def edited(self) -> None:
        """Something the draft holds besides the form was edited (the notes)."""
        if self.autosave is not None:
            self.autosave.schedule()

    def case_saved(self, draft_id: str) -> None:
        """The hub stored the case: the local copy of the health data goes."""
        self.store.discard(draft_id)

    def _send(self, draft: Draft) -> None:
        fields = _fields(draft.payload)
        if not fields.get("topic"):
            return
        self._connection.case_draft(
            lambda answer: self._acknowledged(draft, answer), draft_id=draft.draft_id,
            form=dict(draft.payload.get("form") or {}), **fields)

    def _acknowledged(self, draft: Draft, answer: Reply | Error) -> None:
        if isinstance(answer, Reply):
            self.store.acknowledge(draft.draft_id, draft.revision)
        elif answer.code != LocalCode.SUPERSEDED:
            log.warning("draft %s not taken by the hub: %s", draft.draft_id, answer.message)

    def resend_left_over(self, current: str | None) -> None:
        """After a login: drafts of other calls that the hub never acknowledged (the desktop
        died, or the link was down when after-call work ran out) are saved as follow-up
        cases; the draft id lets the hub update the case it may have made meanwhile. Only
        this agent's: another's waits for their login (a draft that names nobody, written
        before drafts named their agent, is anyone's). Drafts the hub took more than
        REFILE_ACKNOWLEDGED ago are filed again (its copy may have died with a daemon
        restart); those it took a day ago or more are forgotten."""
        self.store.prune(KEEP_ACKNOWLEDGED, keep={current} if current else ())
        cutoff = datetime.now(UTC) - REFILE_ACKNOWLEDGED
        for draft in self.store.all():
            if draft.acknowledged and _saved(draft) > cutoff:
                continue  # the hub holds it, and its after-call work may still be running
            owner = draft.payload.get(AGENT)
            if draft.draft_id in (current, *self._filing) or owner not in (None, self._agent()):
                continue
            fields = _fields(draft.payload)
            if not fields.get("topic"):
                continue
            form = dict(draft.payload.get("form") or {})
            codes = self._outcomes(str(fields["topic"]))
            if "outcome" not in form and codes:  # as the hub does when after-call work ends
                form["outcome"] = "follow_up" if "follow_up" in codes else codes[0]
            self._filing.add(draft.draft_id)
            self._connection.case_save(
                partial(self._resent, draft), draft_id=draft.draft_id,
                status="follow_up", form=form, **fields)

    def _resent(self, draft: Draft, answer: Reply | Error) -> None:
        self._filing.discard(draft.draft_id)
        if isinstance(answer, Reply):
            self.store.discard(draft.draft_id)
        else:
            log.warning("left-over draft %s refused: %s", draft.draft_id, answer.message)
        self.resent.emit(draft.draft_id, answer)


def left_over_pop(draft: Draft, topic: Mapping[str, Any]) -> ScreenPop | None:
    """A left-over draft the hub refused (its form does not validate), as a screen-pop of
    its call, so the nurse can complete it and save it; None if it names no call."""
    payload = draft.payload
    if not payload.get("call_uuid"):
        return None
    call = CallView(uuid=str(payload["call_uuid"]), caller_number=str(
        payload.get("caller_phone") or ""), topic=str(payload.get("topic") or ""))
    open_case = {"id": payload["case_id"]} if payload.get("case_id") else None
    return ScreenPop(call=call, topic=dict(topic), history=[], declaration=None,
                     open_case=open_case, draft=dict(payload.get("form") or {}))


def _fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {key: payload.get(key) for key in DRAFT_FIELDS}


def _saved(draft: Draft) -> datetime:
    try:
        return datetime.fromisoformat(draft.saved_at)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)  # unreadable time: old enough to file
