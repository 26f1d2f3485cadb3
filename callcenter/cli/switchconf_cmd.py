"""`callcenter switch-conf`: render, install and check the FreeSWITCH configuration; prompts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from callcenter.cli.context import database, settings
from callcenter.switchconf.check import check, domain_problem
from callcenter.switchconf.hold_music import hold_music_problems
from callcenter.switchconf.install import install, write_rendered
from callcenter.switchconf.prompts import Prompts, load_prompts, render_prompts
from callcenter.switchconf.render import (
    PROMPTS_FILE,
    TOPICS_FILE,
    AgentPhone,
    agent_phones,
    render_site,
)
from db.topics import read_topics_file


def register(commands: argparse._SubParsersAction) -> None:
    conf = commands.add_parser("switch-conf", help="FreeSWITCH configuration and prompts")
    sub = conf.add_subparsers(dest="switch_conf_command", required=True, metavar="ACTION")
    p = sub.add_parser("render", help="write the rendered files into an empty folder")
    p.add_argument("--out", type=Path, required=True)
    _topics(p)
    p.set_defaults(handler=render_cmd)
    p = sub.add_parser("install", help="install into a FreeSWITCH tree (never overwrites a "
                                       "file it did not write, without --force)")
    p.add_argument("--conf-dir", type=Path, required=True, help="e.g. /etc/freeswitch")
    p.add_argument("--sounds-dir", type=Path, help="render missing prompts there too")
    p.add_argument("--force", action="store_true", help="replace files it did not write")
    _topics(p)
    p.set_defaults(handler=install_cmd)
    p = sub.add_parser("check", help="find what FreeSWITCH would reject or ignore")
    p.add_argument("conf_dir", type=Path)
    p.add_argument("--sounds-dir", type=Path, help="also check the prompt files")
    _topics(p)
    p.set_defaults(handler=check_cmd)
    p = sub.add_parser("prompts", help="render the Vietnamese prompts (espeak-ng, sox)")
    p.add_argument("--sounds-dir", type=Path, required=True)
    p.add_argument("--missing-only", action="store_true")
    _topics(p)
    p.set_defaults(handler=prompts_cmd)


def _topics(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topics", type=Path, default=TOPICS_FILE,
                        help="topics file (default: db/seed/topics.toml)")
    parser.add_argument("--agents-from-db", action="store_true",
                        help="render the agents' phones (directory) from the database")


def _rendered(args: argparse.Namespace) -> tuple[dict[str, str], Prompts]:
    config = settings(args)
    phones: list[AgentPhone] = []
    if getattr(args, "agents_from_db", False):
        with database(args) as session:
            phones = agent_phones(session, config.site.domain)
    return render_site(config, args.topics, phones)


def render_cmd(args: argparse.Namespace) -> None:
    files, _ = _rendered(args)
    for relative, text in files.items():
        target = args.out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_rendered(target, relative, text.encode("utf-8"))  # a secret's: 0640
        print(f"rendered  {relative}")


def install_cmd(args: argparse.Namespace) -> int:
    files, prompts = _rendered(args)
    changes = install(files, args.conf_dir, force=args.force)
    for change in changes:
        print(change)
    modules = [c.module for c in changes if c.module]
    if modules:  # FreeSWITCH: src/switch_loadable_module.c switch_loadable_module_init
        loads = "; ".join(f"fs_cli -x 'load {m}'" for m in modules)
        print(f"FreeSWITCH reads modules.conf.xml only when it starts: restart it, or {loads}")
    if args.sounds_dir:
        for path in render_prompts(prompts, args.sounds_dir, only_missing=True):
            print(f"prompt    {path}")
    for message in hold_music_problems(args.conf_dir, args.sounds_dir):
        print(f"warning   hold music: {message}")
    domain = domain_problem(args.conf_dir)
    if domain:
        print(f"warning   domain: {domain}")
    failed = [c for c in changes if c.failed]
    if failed:
        print(f"{len(failed)} file(s) left as they were; see above", file=sys.stderr)
        return 1
    return 0


def check_cmd(args: argparse.Namespace) -> int:
    prompts = load_prompts(PROMPTS_FILE, read_topics_file(args.topics).topic)
    problems = check(args.conf_dir, prompts, args.sounds_dir)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {args.conf_dir}")
    return 1 if problems else 0


def prompts_cmd(args: argparse.Namespace) -> None:
    prompts = load_prompts(PROMPTS_FILE, read_topics_file(args.topics).topic)
    written = render_prompts(prompts, args.sounds_dir, only_missing=args.missing_only)
    print(f"{len(written)} prompt files written under {args.sounds_dir}")
