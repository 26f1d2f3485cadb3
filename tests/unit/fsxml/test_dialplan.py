"""The simulator's XML dialplan against FreeSWITCH's own logs, and feature by feature."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from callcenter.sim.runner import DEFAULT_CONF
from fsxml.dialplan import Dialplan, DialplanError, expand_variables, read_globals
from tests.support.paths import FIXTURES_DIR

FIXTURES = FIXTURES_DIR
CONF = DEFAULT_CONF  # the configuration of the box the captures came from
BOX_GLOBALS = {"local_ip_v4": "192.0.2.2"}  # a core variable FreeSWITCH sets before vars.xml
LOG_LINE = re.compile(r"^(?P<uuid>[0-9a-f-]{36}) (?P<rest>.*)$")
PROCESSING = re.compile(r"^(?P<when>\S+ \S+) \S+ \[INFO\] mod_dialplan_xml\.c:\d+ (?P<msg>"
                        r"Processing (?P<name>.*) <(?P<number>[^>]*)>->(?P<dest>\S*) in context "
                        r"(?P<context>\S+))$")
ACTION = re.compile(r"^Dialplan: \S+ Action (?P<app>[^(]+)\((?P<data>.*)\)$")


def captured_hunts() -> list[dict]:
    """Every hunt FreeSWITCH logged in the captures: its inputs and its "Dialplan:" lines."""
    hunts = []
    for path in sorted((FIXTURES / "freeswitch").glob("*.freeswitch.log")):
        open_hunts: dict[str, dict] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            tagged = LOG_LINE.match(line)
            if not tagged:
                continue
            uuid, rest = tagged["uuid"], tagged["rest"]
            if started := PROCESSING.match(rest):
                open_hunts[uuid] = {"log": path.name, **started.groupdict(), "trace": []}
                hunts.append(open_hunts[uuid])
            elif rest.startswith("Dialplan: ") and uuid in open_hunts:
                open_hunts[uuid]["trace"].append(rest)
            else:
                open_hunts.pop(uuid, None)
    return hunts


HUNTS = captured_hunts()


@pytest.fixture(scope="module")
def box() -> Dialplan:
    return Dialplan.load(CONF, global_vars=BOX_GLOBALS)


def test_the_captures_hold_every_kind_of_hunt() -> None:
    assert len(HUNTS) == 11
    assert {h["dest"] for h in HUNTS} == {"1022", "hotline_key_1", "hotline_key_2", "1023", "115"}


@pytest.mark.parametrize("hunt", HUNTS, ids=lambda h: f"{h['log']}-{h['dest']}")
def test_hunt_reproduces_freeswitch_log(box: Dialplan, hunt: dict,
                                        caplog: pytest.LogCaptureFixture) -> None:
    """Same inputs, same extensions parsed, same PASS/FAIL, same actions in the same order."""
    channel = hunt["trace"][0].split()[1]
    profile = {"caller_id_name": hunt["name"], "caller_id_number": hunt["number"],
               "destination_number": hunt["dest"], "chan_name": channel}
    now = datetime.fromisoformat(hunt["when"])
    with caplog.at_level(logging.DEBUG, logger="fsxml.dialplan"):
        actions = box.hunt(hunt["context"], profile, {}, now)
    expected = [(m["app"], m["data"]) for m in map(ACTION.match, hunt["trace"]) if m]
    assert actions == expected
    assert [r.getMessage() for r in caplog.records] == [hunt["msg"], *hunt["trace"]]


def test_first_hunt_of_a_call(box: Dialplan) -> None:
    """The extension at the top of public.xml (outside_call) adds set/export before answer."""
    profile = {"destination_number": "1022", "caller_id_number": "0912345678"}
    assert box.hunt("public", profile, {}, datetime(2026, 11, 24, 14, 21, 50)) == [
        ("set", "outside_call=true"),
        ("export", "RFC2822_DATE=${strftime(%a, %d %b %Y %T %z)}"),
        ("answer", ""), ("sleep", "500"),
        ("play_and_get_digits",
         r"1 1 3 4000 # tone_stream://%(300,100,600) silence_stream://250 hotline_key \d"),
        ("transfer", "hotline_key_${hotline_key} XML public"),
    ]
    hunt = box.hunt("public", {"destination_number": "hotline_key_"}, {}, datetime.now())
    assert hunt[-1] == ("hangup", "")


def test_execution_time_expansion_matches_the_log() -> None:
    """`export(RFC2822_DATE=${strftime(…)})` as FreeSWITCH executed it, and the transfer."""
    text = (FIXTURES / "freeswitch" / "call_abandoned.freeswitch.log").read_text()
    executed = re.findall(r"EXECUTE \[depth=0\] \S+ export\((.*)\)", text)[0]
    now = datetime(2026, 11, 24, 14, 22, 16, tzinfo=UTC)

    def api(command: str, args: str) -> str:
        return now.strftime(args) if command == "strftime" else ""

    data = "RFC2822_DATE=${strftime(%a, %d %b %Y %T %z)}"
    assert expand_variables(data, {}, api) == executed
    assert executed == "RFC2822_DATE=Tue, 24 Nov 2026 14:22:16 +0000"
    variables = {"hotline_key": "2"}
    assert expand_variables("hotline_key_${hotline_key} XML public", variables) == \
        "hotline_key_2 XML public"


# -- features, one dialplan each ----------------------------------------------------------------

MONDAY_9 = datetime(2026, 11, 23, 9, 0)  # a Monday, 09:00 switch time


def make(tmp_path: Path, extensions: str) -> Dialplan:
    path = tmp_path / "t.xml"
    path.write_text(f'<include>\n<context name="t">\n{extensions}\n</context>\n</include>\n')
    return Dialplan.load(path)


def run(dialplan: Dialplan, dest: str = "100", variables: dict | None = None,
        now: datetime = MONDAY_9, **kwargs) -> list[tuple[str, str]]:
    profile = {"destination_number": dest, "caller_id_number": "0912345678",
               "network_addr": "203.0.113.7"}
    return dialplan.hunt("t", profile, variables or {}, now, **kwargs)


def test_captures_substituted_variables_left(tmp_path: Path) -> None:
    dp = make(tmp_path, """
      <extension name="split">
        <condition field="destination_number" expression="^(\\d{3})(\\d+)$">
          <action application="bridge" data="user/$2@${domain} ${1} $9 $$x"/>
        </condition>
      </extension>""")
    assert run(dp, "0901234") == [("bridge", "user/1234@${domain} 090  $$x")]
    assert run(dp, "12") == []


def test_fields_profile_and_variables(tmp_path: Path) -> None:
    dp = make(tmp_path, """
      <extension name="by_ip"><condition field="Network_Addr" expression="^203\\.0\\.113\\.">
        <action application="log" data="trunk"/></condition></extension>
      <extension name="vip"><condition field="${vip}" expression="^yes$">
        <action application="log" data="vip"/></condition></extension>
      <extension name="nobody"><condition field="no_such_field" expression="^$">
        <action application="log" data="empty"/></condition></extension>""")
    assert run(dp) == [("log", "trunk")]
    dp = make(tmp_path, dp_text := """
      <extension name="vip"><condition field="${vip}" expression="^yes$">
        <action application="log" data="vip"/></condition></extension>
      <extension name="nobody"><condition field="no_such_field" expression="^$">
        <action application="log" data="empty"/></condition></extension>""")
    assert run(dp, variables={"VIP": "yes"}) == [("log", "vip")]
    assert run(make(tmp_path, dp_text)) == [("log", "empty")]


def test_anti_actions_break_and_continue(tmp_path: Path) -> None:
    dp = make(tmp_path, """
      <extension name="tag" continue="true">
        <condition field="destination_number" expression="^1" break="never">
          <action application="set" data="a=1"/><anti-action application="set" data="a=0"/>
        </condition>
        <condition field="destination_number" expression="^.0" break="on-true">
          <action application="set" data="b=1"/>
        </condition>
        <condition><action application="set" data="c=1"/></condition>
      </extension>
      <extension name="stop">
        <condition field="destination_number" expression="^2">
          <anti-action application="log" data="not 2"/>
        </condition>
      </extension>
      <extension name="never_reached"><condition><action application="log" data="x"/>
      </condition></extension>""")
    assert run(dp, "100") == [("set", "a=1"), ("set", "b=1"), ("log", "not 2")]
    assert run(dp, "311") == [("set", "a=0"), ("set", "c=1"), ("log", "not 2")]
    always = make(tmp_path, """
      <extension name="a"><condition field="destination_number" expression="^1" break="always">
        <action application="log" data="first"/></condition>
        <condition><action application="log" data="second"/></condition></extension>""")
    assert run(always) == [("log", "first")]


def test_time_of_day_routing(tmp_path: Path) -> None:
    dp = make(tmp_path, """
      <extension name="office">
        <condition wday="mon-fri" time-of-day="08:00-11:30,13:00-17:00">
          <action application="transfer" data="queue"/>
          <anti-action application="playback" data="closed.wav"/>
        </condition>
      </extension>""")
    assert run(dp, now=MONDAY_9) == [("transfer", "queue")]
    assert run(dp, now=MONDAY_9.replace(hour=12)) == [("playback", "closed.wav")]
    assert run(dp, now=MONDAY_9.replace(hour=17, minute=0, second=0)) == [("transfer", "queue")]
    assert run(dp, now=MONDAY_9 - timedelta(days=1)) == [("playback", "closed.wav")]
    # the caller's zone: 09:00 UTC is 16:00 in Ho Chi Minh City, 02:00 at UTC-7
    utc = MONDAY_9.replace(tzinfo=UTC)
    assert run(dp, variables={"timezone": "Asia/Ho_Chi_Minh"}, now=utc) == [("transfer", "queue")]
    assert run(dp, variables={"tod_tz_offset": "-7"}, now=utc) == [("playback", "closed.wav")]


@pytest.mark.parametrize(("attrs", "matches"), [
    ('hour="22-6"', False), ('hour="9"', True), ('minute="0-5"', True),
    ('minute-of-day="541"', True), ('mday="23"', True), ('mon="10-2"', True),
    ('year="2026"', True), ('yday="327"', True), ('week="47"', True), ('mweek="4"', True),
    ('wday="2"', True), ('wday="sat-mon"', True), ('wday="1,7"', False),
    ('time-of-day="22:00-06:00"', False), ('tz-offset="7"', False),
    ('date-time="2026-11-23 08:59:59~2026-11-23 09:00:00"', False),
    ('date-time="2025-01-01 00:00~2025-01-02 00:00,2026-11-23 09:00~2026-11-24 00:00"', True),
])
def test_time_attributes(tmp_path: Path, attrs: str, matches: bool) -> None:
    dp = make(tmp_path, f'<extension name="x"><condition {attrs}>'
                        '<action application="log" data="yes"/></condition></extension>')
    assert run(dp) == ([("log", "yes")] if matches else [])


def test_regex_all_any_xor(tmp_path: Path) -> None:
    def rule(kind: str) -> Dialplan:
        return make(tmp_path, f"""
          <extension name="r"><condition regex="{kind}">
            <regex field="caller_id_number" expression="^09(\\d)"/>
            <regex field="destination_number" expression="^(1)(\\d+)$"/>
            <action application="log" data="$1 $2"/>
            <anti-action application="log" data="no"/>
          </condition></extension>""")
    assert run(rule("all"), "100") == [("log", "1 00")]  # the last regex with a group
    assert run(rule("all"), "200") == [("log", "no")]
    assert run(rule("any"), "200") == [("log", "1 ")]  # the one that passed
    assert run(rule("xor"), "100") == [("log", "no")]
    assert run(rule("xor"), "200") == [("log", " ")]  # the last one tested failed


def test_inline_set_seen_by_later_conditions(tmp_path: Path) -> None:
    dp = make(tmp_path, """
      <extension name="prep" continue="true"><condition>
        <action application="set" data="tier=${caller_id_number:0:3}" inline="true"/>
        <action application="export" data="nolocal:hidden=1" inline="true"/>
      </condition></extension>
      <extension name="route">
        <condition field="${tier}" expression="^091$"/>
        <condition field="${hidden}" expression="^$">
          <action application="bridge" data="tier ${tier}"/>
        </condition>
      </extension>""")
    ran: list[tuple[str, str]] = []
    actions = run(dp, execute_inline=lambda app, data: ran.append((app, data)))
    assert actions == [("bridge", "tier ${tier}")]
    assert ran == [("set", "tier=${caller_id_number:0:3}"), ("export", "nolocal:hidden=1")]
    assert run(dp) == [("bridge", "tier ${tier}")]  # the hunt's own view, without a callback


def test_nested_conditions_and_require_nested(tmp_path: Path) -> None:
    nested = """
      <extension name="n" continue="true"><condition field="destination_number"
          expression="^1" require-nested="{req}">
        <action application="log" data="outer"/>
        <condition field="caller_id_number" expression="^08">
          <action application="log" data="inner"/></condition>
      </condition></extension>
      <extension name="after"><condition><action application="log" data="after"/>
      </condition></extension>"""
    assert run(make(tmp_path, nested.format(req="true"))) == [("log", "outer"), ("log", "after")]
    stop = nested.replace('continue="true"', "")
    assert run(make(tmp_path, stop.format(req="true"))) == [("log", "outer"), ("log", "after")]
    assert run(make(tmp_path, stop.format(req="false"))) == [("log", "outer")]


def test_patterns_loops_and_match_variables(tmp_path: Path) -> None:
    dp = make(tmp_path, """
      <extension name="ast"><condition field="destination_number" expression="_1XX">
        <action application="log" data="three digits" loop="2"/></condition></extension>
      <extension name="ci"><condition field="caller_id_number" expression="/^(0)9/i">
        <action application="log" data="zero"/></condition></extension>""")
    seen: dict[str, str | None] = {}
    assert run(dp, "105", on_variable=seen.__setitem__) == [("log", "three digits")] * 2
    assert run(dp, "1050", on_variable=seen.__setitem__) == [("log", "zero")]
    assert seen == {"DP_MATCH": "ARRAY::09|:0"}


def test_unknown_context_and_global_fallback(tmp_path: Path) -> None:
    path = tmp_path / "g.xml"
    body = ('<context name="Global"><extension name="any"><condition>'
            '<action application="park"/></condition></extension></context>')
    path.write_text(f"<include>\n{body}\n</include>\n")
    assert Dialplan.load(path).hunt("nowhere", {}, {}, MONDAY_9) == [("park", "")]
    path.write_text(f"<include>{body}</include>\n")  # a line with <include> is dropped whole
    assert Dialplan.load(path).contexts == {}
    assert make(tmp_path, "").hunt("nowhere", {}, {}, MONDAY_9) == []


# -- expansion and the pre-processor ------------------------------------------------------------

def test_expand_variables() -> None:
    variables = {"a": "hello", "b": "${a} world", "name_x": "nested", "which": "x",
                 "list": "ARRAY::one|:two", "Mixed": "case"}

    def api(command: str, args: str) -> str:
        return f"<{command}:{args}>"

    cases = {
        "${a}": "hello", "${b}": "hello world", "${missing}": "", "[${missing}]": "[]",
        "${name_${which}}": "nested", "${a:1}": "ello", "${a:1:3}": "ell", "${a:-3}": "llo",
        "${a:-3:2}": "ll", "${a:9}": "", "${list[1]}": "two", "${list[5]}": "", "${mixed}": "case",
        "$${a}": "hello", "${expr(1+${a})}": "<expr:1+hello>", "${md5 ${a}}": "<md5:hello>",
        "\\${a}": "${a}", "it\\'s": "its", "a\\\\b": "a\\b", "$x ${a}$": "$x hello$",
        r"\d ${a}": r"\d hello", "no vars": "no vars",
    }
    assert {text: expand_variables(text, variables, api) for text in cases} == cases
    assert expand_variables("${strftime(%Y)}", {}) == ""  # no api: nothing
    assert time.strftime("%Y") in expand_variables("${strftime(%Y)}", {},
                                                   lambda c, a: time.strftime(a))


def test_read_globals_and_includes(tmp_path: Path) -> None:
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "b.xml").write_text('<X-PRE-PROCESS cmd="set" data="second=2"/>\n')
    (tmp_path / "extra" / "a.xml").write_text('<X-PRE-PROCESS cmd="set" data="first=1"/>\n')
    (tmp_path / "vars.xml").write_text(
        '<include>\n'
        '  <X-PRE-PROCESS cmd="set" data="base = /opt/fs"/>\n'
        '  <X-PRE-PROCESS cmd="set" data="sounds=$${base}/sounds"/>\n'
        '  <!-- <X-PRE-PROCESS cmd="set" data="commented=still set"/> -->\n'
        '  <X-PRE-PROCESS cmd="set" data="raw=${not_expanded}"/>\n'
        '  <X-PRE-PROCESS cmd="include" data="extra/*.xml"/>\n'
        '</include>\n')
    assert read_globals(tmp_path / "vars.xml", {"seed": "s"}) == {
        "seed": "s", "base": "/opt/fs", "sounds": "/opt/fs/sounds",
        "commented": "still set", "raw": "%{not_expanded}", "first": "1", "second": "2"}


def test_load_conf_tree(box: Dialplan) -> None:
    assert box.global_vars["domain_name"] == "192.0.2.2"
    names = [ext.name for ext in box.contexts["public"]]
    assert names[5:] == ["hotline_1022", "hotline_key_1", "hotline_key_2", "hotline_key_3",
                         "hotline_no_key", "hotline_socket", "public_did", "emergency_115"]
    did = box.hunt("public", {"destination_number": "5551212"}, {}, MONDAY_9)
    assert did[-2:] == [("set", "domain_name=192.0.2.2"), ("transfer", "1000 XML default")]
    local = box.hunt("default", {"destination_number": "1001"}, {}, MONDAY_9)
    assert local == [("set", "dialed_extension=1001"),
                     ("bridge", "user/${dialed_extension}@${domain_name}")]


def test_errors_name_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "dialplan" / "public").mkdir(parents=True)
    (tmp_path / "dialplan" / "public.xml").write_text(
        '<include>\n<context name="public">\n'
        '<X-PRE-PROCESS cmd="include" data="public/*.xml"/>\n</context>\n</include>\n')
    broken = tmp_path / "dialplan" / "public" / "bad.xml"
    broken.write_text('<include>\n<extension name="x">\n  <condition field="a">\n'
                      '</extension>\n</include>\n')
    with pytest.raises(DialplanError) as error:
        Dialplan.load(tmp_path)
    assert (error.value.file, error.value.line) == (broken, 4)
    assert f"{broken}:4: malformed XML" in str(error.value)
    broken.write_text('<include>\n<extension name="x">\n'
                      '  <condition field="destination_number" expression="^(1"/>\n'
                      '</extension>\n</include>\n')
    with pytest.raises(DialplanError, match=r"bad\.xml:3: invalid regex /\^\(1/"):
        Dialplan.load(tmp_path)
    broken.write_text('<include>\n<extension name="x"><condition field="${x}" '
                      'expression="^(${x}"/></extension>\n</include>\n')
    with pytest.raises(DialplanError, match=r"bad\.xml:2: invalid regex"):
        Dialplan.load(tmp_path).hunt("public", {}, {"x": "1"}, MONDAY_9)


def test_aware_now_and_offsets(tmp_path: Path) -> None:
    dp = make(tmp_path, '<extension name="x"><condition hour="16" tz-offset="7">'
                        '<action application="log" data="hcm"/></condition></extension>')
    hcm = timezone(timedelta(hours=7))
    assert run(dp, now=datetime(2026, 11, 23, 16, 30, tzinfo=hcm)) == [("log", "hcm")]
    assert run(dp, now=datetime(2026, 11, 23, 16, 30, tzinfo=UTC)) == []
