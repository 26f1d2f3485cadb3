"""`callcenter agent`: accounts of nurses, health staff, clerks, leads and admins."""

from __future__ import annotations

import argparse
import getpass
import sys

from callcenter.cli.context import database, settings
from db.agents import (
    NewAgent,
    add_agent,
    list_agents,
    parse_membership,
    set_active,
    set_password,
    set_queues,
    set_sip_password,
)
from db.audit import command_line_actor, record
from db.errors import DataError
from db.models import ROLES


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
    p.set_defaults(handler=queues)


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
        if memberships:
            set_queues(session, args.username, memberships)
        record(session, command_line_actor(), "agent.add", args.username, role=args.role,
               queues=args.queues)
    print(f"agent {args.username} added ({args.role})")


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
        set_queues(session, args.username, memberships)
        record(session, command_line_actor(), "agent.set_queues", args.username,
               queues=args.queues)
    print(f"agent {args.username} answers: "
          f"{', '.join(m.topic_key for m in memberships) or 'nothing'}")


def sip_password(args: argparse.Namespace) -> None:
    domain = settings(args).site.domain
    with database(args) as session:
        password = set_sip_password(session, args.username, domain)
        record(session, command_line_actor(), "agent.sip_password", args.username)
    print(f"SIP password of {args.username} (domain {domain}): {password}")
    print("Give it to the agent now: it is not stored, and cannot be shown again.")
