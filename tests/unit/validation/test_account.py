"""userAccountInformation bodies: validate_account_create and validate_account_patch (contract §2)."""
from __future__ import annotations

import pytest

from shared.errors import BadRequest
from shared.models.account import ODATA_TYPE, READ_ONLY_PROPERTIES, WRITABLE_PROPERTIES, AccountInput
from shared.validation import validate_account_create, validate_account_patch
from shared.validation.account import _build

BOTH = pytest.mark.parametrize("validate", [validate_account_create, validate_account_patch])


def rejected(doc: dict, validate=validate_account_create) -> BadRequest:
    with pytest.raises(BadRequest) as info:
        validate(doc)
    error = info.value
    assert error.status == 400 and error.details
    assert error.message == error.details[0].message
    return error


def targets(error: BadRequest) -> list[str]:
    return [detail.target for detail in error.details]


# --- create and patch -------------------------------------------------------------------------------


def test_seed_body_creates_with_defaults() -> None:
    account = validate_account_create({"allowedAudiences": "organization", "countryCode": "NO"})
    assert account.model_fields_set == set(WRITABLE_PROPERTIES)
    assert account.model_dump() == {
        "allowedAudiences": "organization", "countryCode": "NO", "preferredLanguageTag": None,
        "inference": None, "source": None, "isSearchable": None,
    }


@pytest.mark.parametrize("doc", [{}, {"@odata.type": ODATA_TYPE}, {"allowedAudiences": None}])
def test_create_defaults_to_me(doc: dict) -> None:
    account = validate_account_create(doc)
    assert account.allowedAudiences == "me"
    assert account.model_fields_set == set(WRITABLE_PROPERTIES)


def test_full_create_is_canonical() -> None:
    account = validate_account_create({
        "@odata.type": ODATA_TYPE,
        "allowedAudiences": "Everyone,me,ORGANIZATION",
        "countryCode": "no",
        "preferredLanguageTag": {"locale": "nb-no", "displayName": "Norsk bokmål (Norge)"},
        "inference": {"confidenceScore": 1024, "userHasVerifiedAccuracy": True},
        "source": {"type": "User"},
        "isSearchable": False,
    })
    assert account.model_dump() == {
        "allowedAudiences": "organization,everyone", "countryCode": "NO",
        "preferredLanguageTag": {"locale": "nb-NO", "displayName": "Norsk bokmål (Norge)"},
        "inference": {"confidenceScore": 1024.0, "userHasVerifiedAccuracy": True},
        "source": {"type": "User"}, "isSearchable": False,
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
        ({"preferredLanguageTag": {"locale": "en-us"}}, {"preferredLanguageTag": {"locale": "en-US", "displayName": None}}),
        ({"inference": {"confidenceScore": 0.5}}, {"inference": {"confidenceScore": 0.5, "userHasVerifiedAccuracy": None}}),
    ],
)
def test_patch_sets_only_what_was_sent(doc: dict, change: dict) -> None:
    account = validate_account_patch(doc)
    assert isinstance(account, AccountInput)
    assert account.model_dump(exclude_unset=True) == change


# --- @odata.type, read-only and unknown properties -------------------------------------------------


@BOTH
@pytest.mark.parametrize("value", ["#microsoft.graph.profile", "microsoft.graph.userAccountInformation",
                                   "#Microsoft.Graph.UserAccountInformation", None, 1])
def test_odata_type_must_match_exactly(validate, value: object) -> None:
    error = rejected({"@odata.type": value}, validate)
    assert targets(error) == ["@odata.type"] and ODATA_TYPE in error.message


@BOTH
@pytest.mark.parametrize("name", READ_ONLY_PROPERTIES)
def test_read_only_properties_are_rejected(validate, name: str) -> None:
    error = rejected({"countryCode": "NO", name: None}, validate)
    assert error.message == f"The property '{name}' is read-only and cannot be set."
    assert targets(error) == [name]
    assert error.details[0].code == "readOnlyProperty"


@BOTH
@pytest.mark.parametrize("name", ["foo", "CountryCode", "_etag", "userId", "@odata.context", "tenantId", "originTenantInfo"])
def test_unknown_properties_are_rejected(validate, name: str) -> None:
    error = rejected({name: "x"}, validate)
    assert error.message == f"The property '{name}' does not exist on type 'microsoft.graph.userAccountInformation'."
    assert targets(error) == [name]


