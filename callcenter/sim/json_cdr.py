"""mod_json_cdr in the simulator: one `<uuid>.cdr.json` per channel, written when the channel is
reported, into the log-dir of the tree's json_cdr.conf (the daemon imports them: callcenter/cdr).

The document is `switch_ivr_generate_json_cdr`'s (src/switch_ivr.c): `core-uuid`, `switchname`,
`channel_data`, `callStats`, `variables`, `app_log`, `callflow` (one entry per caller profile,
newest first), written unformatted with a newline, in place (open, write, close), as
`process_cdr` does. Its shape follows tests/fixtures/cdr/ (the real switch's channels)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from defusedxml.ElementTree import fromstring as safe_fromstring

from callcenter.sim.channel import STATE_NUMBER, CallerProfile
from fsxml.conf_tree import expand_globals
from fsxml.expand import switch_true

if TYPE_CHECKING:
    from callcenter.sim.session import Session
    from callcenter.sim.switch import SimSwitch

log = logging.getLogger(__name__)

CONFIG = "json_cdr.conf"
SUFFIX = ".cdr.json"
# switch_ivr_set_json_profile_data's fields, in its order (chan_name: CallerProfile.field)
PROFILE_FIELDS = ("username", "dialplan", "caller_id_name", "ani", "aniii", "caller_id_number",
                  "network_addr", "rdnis", "destination_number", "uuid", "source", "context",
                  "chan_name")
# a callflow entry's `times` → the simulator's profile time (the Caller-*-Time header's name)
TIMES = (("created_time", "Channel-Created-Time"), ("profile_created_time", "Profile-Created-Time"),
         ("progress_time", "Channel-Progress-Time"),
         ("progress_media_time", "Channel-Progress-Media-Time"),
         ("answered_time", "Channel-Answered-Time"), ("bridged_time", "Channel-Bridged-Time"),
         ("last_hold_time", "Channel-Last-Hold"), ("hold_accum_time", "Channel-Hold-Accum"),
         ("hangup_time", "Channel-Hangup-Time"), ("resurrect_time", "Channel-Resurrect-Time"),
         ("transfer_time", "Channel-Transfer-Time"))
# FreeSWITCH: switch_utils.h SWITCH_URL_UNSAFE
_URL_UNSAFE = frozenset(b"\r\n #%&+:;<=>?@[\\]^`{|}\"")
_HEX = b"0123456789ABCDEF"
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LOADS_MODULE = re.compile(r'<load\b[^>]*\bmodule\s*=\s*"mod_json_cdr"')


@dataclass(frozen=True)
class JsonCdrSettings:
    """What mod_json_cdr_load keeps of its configuration (the disk side of it)."""

    log_dir: Path | None = None  # None: no log-dir (only a channel's json_cdr_base is written)
    log_b: bool = True
    prefix_a: bool = False
    encode_values: bool = True
    to_disk: bool = True  # false with url(s) and without log-http-and-disk


def install(switch: SimSwitch, conf_dir: Path) -> JsonCdr | None:
    """Load mod_json_cdr as FreeSWITCH would with this tree: not at all without a json_cdr.conf
    (or when modules.conf.xml leaves the module out); else a CDR per reported channel."""
    settings = read_settings(conf_dir, switch.globals, switch.clock())
    if settings is None:
        return None
    cdr = JsonCdr(switch, settings)
    switch.reporting_handlers.append(cdr.on_reporting)
    return cdr


def read_settings(conf_dir: Path, globals_: dict[str, str],
                  now: float) -> JsonCdrSettings | None:
    """mod_json_cdr_load's reading of json_cdr.conf; the log folder made (or rotated) then."""
    # FreeSWITCH: mod_json_cdr.c mod_json_cdr_load (defaults: log_b 1, encode_values
    # ENCODING_DEFAULT; `Open of json_cdr.conf failed` → SWITCH_STATUS_TERM, not loaded)
    modules = conf_dir / "autoload_configs" / "modules.conf.xml"
    if modules.exists() and not _LOADS_MODULE.search(
            _COMMENT.sub("", modules.read_text(encoding="utf-8"))):
        return None  # FreeSWITCH: switch_loadable_module.c switch_loadable_module_init
    config = _find_config(conf_dir)
    if config is None:
        return None
    params = {(p.get("name") or "").lower(): expand_globals(p.get("value") or "", globals_)
              for settings in config.iter("settings") for p in settings.iter("param")}
    # FIDELITY: guess — SWITCH_GLOBAL_dirs.log_dir: the tree's $${log_dir}, else log/ beside it
    base_log = Path(globals_.get("log_dir") or conf_dir.parent / "log")
    log_dir = None
    if "log-dir" in params:
        value = params["log-dir"]
        # FreeSWITCH: switch_utils.h switch_is_file_path ('/' first, or "://")
        log_dir = (base_log / "json_cdr" if not value else
                   Path(value) if value.startswith("/") or "://" in value else base_log / value)
    log_dir = _make_log_dir(log_dir, switch_true(params.get("rotate", "")), now)
    urls = [v for k, v in params.items() if k == "url" and v]
    # FIDELITY: guess — posting to url(s) is not simulated: taken as done (nothing on disk
    # unless log-http-and-disk), as process_cdr does after a 2xx
    return JsonCdrSettings(
        log_dir=log_dir, log_b=switch_true(params.get("log-b-leg", "true")),
        prefix_a=switch_true(params.get("prefix-a-leg", "false")),
        encode_values=switch_true(params.get("encode-values") or "true"),
        to_disk=switch_true(params.get("log-http-and-disk", "false")) or not urls)


