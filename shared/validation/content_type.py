"""The Content-Type a JSON request body must carry: application/json, parameters allowed, UTF-8 only."""

from __future__ import annotations

from shared.errors import BadRequest

#: Graph's own message for a body it cannot read (missing Content-Type or invalid JSON).
UNREADABLE_MESSAGE = (
    "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
)
_MEDIA_TYPE = "application/json"
_CHARSET = "utf-8"


def check_content_type(value: str | None) -> None:
    """Accept `application/json` (case-insensitive) with well-formed parameters; charset must be utf-8."""
    if not value:
        raise BadRequest(UNREADABLE_MESSAGE)
    media_type, *parameters = value.split(";")
    if media_type.strip().lower() != _MEDIA_TYPE:
        raise BadRequest(UNREADABLE_MESSAGE)
    for parameter in parameters:
        if not parameter.strip():
            continue  # tolerate "application/json;" and ";;"
        name, sep, raw = parameter.partition("=")
        name = name.strip().lower()
        if not sep or not name or not raw.strip():
            raise BadRequest(UNREADABLE_MESSAGE)
        if name == "charset" and _unquote(raw.strip()).lower() != _CHARSET:
            raise BadRequest(UNREADABLE_MESSAGE)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value
