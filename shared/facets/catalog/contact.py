"""How to reach a person: addresses, emails, phones, webAccounts, websites."""

from __future__ import annotations

from shared.facets.catalog.types import (
    EMAIL_TYPE,
    GEO_COORDINATES,
    LONG_TEXT,
    PHONE_TYPE,
    PHYSICAL_ADDRESS,
    SERVICE_INFORMATION,
)
from shared.facets.common import facet
from shared.facets.kinds import Complex, ListOf, Text
from shared.facets.rules import EMAIL, URL

ADDRESSES = facet(
    "addresses",
    "itemAddress",
    {"detail": Complex(PHYSICAL_ADDRESS), "displayName": Text(), "geoCoordinates": Complex(GEO_COORDINATES)},
)
EMAILS = facet("emails", "itemEmail", {"address": EMAIL, "displayName": Text(), "type": EMAIL_TYPE})
PHONES = facet("phones", "itemPhone", {"displayName": Text(), "number": Text(), "type": PHONE_TYPE})
WEB_ACCOUNTS = facet(
    "webAccounts",
    "webAccount",
    {
        "description": LONG_TEXT,
        "service": Complex(SERVICE_INFORMATION),
        "statusMessage": Text(),
        "thumbnailUrl": URL,
        "userId": Text(),
        "webUrl": URL,
    },
)
WEBSITES = facet(
    "websites",
    "personWebsite",
    {
        "categories": ListOf(Text()),
        "description": LONG_TEXT,
        "displayName": Text(),
        "thumbnailUrl": URL,
        "webUrl": URL,
    },
)
