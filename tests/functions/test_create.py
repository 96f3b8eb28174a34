"""Function-level tests of the core: the four POST routes, called as the worker calls them."""
from __future__ import annotations

import re
import uuid

import pytest

from functions import account, profile
from shared.errors import ServiceUnavailable, Throttled
from tests.support.app import body_of
from tests.support.identity import TEST_APP_ID, TEST_OID, TEST_UPN

SEED_WITH_COMMA = '{\n  "allowedAudiences": "organization",\n  "countryCode": "NO",\n}'
SEED = '{\n  "allowedAudiences": "organization",\n  "countryCode": "NO"\n}'
JSON_HEADERS = {"Content-Type": "application/json"}
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")
OTHER_OID = "0c5d9b7e-1111-4222-8333-444455556666"


def post_account(invoke, token, body=SEED, user=None, headers=None):
    fn, path, params = (account.create_my_account, "me/profile/account", {})
    if user is not None:
        fn, path, params = account.create_user_account, f"users/{user}/profile/account", {"user": user}
    return invoke(fn, "POST", path, token=token, body=body, headers={**JSON_HEADERS, **(headers or {})}, route_params=params)


def list_mine(invoke, token):
    return body_of(invoke(account.list_my_accounts, "GET", "me/profile/account", token=token))["value"]


def test_create_profile_returns_201_with_location_and_ids(invoke, identity):
    response = invoke(profile.create_my_profile, "POST", "me/profile", token=identity.mint(), headers={"client-request-id": "abc-123"})
    assert response.status_code == 201
    body = body_of(response)
    assert body["@odata.type"] == "#microsoft.graph.profile" and GUID.match(body["id"]) and len(body) == 2
    assert response.headers["Location"] == f"http://127.0.0.1:7071/api/users/{TEST_OID}/profile"
    assert GUID.match(response.headers["request-id"])
    assert response.headers["client-request-id"] == "abc-123"
    assert response.mimetype == "application/json"


@pytest.mark.parametrize("body", [None, "{}", '{"@odata.type": "#microsoft.graph.profile"}'])
def test_profile_post_accepts_only_empty_bodies(invoke, identity, body):
    response = invoke(profile.create_my_profile, "POST", "me/profile", token=identity.mint(), body=body, headers=JSON_HEADERS)
    assert response.status_code == 201


@pytest.mark.parametrize("body", ['{"id": "x"}', '{"foo": 1}', '{"@odata.type": "#microsoft.graph.user"}'])
def test_profile_post_rejects_any_other_property(invoke, identity, body):
    response = invoke(profile.create_my_profile, "POST", "me/profile", token=identity.mint(), body=body, headers=JSON_HEADERS)
    assert response.status_code == 400 and body_of(response)["error"]["code"] == "invalidRequest"


def test_second_profile_is_a_conflict(invoke, identity):
    token = identity.mint()
    assert invoke(profile.create_my_profile, "POST", "me/profile", token=token).status_code == 201
    response = invoke(profile.create_my_profile, "POST", "me/profile", token=token)
    assert response.status_code == 409
    error = body_of(response)["error"]
    assert error["code"] == "conflict"
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    assert error["innerError"]["client-request-id"] == response.headers["request-id"]
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", error["innerError"]["date"])


def test_seed_example_without_its_trailing_comma_creates_the_account(invoke, identity):
    response = post_account(invoke, identity.mint())
    assert response.status_code == 201
    body = body_of(response)
    assert list(body) == [
        "id", "allowedAudiences", "inference", "createdDateTime", "createdBy", "lastModifiedDateTime",
        "lastModifiedBy", "source", "isSearchable", "ageGroup", "countryCode", "preferredLanguageTag", "userPrincipalName",
    ]
    assert GUID.match(body["id"]) and TIMESTAMP.match(body["createdDateTime"])
    assert body["createdDateTime"] == body["lastModifiedDateTime"]
    assert body["allowedAudiences"] == "organization" and body["countryCode"] == "NO"
    assert body["createdBy"] == {"application": None, "device": None, "user": {"id": TEST_OID, "displayName": "Adele Vance"}}
    assert body["lastModifiedBy"] == body["createdBy"]
    assert body["userPrincipalName"] == TEST_UPN and body["ageGroup"] is None
    assert body["inference"] is None and body["source"] is None and body["preferredLanguageTag"] is None
    assert response.headers["Location"] == f"http://127.0.0.1:7071/api/users/{TEST_OID}/profile/account/{body['id']}"
    assert response.headers["ETag"]


