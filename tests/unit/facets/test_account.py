"""userAccountInformation (the `account` collection) through validate_create, validate_patch and to_wire (§2)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import BadRequest
from shared.facets.catalog.account import ACCOUNT
from shared.facets.validate import validate_create, validate_patch
from shared.facets.wire import to_wire
from shared.models import DirectoryUser
from tests.support.facet_bodies import stored

ODATA_TYPE = "#microsoft.graph.userAccountInformation"
TYPE_NAME = "microsoft.graph.userAccountInformation"
UPN = "innocenty.popov@adventureworks.com"
ORIGIN = {
    "originTenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    "originUserId": "5c6e7f80-0000-4000-8000-000000000001",
}
USER = DirectoryUser(
    tenant_id="t",
    object_id="o",
    user_principal_name=UPN,
    age_group="adult",
    user_persona="externalMember",
    origin_tenant_info=ORIGIN,
)
WRITABLE = {"allowedAudiences", "inference", "source", "sources", "isSearchable", "countryCode", "preferredLanguageTag"}
READ_ONLY = (
    "id",
    "createdDateTime",
    "createdBy",
    "lastModifiedDateTime",
    "lastModifiedBy",
    "ageGroup",
    "originTenantInfo",
    "userPersona",
    "userPrincipalName",
)
DIRECTORY = ("userPrincipalName", "ageGroup", "userPersona", "originTenantInfo")
#: The stored account every PATCH below applies to, as the client read it.
CURRENT = to_wire(ACCOUNT, stored(ACCOUNT, {"allowedAudiences": "organization", "countryCode": "NO"}), USER)


def create(doc: Any) -> dict[str, Any]:
    return validate_create(ACCOUNT, doc)


def patch(doc: Any) -> dict[str, Any]:
    return validate_patch(ACCOUNT, doc, CURRENT)


BOTH = pytest.mark.parametrize("validate", [create, patch], ids=["create", "patch"])


def rejected(doc: Any, validate: Any = create) -> BadRequest:
    with pytest.raises(BadRequest) as info:
        validate(doc)
    error = info.value
    assert error.status == 400 and error.code == "invalidRequest" and error.details
    assert error.message == error.details[0].message
    return error


def targets(error: BadRequest) -> list[str]:
    return [detail.target for detail in error.details]


# --- create and patch -------------------------------------------------------------------------------


def test_the_declaration_has_the_writable_and_read_only_properties_of_the_contract() -> None:
    assert set(ACCOUNT.writable) == WRITABLE
    assert ACCOUNT.read_only == frozenset(READ_ONLY)


def test_seed_body_creates_with_defaults() -> None:
    assert create({"allowedAudiences": "organization", "countryCode": "NO"}) == {
        "allowedAudiences": "organization",
        "countryCode": "NO",
        "preferredLanguageTag": None,
        "inference": None,
        "source": None,
        "sources": None,
        "isSearchable": None,
    }


@pytest.mark.parametrize("doc", [{}, {"@odata.type": ODATA_TYPE}, {"allowedAudiences": None}])
def test_create_defaults_to_me(doc: dict) -> None:
    values = create(doc)
    assert values["allowedAudiences"] == "me"
    assert set(values) == WRITABLE


def test_full_create_is_canonical() -> None:
    assert create(
        {
            "@odata.type": ODATA_TYPE,
            "allowedAudiences": "Everyone,me,ORGANIZATION",
            "countryCode": "no",
            "preferredLanguageTag": {"locale": "nb-no", "displayName": "Norsk bokmål (Norge)"},
            "inference": {"confidenceScore": 1024, "userHasVerifiedAccuracy": True},
            "source": {"type": "User"},
            "isSearchable": False,
        }
    ) == {
        "allowedAudiences": "organization,everyone",
        "countryCode": "NO",
        "preferredLanguageTag": {"locale": "nb-NO", "displayName": "Norsk bokmål (Norge)"},
        "inference": {"confidenceScore": 1024.0, "userHasVerifiedAccuracy": True},
        "source": {"type": ["User"]},
        "sources": None,
        "isSearchable": False,
    }


@pytest.mark.parametrize(
    ("doc", "change"),
    [
        ({}, {}),
        ({"@odata.type": ODATA_TYPE}, {}),
        ({"countryCode": "se"}, {"countryCode": "SE"}),
        ({"countryCode": None}, {"countryCode": None}),
        ({"allowedAudiences": None}, {"allowedAudiences": "me"}),
        ({"isSearchable": True, "source": None}, {"isSearchable": True, "source": None}),
        (
            {"preferredLanguageTag": {"locale": "en-us"}},
            {"preferredLanguageTag": {"locale": "en-US", "displayName": None}},
        ),
        (
            {"inference": {"confidenceScore": 0.5}},
            {"inference": {"confidenceScore": 0.5, "userHasVerifiedAccuracy": None}},
        ),
        ({"source": {"type": "User"}}, {"source": {"type": ["User"]}}),
    ],
)
def test_patch_sets_only_what_was_sent(doc: dict, change: dict) -> None:
    assert patch(doc) == change


# --- @odata.type, read-only and unknown properties -------------------------------------------------


@BOTH
@pytest.mark.parametrize("value", [ODATA_TYPE, TYPE_NAME])
def test_odata_type_naming_the_type_is_accepted(validate: Any, value: str) -> None:
    """`#microsoft.graph.x` as Graph writes it, or without the `#` as Graph's documentation shows it."""
    assert "@odata.type" not in validate({"@odata.type": value})


