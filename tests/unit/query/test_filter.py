"""`$filter` semantics over real wire bodies: operators, functions, paths, any, types and null."""

from __future__ import annotations

import pytest

from shared import query
from shared.errors import BadRequest
from shared.facets.catalog import ACCOUNT, POSITIONS, SKILLS

from .support import facet, facet_id, matching_ids


def _position(
    number, *, title=None, layer=None, start=None, current=None, categories=None, company=None, manager=None, score=None
):
    detail = {
        "jobTitle": title,
        "layer": layer,
        "startMonthYear": start,
        "company": None if company is None else {"displayName": company},
    }
    return facet(
        POSITIONS,
        number,
        detail=detail,
        isCurrent=current,
        categories=categories,
        manager=None if manager is None else {"displayName": manager},
        inference=None if score is None else {"confidenceScore": score, "userHasVerifiedAccuracy": True},
    )


POSITION_ITEMS = [
    _position(
        1,
        title="Engineer",
        layer=3,
        start="2019-05-01",
        current=True,
        categories=["Tech", "lead"],
        company="Contoso",
        manager="Ann",
        score=0.9,
    ),
    _position(2, title="engineer", layer=5, start="2021-01-01", current=False, categories=["tech"], company="Fabrikam"),
    _position(3, title="Manager", layer=7, start="2020-02-29", current=None, categories=[], score=0.25),
    _position(4),  # every optional property null (detail's members too)
]
SKILL_ITEMS = [
    facet(SKILLS, 1, displayName="Python", proficiency="expert", categories=["Languages"]),
    facet(SKILLS, 2, displayName="Straße", proficiency="elementary"),
    facet(SKILLS, 3, displayName="PyTest", proficiency=None, categories=["Testing", "Languages"]),
    facet(SKILLS, 4, displayName=None, proficiency="generalProfessional"),
]


def positions(text):
    return [int(value[-4:], 16) for value in matching_ids(POSITIONS, text, POSITION_ITEMS)]


def skills(text):
    return [int(value[-4:], 16) for value in matching_ids(SKILLS, text, SKILL_ITEMS)]


def bad(text, facet_type=POSITIONS) -> str:
    with pytest.raises(BadRequest) as caught:
        query.parse_list_query({"$filter": text}, facet_type)
    return caught.value.message


# --- comparisons ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("detail/layer eq 5", [2]),
        ("detail/layer ne 5", [1, 3, 4]),
        ("detail/layer gt 3", [2, 3]),
        ("detail/layer ge 5", [2, 3]),
        ("detail/layer lt 5", [1]),
        ("detail/layer le 5", [1, 2]),
        ("detail/layer eq 5.0", [2]),
        ("detail/layer gt 4.5", [2, 3]),
        ("detail/layer gt -1", [1, 2, 3]),
        ("inference/confidenceScore ge 0.5", [1]),
        ("inference/confidenceScore lt 1e0", [1, 3]),
    ],
)
def test_each_comparison_operator_on_numbers(text, expected):
    assert positions(text) == expected


def test_operands_may_be_written_literal_first():
    assert positions("5 lt detail/layer") == positions("detail/layer gt 5") == [3]
    assert positions("'Manager' eq detail/jobTitle") == [3]


def test_string_eq_ne_ignore_case_and_ordering_comparisons_are_ordinal():
    assert positions("detail/jobTitle eq 'ENGINEER'") == [1, 2]
    assert positions("detail/jobTitle ne 'engineer'") == [3, 4]
    # ordinal: 'E' (0x45) < 'M' (0x4d) < 'e' (0x65)
    assert positions("detail/jobTitle gt 'Manager'") == [2]
    assert positions("detail/jobTitle lt 'Manager'") == [1]
    assert positions("detail/jobTitle ge 'Manager'") == [2, 3]
    assert positions("detail/jobTitle le 'Engineer'") == [1]


def test_case_folding_is_unicode_aware():
    assert skills("displayName eq 'STRASSE'") == [2]


def test_quotes_in_string_literals_are_doubled():
    items = [facet(SKILLS, 1, displayName="it's"), facet(SKILLS, 2, displayName="its")]
    assert matching_ids(SKILLS, "displayName eq 'it''s'", items) == [facet_id(1)]


