"""A channel's life, as FreeSWITCH's session thread lives it: states, dialplan, applications,
hangup. The event sequences follow the captures (CHANNEL_STATE / CALLSTATE around each step,
EXECUTE and EXECUTE_COMPLETE around each application, HANGUP → HANGUP_COMPLETE → DESTROY)."""

from __future__ import annotations

import logging
import uuid as uuidlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import gevent
import gevent.event

from callcenter.sim import sites
from callcenter.sim.channel import Channel
from callcenter.sim.core import SimEvent
from callcenter.sim.sites import Site
from callcenter.sim.timestamps import set_timestamps
from fsxml.expand import switch_true

if TYPE_CHECKING:
    from callcenter.sim.outbound import OutboundListener
    from callcenter.sim.people import Caller
    from callcenter.sim.switch import SimSwitch

log = logging.getLogger(__name__)

# switch_call_cause_t (switch_types.h) of the causes up to 127, which are Q.850's own codes.
# The causes above (ORIGINATOR_CANCEL 487, LOSE_RACE 502, MANAGER_REQUEST 503,
# ALLOTTED_TIMEOUT 602, USER_NOT_REGISTERED 606, BLIND_TRANSFER 800 …) are FreeSWITCH's and
# report hangup_cause_q850 16, NORMAL_CLEARING (captured: ALLOTTED_TIMEOUT → 16).
# FreeSWITCH: switch_channel.c switch_channel_cause_q850 (cause <= SWITCH_CAUSE_INTERWORKING)
# FreeSWITCH: switch_core_state_machine.c switch_core_session_hangup_state (hangup_cause_q850)
Q850 = {"NORMAL_CLEARING": 16, "USER_BUSY": 17, "NO_USER_RESPONSE": 18, "NO_ANSWER": 19,
        "CALL_REJECTED": 21, "NO_ROUTE_DESTINATION": 3, "NORMAL_CIRCUIT_CONGESTION": 34,
        "NORMAL_UNSPECIFIED": 31}


DEFAULT_TONE_MS = 280  # SIPp's RFC 2833 pcaps: every capture reads DTMF-Duration 2240


def dtmf_duration(tone_ms: int) -> int:
    """DTMF-Duration of a tone `tone_ms` long, in RTP timestamp units (8000 Hz for
    telephone-event/8000), clamped as the channel does (400 … 192000, 0 → 2000)."""
    # FreeSWITCH: switch_rtp.c handle_rfc2833 (the duration field of the event's end packet)
    # FreeSWITCH: switch_channel.c switch_channel_dequeue_dtmf (min/max/default duration,
    # then DTMF-Duration %u)
    samples = tone_ms * 8
    if samples == 0:
        return 2000  # SWITCH_DEFAULT_DTMF_DURATION
    return min(max(samples, 400), 192000)  # SWITCH_MIN/MAX_DTMF_DURATION (switch_types.h)


class Hangup(Exception):
    """Raised inside an application when its channel hangs up."""


class Transferred(Exception):
    """Raised inside an application when the channel is sent to another extension."""


