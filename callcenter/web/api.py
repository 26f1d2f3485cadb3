"""The province portal's API: `POST /api/v1/declarations` (JSON), with an API key per source
(`Authorization: Bearer …`), an `Idempotency-Key` (a resend makes no second declaration),
field errors as RFC 9457 problem details, `201` with the receipt code; and the OpenAPI
document at `/api/v1/openapi.json`."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import Blueprint, jsonify, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from callcenter.web import openapi, store
from callcenter.web.app import Intake
from db import declarations
from db.declarations import IdempotencyConflict, NoDeclarations, Received

PREFIX = "/api/v1"
BLUEPRINT = "api"
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,128}")  # printable ASCII, no spaces


def blueprint(intake: Intake, limiter: Limiter) -> Blueprint:
    bp = Blueprint(BLUEPRINT, __name__, url_prefix=PREFIX)

    def source_limit_key() -> str:
        token = _bearer()
        return "key:" + _sha256(token)[:24] if token else "addr:" + get_remote_address()

    @bp.post("/declarations")
    @limiter.limit(lambda: intake.web.rate_per_source, key_func=source_limit_key)
    def post_declaration() -> Any:
        token = _bearer()
        source = intake.cached(f"source:{_sha256(token)}", store.source_of_key,
                               _sha256(token)) if token else None
        if source is None:
            response = problem(401, "Unauthorized", "a valid API key is needed: "
                               "Authorization: Bearer <key>")
            response.headers["WWW-Authenticate"] = 'Bearer realm="hotline1022"'
            return response
        if not request.is_json:
            return problem(415, "Unsupported Media Type", "send application/json")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return problem(400, "Bad Request", "the body is not a JSON object")
        key = request.headers.get("Idempotency-Key")
        if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):
            return problem(400, "Bad Request",
                           "Idempotency-Key: 1 to 128 printable ASCII characters")
        topic = body.get("topic") or intake.site.declaration_topic or ""
        data = body.get("declaration")
        extra = sorted(set(body) - {"topic", "declaration"})
        if extra or not isinstance(topic, str) or data is None:
            return problem(400, "Bad Request", "the body is {\"topic\": …, \"declaration\": "
                           "{…}}" + (f"; unknown: {', '.join(extra)}" if extra else ""))
        try:
            form = intake.form(topic)
        except NoDeclarations:
            return problem(422, "Unprocessable Content", f"topic {topic!r} takes no "
                           "declarations", errors=[{"field": "topic", "code": "choice",
                                                    "message": "unknown topic"}])
        answer = _submit(intake, form, data, source, key)
        if isinstance(answer, IdempotencyConflict):
            return problem(409, "Conflict", str(answer))
        if not isinstance(answer, Received):
            return problem(422, "Unprocessable Content", "the declaration has errors",
                           errors=[{"field": e.field, "code": e.code, "message": e.message}
                                   for e in answer])
        response = jsonify({
            "receipt_code": answer.receipt_code, "triage_level": answer.triage_level,
            "call_back_by": answer.due_at.isoformat(), "call_emergency_now": answer.escalate,
            "same_person_as_earlier": answer.first_id is not None})
        response.status_code = 201
        if answer.repeated:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    @bp.get("/openapi.json")
    def document() -> Any:
        topics = intake.cached("openapi", openapi.topics_of_database)
        return jsonify(openapi.build(topics, intake.web.public_url))

    return bp


def _submit(intake: Intake, form: declarations.Form, data: Any, source: str,
            key: str | None) -> Any:
    """Received, field errors, or the Idempotency-Key's conflict."""
    try:
        return intake.submit(form, data, None, source=source, client=request.remote_addr,
                             idempotency_key=key)
    except IdempotencyConflict as exc:
        return exc


def problem(status: int, title: str, detail: str, **extra: Any) -> Any:
    """An RFC 9457 problem details response."""
    response = jsonify({"type": "about:blank", "title": title, "status": status,
                        "detail": detail, **extra})
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
