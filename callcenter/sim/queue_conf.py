"""Read a FreeSWITCH callcenter.conf.xml the way mod_callcenter reads it.

Queue params go through `switch_event_import_xml` + `switch_xml_config_parse_event` with the
items of `queue_set_config` (mod_callcenter.c), so:
* names are matched case-insensitively, unknown names are ignored (FreeSWITCH only warns);
* an empty value counts as absent (adding an empty event header deletes it), giving the default;
* ints must pass `switch_is_number` and lie in 0..86400, else the default is used;
* bools take `switch_true` / `switch_false` words (or numbers), anything else gives the default.
`<settings>` follow `load_config`. `<agents>`/`<tiers>` are kept as attribute maps for
`agent reload`, `tier reload` and `queue load`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from defusedxml.ElementTree import fromstring as safe_fromstring

from callcenter.sim.callcenter_model import CallcenterConf, Queue, Settings, c_atoi

_TRUE = ("yes", "on", "true", "t", "enabled", "active", "allow")
_FALSE = ("no", "off", "false", "f", "disabled", "inactive", "disallow")

# queue_set_config: (param name, Queue attribute, kind); defaults are Queue's field defaults.
QUEUE_PARAMS = (
    ("strategy", "strategy", "str"),
    ("moh-sound", "moh_sound", "str"),
    ("announce-sound", "announce_sound", "str"),
    ("announce-frequency", "announce_frequency", "int"),
    ("record-template", "record_template", "str"),
    ("time-base-score", "time_base_score", "str"),
    ("ring-progressively-delay", "ring_progressively_delay", "int"),
    ("tier-rules-apply", "tier_rules_apply", "bool"),
    ("tier-rule-wait-second", "tier_rule_wait_second", "int"),
    ("tier-rule-wait-multiply-level", "tier_rule_wait_multiply_level", "bool"),
    ("tier-rule-no-agent-no-wait", "tier_rule_no_agent_no_wait", "bool"),
    ("discard-abandoned-after", "discard_abandoned_after", "int"),
    ("abandoned-resume-allowed", "abandoned_resume_allowed", "bool"),
    ("max-wait-time", "max_wait_time", "int"),
    ("max-wait-time-with-no-agent", "max_wait_time_with_no_agent", "int"),
    ("max-wait-time-with-no-agent-time-reached", "max_wait_time_with_no_agent_time_reached", "int"),
    ("agent-no-answer-status", "agent_no_answer_status", "str"),
    ("skip-agents-with-external-calls", "skip_agents_with_external_calls", "bool"),
)


class QueueConfError(ValueError):
    """The file is not XML, or has no callcenter.conf configuration in it."""


def is_number(text: str) -> bool:
    """`switch_is_number`: an optional sign, then only digits and dots (so "" and "+" pass)."""
    body = text[1:] if text[:1] in ("+", "-") else text
    return all(ch == "." or "0" <= ch <= "9" for ch in body)


def switch_true(text: str | None) -> bool:
    return text is not None and (text.lower() in _TRUE or (is_number(text) and c_atoi(text) != 0))


def switch_false(text: str | None) -> bool:
    return text is not None and (text.lower() in _FALSE or (is_number(text) and c_atoi(text) == 0))


def _raw_params(element: ET.Element | None) -> list[tuple[str, str]]:
    """The <param> children as (name, value), missing attributes read as "" (`attr_soft`)."""
    params = [] if element is None else element.findall("param")
    return [(p.get("name", ""), p.get("value", "")) for p in params]


def _params(element: ET.Element | None) -> list[tuple[str, str]]:
    """`switch_event_import_xml` of the <param> children: an empty value deletes the name."""
    headers: list[tuple[str, str]] = []
    for name, value in _raw_params(element):
        if value == "":
            headers = [(n, v) for n, v in headers if n.lower() != name.lower()]
        else:
            headers.append((name, value))
    return headers


def _lookup(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for n, v in headers if n.lower() == name.lower()), None)


def queue_from_params(name: str, headers: list[tuple[str, str]]) -> Queue:
    """A Queue as `queue_set_config` + `switch_xml_config_parse_event` would fill it."""
    queue = Queue(name=name)
    defaults = Queue(name=name)
    for key, attr, kind in QUEUE_PARAMS:
        value = _lookup(headers, key)
        if value is None:
            continue
        default = getattr(defaults, attr)
        if kind == "str":
            setattr(queue, attr, value)
        elif kind == "int":
            number = c_atoi(value) if is_number(value) else default
            setattr(queue, attr, number if 0 <= number <= 86400 else default)
        else:
            setattr(queue, attr, True if switch_true(value) else
                    False if switch_false(value) else default)
    return queue


def settings_from_params(headers: list[tuple[str, str]]) -> Settings:
    """`load_config`'s loop over <settings>: later params win, names case-insensitive."""
    s = Settings()
    for var, val in headers:
        key = var.lower()
        if key == "debug":
            s.debug = c_atoi(val)
        elif key == "dbname":
            s.dbname = val
        elif key == "odbc-dsn":
            s.odbc_dsn = val
        elif key in ("reserve-agents", "truncate-tiers-on-load", "truncate-agents-on-load",
                     "global-database-lock"):
            setattr(s, key.replace("-on-load", "_on_load").replace("-", "_"), switch_true(val))
        elif key == "cc-instance-id":
            s.cc_instance_id = val
        elif key == "agent-originate-timeout":
            s.agent_originate_timeout = c_atoi(val) or 60
    s.dbname = s.dbname or "callcenter"
    s.cc_instance_id = s.cc_instance_id or "single_box"
    return s


