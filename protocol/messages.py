"""The desktop hub's protocol: every JSON message between the daemon and the agent desktop.

One module for both sides (the daemon's hub and `desktop/`), pydantic models validated on
receipt. A message is one JSON object with the protocol version `v`, a `type`, and for a
request an `id` that its reply carries back. Replies to a request have the request's `type`
and `ok: true`; a refusal is an `error` with the request's `id`. Pushes from the daemon
(`snapshot`, `agent_status`, `screen_pop`, `call_ended`, `callbacks`, `lead_board`) carry
`seq`, one counter per session: a client that sees a gap asks for a new snapshot (`resume`).

Only plain JSON types cross the wire: times are ISO 8601 strings in UTC, ids are integers,
channel ids (FreeSWITCH Unique-IDs) are strings. Types are strict on receipt: `"1"`, `1.0` or
`true` is not an id, nor `1` a boolean; a row's id (or a case's version) is 1 to 2³¹ - 1, what
the database's INTEGER columns hold on PostgreSQL as on SQLite; JSON nested deeper than
MAX_DEPTH is refused before it is validated."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from protocol.base import (  # noqa: F401 - what the messages are made of, for their users
    BREAK_REASONS,
    MAX_DEPTH,
    MAX_MESSAGE_BYTES,
    MAX_ROW_ID,
    MAX_SEQ,
    VERSION,
    BreakReason,
    Count,
    Flag,
    Id,
    ProtocolError,
    RowId,
    Status,
    Text,
    _Message,
    _Request,
)
from protocol.errors import Code, ErrorCode
from protocol.monitoring import EpisodeClose, EpisodeGet, MonitoringCohort
from protocol.reports import ReportExport, ReportRun

# -- client → daemon ---------------------------------------------------------------------

class Login(_Request):
    type: Literal["login"] = "login"
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]
    client: Annotated[str, Field(max_length=100)] = ""  # "desktop 0.1.0 on host"


class Resume(_Request):
    """After a reconnect: the session's token and the last `seq` the client applied."""

    type: Literal["resume"] = "resume"
    token: Annotated[str, Field(min_length=16, max_length=128)]
    last_seq: Count


class Logout(_Request):
    """The end of a shift: the callbacks and open cases the agent holds go to `hand_to` (a
    colleague's username), or back to the pool."""

    type: Literal["logout"] = "logout"
    hand_to: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class SetStatus(_Request):
    type: Literal["set_status"] = "set_status"
    status: Status
    reason: BreakReason | None = None  # a break's reason (On Break only)


class CaseGet(_Request):
    type: Literal["case_get"] = "case_get"
    case_id: RowId


class _CaseContent(_Request):
    """What a case holds as the desktop sends it (a save, or a draft of one)."""

    topic: Id
    case_id: RowId | None = None
    call_uuid: Id | None = None
    caller_phone: Annotated[str, Field(max_length=32)] | None = None
    form: dict[str, Any] = Field(default_factory=dict)
    notes: Text | None = None


class CaseSave(_CaseContent):
    """Create (no case_id) or update (case_id + the version it was read at) a case."""

    type: Literal["case_save"] = "case_save"
    version: RowId | None = None  # versions count from 1
    status: Literal["open", "follow_up", "escalated", "closed"] = "open"
    draft_id: Id | None = None  # the desktop's local draft, so a resend is recognised


class CaseDraft(_CaseContent):
    """The form as it stands, sent with every autosave: if after-call work runs out before
    the nurse saves, the daemon saves this draft as a follow-up case."""

    type: Literal["case_draft"] = "case_draft"
    draft_id: Id


class HistorySearch(_Request):
    type: Literal["history_search"] = "history_search"
    phone: Annotated[str, Field(max_length=32)] | None = None
    case_code: Annotated[str, Field(max_length=32)] | None = None


class CallbackList(_Request):
    type: Literal["callback_list"] = "callback_list"


