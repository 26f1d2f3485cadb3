"""The audit trail: who did what, from where (logins, listens, exports, admin actions)."""

from __future__ import annotations

import getpass
from typing import Any

from sqlalchemy.orm import Session

from db.models import AuditLog


def record(session: Session, actor: str, action: str, target: str | None = None,
           actor_id: int | None = None, client: str | None = None,
           **detail: Any) -> AuditLog:
    entry = AuditLog(actor=actor, actor_id=actor_id, action=action, target=target,
                     client=client, detail=detail)
    session.add(entry)
    return entry


def command_line_actor() -> str:
    """Who ran an administration command: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
