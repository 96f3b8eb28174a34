"""Function-level tests of list, get, patch and delete through the generated functions: paging, ETags, visibility."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.functions.helpers import (
    OTHER_OID,
    context,
    created,
    delete_facet,
    get_facet,
    list_facets,
    listed,
    patch_facet,
)
from tests.support.app import body_of
from tests.support.identity import TEST_OID


def create_account(invoke, token, **fields):
    return created(invoke, token, "account", json.dumps({"countryCode": "NO", **fields}))


# --- get and list ------------------------------------------------------------------------------------------


def test_get_returns_the_created_object_with_its_etag_and_context(invoke, identity):
    token = identity.mint()
    facet, etag = create_account(invoke, token)
    response = get_facet(invoke, token, "account", facet["id"])
    assert response.status_code == 200 and body_of(response) == facet and response.headers["ETag"] == etag
    assert body_of(response)["@odata.context"] == context(TEST_OID, "profile/account/$entity")
    assert response.mimetype == "application/json" and response.headers["request-id"]


def test_list_carries_its_context_and_the_facets(invoke, identity):
    token = identity.mint()
    facet, _ = created(invoke, token, "skills", {"displayName": "Python"})
    response = list_facets(invoke, token, "skills")
    body = body_of(response)
    assert list(body) == ["@odata.context", "value"]
    assert body["@odata.context"] == context(TEST_OID, "profile/skills")
    assert body["value"] == [{k: v for k, v in facet.items() if k != "@odata.context"}]


def test_an_empty_collection_lists_nothing(invoke, identity):
    assert listed(invoke, identity.mint(), "patents") == []


def test_get_with_select_keeps_only_those_properties(invoke, identity):
    token = identity.mint()
    facet, _ = create_account(invoke, token)
    response = get_facet(invoke, token, "account", facet["id"], params={"$select": "countryCode"})
    assert body_of(response) == {"@odata.context": facet["@odata.context"], "id": facet["id"], "countryCode": "NO"}
    bad = get_facet(invoke, token, "account", facet["id"], params={"$select": "nope"})
    assert bad.status_code == 400 and "nope" in body_of(bad)["error"]["message"]


def test_unsupported_query_options_are_400_naming_them(invoke, identity):
    token = identity.mint()
    response = list_facets(invoke, token, "skills", params={"$search": "x", "$expand": "y"})
    assert response.status_code == 400
    message = body_of(response)["error"]["message"]
    assert "$search" in message and "$expand" in message
    facet, _ = created(invoke, token, "skills")
    response = get_facet(invoke, token, "skills", facet["id"], params={"$filter": "displayName eq 'x'"})
    assert response.status_code == 400 and "$filter" in body_of(response)["error"]["message"]


@pytest.mark.parametrize("top", ["0", "101", "-1", "abc", "\u00b2", "\u0663", " 5x"])
def test_top_out_of_range_is_400(invoke, identity, top):
    response = list_facets(invoke, identity.mint(), "account", params={"$top": top})
    assert response.status_code == 400 and "$top" in body_of(response)["error"]["message"]


def test_list_pages_in_creation_order_with_next_links(invoke, identity):
    token = identity.mint()
    ids = [create_account(invoke, token)[0]["id"] for _ in range(5)]
    seen, params = [], {"$top": "2"}
    while True:
        body = body_of(list_facets(invoke, token, "account", params=params))
        seen += [item["id"] for item in body["value"]]
        if "@odata.nextLink" not in body:
            break
        link = urlsplit(body["@odata.nextLink"])
        assert link.path == "/api/me/profile/account"
        params = {k: v[0] for k, v in parse_qs(link.query).items()}
        create_account(invoke, token)  # concurrent inserts never repeat or skip existing items
    assert seen[:5] == ids and len(seen) == len(set(seen))


def test_filter_and_count_on_a_list(invoke, identity):
    token = identity.mint()
    created(invoke, token, "skills", {"displayName": "Python", "proficiency": "expert"})
    created(invoke, token, "skills", {"displayName": "Go", "proficiency": "elementary"})
    params = {"$filter": "proficiency eq 'expert'", "$count": "true"}
    body = body_of(list_facets(invoke, token, "skills", params=params))
    assert body["@odata.count"] == 1 and [item["displayName"] for item in body["value"]] == ["Python"]


def test_bad_skiptoken_is_400(invoke, identity):
    response = list_facets(invoke, identity.mint(), "account", params={"$skiptoken": "garbage!"})
    assert response.status_code == 400


@pytest.mark.parametrize("facet_id", ["00000000-0000-4000-8000-000000000000", "not-a-guid", "x" * 300])
def test_a_facet_that_does_not_exist_is_404(invoke, identity, facet_id):
    token = identity.mint()
    for response in (
        get_facet(invoke, token, "skills", facet_id),
        patch_facet(invoke, token, "skills", facet_id, {"displayName": "x"}),
        delete_facet(invoke, token, "skills", facet_id),
    ):
        assert response.status_code == 404 and body_of(response)["error"]["code"] == "itemNotFound"


def test_a_facet_is_found_only_in_its_own_collection(invoke, identity):
    token = identity.mint()
    facet, _ = created(invoke, token, "skills")
    assert get_facet(invoke, token, "interests", facet["id"]).status_code == 404
    assert delete_facet(invoke, token, "interests", facet["id"]).status_code == 404
    assert get_facet(invoke, token, "skills", facet["id"]).status_code == 200


# --- patch -------------------------------------------------------------------------------------------------


def test_patch_updates_only_writable_properties_and_last_modified(invoke, identity):
    token = identity.mint()
    facet, etag = create_account(invoke, token, allowedAudiences="organization")
    response = patch_facet(invoke, token, "account", facet["id"], '{"countryCode": "se"}', headers={"If-Match": etag})
    assert response.status_code == 200
    body = body_of(response)
    assert body["@odata.context"] == context(TEST_OID, "profile/account/$entity")
    assert body["countryCode"] == "SE" and body["allowedAudiences"] == "organization"
    assert body["createdDateTime"] == facet["createdDateTime"]
    assert body["lastModifiedDateTime"] >= facet["lastModifiedDateTime"]
    assert response.headers["ETag"] != etag
    assert get_facet(invoke, token, "account", facet["id"]).headers["ETag"] == response.headers["ETag"]
    assert patch_facet(invoke, token, "account", facet["id"], '{"id": "x"}').status_code == 400
    assert patch_facet(invoke, token, "account", facet["id"], '{"countryCode": "XX"}').status_code == 400
    assert body_of(get_facet(invoke, token, "account", facet["id"]))["countryCode"] == "SE"


def test_patch_of_the_object_just_read_is_accepted(invoke, identity):
    """An SDK PATCHes what it read: read-only values equal to the stored ones are ignored."""
    token = identity.mint()
    facet, _ = create_account(invoke, token)
    read = body_of(get_facet(invoke, token, "account", facet["id"]))  # @odata.context included
    sent = {**read, "countryCode": "DK", "createdDateTime": read["createdDateTime"].replace("Z", "+00:00")}
    sent["createdBy"] = {"@odata.type": "#microsoft.graph.identitySet", "user": read["createdBy"]["user"]}
    response = patch_facet(invoke, token, "account", facet["id"], sent)
    assert response.status_code == 200, response.get_body()
    assert body_of(response)["countryCode"] == "DK" and body_of(response)["createdBy"] == facet["createdBy"]


def test_patch_changing_a_read_only_value_is_400_naming_it_and_writes_nothing(invoke, identity):
    token = identity.mint()
    facet, etag = created(invoke, token, "skills", {"displayName": "Python"})
    sent = {"displayName": "Go", "createdDateTime": "2000-01-01T00:00:00Z"}
    response = patch_facet(invoke, token, "skills", facet["id"], sent)
    assert response.status_code == 400
    error = body_of(response)["error"]
    assert [d["target"] for d in error["details"]] == ["createdDateTime"] and "createdDateTime" in error["message"]
    after = get_facet(invoke, token, "skills", facet["id"])
    assert body_of(after)["displayName"] == "Python" and after.headers["ETag"] == etag


def test_patch_with_a_stale_etag_is_412_and_changes_nothing(invoke, identity):
    token = identity.mint()
    facet, etag = create_account(invoke, token)
    ok = patch_facet(invoke, token, "account", facet["id"], '{"countryCode": "SE"}', headers={"If-Match": etag})
    assert ok.status_code == 200
    stale = patch_facet(invoke, token, "account", facet["id"], '{"countryCode": "DK"}', headers={"If-Match": etag})
    assert stale.status_code == 412 and body_of(stale)["error"]["code"] == "resourceModified"
    assert body_of(get_facet(invoke, token, "account", facet["id"]))["countryCode"] == "SE"
    weak = patch_facet(
        invoke, token, "account", facet["id"], '{"countryCode": "DK"}', headers={"If-Match": "W/" + ok.headers["ETag"]}
    )
    assert weak.status_code == 412
    many = patch_facet(
        invoke,
        token,
        "account",
        facet["id"],
        '{"countryCode": "FI"}',
        headers={"If-Match": f"{etag}, {ok.headers['ETag']}"},
    )
    assert many.status_code == 200
    star = patch_facet(invoke, token, "account", facet["id"], '{"countryCode": "DK"}', headers={"If-Match": "*"})
    assert star.status_code == 200


@pytest.mark.parametrize("value", ["", " ", "abc", '"a", garbage'])
def test_a_malformed_if_match_is_400_on_patch_and_delete(invoke, identity, value):
    token = identity.mint()
    facet, _ = create_account(invoke, token)
    patched = patch_facet(invoke, token, "account", facet["id"], '{"countryCode": "SE"}', headers={"If-Match": value})
    assert patched.status_code == 400 and "If-Match" in body_of(patched)["error"]["message"]
    deleted = delete_facet(invoke, token, "account", facet["id"], headers={"If-Match": value})
    assert deleted.status_code == 400 and "If-Match" in body_of(deleted)["error"]["message"]
    assert body_of(get_facet(invoke, token, "account", facet["id"]))["countryCode"] == "NO"


@pytest.mark.parametrize("body", ["", "[]", "{,}", '{"countryCode": NaN}'])
def test_malformed_patch_bodies_are_400(invoke, identity, body):
    token = identity.mint()
    facet, etag = create_account(invoke, token)
    assert patch_facet(invoke, token, "account", facet["id"], body).status_code == 400
    assert get_facet(invoke, token, "account", facet["id"]).headers["ETag"] == etag


# --- delete ------------------------------------------------------------------------------------------------


def test_delete_honours_if_match_then_404(invoke, identity):
    token = identity.mint()
    facet, etag = create_account(invoke, token)
    assert delete_facet(invoke, token, "account", facet["id"], headers={"If-Match": '"stale"'}).status_code == 412
    response = delete_facet(invoke, token, "account", facet["id"], headers={"If-Match": etag})
    assert response.status_code == 204
    assert response.get_body() == b"" and "Content-Type" not in response.headers
    assert response.headers["request-id"]
    assert get_facet(invoke, token, "account", facet["id"]).status_code == 404
    assert delete_facet(invoke, token, "account", facet["id"]).status_code == 404


def test_delete_with_star_deletes_whatever_the_version(invoke, identity):
    token = identity.mint()
    facet, _ = created(invoke, token, "names", {"first": "Adele"})
    patch_facet(invoke, token, "names", facet["id"], {"last": "Vance"})
    assert delete_facet(invoke, token, "names", facet["id"], headers={"If-Match": "*"}).status_code == 204
    assert listed(invoke, token, "names") == []


# --- permissions and visibility ------------------------------------------------------------------------------


def test_read_scope_cannot_write(invoke, identity):
    token = identity.mint()
    facet, _ = create_account(invoke, token)
    reader = identity.mint(scp="User.Read")
    assert get_facet(invoke, reader, "account", facet["id"]).status_code == 200
    response = patch_facet(invoke, reader, "account", facet["id"], '{"countryCode": "SE"}')
    assert response.status_code == 403 and 'scope="User.ReadWrite"' in response.headers["WWW-Authenticate"]
    assert delete_facet(invoke, reader, "account", facet["id"]).status_code == 403


@pytest.mark.parametrize("collection", ["account", "skills", "websites"])
def test_other_users_see_only_shared_facets_with_read_all(invoke, identity, collection):
    owner = identity.mint()
    private, _ = created(invoke, owner, collection, {"allowedAudiences": "contacts,family,groupMembers"})
    mine_only, _ = created(invoke, owner, collection, {})
    shared = [
        created(invoke, owner, collection, {"allowedAudiences": audiences})[0]["id"]
        for audiences in ("organization", "federatedOrganizations", "everyone,contacts")
    ]
    reader = identity.mint(oid=OTHER_OID, preferred_username="reader@contoso.test", scp="User.Read.All")
    assert [item["id"] for item in listed(invoke, reader, collection, user=TEST_OID)] == shared
    for hidden in (private, mine_only):
        response = get_facet(invoke, reader, collection, hidden["id"], user=TEST_OID)
        assert response.status_code == 404 and body_of(response)["error"]["code"] == "itemNotFound"
    assert get_facet(invoke, reader, collection, shared[0], user=TEST_OID).status_code == 200
    writer = identity.mint(oid=OTHER_OID, preferred_username="reader@contoso.test", scp="User.ReadWrite.All")
    assert len(listed(invoke, writer, collection, user=TEST_OID)) == 5
    app = identity.mint_app(["User.Read.All"])
    assert len(listed(invoke, app, collection, user=TEST_OID)) == 5
    assert get_facet(invoke, app, collection, private["id"], user=TEST_OID).status_code == 200
    assert len(listed(invoke, owner, collection)) == 5


def test_another_users_facets_are_read_through_their_upn_too(invoke, identity):
    owner = identity.mint()
    shared, _ = created(invoke, owner, "skills", {"allowedAudiences": "organization", "displayName": "Go"})
    reader = identity.mint(oid=OTHER_OID, preferred_username="reader@contoso.test", scp="User.ReadBasic.All")
    response = list_facets(invoke, reader, "skills", user="ADELE.VANCE@contoso.test")
    assert response.status_code == 200 and [item["id"] for item in body_of(response)["value"]] == [shared["id"]]
    assert body_of(response)["@odata.context"] == context(TEST_OID, "profile/skills")
    one = get_facet(invoke, reader, "skills", shared["id"], user="adele.vance@contoso.test")
    assert body_of(one)["@odata.context"] == context(TEST_OID, "profile/skills/$entity")


def test_reading_others_needs_an_all_scope(invoke, identity):
    reader = identity.mint(oid=OTHER_OID, preferred_username="reader@contoso.test", scp="User.Read")
    response = list_facets(invoke, reader, "skills", user=TEST_OID)
    assert response.status_code == 403 and body_of(response)["error"]["code"] == "accessDenied"


@pytest.mark.parametrize(
    ("params", "single"), [({"$top": "0"}, False), ({"$filter": "nope eq 1"}, False), ({"$select": "nope"}, True)]
)
def test_authentication_and_permission_come_before_the_query_options(invoke, identity, params, single):
    def read(token, user=None):
        if single:
            return get_facet(invoke, token, "skills", "x", user=user, params=params)
        return list_facets(invoke, token, "skills", user=user, params=params)

    assert read(None).status_code == 401
    assert read(identity.mint(aud="api://someone-else")).status_code == 401
    assert read(identity.mint(scp="User.Read"), user=OTHER_OID).status_code == 403
    assert read(identity.mint()).status_code == 400