def test_seed_example_verbatim_is_400_pointing_at_the_trailing_comma(invoke, identity):
    token = identity.mint()
    response = post_account(invoke, token, body=SEED_WITH_COMMA)
    assert response.status_code == 400
    error = body_of(response)["error"]
    assert error["code"] == "invalidRequest"
    assert "line 3, column 22" in error["message"] and "trailing comma" in error["message"]
    assert list_mine(invoke, token) == []


def test_creating_an_account_creates_the_profile(invoke, identity):
    token = identity.mint()
    assert post_account(invoke, token).status_code == 201
    assert invoke(profile.get_my_profile, "GET", "me/profile", token=token).status_code == 200
    assert invoke(profile.create_my_profile, "POST", "me/profile", token=token).status_code == 409


@pytest.mark.parametrize(
    "body, status, fragment",
    [
        ('{"id": "abc", "countryCode": "NO"}', 400, "'id'"),
        ('{"userPrincipalName": "x@y.z"}', 400, "'userPrincipalName'"),
        ('{"ageGroup": "adult"}', 400, "'ageGroup'"),
        ('{"foo": 1}', 400, "The property 'foo' does not exist on type 'microsoft.graph.userAccountInformation'."),
        ('{"countryCode": "XX"}', 400, "countryCode"),
        ('{"allowedAudiences": "unknownFutureValue"}', 400, "organization"),
        ('{"countryCode": "' + "N" * 10000 + '"}', 400, "countryCode"),
        ('{"a": NaN}', 400, "line 1"),
        ('[]', 400, ""),
        ('', 400, "Empty Payload. JSON content expected."),
    ],
)
def test_bad_account_bodies_are_400_and_write_nothing(invoke, identity, body, status, fragment):
    token = identity.mint()
    response = post_account(invoke, token, body=body)
    assert response.status_code == status
    assert fragment in body_of(response)["error"]["message"] + str(body_of(response)["error"].get("details", ""))
    assert list_mine(invoke, token) == []


def test_field_errors_carry_details(invoke, identity):
    error = body_of(post_account(invoke, identity.mint(), body='{"countryCode": "XX"}'))["error"]
    assert error["details"] and error["details"][0]["target"] == "countryCode"


def test_missing_content_type_is_400_not_415(invoke, identity):
    response = invoke(account.create_my_account, "POST", "me/profile/account", token=identity.mint(), body=SEED)
    assert response.status_code == 400


def test_oversized_body_is_413_before_parsing(invoke, identity):
    token = identity.mint()
    response = post_account(invoke, token, body="{" + " " * 70000)
    assert response.status_code == 413 and body_of(response)["error"]["code"] == "requestTooLarge"
    assert list_mine(invoke, token) == []


def test_no_token_is_401_with_a_bare_challenge(invoke):
    response = invoke(account.create_my_account, "POST", "me/profile/account", body=SEED, headers=JSON_HEADERS)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm=""'
    assert body_of(response)["error"]["code"] == "InvalidAuthenticationToken"
    assert response.headers["request-id"]


def test_invalid_token_is_401_with_invalid_token_and_never_echoed(invoke, identity):
    token = identity.mint(aud="https://graph.microsoft.com")
    response = post_account(invoke, token)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert token not in response.get_body().decode() and token.split(".")[1] not in response.get_body().decode()


def test_app_only_token_on_me_is_400(invoke, identity):
    response = post_account(invoke, identity.mint_app())
    assert response.status_code == 400
    assert body_of(response)["error"]["message"] == "/me request is only valid with delegated authentication flow."


