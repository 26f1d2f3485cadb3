"""The live state kept true: each switch event applied (callcenter.state, pure), its effects
handed to the subscribers (the hub) at once and written by the recorder in batches; after every
(re)connect the state rebuilt from what the switch has now (state.resync, pure) and the switch
repaired where it is stuck."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import gevent
import gevent.lock

from callcenter.state import LiveState, apply, resync
from callcenter.state.effects import Effect
from callcenter.store.pool import Blocking
from callcenter.store.recorder import Recorder
from callcenter.switch.api import ReplyError, SwitchApi
from callcenter.switch.errors import SwitchError
from callcenter.switch.event import Event

log = logging.getLogger("callcenter.daemon")
FLUSH_EVERY = 0.05  # seconds: effects are written in batches


class Tracker:
    def __init__(self, recorder: Recorder, blocking: Blocking,
                 applied: Callable[[int, list[Effect]], None] = lambda _us, _effects: None) -> None:
        self.state = LiveState()
        self.recorder, self.blocking, self.applied = recorder, blocking, applied
        self.pending: list[Effect] = []
        self.subscribers: list[Callable[[Effect], None]] = []  # told each effect at once
        self.written: list[Callable[[list[Effect]], None]] = []  # told after a batch commits
        self._writing = gevent.lock.Semaphore()
        self._buffer: list[Event] | None = None  # events that arrive while resyncing

    # -- events → state → effects ------------------------------------------------------

    def on_event(self, event: Event) -> None:
        if self._buffer is not None:
            self._buffer.append(event)
            return
        effects = apply(self.state, event)
        self.applied(event.timestamp_us, effects)
        if effects:
            self.pending.extend(effects)
            for subscriber in self.subscribers:
                for effect in effects:
                    subscriber(effect)

    def add(self, effects: list[Effect]) -> None:
        """Effects from elsewhere (the CDR import), written as live ones are: raises if the
        batch could not be written (it stays pending and is written again)."""
        self.pending.extend(effects)
        self.flush()

    def flush(self) -> None:
        """Write the pending effects. The database driver blocks, so the write runs in
        gevent's thread pool and events keep flowing meanwhile; one batch at a time."""
        with self._writing:
            if not self.pending:
                return
            batch, self.pending = self.pending, []
            try:
                self.blocking(self.recorder.write, batch)
            except Exception:
                self.pending[:0] = batch  # written again next time (the writes are idempotent)
                raise
        for listener in self.written:
            listener(batch)

    def flush_loop(self) -> None:
        while True:
            gevent.sleep(FLUSH_EVERY)
            try:
                self.flush()
            except Exception:
                log.exception("writing a batch of effects failed")

    # -- after every (re)connect -------------------------------------------------------

    def resync(self, switch: SwitchApi) -> list[str]:
        """Rebuild the live state from the switch; events meanwhile are applied after."""
        self._buffer = []
        try:
            snapshot = resync.Snapshot(switch.channels(), switch.member_list(),
                                       switch.agent_list())
            result = resync.rebuild(self.state, snapshot, int(time.time() * 1_000_000))
            self.state = result.state
            self.pending.extend(result.effects)
            self.flush()
            up = {row["uuid"] for row in snapshot.channels}
            closed = self.blocking(self.recorder.close_missing, up, datetime.now(UTC))
            differences = result.differences + [
                f"call {uuid}: ended while the daemon was away (row closed)" for uuid in closed]
            for repair in result.repairs:
                try:  # one refused repair must not stop the others
                    reply = switch.agent_set_state(repair.agent, repair.state).strip()
                except SwitchError as exc:
                    reply = f"-ERR {exc}"
                if reply.startswith("-ERR"):
                    log.warning("resync: %s → %s refused: %s", repair.agent, repair.state,
                                reply)
            for line in differences:
                log.info("resync: %s", line)
            return differences
        except (SwitchError, ValueError, ReplyError) as exc:
            log.warning("resync failed: %s", exc)
            return []
        except Exception:  # a bug here must not stop the events buffered meanwhile
            log.exception("resync failed")
            return []
        finally:
            buffered, self._buffer = self._buffer or [], None
            for event in buffered:
                self.on_event(event)
