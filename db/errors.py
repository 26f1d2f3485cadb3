"""What can go wrong in the data layer, named so callers can answer each case clearly."""

from __future__ import annotations

from rules.errors import DataError, FormInvalid

__all__ = ["DataError", "FormInvalid", "NotFound", "StaleCaseError"]


class NotFound(DataError):
    pass


class StaleCaseError(DataError):
    """The case changed since the client read it: saving would overwrite someone's work."""

    def __init__(self, code: str, expected: int, current: int | None) -> None:
        now = f", it is now version {current}" if current is not None else ""
        super().__init__(
            f"case {code} was changed by someone else (you edited version {expected}{now}); "
            "reload it and apply your changes again")
        self.code = code
        self.expected = expected
        self.current = current
