"""The simulator's `eavesdrop` / `three_way` and `uuid_recv_dtmf`, as FreeSWITCH's: the
eavesdropper's mixing flags from its variables (mod_dptools.c eavesdrop_function), changed by
the digits dequeued on its leg (switch_ivr_async.c switch_ivr_eavesdrop_session: 1 READ, 2
WRITE, 3 both, 0 none, * ends), the digits queued by `uuid_recv_dtmf` (mod_commands.c
uuid_recv_dtmf_function) with its replies, and a DTMF event per digit dequeued, DTMF-Source APP
(switch_channel.c switch_channel_dequeue_dtmf).

The set-up is the `lead_transfer_callback` capture's: an agent's leg bridged to a caller, and a
lead's phone originated into `&eavesdrop(<agent leg>)`, over the simulator's Event Socket."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from callcenter.sim.esl_server import EslServer
from callcenter.sim.people import PhoneBehaviour, Phones
from callcenter.sim.session import Session
from callcenter.sim.switch import SimSwitch
from callcenter.switch.errors import CommandError
from callcenter.switch.event import Event
from callcenter.switch.inbound import InboundConnection
from tests.support.waiting import events_delivered, until

SPEED = 10.0  # a phone answers in 0.2 simulated seconds: 20 ms
AGENT = "sofia/external/agent1001@127.0.0.1:5071"
CUSTOMER = "sofia/external/0912345678@127.0.0.1:5094"
LEAD = "sofia/external/lead2001@127.0.0.1:5075"
BOTH = frozenset({"read", "write"})


@dataclass
class Rig:
    sim: SimSwitch
    conn: InboundConnection
    events: list[Event]
    agent: Session

    def api(self, command: str) -> str:
        """The reply text, `-ERR`/`-USAGE` included."""
        try:
            return self.conn.api(command)
        except CommandError as exc:
            return exc.reply

    def lead(self, variables: str = "", app: str = "eavesdrop") -> Session:
        """The lead's phone, answered and eavesdropping on the agent's leg."""
        dial = "{origination_caller_id_number=lead2001" + (f",{variables}" if variables else "")
        reply = self.api(f"originate {dial}}}{LEAD} &{app}({self.agent.channel.uuid})")
        assert reply.startswith("+OK "), reply
        lead = self.sim.sessions[reply.split()[1]]
        until(lambda: lead.eavesdrop_target == self.agent.channel.uuid, what="eavesdropping")
        return lead

    def named(self, name: str, session: Session) -> list[Event]:
        uuid = session.channel.uuid
        return [e for e in self.events if e.name == name and e.get("Unique-ID") == uuid]


@pytest.fixture
def rig() -> Iterator[Rig]:
    sim = SimSwitch(dialplan=None, speed=SPEED,
                    phones=Phones(default=PhoneBehaviour(answer_after=0.2)))
    server = EslServer(sim, port=0)
    server.start()
    host, port = server.address
    conn = InboundConnection(host, port, "ClueCon", command_timeout=10)
    events: list[Event] = []
    conn.register_handle("*", events.append)
    conn.connect()
    conn.send("event plain DTMF MEDIA_BUG_START MEDIA_BUG_STOP CHANNEL_HANGUP_COMPLETE")
    reply = conn.api("originate {origination_caller_id_number=02901022}"
                     f"{AGENT} &bridge({CUSTOMER})")
    agent = sim.sessions[reply.split()[1]]
    until(lambda: agent.bridged_to is not None, what="the agent bridged to the caller")
    try:
        yield Rig(sim, conn, events, agent)
    finally:
        conn.api("hupall")
        until(lambda: not sim.sessions, what="every channel gone")
        conn.stop()
        server.stop()


# -- the flags the eavesdrop starts with -----------------------------------------------------

def test_whisper_bleg_mixes_the_lead_into_what_the_agent_hears(rig: Rig) -> None:
    lead = rig.lead("eavesdrop_whisper_bleg=true")
    assert lead.eavesdrop_mix == frozenset({"write"})
    assert lead.current_app == "eavesdrop"
    until(lambda: rig.named("MEDIA_BUG_START", rig.agent), what="the bug on the agent's leg")
    bug = rig.named("MEDIA_BUG_START", rig.agent)[0]
    assert bug.get("Media-Bug-Function") == "eavesdrop"
    assert bug.get("Media-Bug-Target") == rig.agent.channel.uuid


def test_whisper_aleg_and_bleg_is_a_barge(rig: Rig) -> None:
    lead = rig.lead("eavesdrop_whisper_aleg=yes,eavesdrop_whisper_bleg=1")
    assert lead.eavesdrop_mix == BOTH


def test_no_whisper_variable_listens_only(rig: Rig) -> None:
    lead = rig.lead()
    assert lead.eavesdrop_mix == frozenset()


def test_a_false_whisper_value_is_not_a_whisper(rig: Rig) -> None:
    lead = rig.lead("eavesdrop_whisper_aleg=no,eavesdrop_whisper_bleg=0")
    assert lead.eavesdrop_mix == frozenset()


# -- digits while it runs ----------------------------------------------------------------------

def test_uuid_recv_dtmf_changes_the_mix_and_star_ends_the_eavesdrop(rig: Rig) -> None:
    lead = rig.lead()
    uuid = lead.channel.uuid
    assert rig.api(f"uuid_recv_dtmf {uuid} 3") == f"+OK {uuid} received DTMF 3.\n"
    until(lambda: lead.eavesdrop_mix == BOTH, what="barge")
    for digit, mix in (("1", {"read"}), ("2", {"write"}), ("0", set())):
        assert rig.api(f"uuid_recv_dtmf {uuid} {digit}") == \
            f"+OK {uuid} received DTMF {digit}.\n"
        until(lambda mix=mix: lead.eavesdrop_mix == frozenset(mix), what=f"mix {mix}")
    assert rig.api(f"uuid_recv_dtmf {uuid} *") == f"+OK {uuid} received DTMF *.\n"
    until(lambda: rig.named("CHANNEL_HANGUP_COMPLETE", lead), what="the lead's leg ended")
    assert lead.eavesdrop_target is None
    assert lead.eavesdrop_mix == frozenset()
    assert rig.agent.channel.alive  # the agent's call goes on
    stop = rig.named("MEDIA_BUG_STOP", rig.agent)
    assert [e.get("Media-Bug-Target") for e in stop] == [rig.agent.channel.uuid]
    dtmf = rig.named("DTMF", lead)
    assert [(e.get("DTMF-Digit"), e.get("DTMF-Source"), e.get("DTMF-Duration"))
            for e in dtmf] == [(d, "APP", "2000") for d in "3120*"]


def test_several_digits_at_once_are_read_in_order(rig: Rig) -> None:
    lead = rig.lead("eavesdrop_whisper_bleg=true")
    uuid = lead.channel.uuid
    assert rig.api(f"uuid_recv_dtmf {uuid} 31") == f"+OK {uuid} received DTMF 31.\n"
    until(lambda: len(rig.named("DTMF", lead)) == 2, what="both digits read")
    assert lead.eavesdrop_mix == frozenset({"read"})


def test_a_duration_is_given_in_ms_after_an_at_sign(rig: Rig) -> None:
    lead = rig.lead()
    uuid = lead.channel.uuid
    assert rig.api(f"uuid_recv_dtmf {uuid} 2@100") == f"+OK {uuid} received DTMF 2@100.\n"
    until(lambda: rig.named("DTMF", lead), what="the digit read")
    assert rig.named("DTMF", lead)[0].get("DTMF-Duration") == "800"
    assert lead.eavesdrop_mix == frozenset({"write"})


def test_digits_do_nothing_when_dtmf_is_disabled(rig: Rig) -> None:
    lead = rig.lead("eavesdrop_enable_dtmf=false,eavesdrop_whisper_aleg=true")
    uuid = lead.channel.uuid
    assert rig.api(f"uuid_recv_dtmf {uuid} 0*") == f"+OK {uuid} received DTMF 0*.\n"
    events_delivered(rig.conn)
    assert lead.eavesdrop_mix == frozenset({"read"})
    assert lead.eavesdrop_target == rig.agent.channel.uuid
    assert lead.pending_digit() == "0"  # queued, not read: no DTMF event
    assert not rig.named("DTMF", lead)


def test_three_way_mixes_both_ways_and_ignores_digits(rig: Rig) -> None:
    lead = rig.lead(app="three_way")
    assert lead.eavesdrop_mix == BOTH
    uuid = lead.channel.uuid
    assert rig.api(f"uuid_recv_dtmf {uuid} 0") == f"+OK {uuid} received DTMF 0.\n"
    events_delivered(rig.conn)
    assert lead.eavesdrop_mix == BOTH
    assert not rig.named("DTMF", lead)


# -- uuid_recv_dtmf's other replies -------------------------------------------------------------

def test_uuid_recv_dtmf_on_an_unknown_uuid(rig: Rig) -> None:
    assert rig.api("uuid_recv_dtmf 00000000-0000-0000-0000-000000000000 3") == \
        "-ERR Cannot locate session!\n"


def test_uuid_recv_dtmf_without_digits_or_with_no_digit_at_all(rig: Rig) -> None:
    uuid = rig.agent.channel.uuid
    assert rig.api(f"uuid_recv_dtmf {uuid}") == "-USAGE: <uuid> <dtmf_data>\n"
    assert rig.api("uuid_recv_dtmf") == "-USAGE: <uuid> <dtmf_data>\n"
    assert rig.api(f"uuid_recv_dtmf {uuid} xyz") == "-USAGE: <uuid> <dtmf_data>\n"
    assert rig.agent.pending_digit() is None
