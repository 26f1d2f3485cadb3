"""The desktop's session with the daemon's hub, across reconnects: login and resume by token,
requests answered by `id`, pushes as typed Qt signals in `seq` order, and what was asked while
the link was down sent once it is back. The socket itself (TLS pinning, keepalive, backoff) is
desktop.hub_link's; nothing here blocks."""

from __future__ import annotations

import itertools
import json
import logging
import random
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from PySide6.QtCore import QObject, QTimer, Signal

from desktop.hub_link import DEFAULT_PORT, HubLink, hub_url, load_pinned
from desktop.hub_requests import HubRequests, ReplyCallback
from protocol import messages as m
from protocol.errors import Code, ErrorCode, LocalCode

__all__ = ["COALESCED", "DEFAULT_PORT", "QUEUEABLE", "SESSION_OVER", "STATES", "HubConnection",
           "HubLink", "ReplyCallback", "hub_url", "load_pinned", "local_error"]

log = logging.getLogger(__name__)

STATES = ("connecting", "connected", "reconnecting", "offline")
# Worth sending late: a case save, a status, a search. A transfer or a dial sent minutes after
# the agent asked would surprise everyone, so those fail at once when the link is down.
QUEUEABLE = frozenset({"set_status", "case_get", "case_save", "case_draft", "history_search",
                       "callback_list", "wrap_up_done", "episode_get", "monitoring_cohort"})
# Only the newest of these matters: a queued one is replaced by the next with the same key.
COALESCED = {"case_draft": "draft_id", "set_status": None, "monitoring_cohort": None}
LOCAL_CODES = frozenset(LocalCode)
SESSION_OVER = frozenset({ErrorCode.EXPIRED, ErrorCode.UNAUTHENTICATED, ErrorCode.BAD_MESSAGE,
                          ErrorCode.FORBIDDEN})


@dataclass
class _Pending:
    message: m.Request
    callback: ReplyCallback | None
    queueable: bool
    sent_at: float | None = None


def local_error(code: Code, message: str, request_id: str | None = None) -> m.Error:
    """An Error made on this side (offline, timeout, closed, tls), shaped like the hub's."""
    return m.Error(code=code, message=message, id=request_id)