@pytest.mark.parametrize("user", [OTHER_OID, "someone.else@contoso.test", "not-a-user", "x" * 300])
def test_user_readwrite_cannot_touch_others_and_learns_nothing(invoke, identity, user):
    response = post_account(invoke, identity.mint(scp="User.ReadWrite"), user=user)
    assert response.status_code == 403
    assert body_of(response)["error"]["code"] == "accessDenied"
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert 'scope="User.ReadWrite.All"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("user", [TEST_OID, TEST_OID.upper(), TEST_UPN, TEST_UPN.upper()])
def test_own_oid_or_upn_counts_as_own_data(invoke, identity, user):
    response = post_account(invoke, identity.mint(scp="User.ReadWrite"), user=user)
    assert response.status_code == 201
    assert body_of(response)["userPrincipalName"] == TEST_UPN


@pytest.mark.parametrize("user", ["nobody@contoso.test", "not-a-user", "x" * 300 + "@contoso.test"])
def test_unknown_user_is_404_after_the_permission_check(invoke, identity, user):
    response = post_account(invoke, identity.mint(scp="User.ReadWrite.All"), user=user)
    assert response.status_code == 404 and body_of(response)["error"]["code"] == "itemNotFound"


def test_app_with_role_creates_for_a_user_by_object_id(invoke, identity):
    response = post_account(invoke, identity.mint_app(["User.ReadWrite.All"]), user=OTHER_OID)
    assert response.status_code == 201
    body = body_of(response)
    assert body["createdBy"] == {
        "application": {"id": TEST_APP_ID, "displayName": "Contoso sync"}, "device": None, "user": None,
    }
    assert response.headers["Location"].endswith(f"/users/{OTHER_OID}/profile/account/{body['id']}")


def test_upn_resolves_for_a_seen_user_and_location_uses_the_object_id(invoke, identity):
    assert post_account(invoke, identity.mint()).status_code == 201  # Adele is seen
    admin = identity.mint(oid=OTHER_OID, preferred_username="admin@contoso.test", scp="User.ReadWrite.All")
    response = post_account(invoke, admin, user=TEST_UPN.upper())
    assert response.status_code == 201
    assert f"/users/{TEST_OID}/profile/account/" in response.headers["Location"]
    assert body_of(response)["userPrincipalName"] == TEST_UPN


def test_quota_is_403_quota_limit_reached(invoke, identity, monkeypatch):
    from shared import composition

    monkeypatch.setenv("MAX_FACETS_PER_USER", "2")
    composition.reset()
    token = identity.mint()
    assert [post_account(invoke, token).status_code for _ in range(2)] == [201, 201]
    response = post_account(invoke, token)
    assert response.status_code == 403 and body_of(response)["error"]["code"] == "quotaLimitReached"
    assert len(list_mine(invoke, token)) == 2


def test_an_unexpected_failure_is_a_500_without_internals(invoke, identity, monkeypatch):
    from shared.repository.sqlite import SqliteRepository

    def explode(*args, **kwargs):
        raise RuntimeError("sqlite3 exploded at /secret/path with AccountKey=abc")

    monkeypatch.setattr(SqliteRepository, "add_account", explode)
    response = post_account(invoke, identity.mint())
    assert response.status_code == 500
    error = body_of(response)["error"]
    assert error["code"] == "generalException"
    assert "exploded" not in response.get_body().decode() and "AccountKey" not in response.get_body().decode()
    assert response.headers["request-id"] == error["innerError"]["request-id"]


def test_forged_server_fields_are_never_stored(invoke, identity):
    token = identity.mint()
    forged = '{"countryCode": "NO", "createdBy": {"user": {"id": "' + str(uuid.uuid4()) + '"}}}'
    assert post_account(invoke, token, body=forged).status_code == 400
    assert list_mine(invoke, token) == []


@pytest.mark.parametrize(
    "error, status, code",
    [
        (Throttled("Too many requests to the profile store.", retry_after=7), 429, "TooManyRequests"),
        (ServiceUnavailable("The profile store is unavailable.", retry_after=5), 503, "serviceNotAvailable"),
    ],
)
def test_store_pressure_reaches_the_client_with_retry_after(invoke, identity, monkeypatch, error, status, code):
    from shared.repository.sqlite import SqliteRepository

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(SqliteRepository, "add_account", fail)
    response = post_account(invoke, identity.mint())
    assert response.status_code == status and body_of(response)["error"]["code"] == code
    assert response.headers["Retry-After"] == str(error.retry_after)
    assert response.headers["request-id"]
