"""The simulator's outbound socket, driven by a scripted daemon over loopback: playback,
hangup and transfer by sendmsg, and a daemon that is not there."""

from __future__ import annotations

import shutil
from pathlib import Path

import gevent
import gevent.socket

from callcenter.sim.people import Caller, PhoneBehaviour, Phones
from callcenter.sim.runner import DEFAULT_CONF, Simulation, build_switch
from callcenter.switch.event import Event
from tests.support.outbound_daemon import (
    ScriptedDaemon,
    Wait,
    completed,
    execute,
    notice,
    reply,
)
from tests.support.waiting import until

SPEED = 20.0


AFTER_SOCKET = '<action application="set" data="after_socket=yes"/>'


def _switch(tmp_path: Path, port: int):
    conf = tmp_path / "conf"
    shutil.copytree(DEFAULT_CONF, conf)
    hotline = conf / "dialplan" / "public" / "00_hotline_1022.xml"
    socket_action = f'<action application="socket" data="127.0.0.1:{port} async full"/>'
    hotline.write_text(hotline.read_text().replace(
        '<action application="socket" data="127.0.0.1:8084 async full"/>',
        socket_action + AFTER_SOCKET))
    return build_switch(Simulation(conf_dir=conf, speed=SPEED),
                        Phones(default=PhoneBehaviour(answer_after=0.2)))


def _run(tmp_path: Path, script: list[tuple[str, Wait]]):
    daemon = ScriptedDaemon(script)
    sim = _switch(tmp_path, daemon.port)
    session = sim.inbound_call(Caller("0912345678", "Nguyen Van A", destination="1023"))
    assert daemon.done.wait(10)
    session.greenlet.join(10)
    daemon.stop()
    sim.callcenter.stop()
    return daemon, session


def test_playback_then_hangup_by_the_daemon(tmp_path: Path) -> None:
    daemon, session = _run(tmp_path, [
        ("connect", reply), ("myevents", reply), ("linger", reply),
        (execute("answer"), completed("answer")),
        (execute("playback", "ivr/hotline/vi/chao-mung.wav"), completed("playback")),
        ("sendmsg\ncall-command: hangup\nhangup-cause: NORMAL_CLEARING", notice),
    ])
    names = [e.name for e in daemon.events()]
    assert "PLAYBACK_START" not in names  # not among the `myevents` types
    playback = next(e for e in daemon.events() if e.get("Application") == "playback")
    assert playback["Application-Data"] == "ivr/hotline/vi/chao-mung.wav"
    assert names[-1] == "CHANNEL_HANGUP_COMPLETE"
    assert session.channel.hangup_cause == "NORMAL_CLEARING"
    linger = next(f for f in daemon.frames if notice(f))
    assert linger.get("Content-Disposition") == "linger"


def test_transfer_leaves_the_socket(tmp_path: Path) -> None:
    daemon, session = _run(tmp_path, [
        ("connect", reply), ("myevents", reply),
        (execute("answer"), completed("answer")),
        (execute("transfer", "hotline_key_ XML public"), notice),
    ])
    socket_done = [e for e in daemon.events() if e.name == "CHANNEL_EXECUTE_COMPLETE"
                   and e.get("Application") == "socket"]
    assert socket_done and session.channel.profile.destination_number == "hotline_key_"
    assert session.channel.hangup_cause == "NORMAL_CLEARING"  # hotline_key_ hangs up
    goodbye = next(f for f in daemon.frames if notice(f))
    assert goodbye.get("Content-Disposition") == "disconnect"


def test_daemon_down_the_dialplan_goes_on(tmp_path: Path) -> None:
    probe = gevent.socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed = probe.getsockname()[1]
    probe.close()
    sim = _switch(tmp_path, closed)
    session = sim.inbound_call(Caller("0912345678", "Nguyen Van A", destination="1023"))
    session.greenlet.join(10)
    sim.callcenter.stop()
    assert session.channel.variables["after_socket"] == "yes"
    assert session.channel.hangup_cause == "NORMAL_CLEARING"


def test_socket_closed_async_without_resume_the_dialplan_goes_on(tmp_path: Path) -> None:
    """A daemon that closes (or dies) mid-menu: the async park ends and the static menu
    runs (mod_event_socket.c socket_function, switch_ivr.c switch_ivr_park)."""
    _daemon, session = _run(tmp_path, [
        ("connect", reply), ("myevents", reply),
        (execute("answer"), completed("answer")),
    ])
    assert session.channel.variables["after_socket"] == "yes"
    assert session.channel.hangup_cause == "NORMAL_CLEARING"  # the dialplan ran out


def test_socket_closed_after_resume_the_dialplan_goes_on(tmp_path: Path) -> None:
    _daemon, session = _run(tmp_path, [
        ("connect", reply), ("myevents", reply), ("resume", reply),
        (execute("answer"), completed("answer")),
    ])
    assert session.channel.variables["after_socket"] == "yes"
    assert session.channel.hangup_cause == "NORMAL_CLEARING"  # the dialplan ran out


def _socket_done(frame) -> bool:
    if frame.content_type != "text/event-plain":
        return False
    event = Event.from_frame(frame)
    return event.name == "CHANNEL_EXECUTE_COMPLETE" and event.get("Application") == "socket"


def _queued_then_closed(tmp_path: Path, resume: bool):
    """A daemon transfers the caller to a queue (no agent logged in), then closes."""
    script = [("connect", reply), ("myevents", reply)]
    if resume:
        script.append(("resume", reply))
    script += [(execute("answer"), completed("answer")),
               (execute("transfer", "hotline_key_1 XML public"), _socket_done)]
    daemon = ScriptedDaemon(script)
    sim = _switch(tmp_path, daemon.port)
    session = sim.inbound_call(Caller("0912345678", "Nguyen Van A", destination="1023"))
    assert daemon.done.wait(10)
    return daemon, sim, session


def test_resume_breaks_a_transferred_call_out_of_its_queue(tmp_path: Path) -> None:
    """Capture hotline_ivr_resume_breakout: the socket closing after `resume` sets the
    channel to CS_RESET, mod_callcenter cancels the member with BREAK_OUT, and the caller
    is left in silence (no dialplan, no hangup) until they hang up themselves."""
    daemon, sim, session = _queued_then_closed(tmp_path, resume=True)
    until(lambda: session.channel.running_state == "CS_RESET")
    assert session.channel.variables.get("cc_cancel_reason") == "BREAK_OUT"
    assert session.channel.alive and not session.reported.is_set()
    session.hangup_from_outside("NORMAL_CLEARING")
    session.greenlet.join(10)
    daemon.stop()
    sim.callcenter.stop()
    assert session.channel.hangup_cause == "NORMAL_CLEARING"


def test_without_resume_a_transferred_call_stays_in_its_queue(tmp_path: Path) -> None:
    daemon, sim, session = _queued_then_closed(tmp_path, resume=False)
    assert session.socket_gone.wait(5)  # socket_closed has run: nothing more is coming
    assert session.channel.alive and session.current_app == "callcenter"
    assert "cc_cancel_reason" not in session.channel.variables
    session.hangup_from_outside("NORMAL_CLEARING")
    session.greenlet.join(10)
    daemon.stop()
    sim.callcenter.stop()
    assert session.channel.variables["cc_cancel_reason"] == "BREAK_OUT"  # the hangup
