"""Property tests: parse_json_object never fails with anything but BadRequest or PayloadTooLarge."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import BadRequest, PayloadTooLarge
from shared.validation.json_body import parse_json_object

JSONISH = st.text(alphabet="{}[]\",:.-+eE0123456789\\/ubfnrtNaIiy \t\n'\x00\u00e6\ud7ff", max_size=200)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=30
)


def outcome(body: bytes, max_bytes: int = 65536) -> dict | None:
    try:
        return parse_json_object(body, content_type="application/json", max_bytes=max_bytes, allow_empty=False)
    except (BadRequest, PayloadTooLarge):
        return None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=500))
def test_arbitrary_bytes_give_a_dict_or_an_api_error(body: bytes, max_bytes: int) -> None:
    result = outcome(body, max_bytes)
    assert result is None or isinstance(result, dict)


@settings(max_examples=300, deadline=None)
@given(JSONISH)
def test_json_like_text_gives_a_dict_or_an_api_error(text: str) -> None:
    result = outcome(text.encode("utf-8", "surrogatepass"))
    assert result is None or isinstance(result, dict)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), VALUES, max_size=5))
def test_any_json_object_round_trips(doc: dict) -> None:
    expected = doc if depth(doc) <= 32 else None
    assert outcome(json.dumps(doc).encode()) == expected
    assert outcome(json.dumps(doc, ensure_ascii=False).encode()) == expected


def depth(value: object) -> int:
    """Nesting levels of a JSON value (a scalar is 0)."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0
