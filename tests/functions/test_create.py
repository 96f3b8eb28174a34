"""Function-level tests of creation: the profile POST and the generated facet POSTs, called as the worker calls them."""

from __future__ import annotations

import re
import uuid

import pytest

from shared import composition
from shared.errors import ServiceUnavailable, Throttled
from tests.functions.helpers import (
    BASE,
    GUID,
    OTHER_OID,
    SEED,
    SEED_WITH_COMMA,
    TIMESTAMP,
    call_profile,
    context,
    create,
    created,
    delete_facet,
    listed,
    patch_facet,
)
from tests.support.app import body_of
from tests.support.identity import TEST_APP_ID, TEST_OID, TEST_UPN

ADELE = {"application": None, "device": None, "user": {"displayName": "Adele Vance", "id": TEST_OID}}


# --- the profile -----------------------------------------------------------------------------------------


def test_create_profile_returns_201_with_location_context_and_ids(invoke, identity):
    response = call_profile(invoke, "POST", identity.mint(), headers={"client-request-id": "abc-123"})
    assert response.status_code == 201
    body = body_of(response)
    assert list(body) == ["@odata.context", "@odata.type", "id"]
    assert body["@odata.type"] == "#microsoft.graph.profile" and GUID.match(body["id"])
    assert body["@odata.context"] == context(TEST_OID, "profile/$entity")
    assert response.headers["Location"] == f"{BASE}/api/users/{TEST_OID}/profile"
    assert GUID.match(response.headers["request-id"])
    assert response.headers["client-request-id"] == "abc-123"
    assert response.mimetype == "application/json"


