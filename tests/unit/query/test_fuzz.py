"""Whatever the input, parsing and running the query options raise nothing but BadRequest."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared import query
from shared.errors import BadRequest
from shared.facets.catalog import ACCOUNT, POSITIONS, SKILLS

from .support import PAGING, facet

pytestmark = pytest.mark.long_running

ITEMS = {
    SKILLS.collection: [
        facet(SKILLS, 1, displayName="Python", proficiency="expert", categories=["a", "B"]),
        facet(SKILLS, 2, displayName=None, categories=[]),
        facet(SKILLS, 3, displayName="straße", inference={"confidenceScore": 0.5, "userHasVerifiedAccuracy": None}),
    ],
    POSITIONS.collection: [
        facet(POSITIONS, 1, detail={"jobTitle": "x", "layer": 3, "startMonthYear": "2020-01-01"}, isCurrent=True),
        facet(POSITIONS, 2, categories=["x"], manager={"displayName": "m"}),
    ],
    ACCOUNT.collection: [facet(ACCOUNT, 1, countryCode="NO")],
}
FACET_TYPES = st.sampled_from([SKILLS, POSITIONS, ACCOUNT])
OPTIONS = ["$top", "$skip", "$filter", "$orderby", "$select", "$count", "$skiptoken", "$expand", "top", "$TOP", "x"]
#: The vocabulary of the filter grammar, so generated expressions get past the lexer and deep into the parser.
WORDS = [
    "displayName",
    "detail",
    "jobTitle",
    "layer",
    "startMonthYear",
    "categories",
    "isCurrent",
    "proficiency",
    "createdDateTime",
    "manager",
    "inference",
    "confidenceScore",
    "countryCode",
    "c",
    "any",
    "all",
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "and",
    "or",
    "not",
    "has",
    "in",
    "add",
    "true",
    "false",
    "null",
    "startswith",
    "endswith",
    "contains",
    "tolower",
    "'x'",
    "'it''s'",
    "'",
    "5",
    "-1",
    "1.5",
    "1e308",
    "1e309",
    "2020-01-01",
    "2020-02-30",
    "2020-01-01T00:00:00Z",
    "2020-01-01T00:00Z",
    "2020-13-01T00:00:00+01:00",
    "(",
    ")",
    ",",
    "/",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59.9999999-14:00",
    ":",
    " ",
    "$it",
    "*",
]
filter_texts = st.lists(st.sampled_from(WORDS), max_size=40).map(lambda words: " ".join(words).replace(" / ", "/"))
any_text = st.text(max_size=300)

PATHS = st.sampled_from(
    [
        "displayName",
        "detail/jobTitle",
        "detail/layer",
        "detail/startMonthYear",
        "detail/company/displayName",
        "isCurrent",
        "proficiency",
        "createdDateTime",
        "manager",
        "categories",
        "inference/confidenceScore",
        "countryCode",
        "c",
        "nope",
        "detail/nope",
        "DETAIL/JOBTITLE",
    ]
)
LITERALS = st.sampled_from(
    [
        "'x'",
        "'Expert'",
        "'expert'",
        "''",
        "5",
        "-2.5",
        "1e3",
        "true",
        "false",
        "null",
        "2020-01-01",
        "2020-01-01T00:00:00Z",
        "2020-01-01T01:00+01:00",
    ]
)
OPERATORS = st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le"])
#: Conditions valid on positions, so that combinations of them reach evaluation.
VALID = st.sampled_from(
    [
        "detail/jobTitle eq 'x'",
        "detail/layer gt 2",
        "detail/layer le 3.5",
        "isCurrent",
        "isCurrent eq false",
        "categories/any(c: c eq 'X')",
        "categories/any()",
        "startswith(detail/jobTitle, 'X')",
        "manager eq null",
        "createdDateTime lt 2024-01-01T00:00:02Z",
        "detail/startMonthYear ge 2019-12-31",
        "detail/layer eq null",
        "contains(detail/company/displayName, '')",
        "null ne detail/role",
        "true",
    ]
)
random_atoms = st.one_of(
    st.builds("{} {} {}".format, PATHS, OPERATORS, LITERALS),
    st.builds("{} {} {}".format, LITERALS, OPERATORS, PATHS),
    st.builds("{}({}, {})".format, st.sampled_from(["startswith", "endswith", "contains", "tolower"]), PATHS, LITERALS),
    st.builds("{}/any(c: c {} {})".format, PATHS, OPERATORS, LITERALS),
    st.builds("{}/any()".format, PATHS),
    PATHS,
)
atoms = st.integers(0, 9).flatmap(lambda n: random_atoms if n == 0 else VALID)  # mostly valid leaves
structured = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.builds("({}) and ({})".format, inner, inner),
        st.builds("{} or {}".format, inner, inner),
        st.builds("not ({})".format, inner),
        st.builds("not {}".format, inner),
        st.builds("({}) eq {}".format, inner, LITERALS),
    ),
    max_leaves=8,
)


@st.composite
def mutated(draw):
    """A structured expression, sometimes with a character dropped or a word inserted."""
    text = draw(structured)
    how = draw(st.sampled_from(["as is", "as is", "as is", "drop", "insert"]))
    if how == "as is" or not text:
        return text
    at = draw(st.integers(0, len(text) - 1))
    if how == "drop":
        return text[:at] + text[at + 1 :]
    return text[:at] + draw(st.sampled_from(WORDS)) + text[at:]


def _run_list(params, facet_type):
    try:
        parsed = query.parse_list_query(params, facet_type)
        page = query.run_list(parsed, ITEMS[facet_type.collection], facet_type=facet_type, paging=PAGING)
    except BadRequest:
        return
    assert page.count is None or page.count >= len(page.items)


@given(st.sampled_from(OPTIONS), any_text, FACET_TYPES)
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_string_for_any_list_option_is_a_page_or_bad_request(option, value, facet_type):
    _run_list({option: value}, facet_type)


@given(filter_texts, FACET_TYPES)
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_expressions_built_from_the_filter_grammar_are_a_page_or_bad_request(text, facet_type):
    _run_list({"$filter": text}, facet_type)


@given(mutated(), FACET_TYPES)
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_structured_expressions_and_their_mutations_are_a_page_or_bad_request(text, facet_type):
    _run_list({"$filter": text, "$orderby": "createdDateTime desc"}, facet_type)


@given(st.dictionaries(st.sampled_from(OPTIONS) | st.text(max_size=10), any_text, max_size=5), FACET_TYPES)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_set_of_parameters_is_a_page_or_bad_request(params, facet_type):
    _run_list(params, facet_type)
    for parse in (lambda: query.parse_get_query(params, facet_type), lambda: query.parse_profile_query(params)):
        with contextlib.suppress(BadRequest):
            parse()


@given(st.sampled_from(["$select", "$expand", "select", "expand", "$filter"]), any_text)
@settings(max_examples=400, deadline=None)
def test_any_string_for_the_profile_and_facet_options_is_parsed_or_bad_request(option, value):
    params = {option: value}
    for parse in (lambda: query.parse_profile_query(params), lambda: query.parse_get_query(params, SKILLS)):
        with contextlib.suppress(BadRequest):
            parse()


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=400))
@settings(max_examples=300, deadline=None)
def test_any_token_in_the_token_alphabet_is_refused_as_bad_request(token):
    _run_list({"$skiptoken": token, "$top": "1"}, SKILLS)


_days = st.one_of(
    st.sampled_from(["0001-01-01", "9999-12-31", "0000-01-01", "2020-02-29", "2021-02-29", "2020-12-32"]),
    st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
)
date_times = st.builds(
    "{}T{}{}{}".format,
    _days,
    st.sampled_from(["00:00", "23:59", "24:00", "12:60", "99:99"]),
    st.sampled_from(["", ":00", ":59.9999999", ":60", ":00.12345678"]),
    st.sampled_from(["Z", "", "z", "+00:00", "-14:00", "+14:00", "+23:59", "-23:59", "-99:99", "+01:60"]),
)


@given(date_times, st.sampled_from(["eq", "lt", "gt"]))
@settings(max_examples=1000, deadline=None)
def test_date_times_of_any_shape_are_a_page_or_bad_request(text, op):
    _run_list({"$filter": f"createdDateTime {op} {text}"}, SKILLS)
    _run_list({"$filter": f"detail/startMonthYear {op} {text[:10]}"}, POSITIONS)


@given(st.integers(min_value=0, max_value=10**6).map(str) | st.text(alphabet="0123456789", min_size=1, max_size=6000))
@settings(max_examples=200, deadline=None)
def test_numbers_of_any_size_are_a_page_or_bad_request(digits):
    for option in ("$top", "$skip"):
        _run_list({option: digits}, SKILLS)
    _run_list({"$filter": f"detail/layer gt {digits}"}, POSITIONS)
    _run_list({"$filter": f"detail/layer gt {digits}.{digits}e{digits}"}, POSITIONS)