def _expand(text: str, variables: Mapping[str, str]) -> str:
    """The XML preprocessor's `$${name}`: the global variable, or nothing when it is unset."""
    return re.sub(r"\$\$\{([^}]*)\}", lambda m: variables.get(m.group(1), ""), text)


def _configuration(root: ET.Element) -> ET.Element:
    if root.tag == "configuration":
        return root
    for element in root.iter("configuration"):
        if element.get("name", "").lower() == "callcenter.conf":
            return element
    raise QueueConfError("no <configuration name=\"callcenter.conf\"> in the XML")


def parse_callcenter_conf(text: str, variables: Mapping[str, str] | None = None,
                          source: str = "callcenter.conf.xml") -> CallcenterConf:
    """Parse the XML text. With `variables`, `$${name}` is expanded first as FreeSWITCH does."""
    if variables is not None:
        text = _expand(text, variables)
    try:
        root = safe_fromstring(text)
    except ET.ParseError as exc:
        raise QueueConfError(f"{source}: not well-formed XML: {exc}") from exc
    cfg = _configuration(root)
    settings = settings_from_params(_raw_params(cfg.find("settings")))
    queues = []
    queues_el = cfg.find("queues")
    for element in ([] if queues_el is None else queues_el.findall("queue")):
        queues.append(queue_from_params(element.get("name", ""), _params(element)))
    agents_el, tiers_el = cfg.find("agents"), cfg.find("tiers")
    agents = None if agents_el is None else [dict(a.attrib) for a in agents_el.findall("agent")]
    tiers = None if tiers_el is None else [dict(t.attrib) for t in tiers_el.findall("tier")]
    return CallcenterConf(settings=settings, queues=queues, agents=agents, tiers=tiers)


def read_callcenter_conf(path: str | Path,
                         variables: Mapping[str, str] | None = None) -> CallcenterConf:
    """Read and parse a callcenter.conf.xml file."""
    path = Path(path)
    return parse_callcenter_conf(path.read_text(encoding="utf-8"), variables, str(path))


def read_queues(path: str | Path, variables: Mapping[str, str] | None = None) -> list[Queue]:
    """Just the queues of the file, in XML order."""
    return read_callcenter_conf(path, variables).queues
