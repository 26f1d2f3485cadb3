"""The patient's own home-treatment check-in page (`/theo-doi/<topic>`): receipt code, phone and
today's readings, made from the topic's data as the declaration form is (same widgets, errors,
CSRF, rate limits, audit), then what was recorded — with "call 115 now" for a danger sign, and
one neutral answer when the code and phone match no active follow-up, whatever the cause."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask_limiter import Limiter

from callcenter.web import check_in_form, fields
from callcenter.web.app import Intake
from callcenter.web.check_in_form import CODE_FIELD, CheckInForm, NoCheckIns, Recorded
from callcenter.web.public import form_limits
from callcenter.web.wording import field_error


def blueprint(intake: Intake, limiter: Limiter) -> Blueprint:
    bp = Blueprint("check_in", __name__)

    @bp.app_context_processor
    def links() -> dict[str, Any]:
        """`check_in_links()` for the pages linking here: read only when a page asks."""
        return {"check_in_links": lambda: intake.cached(
            "check_in_topics", check_in_form.check_in_topics)}

    @bp.route("/theo-doi/<topic>", methods=["GET", "POST"])
    @form_limits(intake, limiter)
    def check_in(topic: str) -> Any:
        form = _form_or_404(intake, topic)
        language = g.language
        items = fields.widgets(form.schema, language, form.triage_rules.get("red_flag_field"))
        if request.method == "GET":
            typed = {CODE_FIELD: request.args.get("code", "").strip()[:32]}
            return _page(form, fields.fill(items, typed, {}), {}, [])
        data = fields.read_form(form.schema, request.form)
        zone = ZoneInfo(intake.site.timezone)
        answer = intake.db(check_in_form.submit, form, data, now=intake.now(), zone=zone,
                           client=request.remote_addr)
        if isinstance(answer, Recorded):
            session["check_in"] = {
                "topic": topic, "level": answer.level, "alert": answer.alert,
                "ended": answer.ended, "escalate": answer.escalate,
                "at": intake.local(intake.now()),
                "due": intake.local(answer.due_at) if answer.due_at else ""}
            return redirect(url_for("check_in.recorded", topic=topic), code=303)
        danger = check_in_form.escalates(form, data)
        if answer is None:  # no active follow-up: the same answer for every cause
            return _page(form, fields.fill(items, data, {}), {}, [], danger=danger,
                         not_found=True), 404
        labels = {item.name: item.label for item in items}
        errors = {e.field: field_error(e, labels.get(e.field, e.field), language)
                  for e in answer}
        return _page(form, fields.fill(items, data, errors), errors, answer,
                     danger=danger), 422

    @bp.get("/theo-doi/<topic>/da-ghi")
    def recorded(topic: str) -> Any:
        done = session.get("check_in")
        if not done or done.get("topic") != topic:
            return redirect(url_for("check_in.check_in", topic=topic))
        form = _form_or_404(intake, topic)
        return render_template("check_in_done.html", done=done, topic=topic,
                               escalation=form.triage_rules.get("escalation_number", "115"))

    return bp


def _form_or_404(intake: Intake, topic: str) -> CheckInForm:
    try:
        return intake.cached(f"check_in:{topic}", check_in_form.check_in_form, topic)
    except NoCheckIns:
        abort(404)


def _page(form: CheckInForm, items: list[fields.Widget], errors: dict[str, str],
          problems: list[Any], *, danger: bool = False, not_found: bool = False) -> str:
    triage = form.triage_rules
    vitals = [{"field": f["field"], "op": f["op"], "value": f["value"]}
              for f in triage.get("vital_flags", []) if f.get("field") in form.schema.get(
                  "properties", {})]
    return render_template(
        "check_in.html", title=form.title_en if g.language == "en" else form.title,
        items=items, errors=errors, error_order=[e.field for e in problems],
        topic=form.topic_key, escalation=triage.get("escalation_number", "115"),
        vitals=json.dumps(vitals), danger=danger, not_found=not_found)