class CallbackDial(_Request):
    type: Literal["callback_dial"] = "callback_dial"
    callback_id: RowId


class CallHangup(_Request):
    type: Literal["call_hangup"] = "call_hangup"
    call_uuid: Id


class CallTransfer(_Request):
    """To a topic's queue, to the emergency number (115), or to a number."""

    type: Literal["call_transfer"] = "call_transfer"
    call_uuid: Id
    to: Literal["queue", "emergency", "number"]
    target: Annotated[str, Field(max_length=64)] = ""  # topic key or number


class CallHold(_Request):
    type: Literal["call_hold"] = "call_hold"
    call_uuid: Id
    hold: Flag = True


class WrapUpDone(_Request):
    """Done with the call's after-call work. With `call_uuid`, only that call's (a request
    queued while offline must not end a later call's)."""

    type: Literal["wrap_up_done"] = "wrap_up_done"
    call_uuid: Id | None = None


class AgentsOverview(_Request):
    """Leads only: their agency's agents (status, state, time in it, after-call work)."""

    type: Literal["agents_overview"] = "agents_overview"


Username = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
SupervisionMode = Literal["listen", "whisper", "barge"]
SUPERVISION_MODES: tuple[str, ...] = get_args(SupervisionMode)


class LeadSetStatus(_Request):
    """Leads only: set an agent of their agency Available, On Break (a reason) or Logged Out."""

    type: Literal["lead_set_status"] = "lead_set_status"
    agent: Username
    status: Status
    reason: BreakReason | None = None


class LeadSupervise(_Request):
    """Leads only: listen to an agent's live call from the lead's own phone, whisper to the
    agent alone, or barge in (all three hear each other). Asked again while it runs, it
    changes the mode on the lead's line."""

    type: Literal["lead_supervise"] = "lead_supervise"
    agent: Username
    mode: SupervisionMode = "listen"


class LeadSuperviseEnd(_Request):
    type: Literal["lead_supervise_end"] = "lead_supervise_end"


class LeadMoveCaller(_Request):
    """Leads only: move a waiting caller to another topic's queue."""

    type: Literal["lead_move_caller"] = "lead_move_caller"
    call_uuid: Id
    topic: Id


class LeadAudit(_Request):
    """Admins: the latest supervision acts (listen, whisper, barge, forced status, moves,
    recordings played)."""

    type: Literal["lead_audit"] = "lead_audit"
    limit: Annotated[int, Field(strict=True, ge=1, le=500)] = 100


class RecordingGet(_Request):
    """A piece of a call's recording (its bytes from `offset`), base64 in the reply's data;
    the first request (offset 0) is the playback the audit trail records."""

    type: Literal["recording_get"] = "recording_get"
    call_id: RowId
    offset: Count = 0
    length: Annotated[int, Field(strict=True, ge=1, le=128 * 1024)] = 128 * 1024


class Colleagues(_Request):
    """Who shares the agent's topics (to hand a shift's work to)."""

    type: Literal["colleagues"] = "colleagues"


class ReferralForward(_Request):
    """Forward a case (a report) to the agency responsible for it; due by the topic's rules
    unless `due_on` (a local date) says otherwise."""

    type: Literal["referral_forward"] = "referral_forward"
    case_id: RowId
    agency: Annotated[str, Field(min_length=1, max_length=32)]
    due_on: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    note: Annotated[str, Field(max_length=2000)] = ""


class ReferralList(_Request):
    """The reports forwarded to the agent's agency, and those their topics forwarded."""

    type: Literal["referral_list"] = "referral_list"


class ReferralUpdate(_Request):
    """A report's next step: in_progress and resolved (with `resolution`) by the agency,
    caller_informed by the topic's side."""

    type: Literal["referral_update"] = "referral_update"
    referral_id: RowId
    state: Literal["in_progress", "resolved", "caller_informed"]
    resolution: Annotated[str, Field(max_length=8000)] = ""


