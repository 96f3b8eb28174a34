"""Per-type value rules of contract §2, for every property of every collection that has the kind.

Each test is parametrised over the (collection, property path) pairs the catalog declares with a kind,
so a property added to a declaration is covered without touching these tests. Paths reach into complex
values and list items ("colleagues[0].relationship"). Create sends the value in a fully populated body;
patch sends only the property that holds it.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared.facets.common import Audiences
from shared.facets.kinds import (
    MAX_ITEMS,
    MAX_LONG_TEXT,
    MAX_TEXT,
    Boolean,
    Complex,
    Date,
    Double,
    Enum,
    Int32,
    ListOf,
    Text,
)
from shared.facets.rules import absolute_url, email_address
from shared.validation.codes import locale_tag
from tests.support.facet_bodies import full_body, target, with_value
from tests.unit.facets.helpers import (
    BOTH,
    accepted_create,
    accepted_patch,
    is_required,
    kind_at,
    path_cases,
    refused,
    refused_at,
    sample_at,
)


def _rule(rule: Any) -> Any:
    return lambda kind: isinstance(kind, Text) and kind.rule is rule


ENUMS = path_cases(lambda kind: isinstance(kind, Enum))
DATES = path_cases(lambda kind: isinstance(kind, Date))
URLS = path_cases(_rule(absolute_url))
EMAILS = path_cases(_rule(email_address))
LANGUAGE_TAGS = path_cases(_rule(locale_tag))
PLAIN_TEXT = path_cases(lambda kind: isinstance(kind, Text) and kind.rule is None)
#: Plain text that is free text (profileSourceAnnotation.properties hold names of the type's properties).
FREE_TEXT = [case for case in PLAIN_TEXT if case.values[1][0] != "sources" or case.values[1][-2] != "properties"]
STRING_LISTS = path_cases(lambda kind: isinstance(kind, ListOf) and isinstance(kind.item, Text))
COMPLEX_LISTS = path_cases(lambda kind: isinstance(kind, ListOf) and isinstance(kind.item, Complex))
INT32 = path_cases(lambda kind: isinstance(kind, Int32))
DOUBLES = path_cases(lambda kind: isinstance(kind, Double))
BOOLEANS = path_cases(lambda kind: isinstance(kind, Boolean))
COMPLEX = path_cases(lambda kind: isinstance(kind, Complex))
#: Every writable path whose value is a string of some kind (for the wrong-JSON-type check).
STRINGS = path_cases(lambda kind: isinstance(kind, Text | Enum | Date) and not isinstance(kind, Audiences))


def both(facet_type: Any, path: tuple, value: Any) -> Any:
    """The canonical value kept at `path` by create and by patch (they must agree)."""
    created = accepted_create(facet_type, path, value)
    assert accepted_patch(facet_type, path, value) == created
    return created


# --- enums ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("facet_type", "path"), ENUMS)
def test_every_enum_member_but_unknown_future_value_is_accepted(facet_type: Any, path: tuple) -> None:
    kind = kind_at(facet_type, path)
    assert "unknownFutureValue" not in kind.accepted
    for member in kind.accepted:
        assert both(facet_type, path, member) == member


@BOTH
@pytest.mark.parametrize(("facet_type", "path"), ENUMS)
@pytest.mark.parametrize("value", ["unknownFutureValue", "notAMember", "", "UPPER", "Capitalised"])
def test_an_invalid_enum_member_is_400_naming_the_property(
    facet_type: Any, path: tuple, value: str, patch: bool
) -> None:
    first = kind_at(facet_type, path).accepted[0]
    value = {"UPPER": first.upper(), "Capitalised": first[:1].upper() + first[1:]}.get(value, value)
    error = refused_at(facet_type, path, value, patch=patch)
    assert f"'{target(path)}'" in error.message and first in error.message
    assert "Allowed values are" in error.message and "unknownFutureValue" not in error.message


@pytest.mark.parametrize(("facet_type", "path"), ENUMS)
@pytest.mark.parametrize("value", [1, True, ["x"], {"x": 1}])
def test_an_enum_value_that_is_not_a_string_is_400(facet_type: Any, path: tuple, value: Any) -> None:
    assert refused_at(facet_type, path, value).details[0].code == "invalidType"


# --- dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("facet_type", "path"), DATES)
@pytest.mark.parametrize("value", ["2020-02-29", "1900-01-01", "9999-12-31", "0001-01-01", None])
def test_dates_are_yyyy_mm_dd(facet_type: Any, path: tuple, value: str | None) -> None:
    assert both(facet_type, path, value) == value


@BOTH
@pytest.mark.parametrize(("facet_type", "path"), DATES)
@pytest.mark.parametrize(
    "value",
    [
        "2020-02-30",
        "2021-02-29",
        "2020-1-1",
        "20200101",
        "2020-13-01",
        "2020-00-10",
        "0000-01-01",
        "2020/01/01",
        "2020-01-01T00:00:00Z",
        "2020-01",
        " 2020-01-01",
        "2020-01-01 ",
        "\uff12\uff10\uff12\uff10-01-01",
        "yesterday",
        20200101,
        True,
    ],
)
def test_anything_else_is_not_a_date(facet_type: Any, path: tuple, value: Any, patch: bool) -> None:
    refused_at(facet_type, path, value, patch=patch)


# --- URLs, e-mail addresses, language tags ---------------------------------------------------------------


@pytest.mark.parametrize(("facet_type", "path"), URLS)
@pytest.mark.parametrize(
    "value",
    ["http://example.com", "https://www.contoso.com/a/b?c=d#e", "HTTPS://EXAMPLE.COM", "http://[::1]:8080/", None],
)
def test_urls_are_absolute_http_or_https(facet_type: Any, path: tuple, value: str | None) -> None:
    assert both(facet_type, path, value) == value


@BOTH
@pytest.mark.parametrize(("facet_type", "path"), URLS)
@pytest.mark.parametrize(
    "value",
    [
        "ftp://example.com/file",
        "/relative/path",
        "relative",
        "//example.com/x",
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "mailto:a@b.c",
        "http://",
        "https:///path",
        "http://exa mple.com",
        "http://example.com:99999/",
        "https://example.com/\n",
        "",
        "https://" + "x" * 300 + ".com",
        1,
    ],
)
def test_anything_else_is_not_a_url(facet_type: Any, path: tuple, value: Any, patch: bool) -> None:
    refused_at(facet_type, path, value, patch=patch)


@pytest.mark.parametrize(("facet_type", "path"), EMAILS)
@pytest.mark.parametrize("value", ["adele.vance@contoso.com", "first.last+tag@sub.example.co.uk", "ä@example.de", None])
def test_email_addresses_are_well_formed(facet_type: Any, path: tuple, value: str | None) -> None:
    assert both(facet_type, path, value) == value


@BOTH
@pytest.mark.parametrize(("facet_type", "path"), EMAILS)
@pytest.mark.parametrize(
    "value",
    [
        "adele",
        "adele@",
        "@contoso.com",
        "adele@contoso",
        "a b@contoso.com",
        "a..b@contoso.com",
        "adele@@contoso.com",
        "<adele@contoso.com>",
        "",
        1,
    ],
)
def test_anything_else_is_not_an_email_address(facet_type: Any, path: tuple, value: Any, patch: bool) -> None:
    refused_at(facet_type, path, value, patch=patch)


@pytest.mark.parametrize(("facet_type", "path"), LANGUAGE_TAGS)
@pytest.mark.parametrize(
    ("value", "canonical"),
    [("en-us", "en-US"), ("nb-NO", "nb-NO"), ("zh-hant-tw", "zh-Hant-TW"), ("fil", "fil"), (None, None)],
)
def test_language_tags_are_bcp47_in_canonical_case(facet_type: Any, path: tuple, value: Any, canonical: Any) -> None:
    assert both(facet_type, path, value) == canonical


@BOTH
@pytest.mark.parametrize(("facet_type", "path"), LANGUAGE_TAGS)
@pytest.mark.parametrize(
    "value", ["en_US", "xx-YY", "qaa", "english", "en-", "", "en-US-u-ca-gregory-nu-latn-co-phonebk", 1]
)
def test_anything_else_is_not_a_language_tag(facet_type: Any, path: tuple, value: Any, patch: bool) -> None:
    refused_at(facet_type, path, value, patch=patch)


# --- strings and string collections -----------------------------------------------------------------------


@pytest.mark.parametrize(("facet_type", "path"), FREE_TEXT)
def test_strings_up_to_their_limit_are_accepted(facet_type: Any, path: tuple) -> None:
    kind = kind_at(facet_type, path)
    longest = "é" * kind.max_length  # characters, not bytes
    assert both(facet_type, path, longest) == longest


@BOTH
@pytest.mark.parametrize(("facet_type", "path"), PLAIN_TEXT)
def test_strings_over_their_limit_are_400(facet_type: Any, path: tuple, patch: bool) -> None:
    kind = kind_at(facet_type, path)
    error = refused_at(facet_type, path, "x" * (kind.max_length + 1), patch=patch)
    assert error.details[0].code == "valueTooLong" and str(kind.max_length) in error.message
    assert "xxxx" not in error.message


def test_strings_are_256_characters_unless_graphs_data_needs_longer() -> None:
    """Long text (4,096) only where Graph's data is free text: descriptions, notes and note bodies, summaries."""
    limits: dict[int, set[str]] = {}
    for param in PLAIN_TEXT:
        facet_type, path = param.values
        limits.setdefault(kind_at(facet_type, path).max_length, set()).add(str(path[-1]))
    assert set(limits) == {MAX_TEXT, MAX_LONG_TEXT, 64}
    assert MAX_TEXT == 256 and MAX_LONG_TEXT == 4096
    assert limits[MAX_LONG_TEXT] == {"description", "notes", "content", "summary"}
    assert limits[64] == {"0"}  # source.type's members (personDataSources)


