"""mod_callcenter at run time: the `callcenter` application (the member's side), the dispatcher
that offers waiting members to agents every 100 ms, and the agent thread that rings an agent,
bridges, and reports (`callcenter_function`, `cc_agent_dispatch_thread_run`,
`outbound_agent_thread_run` in mod_callcenter.c; the captures give the event order).

The tables and their events live in CallcenterModel / CallcenterConfigApi; this module moves
calls through them."""

from __future__ import annotations

import json
import logging
import random
from typing import TYPE_CHECKING

import gevent
import gevent.event

from callcenter.sim import sites
from callcenter.sim.agent_leg import AgentLeg, OfferFailed, Race
from callcenter.sim.callcenter_api import CallcenterConfigApi
from callcenter.sim.callcenter_model import (
    CallcenterModel,
    Member,
    Queue,
    agent_found,
    c_atoi,
    member_base_score,
    member_order,
    members_to_discard,
    offer_order,
    same_text,
)
from callcenter.sim.session import Hangup, Session, Transferred

if TYPE_CHECKING:
    from callcenter.sim.switch import SimSwitch

log = logging.getLogger(__name__)
SUBCLASS = "callcenter::info"
DISPATCH_INTERVAL = 0.1  # FreeSWITCH: mod_callcenter.c cc_agent_dispatch_thread_run
MEMBER_POLL = 0.5  # FreeSWITCH: mod_callcenter.c cc_member_thread_run


def member_timeout(queue: Queue, called: int, now: int) -> str | None:
    """Why the member thread ends a caller's wait now, if it does: max-wait-time from this
    call's `callcenter` (not the resumed member's first join), or no agent in the queue for
    max-wait-time-with-no-agent, seen by the dispatcher after the caller came, plus the
    grace of -time-reached since they came."""
    # FreeSWITCH: mod_callcenter.c cc_member_thread_run
    if queue.max_wait_time > 0 and queue.max_wait_time <= now - called:
        return "TIMEOUT"
    no_agent, check = queue.max_wait_time_with_no_agent, queue.last_agent_exist_check
    if no_agent > 0 and check > queue.last_agent_exist and called <= check \
            and check - queue.last_agent_exist >= no_agent:
        grace = queue.max_wait_time_with_no_agent_time_reached
        if grace <= 0 or check - called >= grace + no_agent:
            return "NO_AGENT_TIMEOUT"
    return None