def test_booleans():
    assert positions("isCurrent eq true") == [1]
    assert positions("isCurrent eq false") == [2]
    assert positions("isCurrent ne true") == [2, 3, 4]
    assert positions("isCurrent") == [1]
    assert positions("not isCurrent") == [2]  # null stays unknown under not
    assert positions("not isCurrent eq true") == [2]  # (not isCurrent) eq true: OData precedence


def test_dates_compare_as_dates():
    assert positions("detail/startMonthYear ge 2020-01-01") == [2, 3]
    assert positions("detail/startMonthYear eq 2020-02-29") == [3]
    assert positions("detail/startMonthYear lt 2020-02-29") == [1]


def test_date_times_compare_as_instants_whatever_the_offset():
    # facet n is created at 2024-01-01T00:00:0n
    assert positions("createdDateTime gt 2024-01-01T00:00:02Z") == [3, 4]
    assert positions("createdDateTime ge 2024-01-01T01:00:02+01:00") == [2, 3, 4]
    assert positions("createdDateTime lt 2024-01-01T00:00:02.0000001Z") == [1, 2]
    assert positions("createdDateTime eq 2024-01-01T00:00:03Z") == [3]
    assert positions("createdDateTime le 2023-12-31T23:00:03-01:00") == [1, 2, 3]
    assert positions("lastModifiedDateTime lt 2024-01-01T00:00Z") == []
    assert positions("createdDateTime ge 2024-01-01") == [1, 2, 3, 4]  # a date means midnight UTC
    assert positions("createdDateTime lt 2024-01-02") == [1, 2, 3, 4]


def test_enums_match_members_case_insensitively_and_order_by_declaration():
    assert skills("proficiency eq 'expert'") == [1]
    assert skills("proficiency eq 'Expert'") == [1]
    assert skills("proficiency ne 'expert'") == [2, 3, 4]
    # elementary < limitedWorking < generalProfessional < advancedProfessional < expert
    assert skills("proficiency gt 'elementary'") == [1, 4]
    assert skills("proficiency le 'generalProfessional'") == [2, 4]


def test_allowed_audiences_is_a_string():
    items = [facet(SKILLS, 1, allowedAudiences="organization"), facet(SKILLS, 2, allowedAudiences="me")]
    assert matching_ids(SKILLS, "allowedAudiences eq 'Organization'", items) == [facet_id(1)]


# --- null ----------------------------------------------------------------------------------------
def test_eq_null_matches_null_and_absent_values():
    assert positions("detail/jobTitle eq null") == [4]
    assert positions("null eq detail/jobTitle") == [4]
    assert positions("isCurrent eq null") == [3, 4]
    assert positions("detail/company/displayName eq null") == [3, 4]  # company itself is null there
    absent = [{"id": facet_id(9), "createdDateTime": "2024-01-01T00:00:09.0000000Z"}]  # a sparse body
    assert matching_ids(POSITIONS, "detail/jobTitle eq null", absent) == [facet_id(9)]


def test_ne_null_and_ne_a_value_include_or_exclude_null_as_odata_says():
    assert positions("detail/jobTitle ne null") == [1, 2, 3]
    assert positions("detail/layer ne 3") == [2, 3, 4]  # null ne 3 is true


def test_ordering_comparisons_with_null_are_false_unless_both_sides_are_null():
    assert positions("detail/layer gt null") == []
    assert positions("detail/layer lt null") == []
    assert positions("detail/layer ge null") == [4]
    assert positions("detail/layer le null") == [4]
    assert positions("detail/layer lt 100") == [1, 2, 3]  # the null layer is not less than anything


def test_complex_values_can_be_tested_for_null_only():
    assert positions("manager eq null") == [2, 3, 4]
    assert positions("manager ne null") == [1]
    assert "complex" in bad("manager eq 'Ann'")
    assert "complex" in bad("detail gt null")


