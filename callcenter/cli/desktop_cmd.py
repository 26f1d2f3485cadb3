"""`callcenter desktop`: the agent desktop (PySide6); its options are desktop.app's."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("desktop", help="the agent desktop", add_help=False)
    p.add_argument("desktop_args", nargs=argparse.REMAINDER,
                   help="options of the desktop (callcenter desktop --help)")
    p.set_defaults(handler=desktop)


def desktop(args: argparse.Namespace) -> int:
    return run(args.desktop_args)


def run(argv: list[str]) -> int:
    from desktop.app import main

    return main(argv)