@BOTH
@pytest.mark.parametrize(
    "value",
    [
        "#microsoft.graph.profile",
        "#Microsoft.Graph.UserAccountInformation",
        "#microsoft.graph.itemFacet",
        "userAccountInformation",
        "",
        None,
        1,
    ],
)
def test_odata_type_must_name_the_type_exactly(validate: Any, value: object) -> None:
    error = rejected({"@odata.type": value}, validate)
    assert targets(error) == ["@odata.type"] and ODATA_TYPE in error.message


@pytest.mark.parametrize("name", READ_ONLY)
@pytest.mark.parametrize("value", [None, "x", {"user": None}])
def test_read_only_properties_are_rejected_on_create(name: str, value: object) -> None:
    error = rejected({"countryCode": "NO", name: value})
    assert error.message == f"The property '{name}' is read-only and cannot be set."
    assert targets(error) == [name]
    assert error.details[0].code == "readOnlyProperty"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("id", "2b3c4d5e-0000-4000-8000-000000000000"),
        ("createdDateTime", "2020-07-06T06:34:13Z"),
        ("createdBy", {"user": {"id": "someone-else", "displayName": "Innocenty Popov"}}),
        ("lastModifiedDateTime", None),
        ("lastModifiedBy", None),
        ("ageGroup", "minor"),
        ("originTenantInfo", {"originTenantId": "x"}),
        ("originTenantInfo", None),
        ("userPersona", "externalGuest"),
        ("userPersona", None),
        ("userPrincipalName", "someone.else@adventureworks.com"),
        ("userPrincipalName", None),
    ],
)
def test_read_only_properties_with_a_different_value_are_rejected_on_patch(name: str, value: object) -> None:
    error = rejected({"countryCode": "SE", name: value}, patch)
    assert error.message == f"The property '{name}' is read-only; its value cannot be changed."
    assert targets(error) == [name] and error.details[0].code == "readOnlyProperty"


def test_directory_properties_equal_to_the_current_ones_are_ignored_on_patch() -> None:
    same = {
        "userPrincipalName": UPN,
        "ageGroup": "adult",
        "userPersona": "externalMember",
        "originTenantInfo": {"@odata.type": "#microsoft.graph.originTenantInfo", **ORIGIN},
        "countryCode": "SE",
    }
    assert patch(same) == {"countryCode": "SE"}


def test_patching_the_object_just_read_changes_only_the_writable_properties() -> None:
    assert patch(CURRENT) == {name: CURRENT[name] for name in WRITABLE}


@BOTH
@pytest.mark.parametrize("name", ["foo", "CountryCode", "_etag", "_ts", "pk", "userId", "@odata.etag", "tenantId"])
def test_unknown_properties_are_rejected(validate: Any, name: str) -> None:
    error = rejected({name: "x"}, validate)
    assert error.message == f"The property '{name}' does not exist on type '{TYPE_NAME}'."
    assert targets(error) == [name] and error.details[0].code == "unknownProperty"


