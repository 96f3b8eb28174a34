"""Country and language codes: ISO 3166-1 alpha-2, and BCP 47 tags whose language is an ISO 639 code.

The code sets come from pycountry and langcodes, built once into shared/validation/code_tables.py
(scripts/generate_code_tables.py; a test regenerates and compares). Loading pycountry's ISO 639-3 table
and importing langcodes would be paid on a new instance's first request. A tag made only of
subtags langcodes accepts alone and never rewrites (`en`, `nb-NO`, `zh-Hant-TW`, `es-419`) is valid
without it; any other tag is still decided by langcodes.tag_is_valid, imported then. The tables
themselves are imported on first use too.
"""

from __future__ import annotations

import re

#: RFC 5646 §4.4.1: implementations should accept tags of at least 35 characters; we accept no more.
MAX_LOCALE_LENGTH = 35
_ALPHA2 = re.compile(r"[A-Za-z]{2}")
_TAG_CHARS = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
#: language[-script][-region], lower-case: the shapes `_plainly_valid` decides without langcodes.
_PLAIN_SHAPE = re.compile(r"([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|[0-9]{3}))?")


def country_code(value: str) -> str | None:
    """The upper-case ISO 3166-1 alpha-2 code for `value` (any case), or None if it is not assigned."""
    if not _ALPHA2.fullmatch(value):
        return None
    from shared.validation import code_tables

    code = value.upper()
    return code if code in code_tables.COUNTRIES else None


def locale_tag(value: str) -> str | None:
    """`value` in RFC 5646 §2.1.1 case if it is a well-formed BCP 47 tag with an ISO 639 language, else None."""
    if len(value) > MAX_LOCALE_LENGTH or not _TAG_CHARS.fullmatch(value):
        return None  # also refuses "en_US", which langcodes would quietly accept
    from shared.validation import code_tables

    primary = value.split("-", 1)[0].lower()
    if not 2 <= len(primary) <= 3 or not primary.isalpha() or primary not in code_tables.LANGUAGES:
        return None
    if not _plainly_valid(value.lower()):
        import langcodes

        if not langcodes.tag_is_valid(value):
            return None
    return _canonical_case(value)


def _plainly_valid(tag: str) -> bool:
    """True when lower-case `tag` is language[-script][-region] of subtags langcodes accepts and keeps as they are
    (False says only "ask langcodes")."""
    from shared.validation import code_tables

    shape = _PLAIN_SHAPE.fullmatch(tag)
    if shape is None or tag in code_tables.SPECIAL_TAGS:
        return False
    language, script, region = shape.groups()
    return (
        language not in code_tables.LANGUAGES_NOT_PLAIN
        and (script is None or script in code_tables.PLAIN_SCRIPTS)
        and (region is None or region in code_tables.PLAIN_REGIONS)
    )


def _canonical_case(tag: str) -> str:
    """Language lower-case, script title-case, region upper-case; everything after a singleton lower."""
    parts = tag.lower().split("-")
    out = [parts[0]]
    after_singleton = False
    for part in parts[1:]:
        if len(part) == 1:
            after_singleton = True
        if not after_singleton and len(part) == 2:
            out.append(part.upper())
        elif not after_singleton and len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part)
    return "-".join(out)
