"""Request bodies: size, emptiness, Content-Type, and strict RFC 8259 parsing into a JSON object (§3)."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable

from shared.errors import BadRequest, PayloadTooLarge
from shared.validation import json_scan
from shared.validation.content_type import check_content_type
from shared.validation.names import shorten

EMPTY_MESSAGE = "Empty Payload. JSON content expected."
NOT_OBJECT_MESSAGE = "The request body must be a JSON object."
_JSON_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_MAX_INT = int(sys.float_info.max)
_MAX_INT_CHARS = len(str(_MAX_INT)) + 1

Locator = Callable[[str], tuple[int, str]]


class _Reject(Exception):
    """Raised inside a `json` hook; `locate(text)` gives the offset and the reason."""

    def __init__(self, locate: Locator) -> None:
        super().__init__()
        self.locate = locate


def parse_json_object(
    body: bytes | None,
    *,
    content_type: str | None,
    max_bytes: int,
    allow_empty: bool,
    max_depth: int = json_scan.MAX_DEPTH,
) -> dict | None:
    """The body as a dict (None for an allowed empty body); BadRequest or PayloadTooLarge otherwise.

    `max_depth` is the nesting allowed (a `$batch` envelope adds its own levels above each item's body).
    """
    data = body or b""
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"The request body is larger than the limit of {max_bytes} bytes.")
    if not data.strip(_JSON_WHITESPACE):
        if allow_empty:
            return None
        raise BadRequest(EMPTY_MESSAGE)
    check_content_type(content_type)
    doc = _loads(_decode(data), max_depth)
    if not isinstance(doc, dict):
        raise BadRequest(NOT_OBJECT_MESSAGE)
    return doc


def invalid_json(line: int, column: int, reason: str) -> BadRequest:
    """The 400 for a body that is not RFC 8259 JSON, naming where."""
    return BadRequest(f"Invalid JSON at line {line}, column {column}: {reason}.")


def _invalid_at(text: str, pos: int, reason: str) -> BadRequest:
    return invalid_json(*json_scan.line_col(text, pos), reason)


def _decode(data: bytes) -> str:
    """Strict UTF-8; a byte order mark is refused (RFC 8259 §8.1 forbids sending one)."""
    if data.startswith(_BOM):
        raise invalid_json(1, 1, "a byte order mark (BOM) is not allowed; send UTF-8 without a BOM")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8")
        raise _invalid_at(prefix, len(prefix), "the body is not valid UTF-8") from None


def _loads(text: str, max_depth: int = json_scan.MAX_DEPTH) -> object:
    deep = json_scan.find_excess_depth(text, max_depth)
    if deep is not None:
        raise _invalid_at(text, deep, f"nesting deeper than {max_depth} levels")
    try:
        doc = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise _invalid_at(text, *json_scan.explain(text, exc)) from None
    except _Reject as exc:
        raise _invalid_at(text, *exc.locate(text)) from None
    except (ValueError, RecursionError):  # defensive: nothing from json may escape as a 500
        raise invalid_json(1, 1, "malformed JSON") from None
    if "\\u" in text and not _encodable(doc):
        raise _invalid_at(text, json_scan.locate_unpaired_surrogate(text), "unpaired surrogate in a \\u escape")
    return doc


def _encodable(doc: object) -> bool:
    try:
        json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _pairs(pairs: list[tuple[str, object]]) -> dict:
    obj: dict = {}
    for key, value in pairs:
        if key in obj:
            raise _Reject(_duplicate)
        obj[key] = value
    return obj


def _duplicate(text: str) -> tuple[int, str]:
    found = json_scan.locate_duplicate_key(text)
    pos, name = found if found else (0, "")
    return pos, f"duplicate property name '{shorten(name)}'"


def _constant(name: str) -> object:
    raise _Reject(lambda text: (json_scan.locate_token(text, r"-?(?:NaN|Infinity)"), f"{name} is not a JSON number"))


def _out_of_range(literal: str) -> _Reject:
    return _Reject(lambda text: (json_scan.locate_number(text, literal), "number out of range"))


def _float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise _out_of_range(literal)
    return value


def _int(literal: str) -> int:
    if len(literal) > _MAX_INT_CHARS:
        raise _out_of_range(literal)
    value = int(literal)
    if abs(value) > _MAX_INT:
        raise _out_of_range(literal)
    return value
