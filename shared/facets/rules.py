"""String rules beyond length (contract §2): URLs, e-mail addresses, language tags, country codes.

Each rule returns the canonical value or None. The libraries behind them (email-validator, and
langcodes for unusual language tags) are imported on first use, and the ISO code tables (generated
from pycountry) loaded on first use, so declaring a property costs nothing at import.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from shared.facets.kinds import MAX_TEXT, Text
from shared.validation.codes import MAX_LOCALE_LENGTH, country_code, locale_tag


def absolute_url(value: str) -> str | None:
    """An absolute http or https URL with a host (RFC 3986 as urllib reads it), unchanged."""
    if any(ch.isspace() or ord(ch) < 0x20 for ch in value):
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018  # raises ValueError for a port that is not a number in range
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return value


def email_address(value: str) -> str | None:
    """A well-formed e-mail address (syntax only: no DNS), unchanged."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return value


#: Kinds of text with a rule, shared by every declaration that needs them.
URL = Text(rule=absolute_url, rule_message="must be an absolute http or https URL", format="uri")
EMAIL = Text(rule=email_address, rule_message="must be a well-formed e-mail address", format="email")
LANGUAGE_TAG = Text(
    max_length=MAX_LOCALE_LENGTH,
    rule=locale_tag,
    rule_message="must be a well-formed BCP 47 language tag whose language is an ISO 639 code, such as 'en-US'",
)
COUNTRY_CODE = Text(
    max_length=MAX_TEXT,
    rule=country_code,
    rule_message="must be an assigned ISO 3166-1 alpha-2 country code, such as 'NO'",
)
