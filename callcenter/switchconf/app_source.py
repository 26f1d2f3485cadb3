"""The dialplan applications and api commands FreeSWITCH registers, read from its C sources:
every `SWITCH_ADD_APP(iface, "name", …)` and `SWITCH_ADD_API(iface, "name", …)` under `src/`,
attributed to the module whose folder holds the file (`src/mod/<kind>/<mod_x>/…` → `mod_x`;
`src/*.c` → `core`, always loaded). The source is read, never built.

FreeSWITCH: src/include/switch_loadable_module.h SWITCH_ADD_APP / SWITCH_ADD_API (the macros
that add an application or api to a module's interface; the name is the second argument).

Used by `scripts/freeswitch-applications` to write switch_conf/applications.toml."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_ADD = re.compile(r"\bSWITCH_ADD_(APP|API)\s*\(\s*\w+\s*,\s*(\"(?:[^\"\\]|\\.)*\"|\w+)\s*,")
_SUFFIXES = (".c", ".cpp", ".h")


@dataclass
class Registrations:
    """module → names, in source order, for applications and apis."""

    applications: dict[str, list[str]] = field(default_factory=dict)
    apis: dict[str, list[str]] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)  # "file: identifier"


def module_of(path: str) -> str | None:
    """src/mod/applications/mod_dptools/mod_dptools.c → mod_dptools; src/switch_msrp.c →
    core; anything else (libs/, tests) → None."""
    parts = path.split("/")
    if len(parts) >= 4 and parts[0] == "src" and parts[1] == "mod":
        return parts[3]
    if len(parts) == 2 and parts[0] == "src":
        return "core"
    return None


def _constants(text: str) -> dict[str, str]:
    """`const char *name = "value";` and `#define NAME "value"`: how a module names an
    application through an identifier (mod_conference's mod_conference_app_name)."""
    found = dict(re.findall(r"\b(\w+)\s*(?:\[\s*\])?\s*=\s*\"([^\"]+)\"\s*;", text))
    found.update(re.findall(r"#define\s+(\w+)\s+\"([^\"]+)\"", text))
    return found


def scan(files: Iterable[tuple[str, str]]) -> Registrations:
    """Registrations from (path, text) pairs of a FreeSWITCH source tree."""
    by_module: dict[str, list[tuple[str, str]]] = {}
    for path, text in files:
        module = module_of(path)
        if module is not None and path.endswith(_SUFFIXES):
            by_module.setdefault(module, []).append((path, _COMMENT.sub(" ", text)))
    out = Registrations()
    for module in sorted(by_module):
        sources = sorted(by_module[module])
        constants: dict[str, str] = {}
        for _path, text in sources:
            constants.update(_constants(text))
        for path, text in sources:
            for kind, name in _ADD.findall(text):
                if name.startswith('"'):
                    value: str | None = name[1:-1]
                else:
                    value = constants.get(name)
                if value is None:
                    out.unresolved.append(f"{path}: {name}")
                    continue
                table = out.applications if kind == "APP" else out.apis
                names = table.setdefault(module, [])
                if value not in names:
                    names.append(value)
    return out


def checkout_files(root: Path) -> Iterator[tuple[str, str]]:
    """(path, text) of the C sources of a FreeSWITCH checkout."""
    for path in sorted((root / "src").rglob("*")):
        if path.suffix in _SUFFIXES and path.is_file():
            yield (path.relative_to(root).as_posix(),
                   path.read_text(encoding="utf-8", errors="replace"))


def git_files(git_dir: Path, ref: str) -> Iterator[tuple[str, str]]:
    """(path, text) of the C sources of a FreeSWITCH git repository at `ref`, without a work
    tree (one `git cat-file --batch` for all the blobs)."""
    listing = subprocess.run(["git", "-C", str(git_dir), "ls-tree", "-r", ref, "--", "src"],  # noqa: S603, S607 — a fixed argument list, no shell; a tool found on PATH, as its docs say to run it
                             check=True, capture_output=True, text=True).stdout
    blobs = []
    for line in listing.splitlines():
        meta, _, path = line.partition("\t")
        if meta.split()[1] == "blob" and path.endswith(_SUFFIXES):
            blobs.append((path, meta.split()[2]))
    batch = subprocess.run(["git", "-C", str(git_dir), "cat-file", "--batch"],  # noqa: S603, S607 — a fixed argument list, no shell; a tool found on PATH, as its docs say to run it
                           input="".join(f"{sha}\n" for _, sha in blobs).encode(),
                           check=True, capture_output=True).stdout
    offset = 0
    for path, _sha in blobs:
        header_end = batch.index(b"\n", offset)
        header = batch[offset:header_end].split()
        if header[-1] == b"missing":  # not in this (partial) clone
            offset = header_end + 1
            continue
        size = int(header[2])
        body = batch[header_end + 1:header_end + 1 + size]
        offset = header_end + 1 + size + 1
        yield path, body.decode("utf-8", errors="replace")


def resolve_commit(git_dir: Path, ref: str) -> str:
    return subprocess.run(["git", "-C", str(git_dir), "rev-parse", f"{ref}^{{commit}}"],  # noqa: S603, S607 — a fixed argument list, no shell; a tool found on PATH, as its docs say to run it
                          check=True, capture_output=True, text=True).stdout.strip()


@dataclass(frozen=True)
class Source:
    """One version of FreeSWITCH read: its label (v1.10.12, master), commit and registrations."""

    label: str
    commit: str
    registrations: Registrations


def _names(names: list[str], indent: str = "    ", width: int = 96) -> list[str]:
    lines, line = [], indent
    for name in names:
        item = f'"{name}", '
        if len(line) + len(item) > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += item
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _union(tables: list[dict[str, list[str]]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for table in tables:
        for module, names in table.items():
            have = merged.setdefault(module, [])
            have.extend(n for n in names if n not in have)
    return dict(sorted(merged.items()))


def to_toml(sources: list[Source], command: str) -> str:
    """switch_conf/applications.toml: module → names, the union over the versions read, and
    which names only some versions register."""
    out = ["# Dialplan applications (SWITCH_ADD_APP) and api commands (SWITCH_ADD_API) that "
           "FreeSWITCH registers,",
           "# by module (the folder under src/mod/; `core` = src/*.c, always loaded): the union "
           "over the versions",
           "# below. GENERATED by scripts/freeswitch-applications from FreeSWITCH's source "
           "(read, not built):",
           f"#   {command}",
           "# Do not edit by hand; run it again on a newer source. Read by "
           "callcenter/switchconf/check.py (rule",
           "# `application`) and callcenter/switchconf/modules.py (which module a used "
           "application needs).",
           *[f"# Named at run time, not in the source ({s.label}): {item}"
             for s in sources for item in s.registrations.unresolved],
           "", "[source]", 'repository = "signalwire/freeswitch"',
           f'produced_by = "{command}"', "", "[source.commits]"]
    out += [f'"{s.label}" = "{s.commit}"' for s in sources]
    for title, attr in (("modules", "applications"), ("apis", "apis")):
        tables = [getattr(s.registrations, attr) for s in sources]
        merged = _union(tables)
        out += ["", f"[{title}]"]
        for module, names in merged.items():
            out.append(f"{module} = [")
            out += _names(names)
            out.append("]")
        for source, table in zip(sources, tables, strict=True):
            missing = {m: [n for n in names if n not in table.get(m, [])]
                       for m, names in merged.items()}
            missing = {m: names for m, names in missing.items() if names}
            if missing and len(sources) > 1:
                out += ["", f'[absent_in."{source.label}".{title}]  # not registered there']
                for module, names in missing.items():
                    out.append(f"{module} = [")
                    out += _names(names)
                    out.append("]")
    return "\n".join(out) + "\n"
