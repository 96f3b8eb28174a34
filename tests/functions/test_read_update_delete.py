"""Function-level tests of the full surface: list, get, patch, delete, paging, ETags, visibility."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from functions import account, profile
from tests.functions.test_create import JSON_HEADERS, OTHER_OID, post_account
from tests.support.app import body_of
from tests.support.identity import TEST_OID


def create(invoke, token, **fields):
    response = post_account(invoke, token, body=json.dumps({"countryCode": "NO", **fields}))
    assert response.status_code == 201, response.get_body()
    return body_of(response), response.headers["ETag"]


def get_mine(invoke, token, account_id, **kwargs):
    return invoke(account.get_my_account, "GET", f"me/profile/account/{account_id}", token=token, route_params={"id": account_id}, **kwargs)


def patch_mine(invoke, token, account_id, body, headers=None):
    return invoke(
        account.update_my_account, "PATCH", f"me/profile/account/{account_id}", token=token, body=body,
        headers={**JSON_HEADERS, **(headers or {})}, route_params={"id": account_id},
    )


def delete_mine(invoke, token, account_id, headers=None):
    return invoke(account.delete_my_account, "DELETE", f"me/profile/account/{account_id}", token=token,
                  headers=headers, route_params={"id": account_id})


def test_get_returns_the_created_object_with_its_etag(invoke, identity):
    token = identity.mint()
    created, etag = create(invoke, token)
    response = get_mine(invoke, token, created["id"])
    assert response.status_code == 200 and body_of(response) == created and response.headers["ETag"] == etag


def test_get_with_select_keeps_only_those_properties(invoke, identity):
    token = identity.mint()
    created, _ = create(invoke, token)
    response = get_mine(invoke, token, created["id"], params={"$select": "countryCode"})
    assert body_of(response) == {"id": created["id"], "countryCode": "NO"}
    bad = get_mine(invoke, token, created["id"], params={"$select": "nope"})
    assert bad.status_code == 400 and "nope" in body_of(bad)["error"]["message"]


def test_unsupported_query_options_are_400_naming_them(invoke, identity):
    response = invoke(account.list_my_accounts, "GET", "me/profile/account", token=identity.mint(), params={"$filter": "x", "$orderby": "y"})
    assert response.status_code == 400
    assert "$filter" in body_of(response)["error"]["message"] and "$orderby" in body_of(response)["error"]["message"]


@pytest.mark.parametrize("top", ["0", "101", "-1", "abc", "²", "٣", " 5x"])
def test_top_out_of_range_is_400(invoke, identity, top):
    response = invoke(account.list_my_accounts, "GET", "me/profile/account", token=identity.mint(), params={"$top": top})
    assert response.status_code == 400


def test_list_pages_in_creation_order_with_next_links(invoke, identity):
    token = identity.mint()
    ids = [create(invoke, token)[0]["id"] for _ in range(5)]
    seen, params = [], {"$top": "2"}
    while True:
        body = body_of(invoke(account.list_my_accounts, "GET", "me/profile/account", token=token, params=params))
        seen += [item["id"] for item in body["value"]]
        if "@odata.nextLink" not in body:
            break
        link = urlsplit(body["@odata.nextLink"])
        params = {k: v[0] for k, v in parse_qs(link.query).items()}
        create(invoke, token)  # concurrent inserts never repeat or skip existing items
    assert seen[:5] == ids and len(seen) == len(set(seen))


def test_bad_skiptoken_is_400(invoke, identity):
    response = invoke(account.list_my_accounts, "GET", "me/profile/account", token=identity.mint(), params={"$skiptoken": "garbage!"})
    assert response.status_code == 400


def test_patch_updates_only_writable_properties_and_last_modified(invoke, identity):
    token = identity.mint()
    created, etag = create(invoke, token, allowedAudiences="organization")
    response = patch_mine(invoke, token, created["id"], '{"countryCode": "se"}', headers={"If-Match": etag})
    assert response.status_code == 200
    body = body_of(response)
    assert body["countryCode"] == "SE" and body["allowedAudiences"] == "organization"
    assert body["createdDateTime"] == created["createdDateTime"] and body["lastModifiedDateTime"] >= created["lastModifiedDateTime"]
    assert response.headers["ETag"] != etag
    assert patch_mine(invoke, token, created["id"], '{"id": "x"}').status_code == 400
    assert patch_mine(invoke, token, created["id"], '{"countryCode": "XX"}').status_code == 400
    assert body_of(get_mine(invoke, token, created["id"]))["countryCode"] == "SE"


def test_patch_with_a_stale_etag_is_412_and_changes_nothing(invoke, identity):
    token = identity.mint()
    created, etag = create(invoke, token)
    assert patch_mine(invoke, token, created["id"], '{"countryCode": "SE"}', headers={"If-Match": etag}).status_code == 200
    stale = patch_mine(invoke, token, created["id"], '{"countryCode": "DK"}', headers={"If-Match": etag})
    assert stale.status_code == 412 and body_of(stale)["error"]["code"] == "resourceModified"
    assert body_of(get_mine(invoke, token, created["id"]))["countryCode"] == "SE"
    assert patch_mine(invoke, token, created["id"], '{"countryCode": "DK"}', headers={"If-Match": "*"}).status_code == 200


def test_delete_honours_if_match_then_404(invoke, identity):
    token = identity.mint()
    created, etag = create(invoke, token)
    assert delete_mine(invoke, token, created["id"], headers={"If-Match": '"stale"'}).status_code == 412
    assert delete_mine(invoke, token, created["id"], headers={"If-Match": etag}).status_code == 204
    assert get_mine(invoke, token, created["id"]).status_code == 404
    assert delete_mine(invoke, token, created["id"]).status_code == 404


def test_delete_profile_removes_every_facet(invoke, identity):
    token = identity.mint()
    created, _ = create(invoke, token)
    assert invoke(profile.delete_my_profile, "DELETE", "me/profile", token=token).status_code == 204
    assert get_mine(invoke, token, created["id"]).status_code == 404
    assert invoke(profile.get_my_profile, "GET", "me/profile", token=token).status_code == 404
    assert invoke(profile.delete_my_profile, "DELETE", "me/profile", token=token).status_code == 404


def test_read_scope_cannot_write(invoke, identity):
    token = identity.mint()
    created, _ = create(invoke, token)
    reader = identity.mint(scp="User.Read")
    assert get_mine(invoke, reader, created["id"]).status_code == 200
    response = patch_mine(invoke, reader, created["id"], '{"countryCode": "SE"}')
    assert response.status_code == 403 and 'scope="User.ReadWrite"' in response.headers["WWW-Authenticate"]


def test_other_users_see_only_shared_facets_with_read_all(invoke, identity):
    owner = identity.mint()
    private, _ = create(invoke, owner, allowedAudiences="contacts")
    shared, _ = create(invoke, owner, allowedAudiences="organization")
    reader = identity.mint(oid=OTHER_OID, preferred_username="reader@contoso.test", scp="User.Read.All")
    listed = invoke(account.list_user_accounts, "GET", f"users/{TEST_OID}/profile/account", token=reader, route_params={"user": TEST_OID})
    assert [item["id"] for item in body_of(listed)["value"]] == [shared["id"]]
    hidden = invoke(account.get_user_account, "GET", "x", token=reader, route_params={"user": TEST_OID, "id": private["id"]})
    assert hidden.status_code == 404
    writer = identity.mint(oid=OTHER_OID, preferred_username="reader@contoso.test", scp="User.ReadWrite.All")
    both = invoke(account.list_user_accounts, "GET", "x", token=writer, route_params={"user": TEST_OID})
    assert len(body_of(both)["value"]) == 2


def test_idempotent_create_returns_the_original_response(invoke, identity):
    token = identity.mint()
    first = post_account(invoke, token, headers={"Idempotency-Key": "k-1"})
    again = post_account(invoke, token, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert body_of(first) == body_of(again) and first.headers["Location"] == again.headers["Location"]
    different = post_account(invoke, token, body='{"countryCode": "SE"}', headers={"Idempotency-Key": "k-1"})
    assert different.status_code == 422
    other_caller = identity.mint(oid=OTHER_OID, preferred_username="o@contoso.test")
    assert body_of(post_account(invoke, other_caller, headers={"Idempotency-Key": "k-1"}))["id"] != body_of(first)["id"]
    assert len(body_of(invoke(account.list_my_accounts, "GET", "me/profile/account", token=token))["value"]) == 1


def test_profile_get_rejects_query_options(invoke, identity):
    token = identity.mint()
    assert invoke(profile.create_my_profile, "POST", "me/profile", token=token).status_code == 201
    response = invoke(profile.get_my_profile, "GET", "me/profile", token=token, params={"$expand": "account"})
    assert response.status_code == 400 and "$expand" in body_of(response)["error"]["message"]
    assert invoke(profile.get_my_profile, "GET", "me/profile", token=token).status_code == 200
