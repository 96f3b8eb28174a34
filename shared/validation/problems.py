"""Collects field-level problems and raises them as one 400 whose message names the first."""

from __future__ import annotations

from shared.errors import BadRequest, FieldError
from shared.validation.names import shorten

#: Most problems listed in one 400's `details` (the message gives the full count beyond that).
MAX_DETAILS = 20


class Problems:
    """An ordered list of FieldErrors with Graph-like messages; `raise_if_any` ends validation."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, code: str, message: str, target: str) -> None:
        """Record one problem."""
        self.errors.append(FieldError(code, message, target))

    def extend(self, errors: tuple[FieldError, ...]) -> None:
        """Record problems found elsewhere (e.g. a BadRequest's details)."""
        self.errors.extend(errors)

    def unknown(self, name: str, type_name: str, prefix: str = "") -> None:
        """A property the type does not declare."""
        short = shorten(name)
        message = f"The property '{short}' does not exist on type '{type_name}'."
        self.add("unknownProperty", message, prefix + short)

    def read_only(self, name: str) -> None:
        """A server-set or directory property sent by the client."""
        self.add("readOnlyProperty", f"The property '{name}' is read-only and cannot be set.", name)

    def wrong_type(self, target: str, expected: str) -> None:
        """A value of the wrong JSON type (no coercion is ever applied)."""
        self.add("invalidType", f"The property '{target}' must be {expected}.", target)

    def too_long(self, target: str, limit: int) -> None:
        """A string over its limit."""
        self.add("valueTooLong", f"The value of '{target}' is longer than {limit} characters.", target)

    def invalid(self, target: str, message: str) -> None:
        """A value of the right type that the rules refuse."""
        self.add("invalidValue", message, target)

    def missing(self, target: str) -> None:
        """A required member left out or null."""
        self.add("missingProperty", f"The property '{target}' is required.", target)

    def raise_if_any(self) -> None:
        """Raise BadRequest (message of the first problem; the first MAX_DETAILS problems in details)."""
        if not self.errors:
            return
        message = self.errors[0].message
        if len(self.errors) > MAX_DETAILS:
            message += f" The body has {len(self.errors)} problems; details lists the first {MAX_DETAILS}."
        raise BadRequest(message, details=tuple(self.errors[:MAX_DETAILS]))
