"""A call's recording, streamed to a desktop over the hub's TLS link in pieces (the desktop
asks for the bytes it needs, so it can seek), never through a file share.

Who may play it: the agents who took the call (any of its queue legs), and the leads of the
call's topic (an admin: any). Only files inside `[site] recordings_dir` are served (the path
comes from the switch's Record-File-Path, resolved, links followed). Every playback (the first
piece asked for) is audited; a call not recorded, or whose file is missing or was deleted,
says so."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from callcenter.hub import lead_store
from callcenter.hub.desk import _session
from callcenter.hub.server import Client
from callcenter.hub.service import Backend, Denied, HubService
from protocol.errors import ErrorCode

MIME = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg"}


class Recordings:
    def __init__(self, hub: HubService, backend: Backend) -> None:
        self.hub, self.backend = hub, backend
        hub.handlers["recording_get"] = self.get

    def get(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        found = self.hub.db(lead_store.recording_of, request.call_id)
        if found is None:
            raise Denied(ErrorCode.NOT_FOUND, f"no call {request.call_id}")
        took_it = session.agent_id in found["agents"]
        leads_it = session.role == "admin" or (session.is_lead and
                                                found["topic"] in session.topics)
        if not (took_it or leads_it):
            raise Denied(ErrorCode.FORBIDDEN, "only the agents who took this call and its "
                                              "topic's leads may play it",
                         target=str(request.call_id))
        if not found["path"]:
            raise Denied(ErrorCode.NOT_FOUND, "this call was not recorded")
        path = self._inside(Path(found["path"]))
        try:
            size, data = self.backend.blocking(_read, path, request.offset, request.length)
        except FileNotFoundError:
            raise Denied(ErrorCode.NOT_FOUND, "the recording of this call is missing or was "
                                              "deleted") from None
        if request.offset == 0:
            self.hub.audit(client, "recording.play", found["uuid"], call_id=request.call_id,
                           as_agent=took_it)
        return {"call_id": request.call_id, "size": size, "offset": request.offset,
                "mime": MIME.get(path.suffix.lower(), "application/octet-stream"),
                "data": base64.b64encode(data).decode("ascii")}

    def _inside(self, path: Path) -> Path:
        root = self.backend.settings.site.recordings_dir.resolve()
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            raise Denied(ErrorCode.NOT_FOUND, "the recording is not in the recordings folder "
                                              "the hub serves ([site] recordings_dir)")
        return resolved


def _read(path: Path, offset: int, length: int) -> tuple[int, bytes]:
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        f.seek(min(offset, size))
        return size, f.read(length)
