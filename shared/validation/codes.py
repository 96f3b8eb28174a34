"""Country and language codes: ISO 3166-1 alpha-2, and BCP 47 tags whose language is an ISO 639 code.

pycountry and langcodes are imported on first use (about 50 ms and 30 ms, plus about 30 ms to load
pycountry's ISO 639 table), so importing the function app stays cheap.
"""
from __future__ import annotations

import functools
import re

#: RFC 5646 §4.4.1: implementations should accept tags of at least 35 characters; we accept no more.
MAX_LOCALE_LENGTH = 35
_ALPHA2 = re.compile(r"[A-Za-z]{2}")
_TAG_CHARS = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


@functools.cache
def _countries() -> frozenset[str]:
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries)


@functools.cache
def _languages() -> frozenset[str]:
    import pycountry

    codes: set[str] = set()
    for language in pycountry.languages:
        for attribute in ("alpha_2", "alpha_3", "bibliographic"):
            code = getattr(language, attribute, None)
            if code:
                codes.add(code.lower())
    return frozenset(codes)


def country_code(value: str) -> str | None:
    """The upper-case ISO 3166-1 alpha-2 code for `value` (any case), or None if it is not assigned."""
    if not _ALPHA2.fullmatch(value):
        return None
    code = value.upper()
    return code if code in _countries() else None


def locale_tag(value: str) -> str | None:
    """`value` in RFC 5646 §2.1.1 case if it is a well-formed BCP 47 tag with an ISO 639 language, else None."""
    if len(value) > MAX_LOCALE_LENGTH or not _TAG_CHARS.fullmatch(value):
        return None  # also refuses "en_US", which langcodes would quietly accept
    primary = value.split("-", 1)[0].lower()
    if not 2 <= len(primary) <= 3 or not primary.isalpha() or primary not in _languages():
        return None
    import langcodes

    if not langcodes.tag_is_valid(value):
        return None
    return _canonical_case(value)


def _canonical_case(tag: str) -> str:
    """Language lower-case, script title-case, region upper-case; everything after a singleton lower."""
    parts = tag.lower().split("-")
    out = [parts[0]]
    after_singleton = False
    for part in parts[1:]:
        if len(part) == 1:
            after_singleton = True
        if not after_singleton and len(part) == 2:
            part = part.upper()
        elif not after_singleton and len(part) == 4 and part.isalpha():
            part = part.title()
        out.append(part)
    return "-".join(out)