@pytest.mark.parametrize(("facet_type", "path"), STRINGS)
@pytest.mark.parametrize("value", [1, 1.5, True, ["x"], {"x": "y"}])
def test_a_string_property_never_takes_another_json_type(facet_type: Any, path: tuple, value: Any) -> None:
    assert refused_at(facet_type, path, value).details[0].code == "invalidType"


@pytest.mark.parametrize(("facet_type", "path"), STRING_LISTS)
def test_string_collections_hold_up_to_50_members(facet_type: Any, path: tuple) -> None:
    kind = kind_at(facet_type, path)
    assert kind.max_items == MAX_ITEMS == 50
    members = [sample_at(facet_type, (*path, 0))] * 50
    assert both(facet_type, path, members) == members
    assert both(facet_type, path, []) == []
    if not is_required(facet_type, path):
        assert both(facet_type, path, None) is None


@BOTH
@pytest.mark.parametrize(("facet_type", "path"), STRING_LISTS)
def test_string_collections_over_50_members_are_400(facet_type: Any, path: tuple, patch: bool) -> None:
    error = refused_at(facet_type, path, [sample_at(facet_type, (*path, 0))] * 51, patch=patch)
    assert "50" in error.message


@pytest.mark.parametrize(("facet_type", "path"), STRING_LISTS)
@pytest.mark.parametrize(("members", "where"), [([None], 0), (["ok", 1], 1), (["ok", ["x"]], 1)])
def test_string_collection_members_are_strings(facet_type: Any, path: tuple, members: list, where: int) -> None:
    error = _refused_list(facet_type, path, members)
    assert [d.target for d in error.details] == [f"{target(path)}[{where}]"]


