"""parse_json_object: size, emptiness, Content-Type and strict RFC 8259 JSON (contract §3)."""

from __future__ import annotations

import json
import re

import pytest

from shared.errors import BadRequest, PayloadTooLarge
from shared.validation.content_type import UNREADABLE_MESSAGE
from shared.validation.json_body import EMPTY_MESSAGE, NOT_OBJECT_MESSAGE, parse_json_object

LIMIT = 65536
JSON = "application/json"
SEED = b'{"allowedAudiences": "organization", "countryCode": "NO", }'


def parse(body: bytes | None, content_type: str | None = JSON, *, max_bytes: int = LIMIT, allow_empty: bool = False):
    return parse_json_object(body, content_type=content_type, max_bytes=max_bytes, allow_empty=allow_empty)


def bad(body: bytes | None, content_type: str | None = JSON, **kwargs) -> BadRequest:
    with pytest.raises(BadRequest) as info:
        parse(body, content_type, **kwargs)
    assert info.value.status == 400 and info.value.code == "invalidRequest"
    return info.value


def position(message: str) -> tuple[int, int]:
    match = re.fullmatch(r"Invalid JSON at line (\d+), column (\d+): .+\.", message)
    assert match, message
    return int(match.group(1)), int(match.group(2))


# --- the seed example -------------------------------------------------------------------------------


def test_seed_example_verbatim_is_rejected_at_its_trailing_comma() -> None:
    error = bad(SEED)
    assert error.message == "Invalid JSON at line 1, column 57: trailing comma."
    assert SEED.decode()[57 - 1] == ","


def test_seed_example_without_its_comma_is_accepted() -> None:
    doc = parse(SEED.replace(b'"NO", }', b'"NO" }'))
    assert doc == {"allowedAudiences": "organization", "countryCode": "NO"}


def test_seed_example_as_laid_out_over_lines_points_at_the_comma() -> None:
    body = b'{\n  "allowedAudiences": "organization",\n  "countryCode": "NO",\n}\n'
    assert position(bad(body).message) == (3, 22)


# --- not RFC 8259 JSON: 400 naming line and column -------------------------------------------------

INVALID = [
    (b"[1, 2, ]", (1, 6), "trailing comma"),
    (b'{"a": [1,\n 2,\n ]}', (2, 3), "trailing comma"),
    (b"{'a': 1}", (1, 2), "single quotes"),
    (b"{\"a\": 'x'}", (1, 7), "single quotes"),
    (b'{"a": NaN}', (1, 7), "NaN"),
    (b'{"a": Infinity}', (1, 7), "Infinity"),
    (b'{"a": [0, -Infinity]}', (1, 11), "-Infinity"),
    (b'{"NaN": "NaN", "b": NaN}', (1, 21), "NaN"),
    (b'{"a": 1e309}', (1, 7), "out of range"),
    (b'{"a": -1e309}', (1, 7), "out of range"),
    (b'{"a": 11e309, "b": 1e309}', (1, 7), "out of range"),
    (b'{"a": "1e999", "b":\n 1e999}', (2, 2), "out of range"),
    (b'{"a": ' + b"9" * 400 + b"}", (1, 7), "out of range"),
    (b'{"a": ' + b"1" * 5000 + b"}", (1, 7), "out of range"),
    (b'{"a": "x\ny"}', (1, 9), "control character"),
    (b'{"a": "x\ty"}', (1, 9), "control character"),
    (b'{"a": "\x00"}', (1, 8), "control character"),
    (b'{"a": "\x1f"}', (1, 8), "control character"),
    (b'{"a": "\\ud800"}', (1, 7), "surrogate"),
    (b'{"a": "ok", "b": "x\\udc00y"}', (1, 18), "surrogate"),
    (b'{"\\ud83d": 1}', (1, 2), "surrogate"),
    (b'{"a": "\\x"}', (1, 8), "escape"),
    (b'{"a": "\\u12"}', (1, 9), "escape"),
    (b'{"a": "x}', (1, 7), "unterminated"),
    (b'{"a" 1}', (1, 6), "':'"),
    (b'{"a": 1 "b": 2}', (1, 9), "','"),
    (b'{"a": 1}}', (1, 9), "after the JSON value"),
    (b'{"a": 1} {}', (1, 10), "after the JSON value"),
    (b'{"a": 1', (1, 8), "end of input"),
    (b"{", (1, 2), "end of input"),
    (b'{"a": tru}', (1, 7), "value"),
    (b'{"a": 01}', (1, 8), "','"),
    (b'{"a": +1}', (1, 7), "value"),
    (b'{"a": .5}', (1, 7), "value"),
    (b'{"a": 0x1F}', (1, 8), "','"),
    (b'{"a": 1} // comment', (1, 10), "after the JSON value"),
    (b'{/* c */ "a": 1}', (1, 2), "property name"),
    (b"{a: 1}", (1, 2), "property name"),
    (b'{"a": 1,,}', (1, 9), "property name"),
    (b'\xc2\xa0{"a": 1}', (1, 1), "value"),
]


