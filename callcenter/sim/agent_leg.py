"""One offer of a member to an agent: ring the agent's phone, bridge on answer, report at the
end (`outbound_agent_thread_run`). The agent's channel and the bridge follow the event order
of the `call_answered` capture."""

from __future__ import annotations

import logging
import uuid as uuidlib
from typing import TYPE_CHECKING

import gevent
import gevent.event

from callcenter.sim import recording_file, sites
from callcenter.sim.callcenter_model import Agent, Member
from callcenter.sim.originate import new_leg, parse_dial_string, ring
from callcenter.sim.session import Session
from fsxml.expand import pushed

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from callcenter.sim.callcenter_engine import CallcenterEngine

def prepare_uuid_bridge(a: Session, b: Session, now_us: int) -> None:
    """What uuid_bridge changes before either leg moves: a new caller profile each (with
    the transfer source), the other leg's profile, and the hibernate state asked for."""
    for leg, other in ((a, b), (b, a)):
        old = leg.channel.profile
        new = old.copy()
        new.profile_index = str(int(old.profile_index or "1") + 1)
        new.transfer_source = (f"{now_us // 1_000_000}:{uuidlib.uuid4()}:uuid_br:"
                               f"{other.channel.uuid}")
        new.times["Profile-Created-Time"] = now_us
        leg.channel.profile = new
        variables = leg.channel.variables
        variables["transfer_source"] = new.transfer_source
        # FreeSWITCH: switch_ivr_bridge.c switch_ivr_uuid_bridge (both legs push their
        # uuid_br transfer source onto transfer_history; the hotline captures show it)
        variables["transfer_history"] = pushed(variables.get("transfer_history"),
                                               new.transfer_source)
    for leg, other, kind in ((a, b, "originatee"), (b, a, "originator")):
        seen = other.channel.profile.copy()
        seen.transfer_source = ""
        seen.logical_direction = "inbound"
        leg.channel.other_profile = seen
        leg.channel.other_type = kind
        leg.channel.state = "CS_HIBERNATE"
        leg.channel.variables["bridge_uuid"] = other.channel.uuid
        leg.channel.variables["signal_bond"] = other.channel.uuid
        leg.channel.variables["last_bridge_to"] = other.channel.uuid
    # The caller now sees the agent as the callee (after B's view of A was taken).
    a.channel.profile.callee_id_name = b.channel.profile.callee_id_name
    a.channel.profile.callee_id_number = b.channel.profile.callee_id_number


BRIDGE_POLL = 0.1  # seconds between the agent thread's looks at a bridged agent's channel


class Race:
    """Who answered first, when several agents ring for one member (ring-all)."""

    def __init__(self) -> None:
        self.winner: AgentLeg | None = None
        self.legs: list[AgentLeg] = []


class OfferFailed(Exception):
    """The agent did not take the call; the member waits for the next one."""