class Session:
    """Runs one channel. Applications call `wait()`, which ends early on hangup or break."""

    def __init__(self, switch: SimSwitch, channel: Channel) -> None:
        self.switch = switch
        self.channel = channel
        self.hungup = gevent.event.Event()
        self.interrupted = gevent.event.Event()  # break / transfer / bridge
        self.messages: list[tuple[str, str, dict[str, str]]] = []  # queued execute requests
        self.message_ready = gevent.event.Event()
        self.pending_transfer: tuple[str, str] | None = None
        self.current_app: str | None = None
        self.greenlet: gevent.Greenlet | None = None
        self.on_dtmf: Callable[[str], None] | None = None
        self.digits: list[str] = []  # DTMF the far end has sent and no app consumed yet
        self.parked = False
        self.bridged_to: Session | None = None
        self.caller: Caller | None = None  # the simulated person behind an inbound call
        self.phase = "ivr"  # ivr | queued | bridged | ended, for the simulated caller
        self.phase_changed = gevent.event.Event()
        self._dtmf: list[tuple[str, int, str]] = []  # (digit, duration in samples, source)
        self.dtmf_ready = gevent.event.Event()
        self._key_sent = False
        self.outbound: OutboundListener | None = None  # the socket controlling this call
        self.connected = gevent.event.Event()  # set when the outbound socket said `connect`
        self.socket_gone = gevent.event.Event()  # set when that socket closes
        self.resume_after_socket = False  # `resume`: CS_RESET when the socket closes
        self.reset = False  # set to CS_RESET by a `resume` socket closing (socket_closed)
        self._hangup_event: SimEvent | None = None  # CHANNEL_HANGUP held back (hangup())
        # While this leg is held: the partner hearing its hold music (hold.py).
        self.hold_broadcast: tuple[Session, str, str] | None = None
        self.recording_paths: set[str] = set()  # files a record_session bug writes
        self.pending_bridge: Callable[[], None] | None = None
        self.ringing = gevent.event.Event()  # an originated leg has started to ring
        self.reported = gevent.event.Event()  # HANGUP_COMPLETE has been fired
        self.destroy_gate: gevent.event.Event | None = None  # held by mod_callcenter
        self.before_report: list[Callable[[], None]] = []  # media bugs closing at hangup
        self.new_bridge = gevent.event.Event()  # set each time this leg bridges (bridge app)
        self.go = gevent.event.Event()  # an originated leg was answered: run `then_run`
        self.then_run: list[tuple[str, str]] | str | None = None
        self.app_log: list[tuple[str, str, int]] = []  # (app, data, µs): the CDR's app_log
        self.dtmf_log: list[str] = []  # digits dequeued: the CDR's digits_dialed
        # While this leg runs `eavesdrop` / `three_way` (originate.py eavesdrop_session): the
        # uuid it listens to, and how its own audio is mixed into that leg ("read", "write").
        self.eavesdrop_target: str | None = None
        self.eavesdrop_mix: frozenset[str] = frozenset()
        switch.register(self)  # it exists from now on (`show channels`, `hupall`)

    # -- firing ------------------------------------------------------------------------

    def fire(self, name: str, before: list[tuple[str, str]] | None = None,
             after: list[tuple[str, str]] | None = None, *,
             calling: Site = ("", "", 0), variables: bool | None = None,
             subclass: str | None = None) -> SimEvent:
        event = self.channel.event(self.switch, name, before, after, calling=calling,
                                   variables=variables, subclass=subclass)
        self.switch.fire(event)
        return event

    def set_state(self, state: str, running: str | None = None) -> None:
        """`state` is what was asked for (Channel-State-Number), `running` what the state
        machine is running (Channel-State); FreeSWITCH reports both, and they differ."""
        self.channel.state = state
        if running is not None:
            self.channel.running_state = running

    def enter_state(self, state: str) -> None:
        """The state machine runs `state` now: CHANNEL_STATE."""
        self.channel.running_state = state
        self.fire("CHANNEL_STATE", calling=sites.STATE)

    def call_state(self, new: str) -> None:
        old = self.channel.call_state
        self.channel.call_state = new
        self.fire("CHANNEL_CALLSTATE", after=[("Original-Channel-Call-State", old),
                                              ("Channel-Call-State-Number", _CALL_NUMBERS[new])],
                  calling=sites.CALLSTATE)

    # -- waiting -----------------------------------------------------------------------

    def wait(self, seconds: float | None) -> None:
        """Sleep in simulated seconds; raise Hangup/Transferred if that happens meanwhile."""
        waiter = gevent.wait([self.hungup, self.interrupted],
                             timeout=None if seconds is None else self.switch.real(seconds),
                             count=1)
        self.check()
        del waiter

    def wait_digit(self, seconds: float) -> None:
        """Wait up to `seconds` (simulated) for a DTMF digit; ends early on hangup/break."""
        if not self._dtmf:
            self.dtmf_ready.clear()
            gevent.wait([self.hungup, self.interrupted, self.dtmf_ready],
                        timeout=self.switch.real(seconds), count=1)
        self.check()

    def send_dtmf(self, digits: str, tone_ms: int | None = None) -> None:
        """Digits from the far end (RFC 2833), queued until an application reads them; each
        tone lasts `tone_ms` (the caller's, by default)."""
        if tone_ms is None:
            tone_ms = self.caller.tone_ms if self.caller is not None else DEFAULT_TONE_MS
        self.queue_dtmf([(digit, dtmf_duration(tone_ms)) for digit in digits], "RTP")

    def queue_dtmf(self, dtmf: list[tuple[str, int]], source: str) -> None:
        """(digit, duration in samples) queued on the channel, the same queue whatever sent
        them; `source` is the DTMF-Source of the event fired when one is dequeued: "RTP" (the
        phone's RFC 2833), "APP" (injected: uuid_recv_dtmf). Queuing fires no event."""
        # FreeSWITCH: switch_channel.c switch_channel_queue_dtmf (no event; the media break)
        self._dtmf.extend((digit, duration, source) for digit, duration in dtmf)
        self.dtmf_ready.set()

    def collect_digits(self, max_digits: int, timeout: float, terminators: str) -> str:
        """Dequeue digits as switch_ivr_read does, a DTMF event for each."""
        digits = ""
        self.press_key_if_prompted()
        while len(digits) < max_digits:
            if not self._dtmf:
                self.wait_digit(timeout)
                if not self._dtmf:
                    break
            digit = self.take_digit()
            if digit in terminators:
                break
            digits += digit
        return digits

    def press_key_if_prompted(self) -> None:
        """The simulated caller presses its key, once, `key_delay` after being prompted."""
        caller = self.caller
        if caller is None or caller.key is None or self._key_sent:
            return
        self._key_sent = True
        gevent.spawn_later(self.switch.real(caller.key_delay), self.send_dtmf, caller.key)

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        self.phase_changed.set()

    def wait_phase(self, phases: tuple[str, ...], timeout: float | None) -> bool:
        """Wait (real seconds) until the call reaches one of `phases`; False on timeout/end."""
        deadline = None if timeout is None else gevent.get_hub().loop.now() + timeout
        while self.phase not in phases:
            if self.phase == "ended":
                return False
            self.phase_changed.clear()
            left = None if deadline is None else deadline - gevent.get_hub().loop.now()
            if left is not None and left <= 0:
                return False
            gevent.wait([self.phase_changed], timeout=left)
        return True

    def hangup_from_outside(self, cause: str) -> None:
        """Another party (the caller, an api, the other leg) ends the call."""
        if self.channel.alive:
            self.hangup(cause)

    def transfer_from_outside(self, data: str) -> None:
        """uuid_transfer: route the channel again, wherever it is in its applications."""
        from callcenter.sim.apps import apply_transfer

        apply_transfer(self, data)
        self.interrupted.set()

    def queue_message(self, app: str, data: str, headers: dict[str, str]) -> None:
        """sendmsg execute: run after the current application, or now if parked."""
        self.messages.append((app, data, headers))
        self.message_ready.set()

    def run_parked(self) -> None:
        """Parked under an outbound socket: run its `sendmsg` requests, in order, until the
        call leaves (hangup, transfer, bridge) or the socket closes.

        FreeSWITCH: mod_event_socket.c socket_function (async) parks with switch_ivr_park,
        which loops while CF_CONTROLLED is set (switch_ivr.c switch_ivr_park); listener_run
        clears CF_CONTROLLED when the socket ends, so the park returns and the dialplan goes
        on with its next action, `resume` or not (with `resume` socket_function sets
        CS_EXECUTE again after the CS_RESET of listener_run). Without `async` the listener
        runs inside socket_function: it returns when the socket ends, and with `resume`
        the channel is left in CS_RESET (see socket_closed)."""
        self.parked = True
        try:
            while True:
                self.serve_messages()
                self.message_ready.clear()
                if self.messages:
                    continue
                gevent.wait([self.hungup, self.interrupted, self.message_ready,
                             self.socket_gone], count=1)
                self.check()
                if self.socket_gone.is_set() and not self.messages:
                    return
        finally:
            self.parked = False

    def socket_closed(self, async_mode: bool) -> None:
        """The outbound socket's listener ended (the daemon closed it, or died).

        FreeSWITCH: mod_event_socket.c listener_run, after `done:` — with the listener's
        LFLAG_RESUME (the `resume` command) or the channel variable `socket_resume` true,
        switch_channel_set_state(channel, CS_RESET), wherever the channel is. A channel
        that has left the socket's extension (transferred to a queue) is thereby broken
        out of its application (mod_callcenter: BREAK_OUT) and sleeps in CS_RESET until
        it hangs up: capture hotline_ivr_resume_breakout."""
        self.socket_gone.set()
        variables = self.channel.variables
        resume = self.resume_after_socket or switch_true(variables.get("socket_resume"))
        if not resume or not self.channel.alive:
            return
        if self.parked and async_mode:
            return  # socket_function puts it back in CS_EXECUTE: the dialplan goes on
        self.reset = True
        self.set_state("CS_RESET")
        self.interrupted.set()

    def sleep_in_reset(self) -> None:
        """switch_core_state_machine.c: CS_RESET runs the reset handlers, then the session
        thread sleeps until the state changes; nothing routes the call again, so the caller
        hears silence until they hang up (capture hotline_ivr_resume_breakout)."""
        self.enter_state("CS_RESET")
        self.hungup.wait()

    def pending_digit(self) -> str | None:
        return self._dtmf[0][0] if self._dtmf else None

    def take_digit(self) -> str:
        """Dequeue a digit: the DTMF event (switch_channel_dequeue_dtmf)."""
        digit, duration, source = self._dtmf.pop(0)
        self.dtmf_log.append(digit)  # FreeSWITCH: switch_channel.c switch_channel_dequeue_dtmf
        self.fire("DTMF", after=[("DTMF-Digit", digit), ("DTMF-Duration", str(duration)),
                                 ("DTMF-Source", source)], calling=sites.DTMF, variables=False)
        return digit

    def wait_or_hangup(self, seconds: float, other: Session) -> str | None:
        """Wait while another leg rings: 'member' or 'agent' if one hangs up first."""
        gevent.wait([self.hungup, other.hungup], timeout=self.switch.real(seconds), count=1)
        if self.hungup.is_set():
            return "member"
        if other.hungup.is_set():
            return "agent"
        return None

    # -- an originated leg (mod_callcenter's agent call) ----------------------------------

    def run_outbound_leg(self) -> None:
        """An outgoing channel: created, ringing; bridged by someone else; then it ends."""
        # FreeSWITCH: switch_core_session.c switch_core_session_outgoing_channel,
        # switch_core_state_machine.c switch_core_session_run (captured: the agent legs)
        channel = self.channel
        self.fire("CHANNEL_OUTGOING", calling=sites.OUTGOING, variables=False)
        self.enter_state("CS_INIT")
        self.set_state("CS_ROUTING")
        self.fire("CHANNEL_CREATE", calling=sites.CREATE)
        self.fire("CHANNEL_ORIGINATE", calling=sites.ORIGINATE)
        self.enter_state("CS_ROUTING")
        self.set_state("CS_CONSUME_MEDIA")
        self.enter_state("CS_CONSUME_MEDIA")
        now = self.switch.now_us()
        channel.profile.times["Channel-Progress-Time"] = now
        channel.profile.network_addr = self.switch.phone_address
        self.fire("CHANNEL_PROGRESS", calling=sites.PROGRESS)
        self.call_state("RINGING")
        self.ringing.set()
        gevent.wait([self.hungup, self.go], count=1)
        if self.go.is_set() and not self.hungup.is_set():
            self._run_after_answer()
        self.hungup.wait()
        self.finish()

    def _run_after_answer(self) -> None:
        """An originated leg, answered: run its application, or route it to an extension."""
        then = self.then_run
        self.channel.hit_dialplan = True  # `&app(…)` runs through the inline dialplan
        if isinstance(then, str):
            parts = then.split()
            profile = self.channel.profile
            profile.destination_number = parts[0]
            profile.dialplan = parts[1] if len(parts) > 1 else "XML"
            profile.context = parts[2] if len(parts) > 2 else "default"
            self.route_and_execute()
            return
        try:
            self.set_state("CS_EXECUTE")
            self.enter_state("CS_EXECUTE")
            for app, data in then or []:
                self.execute(app, data)
            self.hangup("NORMAL_CLEARING")
        except (Hangup, Transferred):
            self.hangup("NORMAL_CLEARING")

    def hold(self, on: bool) -> None:
        """The channel is put on hold (call state HELD, then CHANNEL_HOLD), or taken off it
        (CHANNEL_UNHOLD in call state UNHELD, then ACTIVE): capture hotline_hold_agent_leg
        (the caller leg's re-INVITE answer raced CHANNEL_UNHOLD in hotline_hold_caller_leg)."""
        now = self.switch.now_us()
        times = self.channel.profile.times
        if on:
            times["Channel-Last-Hold"] = now
            self.call_state("HELD")
            self.fire("CHANNEL_HOLD", calling=sites.HOLD)
        else:
            times["Channel-Hold-Accum"] += now - times["Channel-Last-Hold"]
            if self.channel.call_state != "UNHELD":
                self.call_state("UNHELD")
            # FIDELITY: guess — the phone's answer to the unhold re-INVITE (ACTIVE) races
            # CHANNEL_UNHOLD, which waits for the partner's music to stop: captured before it
            # on the caller's (inbound) leg, after it on the agent's (outbound) leg.
            if self.channel.direction == "inbound":
                self.call_state("ACTIVE")
            self.fire("CHANNEL_UNHOLD", calling=sites.UNHOLD)
            if self.channel.call_state != "ACTIVE":
                self.call_state("ACTIVE")

    def flip_caller_id(self) -> None:
        """switch_channel_flip_cid: an answered originate shows the far end as the caller."""
        # FreeSWITCH: switch_channel.c switch_channel_flip_cid (captured: lead_transfer_callback)
        profile = self.channel.profile
        profile.caller_id_name, profile.callee_id_name = (profile.callee_id_name,
                                                          profile.caller_id_name)
        profile.caller_id_number, profile.callee_id_number = (profile.callee_id_number,
                                                              profile.caller_id_number)
        self.fire("CALL_UPDATE", before=[
            ("Direction", "RECV"), ("Callee-Name", profile.callee_id_name),
            ("Callee-Number", profile.callee_id_number)], calling=sites.FLIP_CID)

    def call_update(self, other: Session) -> None:
        """What the phone is told about the other party (CALL_UPDATE, `sent_callee_*`)."""
        # FreeSWITCH: mod_sofia.c sofia_receive_message (SWITCH_MESSAGE_INDICATE_DISPLAY;
        # captured: call_answered)
        profile = other.channel.profile
        name = profile.callee_id_name if other.channel.direction == "outbound" else \
            profile.caller_id_name
        number = profile.callee_id_number if other.channel.direction == "outbound" else \
            profile.caller_id_number
        self.channel.sent_callee = (name, number)
        self.fire("CALL_UPDATE", before=[
            ("Direction", "SEND"), ("Sent-Callee-ID-Name", name),
            ("Sent-Callee-ID-Number", number), ("Bridged-To", other.channel.uuid)],
            calling=sites.CALL_UPDATE)

    def open_media(self) -> None:
        """Codecs are set (a CODEC event each way): the channel has media from now on."""
        # FreeSWITCH: switch_core_codec.c switch_core_session_set_real_read_codec,
        # switch_core_session_set_write_codec (captured)
        channel = self.channel
        channel.has_media = True
        name, rate, bits = channel.codec
        codec = [("channel-read-codec-name", name), ("channel-read-codec-rate", str(rate)),
                 ("channel-read-codec-bit-rate", str(bits))]
        self.fire("CODEC", after=codec, calling=sites.READ_CODEC, variables=False)
        self.fire("CODEC", after=[(k.replace("read", "write"), v) for k, v in codec],
                  calling=sites.WRITE_CODEC, variables=False)

    def answer_outbound(self) -> None:
        """The far end of an originated leg answers (no early media before it)."""
        channel = self.channel
        self.open_media()
        now = self.switch.now_us()
        channel.answer_state = "answered"
        channel.profile.times["Channel-Answered-Time"] = now
        channel.variables["answer_epoch"] = str(now // 1_000_000)
        self.fire("CHANNEL_ANSWER", calling=sites.ANSWER)
        self.call_state("ACTIVE")

    def start_bridge_b(self, a: Session) -> None:
        """uuid_bridge, the agent's side first: hibernate and reset while A unwinds."""
        # FreeSWITCH: switch_ivr_bridge.c switch_ivr_uuid_bridge, uuid_bridge_on_reset /
        # _on_hibernate (state order captured: call_answered)
        self.set_state("CS_HIBERNATE")
        self.enter_state("CS_HIBERNATE")
        self.set_state("CS_RESET")
        self.enter_state("CS_RESET")
        del a

    def run_bridge_a(self, b: Session, bridged: gevent.event.Event,
                     done: gevent.event.Event) -> None:
        """uuid_bridge on the member's side, the bridge, and its end (captured order)."""
        # FreeSWITCH: switch_ivr_bridge.c uuid_bridge_on_soft_execute,
        # switch_ivr_multi_threaded_bridge (captured: call_answered, hotline_*)
        self.destroy_gate = b.destroy_gate = done
        for leg, state in ((self, "CS_HIBERNATE"), (self, "CS_RESET"),
                           (self, "CS_SOFT_EXECUTE"), (b, "CS_SOFT_EXECUTE")):
            leg.set_state(state)
            leg.enter_state(state)
        for leg, other in ((self, b), (b, self)):
            leg.channel.variables["current_application"] = "uuid_bridge"
            leg.channel.variables["current_application_data"] = other.channel.uuid
        b.channel.variables["call_uuid"] = self.channel.uuid
        self.fire("CHANNEL_EXECUTE", after=[("Application", "uuid_bridge"),
                                            ("Application-Data", b.channel.uuid)],
                  calling=sites.UUID_BRIDGE_EXECUTE_A)
        b.fire("CHANNEL_EXECUTE", after=[("Application", "uuid_bridge"),
                                         ("Application-Data", self.channel.uuid)],
               calling=sites.UUID_BRIDGE_EXECUTE_B)
        b.set_state("CS_CONSUME_MEDIA")
        b.enter_state("CS_CONSUME_MEDIA")
        now = self.switch.now_us()
        for leg in (self, b):
            leg.channel.profile.times["Channel-Bridged-Time"] = now
        ids = [("Bridge-A-Unique-ID", self.channel.uuid), ("Bridge-B-Unique-ID", b.channel.uuid)]
        self.fire("CHANNEL_BRIDGE", before=ids, calling=sites.BRIDGE)
        b.set_state("CS_EXCHANGE_MEDIA")
        b.enter_state("CS_EXCHANGE_MEDIA")
        self.call_update(b)
        b.call_update(self)
        self.bridged_to, b.bridged_to = b, self
        self.set_phase("bridged")
        bridged.set()
        gevent.wait([self.hungup, b.hungup, self.interrupted], count=1)
        if self.interrupted.is_set() and not self.hungup.is_set():
            # uuid_transfer: the agent is let go, the caller moves on without an other leg.
            self.interrupted.clear()
            self.channel.other_type = self.channel.other_profile = None
        elif not self.hungup.is_set():
            self.hangup("NORMAL_CLEARING")
        b.hangup_from_outside("NORMAL_CLEARING")
        b.reported.wait(self.switch.real(10))
        self.fire("CHANNEL_UNBRIDGE", before=ids, calling=sites.UNBRIDGE)

    def check(self) -> None:
        if self.hungup.is_set():
            raise Hangup
        if self.interrupted.is_set():
            raise Transferred

    # -- applications ------------------------------------------------------------------

    def execute(self, app: str, data: str, app_uuid: str | None = None) -> str:
        """switch_core_session_exec: EXECUTE, the application, EXECUTE_COMPLETE."""
        # FreeSWITCH: switch_core_session.c switch_core_session_exec (current_application,
        # last_app/last_arg; captured)
        expanded = self.switch.expand(data, self.channel)
        app_uuid = app_uuid or str(uuidlib.uuid4())
        variables = self.channel.variables
        variables["current_application"] = app
        variables["current_application_data"] = expanded
        self.current_app = app
        if not switch_true(variables.get("disable_app_log")):
            # FreeSWITCH: switch_core_session.c switch_core_session_exec (app log, stamped at
            # the start of the application)
            self.app_log.append((app, expanded, self.switch.now_us()))
        self.fire("CHANNEL_EXECUTE", after=[("Application", app), ("Application-Data", expanded),
                                            ("Application-UUID", app_uuid)],
                  calling=sites.EXECUTE)
        response = "_none_"
        outcome: BaseException | None = None
        try:
            function = self.switch.applications.get(app)
            if function is None:
                log.warning("no application %s: ignored", app)
            else:
                response = function(self, expanded) or "_none_"
        except (Hangup, Transferred) as exc:
            outcome = exc
            if exc.args:  # the response the application had set when it was cut short
                response = str(exc.args[0])
        variables["last_app"] = app
        variables["last_arg"] = expanded
        self.fire("CHANNEL_EXECUTE_COMPLETE", after=[
            ("Application", app), ("Application-Data", expanded),
            ("Application-Response", response), ("Application-UUID", app_uuid)],
            calling=sites.EXECUTE_COMPLETE)
        self.current_app = None
        self._deliver_hangup_event()
        if outcome is not None:
            raise outcome
        return response

    def _deliver_hangup_event(self) -> None:
        if self._hangup_event is not None:
            event, self._hangup_event = self._hangup_event, None
            delay = self.switch.real(self.switch.hangup_event_delay or 0.0)
            if delay > 0:
                gevent.sleep(delay)
            self.switch.fire(event)

    # -- the life of the channel -------------------------------------------------------

    def run_inbound(self) -> None:
        """A call that arrived from the trunk: route it through the dialplan until it ends."""
        # FreeSWITCH: switch_core_state_machine.c switch_core_session_run (CS_NEW → CS_INIT →
        # CS_ROUTING, CHANNEL_CREATE; captured)
        channel = self.channel
        channel.show_profile = False
        self.fire("CHANNEL_STATE", calling=sites.STATE)  # CS_NEW
        channel.show_profile = True
        channel.profile.profile_index = "1"
        self.set_state("CS_INIT")
        self.enter_state("CS_INIT")
        self.set_state("CS_ROUTING")
        self.fire("CHANNEL_CREATE", calling=sites.CREATE)
        channel.running_state = "CS_ROUTING"
        self.call_state("RINGING")
        self.route_and_execute()

    def route_and_execute(self) -> None:
        """Hunt, execute; again after each transfer; then hang up and wind down."""
        try:
            while True:
                self.enter_state("CS_ROUTING")
                actions = self.switch.hunt(self)
                if not actions:
                    self.hangup("NO_ROUTE_DESTINATION")
                    break
                if self.channel.answered and self.channel.call_state != "ACTIVE":
                    self.call_state("ACTIVE")
                self.set_state("CS_EXECUTE")
                self.enter_state("CS_EXECUTE")
                if not self._execute_all(actions):
                    break
                if self.pending_bridge is not None:
                    bridge, self.pending_bridge = self.pending_bridge, None
                    self.pending_transfer = None
                    bridge()
                    if self.pending_transfer is None or not self.channel.alive:
                        break
                self.pending_transfer = None
                # transferred: the call state goes back to RINGING while it is routed again
                self.channel.running_state = "CS_ROUTING"
                self.call_state("RINGING")
        except Hangup:
            pass
        self.finish()

    def _execute_all(self, actions: list[tuple[str, str]]) -> bool:
        """Run the extension's applications; True when a transfer asks for routing again."""
        try:
            for app, data in actions:
                self.execute(app, data)
                self.serve_messages()
            while self.parked or self.messages:
                self.serve_messages()
                if self.parked:
                    self.message_ready.clear()
                    gevent.wait([self.hungup, self.interrupted, self.message_ready], count=1)
                    self.check()
            self.hangup("NORMAL_CLEARING")
            return False
        except Transferred:
            self.interrupted.clear()
            if self.reset:
                self.sleep_in_reset()
                return False
            return self.pending_transfer is not None or self.pending_bridge is not None

    def serve_messages(self) -> None:
        while self.messages:
            app, data, headers = self.messages.pop(0)
            self.execute(app, data, headers.get("event-uuid"))

    def hangup(self, cause: str) -> None:
        """switch_channel_perform_hangup: the cause is set, CHANNEL_HANGUP fires at once."""
        # FreeSWITCH: switch_channel.c switch_channel_perform_hangup (captured)
        channel = self.channel
        if channel.hangup_cause is not None:
            return
        channel.hangup_cause = cause
        channel.state = "CS_HANGUP"
        channel.answer_state = "hangup"
        now_us = self.switch.now_us()
        channel.profile.times["Channel-Hangup-Time"] = now_us
        channel.variables["hangup_cause"] = cause
        channel.variables["hangup_cause_q850"] = str(Q850.get(cause, 16))  # > 127: 16
        event = self.channel.event(self.switch, "CHANNEL_HANGUP", calling=sites.HANGUP)
        if self.current_app is not None and self.switch.hangup_event_delay is not None:
            self._hangup_event = event  # delivered after the application's EXECUTE_COMPLETE
        else:
            self.switch.fire(event)
        self.hungup.set()
        self.set_phase("ended")
        self.switch.on_hangup(self)

    def finish(self) -> None:
        """Hangup, reporting and destroy states, as the session thread winds down."""
        # FreeSWITCH: switch_core_state_machine.c switch_core_session_hangup_state,
        # switch_core_session_reporting_state; switch_core_session.c
        # switch_core_session_perform_destroy (captured order)
        channel = self.channel
        if channel.hangup_cause is None:
            self.hangup("NORMAL_CLEARING")
        self._deliver_hangup_event()
        self.enter_state("CS_HANGUP")
        self.call_state("HANGUP")
        for close in self.before_report:
            close()
        self.set_state("CS_REPORTING")
        self.enter_state("CS_REPORTING")
        set_timestamps(channel, self.app_log, self.dtmf_log)
        # The global state handlers' on_reporting (mod_json_cdr writes its CDR), before
        # HANGUP_COMPLETE: FreeSWITCH: switch_core_state_machine.c
        # switch_core_session_reporting_state (STATE_MACRO(reporting), then the event)
        for on_reporting in self.switch.reporting_handlers:
            on_reporting(self)
        self.fire("CHANNEL_HANGUP_COMPLETE", before=[("Hangup-Cause", channel.hangup_cause or "")],
                  calling=sites.HANGUP_COMPLETE)
        if self.outbound is not None:
            self.outbound.channel_ended()
        channel.state = "CS_DESTROY"
        self.reported.set()
        if self.destroy_gate is not None:
            self.destroy_gate.wait(self.switch.real(30))
        self.switch.on_reported(self)
        self.fire("CHANNEL_DESTROY", calling=sites.DESTROY)
        self.enter_state("CS_DESTROY")
        self.switch.unregister(self)


_CALL_NUMBERS = {"DOWN": "0", "DIALING": "1", "RINGING": "2", "EARLY": "3", "ACTIVE": "4",
                 "HELD": "5", "RING_WAIT": "6", "HANGUP": "7", "UNHELD": "8"}
