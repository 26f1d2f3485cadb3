"""What the agent reads for the hub's codes (statuses, states, break reasons, connection
states, errors): English source texts marked for translation here, translated at the moment
they are shown, so a language switch takes effect at once."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel

from desktop.i18n import QT_TRANSLATE_NOOP
from protocol.errors import ErrorCode, LocalCode

# On Break reason codes sent with set_status; the hub stores them on agent_status_log.
BREAK_REASONS = ("meal", "rest", "meeting", "training", "personal")

STATUS_COLOURS = {"Available": "#1b7f3b", "On Break": "#b26a00", "Logged Out": "#6b6b6b"}
CONNECTION_COLOURS = {"connected": "#1b7f3b", "connecting": "#b26a00",
                      "reconnecting": "#b26a00", "offline": "#c62828"}
ACTIVITY_COLOURS = {"available": "#1b7f3b", "ringing": "#1565c0", "talking": "#6a1b9a",
                    "wrap_up": "#00838f", "on_break": "#b26a00", "logged_out": "#6b6b6b"}
LEVEL_COLOURS = {"green": "#1b7f3b", "amber": "#b26a00", "red": "#c62828"}

_STATUSES = {
    "Available": QT_TRANSLATE_NOOP("Labels", "Available"),
    "On Break": QT_TRANSLATE_NOOP("Labels", "On Break"),
    "Logged Out": QT_TRANSLATE_NOOP("Labels", "Logged Out"),
}
_BREAK_REASONS = {
    "meal": QT_TRANSLATE_NOOP("Labels", "Meal break"),
    "rest": QT_TRANSLATE_NOOP("Labels", "Short rest"),
    "meeting": QT_TRANSLATE_NOOP("Labels", "Meeting"),
    "training": QT_TRANSLATE_NOOP("Labels", "Training"),
    "personal": QT_TRANSLATE_NOOP("Labels", "Personal matter"),
}
_AGENT_STATES = {  # mod_callcenter's agent states
    "Waiting": QT_TRANSLATE_NOOP("Labels", "Waiting for a call"),
    "Receiving": QT_TRANSLATE_NOOP("Labels", "Ringing"),
    "In a queue call": QT_TRANSLATE_NOOP("Labels", "On a call"),
    "Idle": QT_TRANSLATE_NOOP("Labels", "Idle"),
}
_CONNECTION = {
    "connected": QT_TRANSLATE_NOOP("Labels", "Connected"),
    "connecting": QT_TRANSLATE_NOOP("Labels", "Connecting…"),
    "reconnecting": QT_TRANSLATE_NOOP("Labels", "Reconnecting…"),
    "offline": QT_TRANSLATE_NOOP("Labels", "Offline"),
}
_ROLES = {
    "nurse": QT_TRANSLATE_NOOP("Labels", "Nurse"),
    "health": QT_TRANSLATE_NOOP("Labels", "Health staff"),
    "clerk": QT_TRANSLATE_NOOP("Labels", "Clerk"),
    "lead": QT_TRANSLATE_NOOP("Labels", "Team lead"),
    "admin": QT_TRANSLATE_NOOP("Labels", "Administrator"),
}
_ACTIVITIES = {  # what the lead's board says an agent is doing (callcenter/lead/board.py)
    "available": QT_TRANSLATE_NOOP("Labels", "Available"),
    "ringing": QT_TRANSLATE_NOOP("Labels", "Ringing"),
    "talking": QT_TRANSLATE_NOOP("Labels", "Talking"),
    "wrap_up": QT_TRANSLATE_NOOP("Labels", "Wrap-up"),
    "on_break": QT_TRANSLATE_NOOP("Labels", "On break"),
    "logged_out": QT_TRANSLATE_NOOP("Labels", "Logged out"),
}
_SUPERVISION_MODES = {
    "listen": QT_TRANSLATE_NOOP("Labels", "Listen"),
    "whisper": QT_TRANSLATE_NOOP("Labels", "Whisper"),
    "barge": QT_TRANSLATE_NOOP("Labels", "Barge"),
}
_SUPERVISION_STATES = {
    "ringing": QT_TRANSLATE_NOOP("Labels", "ringing your phone"),
    "connected": QT_TRANSLATE_NOOP("Labels", "connected"),
}
_LEVELS = {
    "green": QT_TRANSLATE_NOOP("Labels", "Normal"),
    "amber": QT_TRANSLATE_NOOP("Labels", "Warning"),
    "red": QT_TRANSLATE_NOOP("Labels", "Alert"),
}
_AUDIT_ACTIONS = {  # callcenter/hub/lead_store.py SUPERVISION_ACTIONS
    "lead.listen": QT_TRANSLATE_NOOP("Labels", "Listened"),
    "lead.whisper": QT_TRANSLATE_NOOP("Labels", "Whispered"),
    "lead.barge": QT_TRANSLATE_NOOP("Labels", "Barged in"),
    "lead.supervise_end": QT_TRANSLATE_NOOP("Labels", "Ended supervision"),
    "lead.set_status": QT_TRANSLATE_NOOP("Labels", "Set an agent's status"),
    "lead.move_caller": QT_TRANSLATE_NOOP("Labels", "Moved a waiting caller"),
    "recording.play": QT_TRANSLATE_NOOP("Labels", "Played a recording"),
    "lead.denied": QT_TRANSLATE_NOOP("Labels", "Refused"),
}
_ERRORS: dict[str, str] = {
    LocalCode.OFFLINE: QT_TRANSLATE_NOOP("Labels", "Not connected to the server."),
    LocalCode.TIMEOUT: QT_TRANSLATE_NOOP("Labels", "The server did not answer in time."),
    ErrorCode.UNAUTHENTICATED: QT_TRANSLATE_NOOP("Labels", "Wrong username or password."),
    ErrorCode.RATE_LIMITED: QT_TRANSLATE_NOOP(
        "Labels", "Too many failed attempts; wait a minute and try again."),
    ErrorCode.EXPIRED: QT_TRANSLATE_NOOP(
        "Labels", "Your session has expired; please log in again."),
    ErrorCode.FORBIDDEN: QT_TRANSLATE_NOOP("Labels", "You are not allowed to do this."),
    ErrorCode.NOT_FOUND: QT_TRANSLATE_NOOP("Labels", "Not found."),
    ErrorCode.CONFLICT: QT_TRANSLATE_NOOP("Labels", "Someone else got there first."),
    ErrorCode.BUSY: QT_TRANSLATE_NOOP("Labels", "Finish the call in hand first."),
    ErrorCode.UNSUPPORTED: QT_TRANSLATE_NOOP("Labels", "Not possible on this call."),
    ErrorCode.INVALID: QT_TRANSLATE_NOOP("Labels", "Some fields are not valid."),
    ErrorCode.SWITCH: QT_TRANSLATE_NOOP("Labels", "The telephone switch refused the command."),
    LocalCode.CLOSED: QT_TRANSLATE_NOOP("Labels", "The session ended before this was sent."),
    ErrorCode.BAD_MESSAGE: QT_TRANSLATE_NOOP("Labels", "The server did not accept this request."),
    ErrorCode.INTERNAL: QT_TRANSLATE_NOOP(
        "Labels", "The server had a problem and could not do this; try again."),
}


def _lookup(table: dict[str, str], key: str | None) -> str:
    text = table.get(key or "")
    return QCoreApplication.translate("Labels", text) if text else (key or "")


def status_label(status: str) -> str:
    return _lookup(_STATUSES, status)


def break_reason_label(reason: str | None) -> str:
    return _lookup(_BREAK_REASONS, reason)


def agent_state_label(state: str) -> str:
    return _lookup(_AGENT_STATES, state)


def connection_label(state: str) -> str:
    return _lookup(_CONNECTION, state)


def role_label(role: str) -> str:
    return _lookup(_ROLES, role)


def activity_label(activity: str) -> str:
    return _lookup(_ACTIVITIES, activity)


def supervision_mode_label(mode: str) -> str:
    return _lookup(_SUPERVISION_MODES, mode)


def supervision_state_label(state: str) -> str:
    return _lookup(_SUPERVISION_STATES, state)


def level_label(level: str) -> str:
    return _lookup(_LEVELS, level)


def audit_action_label(action: str) -> str:
    return _lookup(_AUDIT_ACTIONS, action)


def error_text(code: str, message: str) -> str:
    """An Error from the hub (or a local one) as one sentence for the agent; the hub's own
    words follow in brackets, except for a refused password (nothing to add there)."""
    if code not in _ERRORS:
        return message or code
    text = _lookup(_ERRORS, code)
    return f"{text} ({message})" if message and code != "unauthenticated" else text


def plain_text(label: QLabel) -> QLabel:
    """A label that shows what it is given as text, never as markup: names, numbers and
    declaration fields come from callers and the web form (an outside caller could otherwise
    restyle the pop with `<b style=…>`); QLabel's default (AutoText) guesses HTML."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
