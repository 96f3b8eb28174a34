"""The profile POST body (§2): empty, {}, or {"@odata.type": "#microsoft.graph.profile"}."""

from __future__ import annotations

from shared.errors import BadRequest
from shared.models.profile import PROFILE_ODATA_TYPE
from shared.validation.json_body import NOT_OBJECT_MESSAGE
from shared.validation.problems import Problems

TYPE_NAME = "microsoft.graph.profile"


def validate_profile_body(doc: dict | None) -> None:
    """Accept an empty body, {}, or only the profile's @odata.type; BadRequest naming anything else."""
    if doc is None:
        return
    if not isinstance(doc, dict):
        raise BadRequest(NOT_OBJECT_MESSAGE)
    problems = Problems()
    for key, value in doc.items():
        if key == "@odata.type":
            if value != PROFILE_ODATA_TYPE:
                problems.invalid(key, f"The value of '{key}' must be '{PROFILE_ODATA_TYPE}'.")
        elif key == "id":
            problems.read_only(key)
        else:
            problems.unknown(str(key), TYPE_NAME)
    problems.raise_if_any()
