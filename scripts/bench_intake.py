"""The province portal's API, `POST /api/v1/declarations`, under concurrent load on PostgreSQL.

Two processes and the database:
1. `callcenter web serve` in a process of its own (as in production), on TLS, on a throwaway
   PostgreSQL cluster (tests/support/pg_server.py: fsync off, so a commit waits for no disk)
   migrated and loaded with the shipped topics and units, an API source `portal`, and the
   rate limits raised out of the benchmark's way;
2. this process, the portal: N greenlets (gevent), each on one kept-alive TLS connection (the
   self-signed certificate trusted), posting declarations one after another, each with its own
   phone number, name and Idempotency-Key. 5 % of the requests resend an earlier accepted
   declaration (its key and body again: it must be answered 201, `Idempotent-Replayed: true`,
   with the same receipt); one declaration in ten has two red flags (triaged red).

Level by level (concurrency N): a warm-up (TLS handshakes, the pool's connections, the caches),
then a timed window, bounded in time and in requests. latency = from the request's first byte
written to the response's body read, in this process. Then, the same connections on
`GET /api/v1/openapi.json` (its topics come from the server's cache: no database, but the
document is built and dumped per request) as the web stack's own ceiling beside the
declarations' database work. At the end, PostgreSQL is asked whether every accepted
declaration is stored exactly once, with its receipt and its callback.

The client ACKs each response at once (TCP_QUICKACK): the server sends a response's head and
body in two writes with Nagle's algorithm on, so a client that delays its ACKs, as ordinary
ones do, waits 40 ms for every body. A row at the first level (†) shows that client.

The CPU columns are cores used during the window, from /proc: the web server's process, the
`postgres` processes, this client, and the rest of the machine (on a shared machine, others'
work there slows every row). --parts times a declaration's parts inside the server and
--profile runs it under cProfile, both through wrappers this script sets (serve_instrumented):
the plain run starts `.venv/bin/callcenter … web serve` itself."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import gevent  # noqa: E402
import gevent.socket  # noqa: E402
import gevent.ssl  # noqa: E402
from bench_support.machine import machine_busy_seconds, own_seconds  # noqa: E402

SOURCE = "portal"
TOPIC = "f0_home_care"
UNIT = "32167"  # Xã Tân Thuận
POST_PATH, BASELINE_PATH = "/api/v1/declarations", "/api/v1/openapi.json"
RESEND_SHARE = 0.05
RED_FLAG_EVERY = 10  # one declaration in ten has two red flags
TIMEOUT = 30.0  # a request's socket timeout
TARGET = 300  # declarations a second on this machine
SERVER_ENV = "BENCH_INTAKE_SERVER"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- the rig: PostgreSQL, the schema and seeds, the web server ------------------------------

def prepare(url: str) -> str:
    """The schema, the shipped topics and units, and the portal's API source; its key."""
    from db import migrate
    from db.engine import make_engine, make_sessionmaker, transaction
    from db.models import ApiSource
    from db.topics import load_topics, read_topics_file
    from db.units import load_units, read_units_csv

    migrate.upgrade(url)
    engine = make_engine(url)
    key = "hk_" + secrets.token_urlsafe(32)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            load_topics(session, read_topics_file(ROOT / "db" / "seed" / "topics.toml"))
            load_units(session, read_units_csv(ROOT / "db" / "seed" / "ca_mau_units_2025.csv"))
            session.add(ApiSource(name=SOURCE,
                                  key_sha256=hashlib.sha256(key.encode()).hexdigest()))
    finally:
        engine.dispose()
    return key


def write_config(path: Path, url: str, cert: Path, key: Path, connections: int,
                 workers: int) -> None:
    """The web server's settings: TLS, any free port, every connection of the client from
    one address admitted, the rate limits far above what the benchmark sends."""
    path.write_text(f"""[database]
url = {json.dumps(url)}

[web]
listen_port = 0
tls_cert = {json.dumps(str(cert))}
tls_key = {json.dumps(str(key))}
max_connections_per_address = {connections + 16}
workers = {workers}
rate_per_source = "10000000/hour"
rate_per_phone = "1000000/hour"
rate_per_address = "100000000/hour"

[logging]
level = "INFO"
""", encoding="utf-8")


@dataclass(frozen=True)
class Server:
    port: int
    pid: int
    log: Path
    parts: Path | None  # where serve_timed writes its totals

    def snapshot(self) -> dict[str, list[float]]:
        """serve_timed's totals so far (empty if the server is not timed)."""
        if self.parts is None:
            return {}
        before = json.loads(self.parts.read_text())["dumps"][2] if self.parts.exists() else 0
        os.kill(self.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError, ValueError):
                totals: dict[str, list[float]] = json.loads(self.parts.read_text())
                if totals["dumps"][2] > before:
                    return totals
            time.sleep(0.02)
        raise SystemExit("the web server did not write its timings")


