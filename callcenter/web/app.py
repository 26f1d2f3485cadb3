"""The web application (Flask): the public declaration form, the status look-up, the patient's
home-treatment check-in and the portal's API, with what a public site needs around them — CSRF
tokens on the forms (Flask-WTF), rate limits per address, phone and API source
(Flask-Limiter), a body-size limit, security headers, and error pages that never show a stack
trace."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Flask, Response, g, render_template, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from callcenter.config import SiteSettings, WebSettings
from callcenter.web import store
from callcenter.web.wording import text
from db import declarations
from db.declarations import Form
from db.engine import transaction

log = logging.getLogger(__name__)
T = TypeVar("T")
CACHE_SECONDS = 30.0  # topics and units change rarely: read them again at most this often
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


@dataclass
class Intake:
    """What the views share: settings, the database (`db(fn, *args)` runs fn(session, *args)
    in one transaction, through `run`: inline in the patched web process, in a thread pool
    otherwise), the clock, and short-lived caches."""

    web: WebSettings
    site: SiteSettings
    sessions: sessionmaker[Session]
    run: Callable[[Callable[[], Any]], Any] = field(default=lambda fn: fn())
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _cache: dict[str, tuple[float, Any]] = field(default_factory=dict)

    def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def work() -> T:
            with transaction(self.sessions) as db_session:
                return fn(db_session, *args, **kwargs)
        result: T = self.run(work)
        return result

    def cached(self, key: str, fn: Callable[..., T], *args: Any) -> T:
        hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        value = self.db(fn, *args)
        self._cache[key] = (time.monotonic(), value)
        return value

    def form(self, topic_key: str) -> Form:
        return self.cached(f"form:{topic_key}", declarations.declaration_form, topic_key)

    def units(self, language: str) -> list[store.UnitOption]:
        word = text("former_names", language)
        return self.cached(f"units:{language}", store.unit_options, word)

    def unit_codes(self) -> frozenset[str]:
        return self.cached("unit_codes", store.unit_codes)

    def submit(self, form: Form, data: dict[str, Any], unit_typed: str | None, *,
               source: str, client: str | None, idempotency_key: str | None = None) -> Any:
        """store.submit in one transaction, run once more if it failed on a unique key (a
        resend racing its first send, a receipt code drawn twice): the second run finds what
        the first one's rival stored."""
        units = self.units(g.language) if unit_typed else []
        for attempt in range(2):
            try:
                return self.db(store.submit, form, data, unit_typed, units, self.unit_codes(),
                               source=source, now=self.now(), today=self.today(),
                               idempotency_key=idempotency_key, client=client)
            except IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone(ZoneInfo(self.site.timezone)).date()

    def local(self, when: datetime) -> str:
        return when.astimezone(ZoneInfo(self.site.timezone)).strftime("%H:%M %d/%m/%Y")


def create_app(intake: Intake) -> Flask:
    from callcenter.web import api, check_in, public

    app = Flask(__name__)
    secret = intake.web.secret_key.get_secret_value() if intake.web.secret_key else ""
    app.config.update(
        SECRET_KEY=secret or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=intake.web.max_body_bytes,
        SESSION_COOKIE_SECURE=not intake.web.allow_plain,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="hotline1022",
        WTF_CSRF_TIME_LIMIT=4 * 3600, WTF_CSRF_SSL_STRICT=not intake.web.allow_plain,
        PROPAGATE_EXCEPTIONS=False, TRAP_HTTP_EXCEPTIONS=False, DEBUG=False, TESTING=False,
        RATELIMIT_HEADERS_ENABLED=True)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["t"] = lambda key, **values: text(key, g.language, **values)
    if intake.web.proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=intake.web.proxies,  # type: ignore[method-assign]
                                x_proto=intake.web.proxies)
    csrf = CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://",
                      strategy="moving-window")
    portal = api.blueprint(intake, limiter)
    csrf.exempt(portal)  # the API is called with a key, not from a browser's session
    app.register_blueprint(public.blueprint(intake, limiter))
    app.register_blueprint(check_in.blueprint(intake, limiter))
    app.register_blueprint(portal)

    @app.before_request
    def language() -> None:
        wanted = request.args.get("lang")
        if wanted in ("vi", "en"):
            session["lang"] = wanted
        g.language = session.get("lang", intake.site.language)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"  # CSRF checks the referrer
        response.headers["Cache-Control"] = "no-store"
        if not intake.web.allow_plain:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError) -> Any:
        return _error_page(400, "error_csrf")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        if request.path.startswith(api.PREFIX):
            return api.problem(code, error.name, error.description or "")
        return _error_page(code, f"error_{code}" if f"error_{code}" in _PAGES else "error_400")

    @app.errorhandler(Exception)
    def crash(error: Exception) -> Any:
        log.exception("web: %s %s failed", request.method, request.path)
        if request.path.startswith(api.PREFIX):
            return api.problem(500, "Internal Server Error",
                               "nothing was stored; send it again (same Idempotency-Key)")
        return _error_page(500, "error_500")

    return app


_PAGES = ("error_400", "error_404", "error_405", "error_413", "error_429", "error_500")


def _error_page(code: int, key: str) -> tuple[str, int]:
    if not hasattr(g, "language"):
        g.language = "vi"
    return render_template("error.html", message=key, code=code), code
