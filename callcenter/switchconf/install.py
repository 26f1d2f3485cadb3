"""Put rendered files into a FreeSWITCH configuration tree without trampling the operator's.

A manifest (`.hotline1022-installed.json` in the tree) records what this installer wrote and the
SHA-256 it wrote. A file is replaced only if the manifest says we wrote it and nobody changed it
since; anything else (a stock file such as event_socket.conf.xml, or one of ours edited by hand)
is refused unless `force`.

The operator's autoload_configs/modules.conf.xml is edited, never replaced: the modules the
hotline needs (modules.py) that it does not load are uncommented or added, and the manifest
records which, so the edit can be undone by hand."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from callcenter.switchconf.modules import needed_modules
from callcenter.switchconf.modules_conf import MODULES_CONF, ModulesConfError, enable_modules
from fsxml.conf_tree import tree_globals

MANIFEST = ".hotline1022-installed.json"
# Files holding a secret (the event socket password, the trunk's, the agents' SIP A1 hashes,
# which are password-equivalent) are never readable by others, not even for a moment.
SECRET_FILES = ("autoload_configs/00_hotline1022_vars.xml",
                "sip_profiles/external/hotline_trunk.xml",
                "directory/default/hotline_agents.xml")


@dataclass(frozen=True)
class Change:
    path: str
    action: str  # created | updated | unchanged | refused | enabled | added | missing
    note: str = ""
    module: str = ""  # for modules.conf.xml: the module enabled or added

    @property
    def failed(self) -> bool:
        return self.action in ("refused", "missing")

    def __str__(self) -> str:
        note = self.note or {"refused": "not written by this installer, or edited since: "
                                        "--force replaces it"}.get(self.action, "")
        return f"{self.action:<9} {self.path}" + (f" ({note})" if note else "")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(path: Path) -> dict:
    """{"files": {relative: sha256}, "modules": {"enabled": [...], "added": [...]}}; the first
    installers wrote the files' table alone."""
    if not path.exists():
        return {"files": {}, "modules": {"enabled": [], "added": []}}
    data = json.loads(path.read_text())
    if "files" not in data:
        data = {"files": data}
    data.setdefault("modules", {"enabled": [], "added": []})
    return data


def install(files: dict[str, str], conf_dir: Path, force: bool = False) -> list[Change]:
    manifest_path = conf_dir / MANIFEST
    data = _read_manifest(manifest_path)
    manifest: dict[str, str] = data["files"]
    changes = []
    for relative, text in sorted(files.items()):
        target = conf_dir / relative
        data_bytes = text.encode("utf-8")
        if target.exists():
            current = target.read_bytes()
            if current == data_bytes:
                manifest[relative] = _digest(data_bytes)
                changes.append(Change(relative, "unchanged"))
                continue
            ours = manifest.get(relative) == _digest(current)
            if not ours and not force:
                changes.append(Change(relative, "refused"))
                continue
            action = "updated"
        else:
            action = "created"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_rendered(target, relative, data_bytes)
        manifest[relative] = _digest(data_bytes)
        changes.append(Change(relative, action))
    changes += _enable_modules(files, conf_dir, data["modules"])
    manifest_path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return changes


def _enable_modules(files: dict[str, str], conf_dir: Path, record: dict) -> list[Change]:
    """Load every module the hotline needs: the smallest edit of modules.conf.xml."""
    needed = list(needed_modules(files, tree_globals(conf_dir)))
    target = conf_dir / MODULES_CONF
    if not target.exists():
        return [Change(MODULES_CONF, "missing", "FreeSWITCH loads no module without it; "
                       "load these: " + ", ".join(needed))]
    try:
        edit = enable_modules(target.read_bytes().decode("utf-8"), needed)
    except (ModulesConfError, UnicodeDecodeError) as exc:
        return [Change(MODULES_CONF, "refused", f"{exc}; load these by hand: "
                       + ", ".join(needed))]
    if not edit.enabled and not edit.added:
        return [Change(MODULES_CONF, "unchanged", "loads " + ", ".join(needed))]
    target.write_bytes(edit.text.encode("utf-8"))  # same file, same mode: only the text
    for key, names in (("enabled", edit.enabled), ("added", edit.added)):
        record[key] = sorted(set(record.get(key, [])) | set(names))
    changes = [Change(MODULES_CONF, "enabled", f"{m}: was commented out", m)
               for m in edit.enabled]
    changes += [Change(MODULES_CONF, "added", f"<load module=\"{m}\"/>", m) for m in edit.added]
    return changes


def write_rendered(target: Path, relative: str, data: bytes) -> None:
    """One rendered file: a secret one (SECRET_FILES) 0640 from its first byte."""
    if relative in SECRET_FILES:
        _write_private(target, data)
    else:
        target.write_bytes(data)


def _write_private(target: Path, data: bytes) -> None:
    """Created 0640 before a byte is written (an existing file narrowed first), whatever the
    umask: a secret is never readable by others in between."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o640)
    os.fchmod(fd, 0o640)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