def _refused_list(facet_type: Any, path: tuple, members: list) -> Any:
    return refused(facet_type, with_value(full_body(facet_type), path, members))


@pytest.mark.parametrize(("facet_type", "path"), [p for p in STRING_LISTS if p.values[1] != ("source", "type")])
@pytest.mark.parametrize("value", ["one", 1, {"x": "y"}])
def test_a_string_collection_is_an_array(facet_type: Any, path: tuple, value: Any) -> None:
    assert refused_at(facet_type, path, value).details[0].code == "invalidType"


@pytest.mark.parametrize(("facet_type", "path"), COMPLEX_LISTS)
def test_collections_of_complex_values_are_bounded(facet_type: Any, path: tuple) -> None:
    kind = kind_at(facet_type, path)
    members = [sample_at(facet_type, (*path, 0))] * kind.max_items
    assert both(facet_type, path, members) == members
    refused_at(facet_type, path, [*members, members[0]])


# --- numbers and booleans ----------------------------------------------------------------------------


@pytest.mark.parametrize(("facet_type", "path"), INT32)
@pytest.mark.parametrize(
    ("value", "kept"), [(0, 0), (-(2**31), -(2**31)), (2**31 - 1, 2**31 - 1), (7.0, 7), (None, None)]
)
def test_int32_values(facet_type: Any, path: tuple, value: Any, kept: Any) -> None:
    assert both(facet_type, path, value) == kept
    assert type(both(facet_type, path, value)) is type(kept)