@contextlib.contextmanager
def web_server(config: Path, root: Path, look: str | None) -> Iterator[Server]:
    """`callcenter --config … web serve` until SIGTERM; with `look` ("profile" or "parts"),
    through serve_instrumented."""
    ready, log_path = root / "ready", root / "server.log"
    command = [str(ROOT / ".venv" / "bin" / "callcenter"), "--config", str(config),
               "web", "serve", "--ready-file", str(ready)]
    env = dict(os.environ)
    if look is not None:
        env[SERVER_ENV] = f"{look}:{root / 'web'}.{look}"
        command = [sys.executable, "-c", "import sys; sys.path[:0] = [sys.argv.pop(1)]; "
                   "import bench_intake; sys.exit(bench_intake.serve_instrumented())",
                   str(ROOT / "scripts"), *command[1:]]
    parts = root / "web.parts" if look == "parts" else None
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            yield Server(wait_ready(process, ready, log_path), process.pid, log_path, parts)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_ready(process: subprocess.Popen[bytes], ready: Path, log: Path) -> int:
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(FileNotFoundError, ValueError):
            return int(ready.read_text())
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the web server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def serve_instrumented() -> int:
    """`callcenter … web serve` (the arguments after -c), looked into as $BENCH_INTAKE_SERVER
    says: `profile:PATH` (cProfile) or `parts:PATH` (timers, written on SIGUSR1)."""
    mode, _, out = os.environ[SERVER_ENV].partition(":")
    return (serve_profiled if mode == "profile" else serve_timed)(Path(out))


def serve_profiled(out: Path) -> int:
    """cProfile on each thread's CPU clock: the loop's thread whole (.loop), and the thread
    pool inside its transactions (.pool: store.submit and its commit)."""
    import cProfile
    import pstats
    import threading

    from callcenter.cli.main import main
    from callcenter.web import app as web_app

    local, pool, lock = threading.local(), [], threading.Lock()
    plain = web_app.transaction

    @contextlib.contextmanager
    def profiled(sessions: Any) -> Iterator[Any]:
        if not hasattr(local, "profile"):
            local.profile = cProfile.Profile(time.thread_time)
            with lock:
                pool.append(local.profile)
        local.profile.enable()
        try:
            with plain(sessions) as session:
                yield session
        finally:
            local.profile.disable()

    web_app.transaction = profiled
    loop = cProfile.Profile(time.thread_time)  # CPU time: a wait for a socket counts nothing
    loop.enable()
    try:
        return main()
    finally:
        loop.disable()
        loop.dump_stats(out.with_suffix(".loop"))
        if pool:
            pstats.Stats(*pool).dump_stats(out.with_suffix(".pool"))


# (module, function): called through the module's attribute, so a wrapper set there is used
TIMED = (("callcenter.web.store", "submit"), ("db.declarations", "problems"),
         ("db.declarations", "schema_errors"), ("db.declarations", "callable_phone"),
         ("db.declarations", "receive"), ("db.declarations", "triage"),
         ("db.declarations", "_insert_with_receipt"), ("db.declarations", "_owe_callback"),
         ("db.audit", "record"))


def serve_timed(out: Path) -> int:
    """Each TIMED function's CPU (its thread's clock) and wall time, the transaction's commit,
    the wait for a pool thread, the SQL statements, and the loop thread's CPU: totals written
    to `out` (JSON) on SIGUSR1."""
    import threading

    from sqlalchemy import Engine, event

    from callcenter.cli.main import main

    totals: dict[str, list[float]] = {"dumps": [0.0, 0.0, 0]}
    lock = threading.Lock()

    def note(name: str, cpu: float, wall: float) -> None:
        with lock:
            entry = totals.setdefault(name, [0.0, 0.0, 0])
            entry[0], entry[1], entry[2] = entry[0] + cpu, entry[1] + wall, entry[2] + 1

    def dump() -> None:  # on the loop's thread, the main one
        note("dumps", 0.0, 0.0)
        totals["loop thread"] = [time.thread_time(), 0.0, 1]
        Path(f"{out}.tmp").write_text(json.dumps(totals))
        Path(f"{out}.tmp").replace(out)

    time_calls(note)
    event.listen(Engine, "before_cursor_execute", lambda *_: note("statements", 0.0, 0.0))
    event.listen(Engine, "commit", lambda *_: note("statements", 0.0, 0.0))
    event.listen(Engine, "connect", lambda *_: note("connections", 0.0, 0.0))
    gevent.signal_handler(signal.SIGUSR1, dump)
    return main()


