"""`$orderby`: parsing, typed order, directions, nulls, and the createdDateTime, id tie-breakers."""

from __future__ import annotations

import pytest

from shared import query
from shared.errors import BadRequest
from shared.facets.catalog import CERTIFICATIONS, POSITIONS, SKILLS

from .support import facet, facet_id, ids, run


def bad(value, facet_type=SKILLS) -> str:
    with pytest.raises(BadRequest) as caught:
        query.parse_list_query({"$orderby": value}, facet_type)
    return caught.value.message


def numbers(page) -> list[int]:
    return [int(value[-4:], 16) for value in ids(page.items)]


def test_parse_keys_paths_directions_in_canonical_spelling():
    parsed = query.parse_list_query({"$orderby": "Detail/JobTitle DESC, isCurrent,createdDateTime asc"}, POSITIONS)
    assert [(key.path, key.descending, key.query_type) for key in parsed.orderby] == [
        (("detail", "jobTitle"), True, "string"),
        (("isCurrent",), False, "boolean"),
        (("createdDateTime",), False, "datetime"),
    ]
    assert [key.text for key in parsed.orderby] == ["detail/jobTitle desc", "isCurrent asc", "createdDateTime asc"]


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("nope", "Could not find a property named 'nope' on type 'microsoft.graph.skillProficiency'."),
        ("displayName sideways", "must be a property path, then asc or desc"),
        ("displayName asc desc", "must be a property path, then asc or desc"),
        ("", "a property name is missing"),
        ("displayName,", "a property name is missing"),
        ("categories", "'categories' is not a primitive property"),
        ("inference", "'inference' is not a primitive property"),
        ("tolower(displayName)", "is not a property path"),
        ("displayName/x", "'displayName' is not a complex property"),
        ("displayName,DisplayName desc", "'displayName' appears more than once"),
        ("id,displayName,proficiency,webUrl,createdDateTime,lastModifiedDateTime", "at most 5 properties"),
    ],
)
def test_bad_orderby_is_400_saying_what(value, fragment):
    assert fragment in bad(value)


def test_long_text_cannot_be_ordered_by():
    assert "'description' is long text" in bad("description", CERTIFICATIONS)
    assert "'detail/summary' is long text" in bad("detail/summary", POSITIONS)


def test_default_order_is_created_then_id_whatever_the_input_order():
    same_time = "2024-01-01T00:00:00.0000000Z"
    items = [
        facet(SKILLS, 3, createdDateTime="2024-01-01T00:00:01.0000000Z"),
        facet(SKILLS, 2, createdDateTime=same_time),
        facet(SKILLS, 1, createdDateTime=same_time),
        facet(SKILLS, 4, createdDateTime="2023-12-31T23:59:59.9999999Z"),
    ]
    assert numbers(run(SKILLS, {}, items)) == [4, 1, 2, 3]
    assert numbers(run(SKILLS, {}, list(reversed(items)))) == [4, 1, 2, 3]


def test_created_date_times_order_as_instants_not_as_text():
    items = [
        facet(SKILLS, 1, createdDateTime="2024-01-01T10:00:00+05:00"),  # 05:00Z
        facet(SKILLS, 2, createdDateTime="2024-01-01T06:00:00Z"),
        facet(SKILLS, 3, createdDateTime="2024-01-01T04:00:00-02:00"),  # 06:00Z, tie with 2 -> id
    ]
    assert numbers(run(SKILLS, {}, items)) == [1, 2, 3]


def test_strings_order_ordinally_with_null_first_ascending_and_last_descending():
    items = [
        facet(SKILLS, 1, displayName="b"),
        facet(SKILLS, 2, displayName="B"),
        facet(SKILLS, 3, displayName=None),
        facet(SKILLS, 4, displayName="a"),
        facet(SKILLS, 5, displayName="Ä"),
    ]
    assert numbers(run(SKILLS, {"$orderby": "displayName"}, items)) == [3, 2, 4, 1, 5]
    assert numbers(run(SKILLS, {"$orderby": "displayName desc"}, items)) == [5, 1, 4, 2, 3]