def _find_config(conf_dir: Path) -> ET.Element | None:
    """<configuration name="json_cdr.conf">, in autoload_configs/*.xml as freeswitch.xml
    includes them (name order); switch_xml_open_cfg takes the first."""
    for path in sorted((conf_dir / "autoload_configs").glob("*.xml")):
        text = path.read_text(encoding="utf-8")
        if CONFIG not in text:
            continue
        try:
            root = safe_fromstring(text)
        except ET.ParseError as exc:
            log.warning("json_cdr: %s does not parse (%s): skipped", path, exc)
            continue
        for config in root.iter("configuration"):
            if config.get("name") == CONFIG:
                return config
    return None


def _make_log_dir(path: Path | None, rotate: bool, now: float) -> Path | None:
    """set_json_cdr_log_dirs at load: the folder made with its parents; with rotate, a dated
    folder in it (made alone: no parents)."""
    # FreeSWITCH: mod_json_cdr.c set_json_cdr_log_dirs
    if path is None:
        return None
    if rotate:
        path = path / datetime.fromtimestamp(now).strftime("%Y-%m-%d-%H-%M-%S")
        try:
            path.mkdir(exist_ok=True)
        except OSError as exc:
            log.error("json_cdr: Failed to create new mod_json_cdr log_dir path %s: %s",
                      path, exc)
            return None
    else:  # switch_dir_make_recursive's failure is not checked: the writes fail then
        with contextlib.suppress(OSError):
            path.mkdir(parents=True, exist_ok=True)
    log.info("json_cdr: Setting log file path to %s", path)
    return path


class JsonCdr:
    """The module, loaded: its on_reporting state handler."""

    def __init__(self, switch: SimSwitch, settings: JsonCdrSettings) -> None:
        self.switch = switch
        self.settings = settings

    def on_reporting(self, session: Session) -> None:
        """my_on_reporting: the CDR of a reported channel, unless it is a b-leg (its caller
        profile has an originator) and log-b-leg is false."""
        # FreeSWITCH: mod_json_cdr.c my_on_reporting
        channel = session.channel
        if not reporting_runs_handlers(session):
            return
        is_b = channel.other_type == "originator" and channel.other_profile is not None
        if is_b and not self.settings.log_b and not switch_true(
                channel.variables.get("force_process_cdr")):
            return
        prefix = "a_" if not is_b and self.settings.prefix_a else ""
        logdir = channel.variables.get("json_cdr_base") or self.settings.log_dir
        # FIDELITY: guess — queue-capacity (a thread writing later) is not simulated: written
        # at once, as without it
        if not logdir or not self.settings.to_disk:
            return
        try:
            text = cdr_text(cdr_document(session, self.settings.encode_values))
        except Exception:  # a bug here must not keep the channel from being destroyed
            log.exception("json_cdr: no CDR for %s", channel.uuid)
            return
        write_cdr(Path(logdir) / f"{prefix}{channel.uuid}{SUFFIX}", text)


def reporting_runs_handlers(session: Session) -> bool:
    """switch_core_session_reporting_state runs the global state handlers (mod_json_cdr's)
    unless process_cdr says no (false, or a_only on a b-leg, b_only on an a-leg) or the cause
    is in skip_cdr_causes."""
    # FreeSWITCH: switch_core_state_machine.c switch_core_session_reporting_state
    # (do_extra_handlers)
    channel = session.channel
    variables = channel.variables
    process = variables.get("process_cdr", "")
    if process.lower() == "a_only" and channel.other_type == "originator":
        return False
    if process.lower() == "b_only" and channel.other_type == "originatee":
        return False
    if process and process.lower() not in ("a_only", "b_only") and not switch_true(process):
        return False
    skip = {cause.strip().upper() for cause in variables.get("skip_cdr_causes", "").split("|")}
    return (channel.hangup_cause or "").upper() not in skip


