"""`callcenter web serve` as its own process over TLS, as in production, for the web tests: a
database made ready for it, an API key, and an HTTPS client that trusts exactly its
certificate."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import secrets
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callcenter.hub.tls import make_self_signed
from callcenter.web import process
from db import migrate
from db.engine import make_engine, make_sessionmaker, transaction
from db.models import ApiSource
from db.topics import load_topics, read_topics_file
from db.units import load_units, read_units_csv

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class WebServer:
    process: subprocess.Popen[bytes]
    port: int
    ca: Path
    log: Path

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def connection(self) -> http.client.HTTPSConnection:
        context = ssl.create_default_context(cafile=str(self.ca))
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=context,
                                           timeout=10)

    def request(self, method: str, path: str, body: bytes | str | dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        headers = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body, ensure_ascii=False)
            headers.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                          response.read())
        finally:
            connection.close()

    def post_declaration(self, key: str | None, declaration: dict[str, Any],
                         idempotency_key: str | None = None, topic: str = "f0_home_care"
                         ) -> Answer:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return self.request("POST", "/api/v1/declarations",
                            {"topic": topic, "declaration": declaration}, headers)


def prepare_database(url: str) -> None:
    """The newest schema, the shipped topics and units."""
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            load_topics(session, read_topics_file(ROOT / "db" / "seed" / "topics.toml"))
            load_units(session, read_units_csv(ROOT / "db" / "seed" / "ca_mau_units_2025.csv"))
    finally:
        engine.dispose()


def api_key(url: str, source: str) -> str:
    """A new source with a new key, as `callcenter web key add` makes them."""
    key = "hk_" + secrets.token_urlsafe(32)
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            session.add(ApiSource(name=source,
                                  key_sha256=hashlib.sha256(key.encode()).hexdigest()))
    finally:
        engine.dispose()
    return key


@contextlib.contextmanager
def running_web(folder: Path, db_url: str, **web: Any) -> Iterator[WebServer]:
    """The web process on a free port, with `web` as its [web] settings."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "web.crt", folder / "web.key"
    if not cert.exists():
        make_self_signed(cert, key, ["127.0.0.1", "localhost"])
    with process.running(folder, db_url, cert, key, **web) as started:
        yield WebServer(started.process, started.port, cert, started.log)
