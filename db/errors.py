"""What can go wrong in the data layer, named so callers can answer each case clearly."""

from __future__ import annotations


class DataError(Exception):
    """Input refused by a domain rule; nothing was written."""


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


class FormInvalid(DataError):
    """A case form that does not satisfy its topic's JSON Schema."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors  # (field path, message)
        listed = "; ".join(f"{path or '(form)'}: {message}" for path, message in errors)
        super().__init__(f"the form is not valid: {listed}")
