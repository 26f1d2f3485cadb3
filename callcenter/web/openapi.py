"""The portal API's OpenAPI 3.1 document, made from the topics that take declarations (their
schemas are the topic's data: a new topic's form is in the document without code). Served at
/api/v1/openapi.json from the database; `callcenter web openapi` writes it from a topics file
(docs/openapi.json in the repository, kept equal to the shipped topics by a test)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from db.declarations import declaration_topics
from db.topics import TopicsFile
from rules.declaration import DeclarationRules, declaration_schema

VERSION = "1.0.0"


@dataclass(frozen=True)
class TopicDoc:
    key: str
    name_vi: str
    name_en: str
    schema: dict[str, Any]


def topics_of_database(session: Session) -> list[TopicDoc]:
    docs = []
    for topic in declaration_topics(session):
        rules = DeclarationRules.of(topic.rules)
        if rules is not None:
            docs.append(TopicDoc(topic.key, topic.name_vi, topic.name_en,
                                 declaration_schema(topic.form_schema, rules)))
    return docs


def topics_of_file(spec: TopicsFile) -> list[TopicDoc]:
    docs = []
    for topic in sorted(spec.topic, key=lambda t: t.menu_key or ""):
        rules = DeclarationRules.of(topic.rules)
        if rules is not None and topic.active:
            docs.append(TopicDoc(topic.key, topic.name_vi, topic.name_en,
                                 declaration_schema(topic.form, rules)))
    return docs


def build(topics: list[TopicDoc], server_url: str = "") -> dict[str, Any]:
    schemas: dict[str, Any] = {f"Declaration_{t.key}": t.schema for t in topics}
    refs = [{"$ref": f"#/components/schemas/Declaration_{t.key}"} for t in topics]
    schemas["DeclarationRequest"] = {
        "type": "object", "required": ["declaration"], "additionalProperties": False,
        "properties": {
            "topic": {"type": "string", "enum": [t.key for t in topics],
                      "description": "The topic declared; the site's declaration topic "
                                     "if left out. " + "; ".join(
                                         f"{t.key}: {t.name_en}" for t in topics)},
            "declaration": refs[0] if len(refs) == 1 else {"oneOf": refs},
        }}
    schemas["Receipt"] = {
        "type": "object",
        "required": ["receipt_code", "triage_level", "call_back_by", "call_emergency_now",
                     "same_person_as_earlier"],
        "properties": {
            "receipt_code": {"type": "string", "pattern": "^KB-[0-9A-Z]{4}-[0-9A-Z]{4}$",
                             "description": "What the person looks the declaration up with "
                                            "(with their phone number)."},
            "triage_level": {"type": ["string", "null"],
                             "description": "The topic's triage level (green … red)."},
            "call_back_by": {"type": "string", "format": "date-time",
                             "description": "When a nurse's call is due, by the triage."},
            "call_emergency_now": {"type": "boolean",
                                   "description": "A danger sign: tell the person to call "
                                                  "115 now."},
            "same_person_as_earlier": {"type": "boolean",
                                       "description": "Attached to the same person's "
                                                      "earlier declaration."}}}
    schemas["Problem"] = {
        "type": "object", "description": "RFC 9457 problem details.",
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"},
            "errors": {"type": "array", "items": {
                "type": "object", "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string", "enum": [
                        "required", "type", "choice", "too_small", "too_large", "too_short",
                        "too_long", "format", "unknown_field", "phone", "admin_unit",
                        "future_date"]},
                    "message": {"type": "string"}}}}}}
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    receipt = {"application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}}
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Hotline 1022 — declarations API", "version": VERSION,
                 "description": "For the province's portal: declarations of cases that a "
                                "nurse then calls back. Every declaration is checked "
                                "against its topic's schema (below), stored with its raw "
                                "payload, triaged, and owes a callback."},
        "paths": {"/api/v1/declarations": {"post": {
            "operationId": "postDeclaration",
            "summary": "Send a declaration",
            "security": [{"apiKey": []}],
            "parameters": [{
                "name": "Idempotency-Key", "in": "header", "required": False,
                "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,128}$"},
                "description": "A resend with the same key returns the first receipt and "
                               "stores nothing (header Idempotent-Replayed: true); the same "
                               "key with another body is 409."}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/DeclarationRequest"}}}},
            "responses": {
                "201": {"description": "Received (or a resend of one received).",
                        "content": receipt},
                "400": {"description": "Not a JSON object of the request's shape.",
                        "content": problem},
                "401": {"description": "No API key, or not a valid one.", "content": problem},
                "409": {"description": "The Idempotency-Key was used for another body.",
                        "content": problem},
                "413": {"description": "The body is too large.", "content": problem},
                "415": {"description": "Not application/json.", "content": problem},
                "422": {"description": "Field errors (`errors`).", "content": problem},
                "429": {"description": "Over the source's rate limit.", "content": problem},
            }}}},
        "components": {
            "schemas": schemas,
            "securitySchemes": {"apiKey": {
                "type": "http", "scheme": "bearer",
                "description": "A key made by `callcenter web key add SOURCE`."}}},
    }
    if server_url:
        document["servers"] = [{"url": server_url}]
    return document