# --- logic ---------------------------------------------------------------------------------------
def test_and_or_not_and_parentheses():
    assert positions("detail/layer gt 3 and isCurrent eq false") == [2]
    assert positions("detail/layer eq 3 or detail/layer eq 7") == [1, 3]
    assert positions("detail/layer eq 3 or detail/layer eq 5 and isCurrent eq true") == [1]  # and binds tighter
    assert positions("(detail/layer eq 3 or detail/layer eq 5) and isCurrent eq false") == [2]
    assert positions("not (detail/layer eq 3)") == [2, 3, 4]
    assert positions("not not (detail/layer eq 3)") == [1]
    assert positions("true") == [1, 2, 3, 4] and positions("false") == []


def test_keywords_ignore_case():
    assert positions("detail/layer EQ 3 OR NOT (detail/layer Ne 7)") == [1, 3]
    assert positions("isCurrent eq TRUE") == [1]


def test_three_valued_logic_keeps_unknown_out():
    # contains over a null title is unknown; not unknown is unknown, so facet 4 never matches.
    assert positions("contains(detail/jobTitle, 'x')") == []
    assert positions("not contains(detail/jobTitle, 'x')") == [1, 2, 3]
    assert positions("not contains(detail/jobTitle, 'x') or detail/layer eq null") == [1, 2, 3, 4]
    assert positions("contains(detail/jobTitle, 'x') or true") == [1, 2, 3, 4]
    assert positions("not (contains(detail/jobTitle, 'x') and false)") == [1, 2, 3, 4]
    assert positions("contains(detail/jobTitle, 'x') eq null") == [4]
    assert positions("contains(detail/jobTitle, 'eng') eq true") == [1, 2]
    assert positions("contains(detail/jobTitle, 'eng') ne true") == [3, 4]
    assert positions("contains(detail/jobTitle, 'eng') eq false") == [3]


# --- functions ------------------------------------------------------------------------------------
def test_string_functions_ignore_case():
    assert positions("startswith(detail/jobTitle, 'eng')") == [1, 2]
    assert positions("endswith(detail/jobTitle, 'AGER')") == [3]
    assert positions("contains(detail/company/displayName, 'ON')") == [1]
    assert positions("startsWith(detail/jobTitle,'M')") == [3]  # function names ignore case
    assert positions("contains(detail/jobTitle, '')") == [1, 2, 3]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("tolower(detail/jobTitle) eq 'x'", "the function 'tolower' is not supported"),
        ("length(detail/jobTitle) gt 1", "the function 'length' is not supported"),
        ("contains(detail/jobTitle)", "takes two arguments"),
        ("contains(detail/jobTitle, 'a', 'b')", "takes two arguments"),
        ("contains('abc', detail/jobTitle)", "takes a string property, then a string"),
        ("contains(detail/jobTitle, 5)", "takes a string property, then a string"),
        ("contains(detail/jobTitle, null)", "takes a string property, then a string"),
        ("startswith(detail/layer, '5')", "applies to string properties"),
        ("startswith(detail/startMonthYear, '2020')", "applies to string properties"),
    ],
)
def test_bad_function_calls_are_400(text, fragment):
    assert fragment in bad(text)


def test_enum_properties_take_no_string_functions():
    assert "applies to string properties" in bad("startswith(proficiency, 'e')", SKILLS)


# --- any -----------------------------------------------------------------------------------------
def test_any_over_a_string_collection():
    assert positions("categories/any(c: c eq 'tech')") == [1, 2]
    assert positions("categories/any(c: c eq 'lead')") == [1]
    assert positions("categories/any(c: startswith(c, 'LE'))") == [1]
    assert positions("categories/any(c: c eq 'lead' or c eq 'nope')") == [1]
    assert positions("not categories/any(c: c eq 'tech')") == [3, 4]
    assert positions("categories/any()") == [1, 2]
    assert positions("categories/any(x: x ne 'tech')") == [1]
    assert positions("categories/any(c: c eq 'tech' and isCurrent eq false)") == [2]  # other properties inside
    assert skills("categories/any(s: s eq 'languages')") == [1, 3]


