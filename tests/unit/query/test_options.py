"""Option names and simple values: `$` optional, case-insensitive, no duplicates, route support, numbers."""

from __future__ import annotations

import pytest

from shared import query
from shared.errors import BadRequest
from shared.facets.catalog import ACCOUNT, SKILLS


def bad(call, *args) -> str:
    with pytest.raises(BadRequest) as caught:
        call(*args)
    return caught.value.message


@pytest.mark.parametrize("name", ["$top", "top", "$TOP", "Top", "$Top"])
def test_an_option_is_named_with_or_without_dollar_in_any_case(name):
    assert query.parse_list_query({name: "7"}, SKILLS).top == 7


@pytest.mark.parametrize("pair", [("$top", "top"), ("$top", "$TOP"), ("top", "TOP"), ("$filter", "filter")])
def test_the_same_option_twice_is_400(pair):
    params = {pair[0]: "5", pair[1]: "5"} if "top" in pair[0].lower() else {pair[0]: "id eq 'a'", pair[1]: "id eq 'a'"}
    message = bad(query.parse_list_query, params, SKILLS)
    assert "more than once" in message


def test_options_a_route_does_not_support_are_400_naming_them():
    message = bad(query.parse_get_query, {"$filter": "x", "orderby": "y"}, SKILLS)
    assert "$filter" in message and "$orderby" in message
    assert "$top" in bad(query.parse_profile_query, {"$top": "1"})
    assert "$count" in bad(query.parse_get_query, {"$count": "true"}, SKILLS)
    assert "$search" in bad(query.parse_list_query, {"$search": "x"}, SKILLS)
    assert "$skiptoken" in bad(query.parse_profile_query, {"skiptoken": "x"})


def test_a_dollar_name_that_is_no_odata_option_is_400():
    assert "$foo" in bad(query.parse_list_query, {"$foo": "1"}, SKILLS)
    assert "'$'" in bad(query.parse_list_query, {"$": "1"}, SKILLS)


def test_other_parameters_are_not_odata_options_and_are_ignored():
    # `code` carries a function key through the Functions host; `id` without `$` is a custom parameter.
    params = {"code": "secret", "foo": "bar", "id": "1", "": "x", "$top": "3"}
    assert query.parse_list_query(params, SKILLS).top == 3
    assert query.parse_get_query({"code": "k", "select": "displayName"}, SKILLS) == ("displayName",)
    assert query.parse_profile_query({"code": "k"}) == query.ProfileQuery()


def test_defaults():
    parsed = query.parse_list_query({}, SKILLS)
    assert (parsed.top, parsed.skip, parsed.filter, parsed.orderby, parsed.select, parsed.count, parsed.skiptoken) == (
        100,
        0,
        None,
        (),
        None,
        False,
        None,
    )
    assert parsed.link_params() == {}


@pytest.mark.parametrize("value, expected", [("1", 1), ("100", 100), ("007", 7), ("0" * 100 + "42", 42)])
def test_top_accepts_1_to_100(value, expected):
    assert query.parse_list_query({"$top": value}, SKILLS).top == expected


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "101",
        "-1",
        "+5",
        " 5",
        "5 ",
        "abc",
        "",
        "1.0",
        "1e2",
        "\u00b2",
        "\u0663",
        "\uff15",
        "9" * 4301,
        "1" + "0" * 100_000,
        "0" * 5000 + "42",
    ],
)
def test_top_outside_1_to_100_or_not_ascii_digits_is_400(value):
    message = bad(query.parse_list_query, {"$top": value}, SKILLS)
    assert "$top" in message


@pytest.mark.parametrize("value, expected", [("0", 0), ("15", 15), ("10000000", 10_000_000)])
def test_skip_accepts_0_to_ten_million(value, expected):
    assert query.parse_list_query({"skip": value}, SKILLS).skip == expected


@pytest.mark.parametrize("value", ["-1", "10000001", "9" * 5000, "x", "", "1_000"])
def test_skip_out_of_range_is_400(value):
    assert "$skip" in bad(query.parse_list_query, {"$skip": value}, SKILLS)


@pytest.mark.parametrize("value, expected", [("true", True), ("false", False), ("TRUE", True), ("False", False)])
def test_count_is_true_or_false(value, expected):
    assert query.parse_list_query({"$count": value}, SKILLS).count is expected


@pytest.mark.parametrize("value", ["1", "yes", "", "truee"])
def test_count_otherwise_is_400(value):
    assert "$count" in bad(query.parse_list_query, {"$count": value}, SKILLS)


def test_an_overlong_option_value_is_400_naming_it():
    assert "$select" in bad(query.parse_list_query, {"$select": "id," * 1000}, SKILLS)


def test_link_params_repeat_the_options_as_written_under_canonical_names_without_skip():
    params = {
        "filter": "displayName eq 'A'",
        "$ORDERBY": "displayname DESC",
        "Select": "displayName",
        "top": "5",
        "count": "true",
        "skip": "3",
        "code": "key",
    }
    parsed = query.parse_list_query(params, SKILLS)
    assert parsed.link_params() == {
        "$filter": "displayName eq 'A'",
        "$orderby": "displayname DESC",
        "$select": "displayName",
        "$top": "5",
        "$count": "true",
    }


def test_skip_with_a_skiptoken_is_400():
    message = bad(query.parse_list_query, {"$skip": "1", "$skiptoken": "AAAA"}, SKILLS)
    assert "$skip" in message and "$skiptoken" in message


@pytest.mark.parametrize("token", ["", "not base64!", "a" * (query.MAX_SKIPTOKEN_LENGTH + 1), "a+b/c="])
def test_a_malformed_skiptoken_is_400_when_parsed(token):
    message = bad(query.parse_list_query, {"$skiptoken": token}, ACCOUNT)
    assert message == "The $skiptoken is not valid for this request."
