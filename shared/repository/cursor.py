"""Keyset paging cursors shared by the adapters: an opaque token for "after this sort key"."""
from __future__ import annotations

import base64
import binascii
import re

from shared.models import Account
from shared.repository.port import BadCursor

_SORT_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z\|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def sort_key(account: Account) -> str:
    """The list order of an account: creation time, then id (timestamps have a fixed width)."""
    return f"{account.createdDateTime}|{account.id}"


def encode_cursor(key: str) -> str:
    """The opaque cursor that continues after `key`."""
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The sort key inside a cursor; BadCursor if it is not one this service made."""
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor("The paging token is not valid.") from None
    if not _SORT_KEY.match(key):
        raise BadCursor("The paging token is not valid.")
    return key