@BOTH
def test_the_context_url_an_sdk_sends_back_is_ignored(validate: Any) -> None:
    """Graph SDKs keep `@odata.context` from the object they read and send it back on PATCH."""
    context = "http://127.0.0.1:7071/api/$metadata#users('o')/profile/account/$entity"
    assert validate({"@odata.context": context, "countryCode": "SE"})["countryCode"] == "SE"
    error = rejected({"@odata.context": 1}, validate)
    assert targets(error) == ["@odata.context"] and error.details[0].code == "invalidType"
    assert rejected({"countryCode": "SE", "value": {"@odata.context": context}}, validate).details[0].target == "value"


def test_unknown_property_exact_message() -> None:
    assert rejected({"foo": 1}).message == (
        "The property 'foo' does not exist on type 'microsoft.graph.userAccountInformation'."
    )


def test_very_long_property_names_are_shortened_in_messages() -> None:
    error = rejected({"x" * 10_000: 1})
    assert len(error.message) < 200 and len(error.details[0].target) < 100


def test_every_problem_is_listed_and_the_first_is_named() -> None:
    error = rejected({"id": "1", "countryCode": "XX", "foo": 1, "isSearchable": "true"})
    assert sorted(targets(error)) == ["countryCode", "foo", "id", "isSearchable"]
    assert targets(error)[0] == "id" and "'id'" in error.message


# --- allowedAudiences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("me", "me"),
        ("ME", "me"),
        ("organization", "organization"),
        ("Organization", "organization"),
        ("me,organization", "organization"),
        ("organization,me", "organization"),
        ("Everyone,me,ORGANIZATION", "organization,everyone"),
        ("everyone,contacts,family", "family,contacts,everyone"),
        (" organization , contacts ", "contacts,organization"),
        ("organization,organization", "organization"),
        ("groupmembers,federatedorganizations", "groupMembers,federatedOrganizations"),
        (
            "everyone,federatedOrganizations,organization,groupMembers,contacts,family,me",
            "family,contacts,groupMembers,organization,federatedOrganizations,everyone",
        ),
    ],
)
def test_allowed_audiences_are_case_insensitive_in_and_canonical_out(value: str, canonical: str) -> None:
    assert create({"allowedAudiences": value})["allowedAudiences"] == canonical
    assert patch({"allowedAudiences": value}) == {"allowedAudiences": canonical}


@BOTH
@pytest.mark.parametrize(
    "value",
    ["unknownFutureValue", "public", "", "organization,", ",", "me;organization", 1, ["organization"], True, {}],
)
def test_allowed_audiences_invalid(validate: Any, value: object) -> None:
    error = rejected({"allowedAudiences": value}, validate)
    assert targets(error) == ["allowedAudiences"]


@BOTH
@pytest.mark.parametrize("value", ["unknownFutureValue", "organization,unknownFutureValue", "public"])
def test_allowed_audiences_error_lists_the_allowed_values(validate: Any, value: str) -> None:
    message = rejected({"allowedAudiences": value}, validate).message
    assert "me, family, contacts, groupMembers, organization, federatedOrganizations, everyone" in message
    assert "unknownFutureValue" not in message


def test_allowed_audiences_over_256_characters() -> None:
    assert "256" in rejected({"allowedAudiences": "me," * 100}).message


def test_patch_with_null_audiences_means_me() -> None:
    assert patch({"allowedAudiences": None}) == {"allowedAudiences": "me"}


# --- countryCode ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("NO", "NO"), ("no", "NO"), ("nO", "NO"), ("us", "US"), ("AX", "AX")])
def test_country_code_valid(value: str, expected: str) -> None:
    assert create({"countryCode": value})["countryCode"] == expected
    assert patch({"countryCode": value}) == {"countryCode": expected}


@BOTH
@pytest.mark.parametrize(
    "value",
    [
        "XX",
        "NOR",
        "N0",
        "",
        " NO",
        "NO ",
        "N",
        "XK",
        "UK",
        "ÑO",
        "\uff2e\uff2f",
        47,
        True,
        ["NO"],
        {"c": "NO"},
        "N" * 10_000,
    ],
)
def test_country_code_invalid(validate: Any, value: object) -> None:
    error = rejected({"countryCode": value}, validate)
    assert targets(error) == ["countryCode"]
    if isinstance(value, str) and len(value) > 3:
        assert value.strip() not in error.message  # the input is never echoed


