"""`callcenter demo --headless`: the whole hotline on one machine, with no FreeSWITCH.

The simulator runs the switch_conf the operator would install (rendered into a stock tree in
a scratch folder), the daemon connects to it exactly as to a real switch, on a fresh SQLite
database with the shipped topics and units and six demo agents; simulated callers arrive and
a text wallboard shows the queues live.

The callers are sized to the staff (`demo_mix`, `staffing_outlook`): at the default rate each
topic's two agents answer most calls within the topic's service-level target and few callers
give up. A higher `--rate` needs `--staff` too."""

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import gevent
import gevent.event
from sqlalchemy import select

from callcenter.config import Settings
from callcenter.daemon import Daemon
from callcenter.hub.plugin import Hub
from callcenter.hub.tls import make_self_signed
from callcenter.sim.esl_server import EslServer
from callcenter.sim.people import CallerMix, PhoneBehaviour, Phones
from callcenter.sim.runner import Simulation, build_switch
from callcenter.sim.stock_tree import stock_tree
from callcenter.sim.traffic import Outlook, outlook
from callcenter.switchconf.install import install
from callcenter.switchconf.render import TOPICS_FILE, render_site
from callcenter.wallboard import Clock, Log, Screen, render
from callcenter.web import process as web_process
from db import migrate
from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import make_engine, make_sessionmaker, transaction
from db.models import Topic
from db.topics import load_topics, read_topics_file
from db.units import load_units, read_units_csv

log = logging.getLogger(__name__)
UNITS_FILE = TOPICS_FILE.with_name("ca_mau_units_2025.csv")
DEMO_AGENTS = (  # username, name, role, extension, topic
    ("lan", "Nguyễn Thị Lan", "nurse", "1001", "f0_home_care"),
    ("mai", "Trần Thị Mai", "nurse", "1002", "f0_home_care"),
    ("hung", "Lê Văn Hùng", "health", "1003", "epidemic_report"),
    ("thu", "Phạm Thị Thu", "health", "1004", "epidemic_report"),
    ("binh", "Võ Văn Bình", "clerk", "1005", "public_services"),
    ("ngoc", "Đặng Thị Ngọc", "clerk", "1006", "public_services"),
)


# The demo's callers (simulated seconds). Six agents, two a topic, answer 6 callers a minute
# (`callcenter demo`'s default rate): the calls are short and spread evenly over the topics
# (topic 1 also gets those who press nothing: the IVR's default topic), and callers wait a
# few minutes before they give up, so that each topic is busy about half the time and
# answers most calls within its target (staffing_outlook; tests/unit/sim/test_demo_staffing.py).
DEMO_KEYS: dict[str | None, float] = {"1": 0.30, "2": 0.33, "3": 0.33, None: 0.04}
DEMO_TALK_SECONDS = 15.0  # mean talk time
DEMO_PATIENCE_SECONDS = 180.0  # mean patience of a caller waiting in queue
DEMO_ANSWER_AFTER = 3.0  # an agent's phone rings this long before they answer
DEMO_WRAP_UP_SECONDS = 10  # mod_callcenter's wrap-up time of a simulated (phone-only) agent


@dataclass
class DemoOptions:
    rate_per_minute: float = 6.0  # simulated callers per simulated minute
    speed: float = 10.0  # simulated seconds per real second
    duration: float | None = None  # real seconds, None: until interrupted
    seed: int = 1
    every: float = 2.0  # wallboard refresh, real seconds
    log_every: float = 30.0  # not on a terminal: a wallboard block at most this often
    desktop_user: str | None = None  # this agent is left to the desktop (the others simulated)
    ready_file: Path | None = None  # written once up: hub address, certificate, credentials
    quiet: bool = False  # no wallboard (the desktop demo and the tests)
    control: bool = False  # read commands on standard input (`call NUMBER KEY [TALK]`)
    workdir: Path | None = None  # kept afterwards if given; else a scratch folder, removed
    extra_staff: int = 0  # simulated colleagues beyond the six demo agents
    lead: bool = False  # the demo lead's account (the desktop user of `demo --lead`)
    history: bool = False  # the day so far and last week's written first (callcenter.demo_history)
    patients: bool = False  # patients under home monitoring (callcenter.demo_patients)
    web: bool = True  # the public declaration form too (callcenter.web.process)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The agency that answers each topic's calls in the demo (topics.toml lists who may).
