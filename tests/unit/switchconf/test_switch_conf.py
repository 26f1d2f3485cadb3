"""switch_conf: rendering from the topics and the site, installing into a stock tree without
trampling it, the checker's rules (each caught on a broken tree), routing by evaluating the
dialplan, and the simulator reading the rendered queues."""

from __future__ import annotations

import os
import stat
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

from callcenter.config import Settings
from callcenter.sim.queue_conf import read_callcenter_conf
from callcenter.sim.stock_tree import stock_tree
from callcenter.switchconf.check import check
from callcenter.switchconf.install import MANIFEST, install
from callcenter.switchconf.render import TOPICS_FILE, AgentPhone, render_site
from db.errors import DataError
from db.topics import read_topics_file
from fsxml.conf_tree import tree_globals
from fsxml.dialplan import Dialplan
from tests.support.hotline import free_port
from tests.support.sounds import make_sounds

TOPICS = read_topics_file(TOPICS_FILE).topic


def _settings(**sections: dict) -> Settings:
    base = {"switch": {"password": "esl-s3cret"}}
    base.update(sections)
    return Settings(**base)


@pytest.fixture(scope="module")
def sounds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The prompts, rendered once for the module (espeak-ng + sox), and hold music where
    local_stream.conf.xml's `moh/8000` stream reads it (the music package's folder)."""
    directory = tmp_path_factory.mktemp("sounds")
    _files, prompts = render_site(_settings())
    return make_sounds(directory, prompts)


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    conf = stock_tree(tmp_path)
    files, _ = render_site(_settings())
    install(files, conf, force=True)
    return conf


def test_every_rendered_file_is_well_formed() -> None:
    files, _ = render_site(_settings(trunk={"realm": "sip.telecom.vn", "password": "t"}))
    for relative, text in files.items():
        ET.fromstring(text)  # raises on malformed XML
        assert "{{" not in text and "{%" not in text, relative


def test_stock_password_is_refused() -> None:
    with pytest.raises(DataError, match="stock password"):
        render_site(Settings(switch={"password": "ClueCon"}))
    with pytest.raises(DataError, match="stock password"):
        render_site(Settings())


def test_queues_follow_the_topics(installed: Path) -> None:
    conf = read_callcenter_conf(installed / "autoload_configs" / "callcenter.conf.xml",
                                tree_globals(installed))
    assert [(q.name, q.strategy) for q in conf.queues] == [
        (t.queue, t.queue_settings.strategy) for t in TOPICS]
    for queue in conf.queues:
        assert queue.abandoned_resume_allowed and queue.time_base_score == "system"
        assert queue.record_template and "${uuid}" in queue.record_template


def test_install_never_tramples_the_operators_files(tmp_path: Path) -> None:
    conf = stock_tree(tmp_path)
    files, _ = render_site(_settings())
    changes = {c.path: c.action for c in install(files, conf)}
    assert changes["autoload_configs/event_socket.conf.xml"] == "refused"
    assert changes["autoload_configs/callcenter.conf.xml"] == "refused"
    assert changes["dialplan/hotline.xml"] == "created"
    assert "ClueCon" in (conf / "autoload_configs" / "event_socket.conf.xml").read_text()
    changes = {c.path: c.action for c in install(files, conf, force=True)}
    assert changes["autoload_configs/event_socket.conf.xml"] == "updated"
    assert set(changes.values()) <= {"updated", "unchanged"}
    assert all(c.action == "unchanged" for c in install(files, conf))
    hotline = conf / "dialplan" / "hotline.xml"
    hotline.write_text(hotline.read_text() + "<!-- the operator's note -->\n")
    changed = _settings(site={"emergency_number": "114"})
    files, _ = render_site(changed)
    changes = {c.path: c.action for c in install(files, conf)}
    assert changes["dialplan/hotline.xml"] == "refused"  # edited by hand since
    assert changes["autoload_configs/00_hotline1022_vars.xml"] == "updated"
    assert (conf / MANIFEST).exists()
    secret = conf / "autoload_configs" / "00_hotline1022_vars.xml"
    assert secret.stat().st_mode & 0o777 == 0o640
    secret.chmod(0o644)  # left open by an older install: narrowed when written again
    phone = AgentPhone("1001", "Lan", "0" * 32, "lan@hotline1022")
    files, _ = render_site(_settings(site={"emergency_number": "113"}), agents=[phone])
    old = os.umask(0)
    try:
        install(files, conf)
    finally:
        os.umask(old)
    assert secret.stat().st_mode & 0o777 == 0o640
    phones = conf / "directory" / "default" / "hotline_agents.xml"  # SIP A1 hashes
    assert phones.stat().st_mode & 0o777 == 0o640


def test_installed_tree_passes_the_checker(installed: Path, sounds: Path) -> None:
    _files, prompts = render_site(_settings())
    assert check(installed, prompts, sounds) == []


def _hunt(conf: Path, context: str, number: str, now: datetime | None = None,
          variables: dict | None = None) -> list[tuple[str, str]]:
    dialplan = Dialplan.load(conf, global_vars=tree_globals(conf))
    moment = now or datetime(2026, 11, 25, 10, 0)

    def api(command: str, args: str) -> str:  # ${strftime(…)} at the hunt's moment
        return moment.strftime(args) if command == "strftime" else ""

    return dialplan.hunt(context, {"destination_number": number, "caller_id_number": "0912"},
                         dict(variables or {}), moment, api=api)


@pytest.mark.parametrize("number", ["1022", "02901022", "+842901022"])
def test_hotline_numbers_reach_the_daemon(installed: Path, number: str) -> None:
    public = _hunt(installed, "public", number)
    assert public[-1] == ("transfer", f"{number} XML hotline")
    apps = [app for app, _ in _hunt(installed, "hotline", number)]
    assert apps == ["set", "set", "export", "set", "answer", "socket", "ivr", "playback",
                    "hangup"]
    actions = dict(_hunt(installed, "hotline", number))
    assert actions["socket"] == "$${hotline_ivr_socket} async full".replace(
        "$${hotline_ivr_socket}", "127.0.0.1:8084")
    assert actions["ivr"] == "hotline_1022"


def test_other_numbers_do_not_reach_the_hotline(installed: Path) -> None:
    assert not any(app == "transfer" and "hotline" in data
                   for app, data in _hunt(installed, "public", "02903123456"))


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.key)
def test_queue_extensions(installed: Path, topic) -> None:
    actions = _hunt(installed, "hotline", f"hotline_queue_{topic.key}")
    assert ("callcenter", topic.queue) in actions
    assert ("set", f"cc_exit_keys={topic.queue_settings.callback_key}") in actions


def test_emergency_goes_out_through_the_trunk(installed: Path) -> None:
    actions = dict(_hunt(installed, "hotline", "115"))
    assert actions["bridge"] == "sofia/gateway/telecom/115"


def test_opening_hours_and_holidays_as_data(tmp_path: Path) -> None:
    conf = stock_tree(tmp_path)
    site = _settings(routing={"open": [{"wday": "2-6", "time_of_day": "07:00-17:00"}],
                              "holidays": ["2027-01-01"]})
    files, _ = render_site(site)
    install(files, conf, force=True)
    monday_10 = datetime(2026, 11, 23, 10, 0)
    sunday_10 = datetime(2026, 11, 22, 10, 0)
    holiday = datetime(2027, 1, 1, 10, 0)
    open_apps = [a for a, _ in _hunt(conf, "hotline", "1022", monday_10)]
    assert "socket" in open_apps
    for closed in (sunday_10, holiday):
        actions = _hunt(conf, "hotline", "1022", closed)
        assert ("playback", "hotline/closed.wav") in actions and "socket" not in dict(actions)


def test_static_menu_has_a_key_per_topic(installed: Path) -> None:
    menu = ET.parse(installed / "ivr_menus" / "hotline_1022.xml").getroot().find("menu")
    entries = {e.get("digits"): e.get("param") for e in menu.iter("entry")}
    assert entries == {t.menu_key: f"transfer hotline_queue_{t.key} XML hotline"
                       for t in TOPICS}
    assert menu.get("exec-on-max-timeouts") == "transfer hotline_queue_f0_home_care XML hotline"


# -- the checker's rules, each on a broken tree -------------------------------------------

def _break(conf: Path, relative: str, old: str, new: str) -> None:
    path = conf / relative
    text = path.read_text()
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1))


BROKEN = [
    ("xml", "dialplan/hotline.xml", "</context>", "</contxt>"),
    ("application", "dialplan/hotline.xml", 'application="answer"', 'application="answr"'),
    ("application", "ivr_menus/hotline_1022.xml", 'param="transfer hotline_queue_f0',
     'param="transferr hotline_queue_f0'),
    ("strategy", "autoload_configs/callcenter.conf.xml", 'value="top-down"',
     'value="top_down"'),
    ("queue", "dialplan/hotline.xml", 'data="f0_home_care@hotline1022"',
     'data="f0@hotline1022"'),
    ("ivr-target", "ivr_menus/hotline_1022.xml", "transfer hotline_queue_epidemic_report",
     "transfer hotline_queue_dengue"),
    ("regex", "dialplan/hotline.xml", 'expression="^hotline_queue_f0_home_care$"',
     'expression="^(hotline_queue_f0_home_care$"'),
    ("password", "autoload_configs/00_hotline1022_vars.xml", "hotline_esl_password=esl-s3cret",
     "hotline_esl_password=ClueCon"),
]


@pytest.mark.parametrize("rule, relative, old, new", BROKEN, ids=[b[0] for b in BROKEN])
def test_checker_catches(installed: Path, sounds: Path, rule: str, relative: str, old: str,
                         new: str) -> None:
    _break(installed, relative, old, new)
    _files, prompts = render_site(_settings())
    problems = check(installed, prompts, sounds)
    assert rule in {p.rule for p in problems}, problems


def test_checker_catches_a_missing_prompt(installed: Path, sounds: Path, tmp_path: Path) -> None:
    import shutil

    partial = tmp_path / "sounds"
    shutil.copytree(sounds, partial)
    (partial / "vi/vn/espeak/hotline/16000/goodbye.wav").unlink()
    _files, prompts = render_site(_settings())
    problems = check(installed, prompts, partial)
    assert [(p.rule, p.path) for p in problems] == [("prompt", "hotline/goodbye.wav")]


def test_agents_phones_come_from_the_database(seeded) -> None:
    import hashlib

    from callcenter.switchconf.render import agent_phones
    from db.agents import NewAgent, add_agent, set_sip_password
    from db.engine import transaction

    with transaction(seeded) as session:
        add_agent(session, NewAgent("lan", "Nguyễn Thị Lan", "nurse", "mat-khau-dai-1",
                                    sip_extension="1001"))
        add_agent(session, NewAgent("hoa", "Trần Hoa", "nurse", "mat-khau-dai-2",
                                    sip_extension="1002"))  # no SIP password yet: left out
        password = set_sip_password(session, "lan", "hotline1022")
    with seeded() as session:
        phones = agent_phones(session, "hotline1022")
    files, _ = render_site(_settings(), agents=phones)
    users = ET.fromstring(files["directory/default/hotline_agents.xml"]).findall("user")
    assert [u.get("id") for u in users] == ["1001"]
    params = {p.get("name"): p.get("value") for p in users[0].iter("param")}
    variables = {v.get("name"): v.get("value") for v in users[0].iter("variable")}
    a1 = hashlib.md5(f"1001:hotline1022:{password}".encode(), usedforsecurity=False).hexdigest()
    assert params == {"a1-hash": a1}
    assert variables["callcenter_agent"] == "lan@hotline1022"
    assert variables["effective_caller_id_name"] == "Nguyễn Thị Lan"


def test_simulator_runs_the_rendered_tree_with_the_daemon_down(tmp_path: Path) -> None:
    """The switch the operator gets, in the simulator: the trunk calls 02901022, no daemon
    answers the socket, the static menu takes the call and key 2 reaches topic 2's queue."""
    from callcenter.sim.people import Caller
    from callcenter.sim.runner import Simulation, build_switch

    installed = stock_tree(tmp_path)  # the socket reaches a port nothing listens on
    files, _ = render_site(_settings(ivr={"listen_port": free_port()}))
    install(files, installed, force=True)
    sim = build_switch(Simulation(conf_dir=installed, speed=20.0))
    assert [q.name for q in sim.callcenter.model.config.queues] == [t.queue for t in TOPICS]
    events = []

    class Listener:
        def offer(self, event) -> None:
            events.append(event)

    sim.listeners.add(Listener())
    session = sim.inbound_call(Caller("0912345678", "Nguyen Van A", destination="02901022",
                                      key="2", key_delay=0.3, queue_patience=2))
    session.greenlet.join(15)
    sim.callcenter.stop()
    apps = [e.get("Application") for e in events if e.name == "CHANNEL_EXECUTE"]
    assert apps.index("transfer") < apps.index("socket") < apps.index("ivr")
    start = next(e for e in events if e.get("CC-Action") == "member-queue-start")
    assert start.get("CC-Queue") == "epidemic_report@hotline1022"
    assert session.channel.variables["hotline_topic"] == "epidemic_report"


