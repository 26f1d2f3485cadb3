"""Who the IVR serves. The outbound socket has no authentication of its own: any process that
can reach it may claim to be FreeSWITCH and name any channel in its `connect` reply. So a
session is served only when its peer is the switch's address (checked by the server before
a byte is sent) and its channel is one the daemon knows from the INBOUND event socket: up,
dialled on a hotline number, in the `hotline` context, not yet through the menu, and not
already served by another session. The caller's number is the one that stream saw, never
the socket's claim.

`decide` is the pure decision; `IvrGuard` waits (bounded) for the inbound stream to catch up
with the outbound connection, and remembers which calls are served."""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass

import gevent.event
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from callcenter.state import LiveState
from callcenter.state.effects import CallChanged, Effect
from callcenter.state.model import CallState
from callcenter.switch.outbound import OutboundServer, SessionRefused

log = logging.getLogger(__name__)

# The dialplan's context for the hotline (switch_conf/templates/dialplan/hotline.xml).
HOTLINE_CONTEXT = "hotline"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Admitted:
    uuid: str
    caller_number: str  # as the inbound event stream saw it


@dataclass(frozen=True)
class Refused:
    reason: str  # unknown_call | not_hotline | past_menu | served | no_uuid
    detail: str


def decide(call: CallState | None, channel: Mapping[str, str],
           hotline_numbers: Collection[str], served: Container[str]) -> Admitted | Refused:
    """Serve this session? `call` is the live state's call for the channel's Unique-ID."""
    uuid = channel.get("Unique-ID") or ""
    if not uuid:
        return Refused("no_uuid", "the channel data names no Unique-ID")
    context = channel.get("Caller-Context") or ""
    if context != HOTLINE_CONTEXT:
        return Refused("not_hotline", f"call {uuid}: context {context!r}, not the hotline's")
    if call is None:
        return Refused("unknown_call", f"call {uuid}: not a live call on the event socket")
    if call.destination not in hotline_numbers:
        return Refused("not_hotline", f"call {uuid}: dialled {call.destination!r}, not a "
                                      "hotline number")
    if call.ended_us is not None or call.queued_us is not None or call.menu_choice is not None:
        return Refused("past_menu", f"call {uuid}: already through the menu")
    if uuid in served:
        return Refused("served", f"call {uuid}: already served by another session")
    return Admitted(uuid, call.caller_number)


def peer_allowed(host: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in networks)


Resolve = Callable[[str], list[str]]


def resolve(name: str) -> list[str]:
    """The addresses a host name (or an address) stands for."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(name, None,
                                                                  type=socket.SOCK_STREAM)})


def networks_of(entries: Iterable[str], lookup: Resolve = resolve) -> list[Network]:
    """Addresses and networks as written; host names resolved (OSError if one cannot be)."""
    networks: list[Network] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            networks += [ipaddress.ip_network(address) for address in lookup(entry.strip())]
    return networks


class IvrGuard:
    """The decision, applied: `allows(host)` for the server, `admit(channel, until)` for the
    IVR right after `connect`; `on_effect` (a tracker subscriber) and `wake` (after a resync)
    wake the sessions waiting for their call to appear on the event socket."""

    def __init__(self, state: Callable[[], LiveState], hotline_numbers: Collection[str],
                 allowed: Iterable[str], lookup: Resolve = resolve) -> None:
        self.state, self.hotline_numbers = state, hotline_numbers
        self._allowed, self._lookup = list(allowed), lookup
        self._networks: list[Network] | None = None
        self.served: set[str] = set()  # calls given a session, until they end
        self._waiters: dict[str, set[gevent.event.Event]] = {}

    def networks(self) -> list[Network]:
        if self._networks is None:
            try:
                self._networks = networks_of(self._allowed, self._lookup)
            except OSError as exc:  # DNS down: nobody for now, asked again next time
                log.error("IVR: cannot resolve the switch's address (%s): %s",
                          ", ".join(self._allowed), exc)
                return []
            log.info("IVR: sessions accepted from %s",
                     ", ".join(str(n) for n in self._networks))
        return self._networks

    def allows(self, host: str) -> bool:
        return peer_allowed(host, self.networks())

    def admit(self, channel: Mapping[str, str], until: float) -> Admitted:
        """The session's call, or SessionRefused. A call not (yet) in the live state is waited
        for until `until` (time.monotonic()): FreeSWITCH fires CHANNEL_CREATE long before the
        dialplan reaches `socket`, but the event reaches the inbound socket through queues
        and threads (FreeSWITCH: switch_event.c switch_event_fire_detailed →
        switch_event_queue_dispatch_event → switch_event_dispatch_thread; mod_event_socket.c
        event_handler → the listener's event_queue → listener_run), while the outbound
        connection is made by the session's own thread (mod_event_socket.c socket_function):
        their order at the daemon is not fixed (the link may even be down: then the wait
        ends at `until` and the session is refused, handed back to the static menu)."""
        uuid = channel.get("Unique-ID") or ""
        wake = gevent.event.Event()
        self._waiters.setdefault(uuid, set()).add(wake)
        try:
            while True:
                wake.clear()
                verdict = decide(self.state().calls.get(uuid), channel, self.hotline_numbers,
                                 self.served)
                remaining = until - time.monotonic()
                if not (isinstance(verdict, Refused) and verdict.reason == "unknown_call"
                        and remaining > 0):
                    break
                wake.wait(remaining)
        finally:
            waiting = self._waiters.get(uuid)
            if waiting is not None:
                waiting.discard(wake)
                if not waiting:
                    del self._waiters[uuid]
        if isinstance(verdict, Refused):
            raise SessionRefused(verdict.reason, verdict.detail)
        self.served.add(uuid)
        return verdict

    def on_effect(self, effect: Effect) -> None:
        if not isinstance(effect, CallChanged):
            return
        uuid = effect.call.uuid
        if effect.call.ended_us is not None:
            self.served.discard(uuid)
        for wake in self._waiters.get(uuid, ()):
            wake.set()

    def wake(self) -> None:
        """The live state was rebuilt (a resync): look again."""
        self.served &= self.state().calls.keys()
        for waiting in self._waiters.values():
            for wake in waiting:
                wake.set()


class IvrMetrics:
    """/metrics: sessions refused by reason, sessions now (a collector read at scrape)."""

    def __init__(self, server: OutboundServer) -> None:
        self.server = server

    def collect(self) -> Iterator[Metric]:
        refused = CounterMetricFamily("callcenter_ivr_sessions_refused",
                                      "IVR sessions refused, by reason", labels=["reason"])
        for reason, count in sorted(self.server.refused.items()):
            refused.add_metric([reason], count)
        sessions = GaugeMetricFamily("callcenter_ivr_sessions", "IVR sessions now")
        sessions.add_metric([], self.server.connection_count)
        yield from (refused, sessions)