@pytest.mark.parametrize(("body", "where", "reason"), INVALID, ids=[repr(row[0][:24]) for row in INVALID])
def test_invalid_json_is_400_naming_line_and_column(body: bytes, where: tuple[int, int], reason: str) -> None:
    error = bad(body)
    assert position(error.message) == where
    assert reason in error.message


INVALID_UTF8 = [
    (b'{"a": "\xff"}', (1, 8)),
    (b'{"a": "\xe2\x82"}', (1, 8)),  # truncated sequence
    (b'{"a": "\xc0\xaf"}', (1, 8)),  # overlong '/'
    (b'{"a": "\xed\xa0\x80"}', (1, 8)),  # UTF-8-encoded surrogate
    (b'{"a": "\xf4\x90\x80\x80"}', (1, 8)),  # above U+10FFFF
    (b'{"\xc3\xa6\xc3\xb8": 1,\n "b": "\xe2\x82\xac\x80"}', (2, 9)),  # columns count characters
    (b"\xff\xfe{\x00}\x00", (1, 1)),  # UTF-16 with its BOM
]


@pytest.mark.parametrize(("body", "where"), INVALID_UTF8)
def test_invalid_utf8_is_400_naming_line_and_column(body: bytes, where: tuple[int, int]) -> None:
    error = bad(body)
    assert position(error.message) == where
    assert "UTF-8" in error.message


def test_utf8_byte_order_mark_is_refused() -> None:
    error = bad(b'\xef\xbb\xbf{"a": 1}')
    assert position(error.message) == (1, 1)
    assert "byte order mark" in error.message


def test_non_ascii_text_and_escapes_are_accepted() -> None:
    doc = parse('{"navn": "Ærøskøbing \\u00e6 \\ud83d\\ude00 😀"}'.encode())
    assert doc == {"navn": "Ærøskøbing æ 😀 😀"}


# --- duplicate keys ---------------------------------------------------------------------------------

DUPLICATES = [
    (b'{"a": 1, "a": 1}', (1, 10), "'a'"),
    (b'{"a": {"b": {"c": {"d": {"e": 1, "e": 2}}}}}', (1, 34), "'e'"),
    (b'{"list": [{"x": 1}, {"x": 1, "y": 2, "x": 3}]}', (1, 38), "'x'"),
    (b'{"a": 1, "\\u0061": 2}', (1, 10), "'a'"),
    (b'{"a": 1,\n "b": {"a": 1},\n "a": 2}', (3, 2), "'a'"),
]


@pytest.mark.parametrize(("body", "where", "name"), DUPLICATES)
def test_duplicate_keys_at_any_depth_are_400(body: bytes, where: tuple[int, int], name: str) -> None:
    error = bad(body)
    assert position(error.message) == where
    assert "duplicate" in error.message and name in error.message


def test_same_key_in_different_objects_is_not_a_duplicate() -> None:
    assert parse(b'{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}], "c": "\\"a\\": 1"}')["b"] == [{"a": 1}, {"a": 2}]


# --- nesting ----------------------------------------------------------------------------------------


def nested(levels: int) -> bytes:
    return b'{"a": ' * levels + b"1" + b"}" * levels


def test_32_levels_are_accepted_and_33_are_not() -> None:
    assert parse(nested(32)) is not None
    error = bad(nested(33))
    assert position(error.message) == (1, 1 + 6 * 32)
    assert "nesting" in error.message


def test_arrays_count_as_levels() -> None:
    assert parse(b'{"a": ' + b"[" * 31 + b"]" * 31 + b"}") is not None
    assert "nesting" in bad(b'{"a": ' + b"[" * 32 + b"]" * 32 + b"}").message