def test_unknown_property_exact_message() -> None:
    assert rejected({"foo": 1}).message == (
        "The property 'foo' does not exist on type 'microsoft.graph.userAccountInformation'."
    )


def test_very_long_property_names_are_shortened_in_messages() -> None:
    error = rejected({"x" * 10_000: 1})
    assert len(error.message) < 200 and len(error.details[0].target) < 100


def test_every_problem_is_listed_and_the_first_is_named() -> None:
    error = rejected({"id": "1", "countryCode": "XX", "foo": 1, "isSearchable": "true"})
    assert targets(error) == ["id", "countryCode", "foo", "isSearchable"]
    assert "'id'" in error.message


# --- allowedAudiences -----------------------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("value", ["unknownFutureValue", "public", "", "organization,", 1, ["organization"], True, {}])
def test_allowed_audiences_invalid(validate, value: object) -> None:
    error = rejected({"allowedAudiences": value}, validate)
    assert targets(error) == ["allowedAudiences"]


def test_allowed_audiences_error_lists_the_allowed_values() -> None:
    message = rejected({"allowedAudiences": "unknownFutureValue"}).message
    assert "me, family, contacts, groupMembers, organization, federatedOrganizations, everyone" in message


def test_allowed_audiences_over_256_characters() -> None:
    assert "256" in rejected({"allowedAudiences": "me," * 100}).message


# --- countryCode ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("NO", "NO"), ("no", "NO"), ("nO", "NO"), ("us", "US"), ("AX", "AX")])
def test_country_code_valid(value: str, expected: str) -> None:
    assert validate_account_create({"countryCode": value}).countryCode == expected


@BOTH
@pytest.mark.parametrize("value", ["XX", "NOR", "N0", "", " NO", "NO ", "N", "XK", "UK", "ÑO", "ＮＯ", 47, True, ["NO"], {"c": "NO"}, "N" * 10_000])
def test_country_code_invalid(validate, value: object) -> None:
    error = rejected({"countryCode": value}, validate)
    assert targets(error) == ["countryCode"]
    if isinstance(value, str) and len(value) > 3:
        assert value.strip() not in error.message  # the input is never echoed


# --- preferredLanguageTag -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en-us", "en-US"), ("en-US", "en-US"), ("EN-us", "en-US"), ("nb", "nb"), ("zh-hant-tw", "zh-Hant-TW"),
     ("es-419", "es-419"), ("de-CH-1996", "de-CH-1996"), ("en-US-x-Twain", "en-US-x-twain"),
     ("fil-PH", "fil-PH"), ("ger", "ger"), ("sr-Latn-RS", "sr-Latn-RS")],
)
def test_locale_valid_and_canonical_case(locale: str, expected: str) -> None:
    account = validate_account_create({"preferredLanguageTag": {"locale": locale}})
    assert account.preferredLanguageTag is not None and account.preferredLanguageTag.locale == expected


@pytest.mark.parametrize("tag", [{}, {"locale": None, "displayName": None}, {"displayName": "English"}, None])
def test_locale_info_members_are_optional(tag: dict | None) -> None:
    validate_account_create({"preferredLanguageTag": tag})


@BOTH
@pytest.mark.parametrize(
    "locale",
    ["xx-YY", "en_US", "qaa", "x-private", "i-klingon", "english", "en-", "-en", "en--US", "e", "", " en",
     "de-1901-1901", "en-a-bbb-a-ccc", "abcd", "123", "en-US-" , "en-Latn-US-x-" + "a" * 30, 5, True, ["en"]],
)
def test_locale_invalid(validate, locale: object) -> None:
    error = rejected({"preferredLanguageTag": {"locale": locale}}, validate)
    assert targets(error) == ["preferredLanguageTag.locale"]


def test_locale_over_35_characters_is_400() -> None:
    assert "35" in rejected({"preferredLanguageTag": {"locale": "en-US-u-ca-gregory-nu-latn-co-phonebk"}}).message