DEMO_AGENCY = {"f0_home_care": "CDC", "epidemic_report": "SYT", "public_services": "TTPVHCC"}
# The demo's team lead (an admin: the province's hotline supervisor, every agency), whose
# phone (extension 2001) rings for listen / whisper / barge.
DEMO_LEAD = ("truong", "Huỳnh Văn Trường", "admin", "2001")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
GIVEN = ("Thị Hạnh", "Văn Tài", "Thị Yến", "Minh Khoa", "Thị Diễm", "Quốc Bảo", "Thị Thảo",
         "Hoàng Phúc", "Thị Nhung", "Văn Lợi", "Ngọc Ánh", "Thanh Tùng", "Thị Kiều", "Đức Anh",
         "Thị Loan", "Văn Sơn", "Mỹ Duyên", "Tấn Phát", "Thị Huyền", "Văn Đạt")


def staff(extra: int) -> list[tuple[str, str, str, str, str]]:
    """The six demo agents and `extra` simulated colleagues, spread over the three topics."""
    topics = list(DEMO_AGENCY)
    roles = {"f0_home_care": "nurse", "epidemic_report": "health", "public_services": "clerk"}
    people = list(DEMO_AGENTS)
    for n in range(extra):
        topic = topics[n % len(topics)]
        name = f"{FAMILY[n % len(FAMILY)]} {GIVEN[n % len(GIVEN)]}"
        people.append((f"nv{n + 1:02d}", name, roles[topic], str(1101 + n), topic))
    return people


def prepare_database(url: str, extra_staff: int = 0, lead: bool = False,
                     history: bool = False, patients: bool = False) -> dict[str, str]:
    """A fresh demo database; returns each demo account's (random) password."""
    migrate.upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    passwords = {}
    with transaction(sessions) as session:
        load_topics(session, read_topics_file(TOPICS_FILE))
        load_units(session, read_units_csv(UNITS_FILE))
        for username, name, role, extension, topic in staff(extra_staff):
            passwords[username] = secrets.token_urlsafe(12)
            add_agent(session, NewAgent(username, name, role, passwords[username],
                                        agency=DEMO_AGENCY[topic], sip_extension=extension)
                      ).wrap_up_time = DEMO_WRAP_UP_SECONDS
            set_queues(session, username, [parse_membership(topic)])
        if lead:
            username, name, role, extension = DEMO_LEAD
            passwords[username] = secrets.token_urlsafe(12)
            add_agent(session, NewAgent(username, name, role, passwords[username],
                                        sip_extension=extension))
        if history:
            from callcenter.demo_history import seed_history

            seed_history(session, datetime.now(UTC), ZoneInfo(Settings().site.timezone))
        if patients:
            from callcenter.demo_patients import seed_patients

            seed_patients(session, datetime.now(UTC), ZoneInfo(Settings().site.timezone))
    return passwords


def demo_mix(rate_per_minute: float) -> CallerMix:
    """The demo's simulated callers at this rate."""
    return CallerMix(rate_per_minute=rate_per_minute, keys=dict(DEMO_KEYS),
                     mean_talk_time=DEMO_TALK_SECONDS,
                     mean_queue_patience=DEMO_PATIENCE_SECONDS)