class LeadHandover(_Request):
    """Leads: the hand-over summary of their topics and agency (open red cases, overdue
    callbacks, forwarded reports due)."""

    type: Literal["lead_handover"] = "lead_handover"


Request = Annotated[Login | Resume | Logout | SetStatus | CaseGet | CaseSave | CaseDraft |
                    HistorySearch | CallbackList | CallbackDial | CallHangup | CallTransfer |
                    CallHold | WrapUpDone | AgentsOverview | LeadSetStatus | LeadSupervise |
                    LeadSuperviseEnd | LeadMoveCaller | LeadAudit | RecordingGet | Colleagues |
                    ReferralForward | ReferralList | ReferralUpdate | LeadHandover |
                    EpisodeGet | EpisodeClose | MonitoringCohort | ReportRun | ReportExport,
                    Field(discriminator="type")]
REQUEST_TYPES = frozenset(m.model_fields["type"].default for m in get_args(get_args(Request)[0]))


# -- daemon → client ---------------------------------------------------------------------

class Reply(_Message):
    """The answer to a request: its `type` and `id`, `ok`, and what it asked for."""

    type: str
    id: Id
    ok: Literal[True] = True
    data: dict[str, Any] = Field(default_factory=dict)


class Error(_Message):
    type: Literal["error"] = "error"
    id: Id | None = None
    code: Code  # protocol.errors: the hub's codes, and the desktop's own for its local errors
    message: str
    fields: list[tuple[str, str]] = Field(default_factory=list)  # (path, problem) of a form


class _Push(_Message):
    seq: int = Field(default=0, ge=0)  # numbered by the hub as it sends


class AgentView(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    username: str
    full_name: str
    role: str
    status: str
    reason: str | None = None
    state: str
    since: str | None = None  # ISO time of the last status/state change
    # How long in it when sent, by the hub's clock: a desktop counts on from there, so a PC
    # whose clock is off (or the simulator's faster one) never shows a frozen 0:00.
    for_seconds: float | None = None
    calls_today: int = 0
    topics: list[str] = Field(default_factory=list)


class CallView(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    uuid: str
    call_id: int | None = None
    caller_number: str
    caller_name: str = ""
    topic: str | None = None
    queued_at: str | None = None
    answered_at: str | None = None
    ended_at: str | None = None
    waited_seconds: float | None = None


class Snapshot(_Push):
    type: Literal["snapshot"] = "snapshot"
    agent: AgentView
    call: CallView | None = None
    screen_pop: dict[str, Any] | None = None  # the current call's pop, if one is up
    callbacks: list[dict[str, Any]] = Field(default_factory=list)
    acw_until: str | None = None  # in after-call work until then


class AgentStatus(_Push):
    type: Literal["agent_status"] = "agent_status"
    agent: AgentView


class ScreenPop(_Push):
    """On bridge-agent-start: who is calling and what we know, and the draft case."""

    type: Literal["screen_pop"] = "screen_pop"
    call: CallView
    topic: dict[str, Any]  # key, names, form schema, rules, outcomes, acw_seconds
    history: list[dict[str, Any]] = Field(default_factory=list)  # newest first
    declaration: dict[str, Any] | None = None
    open_case: dict[str, Any] | None = None
    draft: dict[str, Any] = Field(default_factory=dict)
    episode: dict[str, Any] | None = None  # the caller's home-treatment episode (a summary)


class CallEnded(_Push):
    type: Literal["call_ended"] = "call_ended"
    call_uuid: str
    hangup_cause: str | None = None
    acw_until: str | None = None


class Callbacks(_Push):
    """The open callbacks; with `changed_only`, just those changed lately (each with its
    `state`: an open one is added or replaced, any other state removes it)."""

    type: Literal["callbacks"] = "callbacks"
    callbacks: list[dict[str, Any]]
    changed_only: bool = False


class LeadBoard(_Push):
    """Leads: their board, whole (`full`, after a login, a resume or a change of what they
    may see) or what changed since the last one: rows by section (`queues` by topic, `agents`
    by username, `waiting` by member, `today` and `last_week` by "topic/quarter", `urgent`
    — declarations at an alert level whose callback is owed — by callback id) and the keys
    removed. `server_time` is now on the clock of the times it carries (the switch's): the
    desktop counts waits and talk times up from it."""

    type: Literal["lead_board"] = "lead_board"
    full: bool = False
    server_time: str
    day: str  # the site's local date of `today`
    changed: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict)
    removed: dict[str, list[str]] = Field(default_factory=dict)
    supervision: dict[str, Any] | None = None  # the lead's own listen / whisper / barge
    supervision_changed: bool = False


class Referrals(_Push):
    """Forwarded reports the agent may see; with `changed_only`, just those changed (each
    replaces the row of its id)."""

    type: Literal["referrals"] = "referrals"
    referrals: list[dict[str, Any]]
    changed_only: bool = False


Push = Annotated[Snapshot | AgentStatus | ScreenPop | CallEnded | Callbacks | LeadBoard |
                 Referrals, Field(discriminator="type")]

_requests: TypeAdapter[Any] = TypeAdapter(Request)
_pushes: TypeAdapter[Any] = TypeAdapter(Push)


def _object(raw: str | bytes) -> dict[str, Any]:
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"message over {MAX_MESSAGE_BYTES} bytes")
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"not JSON: {exc}") from None
    except RecursionError:  # nested deeper than the parser's own stack
        raise ProtocolError(ErrorCode.BAD_MESSAGE,
                            f"nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(obj, dict):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "a message is a JSON object")
    if _brackets(raw) > MAX_DEPTH and _depth(obj) > MAX_DEPTH:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"nested deeper than {MAX_DEPTH} levels")
    return obj


