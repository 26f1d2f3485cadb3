"""The public pages: the declaration form of each topic that takes one, the receipt, and the
status look-up. Vietnamese first (`?lang=en` for English), phone-first, without JavaScript
(the danger-sign alert is CSS; a small script only adds the vital signs' thresholds)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter

from callcenter.web import fields, store
from callcenter.web.app import Intake
from callcenter.web.wording import field_error
from db import declarations
from db.declarations import NoDeclarations, Received
from rules.phone import callable_phone

UNIT_FIELD = "admin_unit"


def blueprint(intake: Intake, limiter: Limiter) -> Blueprint:
    bp = Blueprint("public", __name__)

    @bp.get("/")
    def topics() -> Any:
        listed = intake.cached("topics", _topics)
        if len(listed) == 1:
            return redirect(url_for("public.declare", topic=listed[0][0]))
        return render_template("topics.html", topics=listed)

    @bp.route("/khai-bao/<topic>", methods=["GET", "POST"])
    @form_limits(intake, limiter)
    def declare(topic: str) -> Any:
        form = _form_or_404(intake, topic)
        language = g.language
        triage = form.triage_rules
        items = fields.widgets(form.schema, language, triage.get("red_flag_field"))
        units = intake.units(language)
        if request.method == "GET":
            return _page(form, items, units, {}, [])
        data = fields.read_form(form.schema, request.form)
        typed_unit = str(data.pop(UNIT_FIELD, "") or "")
        answer = intake.submit(form, data, typed_unit or None, source="web",
                               client=request.remote_addr)
        if isinstance(answer, Received):
            session["receipt"] = {"code": answer.receipt_code, "due": intake.local(
                answer.due_at), "escalate": answer.escalate, "topic": topic}
            return redirect(url_for("public.received", topic=topic), code=303)
        labels = {item.name: item.label for item in items}
        errors = {e.field: field_error(e, labels.get(e.field, e.field), language)
                  for e in answer}
        data[UNIT_FIELD] = typed_unit
        return _page(form, fields.fill(items, data, errors), units, errors, answer), 422

    @bp.get("/khai-bao/<topic>/da-nhan")
    def received(topic: str) -> Any:
        receipt = session.get("receipt")
        if not receipt or receipt.get("topic") != topic:
            return redirect(url_for("public.declare", topic=topic))
        return render_template("receipt.html", receipt=receipt, topic=topic)

    @bp.route("/tra-cuu", methods=["GET", "POST"])
    @limiter.limit(lambda: intake.web.lookup_rate_per_address, methods=["POST"])
    def status() -> Any:
        code = (request.values.get("code") or "").strip()[:32]
        phone = (request.form.get("phone") or "").strip()[:32]
        found, asked = None, request.method == "POST"
        if asked:
            found = intake.db(declarations.status, code, phone)
        shown = None
        if found is not None:
            shown = {"state": found.state, "received": intake.local(found.received_at),
                     "due": intake.local(found.due_at) if found.due_at else ""}
        return render_template("status.html", code=code, phone=phone, asked=asked,
                               found=shown), (404 if asked and found is None else 200)

    return bp


View = Callable[..., Any]


def form_limits(intake: Intake, limiter: Limiter) -> Callable[[View], View]:
    """The public forms' limits on sending: per address, and per phone counted only on what
    was stored (a 303: a stranger's refused guesses do not lock the phone's owner out)."""
    def limited(view: View) -> View:
        per_phone = limiter.limit(lambda: intake.web.rate_per_phone, key_func=phone_key,
                                  methods=["POST"],
                                  deduct_when=lambda response: response.status_code == 303)
        return limiter.limit(lambda: intake.web.rate_per_address, methods=["POST"])(
            per_phone(view))
    return limited


def phone_key() -> str:
    """The per-phone limit's key: the phone as the nurse would dial it."""
    typed = request.form.get("phone", "")
    return "phone:" + (callable_phone(typed) or typed.strip()[:20])


def _topics(db_session: Any) -> list[tuple[str, str, str]]:
    return [(t.key, t.name_vi, t.name_en) for t in declarations.declaration_topics(db_session)]


def _form_or_404(intake: Intake, topic: str) -> declarations.Form:
    try:
        return intake.form(topic)
    except NoDeclarations:
        abort(404)


def _page(form: declarations.Form, items: list[fields.Widget],
          units: list[store.UnitOption], errors: dict[str, str], problems: list[Any]) -> str:
    triage = form.triage_rules
    vitals = [{"field": f["field"], "op": f["op"], "value": f["value"]}
              for f in triage.get("vital_flags", []) if f.get("field") in form.schema.get(
                  "properties", {})]
    title = form.rules.title_en if g.language == "en" else form.rules.title
    return render_template(
        "declare.html", title=title, items=items, units=units, errors=errors,
        error_order=[e.field for e in problems], topic=form.topic_key,
        escalation=triage.get("escalation_number", "115"),
        vitals=json.dumps(vitals))