def test_any_over_a_string_collection_inside_a_complex_value():
    items = [
        facet(SKILLS, 1, source={"type": ["User", "Directory"]}),
        facet(SKILLS, 2, source={"type": ["Other"]}),
        facet(SKILLS, 3),
    ]
    assert matching_ids(SKILLS, "source/type/any(t: t eq 'user')", items) == [facet_id(1)]
    assert matching_ids(SKILLS, "not source/type/any(t: t eq 'user')", items) == [facet_id(2), facet_id(3)]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("categories/all(c: c eq 'x')", "'all' is not supported"),
        ("categories/any(c: c/any(d: d eq 'x'))", "any inside another any is not supported"),
        ("categories/any(c: categories/any(d: d eq 'x'))", "any inside another any is not supported"),
        ("colleagues/any(c: c eq 'x')", "collections of strings only; 'colleagues' is a collection of complex"),
        ("detail/any(c: c eq 'x')", "'detail' is not a collection"),
        ("categories/any(c: c/displayName eq 'x')", "are strings, which have no properties"),
        ("categories/any(c: c eq 5)", "cannot be compared with a number"),
        ("categories/any(c c eq 'x')", "expected ':'"),
        ("categories/any(5: true)", "expected a lambda variable name"),
        ("categories eq 'x'", "'categories' is a collection; use categories/any"),
    ],
)
def test_unsupported_or_malformed_any_is_400(text, fragment):
    assert fragment in bad(text)


# --- typing and names ----------------------------------------------------------------------------
def test_property_names_ignore_case():
    assert positions("Detail/JobTitle eq 'manager'") == [3]


def test_unknown_properties_are_400_naming_the_property_and_type():
    assert bad("nope eq 1") == "Could not find a property named 'nope' on type 'microsoft.graph.workPosition'."
    assert bad("detail/nope eq 1") == "Could not find a property named 'nope' on type 'microsoft.graph.positionDetail'."
    assert bad("countryCode eq 'NO'", SKILLS).startswith("Could not find a property named 'countryCode'")
    assert query.parse_list_query({"$filter": "countryCode eq 'NO'"}, ACCOUNT).filter is not None


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("detail/jobTitle eq 5", "'detail/jobTitle' is a string and cannot be compared with a number"),
        ("detail/jobTitle eq true", "cannot be compared with a boolean"),
        ("detail/jobTitle eq 2020-01-01", "cannot be compared with a date"),
        ("detail/layer eq '5'", "'detail/layer' is a number and cannot be compared with a string"),
        ("isCurrent eq 1", "is a boolean and cannot be compared with a number"),
        ("detail/startMonthYear eq '2020-01-01'", "compare it with a date such as 2020-07-06 (no quotes)"),
        ("detail/startMonthYear eq 2020-01-01T00:00:00Z", "is a date and cannot be compared with a date-time"),
        ("createdDateTime gt '2020-01-01T00:00:00Z'", "is a date-time and cannot be compared with a string"),
        ("proficiency eq 'master'", "'master' is not a member of the enum of 'proficiency'"),
        ("proficiency eq 3", "is an enum and cannot be compared with a number"),
        ("detail/jobTitle eq detail/role", "comparing two properties"),
        ("1 eq 1", "needs a property on one side"),
        ("detail/jobTitle", "'detail/jobTitle' is not a boolean expression"),
        ("'x'", "a literal on its own is not a condition"),
        ("not detail/jobTitle eq 'x'", "write not (...) to negate a comparison"),
        ("(detail/layer eq 1) gt true", "compared with true, false or null using eq or ne"),
        ("(detail/layer eq 1) eq 'x'", "compared with true, false or null using eq or ne"),
        ("detail/jobTitle/x eq 1", "'detail/jobTitle' is not a complex property"),
        ("colleagues/displayName eq 'x'", "'colleagues' is a collection; a property path cannot go through it"),
    ],
)
def test_type_errors_are_400_saying_what(text, fragment):
    facet_type = SKILLS if text.startswith("proficiency") else POSITIONS
    assert fragment in bad(text, facet_type)


