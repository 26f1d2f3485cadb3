"""The simulator's outbound socket, driven by a scripted daemon over loopback: playback,
hangup and transfer by sendmsg, and a daemon that is not there."""

from __future__ import annotations

import shutil
from pathlib import Path

import gevent.socket

from callcenter.sim.people import Caller, PhoneBehaviour, Phones
from callcenter.sim.runner import DEFAULT_CONF, Simulation, build_switch
from tests.support.outbound_daemon import (
    ScriptedDaemon,
    Wait,
    completed,
    execute,
    notice,
    reply,
)

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


def test_socket_closed_without_resume_hangs_up(tmp_path: Path) -> None:
    _daemon, session = _run(tmp_path, [
        ("connect", reply), ("myevents", reply),
        (execute("answer"), completed("answer")),
    ])
    assert session.channel.hangup_cause == "NORMAL_CLEARING"
    assert "after_socket" not in session.channel.variables


def test_socket_closed_after_resume_the_dialplan_goes_on(tmp_path: Path) -> None:
    _daemon, session = _run(tmp_path, [
        ("connect", reply), ("myevents", reply), ("resume", reply),
        (execute("answer"), completed("answer")),
    ])
    assert session.channel.variables["after_socket"] == "yes"
    assert session.channel.hangup_cause == "NORMAL_CLEARING"  # the dialplan ran out