# --- preferredLanguageTag -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en-us", "en-US"),
        ("en-US", "en-US"),
        ("EN-us", "en-US"),
        ("nb", "nb"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("de-CH-1996", "de-CH-1996"),
        ("en-US-x-Twain", "en-US-x-twain"),
        ("fil-PH", "fil-PH"),
        ("ger", "ger"),
        ("sr-Latn-RS", "sr-Latn-RS"),
    ],
)
def test_locale_valid_and_canonical_case(locale: str, expected: str) -> None:
    assert create({"preferredLanguageTag": {"locale": locale}})["preferredLanguageTag"]["locale"] == expected
    assert patch({"preferredLanguageTag": {"locale": locale}})["preferredLanguageTag"]["locale"] == expected


@pytest.mark.parametrize("tag", [{}, {"locale": None, "displayName": None}, {"displayName": "English"}, None])
def test_locale_info_members_are_optional(tag: dict | None) -> None:
    values = create({"preferredLanguageTag": tag})
    assert values["preferredLanguageTag"] == (None if tag is None else {"locale": None, "displayName": None, **tag})


@BOTH
@pytest.mark.parametrize(
    "locale",
    [
        "xx-YY",
        "en_US",
        "qaa",
        "x-private",
        "i-klingon",
        "english",
        "en-",
        "-en",
        "en--US",
        "e",
        "",
        " en",
        "de-1901-1901",
        "en-a-bbb-a-ccc",
        "abcd",
        "123",
        "en-US-",
        "en-Latn-US-x-" + "a" * 30,
        5,
        True,
        ["en"],
    ],
)
def test_locale_invalid(validate: Any, locale: object) -> None:
    error = rejected({"preferredLanguageTag": {"locale": locale}}, validate)
    assert targets(error) == ["preferredLanguageTag.locale"]


def test_locale_that_is_not_an_iso_639_language_is_refused_naming_the_rule() -> None:
    message = rejected({"preferredLanguageTag": {"locale": "xx-YY"}}).message
    assert "ISO 639" in message and "preferredLanguageTag.locale" in message


def test_locale_over_35_characters_is_400() -> None:
    assert "35" in rejected({"preferredLanguageTag": {"locale": "en-US-u-ca-gregory-nu-latn-co-phonebk"}}).message


@pytest.mark.parametrize(("display_name", "ok"), [("x" * 256, True), ("x" * 257, False), ("", True), (1, False)])
def test_locale_display_name(display_name: object, ok: bool) -> None:
    doc = {"preferredLanguageTag": {"locale": "en-US", "displayName": display_name}}
    if ok:
        assert create(doc)["preferredLanguageTag"]["displayName"] == display_name
    else:
        assert targets(rejected(doc)) == ["preferredLanguageTag.displayName"]


@BOTH
@pytest.mark.parametrize("value", ["en-US", 1, True, ["en-US"]])
def test_locale_info_must_be_an_object(validate: Any, value: object) -> None:
    assert targets(rejected({"preferredLanguageTag": value}, validate)) == ["preferredLanguageTag"]


@BOTH
@pytest.mark.parametrize(
    ("name", "value", "type_name", "member"),
    [
        ("preferredLanguageTag", {"locale": "en-US", "region": "US"}, "microsoft.graph.localeInfo", "region"),
        ("inference", {"confidenceScore": 1, "source": "x"}, "microsoft.graph.inferenceData", "source"),
        ("source", {"type": "User", "id": "1"}, "microsoft.graph.personDataSources", "id"),
        ("sources", [{"sourceId": "x", "kind": "y"}], "microsoft.graph.profileSourceAnnotation", "kind"),
    ],
)
def test_unknown_members_of_nested_types(validate: Any, name: str, value: Any, type_name: str, member: str) -> None:
    error = rejected({name: value}, validate)
    assert error.message == f"The property '{member}' does not exist on type '{type_name}'."
    where = f"{name}[0]" if isinstance(value, list) else name
    assert targets(error) == [f"{where}.{member}"]


@BOTH
@pytest.mark.parametrize("annotation", ["#microsoft.graph.localeInfo", "microsoft.graph.localeInfo"])
def test_nested_odata_type_naming_the_declared_type_is_accepted(validate: Any, annotation: str) -> None:
    values = validate({"preferredLanguageTag": {"@odata.type": annotation, "locale": "en-US"}})
    assert values["preferredLanguageTag"] == {"locale": "en-US", "displayName": None}