@pytest.mark.parametrize(("display_name", "ok"), [("x" * 256, True), ("x" * 257, False), ("", True), (1, False)])
def test_locale_display_name(display_name: object, ok: bool) -> None:
    doc = {"preferredLanguageTag": {"locale": "en-US", "displayName": display_name}}
    if ok:
        validate_account_create(doc)
    else:
        assert targets(rejected(doc)) == ["preferredLanguageTag.displayName"]


@BOTH
@pytest.mark.parametrize("value", ["en-US", 1, True, ["en-US"]])
def test_locale_info_must_be_an_object(validate, value: object) -> None:
    assert targets(rejected({"preferredLanguageTag": value}, validate)) == ["preferredLanguageTag"]


@BOTH
@pytest.mark.parametrize(
    ("name", "value", "type_name", "member"),
    [("preferredLanguageTag", {"locale": "en-US", "region": "US"}, "microsoft.graph.localeInfo", "region"),
     ("preferredLanguageTag", {"@odata.type": "#microsoft.graph.localeInfo"}, "microsoft.graph.localeInfo", "@odata.type"),
     ("inference", {"confidenceScore": 1, "source": "x"}, "microsoft.graph.inferenceData", "source"),
     ("source", {"type": "User", "id": "1"}, "microsoft.graph.personDataSource", "id")],
)
def test_unknown_members_of_nested_types(validate, name: str, value: dict, type_name: str, member: str) -> None:
    error = rejected({name: value}, validate)
    assert error.message == f"The property '{member}' does not exist on type '{type_name}'."
    assert targets(error) == [f"{name}.{member}"]


# --- inference ------------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [0, -1, 1024, 0.75, 1.7e308, 10**300])
def test_inference_valid(score: float) -> None:
    account = validate_account_create({"inference": {"confidenceScore": score, "userHasVerifiedAccuracy": False}})
    assert account.inference is not None and account.inference.confidenceScore == float(score)


@BOTH
@pytest.mark.parametrize(
    ("inference", "target"),
    [({"confidenceScore": True}, "inference.confidenceScore"),
     ({"confidenceScore": "1"}, "inference.confidenceScore"),
     ({"confidenceScore": float("nan")}, "inference.confidenceScore"),
     ({"confidenceScore": float("inf")}, "inference.confidenceScore"),
     ({"confidenceScore": 10**400}, "inference.confidenceScore"),
     ({"userHasVerifiedAccuracy": "true"}, "inference.userHasVerifiedAccuracy"),
     ({"userHasVerifiedAccuracy": 1}, "inference.userHasVerifiedAccuracy"),
     ("x", "inference"), ([], "inference")],
)
def test_inference_invalid(validate, inference: object, target: str) -> None:
    assert targets(rejected({"inference": inference}, validate)) == [target]


# --- source ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["User", "x", "t" * 64])
def test_source_valid(kind: str) -> None:
    assert validate_account_create({"source": {"type": kind}}).source.type == kind  # type: ignore[union-attr]


@BOTH
@pytest.mark.parametrize("source", [{}, {"type": None}, {"type": ""}, {"type": "t" * 65}, {"type": ["User"]}, {"type": 1}])
def test_source_invalid(validate, source: dict) -> None:
    assert targets(rejected({"source": source}, validate)) == ["source.type"]


# --- isSearchable ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False, None])
def test_is_searchable_valid(value: bool | None) -> None:
    assert validate_account_patch({"isSearchable": value}).isSearchable is value


@BOTH
@pytest.mark.parametrize("value", ["true", "false", 1, 0, [], {}])
def test_is_searchable_is_strict(validate, value: object) -> None:
    assert targets(rejected({"isSearchable": value}, validate)) == ["isSearchable"]


# --- never leak pydantic's text -----------------------------------------------------------------------


def test_a_model_refusal_is_reported_without_pydantic_text() -> None:
    with pytest.raises(BadRequest) as info:
        _build({"countryCode": 12345})
    assert info.value.message == "The value of 'countryCode' is not valid."
    assert "12345" not in repr(info.value.details) and "pydantic" not in info.value.message


def test_non_object_documents_are_400() -> None:
    with pytest.raises(BadRequest):
        validate_account_create([])  # type: ignore[arg-type]