class AgentLeg:
    """The agent thread for one offer."""

    def __init__(self, engine: CallcenterEngine, member: Member, member_session: Session,
                 agent: Agent, race: Race | None = None) -> None:
        self.engine = engine
        self.switch = engine.switch
        self.member = member
        self.a = member_session
        self.agent = agent
        self.b: Session | None = None
        self.called_at = 0
        self.answered_at = 0
        self.race = race or Race()
        self.race.legs.append(self)
        self.status_at_offer = agent.status

    # -- the offer ---------------------------------------------------------------------

    def reserve(self) -> None:
        """What the dispatcher itself does before it starts the agent thread (agents_callback
        in mod_callcenter.c): the agent Receiving, its tiers Offering / Standby. So the next
        member of the same dispatch pass is not offered this agent too."""
        # FreeSWITCH: mod_callcenter.c agents_callback (state Receiving, tiers Offering and
        # Standby; h->agent_status is the status the agent had then)
        now = int(self.switch.clock())
        self.status_at_offer = self.agent.status
        self.engine.api.agent_update("state", "Receiving", self.agent.name, now)
        self.agent.last_offered_call = now
        self._tier_states("Offering")

    def run(self) -> None:
        # FreeSWITCH: mod_callcenter.c outbound_agent_thread_run (agent-offering, the
        # originate, then the bridge or the failure; event order captured: call_answered,
        # hotline_no_answer_next_agent)
        agent, member = self.agent, self.member
        self.called_at = int(self.switch.clock())
        profile = self.a.channel.profile
        self.engine.emit([
            ("CC-Queue", member.queue), ("CC-Action", "agent-offering"),
            ("CC-Agent", agent.name), ("CC-Agent-Type", agent.type or "callback"),
            ("CC-Agent-System", "single_box"), ("CC-Member-UUID", member.uuid),
            ("CC-Member-Session-UUID", self.a.channel.uuid),
            ("CC-Member-CID-Name", profile.caller_id_name),
            ("CC-Member-CID-Number", profile.caller_id_number),
            ("CC-Member-DNIS", profile.rdnis)],
            sites.CC_OFFERING)
        cause = self._ring()
        if cause is None and self.race.winner is not None:
            cause = "LOSE_RACE"  # another agent of a ring-all answered first
            if self.b is None:
                raise RuntimeError("expected self.b is not None")
            self.b.hangup_from_outside(cause)
        if cause is not None:
            self._failed(cause)
            raise OfferFailed(cause)
        self.race.winner = self
        for other in self.race.legs:
            if other is not self and other.b is not None:
                other.b.hangup_from_outside("LOSE_RACE")
        self._bridge()

    def _tier_states(self, offering: str) -> None:
        for tier in self.engine.model.tiers:
            if tier.agent == self.agent.name:
                if tier.queue == self.member.queue:
                    tier.state = offering
                elif tier.state == "Ready" and offering == "Offering":
                    tier.state = "Standby"
                elif tier.state == "Standby" and offering != "Offering":
                    tier.state = "Ready"

    def _ring(self) -> str | None:
        """Originate the agent's leg; None when answered, else the failure cause."""
        variables, endpoint, user = parse_dial_string(self.agent.contact or "")
        a = self.a.channel
        leg = new_leg(self.switch, endpoint, user, variables,
                      cid_name=a.profile.caller_id_name, cid_number=a.profile.caller_id_number)
        member, agent = self.member, self.agent
        exported = [v for v in a.variables.get("cc_export_vars", "").split(",") if v]
        # FreeSWITCH: mod_callcenter.c outbound_agent_thread_run (the originate's variables,
        # cc_export_vars copied; captured in the agent leg's CHANNEL_CREATE)
        leg.channel.variables.update({
            "cc_queue": member.queue, "cc_queue_joined_epoch": str(member.joined_epoch),
            "cc_member_uuid": member.uuid, "cc_member_session_uuid": a.uuid,
            "cc_member_pre_answer_uuid": member.uuid, "cc_agent": agent.name,
            "cc_agent_type": agent.type or "callback", "cc_side": "agent",
            "loopback_bowout": "false", "loopback_bowout_on_execute": "false",
            "ignore_early_media": "true",
            "cc_export_vars": a.variables.get("cc_export_vars", ""),
            **{name: a.variables[name] for name in exported if name in a.variables},
        })
        self.b = leg
        timeout = float(variables.get("leg_timeout") or
                        self.engine.model.settings.agent_originate_timeout)
        cause = ring(leg, user, timeout, waiting=self.a)
        if cause is None:
            self.answered_at = int(self.switch.clock())
        return cause

    def _failed(self, cause: str) -> None:
        """The offer failed: the member waits again, the retry delay the cause calls for,
        the no-answer count and max-no-answer, then bridge-agent-fail, in the order of
        outbound_agent_thread_run (agent-max-no-answer and the status change come first)."""
        # FreeSWITCH: mod_callcenter.c outbound_agent_thread_run (the "Agent didn't answer or
        # originate/bridge failed" branch, then `done:`)
        engine, agent, member = self.engine, self.agent, self.member
        now = int(self.switch.clock())
        if member.serving_agent == agent.name:  # not ring-all: `serving_agent = '%q'`
            if member.state == "Trying":
                member.state = "Waiting"
            member.serving_agent = member.serving_system = ""
        api = engine.api
        tier_state, delay = "Ready", 0
        if cause in ("USER_BUSY", "NORMAL_CIRCUIT_CONGESTION"):
            delay = agent.busy_delay_time
        elif cause == "CALL_REJECTED":
            delay = agent.reject_delay_time
        elif cause == "USER_NOT_REGISTERED":
            delay = 5
        elif cause not in ("ORIGINATOR_CANCEL", "LOSE_RACE"):
            delay = agent.no_answer_delay_time
            tier_state = "No Answer"
            agent.no_answer_count += 1
            if agent.max_no_answer > 0 and agent.no_answer_count >= agent.max_no_answer:
                queue = engine.model.get_queue(member.queue)
                status = queue.agent_no_answer_status if queue else "On Break"
                engine.emit([("CC-Agent", agent.name), ("CC-Action", "agent-max-no-answer"),
                             ("CC-Agent-No-Answer-Count", str(agent.max_no_answer)),
                             ("CC-Agent-No-Answer-Status", status),
                             ("CC-Member-UUID", member.uuid),
                             ("CC-Member-Session-UUID", self.a.channel.uuid)],
                            sites.CC_MAX_NO_ANSWER)
                api.agent_update("status", status, agent.name, now)
        if delay > 0:  # `if (delay_next_agent_call > 0)`: ready_time is left alone otherwise
            agent.ready_time = now + delay
        profile = self.a.channel.profile
        engine.emit([
            ("CC-Queue", member.queue), ("CC-Action", "bridge-agent-fail"),
            ("CC-Hangup-Cause", cause), ("CC-Agent", agent.name),
            ("CC-Agent-System", "single_box"), ("CC-Agent-Called-Time", str(self.called_at)),
            ("CC-Agent-Aborted-Time", str(now)), ("CC-Member-UUID", member.uuid),
            ("CC-Member-Session-UUID", self.a.channel.uuid),
            ("CC-Member-CID-Name", profile.caller_id_name),
            ("CC-Member-CID-Number", profile.caller_id_number),
            ("CC-Member-Joined-Time", str(member.joined_epoch))], sites.CC_BRIDGE_FAIL)
        self._tier_states(tier_state)
        api.agent_update("state", "Waiting", agent.name, now)

    # -- the bridge --------------------------------------------------------------------

    def _bridge(self) -> None:
        engine, agent, member, a, b = self.engine, self.agent, self.member, self.a, self.b
        if b is None:
            raise RuntimeError("expected b is not None")
        now = int(self.switch.clock())
        b.channel.variables.pop("cc_member_pre_answer_uuid", None)
        a_profile = a.channel.profile
        engine.emit([
            ("CC-Queue", member.queue), ("CC-Action", "bridge-agent-start"),
            ("CC-Agent", agent.name), ("CC-Agent-System", "single_box"),
            ("CC-Agent-UUID", b.channel.uuid), ("CC-Agent-Called-Time", str(self.called_at)),
            ("CC-Agent-Answered-Time", str(self.answered_at)),
            ("CC-Member-Joined-Time", str(member.joined_epoch)),
            ("CC-Member-UUID", member.uuid), ("CC-Member-Session-UUID", a.channel.uuid),
            ("CC-Member-CID-Name", a_profile.caller_id_name),
            ("CC-Member-CID-Number", a_profile.caller_id_number),
            ("CC-Member-DNIS", a_profile.rdnis)],
            sites.CC_BRIDGE_START, b)
        self._start_recording()
        member.bridge_epoch = now
        agent.uuid = b.channel.uuid
        agent.calls_answered += 1
        agent.no_answer_count = 0  # max-no-answer counts no-answers in a row
        agent.last_bridge_start = now
        queue = engine.model.get_queue(member.queue)
        if queue is not None:
            queue.calls_answered += 1
        for name, value in (("cc_agent_uuid", b.channel.uuid), ("cc_agent", agent.name),
                            ("cc_agent_bridged", "true"), ("cc_cause", "answered"),
                            ("cc_queue_answered_epoch", str(now))):
            a.channel.variables[name] = value
        self._tier_states("Active Inbound")
        previous = engine.bridge_ends.get(a.channel.uuid)
        if previous is not None:
            # FIDELITY: guess — a caller transferred on from an agent is bridged to the next
            # one only once the first agent's thread has reported the end (its next tick).
            # In FreeSWITCH the two threads race; hotline_transfer_to_queue shows the first
            # end before the second bridge, and the simulator keeps that order.
            previous.wait(self.switch.real(1.0))
        prepare_uuid_bridge(a, b, self.switch.now_us())
        done = engine.bridge_ends[a.channel.uuid] = gevent.event.Event()
        bridged = gevent.event.Event()
        a.pending_bridge = lambda: a.run_bridge_a(b, bridged, done)
        a.interrupted.set()
        b.start_bridge_b(a)
        bridged.wait()
        engine.api.agent_update("state", "In a queue call", agent.name, now)
        engine.members_count(member.queue)  # counted while still Trying, as FreeSWITCH does
        member.state = "Answered"
        moved_on = self.engine.watch_join(a)
        # FreeSWITCH: mod_callcenter.c outbound_agent_thread_run ("Wait until the agent
        # hangup": switch_channel_up(agent_channel), then switch_yield(100000)): the end of
        # the bridge is noticed at the loop's next 100 ms tick, not when it happens.
        while not b.hungup.is_set():
            self.switch.sleep(BRIDGE_POLL)
        # FIDELITY: guess — the captures always show the legs' CHANNEL_HANGUP_COMPLETE before
        # bridge-agent-end / member-queue-end (their session threads report well within the
        # tick), and a caller transferred away (uuid_transfer) already in its next queue or
        # bridge (hotline_transfer_to_queue, lead_transfer_callback); FreeSWITCH does not wait
        # for either: here they are waited for, the second one for at most a second.
        b.reported.wait()
        gevent.wait([a.reported, a.new_bridge, moved_on], timeout=self.switch.real(1.0),
                    count=1)
        self.engine.unwatch_join(a)
        self._report_end()
        done.set()
        if engine.bridge_ends.get(a.channel.uuid) is done:
            del engine.bridge_ends[a.channel.uuid]

    def _start_recording(self) -> None:
        """The queue's record-template, expanded on the member's channel; the recording runs
        until the member hangs up (RECORD_START now, RECORD_STOP in its hangup)."""
        # FreeSWITCH: mod_callcenter.c outbound_agent_thread_run (record-template expanded,
        # switch_ivr_record_session on the member; captured: call_recorded)
        queue = self.engine.model.get_queue(self.member.queue)
        if queue is None or not queue.record_template:
            return
        a = self.a
        path = self.switch.expand(queue.record_template, a.channel)
        a.channel.variables["cc_record_filename"] = path
        # FreeSWITCH: switch_ivr_async.c switch_ivr_record_session — a file this channel is
        # recording already is not started again ("Already recording", capture
        # hotline_transfer_to_queue with a template of the caller's uuid only).
        if path in a.recording_paths:
            log.warning("Already recording [%s]", path)
            return
        a.recording_paths.add(path)
        started, on_disk = self.switch.now_us(), recording_file.on_disk(path,
                                                                         self.switch.file_root)
        recording_file.start(on_disk)
        a.fire("RECORD_START", after=[("Record-File-Path", path)], calling=sites.RECORD_START)
        bug = [("Media-Bug-Function", "session_record"), ("Media-Bug-Target", path)]
        a.fire("MEDIA_BUG_START", after=bug, calling=sites.MEDIA_BUG_START)

        def stop() -> None:
            recording_file.stop(on_disk, (self.switch.now_us() - started) / 1e6)
            a.fire("RECORD_STOP", after=[("Record-File-Path", path),
                                         ("Record-Completion-Cause", "success-silence")],
                   calling=sites.RECORD_STOP)
            a.fire("MEDIA_BUG_STOP", after=bug, calling=sites.MEDIA_BUG_STOP)

        a.before_report.append(stop)

    def _report_end(self) -> None:
        # FreeSWITCH: mod_callcenter.c outbound_agent_thread_run (bridge-agent-end, then
        # member-queue-end Terminated, the agent's talk time, the member row deleted;
        # captured: call_answered, hotline_*)
        engine, agent, member, a, b = self.engine, self.agent, self.member, self.a, self.b
        if b is None:
            raise RuntimeError("expected b is not None")
        now = int(self.switch.clock())
        a_profile = a.channel.profile
        common = [("CC-Member-UUID", member.uuid), ("CC-Member-Session-UUID", a.channel.uuid),
                  ("CC-Member-CID-Name", a_profile.caller_id_name),
                  ("CC-Member-CID-Number", a_profile.caller_id_number)]
        engine.emit([
            ("CC-Queue", member.queue), ("CC-Action", "bridge-agent-end"),
            ("CC-Hangup-Cause", "SUCCESS"), ("CC-Agent", agent.name),
            ("CC-Agent-System", "single_box"), ("CC-Agent-UUID", b.channel.uuid),
            ("CC-Agent-Bridged", "true"), ("CC-Agent-Called-Time", str(self.called_at)),
            ("CC-Agent-Answered-Time", str(self.answered_at)),
            ("CC-Member-Joined-Time", str(member.joined_epoch)),
            ("CC-Bridge-Terminated-Time", str(now)), *common], sites.CC_BRIDGE_END, b)
        engine.emit([
            ("CC-Queue", member.queue), ("CC-Action", "member-queue-end"),
            ("CC-Hangup-Cause", "SUCCESS"), ("CC-Cause", "Terminated"),
            ("CC-Agent", agent.name), ("CC-Agent-System", "single_box"),
            ("CC-Agent-UUID", b.channel.uuid), ("CC-Agent-Called-Time", str(self.called_at)),
            ("CC-Agent-Answered-Time", str(self.answered_at)),
            ("CC-Member-Leaving-Time", str(now)),
            ("CC-Member-Joined-Time", str(member.joined_epoch)), *common],
            sites.CC_MEMBER_END, a)
        agent.last_bridge_end = now
        agent.talk_time += now - agent.last_bridge_start
        agent.uuid = ""
        self._tier_states("Ready")
        # FreeSWITCH: mod_callcenter.c outbound_agent_thread_run (`done:` Idle for an agent
        # who was Available (On Demand) when offered, h->agent_status, not its status now)
        idle = self.status_at_offer == "Available (On Demand)"
        engine.api.agent_update("state", "Idle" if idle else "Waiting", agent.name, now)
        if member in engine.model.members:
            engine.model.members.remove(member)
        engine.members.pop(member.uuid, None)
