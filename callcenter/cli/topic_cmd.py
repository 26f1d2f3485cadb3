"""`callcenter topic`: topics of the menu, as data."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import select

from callcenter.cli.context import database
from db.audit import command_line_actor, record
from db.models import Topic
from db.topics import load_topics, read_topics_file


def register(commands: argparse._SubParsersAction) -> None:
    topic = commands.add_parser("topic", help="menu topics, queues and case forms")
    sub = topic.add_subparsers(dest="topic_command", required=True, metavar="ACTION")
    p = sub.add_parser("load", help="load or update topics and agencies from a TOML file")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=load)
    p = sub.add_parser("list", help="list the topics")
    p.set_defaults(handler=list_topics)


def load(args: argparse.Namespace) -> None:
    spec = read_topics_file(args.file)
    with database(args) as session:
        changes = load_topics(session, spec)
        record(session, command_line_actor(), "topic.load", str(args.file), changes=changes)
        others = session.scalars(select(Topic.key).where(
            Topic.key.not_in([t.key for t in spec.topic]))).all()
    for line in changes:
        print(line)
    for key in others:
        print(f"topic {key}: not in {args.file}, left as it is")
    print(f"{len(spec.topic)} topics read, {len(changes)} changes")


def list_topics(args: argparse.Namespace) -> None:
    with database(args) as session:
        topics = session.scalars(select(Topic).order_by(Topic.menu_key, Topic.key)).all()
        print(f"{'key':<3} {'topic':<18} {'queue':<30} {'SL s':>5} {'ACW s':>5}  name")
        for t in topics:
            state = "" if t.active else "  (retired)"
            print(f"{t.menu_key or '-':<3} {t.key:<18} {t.queue:<30} "
                  f"{t.service_level_seconds:>5} {t.acw_seconds:>5}  {t.name_vi}{state}")
