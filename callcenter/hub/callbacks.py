"""Callbacks on the desktops: the live list, and dialling one.

A dial claims the callback for one agent (db.callbacks) and holds the agent out of the queues
(Idle), rings the agent's phone, then the caller (`originate … &bridge(…)`). When the agent
answers, the call is recorded (outbound) and the agent gets its screen-pop: the caller's
history, the declaration, the topic's form. The agent's leg carries the callback's id and the
dial's token; its hangup tells how the caller's dial ended (the recorder writes it) and starts
after-call work, as a queue call's end does. Every desktop's list is pushed again when a
callback is owed, claimed or finished."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import gevent

from callcenter.hub import store
from callcenter.hub.calls import NUMBER
from callcenter.hub.desk import AgentDesk, _session
from callcenter.hub.server import Client
from callcenter.hub.service import Backend, Denied, HubService
from callcenter.hub.sessions import HubSession
from callcenter.state.effects import CallbackDialEnded, CallbackOwed, Effect
from callcenter.switch.api import via_gateway
from callcenter.switch.errors import CommandError, SwitchError
from callcenter.switch.link import BackgroundJob
from db import callbacks
from db.models import Agent
from protocol.errors import ErrorCode
from protocol.messages import Callbacks, CallEnded, CallView
from rules.phone import national_digits

log = logging.getLogger(__name__)
ORIGINATE_WAIT = 120.0  # s: FreeSWITCH rings the agent's phone for 60 s at most
PUSH_DELAY = 0.5  # s: changes that come together are pushed together
SWEEP_SECONDS = 60.0
CHANGES_OVERLAP = timedelta(seconds=10)


@dataclass
class Dial:
    username: str
    callback: dict[str, Any]  # id, phone, topic (callback_for_dial)
    leg_uuid: str | None = None  # once the agent answered


class CallbackDesk:
    def __init__(self, hub: HubService, backend: Backend, desk: AgentDesk) -> None:
        self.hub, self.backend, self.desk = hub, backend, desk
        self.dials: dict[str, Dial] = {}  # token → a dial in progress
        self._push_due = False
        self._pushed_at = datetime.now(UTC)
        hub.handlers.update({"callback_list": self.list, "callback_dial": self.dial})

    def list(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        if session.is_lead:
            self.hub.audit(client, "callbacks.read", None)
        return {"callbacks": self.hub.db(store.open_callbacks, self.desk.visible(session),
                                         self.desk.zone)}

    # -- dialling ----------------------------------------------------------------------

    def dial(self, client: Client, request: Any) -> dict[str, Any]:
        """Ring the agent's phone first; when they answer, dial the caller."""
        session = _session(client)
        callback = self.hub.db(store.callback_for_dial, request.callback_id)
        if callback is None:
            raise Denied(ErrorCode.NOT_FOUND, f"no callback {request.callback_id}")
        self.desk._may_see(session, callback["topic"])
        if not NUMBER.fullmatch(callback["phone"]):
            raise Denied(ErrorCode.INVALID, f"callback {request.callback_id} has no number to dial "
                         f"({callback['phone']!r})")
        contact = self.hub.db(_contact, session.agent_id, self.backend.settings.site.domain)
        if contact is None:
            raise Denied(ErrorCode.INVALID, "you have no phone to ring (no extension or contact)")
        live = self.backend.state.agents.get(self.desk.agent_name(session.username))
        if (live is not None and live.call is not None) or any(
                d.username == session.username for d in self.dials.values()):
            raise Denied(ErrorCode.BUSY, "finish the call in hand first")
        try:
            token = self.hub.db(callbacks.claim, callback["id"], session.agent_id,
                                datetime.now(UTC))
        except callbacks.CallbackBusy as exc:
            raise Denied(ErrorCode.CONFLICT, str(exc)) from None
        self.dials[token] = Dial(session.username, callback)
        self._hold(session.username)
        try:
            job = self._originate(callback, contact, token)
        except SwitchError as exc:
            self._not_dialled(callback["id"], token)
            raise Denied(ErrorCode.SWITCH, f"the switch did not answer: {exc}") from None
        gevent.spawn(self._watch, job, callback["id"], token)
        self.changed()  # it leaves the other desktops' lists
        self.hub.audit(client, "callback.dial", str(callback["id"]), phone=callback["phone"])
        return {"job": job.job_uuid}

    def _originate(self, callback: dict[str, Any], contact: str, token: str) -> BackgroundJob:
        site = self.backend.settings.site
        caller_id = national_digits(site.hotline_numbers[-1]) if site.hotline_numbers else "1022"
        return self.backend.switch.originate(
            contact, {"origination_caller_id_number": caller_id,
                      "origination_caller_id_name": "Tong dai 1022",
                      "hotline_callback_id": str(callback["id"]), "hotline_dial": token},
            via_gateway(self.backend.settings.trunk.name, national_digits(callback["phone"])),
            {"origination_caller_id_number": caller_id})

    def _watch(self, job: Any, callback_id: int, token: str) -> None:
        """originate's own answer is about the agent's phone: -ERR (not answered, refused)
        means the caller was never dialled. +OK: the leg's hangup will say the rest."""
        try:
            text = job.get(timeout=ORIGINATE_WAIT)
        except CommandError as exc:
            log.info("hub: callback %s not dialled: %s", callback_id, exc)
            self._not_dialled(callback_id, token)
            return
        except SwitchError:
            return  # no answer: the leg's hangup event, or the stale-dial sweep, ends it
        words = text.split()
        dial = self.dials.get(token)
        if dial is not None and len(words) > 1:  # "+OK <the agent's leg>"
            self._answered(dial, token, words[1])

    def _answered(self, dial: Dial, token: str, leg_uuid: str) -> None:
        """The agent took the dial: record the call, and pop it on their desktop."""
        callback = dial.callback
        call_id = self.hub.db(_call_of_dial, callback["id"], token, leg_uuid)
        if call_id is None or token not in self.dials:
            return  # the dial ended meanwhile (the read yields)
        dial.leg_uuid = leg_uuid
        view = CallView(uuid=leg_uuid, call_id=call_id, caller_number=callback["phone"],
                        topic=callback["topic"],
                        answered_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"))
        self.desk.dialled[dial.username] = view
        topic = self.desk.topics().get(callback["topic"]) or {}
        data = self.desk.read_pop_data(dial.username, leg_uuid, callback["phone"],
                                       topic.get("key"))
        if data is not None and token in self.dials:  # not ended while it was read
            self.desk.send_pop(dial.username, view, topic, data)

    def on_effect(self, effect: Effect) -> None:
        """From the daemon's event path: the agent's leg hung up."""
        if isinstance(effect, CallbackDialEnded):
            self._over(effect.token, effect.disposition == callbacks.REACHED)

    def _over(self, token: str, reached: bool = False) -> None:
        """The dial is over: after-call work if the agent talked to the caller, else back
        to the queues at once (the pop stays on the desktop, its call ended)."""
        dial = self.dials.pop(token, None)
        if dial is None:
            return
        had_call = self.desk.dialled.pop(dial.username, None) is not None
        if had_call and reached and dial.leg_uuid is not None:
            self.desk.acw.start(dial.username, dial.leg_uuid)
            return
        if had_call and dial.leg_uuid is not None:
            self.desk.pops.pop(dial.username, None)
            self.hub.push_agent(dial.username, CallEnded(call_uuid=dial.leg_uuid))
        self.desk.acw.ready(dial.username)

    def _hold(self, username: str) -> None:
        """Out of the queues while dialling (an On Demand agent Idle takes no offer); after-
        call work or acw.ready puts the agent back to Waiting."""
        agent = self.backend.state.agents.get(self.desk.agent_name(username))
        if agent is not None and agent.state == "Waiting":
            reply = self.desk.acw.set_state(username, "Idle")
            if not reply.startswith("+OK"):
                log.warning("hub: %s not held out of the queues for a callback (%s)",
                            username, reply.strip())

    def _not_dialled(self, callback_id: int, token: str) -> None:
        if self.hub.db(callbacks.dial_ended, callback_id, token, None, datetime.now(UTC),
                       callbacks.RetryPolicy()) is not None:
            self.changed()
        self._over(token)

    # -- the live list -----------------------------------------------------------------

    def on_written(self, effects: Sequence[Effect]) -> None:
        """After the recorder's batch is committed: a callback was owed or a dial ended."""
        if any(isinstance(e, CallbackOwed | CallbackDialEnded) for e in effects):
            self.changed()

    def changed(self) -> None:
        if not self._push_due:
            self._push_due = True
            gevent.spawn_later(PUSH_DELAY, self._push)

    def _push(self) -> None:
        """Every logged-in desktop gets the callbacks changed lately (not the whole list: a
        busy hour would send hundreds of rows to hundreds of desktops every second), one
        read per set of topics. Changes overlap from one push to the next (CHANGES_OVERLAP):
        a row committed late is not missed, and one seen twice is merged twice, harmlessly."""
        self._push_due = False
        now = datetime.now(UTC)
        since, self._pushed_at = self._pushed_at - CHANGES_OVERLAP, now
        groups: dict[frozenset[str] | None, list[HubSession]] = {}
        for client in list(self.hub.clients):
            session = client.session
            if session is not None and session not in groups.get(
                    self.desk.visible(session), []):
                groups.setdefault(self.desk.visible(session), []).append(session)
        for visible, sessions in groups.items():
            rows = self.hub.db(store.changed_callbacks, visible, since, self.desk.zone)
            if rows:
                for session in sessions:
                    self.hub.push_to(session, Callbacks(callbacks=rows, changed_only=True))

    def sweep_forever(self) -> None:
        hours = self.backend.settings.callbacks.stale_dial_hours
        while True:
            gevent.sleep(SWEEP_SECONDS)
            try:
                if self.hub.db(callbacks.reopen_stale, datetime.now(UTC),
                               timedelta(hours=hours)):
                    self.changed()
            except Exception:
                log.exception("hub: reopening stale callback dials failed")


def _call_of_dial(db: Any, callback_id: int, token: str, leg_uuid: str) -> int | None:
    call = callbacks.agent_answered(db, callback_id, token, leg_uuid, datetime.now(UTC))
    return None if call is None else call.id


def _contact(db: Any, agent_id: int, domain: str) -> str | None:
    return db.get_one(Agent, agent_id).dial_string(domain)
