"""Whether the queues' hold music will play: mod_callcenter plays each queue's moh-sound to its
waiting callers; `local_stream://<name>` is a stream of mod_local_stream defined in
local_stream.conf.xml by a folder of music files, which a switch without the music packages does
not have (then every attempt logs `Unknown source` and the caller waits in silence).

FreeSWITCH: src/mod/applications/mod_callcenter/mod_callcenter.c callcenter_function (the queue's
moh-sound, expanded, played with switch_ivr_play_file while the member waits).
Used by the checker (rule `hold-music`) and, as warnings, by the installer."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from fsxml.conf_tree import expand_globals, tree_globals
from fsxml.fragments import parse_fragment

CALLCENTER_CONF = "autoload_configs/callcenter.conf.xml"
LOCAL_STREAM_CONF = "autoload_configs/local_stream.conf.xml"
# The rate a PSTN call runs at (G.711 on the trunk).
# FIDELITY: guess — the trunk's codec is G.711 (8 kHz); a 16 kHz call looks for <name>/16000 first.
CALL_RATE = 8000
PACKAGES = ("Install the music: Debian, apt-get install freeswitch-music-default (into "
            "$${sounds_dir}/music/<rate>); from source, make moh-install (8000 Hz; "
            "hd-/uhd-/cd-moh-install add 16000/32000/48000). Or set [site] hold_music = "
            "\"tone\" and install again")


def _root(path: Path) -> ET.Element | None:
    try:
        return parse_fragment(path.read_text(encoding="utf-8"))
    except (OSError, ET.ParseError, UnicodeDecodeError):
        return None  # missing, or the rule `xml` reports it


def hold_sources(conf_dir: Path, globals_: dict[str, str]) -> dict[str, list[str]]:
    """moh-sound (expanded as the pre-processor does) → the queues that play it."""
    root = _root(conf_dir / CALLCENTER_CONF)
    sources: dict[str, list[str]] = {}
    if root is None:
        return sources
    for queue in root.iter("queue"):
        for param in queue.iter("param"):
            if param.get("name") == "moh-sound" and param.get("value"):
                value = expand_globals(param.get("value", ""), globals_)
                sources.setdefault(value, []).append(queue.get("name", ""))
    return sources


def _stream_folder(conf_dir: Path, name: str, globals_: dict[str, str]) -> tuple[str, str] | None:
    """(directory name, its path) mod_local_stream would play for local_stream://<name>:
    <name>/<rate>, else <name>, else `default`.
    FreeSWITCH: src/mod/formats/mod_local_stream/mod_local_stream.c local_stream_file_open
    (alt_path "%s/%d" with the channel's rate, then the path, then "default")."""
    root = _root(conf_dir / LOCAL_STREAM_CONF)
    if root is None:
        return None
    directories = {d.get("name", ""): expand_globals(d.get("path", ""), globals_)
                   for d in root.iter("directory")}
    for candidate in (f"{name}/{CALL_RATE}", name, "default"):
        if candidate in directories:
            return candidate, directories[candidate]
    return None


def hold_music_problems(conf_dir: Path, sounds_dir: Path | None) -> list[str]:
    """What stops the hold music from playing, one sentence each (nothing when it plays, or
    when it is not a local stream)."""
    initial = {"sounds_dir": str(sounds_dir)} if sounds_dir else {}
    # FreeSWITCH: src/switch_core.c switch_core_init sets $${sounds_dir} before vars.xml
    globals_ = tree_globals(conf_dir, initial)
    problems = []
    for source, queues in sorted(hold_sources(conf_dir, globals_).items()):
        if not source.startswith("local_stream://"):
            continue
        name = source.removeprefix("local_stream://").split("?")[0].strip("/") or "default"
        where = f"{source} (queue {', '.join(queues)})"
        folder = _stream_folder(conf_dir, name, globals_)
        if folder is None:
            problems.append(f"{where}: no stream {name!r} nor 'default' in {LOCAL_STREAM_CONF} "
                            f"(mod_local_stream: Unknown source; callers wait in silence)")
            continue
        if sounds_dir is None:  # where $${sounds_dir} is, is not known
            continue
        path = Path(folder[1])
        if not path.is_dir() or not any(p.is_file() for p in path.iterdir()):
            problems.append(f"{where}: stream {folder[0]!r} plays {path}, which has no music "
                            f"(callers wait in silence). {PACKAGES}")
    return problems
