"""
Errors the program's API raises; adapters turn them into HTTP 400/404, admin messages or CommandErrors.
"""
from typing import Any


class DistinguishedError(Exception):
    """
    Base of every error the plugin's API raises on purpose.

    ``errors`` maps a field name (or ``non_field_errors``) to a list of human-readable messages.
    """

    def __init__(self, errors: str | dict[str, Any]) -> None:
        if isinstance(errors, str):
            errors = {"non_field_errors": [errors]}
        self.errors = {field: list(messages) if isinstance(messages, (list, tuple)) else [messages]
                       for field, messages in errors.items()}
        super().__init__("; ".join(
            " ".join(msgs) if field == "non_field_errors" else f"{field}: {' '.join(msgs)}"
            for field, msgs in self.errors.items()
        ))


class ValidationError(DistinguishedError):
    """The request was malformed or breaks a program rule; nothing was written."""


class NotFound(DistinguishedError):
    """The object does not exist, or the caller may not know that it does."""


class InvalidTransition(ValidationError):
    """The object is not in a state that allows the requested change."""


class ProgramDefinitionError(DistinguishedError):
    """A program data file is malformed."""
