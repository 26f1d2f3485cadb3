"""`callcenter web serve` as its own process over TLS, as in production, for the web tests: a
database made ready for it, an API key, an HTTPS client that trusts exactly its
certificate, and a form session (cookie and CSRF token) for the public pages."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import re
import secrets
import ssl
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

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


@dataclass
class FormSession:
    """A browser's visit without a browser, for the public forms: the session cookie kept
    from answer to answer, a form's CSRF token read from its page, and the Referer a browser
    sends (CSRF checks it on TLS)."""

    server: WebServer
    cookie: str = ""

    def get(self, path: str) -> Answer:
        return self._send("GET", path, None)

    def submit(self, path: str, values: Mapping[str, str | list[str]], *,
               token: bool = True) -> Answer:
        """The form at `path` sent with `values` (a list: a field ticked several times),
        after its page was loaded for the token (or without one: `token=False`)."""
        page = self.get(path)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found is not None, page.text[:500]
        fields = {**({"csrf_token": found.group(1)} if token else {}), **values}
        return self._send("POST", path, urlencode(fields, doseq=True), {
            "Content-Type": "application/x-www-form-urlencoded"})

    def follow(self, answer: Answer) -> Answer:
        """Where a 303 sends the browser."""
        assert answer.status in (302, 303), (answer.status, answer.text[:500])
        return self.get(urlsplit(answer.headers["location"]).path)

    def _send(self, method: str, path: str, body: str | None,
              headers: dict[str, str] | None = None) -> Answer:
        sent = {"Referer": self.server.url + path, **(headers or {})}
        if self.cookie:
            sent["Cookie"] = self.cookie
        answer = self.server.request(method, path, body, sent)
        given = answer.headers.get("set-cookie")
        if given:
            self.cookie = given.split(";")[0]
        return answer