@pytest.mark.parametrize("body", [None, "{}", '{"@odata.type": "#microsoft.graph.profile"}'])
def test_profile_post_accepts_only_empty_bodies(invoke, identity, body):
    response = call_profile(invoke, "POST", identity.mint(), body=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    "body", ['{"id": "x"}', '{"foo": 1}', '{"@odata.type": "#microsoft.graph.user"}', '{"skills": []}', "[]"]
)
def test_profile_post_rejects_any_other_property(invoke, identity, body):
    token = identity.mint()
    response = call_profile(invoke, "POST", token, body=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and body_of(response)["error"]["code"] == "invalidRequest"
    assert call_profile(invoke, "POST", token).status_code == 201  # nothing was written


def test_second_profile_is_a_conflict(invoke, identity):
    token = identity.mint()
    assert call_profile(invoke, "POST", token).status_code == 201
    response = call_profile(invoke, "POST", token)
    assert response.status_code == 409
    error = body_of(response)["error"]
    assert error["code"] == "conflict"
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    assert error["innerError"]["client-request-id"] == response.headers["request-id"]
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", error["innerError"]["date"])


@pytest.mark.parametrize("collection", ["account", "skills", "educationalActivities"])
def test_creating_a_facet_creates_the_profile(invoke, identity, collection):
    token = identity.mint()
    created(invoke, token, collection)
    assert call_profile(invoke, "GET", token).status_code == 200
    assert call_profile(invoke, "POST", token).status_code == 409


# --- the seed's account ------------------------------------------------------------------------------------


def test_seed_example_without_its_trailing_comma_creates_the_account(invoke, identity):
    response = create(invoke, identity.mint(), "account", SEED)
    assert response.status_code == 201
    body = body_of(response)
    assert list(body) == [
        "@odata.context",
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
    assert body["@odata.context"] == context(TEST_OID, "profile/account/$entity")
    assert GUID.match(body["id"]) and TIMESTAMP.match(body["createdDateTime"])
    assert body["createdDateTime"] == body["lastModifiedDateTime"]
    assert body["allowedAudiences"] == "organization" and body["countryCode"] == "NO"
    assert body["createdBy"] == ADELE and body["lastModifiedBy"] == body["createdBy"]
    assert body["userPrincipalName"] == TEST_UPN and body["ageGroup"] is None
    assert body["userPersona"] is None and body["originTenantInfo"] is None
    assert body["inference"] is None and body["source"] is None and body["sources"] is None
    assert body["preferredLanguageTag"] is None and body["isSearchable"] is None
    assert response.headers["Location"] == f"{BASE}/api/users/{TEST_OID}/profile/account/{body['id']}"
    assert response.headers["ETag"]
    assert GUID.match(response.headers["request-id"]) and response.headers["client-request-id"]


def test_seed_example_verbatim_is_400_pointing_at_the_trailing_comma(invoke, identity):
    token = identity.mint()
    response = create(invoke, token, "account", SEED_WITH_COMMA)
    assert response.status_code == 400
    error = body_of(response)["error"]
    assert error["code"] == "invalidRequest"
    assert "line 3, column 22" in error["message"] and "trailing comma" in error["message"]
    assert listed(invoke, token, "account") == []


@pytest.mark.parametrize(
    ("collection", "body", "fragment"),
    [
        ("account", '{"id": "abc", "countryCode": "NO"}', "'id'"),
        ("account", '{"userPrincipalName": "x@y.z"}', "'userPrincipalName'"),
        ("account", '{"ageGroup": "adult"}', "'ageGroup'"),
        (
            "account",
            '{"foo": 1}',
            "The property 'foo' does not exist on type 'microsoft.graph.userAccountInformation'.",
        ),
        ("account", '{"countryCode": "XX"}', "countryCode"),
        ("account", '{"allowedAudiences": "unknownFutureValue"}', "organization"),
        ("account", '{"countryCode": "' + "N" * 10000 + '"}', "countryCode"),
        ("account", '{"a": NaN}', "line 1"),
        ("account", "[]", ""),
        ("account", "", "Empty Payload. JSON content expected."),
        ("skills", '{"proficiency": "unknownFutureValue"}', "proficiency"),
        ("skills", '{"foo": 1}', "The property 'foo' does not exist on type 'microsoft.graph.skillProficiency'."),
        ("skills", '{"webUrl": "javascript:alert(1)"}', "webUrl"),
        ("emails", '{"address": "not-an-address"}', "address"),
        ("anniversaries", '{"date": "2020-02-30"}', "date"),
        ("positions", '{"detail": {"layer": 2147483648}}', "detail.layer"),
        ("names", '{"languageTag": "en_US"}', "languageTag"),
        ("addresses", '{"geoCoordinates": {"latitude": "north"}}', "geoCoordinates.latitude"),
        ("notes", '{"detail": {"@odata.type": "#microsoft.graph.note"}}', "detail.@odata.type"),
        ("websites", '{"@odata.type": "#microsoft.graph.webAccount"}', "#microsoft.graph.personWebsite"),
        ("interests", '{"createdDateTime": "2020-07-06T06:34:12Z"}', "'createdDateTime'"),
        ("skills", '{"displayName": "x", "displayName": "y"}', "uplicate"),
    ],
)
def test_bad_bodies_are_400_and_write_nothing(invoke, identity, collection, body, fragment):
    token = identity.mint()
    response = create(invoke, token, collection, body)
    assert response.status_code == 400
    error = body_of(response)["error"]
    assert error["code"] == "invalidRequest"
    assert fragment in error["message"] + str(error.get("details", ""))
    assert listed(invoke, token, collection) == []
    assert call_profile(invoke, "POST", token).status_code == 201  # not even the profile was created


def test_field_errors_carry_details(invoke, identity):
    error = body_of(create(invoke, identity.mint(), "account", '{"countryCode": "XX"}'))["error"]
    assert error["details"] and error["details"][0]["target"] == "countryCode"
    assert error["details"][0]["code"] == "invalidValue"


def test_thousands_of_problems_are_one_400_with_20_details(invoke, identity):
    body = "{" + ",".join(f'"p{i}": 1' for i in range(6000)) + "}"
    error = body_of(create(invoke, identity.mint(), "skills", body))["error"]
    assert len(error["details"]) == 20 and "6000" in error["message"]


def test_missing_content_type_is_400_not_415(invoke, identity):
    response = create(invoke, identity.mint(), "account", SEED, content_type=False)
    assert response.status_code == 400


def test_oversized_body_is_413_before_parsing(invoke, identity):
    token = identity.mint()
    response = create(invoke, token, "skills", "{" + " " * 70000)
    assert response.status_code == 413 and body_of(response)["error"]["code"] == "requestTooLarge"
    assert listed(invoke, token, "skills") == []


# --- authentication and authorization ----------------------------------------------------------------------


def test_no_token_is_401_with_a_bare_challenge(invoke):
    response = create(invoke, None, "account", SEED)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm=""'
    assert body_of(response)["error"]["code"] == "InvalidAuthenticationToken"
    assert response.headers["request-id"]


def test_invalid_token_is_401_with_invalid_token_and_never_echoed(invoke, identity):
    token = identity.mint(aud="https://graph.microsoft.com")
    response = create(invoke, token, "account", SEED)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert token not in response.get_body().decode() and token.split(".")[1] not in response.get_body().decode()


def test_app_only_token_on_me_is_400(invoke, identity):
    response = create(invoke, identity.mint_app(), "skills", "{}")
    assert response.status_code == 400
    error = body_of(response)["error"]
    assert error["code"] == "BadRequest"  # Graph's own code here, not invalidRequest
    assert error["message"] == "/me request is only valid with delegated authentication flow."
    assert error["innerError"]["request-id"] == response.headers["request-id"]


@pytest.mark.parametrize("user", [OTHER_OID, "someone.else@contoso.test", "not-a-user", "x" * 300])
def test_user_readwrite_cannot_touch_others_and_learns_nothing(invoke, identity, user):
    response = create(invoke, identity.mint(scp="User.ReadWrite"), "account", SEED, user=user)
    assert response.status_code == 403
    assert body_of(response)["error"]["code"] == "accessDenied"
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert 'scope="User.ReadWrite.All"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("user", [TEST_OID, TEST_OID.upper(), TEST_UPN, TEST_UPN.upper()])
def test_own_oid_or_upn_counts_as_own_data(invoke, identity, user):
    response = create(invoke, identity.mint(scp="User.ReadWrite"), "account", SEED, user=user)
    assert response.status_code == 201
    assert body_of(response)["userPrincipalName"] == TEST_UPN
    assert response.headers["Location"].startswith(f"{BASE}/api/users/{TEST_OID}/profile/account/")


@pytest.mark.parametrize("user", ["nobody@contoso.test", "not-a-user", "x" * 300 + "@contoso.test"])
def test_unknown_user_is_404_after_the_permission_check(invoke, identity, user):
    response = create(invoke, identity.mint(scp="User.ReadWrite.All"), "account", SEED, user=user)
    assert response.status_code == 404 and body_of(response)["error"]["code"] == "itemNotFound"


def test_app_with_role_creates_for_a_user_by_object_id(invoke, identity):
    app = identity.mint_app(["User.ReadWrite.All"])
    response = create(invoke, app, "skills", '{"displayName": "Go"}', user=OTHER_OID)
    assert response.status_code == 201
    body = body_of(response)
    assert body["createdBy"] == {
        "application": {"id": TEST_APP_ID, "displayName": "Contoso sync"},
        "device": None,
        "user": None,
    }
    assert response.headers["Location"] == f"{BASE}/api/users/{OTHER_OID}/profile/skills/{body['id']}"
    assert body["@odata.context"] == context(OTHER_OID, "profile/skills/$entity")


def test_upn_resolves_for_a_seen_user_and_location_uses_the_object_id(invoke, identity):
    created(invoke, identity.mint(), "account", SEED)  # Adele is seen
    admin = identity.mint(oid=OTHER_OID, preferred_username="admin@contoso.test", scp="User.ReadWrite.All")
    response = create(invoke, admin, "account", SEED, user=TEST_UPN.upper())
    assert response.status_code == 201
    assert f"/users/{TEST_OID}/profile/account/" in response.headers["Location"]
    assert body_of(response)["userPrincipalName"] == TEST_UPN
    assert body_of(response)["@odata.context"] == context(TEST_OID, "profile/account/$entity")


# --- quotas, failures ---------------------------------------------------------------------------------------


def test_quota_is_403_quota_limit_reached_per_collection(invoke, identity, monkeypatch):
    monkeypatch.setenv("MAX_FACETS_PER_USER", "2")
    composition.reset()
    token = identity.mint()
    assert [create(invoke, token, "account", SEED).status_code for _ in range(2)] == [201, 201]
    response = create(invoke, token, "account", SEED)
    assert response.status_code == 403 and body_of(response)["error"]["code"] == "quotaLimitReached"
    assert len(listed(invoke, token, "account")) == 2
    assert [create(invoke, token, "skills", "{}").status_code for _ in range(3)] == [201, 201, 403]  # its own quota
    other = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test")
    assert create(invoke, other, "account", SEED).status_code == 201  # and per user


def test_an_unexpected_failure_is_a_500_without_internals(invoke, identity, monkeypatch):
    from shared.repository.sqlite import SqliteRepository

    def explode(*args, **kwargs):
        raise RuntimeError("sqlite3 exploded at /secret/path with AccountKey=abc")

    monkeypatch.setattr(SqliteRepository, "add_facet", explode)
    response = create(invoke, identity.mint(), "skills", "{}")
    assert response.status_code == 500
    error = body_of(response)["error"]
    assert error["code"] == "generalException"
    assert "exploded" not in response.get_body().decode() and "AccountKey" not in response.get_body().decode()
    assert response.headers["request-id"] == error["innerError"]["request-id"]


def test_forged_server_fields_are_never_stored(invoke, identity):
    token = identity.mint()
    forged = '{"countryCode": "NO", "createdBy": {"user": {"id": "' + str(uuid.uuid4()) + '"}}}'
    assert create(invoke, token, "account", forged).status_code == 400
    assert listed(invoke, token, "account") == []


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (Throttled("Too many requests to the profile store.", retry_after=7), 429, "TooManyRequests"),
        (ServiceUnavailable("The profile store is unavailable.", retry_after=5), 503, "serviceNotAvailable"),
    ],
)
def test_store_pressure_reaches_the_client_with_retry_after(invoke, identity, monkeypatch, error, status, code):
    from shared.repository.sqlite import SqliteRepository

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(SqliteRepository, "add_facet", fail)
    response = create(invoke, identity.mint(), "account", SEED)
    assert response.status_code == status and body_of(response)["error"]["code"] == code
    assert response.headers["Retry-After"] == str(error.retry_after)
    assert response.headers["request-id"]