class CallcenterEngine:
    """mod_callcenter inside a SimSwitch."""

    def __init__(self, switch: SimSwitch, model: CallcenterModel,
                 rng: random.Random | None = None) -> None:
        self.switch = switch
        self.model = model
        self.rng = rng or random.Random(0)  # noqa: S311 — jitter and simulation, not a secret
        self.api = CallcenterConfigApi(model, emit=self._emit_plain,
                                       hangup_matching=self._hangup_matching)
        self.members: dict[str, Session] = {}  # member uuid → the caller's session
        self.offers: dict[str, gevent.Greenlet] = {}  # member uuid → its agent thread
        self._joined: dict[str, gevent.event.Event] = {}  # channel uuid → joins a queue
        # caller's channel uuid → set once the agent thread of its bridge reported the end
        self.bridge_ends: dict[str, gevent.event.Event] = {}
        switch.register_api("callcenter_config",
                            lambda args: self.api.execute(args, self.switch.clock()))
        switch.register_api("json", self._json_api)
        switch.applications["callcenter"] = self.callcenter_app
        self._dispatcher = gevent.spawn(self._dispatch_loop)

    def _json_api(self, args: str) -> str:
        """The core `json` api, for the commands that register with it (callcenter_config)."""
        try:
            request = json.loads(args)
        except ValueError:
            return "-ERR JSON parse error\n"
        if not isinstance(request, dict):
            return "-ERR JSON parse error\n"
        return self.api.execute_json(request, self.switch.clock())

    def stop(self) -> None:
        self._dispatcher.kill()

    def watch_join(self, session: Session) -> gevent.event.Event:
        """Set the next time this channel joins a queue (a caller transferred on)."""
        event = self._joined[session.channel.uuid] = gevent.event.Event()
        return event

    def unwatch_join(self, session: Session) -> None:
        self._joined.pop(session.channel.uuid, None)

    # -- events ------------------------------------------------------------------------

    def _emit_plain(self, cc_headers: list[tuple[str, str]]) -> None:
        """An event of the table helpers: no channel data."""
        action = dict(cc_headers).get("CC-Action", "")
        site = {"agent-add": sites.CC_AGENT_ADD, "agent-status-change": sites.CC_STATUS_CHANGE,
                "agent-state-change": sites.CC_STATE_CHANGE,
                "agent-contact-change": sites.CC_CONTACT_CHANGE}.get(
            action, sites.CC_AGENT_GET if action.endswith("-get") else ("", "", 0))
        self.switch.fire(self.switch.new_event("CUSTOM", cc_headers, subclass=SUBCLASS,
                                               calling=site))

    def emit(self, cc_headers: list[tuple[str, str]], site: sites.Site,
             session: Session | None = None) -> None:
        """An event of the module itself, with a channel's data when `session` is given."""
        headers = [(k, v) for k, v in cc_headers if v]
        if session is None:
            event = self.switch.new_event("CUSTOM", headers, subclass=SUBCLASS, calling=site)
            self.switch.fire(event)
        else:
            session.fire("CUSTOM", after=headers, calling=site, subclass=SUBCLASS,
                         variables=True)

    def members_count(self, queue: str) -> None:
        # FreeSWITCH: mod_callcenter.c cc_queue_count, cc_send_presence (captured)
        count = sum(1 for m in self.model.members
                    if m.queue == queue and m.state in ("Waiting", "Trying"))
        self.emit([("CC-Queue", queue), ("CC-Action", "members-count"),
                   ("CC-Count", str(count)), ("CC-Selection", "Single-Queue")],
                  sites.CC_MEMBERS_COUNT)
        self.switch.fire(self.switch.new_event("PRESENCE_IN", [
            ("proto", "callcenter"), ("login", queue), ("from", queue),
            ("force-status", f"Active ({count} waiting)" if count else "Idle"),
            ("rpid", "unknown"), ("event_type", "presence"), ("alt_event_type", "dialog"),
            ("event_count", "0"), ("channel-state", "CS_ROUTING"), ("unique-id", queue),
            ("answer-state", "confirmed" if count else "terminated"),
            ("presence-call-direction", "inbound")], calling=sites.CC_PRESENCE))

    def _hangup_matching(self, variable: str, value: str, cause: str) -> None:
        # FreeSWITCH: switch_core_session.c switch_core_session_hupall_matching_var
        for session in list(self.switch.sessions.values()):
            if session.channel.variables.get(variable) == value:
                session.hangup_from_outside(cause)

    # -- the member's side: the `callcenter` application ----------------------------------

    def callcenter_app(self, session: Session, data: str) -> str:
        # FreeSWITCH: mod_callcenter.c callcenter_function (answer, the member's row, the cc_*
        # variables, member-queue-start or -resume, members-count; captured order)
        queue_name = data.split()[0] if data.split() else ""
        now = self.switch.clock()
        queue = self.model.get_queue(queue_name)
        if queue is None:
            log.warning("callcenter: queue %s not found", queue_name)
            return "_none_"
        channel = session.channel
        if not channel.answered:
            self.switch.applications["answer"](session, "")
        variables = channel.variables
        profile = channel.profile
        member, resumed = self._member_row(session, queue_name, now)
        variables["cc_side"] = "member"
        variables["cc_member_uuid"] = member.uuid
        variables.pop("cc_agent_found", None)  # "Clear flags in case previously set"
        variables.pop("cc_agent_bridged", None)
        variables["cc_queue_joined_epoch"] = str(int(now))  # this join, resumed or not
        variables["cc_queue"] = queue_name
        self.members[member.uuid] = session
        action = "member-queue-resume" if resumed else "member-queue-start"
        self.emit([("CC-Queue", queue_name), ("CC-Action", action),
                   ("CC-Member-UUID", member.uuid), ("CC-Member-Session-UUID", channel.uuid),
                   ("CC-Member-CID-Name", profile.caller_id_name),
                   ("CC-Member-CID-Number", profile.caller_id_number)],
                  sites.CC_MEMBER_START, session)
        self.members_count(queue_name)
        joined = self._joined.pop(channel.uuid, None)
        if joined is not None:
            joined.set()
        session.set_phase("queued")
        try:
            self._hold(session, queue.moh_sound, member, queue)
        except Hangup:
            self._cancel(session, member, "BREAK_OUT")
            raise
        except Transferred:
            if session.pending_bridge is None:  # moved elsewhere, not to an agent
                self._cancel(session, member, "BREAK_OUT")
            raise
        return "_none_"

    def _member_row(self, session: Session, queue_name: str,
                    now: float) -> tuple[Member, bool]:
        """The member's row: a new one, or, with abandoned-resume-allowed, the row this
        caller left behind (same queue and number), so they keep their place."""
        channel = session.channel
        queue = self.model.get_queue(queue_name)
        if queue is None:
            raise RuntimeError("expected queue is not None")
        if queue.abandoned_resume_allowed:
            # FreeSWITCH: mod_callcenter.c callcenter_function (same queue and cid_number,
            # state Abandoned, ORDER BY abandoned_epoch DESC: the latest)
            left = [m for m in self.model.members if m.queue == queue_name and
                    m.state == "Abandoned" and m.cid_number == channel.profile.caller_id_number]
            if left:
                old = max(left, key=lambda m: m.abandoned_epoch)
                old.state, old.session_uuid = "Waiting", channel.uuid
                old.rejoined_epoch = int(now)
                return old, True
        answered = channel.profile.times["Channel-Answered-Time"] // 1_000_000 or int(now)
        member = Member(
            queue=queue_name, instance_id=self.model.settings.cc_instance_id,
            uuid=self.switch.new_uuid(), session_uuid=channel.uuid,
            cid_number=channel.profile.caller_id_number,
            cid_name=channel.profile.caller_id_name, system_epoch=answered,
            joined_epoch=int(now),
            base_score=member_base_score(queue, now, answered,
                                         channel.variables.get("cc_base_score")))
        self.model.members.append(member)
        return member, False

    def _hold(self, session: Session, moh: str | None, member: Member, queue: object) -> None:
        """Music on hold, in loops, until an agent takes the call, the caller presses an exit
        key, the member thread finds a timeout, or the caller leaves."""
        from callcenter.sim.apps import play_prompt

        exit_keys = session.channel.variables.get("cc_exit_keys", "")
        announce = getattr(queue, "announce_sound", None)
        every = getattr(queue, "announce_frequency", 0)
        next_announce = self.switch.clock() + every
        cancel: list[str] = []  # h->member_cancel_reason, set by the member thread
        thread = gevent.spawn(self._member_thread, session, member.queue,
                              int(self.switch.clock()), cancel)
        try:
            # FreeSWITCH: mod_callcenter.c callcenter_function (the wait loop: the reason the
            # member thread set ends it; the music with moh_on_dtmf for the exit keys)
            while not cancel:
                if announce and every and self.switch.clock() >= next_announce:
                    # FIDELITY: guess — the periodic announcement as a prompt between music
                    # loops; FreeSWITCH displaces it over the music from the member thread
                    # (cc_member_thread_run: switch_ivr_displace_session), not captured.
                    play_prompt(session, announce)
                    next_announce = self.switch.clock() + every
                if moh:
                    # FIDELITY: guess — a tone_stream loops every second, a file every 20 s.
                    play_prompt(session, moh,
                                seconds=1.0 if moh.startswith("tone_stream") else 20)
                else:  # switch_ivr_collect_digits_callback: a digit or the break
                    session.wait_digit(1.0)
                digit = session.take_digit() if session.pending_digit() else None
                if digit is not None and digit in exit_keys:
                    session.channel.variables["cc_exit_key"] = digit
                    cancel.insert(0, "EXIT_WITH_KEY")
            self._cancel(session, member, cancel[0])
        finally:
            thread.kill(block=False)

    def _member_thread(self, session: Session, queue_name: str, called: int,
                       cancel: list[str]) -> None:
        """The member thread: every 500 ms, max-wait-time and max-wait-time-with-no-agent; a
        reason found breaks the music (CF_BREAK) and ends the wait."""
        # FreeSWITCH: mod_callcenter.c cc_member_thread_run (switch_yield(500000))
        while session.channel.alive:
            queue = self.model.get_queue(queue_name)
            if queue is None:
                return
            reason = member_timeout(queue, called, int(self.switch.clock()))
            if reason and session.pending_bridge is None:
                if not cancel:
                    cancel.append(reason)
                session.dtmf_ready.set()  # CF_BREAK, each pass: the music stops, no digit
            self.switch.sleep(MEMBER_POLL)

    def _cancel(self, session: Session, member: Member, reason: str) -> None:
        """The caller left the queue unanswered: member-queue-end Cancel, row Abandoned; an
        agent still ringing for them is hung up (ORIGINATOR_CANCEL)."""
        # FreeSWITCH: mod_callcenter.c callcenter_function ("Canceled for some reason":
        # the row Abandoned, switch_core_session_hupall_matching_var(
        # "cc_member_pre_answer_uuid", ORIGINATOR_CANCEL), member-queue-end, cc_* variables)
        now = int(self.switch.clock())
        offer = self.offers.pop(member.uuid, None)
        if offer is not None:
            offer.kill(block=False)
        self._hangup_matching("cc_member_pre_answer_uuid", member.uuid, "ORIGINATOR_CANCEL")
        member.state = "Abandoned"
        member.abandoned_epoch = now
        member.session_uuid = ""  # the row outlives the call, for abandoned-resume-allowed
        profile = session.channel.profile
        self.emit([("CC-Queue", member.queue), ("CC-Action", "member-queue-end"),
                   ("CC-Member-Leaving-Time", str(now)),
                   ("CC-Member-Joined-Time", str(member.joined_epoch)),
                   ("CC-Cause", "Cancel"), ("CC-Cancel-Reason", reason),
                   ("CC-Member-UUID", member.uuid),
                   ("CC-Member-Session-UUID", session.channel.uuid),
                   ("CC-Member-CID-Name", profile.caller_id_name),
                   ("CC-Member-CID-Number", profile.caller_id_number)],
                  sites.CC_MEMBER_END_CANCEL, session)
        variables = session.channel.variables
        variables["cc_cause"] = "cancel"
        variables["cc_cancel_reason"] = reason
        variables["cc_queue_canceled_epoch"] = str(now)
        self.members.pop(member.uuid, None)
        queue = self.model.get_queue(member.queue)
        if queue is not None:
            queue.calls_abandoned += 1
        self.members_count(member.queue)

    # -- the dispatcher ----------------------------------------------------------------

    def _dispatch_loop(self) -> None:
        while True:
            try:
                self.dispatch_once()
            except Exception:
                log.exception("callcenter dispatcher")
            self.switch.sleep(DISPATCH_INTERVAL)

    def dispatch_once(self) -> None:
        # FreeSWITCH: mod_callcenter.c cc_agent_dispatch_thread_run (members by score, every
        # 100 ms), members_callback (discard abandoned rows, the strategy's query),
        # agents_callback (the checks, the member Trying, the agent thread)
        now = self.switch.clock()
        for member in members_to_discard(self.model, now):
            self.model.members.remove(member)
        # A query that offered nobody gives the same answer to the next member of that queue
        # with the same tier start in this pass: within a pass agents are only taken, never
        # freed, and no time passes. FreeSWITCH runs its SQL per member; the simulator's query
        # is a Python walk over every agent and tier, and a thousand callers waiting made each
        # pass stall it for a third of a second. Not with tier rules (they depend on the
        # member's wait) nor `random` (it draws from the generator).
        nobody: dict[tuple[str, int, int], bool] = {}  # → the query returned a row (found)
        for member in member_order(self.model, None, now):
            if member.state != "Waiting" or member.uuid in self.offers:
                continue
            session = self.members.get(member.uuid)
            if session is None or not session.channel.alive:
                continue
            variables = session.channel.variables
            peeked = self.model.peek_queue(member.queue)
            last = {"last_tier_level": c_atoi(variables.get("cc_last_agent_tier_level")),
                    "last_tier_position": c_atoi(variables.get("cc_last_agent_tier_position"))}
            key = (member.queue, last["last_tier_level"], last["last_tier_position"])
            if key in nobody:
                agents, found = [], nobody[key]
            else:
                agents = offer_order(
                    self.model, member.queue, now, self.rng,
                    member_joined_epoch=member.joined_epoch, **last,
                    limit=None if peeked is not None and peeked.strategy == "ring-all" else 1)
                found = bool(agents) or agent_found(self.model, member.queue, **last)
                if not agents and peeked is not None and not peeked.tier_rules_apply and \
                        not same_text(peeked.strategy, "random"):
                    nobody[key] = found
            top_down = peeked is not None and same_text(peeked.strategy, "top-down")
            checked = self.model.get_queue(member.queue)
            if checked is not None:
                # FreeSWITCH: mod_callcenter.c members_callback (queue->last_agent_exist_check
                # each pass; last_agent_exist when the agents query returned a row)
                checked.last_agent_exist_check = int(now)
                if found:
                    checked.last_agent_exist = int(now)
            if not agents:
                if top_down and not found:
                    # FreeSWITCH: mod_callcenter.c members_callback ("If no agent found in
                    # top-down mode, restart to the begining": both variables unset)
                    variables.pop("cc_last_agent_tier_position", None)
                    variables.pop("cc_last_agent_tier_level", None)
                continue
            if top_down:
                # FreeSWITCH: mod_callcenter.c agents_callback (top-down: the member's channel
                # remembers the tier it offers, and the next pass starts after it; captured in
                # hotline_no_answer_next_agent)
                tier = next(t for t in self.model.tiers
                            if t.queue == member.queue and t.agent == agents[0].name)
                variables["cc_last_agent_tier_position"] = str(tier.position)
                variables["cc_last_agent_tier_level"] = str(tier.level)
            queue = self.model.get_queue(member.queue)
            ring_all = queue is not None and queue.strategy == "ring-all"
            member.state = "Trying"
            member.serving_agent = "ring-all" if ring_all else agents[0].name
            member.serving_system = "single_box"
            race = Race()
            legs = [AgentLeg(self, member, session, agent, race)
                    for agent in (agents if ring_all else agents[:1])]
            for leg in legs:
                leg.reserve()
            self.offers[member.uuid] = gevent.spawn(self._offer, legs)

    def _offer(self, legs: list[AgentLeg]) -> None:
        """Ring one agent (or all of them, ring-all); the first to answer takes the call."""
        # FreeSWITCH: mod_callcenter.c agents_callback (one outbound_agent_thread_run per
        # agent offered; ring-all goes on to the next row)
        member = legs[0].member
        try:
            greenlets = [gevent.spawn(_taken, leg) for leg in legs]
            gevent.joinall(greenlets)
            if not any(g.value for g in greenlets) and member.state == "Trying":
                member.state = "Waiting"
                member.serving_agent = ""
        finally:
            self.offers.pop(member.uuid, None)


def _taken(leg: AgentLeg) -> bool:
    """Run one offer; True when this agent took the call."""
    try:
        leg.run()
    except OfferFailed:
        return False
    return True
