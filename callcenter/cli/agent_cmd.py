"""`callcenter agent`: accounts of nurses, health staff, clerks, leads and admins."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.orm import Session

from callcenter.cli.context import database, settings
from db.agents import (
    SWITCH_LIMITS,
    NewAgent,
    QueueMembership,
    add_agent,
    callcenter_name,
    get_agent,
    list_agents,
    parse_membership,
    phone_status,
    queue_mismatches,
    set_active,
    set_password,
    set_queues,
    set_sip_password,
    set_switch_settings,
    switch_setting_problem,
    switch_settings,
)
from db.audit import command_line_actor, record
from db.errors import DataError
from db.models import PHONE_STATUSES, ROLES

# `agent switch-settings` options → the agent's mod_callcenter parameters (db.agents)
SWITCH_OPTIONS = (
    ("--max-no-answer", "max_no_answer", "N"),
    ("--wrap-up-time", "wrap_up_time", "SECONDS"),
    ("--reject-delay", "reject_delay_time", "SECONDS"),
    ("--busy-delay", "busy_delay_time", "SECONDS"),
    ("--no-answer-delay", "no_answer_delay_time", "SECONDS"),
)
FORCE_HELP = "put the agent on the topics even if their agency does not answer them"


def register(commands: argparse._SubParsersAction) -> None:
    agent = commands.add_parser("agent", help="agent accounts and their queues")
    sub = agent.add_subparsers(dest="agent_command", required=True, metavar="ACTION")
    p = sub.add_parser("add", help="create an agent (the password is asked, or read from stdin)")
    p.add_argument("username")
    p.add_argument("--name", required=True, help="full name, as shown to colleagues")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--agency", help="agency code (see db/seed/topics.toml)")
    p.add_argument("--extension", help="SIP extension of the agent's phone")
    p.add_argument("--contact", help="dial string, if not user/<extension>@<domain>")
    p.add_argument("--queues", nargs="*", default=[], metavar="TOPIC[:LEVEL[:POSITION]]")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    _password_options(p)
    p.set_defaults(handler=add)
    p = sub.add_parser("list", help="list agents with their queues")
    p.set_defaults(handler=list_cmd)
    p = sub.add_parser("passwd", help="set an agent's password")
    p.add_argument("username")
    _password_options(p)
    p.set_defaults(handler=passwd)
    for name, active in (("disable", False), ("enable", True)):
        p = sub.add_parser(name, help=f"{name} an agent's account (history is kept)")
        p.add_argument("username")
        p.set_defaults(handler=lambda args, active=active: activate(args, active))
    p = sub.add_parser("sip-password", help="give the agent's SIP phone a new password "
                                            "(printed once; only its A1 hash is kept)")
    p.add_argument("username")
    p.set_defaults(handler=sip_password)
    p = sub.add_parser("set-queues", help="set the topics an agent answers (replaces all)")
    p.add_argument("username")
    p.add_argument("queues", nargs="*", metavar="TOPIC[:LEVEL[:POSITION]]")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.set_defaults(handler=queues)
    p = sub.add_parser(
        "switch-settings", help="show or change an agent's settings on mod_callcenter",
        description="With no option, show the agent's mod_callcenter settings; with options, "
                    "change them. The running daemon pushes changes to the switch within "
                    "[switch] agent_sync_seconds.")
    p.add_argument("username")
    for option, key, metavar in SWITCH_OPTIONS:
        low, high, meaning = SWITCH_LIMITS[key]
        p.add_argument(option, dest=key, type=int, metavar=metavar,
                       help=f"{meaning}; {low}-{high}")
    p.add_argument("--phone-only-status", dest="phone_status", metavar="STATUS",
                   help=f"for an agent with no desktop: the status the daemon holds them in "
                        f"({', '.join(repr(s) for s in PHONE_STATUSES)}; given again, it "
                        f"is set again); 'none': the desktop sets it")
    p.set_defaults(handler=switch_settings_cmd)


def _password_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")


def read_password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise DataError("the two passwords differ")
    return first


def add(args: argparse.Namespace) -> None:
    memberships = [parse_membership(q) for q in args.queues]
    new = NewAgent(username=args.username, full_name=args.name, role=args.role,
                   password=read_password(args), agency=args.agency,
                   sip_extension=args.extension, contact=args.contact)
    with database(args) as session:
        add_agent(session, new)
        forced = []
        if memberships:
            forced = _check_queues(session, args.username, memberships, args.force)
            set_queues(session, args.username, memberships)
        record(session, command_line_actor(), "agent.add", args.username, role=args.role,
               queues=args.queues, forced=forced)
    print(f"agent {args.username} added ({args.role})")


def _check_queues(session: Session, username: str, memberships: list[QueueMembership],
                  force: bool) -> list[str]:
    """Refuse topics the agent's agency does not answer (unless forced: then warn, and
    return them for the audit log); an agent with no agency is let through with a warning."""
    mismatches = queue_mismatches(session, username, memberships)
    refused = [m for m in mismatches if m.agency is not None]
    if refused and not force:
        raise DataError("; ".join(map(str, refused)) +
                        " — refused (--force puts them there on purpose)")
    for mismatch in mismatches:
        print(f"callcenter: warning: {mismatch}", file=sys.stderr)
    return [m.topic_key for m in refused]


def list_cmd(args: argparse.Namespace) -> None:
    with database(args) as session:
        print(f"{'username':<16} {'role':<7} {'agency':<8} {'ext':<6} {'active':<6} "
              f"queues (level:position)  name")
        for a in list_agents(session):
            tiers = ",".join(f"{t.topic.key}:{t.level}:{t.position}" for t in a.tiers) or "-"
            agency = a.agency.code if a.agency else "-"
            print(f"{a.username:<16} {a.role:<7} {agency:<8} {a.sip_extension or '-':<6} "
                  f"{'yes' if a.active else 'no':<6} {tiers}  {a.full_name}")


def passwd(args: argparse.Namespace) -> None:
    password = read_password(args)
    with database(args) as session:
        set_password(session, args.username, password)
        record(session, command_line_actor(), "agent.passwd", args.username)
    print(f"password of {args.username} changed")


def activate(args: argparse.Namespace, active: bool) -> None:
    with database(args) as session:
        set_active(session, args.username, active)
        record(session, command_line_actor(), "agent.enable" if active else "agent.disable",
               args.username)
    print(f"agent {args.username} {'enabled' if active else 'disabled'}")


def queues(args: argparse.Namespace) -> None:
    memberships = [parse_membership(q) for q in args.queues]
    with database(args) as session:
        forced = _check_queues(session, args.username, memberships, args.force)
        set_queues(session, args.username, memberships)
        record(session, command_line_actor(), "agent.set_queues", args.username,
               queues=args.queues, forced=forced)
    print(f"agent {args.username} answers: "
          f"{', '.join(m.topic_key for m in memberships) or 'nothing'}")


def sip_password(args: argparse.Namespace) -> None:
    domain = settings(args).site.domain
    with database(args) as session:
        password = set_sip_password(session, args.username, domain)
        record(session, command_line_actor(), "agent.sip_password", args.username)
    print(f"SIP password of {args.username} (domain {domain}): {password}")
    print("Give it to the agent now: it is not stored, and cannot be shown again.")


def switch_settings_cmd(args: argparse.Namespace) -> None:
    changes: dict[str, int | str | None] = {}
    problems = []
    for option, key, _ in SWITCH_OPTIONS:
        value = getattr(args, key)
        if value is not None:
            problem = switch_setting_problem(key, value)
            if problem:
                problems.append(f"{option} {value}: {problem}")
            changes[key] = value
    if args.phone_status is not None:
        try:
            changes["phone_status"] = phone_status(args.phone_status)
        except DataError as exc:
            problems.append(f"--phone-only-status: {exc}")
    if problems:
        raise DataError("; ".join(problems))
    domain = settings(args).site.domain
    with database(args) as session:
        if changes:
            changed = set_switch_settings(session, args.username, changes)
            record(session, command_line_actor(), "agent.switch_settings", args.username,
                   changes=changes)
            for key, (before, after) in changed.items():
                print(f"{args.username}: {_name(key)} {_shown(key, before)} → "
                      f"{_shown(key, after)}")
            if not changed:
                print(f"{args.username}: nothing changed" + (
                    " (the phone-only status is set again)" if changes.get("phone_status")
                    else ""))
        agent = get_agent(session, args.username)
        now = switch_settings(session, args.username)
        print(f"{callcenter_name(agent, domain)} ({agent.role}) on mod_callcenter:")
        for _, key, _ in SWITCH_OPTIONS:
            print(f"  {key:<21} {_shown(key, getattr(now, key)):<10} {SWITCH_LIMITS[key][2]}")
        print(f"  {_name('phone_status'):<21} {_shown('phone_status', now.phone_status):<10} "
              + ("held there by the daemon (the agent has no desktop)" if now.phone_status
                 else "the agent's own, set from the desktop"))
        if agent.dial_string(domain) is None or not agent.active:
            why = "is disabled" if not agent.active else "has no phone (extension or contact)"
            print(f"  (the agent {why}: mod_callcenter has them only once that changes)")


def _name(key: str) -> str:
    return "phone_only_status" if key == "phone_status" else key


def _shown(key: str, value: object) -> str:
    if key == "phone_status":
        return str(value) if value else "none"
    return f"{value}" if key == "max_no_answer" else f"{value} s"
