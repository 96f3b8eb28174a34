"""The complex values inside userAccountInformation: localeInfo, inferenceData, personDataSource.

Each validator returns the canonical value as a plain dict with every member present (so a complex
value always replaces the stored one as a whole), or None; problems go to `problems`.
"""
from __future__ import annotations

import math

from shared.validation.codes import MAX_LOCALE_LENGTH, locale_tag
from shared.validation.problems import Problems

MAX_TEXT = 256
MAX_SOURCE_TYPE = 64
LOCALE_INFO = "microsoft.graph.localeInfo"
INFERENCE_DATA = "microsoft.graph.inferenceData"
PERSON_DATA_SOURCE = "microsoft.graph.personDataSource"


def _members(value: object, name: str, type_name: str, allowed: tuple[str, ...], problems: Problems) -> dict | None:
    """The object's members if it is an object with only `allowed` keys; None (problems noted) otherwise."""
    if not isinstance(value, dict):
        problems.wrong_type(name, "an object or null")
        return None
    before = len(problems.errors)
    for key in value:
        if key not in allowed:
            problems.unknown(str(key), type_name, prefix=f"{name}.")
    return value if len(problems.errors) == before else None


def optional_text(value: object, target: str, limit: int, problems: Problems) -> str | None:
    """A string of at most `limit` characters, or null; anything else is recorded as a problem."""
    if value is None:
        return None
    if not isinstance(value, str):
        problems.wrong_type(target, "a string or null")
    elif len(value) > limit:
        problems.too_long(target, limit)
    else:
        return value
    return None


def locale_info(value: object, name: str, problems: Problems) -> dict | None:
    """preferredLanguageTag: null or {locale: BCP 47 tag with an ISO 639 language, displayName: ≤ 256}."""
    if value is None:
        return None
    members = _members(value, name, LOCALE_INFO, ("locale", "displayName"), problems)
    if members is None:
        return None
    locale = optional_text(members.get("locale"), f"{name}.locale", MAX_LOCALE_LENGTH, problems)
    if locale is not None:
        canonical = locale_tag(locale)
        if canonical is None:
            problems.invalid(
                f"{name}.locale",
                f"The value of '{name}.locale' must be a well-formed BCP 47 language tag whose language "
                "is an ISO 639 code, such as 'en-US'.",
            )
        locale = canonical
    display_name = optional_text(members.get("displayName"), f"{name}.displayName", MAX_TEXT, problems)
    return {"locale": locale, "displayName": display_name}


def inference_data(value: object, name: str, problems: Problems) -> dict | None:
    """inference: null or {confidenceScore: finite number, userHasVerifiedAccuracy: bool}."""
    if value is None:
        return None
    members = _members(value, name, INFERENCE_DATA, ("confidenceScore", "userHasVerifiedAccuracy"), problems)
    if members is None:
        return None
    score = members.get("confidenceScore")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
        problems.wrong_type(f"{name}.confidenceScore", "a number or null")
        score = None
    elif score is not None:
        try:
            score = float(score)
        except OverflowError:
            score = math.inf
        if not math.isfinite(score):
            problems.invalid(f"{name}.confidenceScore", f"The value of '{name}.confidenceScore' must be a finite number.")
    verified = members.get("userHasVerifiedAccuracy")
    if verified is not None and not isinstance(verified, bool):
        problems.wrong_type(f"{name}.userHasVerifiedAccuracy", "a boolean or null")
    return {"confidenceScore": score, "userHasVerifiedAccuracy": verified}


def person_data_source(value: object, name: str, problems: Problems) -> dict | None:
    """source: null or {type: string of 1 to 64 characters}."""
    if value is None:
        return None
    members = _members(value, name, PERSON_DATA_SOURCE, ("type",), problems)
    if members is None:
        return None
    target = f"{name}.type"
    kind = members.get("type")
    if kind is None:
        problems.missing(target)
    elif not isinstance(kind, str):
        problems.wrong_type(target, "a string")
    elif len(kind) > MAX_SOURCE_TYPE:
        problems.too_long(target, MAX_SOURCE_TYPE)
    elif not kind:
        problems.invalid(target, f"The value of '{target}' must not be empty.")
    return {"type": kind}
