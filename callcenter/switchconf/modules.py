"""The FreeSWITCH modules the hotline needs, in one place: derived from what its rendered
configuration uses (applications → the module that registers them, per
switch_conf/applications.toml; the configuration files, dialplans, endpoints and sound formats
→ the module that reads or plays them), plus what the daemon itself uses over the event socket.

The installer enables these in modules.conf.xml (modules_conf.py); the checker reports any that
is not loaded there."""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from callcenter.switch.api import COMMANDS
from callcenter.switchconf.render import SWITCH_CONF
from fsxml.conf_tree import expand_globals
from fsxml.fragments import parse_fragment

APPLICATIONS_FILE = SWITCH_CONF / "applications.toml"

# <configuration name="…"> → the module that opens it with switch_xml_open_cfg.
CONFIG_MODULES = {
    # FreeSWITCH: src/mod/applications/mod_callcenter/mod_callcenter.c global_cf
    "callcenter.conf": "mod_callcenter",
    # FreeSWITCH: src/mod/event_handlers/mod_event_socket/mod_event_socket.c config() cf
    "event_socket.conf": "mod_event_socket",
    # FreeSWITCH: src/mod/event_handlers/mod_json_cdr/mod_json_cdr.c load_config() cf
    "json_cdr.conf": "mod_json_cdr",
    # FreeSWITCH: src/mod/formats/mod_local_stream/mod_local_stream.c global_cf
    "local_stream.conf": "mod_local_stream",
}

# Sound strings: the scheme before :// names a file interface (switch_core_file.c
# switch_core_perform_file_open looks the prefix up among the modules' file formats).
SOUND_SCHEMES = {
    # FreeSWITCH: src/mod/formats/mod_tone_stream/mod_tone_stream.c supported_formats[0]
    "tone_stream": "mod_tone_stream",
    # FreeSWITCH: src/mod/formats/mod_tone_stream/mod_tone_stream.c silence_supported_formats[0]
    "silence_stream": "mod_tone_stream",
    # FreeSWITCH: src/mod/formats/mod_local_stream/mod_local_stream.c supported_formats[0]
    "local_stream": "mod_local_stream",
    # FreeSWITCH: src/mod/applications/mod_dptools/mod_dptools.c file_string_supported_formats
    "file_string": "mod_dptools",
}
# FreeSWITCH: src/mod/formats/mod_sndfile/mod_sndfile.c setup_formats (libsndfile's formats,
# wav among them: the prompts and the recordings)
SNDFILE = "mod_sndfile"
# FreeSWITCH: src/mod/dialplans/mod_dialplan_xml/mod_dialplan_xml.c SWITCH_ADD_DIALPLAN "XML"
DIALPLAN_XML = "mod_dialplan_xml"
# FreeSWITCH: src/mod/endpoints/mod_sofia/mod_sofia.c mod_sofia_load interface_name "sofia";
# sofia.c reads sofia.conf, which (conf/vanilla) includes sip_profiles/*.xml
SOFIA = "mod_sofia"

# What the daemon does over the event socket: the api commands its switch client sends
# (callcenter/switch/api.py), applications its IVR executes with sendmsg, and modules it reads
# the output of.
DAEMON_APIS = COMMANDS
DAEMON_APPLICATIONS = ("answer", "set", "export", "playback", "play_and_get_digits",
                       "transfer", "hangup")
# Applications the daemon's `originate` runs on the leg it rings (callback dials: bridge; a
# lead's listen / whisper / barge: eavesdrop).
DAEMON_ORIGINATE_APPLICATIONS = ("bridge", "eavesdrop")
# Sound schemes the daemon's IVR plays (callcenter/ivr/flow.py NO_INVALID_PROMPT).
DAEMON_SOUND_SCHEMES = ("silence_stream", "file_string")
DAEMON_MODULES = {
    # the event socket the daemon connects to (inbound) and serves the IVR on (outbound)
    "mod_event_socket": "the daemon's event socket (inbound ESL) and its IVR (socket)",
    # the CDR import reads mod_json_cdr's spool folder (calls handled while the daemon was
    # down); json_cdr.conf.xml is rendered with it
    "mod_json_cdr": "the daemon's CDR import (mod_json_cdr's spool folder)",
}


@dataclass(frozen=True)
class Registry:
    """Who registers what, from switch_conf/applications.toml."""

    applications: dict[str, str]  # application → module
    apis: dict[str, str]  # api → module

    @classmethod
    def load(cls, path: Path = APPLICATIONS_FILE) -> Registry:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(_invert(data["modules"]), _invert(data.get("apis", {})))


def _invert(table: dict[str, list[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for module, names in table.items():
        for name in names:
            out.setdefault(name, module)
    return out


_SOUND = re.compile(r"\b([a-z_]+)://")
_WAV = re.compile(r"\.wav\b")
_API_CALL = re.compile(r"\$\{(\w+)\(")


def _parse(text: str) -> ET.Element | None:
    try:
        return parse_fragment(text)
    except ET.ParseError:
        return None  # the checker's rule `xml` reports it


def _used_applications(root: ET.Element) -> list[str]:
    apps = [a.get("application", "") for tag in ("action", "anti-action")
            for a in root.iter(tag)]
    for menu in root.iter("menu"):
        lines = [menu.get(k, "") for k in ("exec-on-max-failures", "exec-on-max-timeouts")]
        lines += [e.get("param", "") for e in menu.iter("entry")
                  if e.get("action") == "menu-exec-app"]
        apps += [line.split()[0] for line in lines if line.strip()]
    return [a for a in apps if a]


def needed_modules(files: dict[str, str], globals_: dict[str, str],
                   registry: Registry | None = None) -> dict[str, str]:
    """module → why, for the hotline's files (relative path → text) on a switch whose
    $${…} globals are `globals_` (the hold music is one of them)."""
    registry = registry or Registry.load()
    need: dict[str, str] = {}

    def add(module: str | None, why: str) -> None:
        if module and module != "core":
            need.setdefault(module, why)

    for module, why in DAEMON_MODULES.items():
        add(module, why)
    for api in DAEMON_APIS:
        add(registry.apis.get(api), f"api {api} (the daemon)")
    for app in DAEMON_APPLICATIONS:
        add(registry.applications.get(app), f"application {app} (the daemon's IVR)")
    for app in DAEMON_ORIGINATE_APPLICATIONS:
        add(registry.applications.get(app), f"application {app} (the daemon's originate)")
    for scheme in DAEMON_SOUND_SCHEMES:
        add(SOUND_SCHEMES[scheme], f"{scheme}:// (the daemon's IVR)")
    for relative, raw in sorted(files.items()):
        text = expand_globals(raw, globals_)
        root = _parse(text)
        if root is None:
            continue
        for app in _used_applications(root):
            add(registry.applications.get(app), f"application {app} ({relative})")
        for conf in root.iter("configuration"):
            add(CONFIG_MODULES.get(conf.get("name", "")), f"{conf.get('name')} ({relative})")
        if root.find(".//context") is not None:
            add(DIALPLAN_XML, f"the XML dialplan ({relative})")
        if relative.startswith("sip_profiles/") or "sofia/" in text:
            add(SOFIA, f"SIP ({relative})")
        for scheme in _SOUND.findall(text):
            add(SOUND_SCHEMES.get(scheme), f"{scheme}:// ({relative})")
        if _WAV.search(text):
            add(SNDFILE, f".wav sounds ({relative})")
        for api in _API_CALL.findall(text):
            add(registry.apis.get(api), f"api {api} ({relative})")
    return dict(sorted(need.items()))
