"""If-Match (RFC 9110 §13.1.1) and Idempotency-Key, parsed from the headers the Functions host hands over."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from shared.errors import BadRequest
from shared.repository import etag_matches
from shared.web.conditions import MAX_IDEMPOTENCY_KEY, MAX_IF_MATCH, parse_idempotency_key, parse_if_match
from tests.support.app import build_request

ETAG = '"00000a00-0000-0d00-0000-65a1b2c30000"'


def headers(**values: str) -> Mapping[str, str]:
    """The header mapping the host builds (case-insensitive); `Idempotency_Key=` names `Idempotency-Key`."""
    named = {name.replace("_", "-"): value for name, value in values.items()}
    return build_request("PATCH", "me/profile/skills/x", headers=named).headers


def bad_if_match(value: str) -> BadRequest:
    with pytest.raises(BadRequest) as info:
        parse_if_match(headers(**{"If-Match": value}))
    assert info.value.status == 400 and info.value.code == "invalidRequest"
    assert "If-Match" in info.value.message
    return info.value


# --- If-Match -------------------------------------------------------------------------------------


def test_no_if_match_is_no_precondition() -> None:
    assert parse_if_match(headers()) is None
    assert parse_if_match(headers(Idempotency_Key="k")) is None


@pytest.mark.parametrize("value", ["*", " * ", "*\t"])
def test_star_means_any_current_version(value: str) -> None:
    assert parse_if_match(headers(**{"If-Match": value})) == "*"


@pytest.mark.parametrize("name", ["If-Match", "if-match", "IF-MATCH"])
def test_the_header_name_is_case_insensitive(name: str) -> None:
    assert parse_if_match(headers(**{name: ETAG})) == (ETAG,)


@pytest.mark.parametrize(
    ("value", "tags"),
    [
        (ETAG, (ETAG,)),
        (f" {ETAG} ", (ETAG,)),
        ('"a","b"', ('"a"', '"b"')),
        ('"a", "b" ,\t"c"', ('"a"', '"b"', '"c"')),
        ('""', ('""',)),
        ('"!#$%&\'()*+-./:;<=>?@[]^_`{|}~"', ('"!#$%&\'()*+-./:;<=>?@[]^_`{|}~"',)),
        ('W/"a"', ('W/"a"',)),
        ('W/"a", "b"', ('W/"a"', '"b"')),
    ],
)
def test_one_or_several_entity_tags(value: str, tags: tuple[str, ...]) -> None:
    assert parse_if_match(headers(**{"If-Match": value})) == tags


def test_parsed_tags_match_the_current_etag_strongly() -> None:
    assert etag_matches(parse_if_match(headers(**{"If-Match": ETAG})), ETAG)
    assert etag_matches(parse_if_match(headers(**{"If-Match": f'"stale", {ETAG}'})), ETAG)
    assert not etag_matches(parse_if_match(headers(**{"If-Match": '"stale"'})), ETAG)
    assert etag_matches(parse_if_match(headers(**{"If-Match": "*"})), ETAG)
    assert etag_matches(parse_if_match(headers()), ETAG)


@pytest.mark.parametrize("value", [f"W/{ETAG}", f"W/{ETAG}, W/{ETAG}"])
def test_weak_tags_never_match(value: str) -> None:
    """If-Match uses the strong comparison: a weak tag is parsed (no 400) and matches nothing."""
    parsed = parse_if_match(headers(**{"If-Match": value}))
    assert parsed and not etag_matches(parsed, ETAG)


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "\t",
        "abc",
        ETAG[1:-1],
        '"a',
        'a"',
        '"a" "b"',
        '"a";"b"',
        '"a",',
        ',"a"',
        ",",
        '"a",,"b"',
        '"a"b',
        'w/"a"',
        'W/ "a"',
        "W/a",
        '"a"b"',
        '"a\\"b"',
        '"tag with space"',
        '"\u20ac"',
        '*, "a"',
        "**",
        "null",
        '{"a"}',
        "'a'",
    ],
)
def test_malformed_if_match_is_400(value: str) -> None:
    bad_if_match(value)


def test_the_400_never_echoes_the_header() -> None:
    assert "secret-looking" not in bad_if_match("secret-looking-value").message


def test_an_over_long_if_match_is_400() -> None:
    longest = '"' + "a" * (MAX_IF_MATCH - 2) + '"'
    assert parse_if_match(headers(**{"If-Match": longest})) == (longest,)
    bad_if_match('"' + "a" * (MAX_IF_MATCH - 1) + '"')
    many = ", ".join(f'"{i:08d}"' for i in range(MAX_IF_MATCH // 12 + 1))
    assert len(many) > MAX_IF_MATCH
    bad_if_match(many)


# --- Idempotency-Key ------------------------------------------------------------------------------


def test_no_idempotency_key() -> None:
    assert parse_idempotency_key(headers()) is None


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("k-1", "k-1"),
        (" k-1 ", "k-1"),
        ("a b", "a b"),
        ("x" * MAX_IDEMPOTENCY_KEY, "x" * MAX_IDEMPOTENCY_KEY),
        ("8e2d0f4c-0f3e-4d7a-9b1c-2a3b4c5d6e7f", "8e2d0f4c-0f3e-4d7a-9b1c-2a3b4c5d6e7f"),
        ("!~\"'{}", "!~\"'{}"),
    ],
)
def test_idempotency_keys_are_1_to_255_printable_ascii_characters(value: str, key: str) -> None:
    assert MAX_IDEMPOTENCY_KEY == 255
    assert parse_idempotency_key(headers(Idempotency_Key=value)) == key


@pytest.mark.parametrize("name", ["Idempotency-Key", "idempotency-key", "IDEMPOTENCY-KEY"])
def test_the_idempotency_key_header_name_is_case_insensitive(name: str) -> None:
    assert parse_idempotency_key(headers(**{name: "k"})) == "k"


@pytest.mark.parametrize("value", ["", " ", "\t", "x" * 256, "ключ", "k\u00e9y", "a\tb", "a\x7fb", "\u20ac"])
def test_other_idempotency_keys_are_400(value: str) -> None:
    with pytest.raises(BadRequest) as info:
        parse_idempotency_key(headers(Idempotency_Key=value))
    assert "Idempotency-Key" in info.value.message and "255" in info.value.message


def test_a_comma_inside_an_entity_tag_belongs_to_the_tag() -> None:
    assert parse_if_match({"if-match": '"a,b", W/"c"'}) == ('"a,b"', 'W/"c"')


@pytest.mark.parametrize("value", ['"a",', ',"a"', '"a" "b"', '"a",,"b"'])
def test_a_list_with_a_stray_comma_or_no_separator_is_refused(value: str) -> None:
    with pytest.raises(BadRequest):
        parse_if_match({"if-match": value})