@BOTH
@pytest.mark.parametrize("annotation", ["#microsoft.graph.userAccountInformation", "#microsoft.graph.LocaleInfo", None])
def test_nested_odata_type_naming_another_type_is_refused(validate: Any, annotation: object) -> None:
    error = rejected({"preferredLanguageTag": {"@odata.type": annotation, "locale": "en-US"}}, validate)
    assert targets(error) == ["preferredLanguageTag.@odata.type"]
    assert "#microsoft.graph.localeInfo" in error.message


# --- inference ------------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [0, -1, 1024, 0.75, 1.7e308, 10**300])
def test_inference_valid(score: float) -> None:
    values = create({"inference": {"confidenceScore": score, "userHasVerifiedAccuracy": False}})
    assert values["inference"] == {"confidenceScore": float(score), "userHasVerifiedAccuracy": False}
    assert isinstance(values["inference"]["confidenceScore"], float)


@BOTH
@pytest.mark.parametrize(
    ("inference", "target"),
    [
        ({"confidenceScore": True}, "inference.confidenceScore"),
        ({"confidenceScore": "1"}, "inference.confidenceScore"),
        ({"confidenceScore": float("nan")}, "inference.confidenceScore"),
        ({"confidenceScore": float("inf")}, "inference.confidenceScore"),
        ({"confidenceScore": float("-inf")}, "inference.confidenceScore"),
        ({"confidenceScore": 10**400}, "inference.confidenceScore"),
        ({"userHasVerifiedAccuracy": "true"}, "inference.userHasVerifiedAccuracy"),
        ({"userHasVerifiedAccuracy": 1}, "inference.userHasVerifiedAccuracy"),
        ("x", "inference"),
        ([], "inference"),
    ],
)
def test_inference_invalid(validate: Any, inference: object, target: str) -> None:
    assert targets(rejected({"inference": inference}, validate)) == [target]


# --- source ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"type": "User"}, ["User"]),
        ({"type": "x"}, ["x"]),
        ({"type": "t" * 64}, ["t" * 64]),
        ({"type": ["User"]}, ["User"]),
        ({"type": ["User", "Inferred"]}, ["User", "Inferred"]),
        ({"@odata.type": "#microsoft.graph.personDataSources", "type": ["User"]}, ["User"]),
    ],
)
def test_source_type_is_a_list_and_a_single_string_is_stored_as_one(source: dict, expected: list[str]) -> None:
    assert create({"source": source})["source"] == {"type": expected}
    assert patch({"source": source}) == {"source": {"type": expected}}


@BOTH
@pytest.mark.parametrize(
    "source",
    [
        {},
        {"type": None},
        {"type": ""},
        {"type": "t" * 65},
        {"type": 1},
        {"type": True},
        {"type": {"x": "User"}},
        {"type": [""]},
        {"type": ["t" * 65]},
        {"type": [1]},
        {"type": ["User", None]},
        {"type": ["User"] * 51},
    ],
)
def test_source_invalid(validate: Any, source: dict) -> None:
    error = rejected({"source": source}, validate)
    assert len(error.details) == 1 and error.details[0].target.startswith("source.type")


@pytest.mark.parametrize("value", [{"type": ""}, {"type": "t" * 65}, {"type": 1}])
def test_a_single_source_type_is_reported_where_it_was_sent(value: dict) -> None:
    assert targets(rejected({"source": value})) == ["source.type"]


def test_source_stored_in_the_older_single_string_shape_is_read_back_as_a_list() -> None:
    old = {**stored(ACCOUNT, {"allowedAudiences": "me"}), "source": {"type": "User"}}
    assert to_wire(ACCOUNT, old, USER)["source"] == {"type": ["User"]}


# --- sources --------------------------------------------------------------------------------------


def annotation(*properties: str, source_id: str = "hr") -> dict[str, Any]:
    return {"sourceId": source_id, "isDefaultSource": False, "properties": list(properties)}


@pytest.mark.parametrize(
    "sources",
    [
        [],
        [annotation("countryCode")],
        [annotation("countryCode", "preferredLanguageTag", "userPrincipalName", "id")],
        [annotation(source_id=str(i)) for i in range(20)],
        [{"sourceId": None, "isDefaultSource": None, "properties": None}],
    ],
)
def test_sources_valid(sources: list[dict]) -> None:
    assert create({"sources": sources})["sources"] == sources
    assert patch({"sources": sources}) == {"sources": sources}