# --- idempotent creates --------------------------------------------------------------------------------------


def test_idempotent_create_returns_the_original_response(invoke, identity):
    token = identity.mint()
    first = create(invoke, token, "account", SEED, headers={"Idempotency-Key": "k-1"})
    again = create(invoke, token, "account", SEED, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert body_of(first) == body_of(again) and first.headers["Location"] == again.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(listed(invoke, token, "account")) == 1


def test_an_idempotency_key_reused_for_another_request_is_422(invoke, identity):
    token = identity.mint()
    first = create(invoke, token, "account", SEED, headers={"Idempotency-Key": "k-1"})
    different = create(invoke, token, "account", '{"countryCode": "SE"}', headers={"Idempotency-Key": "k-1"})
    assert different.status_code == 422 and body_of(different)["error"]["code"] == "unprocessableEntity"
    elsewhere = create(
        invoke, token, "skills", SEED.replace("countryCode", "displayName"), headers={"Idempotency-Key": "k-1"}
    )
    assert elsewhere.status_code == 422  # the same key on another collection is another request
    assert [item["id"] for item in listed(invoke, token, "account")] == [body_of(first)["id"]]
    assert listed(invoke, token, "skills") == []


def test_idempotency_keys_are_scoped_to_the_caller(invoke, identity):
    token = identity.mint()
    first = create(invoke, token, "account", SEED, headers={"Idempotency-Key": "k-1"})
    other_caller = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test")
    other = create(invoke, other_caller, "account", SEED, headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 201 and body_of(other)["id"] != body_of(first)["id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "cl\u00e9"])
def test_a_malformed_idempotency_key_is_400_and_writes_nothing(invoke, identity, key):
    token = identity.mint()
    response = create(invoke, token, "account", SEED, headers={"Idempotency-Key": key})
    assert response.status_code == 400 and "Idempotency-Key" in body_of(response)["error"]["message"]
    assert listed(invoke, token, "account") == []


def test_a_replay_after_a_change_carries_no_etag_of_the_later_version(invoke, identity):
    token = identity.mint()
    first = create(invoke, token, "account", SEED, headers={"Idempotency-Key": "k-1"})
    facet_id = body_of(first)["id"]
    changed = patch_facet(invoke, token, "account", facet_id, {"countryCode": "SE"})
    again = create(invoke, token, "account", SEED, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and body_of(again) == body_of(first)
    assert changed.status_code == 200 and "ETag" not in again.headers
    assert delete_facet(invoke, token, "account", facet_id).status_code == 204
    gone = create(invoke, token, "account", SEED, headers={"Idempotency-Key": "k-1"})
    assert gone.status_code == 201 and body_of(gone) == body_of(first) and "ETag" not in gone.headers