def staffing_outlook(rate_per_minute: float = DemoOptions.rate_per_minute,
                     extra_staff: int = 0) -> dict[str, Outlook]:
    """Each active topic's expected figures (Erlang C, callcenter.sim.traffic) with the demo's
    callers at this rate and its staff, every agent simulated (the headless demo): the
    topics' menu keys and targets from the shipped topics file, the IVR's default topic for
    callers who press nothing, the demo's ring, talk and wrap-up times."""
    topics = [t for t in read_topics_file(TOPICS_FILE).topic if t.active]
    menu = {t.menu_key: t.key for t in topics if t.menu_key}
    mix = demo_mix(rate_per_minute)
    arrivals = mix.queue_arrivals(menu, Settings().ivr.default_topic)
    agents = Counter(topic for *_, topic in staff(extra_staff))
    handle = DEMO_ANSWER_AFTER + mix.mean_talk() + DEMO_WRAP_UP_SECONDS
    return {t.key: outlook(arrivals.get(t.key, 0.0), handle, agents[t.key],
                           target_seconds=t.service_level_seconds,
                           mean_patience=mix.mean_queue_patience,
                           ring_seconds=DEMO_ANSWER_AFTER) for t in topics}


def run_demo(options: DemoOptions, out: Callable[[str], object] = print,
             tty: bool | None = None) -> Daemon:
    """`out`: where the demo's lines go; `tty`: draw the wallboard in place on the terminal
    (None: when `out` is print and standard output is a terminal) rather than as blocks."""
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="hotline1022-demo-"))
    url = f"sqlite:///{workdir / 'demo.sqlite3'}"
    passwords = prepare_database(url, options.extra_staff, options.lead, options.history,
                                 options.patients)
    cert, key = workdir / "hub.crt", workdir / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1", "localhost"])
    password = secrets.token_urlsafe(16)
    conf = stock_tree(workdir)
    settings = Settings(database={"url": url}, switch={"password": password, "port": _free_port()},
                        ivr={"listen_port": _free_port()}, http={"listen_port": 0},
                        hub={"listen_port": 0, "tls_cert": cert, "tls_key": key},
                        cdr={"spool_dir": workdir / "cdr"},
                        site={"recordings_dir": conf / "recordings"})  # build_switch's
    (workdir / "cdr").mkdir(exist_ok=True)
    files, _ = render_site(settings)
    install(files, conf, force=True)
    phones = Phones(default=PhoneBehaviour(answer_after=DEMO_ANSWER_AFTER))
    sim = build_switch(Simulation(conf_dir=conf, speed=options.speed, seed=options.seed),
                       phones)
    server = EslServer(sim, "127.0.0.1", settings.switch.port, password)
    server.start()
    daemon = Daemon(settings)
    daemon.start()
    if not daemon.link.wait_connected(10):
        raise RuntimeError("the daemon could not reach the simulated switch")
    if not daemon.synced.wait(10):
        raise RuntimeError("the daemon could not load the agents into the simulated switch")
    for username, *_ in staff(options.extra_staff):  # the desktop's nurse: after-call work
        daemon.set_agent_status(username, "Available (On Demand)"
                                if username == options.desktop_user else "Available")
    web = ExitStack()
    web_url = web.enter_context(web_process.running(workdir, url, cert, key)).url \
        if options.web else None
    if options.ready_file is not None:
        _write_ready(options.ready_file, daemon, cert, options.desktop_user, passwords,
                     web_url)
    with daemon.sessions() as session:
        topics = [(t.queue, f"{t.menu_key} {t.name_vi}") for t in session.scalars(
            select(Topic).where(Topic.active).order_by(Topic.menu_key))]
    mix = demo_mix(options.rate_per_minute)
    rng = random.Random(options.seed)  # noqa: S311 — the simulated callers, not a secret
    greenlets: list[gevent.Greenlet[..., None]] = [
        gevent.spawn(_arrivals, sim, mix, rng)] if options.rate_per_minute > 0 else []
    done = gevent.event.Event()
    if options.control:
        greenlets.append(gevent.spawn(_control, sim, daemon, done))
    out(f"demo: simulated FreeSWITCH on 127.0.0.1:{settings.switch.port}, daemon IVR on "
        f"127.0.0.1:{settings.ivr.listen_port}, database {url}; {options.speed:g}× time, "
        f"{options.rate_per_minute:g} callers per simulated minute. Ctrl-C stops.")
    if web_url:
        out(f"demo: the public declaration form on {web_url} (its certificate: {cert})")
    if options.duration:
        gevent.spawn_later(options.duration, done.set)
    gevent.signal_handler(signal.SIGTERM, done.set)  # the desktop demo ends us so
    if tty is None:
        tty = out is print and sys.stdout.isatty()
    board = Screen(sys.stdout.write, sys.stdout.flush) if tty else Log(out, options.log_every)
    zone = ZoneInfo(settings.site.timezone)

    def wallboard() -> str:
        return render(daemon.state, topics, sim.now_us(), width=board.width(),
                      clock=Clock(time.time_ns() // 1000, options.speed, zone))

    try:
        while not done.wait(options.every):
            if not options.quiet:
                board.show(wallboard())
    except KeyboardInterrupt:
        pass
    finally:
        if not options.quiet:
            board.show(wallboard(), final=True)
        gevent.killall(greenlets)
        web.close()
        daemon.stop()
        server.stop()
        if sim.callcenter is not None:
            sim.callcenter.stop()
        if options.workdir is None:  # the demo's database and tree go too
            shutil.rmtree(workdir, ignore_errors=True)
    return daemon


def _write_ready(path: Path, daemon: Daemon, cert: Path, user: str | None,
                 passwords: dict[str, str], web_url: str | None) -> None:
    """What the desktop needs to log in; readable by this user only."""
    if daemon.hub is None:
        raise RuntimeError("expected daemon.hub is not None")
    host, port = daemon.hub.server.address
    ready = {"host": host, "port": port, "ca": str(cert), "username": user,
             "password": passwords.get(user or ""),
             "database": str(daemon.sessions.kw["bind"].url), "web": web_url}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(ready, out)


def _control(sim, daemon: Daemon, done: gevent.event.Event) -> None:
    """Commands on standard input, one per line: `call NUMBER KEY|- [TALK_SECONDS]` places a
    simulated call; `hub stop` / `hub start` take the desktop hub down (every desktop drops)
    and up again on the same port, the daemon running on; `clock DAYS` moves the clock of
    home-treatment plans DAYS days ahead of now (a plan's next days, tried in minutes) and
    owes what is due then; `quit` (or the end of input) stops the demo."""
    from gevent.fileobject import FileObject

    from callcenter.sim.people import Caller

    for line in FileObject(sys.stdin.fileno(), "r", close=False):
        words = line.split()
        if words[:1] == ["call"] and len(words) >= 3:
            talk = float(words[3]) if len(words) > 3 else 60.0
            sim.inbound_call(Caller(words[1], words[1], key=None if words[2] == "-" else
                                    words[2], key_delay=0.3, talk_time=talk,
                                    queue_patience=600))
        elif words[:1] == ["hub"] and daemon.hub is not None and words[1:] in (["stop"],
                                                                                ["start"]):
            (daemon.hub.stop_listening if words[1] == "stop" else daemon.hub.listen_again)()
        elif words[:1] == ["clock"] and len(words) == 2 and daemon.hub is not None:
            _move_clock(daemon.hub, float(words[1]))
        elif words[:1] == ["quit"]:
            break
        elif words:
            print(f"demo: unknown command {line.strip()!r}", file=sys.stderr)
    done.set()


def _move_clock(hub: Hub, days: float) -> None:
    """The plans' clock `days` ahead of the real one, and what falls due by then owed."""
    ahead = timedelta(days=days)
    hub.monitoring.clock = lambda: datetime.now(UTC) + ahead
    hub.monitoring.sweep()


def _arrivals(sim, mix: CallerMix, rng: random.Random) -> None:
    serial = 0
    while True:
        sim.sleep(mix.next_gap(rng))
        serial += 1
        sim.inbound_call(mix.caller(rng, serial))