def _brackets(raw: str | bytes) -> int:
    """How many arrays and objects the text opens at most (counted in C: most messages have
    far fewer than MAX_DEPTH, and need no walk)."""
    if isinstance(raw, str):
        return raw.count("{") + raw.count("[")
    return raw.count(b"{") + raw.count(b"[")


def _depth(obj: Any) -> int:
    """How deep arrays and objects nest in `obj`, without recursion (stops past MAX_DEPTH)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return depth
        deepest = max(deepest, depth)
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
    return deepest


def _problems(exc: ValidationError) -> str:
    """The first problems, by field (a discriminated union puts the type first in `loc`)."""
    parts = []
    for error in exc.errors()[:5]:
        loc = [str(p) for p in error["loc"]]
        parts.append(f"{'.'.join(loc[1:]) or ''.join(loc[:1]) or 'message'}: {error['msg']}")
    return "; ".join(parts)


def parse_request(raw: str | bytes) -> Any:
    """A client's message as its Request model; ProtocolError names what is wrong."""
    obj = _object(raw)
    request_id = obj.get("id") if isinstance(obj.get("id"), str) else None
    if type(obj.get("v")) is not int or obj.get("v") != VERSION:  # not `true`, not 1.0
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"protocol version {obj.get('v')!r} is not "
                            f"{VERSION}", request_id)
    if obj.get("type") not in REQUEST_TYPES:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"unknown message type {obj.get('type')!r}",
                            request_id)
    try:
        return _requests.validate_python(obj)
    except ValidationError as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, _problems(exc), request_id) from None


def parse_server_message(raw: str | bytes) -> Reply | Error | Any:
    """The daemon's message as Reply, Error or one of the pushes (the desktop's side)."""
    obj = _object(raw)
    try:
        if obj.get("type") == "error":
            return Error.model_validate(obj)
        if obj.get("ok") is True:
            return Reply.model_validate(obj)
        return _pushes.validate_python(obj)
    except ValidationError as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, _problems(exc)) from None


def dump(message: BaseModel) -> str:
    return message.model_dump_json(exclude_none=False)