@BOTH
@pytest.mark.parametrize(("facet_type", "path"), INT32)
@pytest.mark.parametrize(
    "value",
    [2**31, -(2**31) - 1, 10**30, 10**400, 1.5, -0.5, float("inf"), float("nan"), True, "1", [1]],
    ids=lambda v: repr(v)[:16],
)
def test_int32_out_of_range_or_not_whole_is_400(facet_type: Any, path: tuple, value: Any, patch: bool) -> None:
    refused_at(facet_type, path, value, patch=patch)


@pytest.mark.parametrize(("facet_type", "path"), DOUBLES)
@pytest.mark.parametrize("value", [0, -90, 59.9138, 1.7e308, -1.7e308, 10**300, None])
def test_doubles_are_finite_numbers(facet_type: Any, path: tuple, value: Any) -> None:
    kept = both(facet_type, path, value)
    assert kept == (None if value is None else float(value))
    assert value is None or isinstance(kept, float)


@BOTH
@pytest.mark.parametrize(("facet_type", "path"), DOUBLES)
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 10**400, True, "1.5", [1.5]])
def test_doubles_that_are_not_finite_numbers_are_400(facet_type: Any, path: tuple, value: Any, patch: bool) -> None:
    refused_at(facet_type, path, value, patch=patch)


@pytest.mark.parametrize(("facet_type", "path"), BOOLEANS)
def test_booleans_are_json_booleans(facet_type: Any, path: tuple) -> None:
    assert both(facet_type, path, False) is False and both(facet_type, path, None) is None
    for value in ("true", 1, 0, [True]):
        assert refused_at(facet_type, path, value).details[0].code == "invalidType"


# --- complex values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("facet_type", "path"), COMPLEX)
def test_a_complex_value_may_name_its_declared_type(facet_type: Any, path: tuple) -> None:
    kind = kind_at(facet_type, path)
    for name in (f"#{kind.type.qualified}", kind.type.qualified):
        value = sample_at(facet_type, path)
        assert both(facet_type, path, {"@odata.type": name, **value}) == value


@BOTH
@pytest.mark.parametrize(("facet_type", "path"), COMPLEX)
def test_a_complex_value_naming_another_type_is_400(facet_type: Any, path: tuple, patch: bool) -> None:
    kind = kind_at(facet_type, path)
    others = ("#microsoft.graph.entity", f"#{facet_type.qualified}", f"#microsoft.graph.{kind.type.name.upper()}", 1)
    for name in others:
        body_value = {"@odata.type": name, **sample_at(facet_type, path)}
        error = _refused_value(facet_type, path, body_value, patch=patch)
        assert [d.target for d in error.details] == [f"{target(path)}.@odata.type"]
        assert f"#{kind.type.qualified}" in error.message


def _refused_value(facet_type: Any, path: tuple, value: Any, *, patch: bool) -> Any:
    body = with_value(full_body(facet_type), path, value)
    return refused(facet_type, {path[0]: body[path[0]]} if patch else body, patch=patch)


@BOTH
@pytest.mark.parametrize(("facet_type", "path"), COMPLEX)
@pytest.mark.parametrize("member", ["foo", "Id", "_etag"])
def test_an_unknown_member_of_a_complex_value_is_400_naming_it(
    facet_type: Any, path: tuple, member: str, patch: bool
) -> None:
    kind = kind_at(facet_type, path)
    error = _refused_value(facet_type, path, {**sample_at(facet_type, path), member: "x"}, patch=patch)
    assert [d.target for d in error.details] == [f"{target(path)}.{member}"]
    assert error.message == f"The property '{member}' does not exist on type '{kind.type.qualified}'."
    assert error.details[0].code == "unknownProperty"


@pytest.mark.parametrize(("facet_type", "path"), COMPLEX)
def test_a_complex_value_is_an_object_and_its_omitted_members_are_null(facet_type: Any, path: tuple) -> None:
    kind = kind_at(facet_type, path)
    required = set(kind.type.required)
    partial = {name: value for name, value in sample_at(facet_type, path).items() if name in required}
    assert both(facet_type, path, partial) == {name: partial.get(name) for name in kind.type.properties}
    for value in ("x", 1, True, [sample_at(facet_type, path)]):
        assert refused_at(facet_type, path, value).details[0].code == "invalidType"