class HubConnection(QObject, HubRequests):
    """The session with the hub, across reconnects (the typed requests: HubRequests).

    Attributes:
        state: connecting / connected / reconnecting / offline.
        token: the session token once logged in.
        last_seq: the last push applied.
        username: who is logged in (or logging in).
        link: the HubLink that carries the session.

    Signals:
        state_changed(str): the link's state changed (one of STATES).
        logged_in(dict): the login reply's data (token, topics, units, …; the agent comes
            in the snapshot that follows).
        login_failed(Error): the login was refused, or the hub could not be reached.
        session_lost(Error): a resume was refused (expired): the user must log in again.
        snapshot(Snapshot), agent_status(AgentStatus), screen_pop(ScreenPop),
        call_ended(CallEnded), callbacks(Callbacks), referrals(Referrals): the hub's pushes,
            in seq order.
        lead_board(LeadBoard): a lead's board, whole or what changed (not numbered: every
            (re)connect starts with a whole one; protocol.board.apply_board applies it).
        error(Error): an error from the hub that answers no request of ours.
        reply_received(object): every Reply or Error that answers a request (also local ones).
        pending_changed(int): how many requests wait for a reply or for the link.
    """

    state_changed = Signal(str)
    logged_in = Signal(dict)
    login_failed = Signal(m.Error)
    session_lost = Signal(m.Error)
    snapshot = Signal(m.Snapshot)
    agent_status = Signal(m.AgentStatus)
    screen_pop = Signal(m.ScreenPop)
    call_ended = Signal(m.CallEnded)
    callbacks = Signal(m.Callbacks)
    referrals = Signal(m.Referrals)
    lead_board = Signal(m.LeadBoard)
    error = Signal(m.Error)
    reply_received = Signal(object)
    pending_changed = Signal(int)

    def __init__(self, parent: QObject | None = None, *, ca_file: str | Path | None = None,
                 client_name: str = "", reconnect_base: float = 0.5,
                 reconnect_cap: float = 30.0, request_timeout: float = 30.0,
                 ping_interval: float = 15.0, connect_timeout: float = 10.0,
                 rng: random.Random | None = None) -> None:
        super().__init__(parent)
        self.link = HubLink(self, ca_file=ca_file, reconnect_base=reconnect_base,
                            reconnect_cap=reconnect_cap, ping_interval=ping_interval,
                            connect_timeout=connect_timeout, rng=rng)
        self.link.dialing.connect(self._on_dialing)
        self.link.opened.connect(self._on_opened)
        self.link.text_received.connect(self._on_text)
        self.link.lost.connect(self._on_lost)
        self.link.tick.connect(self._tick)
        self._client = (client_name or f"desktop 0.1.0 on {socket.gethostname()}")[:100]
        self._request_timeout = request_timeout
        self._ids = itertools.count(1)
        self.state, self.token, self.username = "offline", None, ""
        self.last_seq = 0
        self._password: str | None = None  # held only until the login is answered
        self._auth_id: str | None = None  # the login/resume in flight
        self._ready = False  # logged in or resumed on the current socket
        self._auth_sent_at = 0.0
        self._pending: dict[str, _Pending] = {}

    # -- the session ------------------------------------------------------------------

    def login(self, address: str, username: str, password: str) -> None:
        """Connect to the hub at `address` and log in; answers with logged_in or login_failed.
        Raises ValueError for an address that is not a hub's."""
        url = hub_url(address)
        if self.username and username != self.username:  # not as another user's requests
            self._fail_all(LocalCode.CLOSED, "the session ended before this was sent")
        self._drop_socket()
        self.link.url, self.username, self._password = url, username, password
        self.token, self.last_seq, self.link.attempt = None, 0, 0
        self.link.open()

    def logout(self, hand_to: str | None = None, callback: ReplyCallback | None = None) -> None:
        """End the session; what the agent holds goes to `hand_to` (a colleague) or the pool.
        Without `callback`: tell the hub if we can, go offline at once. With one: the hub's
        refusal (no such colleague) keeps the session, its reply or a local error ends it."""
        if callback is not None and self._ready:
            def answered(answer: m.Reply | m.Error) -> None:
                if isinstance(answer, m.Reply) or answer.code in LOCAL_CODES:
                    self._end_session()
                callback(answer)

            self.request(m.Logout, answered, hand_to=hand_to)
            return
        if self._ready:
            self._send(m.Logout(id=self._new_id(), hand_to=hand_to))
            self._stop_link()  # what the socket still says is not ours to handle
            self.link.close()  # after the logout frame, which is already queued
        self._end_session()
        if callback is not None:
            QTimer.singleShot(0, lambda: callback(local_error(
                LocalCode.OFFLINE, "not connected to the hub")))

    def _end_session(self) -> None:
        self._fail_all(LocalCode.CLOSED, "logged out before this was sent")
        self.token, self._password = None, None
        self._drop_socket()
        self._set_state("offline")

    def close(self) -> None:
        """Drop the link without ending the session (the application is quitting)."""
        self.token, self._password = None, None
        self._drop_socket()
        self._set_state("offline")

    def pin_certificate(self, path: str | Path | None) -> None:
        """Trust the certificate(s) in this PEM file for the hub (None: only the system's
        CAs). Raises ValueError when the file holds none."""
        self.link.pinned = load_pinned(path)

    @property
    def ready(self) -> bool:
        return self._ready

    def pending_requests(self) -> list[m.Request]:
        """The requests not answered yet, oldest first (sent or waiting for the link)."""
        return [p.message for p in self._pending.values()]

    # -- requests ---------------------------------------------------------------------

    def request(self, kind: type[m.Request], callback: ReplyCallback | None = None,
                **fields: Any) -> str:
        """Send a request of type `kind` (a protocol.messages request) and return its id.
        `callback` gets exactly one Reply or Error: the hub's, or a local one (offline,
        timeout, closed). Queueable requests asked while the link is down wait for it."""
        request_id = self._new_id()
        message = kind(id=request_id, **fields)
        pending = _Pending(message, callback, message.type in QUEUEABLE)
        self._supersede(message)
        self._pending[request_id] = pending
        if self._ready:
            self._send_pending(pending)
        elif not pending.queueable:
            QTimer.singleShot(0, lambda: self._answer(local_error(
                LocalCode.OFFLINE, "not connected to the hub", request_id)))
        self.pending_changed.emit(len(self._pending))
        return request_id

    def _supersede(self, message: m.Request) -> None:
        """Drop queued, unsent requests that `message` makes pointless (an older draft of the
        same case, an older status); their callbacks hear `superseded`."""
        if message.type not in COALESCED:
            return
        key = COALESCED[message.type]
        for request_id, pending in list(self._pending.items()):
            older = pending.message
            if pending.sent_at is None and older.type == message.type and \
                    (key is None or getattr(older, key) == getattr(message, key)):
                self._answer(local_error(LocalCode.SUPERSEDED, "replaced by a newer one",
                                         request_id))

    # -- the link ---------------------------------------------------------------------

    def _on_dialing(self) -> None:
        self._ready, self._auth_id = False, None
        self._set_state("reconnecting" if self.token else "connecting")

    def _on_opened(self) -> None:
        if self._password is not None:
            self._auth_id, self._auth_sent_at = self._new_id(), time.monotonic()
            self._send(m.Login(id=self._auth_id, username=self.username,
                               password=self._password, client=self._client))
        elif self.token:
            self._resume()

    def _resume(self) -> None:
        self._auth_id, self._auth_sent_at = self._new_id(), time.monotonic()
        self._send(m.Resume(id=self._auth_id, token=self.token or "", last_seq=self.last_seq))

    def _on_lost(self, reason: str) -> None:
        self._ready, self._auth_id = False, None
        for request_id, pending in list(self._pending.items()):
            if pending.sent_at is not None and not pending.queueable:
                self._answer(local_error(LocalCode.OFFLINE, f"link lost: {reason}", request_id))
            pending.sent_at = None  # a queueable one goes again on the next link
        if self._password is not None:  # never logged in: the login window says why
            self._password = None
            self._set_state("offline")
            self.login_failed.emit(local_error(LocalCode.OFFLINE, reason))
        elif self.token:
            delay = self.link.reopen_later()
            log.info("hub link lost (%s); reconnecting in %.1f s", reason, delay)
            self._set_state("reconnecting")

    def _stop_link(self) -> None:
        self.link.stop()
        self._ready, self._auth_id = False, None

    def _drop_socket(self) -> None:
        self.link.drop()
        self._ready, self._auth_id = False, None

    def _send(self, message: BaseModel) -> None:
        self.link.send(m.dump(message))

    def _send_pending(self, pending: _Pending) -> None:
        pending.sent_at = time.monotonic()
        self._send(pending.message)

    def _flush(self) -> None:
        for pending in list(self._pending.values()):
            if pending.sent_at is None:
                self._send_pending(pending)

    def _tick(self) -> None:
        """Once a second while the link is open: the login/resume and request timeouts."""
        now = time.monotonic()
        if self._auth_id and now - self._auth_sent_at > self._request_timeout:
            self.link.fail("the hub stopped answering")
            return
        for request_id, pending in list(self._pending.items()):
            if pending.sent_at is not None and now - pending.sent_at > self._request_timeout:
                self._answer(local_error(LocalCode.TIMEOUT, "no reply from the hub", request_id))

    # -- what arrives -----------------------------------------------------------------

    def _on_text(self, raw: str) -> None:
        try:
            message = m.parse_server_message(raw)
        except Exception as exc:  # ProtocolError, or a parser's own bug: never a crash
            log.warning("dropped a malformed message from the hub: %s",
                        getattr(exc, "message", None) or repr(exc))
            self._skip_seq(raw)
            return
        if isinstance(message, m.Reply | m.Error) and message.id is not None:
            if message.id == self._auth_id:
                self._on_auth_answer(message)
            else:
                self._answer(message)
        elif isinstance(message, m.Error):
            log.warning("hub error %s: %s", message.code, message.message)
            self.error.emit(message)
        elif isinstance(message, m.Reply):
            log.warning("hub reply without a request id dropped")
        else:
            self._on_push(message)

    def _on_auth_answer(self, answer: m.Reply | m.Error) -> None:
        self._auth_id = None
        if isinstance(answer, m.Reply) and answer.type == "login":
            self._logged_in(answer.data)
        elif isinstance(answer, m.Reply):
            self._became_ready()  # resumed: the hub replays what we missed or sends a snapshot
        elif self._password is not None:
            self._password = None
            self._drop_socket()
            self._set_state("offline")
            self.login_failed.emit(answer)
        elif answer.code in SESSION_OVER:
            self.token = None
            self._drop_socket()
            self._set_state("offline")
            self.session_lost.emit(answer)
        else:  # the hub is unwell (internal, rate_limited): try again later
            self.link.fail(answer.message)

    def _logged_in(self, data: dict[str, Any]) -> None:
        token = data.get("token")
        try:
            m.Resume(id="x", token=token, last_seq=0)  # a token the resume will take
        except ValidationError:
            self._on_auth_answer(local_error(ErrorCode.BAD_MESSAGE,
                                             "the hub's login reply is malformed"))
            return
        self._password, self.token, self.last_seq = None, token, 0
        self._became_ready()
        self.logged_in.emit(dict(data))

    def _became_ready(self) -> None:
        self._ready, self.link.attempt = True, 0
        self._set_state("connected")
        self._flush()

    def _answer(self, answer: m.Reply | m.Error) -> None:
        pending = self._pending.pop(answer.id or "", None)
        if pending is None:
            log.info("reply to an unknown or finished request %s dropped", answer.id)
            return
        self.pending_changed.emit(len(self._pending))
        if pending.callback is not None:
            try:
                pending.callback(answer)
            except Exception:  # a view's bug must not take the link down
                log.exception("reply handler failed for %s", answer.id)
        self.reply_received.emit(answer)

    def _on_push(self, push: Any) -> None:
        if push.type == "lead_board":  # not numbered: a reconnect brings the whole board
            self.lead_board.emit(push)
            return
        if push.type != "snapshot":
            if push.seq <= self.last_seq:
                return  # already applied (a replay overlapping what we had)
            if push.seq > self.last_seq + 1:
                self._gap(push.seq)
                return
        self.last_seq = push.seq
        signal = {"snapshot": self.snapshot, "agent_status": self.agent_status,
                  "screen_pop": self.screen_pop, "call_ended": self.call_ended,
                  "callbacks": self.callbacks, "referrals": self.referrals}[push.type]
        signal.emit(push)

    def _gap(self, seq: int) -> None:
        log.info("push %d after %d: asking the hub to catch us up", seq, self.last_seq)
        if self._ready and self._auth_id is None and self.token:
            self._resume()

    def _skip_seq(self, raw: str) -> None:
        """A push we cannot read still used its seq: step over it, or the next push would
        look like a gap and the replay would bring the same message back forever."""
        try:
            seq = json.loads(raw).get("seq")
        except (ValueError, AttributeError):
            return
        if isinstance(seq, int) and seq == self.last_seq + 1:
            self.last_seq = seq

    def _fail_all(self, code: Code, message: str) -> None:
        for request_id in list(self._pending):
            self._answer(local_error(code, message, request_id))

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _new_id(self) -> str:
        return f"r{next(self._ids)}"