def test_ties_are_broken_by_created_then_id_also_when_descending():
    items = [facet(SKILLS, n, displayName="same" if n != 2 else "other") for n in (5, 1, 2, 4, 3)]
    assert numbers(run(SKILLS, {"$orderby": "displayName desc"}, items)) == [1, 3, 4, 5, 2]
    assert numbers(run(SKILLS, {"$orderby": "displayName"}, items)) == [2, 1, 3, 4, 5]


def test_several_keys_with_mixed_directions():
    items = [
        facet(SKILLS, 1, displayName="a", proficiency="expert"),
        facet(SKILLS, 2, displayName="b", proficiency="expert"),
        facet(SKILLS, 3, displayName="a", proficiency="elementary"),
        facet(SKILLS, 4, displayName="c", proficiency=None),
    ]
    assert numbers(run(SKILLS, {"$orderby": "proficiency desc,displayName desc"}, items)) == [2, 1, 3, 4]
    assert numbers(run(SKILLS, {"$orderby": "proficiency,displayName desc"}, items)) == [4, 3, 2, 1]


def test_enums_order_by_declaration_not_alphabetically():
    items = [
        facet(SKILLS, 1, proficiency="expert"),
        facet(SKILLS, 2, proficiency="advancedProfessional"),
        facet(SKILLS, 3, proficiency="elementary"),
        facet(SKILLS, 4, proficiency="limitedWorking"),
    ]
    assert numbers(run(SKILLS, {"$orderby": "proficiency"}, items)) == [3, 4, 2, 1]


def test_numbers_booleans_and_dates_order_by_value():
    items = [
        facet(POSITIONS, 1, detail={"layer": 10, "startMonthYear": "2020-01-01"}, isCurrent=True),
        facet(POSITIONS, 2, detail={"layer": 9, "startMonthYear": "2019-12-31"}, isCurrent=False),
        facet(POSITIONS, 3, detail={"layer": -1, "startMonthYear": None}, isCurrent=None),
        facet(POSITIONS, 4, detail=None, isCurrent=True),
    ]
    assert numbers(run(POSITIONS, {"$orderby": "detail/layer"}, items)) == [4, 3, 2, 1]  # 10 after 9: numeric
    assert numbers(run(POSITIONS, {"$orderby": "detail/startMonthYear desc"}, items)) == [1, 2, 3, 4]
    assert numbers(run(POSITIONS, {"$orderby": "isCurrent"}, items)) == [3, 2, 1, 4]
    scored = [
        facet(SKILLS, n, inference={"confidenceScore": score, "userHasVerifiedAccuracy": False})
        for n, score in ((1, 0.5), (2, 2), (3, -0.25))
    ]
    assert numbers(run(SKILLS, {"$orderby": "inference/confidenceScore"}, scored)) == [3, 1, 2]


def test_values_of_a_foreign_type_order_as_null_and_never_raise():
    items = [
        facet(SKILLS, 1, displayName="a"),
        {**facet(SKILLS, 2), "displayName": 5},  # never stored by the service; still no TypeError
        {**facet(SKILLS, 3), "displayName": ["x"]},
    ]
    assert numbers(run(SKILLS, {"$orderby": "displayName"}, items)) == [2, 3, 1]
    odd_times = [
        facet(SKILLS, 1, createdDateTime="2024-01-01T00:00:00Z"),
        facet(SKILLS, 2, createdDateTime="0001-01-01T00:00:00+01:00"),  # out of range as an instant: null
        facet(SKILLS, 3, createdDateTime="not a time"),
    ]
    assert numbers(run(SKILLS, {}, odd_times)) == [2, 3, 1]
    assert numbers(run(SKILLS, {"$filter": "createdDateTime eq null"}, odd_times)) == [2, 3]
    assert ids(run(SKILLS, {"$filter": "displayName gt 'A'"}, items).items) == [facet_id(1)]
