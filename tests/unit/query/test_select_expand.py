"""`$select` (facets and the profile), projection, and `$expand` on the profile."""

from __future__ import annotations

import pytest

from shared import query
from shared.errors import BadRequest
from shared.facets.catalog import ACCOUNT, FACET_TYPES, NAMES, POSITIONS, SKILLS

from .support import facet


def bad(call, *args) -> str:
    with pytest.raises(BadRequest) as caught:
        call(*args)
    return caught.value.message


def test_select_names_top_level_properties_case_insensitively_in_canonical_spelling():
    assert query.parse_get_query({"$select": "DisplayName, proficiency ,displayname"}, SKILLS) == (
        "displayName",
        "proficiency",
    )
    assert query.parse_list_query({"select": "countryCode"}, ACCOUNT).select == ("countryCode",)


def test_select_star_means_every_property():
    assert query.parse_get_query({"$select": "*"}, SKILLS) is None
    assert query.parse_get_query({"$select": "displayName,*"}, SKILLS) is None


def test_select_of_an_unknown_property_is_400_naming_it_and_the_type():
    assert bad(query.parse_get_query, {"$select": "displayName,nope"}, SKILLS) == (
        "Could not find a property named 'nope' on type 'microsoft.graph.skillProficiency'."
    )


@pytest.mark.parametrize("value", ["detail/jobTitle", "detail/company/displayName"])
def test_select_refuses_paths(value):
    assert "path" in bad(query.parse_get_query, {"$select": value}, POSITIONS)


@pytest.mark.parametrize("value", ["", ",", "displayName,", " , id"])
def test_select_with_an_empty_name_is_400(value):
    assert "$select" in bad(query.parse_get_query, {"$select": value}, SKILLS)


def test_an_unknown_name_is_quoted_shortened():
    message = bad(query.parse_get_query, {"$select": "x" * 500}, SKILLS)
    assert len(message) < 200 and "\u2026" in message


def test_project_keeps_id_and_annotations_always_and_only_what_is_selected():
    body = facet(SKILLS, 1, displayName="Python", proficiency="expert")
    assert query.project(body, ("proficiency",)) == {"id": body["id"], "proficiency": "expert"}
    assert query.project(body, None) == body and query.project(body, None) is not body
    profile = {"@odata.type": "#microsoft.graph.profile", "id": "p"}
    assert query.project(profile, ("skills",)) == profile


def test_list_pages_are_projected():
    items = [facet(SKILLS, n, displayName=f"s{n}") for n in range(3)]
    page = query.run_list(
        query.parse_list_query({"$select": "displayName"}, SKILLS),
        items,
        facet_type=SKILLS,
        paging=query.Paging(key=bytes(32), scope="s"),
    )
    assert page.items == [{"id": item["id"], "displayName": item["displayName"]} for item in items]


def test_profile_select_takes_id_and_collection_names():
    assert query.parse_profile_query({"$select": "ID,Skills"}).select == ("id", "skills")
    assert "microsoft.graph.profile" in bad(query.parse_profile_query, {"$select": "displayName"})


def test_expand_names_collections_case_insensitively_with_optional_nested_select():
    parsed = query.parse_profile_query({"$expand": "NAMES($select=First,last),skills, Account"})
    assert parsed.expand == {"names": ("first", "last"), "skills": None, "account": None}
    nested = query.parse_profile_query({"expand": "skills(select=displayName)"})
    assert nested.expand == {"skills": ("displayName",)}


def test_expand_star_expands_every_collection_and_keeps_explicit_nested_selects():
    everything = query.parse_profile_query({"$expand": "*"}).expand
    assert list(everything) == [facet_type.collection for facet_type in FACET_TYPES]
    assert set(everything.values()) == {None}
    mixed = query.parse_profile_query({"$expand": "skills($select=displayName),*"}).expand
    assert mixed["skills"] == ("displayName",) and len(mixed) == len(FACET_TYPES)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("accounts", "Could not find a property named 'accounts' on type 'microsoft.graph.profile'."),
        ("skills($filter=displayName eq 'x')", "only $select is supported"),
        ("skills($top=1)", "only $select is supported"),
        ("skills($select=displayName;$orderby=displayName)", "only $select is supported"),
        ("skills($select=a;$select=b)", "Could not find a property named 'a'"),
        ("skills($select=displayName;$select=displayName)", "more than once"),
        ("skills($select=nope)", "Could not find a property named 'nope' on type 'microsoft.graph.skillProficiency'."),
        ("skills,Skills", "more than once"),
        ("skills(", "unbalanced"),
        ("skills)", "unbalanced"),
        ("", "must be a collection name"),
        ("skills,,names", "must be a collection name"),
        ("skills($select=displayName)x", "must be a collection name"),
        ("skills/displayName", "Could not find a property named 'skills/displayName'"),
        ("*($select=id)", "takes no nested options"),
        ("skills($levels=2)", "only $select is supported"),
        ("skills()", "only $select is supported"),
    ],
)
def test_bad_expand_is_400_saying_what(value, fragment):
    assert fragment in bad(query.parse_profile_query, {"$expand": value})


def test_expand_with_select_on_the_profile_together():
    parsed = query.parse_profile_query({"$select": "id", "$expand": "names($select=first)"})
    assert parsed.select == ("id",) and parsed.expand == {"names": ("first",)}
    assert NAMES.collection in parsed.expand