def write_cdr(path: Path, text: str) -> None:
    """process_cdr: open (create, truncate; mode 0666 less the umask), write, close — in place,
    so a reader can meet a half-written file (the daemon's import waits settle_seconds)."""
    # FreeSWITCH: mod_json_cdr.c process_cdr (Log to disk; on a failed write, unlink)
    data = (text + "\n").encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    except OSError as exc:
        log.error("json_cdr: Error writing [%s][%s]", path, exc.strerror)
        return
    try:
        written = 0
        while written < len(data):
            written += os.write(fd, data[written:])
    except OSError:
        log.error("json_cdr: Error writing [%s]", path)
        os.close(fd)
        path.unlink(missing_ok=True)
        return
    os.close(fd)


def cdr_text(document: dict[str, Any]) -> str:
    """cJSON_PrintUnformatted: no spaces; UTF-8 as is, control characters escaped."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def cdr_document(session: Session, encode_values: bool) -> dict[str, Any]:
    """switch_ivr_generate_json_cdr of the channel, in CS_REPORTING."""
    # FreeSWITCH: switch_ivr.c switch_ivr_generate_json_cdr
    switch, channel = session.switch, session.channel
    document: dict[str, Any] = {
        "core-uuid": switch.core_uuid, "switchname": switch.hostname,
        # FIDELITY: guess — channel_data's `flags` and `caps` (the channel's flag and
        # capability strings) are left out, as the fixtures have them
        "channel_data": {"state": channel.state, "direction": channel.direction,
                         "state_number": str(STATE_NUMBER[channel.state])},
        # FIDELITY: guess — callStats (switch_ivr_set_json_call_stats: the RTP statistics of
        # audio and video) empty: the simulator has no RTP, and the fixtures have it empty
        "callStats": {},
        # FreeSWITCH: switch_ivr.c switch_ivr_set_json_chan_vars (non-empty names and values,
        # in order; switch_url_encode'd unless encode-values is false)
        "variables": {name: url_encode(value) if encode_values else value
                      for name, value in channel.variables.items() if name and value},
    }
    if session.app_log:  # no app_log at all for a channel that ran none
        document["app_log"] = {"applications": [
            {"app_name": app, "app_data": data, "app_stamp": str(stamp)}
            for app, data, stamp in session.app_log]}
    profiles = [(channel.profile, channel.other_type, channel.other_profile),
                *reversed(channel.past_profiles)]
    document["callflow"] = [_callflow_entry(*entry) for entry in profiles]
    return document


def _callflow_entry(profile: CallerProfile, other_type: str | None,
                    other: CallerProfile | None) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if profile.dialplan:
        entry["dialplan"] = profile.dialplan
    if profile.profile_index:
        entry["profile_index"] = profile.profile_index
    # FIDELITY: guess — `extension` (the dialplan's extension and its applications, for the
    # profiles routed through one) is left out, as the fixtures have it
    data: dict[str, object] = dict(profile_data(profile))
    if other_type in ("originator", "originatee") and other is not None:
        data[other_type] = {f"{other_type}_caller_profiles": [profile_data(other)]}
    entry["caller_profile"] = data
    entry["times"] = {name: str(profile.times.get(key, 0)) for name, key in TIMES}
    return entry


def profile_data(profile: CallerProfile) -> dict[str, str]:
    """switch_ivr_set_json_profile_data; a field FreeSWITCH has as NULL is left out by cJSON
    (the simulator's empty fields are those: the fixtures leave out the same ones)."""
    return {name: value for name in PROFILE_FIELDS if (value := profile.field(name))}


def url_encode(value: str) -> str:
    """switch_url_encode: every byte outside ' '…'~' (UTF-8's included) or in
    SWITCH_URL_UNSAFE as %XX, except a '%' already followed by two hex digits."""
    # FreeSWITCH: switch_utils.c switch_url_encode_opt (double_encode false)
    raw = value.encode("utf-8")
    out = bytearray()
    for i, byte in enumerate(raw):
        kept = byte == 0x25 and len(raw) - i > 2 and raw[i + 1] in _HEX and raw[i + 2] in _HEX
        if not kept and (byte < 0x20 or byte > 0x7E or byte in _URL_UNSAFE):
            out += b"%" + bytes((_HEX[byte >> 4], _HEX[byte & 0x0F]))
        else:
            out.append(byte)
    return out.decode("ascii")
