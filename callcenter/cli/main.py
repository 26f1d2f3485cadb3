"""`callcenter`: one entry point, one subcommand per area (run, db, agent, topic, config)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from callcenter.cli import (
    agent_cmd,
    db_cmd,
    demo_cmd,
    desktop_cmd,
    report_cmd,
    run_cmd,
    simulate_cmd,
    switchconf_cmd,
    tls_cmd,
    topic_cmd,
    web_cmd,
)
from callcenter.config import ConfigError
from db.errors import DataError

AREAS = (run_cmd, demo_cmd, desktop_cmd, db_cmd, agent_cmd, topic_cmd, simulate_cmd, switchconf_cmd,
         tls_cmd, web_cmd, report_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callcenter", description="Hotline 1022: FreeSWITCH contact-center daemon and tools.")
    parser.add_argument(
        "--config", type=Path, metavar="FILE",
        help="configuration file (default: $CALLCENTER_CONFIG or ./callcenter.toml)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for area in AREAS:
        area.register(commands)
    return parser


def config_first(argv: list[str]) -> list[str]:
    """`--config FILE` anywhere (`callcenter switch-conf install --config F`, as the scripts
    pass their arguments on) means what it means before the command."""
    rest, config = [], []
    words = iter(argv)
    for word in words:
        if word == "--config":
            value = next(words, None)  # none: argparse says the value is missing
            config = [word] if value is None else [word, value]
        elif word.startswith("--config="):
            config = [word]
        else:
            rest.append(word)
    return config + rest


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["desktop"]:  # its options belong to the desktop (argparse would eat them)
        return desktop_cmd.run(argv[1:])
    parser = build_parser()
    args = parser.parse_args(config_first(argv))
    try:
        return int(args.handler(args) or 0)
    except (ConfigError, DataError) as exc:
        print(f"callcenter: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
