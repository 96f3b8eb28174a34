"""The profile's collections, in Graph's order (alphabetical). `by_collection` finds one case-insensitively."""

from __future__ import annotations

from shared.facets.catalog.account import ACCOUNT
from shared.facets.catalog.contact import ADDRESSES, EMAILS, PHONES, WEB_ACCOUNTS, WEBSITES
from shared.facets.catalog.personal import ANNIVERSARIES, EDUCATIONAL_ACTIVITIES, INTERESTS, LANGUAGES, NAMES, NOTES
from shared.facets.catalog.work import (
    AWARDS,
    CERTIFICATIONS,
    PATENTS,
    POSITIONS,
    PROJECTS,
    PUBLICATIONS,
    RESPONSIBILITIES,
    SKILLS,
)
from shared.facets.model import FacetType

FACET_TYPES: tuple[FacetType, ...] = (
    ACCOUNT,
    ADDRESSES,
    ANNIVERSARIES,
    AWARDS,
    CERTIFICATIONS,
    EDUCATIONAL_ACTIVITIES,
    EMAILS,
    INTERESTS,
    LANGUAGES,
    NAMES,
    NOTES,
    PATENTS,
    PHONES,
    POSITIONS,
    PROJECTS,
    PUBLICATIONS,
    RESPONSIBILITIES,
    SKILLS,
    WEB_ACCOUNTS,
    WEBSITES,
)
_BY_LOWER = {facet_type.collection.lower(): facet_type for facet_type in FACET_TYPES}


def by_collection(name: str) -> FacetType | None:
    """The facet type whose collection is `name` (case-insensitive, as Graph's routes), or None."""
    return _BY_LOWER.get(name.lower())
