"""Put rendered files into a FreeSWITCH configuration tree without trampling the operator's.

A manifest (`.hotline1022-installed.json` in the tree) records what this installer wrote and the
SHA-256 it wrote. A file is replaced only if the manifest says we wrote it and nobody changed it
since; anything else (a stock file such as event_socket.conf.xml, or one of ours edited by hand)
is refused unless `force`."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".hotline1022-installed.json"
# Files holding a secret (the event socket password, the trunk's) are not world-readable.
SECRET_FILES = ("autoload_configs/00_hotline1022_vars.xml",
                "sip_profiles/external/hotline_trunk.xml")


@dataclass(frozen=True)
class Change:
    path: str
    action: str  # created | updated | unchanged | refused

    def __str__(self) -> str:
        note = {"refused": " (not written by this installer, or edited since: --force "
                           "replaces it)"}.get(self.action, "")
        return f"{self.action:<9} {self.path}{note}"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def install(files: dict[str, str], conf_dir: Path, force: bool = False) -> list[Change]:
    manifest_path = conf_dir / MANIFEST
    manifest: dict[str, str] = (json.loads(manifest_path.read_text())
                                if manifest_path.exists() else {})
    changes = []
    for relative, text in sorted(files.items()):
        target = conf_dir / relative
        data = text.encode("utf-8")
        if target.exists():
            current = target.read_bytes()
            if current == data:
                manifest[relative] = _digest(data)
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
        target.write_bytes(data)
        if relative in SECRET_FILES:
            os.chmod(target, 0o640)
        manifest[relative] = _digest(data)
        changes.append(Change(relative, action))
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return changes