# --- syntax and bounds ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "the expression is empty"),
        ("   ", "the expression is empty"),
        ("detail/layer eq", "expected a property, a literal or '(' but found the end"),
        ("detail/layer 5", "expected 'and', 'or' or the end"),
        ("(detail/layer eq 5", "expected ')'"),
        ("detail/layer eq 5)", "expected 'and', 'or' or the end but found ')'"),
        ("detail/jobTitle eq 'open", "a string is not closed with a quote (at character 20)"),
        ("detail/layer eq 1 eq 2", "comparisons cannot be chained"),
        ("detail/layer has 1", "the operator 'has' is not supported"),
        ("detail/layer in (1, 2)", "the operator 'in' is not supported"),
        ("detail/layer add 1 eq 2", "the operator 'add' is not supported"),
        ("detail/layer eq 1 mod 2", "the operator 'mod' is not supported"),
        ("detail/layer eq $it", "unexpected character '$'"),
        ("detail/layer eq @p", "unexpected character '@'"),
        ("detail/ eq 1", "expected a property name after '/'"),
        ("eq 1", "expected a property, a literal or '(' but found 'eq'"),
        ("detail/layer eq 1 and", "but found the end"),
        ("detail/startMonthYear eq 2020-02-30", "'2020-02-30' is not a valid date"),
        ("createdDateTime eq 2020-01-01T25:00:00Z", "is not a valid date-time"),
        ("createdDateTime eq 2020-01-01T10:00:00", "is not a valid date-time"),
        ("createdDateTime eq 2020-01-01T10:00:00.12345678Z", "is not a valid date-time"),
        ("createdDateTime gt 0001-01-01T00:00:00+01:00", "is not a valid date-time"),
        ("createdDateTime lt 9999-12-31T23:00:00-02:00", "is not a valid date-time"),
        ("createdDateTime lt 2020-01-01T00:00:00+14:01", "is not a valid date-time"),
        ("createdDateTime lt 2020-01-01T00:00:00+01:60", "is not a valid date-time"),
        ("createdDateTime lt 2020-01-01T00:00:00-14:00", None),
        ("detail/layer eq 1e999", "the number '1e999' is out of range"),
        ("detail/layer eq -1e999", "out of range"),
        ("detail/layer eq " + "9" * 1900, "the number literal"),
        ("detail/layer eq 0." + "1" * 100, "too long"),
        ("createdDateTime eq 2020-01-01T" + "1" * 100, "too long"),
        ("detail/layer eq 1 and " * 200 + "true", "longer than 2000 characters"),
        ("detail/layer eq 5 ", None),
    ],
)
def test_syntax_errors_and_bounds_are_400_saying_what_and_where(text, fragment):
    if fragment is None:
        assert query.parse_list_query({"$filter": text}, POSITIONS).filter is not None
        return
    assert fragment in bad(text)


def test_nesting_is_bounded_and_never_recursion_error():
    ok = "(" * query.MAX_FILTER_DEPTH + "isCurrent" + ")" * query.MAX_FILTER_DEPTH
    assert query.parse_list_query({"$filter": ok}, POSITIONS).filter is not None
    too_deep = "(" * (query.MAX_FILTER_DEPTH + 1) + "isCurrent" + ")" * (query.MAX_FILTER_DEPTH + 1)
    assert "nested more than 20 levels" in bad(too_deep)
    assert "nested more than 20 levels" in bad("not " * 21 + "isCurrent")
    assert "nested more than 20 levels" in bad("contains(" * 21)
    assert "nested more than 20 levels" in bad("(" * 1000)
    assert "longer than 2000 characters" in bad("(" * 10_000 + "isCurrent" + ")" * 10_000)


def test_long_flat_conditions_are_fine():
    text = " or ".join(f"detail/layer eq {n}" for n in range(90))
    assert len(text) < query.MAX_FILTER_LENGTH
    assert positions(text) == [1, 2, 3]


def test_filter_text_is_kept_as_written():
    parsed = query.parse_list_query({"$filter": "isCurrent  eq true"}, POSITIONS)
    assert parsed.filter is not None and parsed.filter.text == "isCurrent  eq true"
    assert parsed.link_params() == {"$filter": "isCurrent  eq true"}


def test_count_counts_what_the_filter_matches_not_the_page():
    page = query.run_list(
        query.parse_list_query({"$filter": "detail/layer ge 3", "$top": "1", "$count": "true"}, POSITIONS),
        POSITION_ITEMS,
        facet_type=POSITIONS,
        paging=query.Paging(key=bytes(32), scope="s"),
    )
    assert page.count == 3 and len(page.items) == 1