@BOTH
def test_at_most_20_sources(validate: Any) -> None:
    error = rejected({"sources": [annotation("countryCode", source_id=str(i)) for i in range(21)]}, validate)
    assert targets(error) == ["sources"] and "20" in error.message


@BOTH
@pytest.mark.parametrize("name", ["foo", "CountryCode", "displayName", "@odata.type"])
def test_sources_properties_must_name_properties_of_this_type(validate: Any, name: str) -> None:
    error = rejected({"sources": [annotation("countryCode"), annotation("countryCode", name)]}, validate)
    assert targets(error) == ["sources[1].properties[1]"]
    assert TYPE_NAME in error.message


@BOTH
@pytest.mark.parametrize(
    ("sources", "target"),
    [
        ("hr", "sources"),
        ({"sourceId": "x"}, "sources"),
        ([None], "sources[0]"),
        (["x"], "sources[0]"),
        ([{"sourceId": 1}], "sources[0].sourceId"),
        ([{"isDefaultSource": "yes"}], "sources[0].isDefaultSource"),
        ([{"properties": "countryCode"}], "sources[0].properties"),
        ([{"sourceId": "x" * 257}], "sources[0].sourceId"),
    ],
)
def test_sources_invalid_shapes(validate: Any, sources: object, target: str) -> None:
    assert targets(rejected({"sources": sources}, validate)) == [target]


# --- isSearchable ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False, None])
def test_is_searchable_valid(value: bool | None) -> None:
    assert patch({"isSearchable": value}) == {"isSearchable": value}


@BOTH
@pytest.mark.parametrize("value", ["true", "false", 1, 0, [], {}])
def test_is_searchable_is_strict(validate: Any, value: object) -> None:
    assert targets(rejected({"isSearchable": value}, validate)) == ["isSearchable"]


# --- messages and documents ---------------------------------------------------------------------------


def test_a_value_of_the_wrong_type_is_reported_without_echoing_it() -> None:
    error = rejected({"countryCode": 12345})
    assert error.message == "The property 'countryCode' must be a string or null."
    assert "12345" not in repr(error.details)


@BOTH
@pytest.mark.parametrize("doc", [[], "x", 1, None])
def test_non_object_documents_are_400(validate: Any, doc: object) -> None:
    with pytest.raises(BadRequest) as info:
        validate(doc)
    assert info.value.message == "The request body must be a JSON object."


# --- the wire ----------------------------------------------------------------------------------------


def test_wire_shape_is_the_seeds_plus_what_graph_beta_added() -> None:
    assert list(CURRENT) == [
        "id",
        "allowedAudiences",
        "inference",
        "createdDateTime",
        "createdBy",
        "lastModifiedDateTime",
        "lastModifiedBy",
        "source",
        "sources",
        "isSearchable",
        "ageGroup",
        "countryCode",
        "originTenantInfo",
        "preferredLanguageTag",
        "userPersona",
        "userPrincipalName",
    ]
    assert CURRENT["userPrincipalName"] == UPN and CURRENT["ageGroup"] == "adult"
    assert CURRENT["originTenantInfo"] == ORIGIN and CURRENT["userPersona"] == "externalMember"
    assert CURRENT["countryCode"] == "NO" and CURRENT["preferredLanguageTag"] is None


def test_directory_properties_come_from_the_user_never_from_the_store() -> None:
    forged = {
        **stored(ACCOUNT, {"allowedAudiences": "me"}),
        "userPrincipalName": "forged@x.y",
        "ageGroup": "minor",
        "userPersona": "internalGuest",
        "originTenantInfo": {"originTenantId": "forged"},
    }
    body = to_wire(ACCOUNT, forged, USER)
    assert body["userPrincipalName"] == UPN and body["ageGroup"] == "adult"
    assert body["userPersona"] == "externalMember" and body["originTenantInfo"] == ORIGIN
    assert not set(DIRECTORY) & set(ACCOUNT.stored)
    no_user = to_wire(ACCOUNT, forged, None)
    assert [no_user[name] for name in DIRECTORY] == [None] * 4
    unknown = to_wire(ACCOUNT, forged, DirectoryUser(tenant_id="t", object_id="o"))
    assert [unknown[name] for name in DIRECTORY] == [None] * 4
