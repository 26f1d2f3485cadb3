"""The simulator's mod_json_cdr (callcenter/sim/json_cdr.py): real simulated calls through the
rendered switch_conf write `<uuid>.cdr.json` into [cdr] spool_dir, shaped as the real switch's
(tests/fixtures/cdr/), read by the daemon's parser into the same fields, and imported by the
daemon once it is back; the json_cdr.conf parameters as mod_json_cdr_load reads them."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gevent
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.cdr.parse import parse_cdr
from callcenter.daemon import Daemon
from callcenter.sim import json_cdr
from callcenter.sim.people import Caller, PhoneBehaviour, Phones
from callcenter.sim.runner import DEFAULT_CONF, Simulation, add_agents, build_switch
from callcenter.sim.session import Session as SimSession
from callcenter.sim.switch import SimSwitch
from db.engine import make_engine, make_sessionmaker, transaction
from db.models import Agent, Call
from db.topics import load_topics, read_topics_file
from db.units import load_units, read_units_csv
from tests.conftest import TOPICS_FILE, UNITS_FILE
from tests.support import cdr as fixtures
from tests.support.hotline_fidelity import Box, ivr_script
from tests.support.waiting import until

QUEUES = {"f0_home_care": "f0_home_care@hotline1022"}
# The variables callcenter.cdr.parse reads.
PARSER_VARIABLES = ("uuid", "direction", "cc_side", "hotline_key", "start_uepoch", "end_uepoch",
                    "hangup_cause", "cc_record_filename", "cc_queue", "cc_member_uuid",
                    "cc_queue_joined_epoch", "cc_queue_answered_epoch", "cc_agent",
                    "cc_agent_uuid", "bridge_uepoch", "hotline_topic", "cc_cause",
                    "cc_cancel_reason", "start_stamp")
# CallState fields compared by value; the others by kind (None or not).
EXACT = frozenset(("caller_number", "caller_name", "destination", "menu_choice", "queue",
                   "agent", "hangup_cause", "cancel_reason", "result", "callback_owed",
                   "cause"))


@pytest.fixture
def db(sqlite_template: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """SQLite only, with the topics (the rendered dialplan's queues)."""
    path = tmp_path / "callcenter.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as s:
        load_topics(s, read_topics_file(TOPICS_FILE))
        load_units(s, read_units_csv(UNITS_FILE))
    yield sessions
    engine.dispose()


@pytest.fixture
def make_box(db: sessionmaker[Session], tmp_path: Path) -> Iterator[Callable[..., Box]]:
    boxes: list[Box] = []

    def make(**kwargs: Any) -> Box:
        boxes.append(Box(db, tmp_path, **kwargs))
        return boxes[-1]

    yield make
    for box in boxes:
        box.close()


# -- the hotline captures' calls (as tests/fidelity/test_sim_fidelity_hotline.py drives them) --

def _answered(make_box: Callable[..., Box]) -> tuple[Box, SimSession]:
    box = make_box(ivr=ivr_script("hotline_ivr_key1_answered"))
    box.status("nurse1", "Available")
    return box, box.call("0912345678", "1", key_delay=3.0, talk_time=11.3)


def _abandoned(make_box: Callable[..., Box]) -> tuple[Box, SimSession]:
    box = make_box(ivr=ivr_script("hotline_no_agent_abandoned"))
    return box, box.call("0915000005", "1", key_delay=3.0, queue_patience=13.4)


def _menu_hangup(make_box: Callable[..., Box]) -> tuple[Box, SimSession]:
    box = make_box(ivr=ivr_script("hotline_ivr_menu_hangup"))
    return box, box.call("0914000004", None, ivr_patience=6.0)


def _static_menu(make_box: Callable[..., Box]) -> tuple[Box, SimSession]:
    box = make_box()
    box.status("nurse1", "Available")
    box.stop_daemon()
    return box, box.call("0917000007", "1", port=5095, key_delay=3.0, talk_time=12.0)


def _callback_key(make_box: Callable[..., Box]) -> tuple[Box, SimSession]:
    box = make_box(ivr=ivr_script("hotline_callback_key"))  # nurse1 stays Logged Out
    caller = box.call("0912000105", "1", name="Cap Two", port=5158, key_delay=3.0)
    box.wait(lambda: caller.phase == "queued")
    gevent.sleep(box.sim.real(15.0))  # the capture's caller waits 15 s, then presses 9
    caller.send_dtmf("9")
    box.wait(lambda: "goodbye" in caller.channel.variables.get("current_application_data", ""))
    caller.hangup_from_outside("NORMAL_CLEARING")
    return box, caller


SCENARIOS = {"answered": _answered, "abandoned": _abandoned, "menu_hangup": _menu_hangup,
             "static_menu": _static_menu, "callback_key": _callback_key}


def _spool(box: Box) -> Path:
    return box.settings.cdr.spool_dir


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.cdr.json")}


def _at(us: str) -> datetime:
    return datetime.fromtimestamp(int(us) / 1_000_000, UTC)


def _shape(value: Any, name: str = "") -> Any:
    """A parsed call as its kinds of values: the exact value of the EXACT fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _shape(getattr(value, f.name), f.name)
                for f in dataclasses.fields(value) if f.name not in ("uuid", "member_uuid")}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    if value is None or name in EXACT:
        return value
    return type(value).__name__


def _callflow_shape(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    def other(profile: dict[str, Any]) -> list[tuple[str, list[str]]]:
        return [(kind, sorted(profile[kind][f"{kind}_caller_profiles"][0]))
                for kind in ("originator", "originatee") if kind in profile]

    return [(sorted(entry), entry.get("profile_index"), entry["caller_profile"].get("context"),
             entry["caller_profile"]["destination_number"], sorted(entry["caller_profile"]),
             other(entry["caller_profile"]), list(entry["times"]))
            for entry in document["callflow"]]


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_simulated_call_writes_its_cdr_as_the_real_switch(
        make_box: Callable[..., Box], name: str) -> None:
    box, caller = SCENARIOS[name](make_box)
    agents: set[str] = set()
    box.wait(lambda: caller.bridged_to is not None or caller.phase == "ended", timeout=30)
    if caller.bridged_to is not None:
        agents.add(caller.bridged_to.channel.uuid)
    box.calls_over()
    uuid = caller.channel.uuid
    # one file, the caller's: the agent's leg has an originator (log-b-leg false)
    assert _files(_spool(box)) == {f"{uuid}.cdr.json"}
    text = (_spool(box) / f"{uuid}.cdr.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and "\n" not in text[:-1] and ", " not in text[:200]
    got, real = json.loads(text), fixtures.load(name)
    assert list(got) == list(real)
    assert got["channel_data"] == real["channel_data"]
    assert got["callStats"] == real["callStats"] == {}
    assert _callflow_shape(got) == _callflow_shape(real)
    assert {e["caller_profile"]["uuid"] for e in got["callflow"]} == {uuid}
    apps = got["app_log"]["applications"]
    assert all(list(app) == ["app_name", "app_data", "app_stamp"] for app in apps)
    assert sorted(a["app_name"] for a in apps) == sorted(
        a["app_name"] for a in real["app_log"]["applications"])
    v, w = got["variables"], real["variables"]
    assert all(isinstance(value, str) and value for value in v.values())
    assert {n for n in PARSER_VARIABLES if n in v} == {n for n in PARSER_VARIABLES if n in w}
    _times_agree(got)
    assert _shape(parse_cdr(text, QUEUES)) == _shape(parse_cdr(json.dumps(real), QUEUES))
    assert agents.isdisjoint(p.name.split(".")[0] for p in _spool(box).iterdir())


def _times_agree(document: dict[str, Any]) -> None:
    """switch_channel_set_timestamps' variables agree with the current profile's times."""
    v, times = document["variables"], document["callflow"][0]["times"]
    assert v["start_uepoch"] == times["created_time"]
    assert v["end_uepoch"] == times["hangup_time"]
    assert v["bridge_uepoch"] == times["bridged_time"]
    assert v["profile_start_uepoch"] == times["profile_created_time"]
    assert int(v["uduration"]) == int(v["end_uepoch"]) - int(v["start_uepoch"])
    assert int(v["duration"]) == int(v["end_epoch"]) - int(v["start_epoch"])
    assert v["start_epoch"] == v["start_uepoch"][:-6]
    created = {entry["times"]["created_time"] for entry in document["callflow"]}
    assert created == {times["created_time"]}
    for newer, older in zip(document["callflow"], document["callflow"][1:], strict=False):
        assert older["times"]["transfer_time"] == newer["times"]["profile_created_time"]


def test_the_daemon_imports_the_cdr_of_a_call_it_missed(make_box: Callable[..., Box],
                                                        db: sessionmaker[Session]) -> None:
    """The daemon is down (the static menu answers), nurse1 takes the call; the daemon comes
    back and its CDR import gives the call its row, then moves the file into imported/."""
    box, caller = _static_menu(make_box)
    box.calls_over()
    uuid = caller.channel.uuid
    spool = _spool(box)
    assert _files(spool) == {f"{uuid}.cdr.json"}
    v = json.loads((spool / f"{uuid}.cdr.json").read_text(encoding="utf-8"))["variables"]
    box.settings.cdr.settle_seconds = 0
    box.settings.cdr.import_seconds = 0.2
    box.daemon = Daemon(box.settings, db)
    box.daemon.start()
    box.wait(lambda: _files(spool / "imported") == {f"{uuid}.cdr.json"})
    with db() as s:
        (row,) = s.scalars(select(Call))
        nurse = s.scalars(select(Agent.id).where(Agent.username == "nurse1")).one()
    assert (row.uuid, row.result, row.hangup_cause, row.agent_id) == (
        uuid, "answered", "NORMAL_CLEARING", nurse)
    assert (row.started_at, row.ended_at) == (_at(v["start_uepoch"]), _at(v["end_uepoch"]))
    assert _files(spool) == set()


# -- json_cdr.conf, as mod_json_cdr_load reads it (the simulator's own tree, no daemon) ------

SPEED = 20.0


def _tree(tmp_path: Path, params: dict[str, str] | None, modules: str | None = None) -> Path:
    conf = tmp_path / "conf"
    shutil.copytree(DEFAULT_CONF, conf)
    if params is not None:
        lines = "".join(f'<param name="{k}" value="{v}"/>' for k, v in params.items())
        (conf / "autoload_configs" / "json_cdr.conf.xml").write_text(
            f'<configuration name="json_cdr.conf"><settings>{lines}</settings>'
            "</configuration>", encoding="utf-8")
    if modules is not None:
        (conf / "autoload_configs" / "modules.conf.xml").write_text(
            f'<configuration name="modules.conf"><modules>{modules}</modules></configuration>',
            encoding="utf-8")
    return conf


def _answered_call(conf: Path) -> tuple[SimSwitch, SimSession, str]:
    """A caller (key 1) answered by a simulated agent, both legs ended."""
    switch = build_switch(Simulation(conf_dir=conf, speed=SPEED),
                          Phones(default=PhoneBehaviour(answer_after=0.3)))
    try:
        add_agents(switch, 1, "hotline1022")
        caller = switch.inbound_call(Caller("0912345678", "Khách", key="1", key_delay=0.3,
                                            talk_time=2.0))
        until(lambda: caller.bridged_to is not None, 20)
        agent = caller.bridged_to.channel.uuid
        until(lambda: not switch.sessions, 20)
    finally:
        assert switch.callcenter is not None
        switch.callcenter.stop()
    return switch, caller, agent


def test_without_json_cdr_conf_nothing_is_written(tmp_path: Path) -> None:
    """mod_json_cdr does not load without its configuration (or when modules.conf.xml leaves
    it out): no state handler, no file."""
    switch = build_switch(Simulation(conf_dir=_tree(tmp_path, None)))
    assert switch.callcenter is not None
    switch.callcenter.stop()
    assert switch.reporting_handlers == []
    assert json_cdr.read_settings(tmp_path / "conf", {}, 0.0) is None
    conf = _tree(tmp_path / "b", {"log-dir": str(tmp_path / "b" / "cdr")},
                 modules='<load module="mod_console"/><!-- <load module="mod_json_cdr"/> -->')
    switch, _, _ = _answered_call(conf)
    assert switch.reporting_handlers == []
    assert not (tmp_path / "b" / "cdr").exists()


def test_the_project_settings_write_the_callers_legs_only(tmp_path: Path) -> None:
    spool = tmp_path / "spool" / "cdr"  # made at load, with its parents
    conf = _tree(tmp_path, {"log-dir": str(spool), "rotate": "false", "log-b-leg": "false",
                            "prefix-a-leg": "false", "encode-values": "false"},
                 modules='<load module="mod_json_cdr"/>')
    _, caller, agent = _answered_call(conf)
    assert _files(spool) == {f"{caller.channel.uuid}.cdr.json"}
    call = parse_cdr((spool / f"{caller.channel.uuid}.cdr.json").read_bytes(), QUEUES)
    assert call is not None
    assert (call.caller_name, call.result, call.agent) == (
        "Khách", "answered", "agent1001@hotline1022")
    assert agent not in {p.name for p in spool.iterdir()}


def test_an_agent_leg_never_bridged_has_no_originator_and_is_written(tmp_path: Path) -> None:
    """mod_callcenter originates the agent's leg with no session: only uuid_bridge gives it
    an originator. A leg that rang out is no b-leg: written, and not a caller's call."""
    spool = tmp_path / "cdr"
    conf = _tree(tmp_path, {"log-dir": str(spool), "log-b-leg": "false",
                            "encode-values": "false"})
    switch = build_switch(Simulation(conf_dir=conf, speed=SPEED),
                          Phones(default=PhoneBehaviour(action="no_answer")))
    try:
        add_agents(switch, 1, "hotline1022")
        caller = switch.inbound_call(Caller("0912345678", "Khách", key="1", key_delay=0.3,
                                            queue_patience=20.0))
        until(lambda: caller.phase == "ended" and not switch.sessions, 20)
    finally:
        assert switch.callcenter is not None
        switch.callcenter.stop()
    legs = _files(spool) - {f"{caller.channel.uuid}.cdr.json"}
    assert f"{caller.channel.uuid}.cdr.json" in _files(spool) and legs
    for name in legs:
        text = (spool / name).read_text(encoding="utf-8")
        doc = json.loads(text)
        assert doc["channel_data"]["direction"] == "outbound"
        assert doc["variables"]["cc_side"] == "agent"
        assert [sorted(e["caller_profile"]) for e in doc["callflow"]] == [sorted(
            fixtures.load("agent_leg")["callflow"][-1]["caller_profile"])]
        assert parse_cdr(text, QUEUES) is None
    call = parse_cdr((spool / f"{caller.channel.uuid}.cdr.json").read_bytes(), QUEUES)
    assert call is not None and call.result == "abandoned"


def test_the_module_defaults_write_every_leg_url_encoded(tmp_path: Path) -> None:
    """log-b-leg and encode-values default to true; prefix-a-leg names the a-legs a_…; a
    relative log-dir is under the log folder; rotate makes a dated folder there."""
    conf = _tree(tmp_path, {"log-dir": "cdrs", "prefix-a-leg": "true", "rotate": "true"})
    logs = tmp_path / "log"
    (logs / "cdrs").mkdir(parents=True)
    _, caller, agent = _answered_call(conf)
    (folder,) = (logs / "cdrs").iterdir()
    assert folder.name[:4].isdigit() and folder.name.count("-") == 5
    assert _files(folder) == {f"a_{caller.channel.uuid}.cdr.json", f"{agent}.cdr.json"}
    a_text = (folder / f"a_{caller.channel.uuid}.cdr.json").read_text(encoding="utf-8")
    b_doc = json.loads((folder / f"{agent}.cdr.json").read_text(encoding="utf-8"))
    v = json.loads(a_text)["variables"]
    assert "%20" in v["start_stamp"] and v["caller_id"] == "%22Kh%C3%A1ch%22%20%3C0912345678%3E"
    call = parse_cdr(a_text, QUEUES)  # the parser decodes them
    assert call is not None and (call.caller_name, call.result) == ("Khách", "answered")
    assert b_doc["channel_data"]["direction"] == "outbound"
    assert "originator" in b_doc["callflow"][0]["caller_profile"]
    assert "app_log" not in b_doc  # it ran no application: no app_log at all
    assert parse_cdr(json.dumps(b_doc), QUEUES) is None


def test_url_encode_is_switch_url_encode() -> None:
    assert json_cdr.url_encode("2026-12-02 16:47:39") == "2026-12-02%2016%3A47%3A39"
    assert json_cdr.url_encode("a%20b%2") == "a%20b%252"  # %XX kept, a lone % encoded
    assert json_cdr.url_encode("Khách\t~") == "Kh%C3%A1ch%09~"
