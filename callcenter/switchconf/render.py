"""Render switch_conf/templates with the topics and the site's settings (Jinja2, XML-escaped):
what `callcenter switch-conf install` puts into a FreeSWITCH configuration tree."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.config import Settings
from callcenter.switchconf.prompts import Prompts, load_prompts
from db.agents import callcenter_name
from db.errors import DataError
from db.models import Agent
from db.topics import TopicSpec, read_topics_file

# The repository's switch_conf/ (CALLCENTER_SWITCH_CONF overrides it, for an installed copy).
SWITCH_CONF = Path(os.environ.get("CALLCENTER_SWITCH_CONF",
                                  Path(__file__).resolve().parents[2] / "switch_conf"))
TEMPLATES = SWITCH_CONF / "templates"
PROMPTS_FILE = SWITCH_CONF / "prompts.toml"
TOPICS_FILE = Path(__file__).resolve().parents[2] / "db" / "seed" / "topics.toml"
STOCK_PASSWORD = "ClueCon"  # noqa: S105 — FreeSWITCH's stock password, named to be refused
# [site] hold_music = "tone": a 425 Hz beep of 200 ms every 3 s, repeated for as long as the
# caller waits (`;loops=-1`).
# FreeSWITCH: src/mod/formats/mod_tone_stream/mod_tone_stream.c tone_stream_file_open ";loops="
# FreeSWITCH: libs/libteletone/src/libteletone_generate.c teletone_run "%(on,off,freq)"
# FIDELITY: guess — that callers take a soft periodic beep for "still waiting", not a ring.
HOLD_TONE = "tone_stream://%(200,2800,425);loops=-1"


@dataclass(frozen=True)
class AgentPhone:
    """A directory user: an agent's SIP phone."""

    extension: str
    full_name: str
    a1_hash: str
    callcenter_name: str


def agent_phones(session: Session, domain: str) -> list[AgentPhone]:
    """The active agents that have a SIP extension and a password (agent sip-password)."""
    agents = session.scalars(select(Agent).where(
        Agent.active, Agent.sip_extension.is_not(None), Agent.sip_a1_hash.is_not(None))
        .order_by(Agent.sip_extension))
    return [AgentPhone(a.sip_extension or "", a.full_name, a.sip_a1_hash or "",
                       callcenter_name(a, domain)) for a in agents]


def hotline_regex(numbers: list[str]) -> str:
    """^(1022|02901022|\\+842901022)$: the dialled forms of the hotline, for the dialplan."""
    return "^(" + "|".join(re.escape(n) for n in numbers) + ")$"


def build_context(settings: Settings, topics: list[TopicSpec], prompts: Prompts,
                  agents: Sequence[AgentPhone] = ()) -> dict[str, Any]:
    """Everything the templates read. Refuses a configuration that must not reach a switch."""
    password = settings.switch.password.get_secret_value() if settings.switch.password else ""
    if not password or password == STOCK_PASSWORD:
        raise DataError("set [switch] password (or CALLCENTER_SWITCH__PASSWORD): the event "
                        "socket must not use the stock password")
    active = [t for t in topics if t.active]
    default = settings.ivr.default_topic
    if default not in {t.key for t in active}:
        raise DataError(f"[ivr] default_topic {default!r} is not an active topic")
    for topic in active:
        sound = topic.queue_settings.announce_sound
        if sound and sound not in prompts.texts:
            raise DataError(f"topic {topic.key}: announce_sound {sound!r} is not a prompt")
    return {
        "site": settings.site,
        "trunk": {**settings.trunk.model_dump(), "register": settings.trunk.registration,
                  "password": settings.trunk.password.get_secret_value()},
        "routing": settings.routing,
        "esl": {"listen_ip": settings.switch.host, "listen_port": settings.switch.port,
                "password": password, "acl": settings.switch.acl},
        "ivr": {"address": f"{settings.ivr.listen_host}:{settings.ivr.listen_port}",
                "timeout_ms": settings.ivr.digit_timeout_ms, "max_tries": settings.ivr.max_tries},
        "hotline_regex": hotline_regex(settings.site.hotline_numbers),
        "topics": [_topic(t, prompts, hold_music(settings)) for t in active],
        "default_topic": default,
        "prompts": prompts,
        "agents": list(agents),
        "cdr": {"spool_dir": str(settings.cdr.spool_dir)},
    }


def hold_music(settings: Settings) -> str:
    """What the queues play to waiting callers: [site] hold_music ("tone": HOLD_TONE)."""
    value = settings.site.hold_music.strip()
    return HOLD_TONE if value == "tone" else value


def _topic(topic: TopicSpec, prompts: Prompts, site_hold_music: str) -> dict[str, Any]:
    queue = topic.queue_settings
    default = type(queue).model_fields["moh_sound"].default
    return {
        "key": topic.key, "menu_key": topic.menu_key, "queue": topic.queue,
        "name_vi": topic.name_vi, **queue.model_dump(),
        "moh_sound": site_hold_music if queue.moh_sound == default else queue.moh_sound,
        "announce_sound": prompts.file[queue.announce_sound] if queue.announce_sound else None,
    }


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def render(context: dict[str, Any]) -> dict[str, str]:
    """relative path → rendered text, for every template."""
    env = environment()
    out = {}
    for template in sorted(env.list_templates()):
        if template.endswith("hotline_agents.xml") and not context["agents"]:
            continue  # no directory file until the agents have SIP credentials
        out[template] = env.get_template(template).render(**context)
    return out


def render_site(settings: Settings, topics_file: Path = TOPICS_FILE,
                agents: Sequence[AgentPhone] = ()) -> tuple[dict[str, str], Prompts]:
    topics = read_topics_file(topics_file).topic
    prompts = load_prompts(PROMPTS_FILE, topics)
    return render(build_context(settings, topics, prompts, agents)), prompts
