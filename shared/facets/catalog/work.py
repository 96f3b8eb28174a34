"""What a person does and has done: positions, projects, responsibilities, skills, certifications, awards,
patents, publications."""

from __future__ import annotations

from shared.facets.catalog.types import (
    COMPANY_DETAIL,
    LONG_TEXT,
    POSITION_DETAIL,
    RELATED_PERSON,
    SKILL_PROFICIENCY_LEVEL,
)
from shared.facets.common import facet
from shared.facets.kinds import Boolean, Complex, Date, ListOf, Text
from shared.facets.rules import URL

POSITIONS = facet(
    "positions",
    "workPosition",
    {
        "categories": ListOf(Text()),
        "colleagues": ListOf(Complex(RELATED_PERSON)),
        "detail": Complex(POSITION_DETAIL),
        "isCurrent": Boolean(),
        "manager": Complex(RELATED_PERSON),
    },
)
PROJECTS = facet(
    "projects",
    "projectParticipation",
    {
        "categories": ListOf(Text()),
        "client": Complex(COMPANY_DETAIL),
        "collaborationTags": ListOf(Text()),
        "colleagues": ListOf(Complex(RELATED_PERSON)),
        "detail": Complex(POSITION_DETAIL),
        "displayName": Text(),
        "sponsors": ListOf(Complex(RELATED_PERSON)),
        "thumbnailUrl": URL,
    },
)
RESPONSIBILITIES = facet(
    "responsibilities",
    "personResponsibility",
    {
        "collaborationTags": ListOf(Text()),
        "description": LONG_TEXT,
        "displayName": Text(),
        "thumbnailUrl": URL,
        "webUrl": URL,
    },
)
SKILLS = facet(
    "skills",
    "skillProficiency",
    {
        "categories": ListOf(Text()),
        "collaborationTags": ListOf(Text()),
        "displayName": Text(),
        "proficiency": SKILL_PROFICIENCY_LEVEL,
        "thumbnailUrl": URL,
        "webUrl": URL,
    },
)
CERTIFICATIONS = facet(
    "certifications",
    "personCertification",
    {
        "certificationId": Text(),
        "description": LONG_TEXT,
        "displayName": Text(),
        "endDate": Date(),
        "issuedDate": Date(),
        "issuingAuthority": Text(),
        "issuingCompany": Text(),
        "startDate": Date(),
        "thumbnailUrl": URL,
        "webUrl": URL,
    },
)
AWARDS = facet(
    "awards",
    "personAward",
    {
        "description": LONG_TEXT,
        "displayName": Text(),
        "issuedDate": Date(),
        "issuingAuthority": Text(),
        "thumbnailUrl": URL,
        "webUrl": URL,
    },
)
PATENTS = facet(
    "patents",
    "itemPatent",
    {
        "description": LONG_TEXT,
        "displayName": Text(),
        "isPending": Boolean(),
        "issuedDate": Date(),
        "issuingAuthority": Text(),
        "number": Text(),
        "webUrl": URL,
    },
)
PUBLICATIONS = facet(
    "publications",
    "itemPublication",
    {
        "description": LONG_TEXT,
        "displayName": Text(),
        "publishedDate": Date(),
        "publisher": Text(),
        "thumbnailUrl": URL,
        "webUrl": URL,
    },
)