def time_calls(note: Any) -> None:
    """Wrappers around the TIMED functions, the transaction and Intake.db, telling `note`
    (name, CPU seconds, wall seconds)."""
    import importlib

    from callcenter.web import app as web_app

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                note(name, time.thread_time() - cpu, time.perf_counter() - wall)
        return wrapper

    for module_name, name in TIMED:
        module = importlib.import_module(module_name)
        setattr(module, name, timed(name, getattr(module, name)))
    plain = web_app.transaction

    @contextlib.contextmanager
    def transaction(sessions: Any) -> Iterator[Any]:
        with plain(sessions) as session:
            yield session
            cpu, wall = time.thread_time(), time.perf_counter()
        note("commit", time.thread_time() - cpu, time.perf_counter() - wall)

    def db(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:  # as Intake.db, timed
        queued = time.perf_counter()

        def work() -> Any:
            note("waiting for a pool thread", 0.0, time.perf_counter() - queued)
            with transaction(self.sessions) as session:
                return fn(session, *args, **kwargs)
        try:
            return self.run(work)
        finally:
            note("Intake.db, loop to loop", 0.0, time.perf_counter() - queued)

    web_app.Intake.db = db  # type: ignore[method-assign]


# -- the client ---------------------------------------------------------------------------

class Target:
    """The server, as the portal reaches it: TLS with its certificate trusted."""

    def __init__(self, port: int, cert: Path) -> None:
        self.port = port
        # gevent's own SSLContext (gevent.ssl.create_default_context makes the standard
        # library's, whose sockets block the whole process in a read)
        self.tls = gevent.ssl.SSLContext(gevent.ssl.PROTOCOL_TLS_CLIENT)
        self.tls.load_verify_locations(cafile=str(cert))
        self.opened = 0  # TCP+TLS connections opened (keep-alive: one per worker per level)

    def connection(self) -> http.client.HTTPSConnection:
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.tls,
                                                 timeout=TIMEOUT)
        # gevent's socket, wrapped by gevent's SSL context: cooperative without monkey-patching
        connection._create_connection = self._open  # type: ignore[attr-defined]
        return connection

    def _open(self, *args: Any) -> Any:
        self.opened += 1
        return gevent.socket.create_connection(*args)


@dataclass
class Sent:
    key: str
    body: bytes
    red: bool
    receipt: str = ""  # as answered: KB-XXXX-XXXX


class Ledger:
    """The run's declarations: made up one after another (each its own phone, name and key);
    the accepted ones kept for the resends and for the check against the database."""

    def __init__(self, api_key: str) -> None:
        self.count = itertools.count()
        self.run = secrets.token_hex(3)
        self.random = random.Random(1022)
        self.today = date.today()
        self.headers = {"Authorization": f"Bearer {api_key}",
                        "Content-Type": "application/json", "Accept": "application/json"}
        self.accepted: dict[str, Sent] = {}
        self.order: list[Sent] = []  # the accepted, for random.choice
        self.unanswered: set[str] = set()  # new keys whose answer never came: maybe stored

    def next(self) -> tuple[Sent, bool]:
        """A new declaration, or (RESEND_SHARE of the time) an accepted one again."""
        if self.order and self.random.random() < RESEND_SHARE:
            return self.random.choice(self.order), True
        n = next(self.count)
        data: dict[str, Any] = {
            "full_name": f"Nguyễn Văn A {n}", "birth_year": 1940 + n % 70,
            "phone": f"091{n:07d}", "admin_unit": UNIT,
            "positive_date": (self.today - timedelta(days=2 + n % 5)).isoformat(),
            "symptoms": ["fever", "cough"] if n % 2 else ["fever"]}
        red = n % RED_FLAG_EVERY == 0
        if red:
            data["red_flags"] = ["dyspnoea", "cyanosis"]
        body = json.dumps({"topic": TOPIC, "declaration": data}, ensure_ascii=False)
        return Sent(f"bench-{self.run}-{n}", body.encode(), red), False

    def accept(self, sent: Sent, receipt: str) -> None:
        sent.receipt = receipt
        self.accepted[sent.key] = sent
        self.order.append(sent)


