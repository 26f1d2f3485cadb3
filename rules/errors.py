"""Input a rule refused. `db.errors` builds its own errors on DataError, so a caller catches
one base for both."""

from __future__ import annotations


class DataError(Exception):
    """Input refused by a domain rule; nothing was written."""


class FormInvalid(DataError):
    """A case form that does not satisfy its topic's JSON Schema."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors  # (field path, message)
        listed = "; ".join(f"{path or '(form)'}: {message}" for path, message in errors)
        super().__init__(f"the form is not valid: {listed}")
