"""Who a person is: names, anniversaries, interests, languages, notes, educationalActivities."""

from __future__ import annotations

from shared.facets.catalog.types import (
    EDUCATIONAL_ACTIVITY_DETAIL,
    INSTITUTION_DATA,
    ITEM_BODY,
    LANGUAGE_PROFICIENCY_LEVEL,
    LONG_TEXT,
    PERSON_ANNUAL_EVENT_TYPE,
    PERSON_NAME_PRONOUNCIATION,
)
from shared.facets.common import facet
from shared.facets.kinds import Complex, Date, ListOf, Text
from shared.facets.rules import LANGUAGE_TAG, URL

NAMES = facet(
    "names",
    "personName",
    {
        "displayName": Text(),
        "first": Text(),
        "initials": Text(),
        "languageTag": LANGUAGE_TAG,
        "last": Text(),
        "maiden": Text(),
        "middle": Text(),
        "nickname": Text(),
        "pronunciation": Complex(PERSON_NAME_PRONOUNCIATION),
        "suffix": Text(),
        "title": Text(),
    },
)
ANNIVERSARIES = facet(
    "anniversaries", "personAnnualEvent", {"date": Date(), "displayName": Text(), "type": PERSON_ANNUAL_EVENT_TYPE}
)
INTERESTS = facet(
    "interests",
    "personInterest",
    {
        "categories": ListOf(Text()),
        "collaborationTags": ListOf(Text()),
        "description": LONG_TEXT,
        "displayName": Text(),
        "thumbnailUrl": URL,
        "webUrl": URL,
    },
)
LANGUAGES = facet(
    "languages",
    "languageProficiency",
    {
        "displayName": Text(),
        "proficiency": LANGUAGE_PROFICIENCY_LEVEL,
        "reading": LANGUAGE_PROFICIENCY_LEVEL,
        "spoken": LANGUAGE_PROFICIENCY_LEVEL,
        "tag": LANGUAGE_TAG,
        "thumbnailUrl": URL,
        "written": LANGUAGE_PROFICIENCY_LEVEL,
    },
)
NOTES = facet("notes", "personAnnotation", {"detail": Complex(ITEM_BODY), "displayName": Text(), "thumbnailUrl": URL})
EDUCATIONAL_ACTIVITIES = facet(
    "educationalActivities",
    "educationalActivity",
    {
        "completionMonthYear": Date(),
        "endMonthYear": Date(),
        "institution": Complex(INSTITUTION_DATA),
        "program": Complex(EDUCATIONAL_ACTIVITY_DETAIL),
        "startMonthYear": Date(),
    },
)
