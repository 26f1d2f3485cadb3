"""Regenerate switch_conf/applications.toml from FreeSWITCH's source (read, not built).

    scripts/freeswitch-applications LABEL=SOURCE [LABEL=SOURCE ...] [--out FILE]

SOURCE is a FreeSWITCH checkout (a folder with src/), or GITDIR@REF to read a git repository at
a tag or commit without a work tree. For example, from a clone of signalwire/freeswitch:

    scripts/freeswitch-applications v1.10.12=/src/freeswitch@v1.10.12 \\
        master=/src/freeswitch@master
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from callcenter.switchconf.app_source import (
    Source,
    checkout_files,
    git_files,
    resolve_commit,
    scan,
    to_toml,
)
from callcenter.switchconf.modules import APPLICATIONS_FILE


def read_source(spec: str) -> Source:
    label, sep, where = spec.partition("=")
    if not sep or not label:
        raise SystemExit(f"{spec!r}: expected LABEL=SOURCE")
    if "@" in where:
        git_dir, _, ref = where.rpartition("@")
        commit = resolve_commit(Path(git_dir), ref)
        registrations = scan(git_files(Path(git_dir), commit))
    else:
        root = Path(where)
        if not (root / "src").is_dir():
            raise SystemExit(f"{root}: not a FreeSWITCH source tree (no src/)")
        commit = resolve_commit(root, "HEAD") if (root / ".git").exists() else "unknown"
        registrations = scan(checkout_files(root))
    for item in registrations.unresolved:
        print(f"{label}: name not resolved: {item}", file=sys.stderr)
    return Source(label, commit, registrations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", nargs="+", metavar="LABEL=SOURCE")
    parser.add_argument("--out", type=Path, default=APPLICATIONS_FILE)
    args = parser.parse_args(argv)
    sources = [read_source(spec) for spec in args.sources]
    command = "scripts/freeswitch-applications " + " ".join(
        f"{s.label}=<freeswitch>@{s.commit[:12]}" for s in sources)
    args.out.write_text(to_toml(sources, command), encoding="utf-8")
    for source in sources:
        apps = sum(len(v) for v in source.registrations.applications.values())
        apis = sum(len(v) for v in source.registrations.apis.values())
        print(f"{source.label} ({source.commit[:12]}): {apps} applications, {apis} apis, "
              f"{len(source.registrations.applications)} modules with applications")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
