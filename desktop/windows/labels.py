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
