"""After-call work: between the end of a call and the saved case, the agent takes no call.

A desktop agent is `Available (On Demand)` on the switch, so mod_callcenter itself leaves them
`Idle` after each call; the daemon sets them back to `Waiting` when the case is saved, when the
agent says they are done, or when the topic's limit (`acw_seconds`) passes. At the limit the
latest draft the desktop sent is saved as a `follow_up` case (fields that do not validate yet
are left out, the notes say why); with no draft, the caller gets a follow-up callback. Either
way nothing the nurse typed and no caller is lost.

Only an agent at a desktop wraps up: one with no desktop session (a phone-only agent) gets no
after-call work and no follow-up, and is set `Waiting` at once if mod_callcenter holds them
Idle. The deadline is kept in the database (callcenter.hub.acw_store): a restarted daemon
resumes the countdown, or does at once what its end would have done."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import gevent
from gevent.event import AsyncResult

from callcenter.hub.acw_store import (
    drop_wrap,
    follow_up_callback,
    keep_wrap,
    kept_wraps,
    save_draft_as_follow_up,
)
from callcenter.hub.server import Client
from callcenter.hub.service import Backend, HubService
from callcenter.state.model import CallState
from callcenter.switch.errors import SwitchError
from protocol.messages import CallEnded

if TYPE_CHECKING:
    from callcenter.hub.desk import AgentDesk

log = logging.getLogger(__name__)
DEFAULT_SECONDS = 120.0  # a call whose topic is not known
MAX_DRAFTS = 5000
MAX_ENDED = 2000  # calls whose hangup cause is remembered for their call_ended
# How long call_ended waits for the caller's hangup when the agent's leg ended first. On the
# real switch the caller's CHANNEL_HANGUP_COMPLETE comes before bridge-agent-end when the caller
# hangs up (capture hotline_ivr_key1_answered); a caller transferred on never ends here.
CAUSE_WAIT = 3.0


@dataclass
class Wrap:
    call_uuid: str
    started: float  # epoch seconds
    until: float
    timer: gevent.Greenlet


class AfterCallWork:
    def __init__(self, hub: HubService, backend: Backend, desk: AgentDesk) -> None:
        self.hub, self.backend, self.desk = hub, backend, desk
        self.active: dict[str, Wrap] = {}  # username → the call being wrapped up
        # (username, call uuid) → the last CaseDraft, and the agent id it came from
        self.drafts: dict[tuple[str, str], tuple[Any, int]] = {}
        self.unready: set[str] = set()  # could not be set Waiting (link down): retried
        self.saved_on_call: dict[str, str] = {}  # username → the call whose case was saved
        self.ready_when_idle: set[str] = set()  # done, but the switch has not held them yet
        self.ended: OrderedDict[str, AsyncResult] = OrderedDict()  # call uuid → its cause
        self._kept: deque[tuple[Callable[..., None], tuple[Any, ...]]] = deque()
        self._keeper: gevent.Greenlet | None = None
        self._restored = False

    def until(self, username: str) -> str | None:
        wrap = self.active.get(username)
        return datetime.fromtimestamp(wrap.until, UTC).isoformat() if wrap else None

    def seconds_in(self, username: str) -> float | None:
        """How long this agent has been in after-call work (for the lead)."""
        wrap = self.active.get(username)
        return None if wrap is None else max(0.0, time.time() - wrap.started)

    # -- from the daemon's effects (the event path: nothing here blocks) ----------------

    def call_changed(self, call: CallState) -> None:
        """A call ended: its hangup cause, for the call_ended of the agent who had it."""
        if call.ended_us is not None:
            self._ended(call.uuid).set(call.hangup_cause)

    def released(self, username: str, call_uuid: str) -> None:
        """mod_callcenter ended the agent's bridge to a queue call."""
        if self.hub.sessions.of_agent(username):
            self.start(username, call_uuid, wait_cause=True)
            return
        self.finish(username, "next call", ready=False)
        log.info("hub: %s has no desktop: no after-call work for %s", username, call_uuid)

    def state_changed(self, username: str, state: str) -> None:
        """An agent at a desktop changed state: one done before mod_callcenter held them Idle
        (On Demand) is let go now."""
        if state == "Waiting":  # let go already (an agent not On Demand): nothing to do
            self.ready_when_idle.discard(username)
        elif state == "Idle" and username in self.ready_when_idle:
            self.ready_when_idle.discard(username)
            gevent.spawn(self.ready, username)

    def _ready_once_idle(self, username: str) -> None:
        agent = self.backend.state.agents.get(self.desk.agent_name(username))
        if agent is not None and agent.state == "Idle":
            gevent.spawn(self.ready, username)
        else:
            # FreeSWITCH: mod_callcenter.c outbound_agent_thread_run fires bridge-agent-end,
            # then sets an On Demand agent's state to Idle: the Idle event comes after.
            self.ready_when_idle.add(username)

    def held_without_desk(self, username: str, state: str) -> None:
        """An agent with no desktop held Idle by mod_callcenter after a call (On Demand):
        nobody will wrap up or say they are done, so they take calls again at once."""
        agent = self.backend.state.agents.get(self.desk.agent_name(username))
        if state == "Idle" and username not in self.active and agent is not None and \
                agent.call is None:
            gevent.spawn(self.ready, username)

    # -- the work -----------------------------------------------------------------------

    def start(self, username: str, call_uuid: str, wait_cause: bool = False) -> None:
        """After-call work on this call. `wait_cause`: call_ended carries the call's hangup
        cause, waited for a moment if the caller is still up (a queue call)."""
        self.finish(username, "next call", ready=False)
        if self.saved_on_call.get(username) == call_uuid:
            self._saved_already(username, call_uuid)
            return
        call = self.backend.state.calls.get(call_uuid)  # gone if the caller hung up first
        pop = self.desk.pops.get(username)
        topic = self.desk.topic_of_queue(call.queue) if call else \
            (pop.topic if pop is not None and pop.call.uuid == call_uuid else None)
        seconds = float(topic.get("acw_seconds", DEFAULT_SECONDS) if topic else DEFAULT_SECONDS)
        now = time.time()
        self._begin(username, call_uuid, now, now + seconds)
        self._keep(keep_wrap, username, call_uuid, now, now + seconds)
        if not self.hub.sessions.of_agent(username):
            return
        until = self.until(username)
        ended = self.ended.get(call_uuid)
        if not wait_cause or (ended is not None and ended.ready()):
            cause = ended.value if ended is not None and ended.ready() else None
            self.hub.push_agent(username, CallEnded(call_uuid=call_uuid, hangup_cause=cause,
                                                    acw_until=until))
        else:
            gevent.spawn(self._tell_ended, username, call_uuid, until)

    def _saved_already(self, username: str, call_uuid: str) -> None:
        """The case was saved during the call: no after-call work (nothing left to wrap up,
        and no follow-up owed when it would have run out); the agent takes calls again."""
        del self.saved_on_call[username]
        pop = self.desk.pops.get(username)
        if pop is not None and pop.call.uuid == call_uuid:
            del self.desk.pops[username]
        gevent.spawn(self._tell_ended, username, call_uuid, None)
        self._ready_once_idle(username)
        log.info("hub: %s saved the case during %s: no after-call work", username, call_uuid)

    def _begin(self, username: str, call_uuid: str, started: float, until: float) -> None:
        timer = gevent.spawn_later(max(0.0, until - time.time()), self._expired, username,
                                   call_uuid)
        self.active[username] = Wrap(call_uuid, started, until, timer)

    def _tell_ended(self, username: str, call_uuid: str, until: str | None) -> None:
        try:
            cause = self._ended(call_uuid).get(timeout=CAUSE_WAIT)
        except gevent.Timeout:
            cause = None  # the caller is still up (transferred on): no cause yet
        self.hub.push_agent(username, CallEnded(call_uuid=call_uuid, hangup_cause=cause,
                                                acw_until=until))

    def _ended(self, call_uuid: str) -> AsyncResult:
        result = self.ended.get(call_uuid)
        if result is None:
            result = self.ended[call_uuid] = AsyncResult()
            while len(self.ended) > MAX_ENDED:
                self.ended.popitem(last=False)
        return result

    def draft(self, client: Client, request: Any) -> dict[str, Any]:
        if client.session is None:
            raise RuntimeError("expected client.session is not None")
        self.desk._may_see(client.session, request.topic)
        if request.call_uuid:
            key = (client.session.username, request.call_uuid)
            self.drafts[key] = (request, client.session.agent_id)
            if len(self.drafts) > MAX_DRAFTS:  # the oldest go (their desktops keep them)
                del self.drafts[next(iter(self.drafts))]
        return {}

    def saved(self, username: str, call_uuid: str | None) -> None:
        wrap = self.active.get(username)
        if call_uuid is not None:
            self.drafts.pop((username, call_uuid), None)
        if wrap is not None and call_uuid == wrap.call_uuid:
            self.finish(username, "case saved")
        elif call_uuid is not None:  # before its after-call work began: none is needed
            self.saved_on_call[username] = call_uuid

    def finish(self, username: str, why: str, ready: bool = True) -> bool:
        """End the agent's after-call work; False if there was none."""
        wrap = self.active.pop(username, None)
        if wrap is None:
            return False
        wrap.timer.kill(block=False)
        self._keep(drop_wrap, username, wrap.call_uuid)
        self.drafts.pop((username, wrap.call_uuid), None)
        pop = self.desk.pops.get(username)
        if pop is not None and pop.call.uuid == wrap.call_uuid:
            del self.desk.pops[username]
        log.info("hub: %s: after-call work over (%s)", username, why)
        if ready:
            self.ready(username)
        return True

    def ready(self, username: str) -> None:
        """Back into the distribution, if mod_callcenter is holding the agent Idle."""
        name = self.desk.agent_name(username)
        agent = self.backend.state.agents.get(name)
        if agent is not None and agent.state == "Idle":
            reply = self.set_state(username, "Waiting")
            if not reply.startswith("+OK"):
                log.warning("hub: %s could not be set Waiting (%s); retried on reconnect",
                            name, reply.strip())
                self.unready.add(username)
                return
        self.unready.discard(username)
        if self.hub.sessions.of_agent(username):
            self.desk.status_changed(username)

    def set_state(self, username: str, state: str) -> str:
        """The agent's mod_callcenter state; the switch's reply (-ERR … if it did not
        answer)."""
        name = self.desk.agent_name(username)
        try:
            return self.backend.switch.agent_set_state(name, state)
        except SwitchError as exc:
            return f"-ERR {exc}"

    def repair(self) -> None:
        """After a (re)connect: the after-call work kept by the daemon that ran before is
        resumed (once); agents held Idle with no after-call work running (the link was down
        when they were done) go back to Waiting."""
        if not self._restored:
            self._restore()
        for name, agent in list(self.backend.state.agents.items()):
            username = self.desk.username(name)
            if username is not None and agent.state == "Idle" and agent.call is None and \
                    username not in self.active:
                log.info("hub: %s was held Idle with no after-call work running (done while "
                         "the link was down): set Waiting", name)
                self.ready(username)

    def stop(self) -> None:
        """The daemon stops: no timer may act for it any more (the deadlines stay kept for the
        next one)."""
        for wrap in self.active.values():
            wrap.timer.kill(block=False)

    def _restore(self) -> None:
        try:
            kept = self.hub.db(kept_wraps)
        except Exception:
            log.exception("hub: reading the after-call work kept before the restart failed")
            return
        self._restored = True
        now = time.time()
        for wrap in kept:
            if wrap.username in self.active:
                continue  # a newer one began meanwhile
            self._begin(wrap.username, wrap.call_uuid, wrap.started, wrap.until)
            if wrap.until > now:
                log.info("hub: %s: after-call work resumed (%.0f s left)", wrap.username,
                         wrap.until - now)
            else:
                log.info("hub: %s: after-call work ran out while the daemon was down",
                         wrap.username)

    def _keep(self, fn: Callable[..., None], *args: Any) -> None:
        """Write the deadline's changes in the order they happened, off the event path."""
        self._kept.append((fn, args))
        if self._keeper is None or self._keeper.dead:
            self._keeper = gevent.spawn(self._write_kept)

    def _write_kept(self) -> None:
        while self._kept:
            fn, args = self._kept.popleft()
            try:
                self.hub.db(fn, *args)
            except Exception:
                log.exception("hub: keeping after-call work (%s) failed", fn.__name__)

    def _expired(self, username: str, call_uuid: str) -> None:
        kept = self.drafts.get((username, call_uuid))
        try:
            if kept is not None:
                code = self.hub.db(save_draft_as_follow_up, *kept, self.desk.case_hooks,
                                   datetime.now(self.desk.zone).date())
                log.info("hub: %s: after-call work ran out; draft saved as %s", username, code)
                for hook in self.desk.saved_hooks:
                    hook()
            else:
                self.hub.db(follow_up_callback, call_uuid, username)
                log.info("hub: %s: after-call work ran out with no draft; callback owed",
                         username)
        except Exception:
            log.exception("hub: saving %s's draft at the end of after-call work failed",
                          username)
        wrap = self.active.get(username)
        if wrap is not None and wrap.call_uuid == call_uuid:
            self.finish(username, "time is up")
