"""allowedAudiences: a set of audience members (a flags enum) written as one comma-separated string."""

from __future__ import annotations

from shared.errors import BadRequest, FieldError

#: The members in canonical order; `me` is the empty set (visible to the owner only).
AUDIENCES = ("me", "family", "contacts", "groupMembers", "organization", "federatedOrganizations", "everyone")
MAX_LENGTH = 256
TARGET = "allowedAudiences"
_BY_LOWER = {name.lower(): name for name in AUDIENCES}
_ORDER = {name: index for index, name in enumerate(AUDIENCES)}


def audience_error(message: str) -> BadRequest:
    """A 400 about allowedAudiences, with the field-level detail."""
    return BadRequest(message, details=(FieldError("invalidValue", message, TARGET),))


def invalid_message() -> str:
    """The message for a value that is not a set of known audiences; lists the allowed values."""
    return (
        f"The value of '{TARGET}' is not valid. Allowed values are {', '.join(AUDIENCES)}, "
        "or several of them separated by commas."
    )


def audience_members(value: str) -> frozenset[str]:
    """The canonical members named by `value` (empty for "me"); BadRequest if it is not valid."""
    if not isinstance(value, str):
        raise audience_error(f"The property '{TARGET}' must be a string or null.")
    if len(value) > MAX_LENGTH:
        raise audience_error(f"The value of '{TARGET}' is longer than {MAX_LENGTH} characters.")
    members: set[str] = set()
    for part in value.split(","):
        name = _BY_LOWER.get(part.strip().lower())
        if name is None:
            raise audience_error(invalid_message())
        if name != "me":
            members.add(name)
    return frozenset(members)


def canonical_audiences(value: str) -> str:
    """Canonical form: members in AUDIENCES order joined by ',', or "me" for the empty set."""
    members = audience_members(value)
    if not members:
        return "me"
    return ",".join(sorted(members, key=_ORDER.__getitem__))
