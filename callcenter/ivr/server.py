"""The IVR as the daemon runs it: the outbound-socket server, its bounds and its guard, the
menu's flow on the IVR's store, from the settings."""

from __future__ import annotations

from collections.abc import Callable

from callcenter.config import Settings
from callcenter.ivr.announce import outlook
from callcenter.ivr.flow import Ivr, Limits
from callcenter.ivr.guard import IvrGuard
from callcenter.ivr.store import IvrStore
from callcenter.state import LiveState
from callcenter.switch.outbound import OutboundServer


def ivr_server(settings: Settings, store: IvrStore,
               state: Callable[[], LiveState]) -> tuple[OutboundServer, IvrGuard]:
    """The server (not yet listening) and its guard: the daemon gives the guard the tracker's
    effects (`on_effect`) and tells it of each resync (`wake`)."""
    ivr = settings.ivr
    guard = IvrGuard(state, settings.site.hotline_numbers,
                     ivr.allowed_peers or [settings.switch.host])
    flow = Ivr(menu=store.menu, lookup=store.lookup, chose=store.chose, admit=guard.admit,
               outlook=lambda queue: outlook(state().queues.get(queue)),
               limits=Limits(ivr.handshake_seconds, ivr.max_prompt_seconds,
                             settings.switch.command_timeout))
    server = OutboundServer(ivr.listen_host, ivr.listen_port, flow, ivr.max_sessions,
                            settings.switch.command_timeout,
                            max_per_peer=ivr.max_sessions_per_peer, peer_allowed=guard.allows,
                            session_seconds=ivr.session_seconds)
    return server, guard
