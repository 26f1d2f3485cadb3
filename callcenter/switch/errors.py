"""What can go wrong talking to FreeSWITCH, as exceptions the daemon can act on."""

from __future__ import annotations

from greenswitch.esl import NotConnectedError


class SwitchError(Exception):
    """Base of every switch-link error."""


class SwitchUnreachable(SwitchError, NotConnectedError):
    """No connection could be made (refused, timed out, no route)."""


class ConnectionLost(SwitchError, NotConnectedError):
    """The connection dropped, or was closed, before the reply came."""


class AuthenticationFailed(SwitchError):
    """FreeSWITCH refused the password (`-ERR invalid`), or the ACL rejected us."""


class CommandTimeout(SwitchError):
    """No reply within the command's timeout; the connection is still usable."""


class CommandError(SwitchError):
    """FreeSWITCH answered `-ERR …` (or `-USAGE …`); `reply` is its text, unchanged."""

    def __init__(self, command: str, reply: str) -> None:
        super().__init__(f"{command.splitlines()[0][:200]}: {reply.strip()}")
        self.command = command
        self.reply = reply