def test_switch_conf_commands(tmp_path: Path, sounds: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    from callcenter.cli.main import main

    monkeypatch.setenv("CALLCENTER_SWITCH__PASSWORD", "esl-s3cret")
    monkeypatch.delenv("CALLCENTER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    conf = stock_tree(tmp_path)
    assert main(["switch-conf", "install", "--conf-dir", str(conf)]) == 1
    out = capsys.readouterr().out
    assert "refused   autoload_configs/event_socket.conf.xml" in out
    assert "created   dialplan/hotline.xml" in out
    assert main(["switch-conf", "check", str(conf), "--sounds-dir", str(sounds)]) == 1
    assert "password: autoload_configs/event_socket.conf.xml" in capsys.readouterr().out
    assert main(["switch-conf", "install", "--conf-dir", str(conf), "--force"]) == 0
    capsys.readouterr()
    assert main(["switch-conf", "check", str(conf), "--sounds-dir", str(sounds)]) == 0
    assert "0 problem(s)" in capsys.readouterr().out
    out_dir = tmp_path / "rendered"
    old = os.umask(0o022)  # the usual: new files readable by all
    try:
        assert main(["switch-conf", "render", "--out", str(out_dir)]) == 0
    finally:
        os.umask(old)
    assert (out_dir / "ivr_menus" / "hotline_1022.xml").exists()
    # the file holding the event socket's password is the operator's and the switch's only
    secret = out_dir / "autoload_configs" / "00_hotline1022_vars.xml"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o640
    assert stat.S_IMODE((out_dir / "dialplan" / "hotline.xml").stat().st_mode) == 0o644


@pytest.mark.parametrize("rate", [8000, 16000])
def test_prompts_are_mono_at_the_rate_and_peak_at_minus_3_db(sounds: Path, rate: int) -> None:
    import subprocess
    import wave

    path = sounds / "vi/vn/espeak/hotline" / str(rate) / "greeting_long.wav"
    with wave.open(str(path)) as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (
            rate, 1, 2)
        assert audio.getnframes() / rate > 15  # the three choices take a while to say
    stats = subprocess.run(["sox", str(path), "-n", "stats"], capture_output=True,
                           text=True).stderr
    peak = float(next(line.split()[-1] for line in stats.splitlines()
                      if line.startswith("Pk lev dB")))
    assert -3.2 < peak < -2.8
