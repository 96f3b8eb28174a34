"""Request headers that carry conditions: If-Match (RFC 9110 §13.1.1) and Idempotency-Key.

Only an absent If-Match means "no precondition". A present header that is empty, blank or not a
valid entity-tag list is 400 (an empty If-Match once bypassed the precondition).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from shared.errors import BadRequest
from shared.repository import IfMatch

#: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE ; etagc = %x21 / %x23-7E / obs-text
#: A list of them: tags separated by commas, which may also stand inside a tag's quotes.
_TAG_LIST = re.compile(r'[ \t]*((?:W/)?"[\x21\x23-\x7e\x80-\xff]*")[ \t]*(?:,|$)')
MAX_IF_MATCH = 2048
MAX_IDEMPOTENCY_KEY = 255


def parse_if_match(headers: Mapping[str, str]) -> IfMatch:
    """None when the header is absent, "*" for any, else the entity tags it lists (weak ones never match)."""
    value = headers.get("if-match")
    if value is None:
        return None
    if value.strip() == "*":
        return "*"
    if len(value) > MAX_IF_MATCH:
        raise _bad_if_match()
    tags: list[str] = []
    position = 0
    while position < len(value):
        match = _TAG_LIST.match(value, position)
        if match is None or match.end() == position:
            raise _bad_if_match()
        tags.append(match.group(1))
        position = match.end()
    if not tags or value.rstrip().endswith(","):
        raise _bad_if_match()
    return tuple(tags)


def parse_idempotency_key(headers: Mapping[str, str]) -> str | None:
    """The Idempotency-Key (1 to 255 printable ASCII characters), or None when absent."""
    key = headers.get("idempotency-key")
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not key.isascii() or not key.isprintable():
        raise BadRequest("The Idempotency-Key header must be 1 to 255 printable ASCII characters.")
    return key


def _bad_if_match() -> BadRequest:
    return BadRequest('The If-Match header must be "*" or a comma-separated list of entity tags such as "abc".')