@dataclass
class Tally:
    """One phase's answers."""

    latencies_ms: list[float] = field(default_factory=list)
    ok: int = 0  # a new declaration accepted (201, not replayed); a GET answered 200
    replayed: int = 0  # a resend answered as one
    errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)  # the first of each kind
    seconds: float = 0.0
    cores: dict[str, float] = field(default_factory=dict)
    opened: int = 0

    def fail(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        self.samples.setdefault(kind, detail[:300])


@dataclass
class Phase:
    target: Target
    ledger: Ledger
    connections: list[http.client.HTTPSConnection | None]  # one per worker, kept across phases
    post: bool
    end: float
    budget: int  # requests left
    quickack: bool = True
    tally: Tally = field(default_factory=Tally)

    def more(self) -> bool:
        if self.budget <= 0 or time.monotonic() >= self.end:
            return False
        self.budget -= 1
        return True


def worker(phase: Phase, index: int) -> None:
    while phase.more():
        connection = phase.connections[index] or phase.target.connection()
        phase.connections[index] = connection
        sent, resend = phase.ledger.next() if phase.post else (None, False)
        started = time.perf_counter()
        try:
            status, replayed, body = exchange(connection, phase, sent)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            phase.connections[index] = None
            phase.tally.fail(type(exc).__name__, str(exc))
            if sent is not None and not resend:
                phase.ledger.unanswered.add(sent.key)
            continue
        phase.tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        judge(phase, sent, resend, status, replayed, body)


def exchange(connection: http.client.HTTPSConnection, phase: Phase, sent: Sent | None
             ) -> tuple[int, str, bytes]:
    if sent is None:
        connection.request("GET", BASELINE_PATH, headers={"Accept": "application/json"})
    else:
        connection.request("POST", POST_PATH, body=sent.body,
                           headers={**phase.ledger.headers, "Idempotency-Key": sent.key})
    if phase.quickack:
        # The server writes a response's head and body in two sends on a socket with Nagle's
        # algorithm on: the body waits for the ACK of the head, which a client delays by
        # 40 ms. ACK at once (the kernel clears this after a while: set for each response).
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    response = connection.getresponse()
    body = response.read()
    return response.status, response.getheader("Idempotent-Replayed") or "", body


def judge(phase: Phase, sent: Sent | None, resend: bool, status: int, replayed: str,
          body: bytes) -> None:
    tally = phase.tally
    expected = 200 if sent is None else 201
    if status != expected:
        tally.fail(f"HTTP {status}", body.decode(errors="replace"))
        return
    if sent is None:
        tally.ok += 1
        return
    try:
        receipt = str(json.loads(body)["receipt_code"])
    except (ValueError, KeyError, TypeError):
        tally.fail("a 201 without a receipt code", body.decode(errors="replace"))
        return
    if not resend:
        if replayed:
            tally.fail("a new key answered as replayed", receipt)
        else:
            phase.ledger.accept(sent, receipt)
            tally.ok += 1
    elif replayed != "true":
        tally.fail("a resend not answered Idempotent-Replayed: true", sent.key)
    elif receipt != sent.receipt:
        tally.fail("a resend answered another receipt", f"{sent.receipt} → {receipt}")
    else:
        tally.replayed += 1


def run_phase(target: Target, ledger: Ledger, connections: list[Any], post: bool,
              seconds: float, budget: int, server_pid: int, quickack: bool = True) -> Tally:
    phase = Phase(target, ledger, connections, post, time.monotonic() + seconds, budget,
                  quickack)
    before, opened = cpu_point(server_pid), target.opened
    workers = [gevent.spawn(worker, phase, i) for i in range(len(connections))]
    gevent.joinall(workers, timeout=seconds + 2 * TIMEOUT + 5)
    stuck = sum(1 for w in workers if not w.dead)
    if stuck:  # a socket timeout ends a request first: this would be a bench's bug
        gevent.killall(workers)
        phase.tally.fail("workers stuck past the end", str(stuck))
    after = cpu_point(server_pid)
    phase.tally.seconds = after["at"] - before["at"]
    phase.tally.cores = {name: (after[name] - before[name]) / phase.tally.seconds
                         for name in ("server", "postgres", "client", "machine")}
    phase.tally.cores["rest"] = max(0.0, phase.tally.cores.pop("machine") - sum(
        phase.tally.cores.values()))
    phase.tally.opened = target.opened - opened
    return phase.tally


# -- CPU, from /proc -----------------------------------------------------------------------

def process_seconds(stat: str, children: bool = False) -> float:
    """utime + stime (+ cutime + cstime: its children that ended) from /proc/PID/stat."""
    fields = stat.rpartition(")")[2].split()
    return sum(int(f) for f in fields[11:15 if children else 13]) / CLK_TCK


def postgres_seconds() -> float:
    """CPU seconds of the `postgres` processes: the server, its backends, and the backends
    that ended (a connection the pool closed), counted in the server's children's time."""
    total = 0.0
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            stat = stat_path.read_text()
            if stat.partition("(")[2].startswith("postgres)"):
                total += process_seconds(stat, children=True)
    return total


def reference_ms() -> float:
    """A fixed Python loop, best of 5, in ms: this virtual machine's speed varies with its
    host's load (22 to 40 ms within minutes while this bench was written), and every CPU
    time above with it: compare runs with this beside them."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        sum(range(2_000_000))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def server_seconds(server_pid: int) -> float:
    """CPU seconds of the web server: its first process and the workers it started."""
    total = 0.0
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            stat = stat_path.read_text()
            pid, ppid = int(stat.partition(" ")[0]), int(stat.rpartition(")")[2].split()[1])
            if server_pid in (pid, ppid):
                total += process_seconds(stat)
    return total


def cpu_point(server_pid: int) -> dict[str, float]:
    return {"at": time.monotonic(), "client": own_seconds(), "postgres": postgres_seconds(),
            "server": server_seconds(server_pid),
            "machine": machine_busy_seconds()}


# -- levels and the report -----------------------------------------------------------------

@dataclass
class Level:
    concurrency: int
    posted: Tally
    baseline: Tally
    warmup: Tally
    stock: Tally | None  # POSTs from a client that delays its ACKs, as ordinary ones do
    parts: dict[str, list[float]]  # the server's timers over the POST window (--parts)


def run_level(target: Target, ledger: Ledger, concurrency: int, args: argparse.Namespace,
              server: Server, stock: bool) -> Level:
    connections: list[Any] = [None] * concurrency
    server_pid = server.pid
    warmup = run_phase(target, ledger, connections, True, args.warmup, args.max_requests,
                       server_pid)
    before = server.snapshot()
    posted = run_phase(target, ledger, connections, True, args.seconds, args.max_requests,
                       server_pid)
    after = server.snapshot()
    parts = {name: [a - b for a, b in zip(value, before.get(name, [0.0, 0.0, 0]),
                                          strict=True)] for name, value in after.items()}
    delayed = run_phase(target, ledger, connections, True, args.baseline_seconds,
                        args.max_requests, server_pid, quickack=False) if stock else None
    run_phase(target, ledger, connections, False, 1.0, args.max_requests, server_pid)
    baseline = run_phase(target, ledger, connections, False, args.baseline_seconds,
                         args.max_requests, server_pid)
    for connection in connections:
        if connection is not None:
            connection.close()
    return Level(concurrency, posted, baseline, warmup, delayed, parts)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def rate(tally: Tally) -> float:
    return tally.ok / tally.seconds if tally.seconds else 0.0


def row(name: str, concurrency: int, tally: Tally, mark: str) -> str:
    lat, cores = tally.latencies_ms, tally.cores
    cpu_ms = cores["server"] * tally.seconds * 1000 / max(1, len(lat))
    return (f"{mark}{name:<6}{concurrency:>5} {len(lat):>9,} {len(lat) / tally.seconds:>8.1f} "
            f"{rate(tally):>8.1f} {percentile(lat, 0.5):>7.1f} {percentile(lat, 0.95):>7.1f} "
            f"{percentile(lat, 0.99):>7.1f} {sum(tally.errors.values()):>7} {cpu_ms:>7.2f} "
            f"{cores['server']:>6.2f} {cores['postgres']:>5.2f} {cores['client']:>6.2f} "
            f"{cores['rest']:>5.2f}")


def print_table(levels: list[Level], headline: Level, args: argparse.Namespace) -> None:
    print(f"\nPOST {POST_PATH} (declarations) and GET {BASELINE_PATH} (baseline: no "
          f"database) over TLS, one kept-alive connection per worker; {args.seconds:g} s "
          f"window after a {args.warmup:g} s warm-up (baseline {args.baseline_seconds:g} s); "
          f"{os.cpu_count()} cores; the web server in {args.workers} process(es) ([web] "
          f"workers), 4 database threads each")
    print(f"{'':1}{'what':<6}{'conc':>5} {'requests':>9} {'req/s':>8} {'decl/s':>8} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7} {'CPU ms':>7} "
          f"{'web':>6} {'pg':>5} {'client':>6} {'rest':>5}")
    for level in levels:
        mark = "*" if level is headline else " "
        print(row("POST", level.concurrency, level.posted, mark))
    for level in levels:
        print(row("GET", level.concurrency, level.baseline, " "))
    for level in levels:
        if level.stock is not None:
            print(row("POST†", level.concurrency, level.stock, " "))
    print("* the headline: the level with the most declarations a second\n"
          "decl/s: new declarations stored (201, not replayed; GET rows: 200s) a second; "
          "req/s counts the resends too\n"
          "CPU ms: the web server's CPU per request; web, pg, client, rest: cores used by the "
          "web server's\n  process, postgres, this client, the rest of the machine (work "
          "of others there slows every row)\n"
          "† the same POSTs from a client that delays its ACKs, as ordinary clients do; every "
          "other row ACKs\n  at once (TCP_QUICKACK), so as to measure the server, not the "
          "40 ms a delayed ACK holds the\n  response's body back (Nagle's algorithm on the "
          "server's socket: head and body are two writes)")
    for level in levels:
        posted = level.posted
        print(f"  {level.concurrency} workers: {posted.replayed} resends replayed; "
              f"{posted.opened + level.warmup.opened} TLS connections opened for the POSTs "
              f"(warm-up included), {level.baseline.opened} more for the GETs")
        for name, tally in (("warm-up", level.warmup), ("POST", posted),
                            ("GET", level.baseline), ("POST†", level.stock or Tally())):
            for kind, count in tally.errors.most_common():
                print(f"    {name} error: {kind} × {count}: {tally.samples[kind]}")


# -- the check in PostgreSQL ---------------------------------------------------------------

def check(url: str, ledger: Ledger, levels: list[Level]) -> bool:
    """Every accepted declaration stored exactly once, with its receipt and its callback;
    nothing stored for a resend; every resend answered as one."""
    from sqlalchemy import text

    from db.declarations import normalise_receipt
    from db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as db:
            stored = {key: (code, level) for key, code, level in db.execute(text(
                "SELECT idempotency_key, receipt_code, triage_level FROM declaration "
                "WHERE source = :source"), {"source": SOURCE})}
            twice = db.scalar(text("SELECT count(*) FROM (SELECT 1 FROM declaration "
                                   "GROUP BY source, idempotency_key HAVING count(*) > 1) d"))
            orphans = db.scalar(text(
                "SELECT count(*) FROM declaration d WHERE NOT EXISTS (SELECT 1 FROM callback c "
                "WHERE c.declaration_id = d.id OR (c.phone = d.phone AND c.topic_id = "
                "d.topic_id AND c.state IN ('open', 'dialing')))"))
            own = db.scalar(text("SELECT count(DISTINCT declaration_id) FROM callback "
                                 "WHERE reason = 'declaration'"))
            sessions = db.scalar(text("SELECT sum(sessions) FROM pg_stat_database"))
    finally:
        engine.dispose()
    accepted = ledger.accepted
    missing = [k for k in accepted if k not in stored]
    wrong = [k for k in accepted if k in stored
             and stored[k][0] != normalise_receipt(accepted[k].receipt)]
    extra = [k for k in stored if k not in accepted]
    unexplained = [k for k in extra if k not in ledger.unanswered]
    not_red = [k for k, s in accepted.items() if s.red and stored.get(k, ("", ""))[1] != "red"]
    posts = [t for lv in levels for t in (lv.warmup, lv.posted, lv.stock) if t is not None]
    resends = sum(t.replayed for t in posts)
    bad_resends = sum(n for t in posts for kind, n in t.errors.items() if "resend" in kind)
    print(f"\ncheck in PostgreSQL: {len(stored):,} declarations of source {SOURCE!r} stored, "
          f"{len(accepted):,} accepted (201, not replayed; every phase)")
    print(f"  accepted but not stored: {len(missing)}; stored with another receipt code: "
          f"{len(wrong)}; stored without a 201 the client saw: {len(extra)} "
          f"({len(unexplained)} of them not explained by a lost answer)")
    print(f"  duplicate (source, Idempotency-Key): {twice}; declarations without a callback: "
          f"{orphans} ({own:,} callbacks point at their own declaration); red-flag "
          f"declarations not triaged red: {len(not_red)}")
    print(f"  resends answered 201 + Idempotent-Replayed with the same receipt: {resends:,}; "
          f"otherwise: {bad_resends}")
    print(f"  (PostgreSQL sessions opened since its start, this check's included: {sessions:,})")
    errors = sum(sum(t.errors.values()) for t in (*posts, *(lv.baseline for lv in levels)))
    print(f"  requests not answered as expected, every phase: {errors} (their kinds above)")
    ok = not (missing or wrong or unexplained or twice or orphans or not_red or bad_resends
              or errors)
    print(f"check: {'OK' if ok else 'FAILED'}")
    return ok


def server_log_summary(log: Path) -> None:
    """Errors and tracebacks the server logged, the first few word for word."""
    lines = log.read_text(errors="replace").splitlines()
    bad = [ln for ln in lines if " ERROR " in ln or " CRITICAL " in ln or ln.startswith(
        "Traceback")]
    warnings = [ln for ln in lines if " WARNING " in ln]
    print(f"server log: {len(lines)} lines, {len(bad)} errors, {len(warnings)} warnings")
    for line in list(dict.fromkeys(bad + warnings))[:5]:
        print(f"  {line[:240]}")
    if bad or warnings:
        kept = Path(tempfile.gettempdir()) / f"bench_intake-server-{os.getpid()}.log"
        shutil.copy(log, kept)
        print(f"  (kept: {kept})")


PARTS = (("Intake.db, loop to loop", "the database call as the view waits for it"),
         ("waiting for a pool thread", "  of which waiting for a pool thread"),
         ("submit", "  store.submit"), ("problems", "    problems"),
         ("schema_errors", "      schema_errors (jsonschema)"),
         ("callable_phone", "    callable_phone (phonenumbers; in both)"),
         ("receive", "    receive"), ("triage", "      triage"),
         ("_insert_with_receipt", "      _insert_with_receipt"),
         ("_owe_callback", "      _owe_callback"), ("record", "      audit.record"),
         ("commit", "  the commit (and the session's close)"))


def print_parts(levels: list[Level]) -> None:
    """The server's timers over each POST window, per request: its threads' CPU clocks and
    the wall clock."""
    print("\nwhere the web server's time goes, per POST in the window (ms: CPU of the thread "
          "/ wall; a wall time beyond the CPU is waiting: for PostgreSQL, a lock, the GIL)")
    print(f"{'':44}" + "".join(f"{f'{lv.concurrency} workers':>18}" for lv in levels))

    posts = [max(1, len(lv.posted.latencies_ms)) for lv in levels]
    server = [lv.posted.cores["server"] * lv.posted.seconds for lv in levels]
    loop = [lv.parts["loop thread"][0] for lv in levels]
    print(f"{'the server process, CPU (/proc)':<44}" + "".join(
        f"{s * 1000 / n:>11.2f}{'':7}" for s, n in zip(server, posts, strict=True)))
    print(f"{'  its loop thread (TLS, HTTP, Flask, JSON)':<44}" + "".join(
        f"{s * 1000 / n:>11.2f}{'':7}" for s, n in zip(loop, posts, strict=True)))
    for name, label in PARTS:
        totals = [lv.parts.get(name, [0.0, 0.0, 0]) for lv in levels]
        print(f"{label:<44}" + "".join(
            f"{f'{t[0] * 1000 / n:.2f} / {t[1] * 1000 / n:.2f}':>18}"
            for t, n in zip(totals, posts, strict=True)))
    for name, label in (("statements", "SQL statements and commits, per POST"),
                        ("connections", "PostgreSQL connections opened in the window")):
        counts = [lv.parts.get(name, [0.0, 0.0, 0])[2] for lv in levels]
        per = posts if name == "statements" else [1] * len(levels)
        print(f"{label:<44}" + "".join(f"{c / n:>11.1f}{'':7}"
                                       for c, n in zip(counts, per, strict=True)))


OWN_CODE = r"/(callcenter|db|rules)/|jsonschema/validators\.py.*(__init__|iter_errors)|" \
    r"phonenumbers/phonenumberutil\.py.*\((parse|is_valid_number)\)|flask_limiter/_ext.*" \
    r"check_request_limit|orm/session\.py.*\((commit|flush)\)|ssl\.py.*\((read|write)\)|" \
    r"flask/app\.py.*full_dispatch"


def print_profile(profile: Path) -> None:
    """CPU seconds (each thread's own clock) by function: the most of their own, then the
    project's functions and a few others, with what they call."""
    import pstats

    kept = Path(tempfile.gettempdir()) / f"bench_intake-{os.getpid()}"
    for suffix, what in ((".loop", "the loop's thread (TLS, HTTP, Flask, limiter, JSON)"),
                         (".pool", "the thread pool, inside the transactions")):
        path = profile.with_suffix(suffix)
        if not path.exists():
            continue
        shutil.copy(path, kept.with_suffix(suffix))
        print(f"\nprofile of the web server, {what} (kept: {kept.with_suffix(suffix)})")
        stats = pstats.Stats(str(path))
        stats.sort_stats("tottime").print_stats(15)
        stats.sort_stats("cumulative").print_stats(OWN_CODE, 30)


# -- main ----------------------------------------------------------------------------------

def load(args: argparse.Namespace, root: Path, url: str, timings: dict[str, float]
         ) -> tuple[Ledger, list[Level], Path]:
    """The server started on the prepared database, the levels run, the server stopped: the
    ledger, the levels and the server's log."""
    from callcenter.hub.tls import make_self_signed

    started = time.monotonic()
    api_key = prepare(url)
    timings["schema, topics, units, API key"] = time.monotonic() - started
    cert, key, config = root / "web.crt", root / "web.key", root / "web.toml"
    make_self_signed(cert, key, ["127.0.0.1", "localhost"])
    write_config(config, url, cert, key, max(args.concurrency), args.workers)
    look = "profile" if args.profile else "parts" if args.parts else None
    ledger, levels = Ledger(api_key), list[Level]()
    started = time.monotonic()
    with web_server(config, root, look) as server:
        timings["web server started"] = time.monotonic() - started
        target = Target(server.port, cert)
        for concurrency in args.concurrency:
            started = time.monotonic()
            levels.append(run_level(target, ledger, concurrency, args, server,
                                    stock=not levels))
            timings[f"level {concurrency} (warm-up, POST, GET)"] = time.monotonic() - started
        started = time.monotonic()
    timings["web server stopped"] = time.monotonic() - started
    return ledger, levels, server.log


def run(args: argparse.Namespace, root: Path) -> bool:
    from tests.support.pg_server import throwaway_cluster

    timings: dict[str, float] = {}
    started = time.monotonic()
    with throwaway_cluster() as url:
        timings["PostgreSQL cluster started"] = time.monotonic() - started
        speed = [reference_ms()]
        ledger, levels, log = load(args, root, url, timings)
        speed.append(reference_ms())
        headline = max(levels, key=lambda lv: rate(lv.posted))
        print_table(levels, headline, args)
        print(f"the machine's speed: a reference loop took {speed[0]:.1f} ms before the load, "
              f"{speed[1]:.1f} ms after (22 on a quiet host; see reference_ms)")
        server_log_summary(log)
        started = time.monotonic()
        ok = check(url, ledger, levels)
        timings["check"] = time.monotonic() - started
        started = time.monotonic()
    timings["PostgreSQL stopped"] = time.monotonic() - started
    if args.parts:
        print_parts(levels)
    if args.profile:
        print_profile(root / "web.profile")
    print("\nphases: " + "; ".join(f"{name} {s:.1f} s" for name, s in timings.items()))
    posted = headline.posted
    met = "met" if rate(posted) >= TARGET else "NOT met"
    print(f"target ≥ {TARGET} declarations/s: {met} (headline: {headline.concurrency} workers)")
    p99 = percentile(posted.latencies_ms, 0.99)
    print(f"declarations/s: {rate(posted):.0f}; p99: {p99:.1f} ms")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float,
                        help="the timed window of each level's POSTs (default 20; quick: 3)")
    parser.add_argument("--concurrency",
                        help="workers (connections) of each level, in this order (default "
                             "8,32,64; quick: 8,32)")
    parser.add_argument("--warmup", type=float,
                        help="seconds before each window (default 3; quick: 1)")
    parser.add_argument("--baseline-seconds", type=float,
                        help="the GET window of each level (default: half of --seconds)")
    parser.add_argument("--max-requests", type=int, default=200_000,
                        help="a window ends after this many requests, if before its time "
                             "(default 200000)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 3 s windows, 1 s warm-ups, 8 and 32 workers")
    parser.add_argument("--profile", action="store_true",
                        help="run the server under cProfile and print where its time goes "
                             "(much slower: not numbers to quote)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="the web server's processes ([web] workers; default: one per "
                             "core)")
    parser.add_argument("--parts", action="store_true",
                        help="time the parts of a declaration in the server (CPU and wall), "
                             "with wrappers set by this script")
    args = parser.parse_args()
    quick = {"seconds": 3.0, "warmup": 1.0, "concurrency": "8,32"}
    full = {"seconds": 20.0, "warmup": 3.0, "concurrency": "8,32,64"}
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    args.baseline_seconds = args.baseline_seconds or max(2.0, args.seconds / 2)
    with tempfile.TemporaryDirectory(prefix="bench_intake-") as tmp:
        ok = run(args, Path(tmp))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