def test_brackets_inside_strings_do_not_count() -> None:
    body = json.dumps({"a": "[{" * 1000, "b": '\\"[[[[' * 50}).encode()
    assert parse(body)["a"] == "[{" * 1000


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000, b"[" * 100_000 + b"]" * 100_000])
def test_100000_levels_are_a_400_not_a_recursion_error(body: bytes) -> None:
    assert "nesting deeper than 32 levels" in bad(body, max_bytes=10**7).message


def test_deep_nesting_under_the_size_limit_is_a_400() -> None:
    assert "nesting" in bad(b"[" * 60_000).message


# --- not an object ----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"[]", b'"x"', b"1", b"null", b"true", b"1.5", b'[{"a": 1}]'])
def test_json_that_is_not_an_object_is_400(body: bytes) -> None:
    assert bad(body).message == NOT_OBJECT_MESSAGE


# --- empty bodies -----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [None, b"", b" ", b"\r\n\t "])
@pytest.mark.parametrize("content_type", [JSON, None, "text/plain"])
def test_empty_body(body: bytes | None, content_type: str | None) -> None:
    assert parse(body, content_type, allow_empty=True) is None
    assert bad(body, content_type).message == EMPTY_MESSAGE


def test_empty_object_is_not_empty() -> None:
    assert parse(b" {} ") == {}


# --- Content-Type ------------------------------------------------------------------------------------

GOOD_TYPES = [
    "application/json",
    "Application/JSON",
    " application/json ",
    "application/json; charset=utf-8",
    "application/json;charset=UTF-8",
    'application/json; charset="utf-8"',
    "application/json; odata.metadata=minimal",
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false",
    "application/json; charset=utf-8; odata.metadata=minimal",
    "application/json;",
]
BAD_TYPES = [
    None,
    "",
    "text/plain",
    "text/json",
    "application/xml",
    "application/jsonx",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json, text/plain",
    "application/json; charset=iso-8859-1",
    "application/json; charset=utf-16",
    "application/json; charset=utf8",
    "application/json; charset",
    "application/json; charset=",
    "application/json; =utf-8",
]


@pytest.mark.parametrize("content_type", GOOD_TYPES)
def test_json_content_types_with_parameters_are_accepted(content_type: str) -> None:
    assert parse(b'{"a": 1}', content_type) == {"a": 1}


@pytest.mark.parametrize("content_type", BAD_TYPES)
def test_other_content_types_are_400_not_415(content_type: str | None) -> None:
    assert bad(b'{"a": 1}', content_type).message == UNREADABLE_MESSAGE


def test_content_type_is_checked_before_the_json() -> None:
    assert bad(SEED, "text/plain").message == UNREADABLE_MESSAGE


# --- size -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", [JSON, None, "text/plain"])
def test_a_body_over_the_limit_is_413_before_anything_else(content_type: str | None) -> None:
    with pytest.raises(PayloadTooLarge) as info:
        parse(b"{" + b"x" * LIMIT, content_type)  # 64 KiB + 1, not even JSON
    assert info.value.status == 413


def test_whitespace_over_the_limit_is_still_413() -> None:
    with pytest.raises(PayloadTooLarge):
        parse(b" " * (LIMIT + 1), allow_empty=True)


def test_a_body_of_exactly_the_limit_is_parsed() -> None:
    prefix = b'{"a": "'
    body = prefix + b"x" * (LIMIT - len(prefix) - 2) + b'"}'
    assert len(body) == LIMIT
    assert len(parse(body)["a"]) == LIMIT - 9


def test_the_limit_is_configurable() -> None:
    with pytest.raises(PayloadTooLarge):
        parse(b'{"a": 1}', max_bytes=7)
    assert parse(b'{"a": 1}', max_bytes=8) == {"a": 1}


# --- valid values survive -----------------------------------------------------------------------------


def test_valid_values_are_returned_as_parsed() -> None:
    body = b'{"s": "x", "i": -12, "f": 1.5e3, "t": true, "n": null, "l": [1, {"k": []}], "big": 1.7e308}'
    assert parse(body) == {"s": "x", "i": -12, "f": 1500.0, "t": True, "n": None, "l": [1, {"k": []}], "big": 1.7e308}
